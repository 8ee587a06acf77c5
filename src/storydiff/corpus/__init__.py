"""Corpus mode: keep articles in a local store, group them into stories, compare each story.

    store.py     the SQLite store (articles, analysis, stories) - the API the web app reads
    ingest.py    files, folders, .jsonl, URLs and feeds into the store
    features.py  what clustering needs, computed once per article at ingest
    clustering.py stories from features (ANN candidates, average-link agglomeration)
    stories.py   incremental story updates in the store
    feeds.py     RSS/Atom entries

``cluster(documents)`` is the store-free entry point (``storydiff.cluster``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from ..model import Document


@dataclass(frozen=True)
class Story:
    """One story found by ``cluster``: its documents' ids, in input order."""

    id: int
    document_ids: list[str]
    title: str | None = None


def cluster(documents: Sequence[Document], **params) -> list[Story]:
    """Group documents into stories (same real-world event); biggest story first.

    Keyword arguments override ``storydiff.corpus.clustering.Params`` fields.
    """
    from .clustering import Params, cluster_features
    from .features import extract

    docs = list(documents)
    if not docs:
        return []
    feats = extract([(d.text, d.title, d.published) for d in docs])
    groups = cluster_features(feats, Params(**params))
    return [Story(id=k + 1, document_ids=[docs[i].id for i in g],
                  title=next((docs[i].title for i in g if docs[i].title), None))
            for k, g in enumerate(groups)]
