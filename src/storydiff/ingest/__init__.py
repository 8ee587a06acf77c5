"""Ingest: turn paths, URLs and stdin into cleaned, checked Documents.

    load(source)        one article (.txt .md .html .htm .json, a URL, or "-")
    load_many(sources)  every article of every source (.jsonl: one per line),
                        ids made unique within the run
    clean_text(text)    the idempotent plain-text cleaner compare() also applies

Each source is read by a format reader (formats.py), then every article goes
through the same steps: size cap, clean_text, length and language checks.
Bad input raises InputError / FetchError with one line naming the input.
"""
from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import InputError
from ..model import Document
from . import checks, fetch, formats  # httpx is imported only inside fetch.fetch()
from .clean import clean_text
from .decode import decode_bytes, html_charset

__all__ = ["clean_text", "load", "load_many"]

MAX_FILE_BYTES = 10_000_000  # one file or stdin (markup included); .jsonl is read line by line
STDIN = "-"
HTML_SUFFIXES = (".html", ".htm", ".xhtml")
TEXT_SUFFIXES = (".txt", ".text")
MARKDOWN_SUFFIXES = (".md", ".markdown")
JSONL_SUFFIXES = (".jsonl", ".ndjson")
_LOOKS_LIKE_HOST = re.compile(r"(?:www\.)?[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}/", re.IGNORECASE)


def load(source: str, *, allow_private: bool = False) -> Document:
    """Load one article from a path, an http(s) URL, or "-" (stdin)."""
    documents = list(_documents(source, allow_private))
    if len(documents) != 1:
        raise InputError(f"{source}: holds {len(documents)} articles; use load_many() to load them all")
    return documents[0]


def load_many(sources: list[str], *, allow_private: bool = False) -> list[Document]:
    """Load every article of every source, in order; a clashing id gets -2, -3, ... appended."""
    if not sources:
        raise InputError("no input given: name at least one file, URL or -")
    documents: list[Document] = []
    taken: set[str] = set()
    for source in sources:
        for doc in _documents(source, allow_private):
            doc_id, n = doc.id, 1
            while doc_id in taken:
                n += 1
                doc_id = f"{doc.id}-{n}"
            taken.add(doc_id)
            documents.append(doc if doc_id == doc.id else replace(doc, id=doc_id))
    return documents


def _documents(source: str, allow_private: bool) -> Iterator[Document]:
    """The finished Documents of one source (several for .jsonl)."""
    if source == STDIN:
        yield _finish(_read_stdin(), "stdin", "stdin")
        return
    if not os.path.exists(source) and fetch.is_url(source):
        yield _finish(_read_url(source, allow_private), source, _url_id(source))
        return
    path = _checked_path(source)
    if path.suffix.lower() in JSONL_SUFFIXES:
        for lineno, article in _read_jsonl(path, source):
            yield _finish(article, f"{source} line {lineno}", f"{path.stem}-{lineno}")
        return
    yield _finish(_read_file(path, source), source, path.stem)


def _finish(article: formats.Article, name: str, default_id: str) -> Document:
    """Size cap, cleaning, length and language checks: the same for every format."""
    checks.check_size(article.text, name)
    text = clean_text(article.text)
    checks.check_length(text, name)
    checks.check_language(text, name)
    return Document(id=article.id or default_id, text=text, title=article.title or _headline(text),
                    url=article.url, outlet=article.outlet, published=article.published)


def _headline(text: str) -> str | None:
    """A plain-text article's first line, if it is set apart and reads like a headline."""
    first, sep, _rest = text.partition("\n\n")
    if sep and "\n" not in first and len(first.split()) <= 20 and not first.endswith((".", ",", ";", ":")):
        return first.strip()
    return None


def _checked_path(source: str) -> Path:
    path = Path(source)
    if not path.exists():
        hint = " (for a URL, start it with https://)" if _LOOKS_LIKE_HOST.match(source) else ""
        raise InputError(f"{source}: no such file{hint}")
    if path.is_dir():
        raise InputError(f"{source}: is a directory, not an article file")
    if not os.access(path, os.R_OK):
        raise InputError(f"{source}: permission denied")
    return path


def _read_bytes(path: Path, source: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"{source}: too large ({size:,} bytes; the limit is {MAX_FILE_BYTES:,} per file)")
        return path.read_bytes()
    except OSError as e:
        raise InputError(f"{source}: cannot read ({e.strerror or e})") from None


def _read_file(path: Path, source: str) -> formats.Article:
    data = _read_bytes(path, source)
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        return formats.from_html(decode_bytes(data, source, html_charset(data)), source)
    text = decode_bytes(data, source)
    if not text.strip():
        raise InputError(f"{source}: empty file")
    if suffix == ".json":
        return formats.from_json(text, source)
    if suffix in MARKDOWN_SUFFIXES:
        return formats.from_markdown(text, source)
    if suffix in TEXT_SUFFIXES:
        return formats.from_text(text)
    return _sniffed(text, source)


def _sniffed(text: str, name: str, url: str | None = None) -> formats.Article:
    kind = formats.sniff(text)
    if kind == "json":
        return formats.from_json(text, name)
    if kind == "html":
        return formats.from_html(text, name, url=url)
    return formats.from_text(text)


def _read_jsonl(path: Path, source: str) -> Iterator[tuple[int, formats.Article]]:
    """Articles of a .jsonl file with their line numbers, read a line at a time."""
    def lines() -> Iterator[tuple[int, str]]:
        with path.open("rb") as f:
            for lineno, raw in enumerate(f, 1):
                if len(raw) > MAX_FILE_BYTES:
                    raise InputError(f"{source} line {lineno}: too large ({len(raw):,} bytes)")
                yield lineno, decode_bytes(raw, f"{source} line {lineno}")

    found = False
    try:
        for lineno, article in formats.from_jsonl(lines(), source):
            found = True
            yield lineno, article
    except OSError as e:
        raise InputError(f"{source}: cannot read ({e.strerror or e})") from None
    if not found:
        raise InputError(f"{source}: no articles (empty file)")


def _read_stdin() -> formats.Article:
    stream = getattr(sys.stdin, "buffer", None)
    data = stream.read(MAX_FILE_BYTES + 1) if stream is not None else b""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"stdin: too large (over {MAX_FILE_BYTES:,} bytes)")
    text = decode_bytes(data, "stdin")
    if not text.strip():
        raise InputError("stdin: empty input")
    return _sniffed(text, "stdin")


def _read_url(url: str, allow_private: bool) -> formats.Article:
    page = fetch.fetch(url, allow_private=allow_private)
    maybe_html = page.content_type in fetch.HTML_TYPES or not page.content_type
    text = decode_bytes(page.body, url, page.charset or (html_charset(page.body) if maybe_html else None))
    if page.content_type in fetch.HTML_TYPES or (maybe_html and formats.sniff(text) == "html"):
        article = formats.from_html(text, url, url=page.url)
    else:
        article = formats.Article(text=text, url=page.url)
    host = urlsplit(page.url).hostname or ""
    return replace(article, outlet=article.outlet or host.removeprefix("www.") or None)


def _url_id(url: str) -> str:
    """host[:port]/path of a URL, the readable id reports show for it."""
    parts = urlsplit(url)
    host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    return (host + parts.path).rstrip("/") or url
