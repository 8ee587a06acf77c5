"""Turn what a browser or an API client sends into cleaned Documents.

Everything goes through ``storydiff.load_many``, the same ingest the CLI uses:
pasted text and HTML are written to a private temporary folder under a file
name the loader understands (``id.txt``, ``id.html``), uploads keep their
extension, URLs are fetched under ingest's rules (http/https only, no private or
loopback address unless allowed, timeout, size cap). So a text pasted here gives
the same document, and the same report, as the same text given to the CLI.
"""
from __future__ import annotations

import dataclasses
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ..errors import InputError
from ..model import Document
from .settings import WebSettings

UPLOAD_SUFFIXES = (".txt", ".md", ".html", ".htm", ".json", ".jsonl")


@dataclass(frozen=True)
class RawInput:
    """One input as received. ``label`` names it in error messages ("text 2", "file a.html")."""

    label: str
    text: str | None = None
    html: str | None = None
    url: str | None = None
    upload: bytes | None = None
    filename: str | None = None  # uploads: the name the browser sent
    id: str | None = None
    title: str | None = None
    outlet: str | None = None
    published: str | None = None


class TooLarge(InputError):
    """An input over a size limit (the web answers 413 instead of 422)."""


def _safe_stem(name: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-.")
    return stem[:80] or "document"


def check_count(n: int, settings: WebSettings) -> None:
    if n < 2:
        raise InputError(f"give two or more articles to compare (got {n})")
    if n > settings.max_documents:
        raise InputError(f"too many articles: {n}; this server compares at most {settings.max_documents} at once")


def _source_file(folder: Path, raw: RawInput, n: int) -> str:
    """Write a non-URL input where the loader can read it; return the path."""
    if raw.upload is not None:
        name = Path(raw.filename or "").name
        suffix = Path(name).suffix.lower()
        if suffix not in UPLOAD_SUFFIXES:
            raise InputError(f"{raw.label}: unsupported file type {suffix or '(none)'}; "
                             f"use one of {', '.join(UPLOAD_SUFFIXES)}")
        path = folder / f"{n}" / (_safe_stem(raw.id or Path(name).stem) + suffix)
        path.parent.mkdir()
        path.write_bytes(raw.upload)
        return str(path)
    suffix, body = (".html", raw.html) if raw.html is not None else (".txt", raw.text or "")
    path = folder / f"{n}" / (_safe_stem(raw.id or f"doc{n + 1}") + suffix)
    path.parent.mkdir()
    path.write_text(body, encoding="utf-8")
    return str(path)


def _load_one(raw: RawInput, folder: Path, n: int, settings: WebSettings) -> list[Document]:
    from .. import load_many

    if raw.text is not None and len(raw.text) > settings.max_text_chars:
        raise TooLarge(f"{raw.label}: text has {len(raw.text):,} characters; "
                       f"the limit is {settings.max_text_chars:,}")
    fetch = raw.url if raw.text is None and raw.html is None and raw.upload is None else None
    source = fetch or _source_file(folder, raw, n)
    try:
        docs = load_many([source], allow_private=settings.allow_private)
    except InputError as e:
        reason = str(e).replace(f"{source}: ", "").replace(source, Path(source).name)
        raise type(e)(f"{raw.label}: {reason}") from None
    return [_with_metadata(d, raw, len(docs) == 1) for d in docs]


def _with_metadata(doc: Document, raw: RawInput, single: bool) -> Document:
    """Apply the id and metadata the user gave; theirs win over what ingest found."""
    given = {"title": raw.title, "outlet": raw.outlet, "published": raw.published}
    if raw.url and (raw.text is not None or raw.html is not None):
        given["url"] = raw.url
    if single and raw.id:
        given["id"] = raw.id
    return dataclasses.replace(doc, **{k: v for k, v in given.items() if v})


def load_inputs(raws: list[RawInput], settings: WebSettings) -> list[Document]:
    """Load and clean every input; raise InputError naming the first bad one.

    Blocking (files, network, trafilatura): call it from a worker thread.
    """
    with tempfile.TemporaryDirectory(prefix="storydiff-web-") as tmp:
        loaded = [(raw, d) for n, raw in enumerate(raws) for d in _load_one(raw, Path(tmp), n, settings)]
    check_count(len(loaded), settings)
    docs: list[Document] = []
    seen: set[str] = set()
    for raw, doc in loaded:
        if len(doc.text) > settings.max_text_chars:
            raise TooLarge(f"{raw.label}: text has {len(doc.text):,} characters after cleaning; "
                           f"the limit is {settings.max_text_chars:,}")
        if doc.id in seen:
            if raw.id:
                raise InputError(f"{raw.label}: the id {doc.id!r} is used twice; give each article its own id")
            doc = dataclasses.replace(doc, id=_unique(doc.id, seen))
        seen.add(doc.id)
        docs.append(doc)
    return docs


def _unique(doc_id: str, seen: set[str]) -> str:
    n = 2
    while f"{doc_id}-{n}" in seen:
        n += 1
    return f"{doc_id}-{n}"
