"""The corpus store as the web app sees it: stories, their articles, ingest.

A thin adapter over storydiff.corpus (docs/corpus.md), so the pages and the API
do not depend on the store's internals.
"""
from __future__ import annotations

from .settings import WebSettings


def store_available(settings: WebSettings) -> bool:
    """Whether the corpus store can be opened (the stories pages need it)."""
    try:
        from ..corpus import store  # noqa: F401
    except ImportError:
        return False
    return True
