"""Ingest sources into the store: files, folders, .jsonl, URLs, RSS/Atom feeds.

Each source expands into *units* (one file, one JSONL line, one feed entry,
one URL) that load independently: a bad unit is recorded with its reason and
the run goes on. Loaded articles are checked against the store before any
analysis (same canonical URL or same text: counted as duplicates, skipped),
then analysed and written in batches, one transaction per batch, so an
interrupted ingest keeps every finished batch and a re-run completes the rest.
Single articles are read by ``storydiff.ingest`` (the same cleaning and
checks as ``storydiff compare``).
"""
from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import InputError, StorydiffError
from ..model import Document
from . import feeds
from .store import NewArticle, Store

BATCH = 32
ARTICLE_SUFFIXES = (".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".json")
JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass
class Loaded:
    """A cleaned article with the provenance the store keeps."""

    document: Document
    source: str
    author: str | None = None


@dataclass
class Unit:
    """Something that loads into zero or more articles, or fails on its own."""

    name: str
    load: Callable[[], list[Loaded]]
    url_key: str | None = None      # canonical URL known before loading (feed entries): skip the fetch
    expands: bool = False           # yields more units (a feed) instead of articles


@dataclass
class Summary:
    added: int = 0
    duplicates: int = 0             # already in the store (same URL or text): skipped
    near_duplicates: int = 0        # stored, linked to the original they repeat
    failed: list[tuple[str, str]] = field(default_factory=list)
    stories: int = 0                # stories created or updated

    def lines(self) -> list[str]:
        out = [f"added {self.added} articles ({self.near_duplicates} near-duplicates linked to their original), "
               f"{self.duplicates} already stored, {len(self.failed)} failed; {self.stories} stories updated"]
        out += [f"  failed: {reason}" if reason.startswith(name) else f"  failed: {name}: {reason}"
                for name, reason in self.failed]
        return out


def canonical_url(url: str | None) -> str | None:
    """The URL an article is known by: courlan-normalised, tracking parameters and fragment dropped."""
    if not url:
        return None
    import courlan

    try:
        clean = courlan.normalize_url(courlan.clean_url(url) or url, strict=True)
    except (ValueError, TypeError):
        clean = url
    return clean.split("#", 1)[0]


def text_hash(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).lower().encode()).hexdigest()


def outlet_of(doc: Document) -> str | None:
    if doc.outlet:
        return doc.outlet
    host = urlsplit(doc.url).hostname if doc.url else None
    return host.removeprefix("www.") if host else None


# ---- sources -> units ------------------------------------------------------------------------
def units(source: str, allow_private: bool = False) -> Iterator[Unit]:
    from ..ingest.fetch import is_url

    if not os.path.exists(source) and is_url(source):
        yield Unit(source, lambda: _from_url(source, allow_private), expands=True)
        return
    path = Path(source)
    if not path.exists():
        yield Unit(source, _failing(InputError(f"{source}: no such file or folder")))
    elif path.is_dir():
        for f in sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")):
            suffix = f.suffix.lower()
            if suffix in ARTICLE_SUFFIXES + JSONL_SUFFIXES + feeds.FEED_SUFFIXES:
                yield from _file_units(f, allow_private)
    else:
        yield from _file_units(path, allow_private)


def _failing(error: StorydiffError) -> Callable[[], list[Loaded]]:
    def load() -> list[Loaded]:
        raise error
    return load


def _file_units(path: Path, allow_private: bool) -> Iterator[Unit]:
    name = str(path)
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        yield from _jsonl_units(path)
    elif suffix in feeds.FEED_SUFFIXES or (suffix not in ARTICLE_SUFFIXES and _head_is_feed(path)):
        yield Unit(name, lambda: _feed_entries(path.read_bytes(), name, allow_private), expands=True)
    else:
        yield Unit(name, lambda: [_single(name, name, allow_private)])


def _head_is_feed(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return feeds.looks_like_feed(f.read(2048))
    except OSError:
        return False


def _single(source: str, provenance: str, allow_private: bool) -> Loaded:
    from ..ingest import load

    return Loaded(load(source, allow_private=allow_private), provenance)


def _jsonl_units(path: Path) -> Iterator[Unit]:
    try:
        handle = path.open("rb")
    except OSError as e:
        yield Unit(str(path), _failing(InputError(f"{path}: cannot read ({e.strerror})")))
        return
    with handle:
        for lineno, raw in enumerate(handle, 1):
            if raw.strip():
                name = f"{path} line {lineno}"
                yield Unit(name, lambda raw=raw, name=name: [_from_json_line(raw, name, str(path))])


def _from_json_line(raw: bytes, name: str, source: str) -> Loaded:
    """One JSONL article through the same cleaning and checks as ``storydiff.ingest``."""
    from ..ingest import formats
    from ..ingest.decode import decode_bytes

    try:
        obj = json.loads(decode_bytes(raw, name))
    except json.JSONDecodeError as e:
        raise InputError(f"{name}: malformed JSON (column {e.colno}: {e.msg})") from None
    article = formats.from_json_object(obj, name)
    author = obj.get("author") if isinstance(obj.get("author"), str) else None
    return Loaded(_checked(article.text, name, id=article.id, title=article.title, url=article.url,
                           outlet=article.outlet, published=article.published), source, author)


def _checked(raw_text: str, name: str, **meta) -> Document:
    from ..ingest import checks, clean_text

    checks.check_size(raw_text, name)
    text = clean_text(raw_text)
    checks.check_length(text, name)
    checks.check_language(text, name)
    return Document(id=meta.pop("id", None) or name, text=text, **meta)


def _from_url(url: str, allow_private: bool) -> list[Unit] | list[Loaded]:
    """A feed URL expands into its entries; any other URL is one article."""
    body, content_type = feeds.fetch(url, allow_private=allow_private)
    if feeds.looks_like_feed(body, content_type):
        return _feed_entries(body, url, allow_private)
    # not a feed: read it as an article (storydiff.ingest fetches it under the same rules)
    return [Unit(url, lambda: [_single(url, url, allow_private)], url_key=canonical_url(url))]


def _feed_entries(data: bytes, name: str, allow_private: bool) -> list[Unit]:
    out = []
    for n, entry in enumerate(feeds.parse(data, name), 1):
        where = f"{name} entry {n}" + (f" ({entry.link})" if entry.link else "")
        out.append(Unit(where, lambda e=entry, w=where: [_from_entry(e, w, name, allow_private)],
                        url_key=canonical_url(entry.link)))
    return out


def _from_entry(entry: feeds.Entry, where: str, feed: str, allow_private: bool) -> Loaded:
    """The feed's own content when it is full text, else the linked article."""
    meta = {"title": entry.title, "url": entry.link, "outlet": entry.outlet, "published": entry.published}
    if entry.html:
        from ..ingest import formats

        article = formats.from_html(f"<html><body><article>{entry.html}</article></body></html>", where)
        doc = _checked(article.text, where, id=entry.link or where, **meta)
    elif entry.link:
        doc = _single(entry.link, feed, allow_private).document
        doc = replace(doc, title=doc.title or entry.title, outlet=entry.outlet or doc.outlet,
                      published=doc.published or entry.published)
    else:
        raise InputError(f"{where}: entry has neither full content nor a link")
    return Loaded(doc, feed, entry.author)


# ---- the run ----------------------------------------------------------------------------------
def ingest(store: Store, sources: list[str], *, allow_private: bool = False, batch: int = BATCH,
           progress: bool = False, update_stories: bool = True) -> Summary:
    """Load, deduplicate, analyse and store every article of ``sources``; then update stories."""
    from .features import extract

    summary = Summary()
    pending: list[Loaded] = []
    queued: set[str] = set()

    def flush() -> None:
        if not pending:
            return
        feats = extract([(x.document.text, x.document.title, x.document.published) for x in pending])
        items = [NewArticle(document=replace(x.document, outlet=outlet_of(x.document)),
                            canonical_url=canonical_url(x.document.url), text_hash=text_hash(x.document.text),
                            features=f, source=x.source, author=x.author, language="en")
                 for x, f in zip(pending, feats)]
        stored = store.add_articles(items)
        summary.added += len(stored)
        summary.near_duplicates += sum(1 for _aid, original in stored if original is not None)
        summary.duplicates += len(items) - len(stored)
        pending.clear()
        queued.clear()

    with _Progress(progress) as bar:
        stack: list[Iterator[Unit]] = [units(s, allow_private) for s in reversed(sources)]
        bar.total(_count_units(sources))
        while stack:
            unit = next(stack[-1], None)
            if unit is None:
                stack.pop()
                continue
            if unit.url_key and store.known(unit.url_key, None) is not None:
                summary.duplicates += 1
                bar.advance()
                continue
            try:
                loaded = unit.load()
            except StorydiffError as e:
                summary.failed.append((unit.name, str(e)))
                bar.advance()
                continue
            except Exception as e:  # noqa: BLE001 - one bad item never stops the run
                summary.failed.append((unit.name, f"{type(e).__name__}: {e}"))
                bar.advance()
                continue
            if unit.expands:
                bar.grow(len(loaded) - 1)
                stack.append(iter(loaded))   # feed entries (or the one article behind a URL)
                continue
            for x in loaded:
                key = text_hash(x.document.text)
                if key in queued or store.known(canonical_url(x.document.url), key) is not None:
                    summary.duplicates += 1
                else:
                    queued.add(key)
                    pending.append(x)
            bar.advance()
            if len(pending) >= batch:
                flush()
        flush()
    if update_stories:
        from .stories import update_stories as _update

        summary.stories = _update(store)
    return summary


def _count_units(sources: list[str]) -> int | None:
    """Known units up front (files, JSONL lines); feeds and URLs add theirs as they expand."""
    total = 0
    for s in sources:
        p = Path(s)
        readable = ARTICLE_SUFFIXES + JSONL_SUFFIXES + feeds.FEED_SUFFIXES
        files = [f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in readable] if p.is_dir() else \
            [p] if p.is_file() else []
        for f in files:
            if f.suffix.lower() in JSONL_SUFFIXES:
                with f.open("rb") as h:
                    total += sum(1 for line in h if line.strip())
            else:
                total += 1
        if not files:
            total += 1
    return total


class _Progress:
    """A rich progress bar on stderr (rate and ETA) when it is a terminal; silent otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar = None
        self._task = None

    def __enter__(self) -> "_Progress":
        if self.enabled:
            from rich.console import Console
            from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                       TimeRemainingColumn)

            self._bar = Progress(TextColumn("ingest"), BarColumn(), MofNCompleteColumn(),
                                 TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("eta"),
                                 TimeRemainingColumn(), console=Console(stderr=True))
            self._bar.__enter__()
            self._task = self._bar.add_task("ingest", total=None, rate="")
        return self

    def total(self, n: int | None) -> None:
        if self._bar is not None:
            self._bar.update(self._task, total=n)

    def grow(self, n: int) -> None:
        if self._bar is not None and n:
            task = self._bar.tasks[0]
            self._bar.update(self._task, total=(task.total or 0) + n)

    def advance(self) -> None:
        if self._bar is not None:
            task = self._bar.tasks[0]
            speed = task.speed
            self._bar.update(self._task, advance=1, rate=f"{speed:.1f} items/s" if speed else "")

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


def read_for_clustering(source: str) -> list[Document]:
    """Articles of a file for ``storydiff cluster``: every JSONL line, cleaned, none dropped.

    Unlike ingest, short or non-English articles are kept (clustering can place
    them); a malformed line is an error, since a partial clustering would
    silently lose documents.
    """
    from ..ingest import clean_text, formats, load
    from ..ingest.decode import decode_bytes

    path = Path(source)
    if path.suffix.lower() not in JSONL_SUFFIXES:
        return [load(source)]
    if not path.is_file():
        raise InputError(f"{source}: no such file")
    docs: list[Document] = []
    with path.open("rb") as f:
        for lineno, raw in enumerate(f, 1):
            if not raw.strip():
                continue
            name = f"{source} line {lineno}"
            try:
                obj = json.loads(decode_bytes(raw, name))
            except json.JSONDecodeError as e:
                raise InputError(f"{name}: malformed JSON (column {e.colno}: {e.msg})") from None
            a = formats.from_json_object(obj, name)
            docs.append(Document(id=a.id or f"{path.stem}-{lineno}", text=clean_text(a.text), title=a.title,
                                 url=a.url, outlet=a.outlet, published=a.published))
    if not docs:
        raise InputError(f"{source}: no articles (empty file)")
    return docs
