"""storydiff: how news reports of the same story differ.

    >>> import storydiff
    >>> a = storydiff.load("a.txt"); b = storydiff.load("b.html")
    >>> report = storydiff.compare([a, b])
    >>> [f.summary for f in report.conflicts]

Stable names: Document, Report, Finding, Evidence, load, compare, cluster.
"""
from __future__ import annotations

from .errors import InputError, StorydiffError
from .model import Document, Evidence, Finding, Report

__version__ = "0.1.0"
__all__ = ["Document", "Evidence", "Finding", "Report", "InputError", "StorydiffError",
           "cluster", "compare", "load", "load_many", "__version__"]


def load(source: str, **options) -> Document:
    """Load one article from a path, URL or "-" (stdin) into a cleaned Document."""
    from .ingest import load as _load
    return _load(source, **options)


def load_many(sources: list[str], **options) -> list[Document]:
    """Load every article named by ``sources`` (a .jsonl file gives several), ids made unique."""
    from .ingest import load_many as _load_many
    return _load_many(sources, **options)


def compare(documents: list[Document]) -> Report:
    """Compare two or more reports of one story: conflicts, agreements, omissions."""
    from .findings import compare as _compare
    return _compare(documents)


def cluster(documents: list[Document], **options) -> list:
    """Group documents into stories (same real-world event): a list of Story(id, document_ids, title)."""
    from .corpus import cluster as _cluster
    return _cluster(documents, **options)
