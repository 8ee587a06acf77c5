"""RSS and Atom feeds (feedparser): their entries, with full content when the feed carries it."""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from ..errors import InputError

FEED_SUFFIXES = (".rss", ".atom", ".xml")
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml",
              "application/rdf+xml", "application/feed+json")
MIN_CONTENT_WORDS = 120   # shorter entry content is a teaser: fetch the linked article instead
_FEED_ROOT = re.compile(rb"<(?:rss|feed|rdf:RDF)[\s>]", re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    """One feed entry: metadata, and the article body when the feed carries it in full."""

    title: str | None
    link: str | None
    published: str | None
    author: str | None
    outlet: str | None
    html: str | None       # full content (HTML) or None when only a teaser is given


def looks_like_feed(data: bytes, content_type: str = "") -> bool:
    """Cheap test before parsing: a feed media type or an <rss>/<feed>/<rdf:RDF> root near the top."""
    return content_type.split(";")[0].strip().lower() in FEED_TYPES[:2] or bool(_FEED_ROOT.search(data[:2048]))


def fetch(url: str, *, allow_private: bool = False) -> tuple[bytes, str]:
    """GET a URL that may be a feed: (body, content type), under storydiff.ingest.fetch's
    rules (http/https, public addresses on every hop, redirect, time and size limits),
    with feed media types accepted besides HTML and text."""
    from ..ingest import fetch as rules

    page = rules.fetch(url, allow_private=allow_private, accept=FEED_TYPES + rules.HTML_TYPES + rules.TEXT_TYPES)
    return page.body, page.content_type


def parse(data: bytes, name: str) -> list[Entry]:
    """Entries of a feed document; InputError if it is not a feed."""
    import feedparser

    parsed = feedparser.parse(data)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        detail = f" ({_short(reason)})" if reason else ""
        raise InputError(f"{name}: not an RSS or Atom feed{detail}")
    outlet = parsed.feed.get("title") or _host(parsed.feed.get("link"))
    return [_entry(e, outlet) for e in parsed.entries]


def _entry(e, outlet: str | None) -> Entry:  # noqa: ANN001 - a feedparser dict
    html = None
    contents = [c.get("value", "") for c in e.get("content", []) if c.get("value")]
    body = max(contents, key=len) if contents else e.get("summary", "")
    if body and len(re.sub(r"<[^>]+>", " ", body).split()) >= MIN_CONTENT_WORDS:
        html = body
    stamp = e.get("published_parsed") or e.get("updated_parsed")
    published = dt.datetime(*stamp[:6], tzinfo=dt.timezone.utc).isoformat() if stamp else None
    return Entry(title=e.get("title") or None, link=e.get("link") or None, published=published,
                 author=e.get("author") or None, outlet=outlet or _host(e.get("link")), html=html)


def _host(url: str | None) -> str | None:
    host = urlsplit(url).hostname if url else None
    return host.removeprefix("www.") if host else None


def _short(exc: object) -> str:
    text = " ".join(str(exc).split())
    return text[:120] + ("..." if len(text) > 120 else "")
