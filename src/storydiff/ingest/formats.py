"""Readers for each input format: text in, an Article (body text + metadata) out.

The readers only extract; cleaning and the checks every article must pass
(size, length, language) happen once, in ``storydiff.ingest``.
"""
from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from ..errors import InputError

METADATA_FIELDS = ("title", "url", "outlet", "published")


@dataclass(frozen=True)
class Article:
    """What a reader found: raw body text and whatever metadata the format carries."""

    text: str
    id: str | None = None
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None


def sniff(text: str) -> str:
    """Guess the format of text with no telling extension (stdin, odd file names)."""
    head = text.lstrip()[:1024].lower()
    if head.startswith("{"):
        return "json"
    if head.startswith(("<!doctype html", "<html", "<?xml")) or re.search(r"<(?:body|article|p)[\s>]", head):
        return "html"
    return "text"


def from_text(text: str) -> Article:
    return Article(text=text)


def from_html(html: str, name: str, url: str | None = None) -> Article:
    """Main text, title, date and site name of a web page, by trafilatura.

    htmldate runs with extensive_search=False: its extensive search takes a
    "(c) 2018" footer for the publication date.
    """
    import trafilatura  # heavy: imported only when HTML is met

    found = trafilatura.bare_extraction(
        html, url=url, with_metadata=True, include_comments=False, include_images=False,
        date_extraction_params={"extensive_search": False, "original_date": True})
    if found is None or not (found.text or "").strip():
        raise InputError(f"{name}: no article text found in the HTML")
    # trafilatura gives one paragraph per line; a blank line between paragraphs
    # matches plain-text input and reads better in reports
    return Article(text="\n\n".join(found.text.splitlines()), title=found.title or None,
                   url=url or found.url or None, outlet=found.sitename or None,
                   published=found.date or None)


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_KEYS = {"title": "title", "date": "published", "published": "published", "url": "url",
               "source": "outlet", "outlet": "outlet", "site": "outlet"}


def from_markdown(text: str, name: str) -> Article:
    """Markdown rendered to plain text: markup removed, images (captions) dropped.

    A leading YAML front-matter block gives title, date, url and outlet
    (simple ``key: value`` lines); the first level-1 heading is the title otherwise.
    """
    from markdown_it import MarkdownIt

    meta: dict[str, str] = {}
    m = _FRONT_MATTER.match(text)
    if m:
        text = text[m.end():]
        for line in m.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep and key.strip().lower() in _FRONT_KEYS and value.strip():
                meta[_FRONT_KEYS[key.strip().lower()]] = value.strip().strip("\"'")
    blocks: list[str] = []
    tokens = MarkdownIt("commonmark").parse(text)
    for i, tok in enumerate(tokens):
        if tok.type == "inline":
            block = "".join(_inline_text(c) for c in tok.children or []).strip()
            if block:
                blocks.append(block)
                if "title" not in meta and i and tokens[i - 1].tag == "h1":
                    meta["title"] = block
        elif tok.type in ("fence", "code_block") and tok.content.strip():
            blocks.append(tok.content.strip())
    published = meta.pop("published", None)
    return Article(text="\n\n".join(blocks), published=iso_date(published, name) if published else None,
                   **meta)


def _inline_text(tok: Any) -> str:
    if tok.type in ("text", "code_inline"):
        return tok.content
    if tok.type == "softbreak":
        return " "
    if tok.type == "hardbreak":
        return "\n"
    return ""  # markup (emphasis, links' URLs), images and inline HTML


def from_json_object(obj: Any, name: str) -> Article:
    """One article object: ``text`` or ``html``, optional id, title, url, outlet, published."""
    if not isinstance(obj, dict):
        raise InputError(f"{name}: expected a JSON object for an article, got {type(obj).__name__}")
    for key in ("text", "html", *METADATA_FIELDS):
        if obj.get(key) is not None and not isinstance(obj[key], str):
            raise InputError(f"{name}: field '{key}' must be a string")
    if obj.get("id") is not None and not isinstance(obj["id"], (str, int)):
        raise InputError(f"{name}: field 'id' must be a string or a number")
    if isinstance(obj.get("text"), str) and obj["text"].strip():
        article = Article(text=obj["text"])
    elif isinstance(obj.get("html"), str) and obj["html"].strip():
        article = from_html(obj["html"], name, url=obj.get("url"))
    else:
        raise InputError(f"{name}: article has no 'text' or 'html' field (or it is empty)")
    given = {k: obj[k] for k in METADATA_FIELDS if obj.get(k)}
    if "published" in given:
        given["published"] = iso_date(given["published"], name)
    doc_id = str(obj["id"]).strip() if obj.get("id") is not None else None
    return replace(article, id=doc_id or None, **given)


def from_json(text: str, name: str) -> Article:
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise InputError(f"{name}: malformed JSON at line {e.lineno}, column {e.colno}: {e.msg}") from None
    return from_json_object(obj, name)


def from_jsonl(lines: Iterator[tuple[int, str]], name: str) -> Iterator[tuple[int, Article]]:
    """One article per non-blank line; errors name the line number."""
    for lineno, line in lines:
        if not line.strip():
            continue
        where = f"{name} line {lineno}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            raise InputError(f"{where}: malformed JSON (column {e.colno}: {e.msg})") from None
        yield lineno, from_json_object(obj, where)


_TIME = re.compile(r"\d:\d\d")


def iso_date(value: str, name: str) -> str:
    """An absolute date in ISO 8601 (date only when no time was given), or an InputError.

    Relative dates ("yesterday") are refused: they would make the same input
    give a different report on another day.
    """
    value = value.strip()
    for parse in (dt.date.fromisoformat, dt.datetime.fromisoformat, email.utils.parsedate_to_datetime):
        try:
            return parse(value).isoformat()
        except (ValueError, TypeError, IndexError):
            pass
    import dateparser  # only for free-form dates ("July 14, 2018")

    parsed = dateparser.parse(value, languages=["en"], settings={
        "PARSERS": ["custom-formats", "absolute-time"], "STRICT_PARSING": True,
        "REQUIRE_PARTS": ["day", "month", "year"]})
    if parsed is None:
        raise InputError(f"{name}: cannot read the published date {value!r} (use ISO 8601, e.g. 2018-07-14)")
    return (parsed if _TIME.search(value) else parsed.date()).isoformat()
