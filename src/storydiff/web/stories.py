"""The corpus store as the web app sees it: stories, their articles, ingest.

A thin adapter over storydiff.corpus (docs/corpus.md): each call opens the
store for the duration of one blocking call in a worker thread (SQLite in WAL
mode, so pages read while an ingest writes), and nothing above this module
knows the store's classes.
"""
from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import StorydiffError
from ..model import Document
from .settings import WebSettings


@dataclass(frozen=True)
class StoryRow:
    """One story as the list shows it: outlets by name, not only counted."""

    id: int
    title: str
    articles: int
    outlets: list[str]
    first_published: str | None
    last_published: str | None

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "articles": self.articles, "outlets": self.outlets,
                "first_published": self.first_published, "last_published": self.last_published}


@dataclass(frozen=True)
class StoryPage:
    """A story with its independent articles (as Documents) and republished copies."""

    row: StoryRow
    articles: list[dict]  # id, doc, title, url, outlet, published
    duplicates: int
    documents: list[Document]


def is_store_error(error: Exception) -> bool:
    from ..corpus.store import StoreError
    return isinstance(error, StoreError)


def is_not_found(error: Exception) -> bool:
    from ..corpus.store import StoryNotFound
    return isinstance(error, StoryNotFound)


def store_path(settings: WebSettings) -> Path:
    from ..corpus.store import default_path
    return Path(settings.db) if settings.db else default_path()


def _open(settings: WebSettings, create: bool = False):
    from ..corpus.store import Store
    return Store.open(store_path(settings), create=create)


def store_available(settings: WebSettings) -> bool:
    """Whether the corpus store exists and opens."""
    try:
        _open(settings).close()
    except StorydiffError:
        return False
    return True


def _row(detail) -> StoryRow:
    s = detail.summary
    outlets = sorted({a.outlet for a in detail.articles if a.outlet})
    return StoryRow(s.id, s.title or f"story {s.id}", s.articles, outlets, s.first_date, s.last_date)


def list_stories(settings: WebSettings, query: str | None, limit: int, offset: int) -> tuple[list[StoryRow], bool]:
    """A page of stories matching ``query`` (most recent first) and whether more follow."""
    if not store_path(settings).exists():
        return [], False  # nothing ingested yet: no stories, not an error
    with _open(settings) as store:
        found = store.stories(query=query or None, limit=limit + 1, offset=offset)
        return [_row(store.story(s.id)) for s in found[:limit]], len(found) > limit


def story(settings: WebSettings, story_id: int) -> StoryPage:
    """One story with its articles' Documents (ready to compare); StoryNotFound if there is none.

    The message names the store by file name only and gives no command-line hint.
    """
    from ..corpus.store import StoryNotFound

    if not store_path(settings).exists():
        raise StoryNotFound(f"no story {story_id}: the store {store_path(settings)} is empty")
    with _open(settings) as store:
        try:
            detail = store.story(story_id)
        except StoryNotFound:
            raise StoryNotFound(f"no story {story_id} in {store_path(settings).name}") from None
        docs = store.documents(detail.article_ids)
    articles = [{"id": a.id, "doc": d.id, "title": a.title, "url": a.url, "outlet": a.outlet,
                 "published": a.published} for a, d in zip(detail.articles, docs)]
    return StoryPage(_row(detail), articles, len(detail.duplicates), docs)


def ingest(settings: WebSettings, articles: list[dict]) -> dict:
    """Store articles (dicts of DocumentIn fields) and update the stories; the run's summary.

    Articles with text or HTML go to the corpus ingest as one .jsonl file, URL-only
    ones as URLs, so they get exactly the CLI's cleaning, deduplication and
    fetching rules. Failures name the article as the request did (``articles[2]``).
    """
    from ..corpus.ingest import ingest as run_ingest

    with tempfile.TemporaryDirectory(prefix="storydiff-web-") as tmp:
        path = Path(tmp) / "articles.jsonl"
        lines, sources, names = [], [], {}
        for n, a in enumerate(articles):
            if a.get("text") is None and a.get("html") is None:
                sources.append(a["url"])
                names[a["url"]] = f"articles[{n}]"
                continue
            lines.append(json.dumps({k: v for k, v in a.items() if v is not None}, ensure_ascii=False))
            names[f"{path} line {len(lines)}"] = f"articles[{n}]"
        if lines:
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")
            sources.insert(0, str(path))
        with _open(settings, create=True) as store:
            summary = run_ingest(store, sources, allow_private=settings.allow_private)
    failed = [f"{names.get(where, where)}: {_without(reason, where)}" for where, reason in summary.failed]
    return {"added": summary.added, "duplicates": summary.duplicates,
            "near_duplicates": summary.near_duplicates, "failed": failed, "stories": summary.stories}


def _without(reason: str, where: str) -> str:
    """The reason without the (temporary) source name it starts with."""
    return reason.removeprefix(f"{where}: ")
