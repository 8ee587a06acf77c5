"""RSS and Atom feeds (feedparser): their entries, with full content when the feed carries it."""
from __future__ import annotations

import datetime as dt
import ipaddress
import re
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

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
    """GET a URL that may be a feed: (body, content type), under storydiff.ingest.fetch's rules.

    ``storydiff.ingest.fetch.fetch`` accepts HTML and plain text only; feeds
    are XML, so this applies the same rules (http/https, public addresses for
    every hop and for the connected peer, redirect, time and size limits)
    with feed media types allowed as well.
    """
    import httpx

    from ..errors import FetchError
    from ..ingest import fetch as rules

    rules.check_scheme(url, url)
    deadline = time.monotonic() + rules.TIMEOUT
    current = url
    with httpx.Client(headers={"User-Agent": rules.USER_AGENT}, follow_redirects=False, trust_env=False) as client:
        for _ in range(rules.MAX_REDIRECTS + 1):
            if not allow_private:
                _check_public(current, url)
            try:
                with client.stream("GET", current, timeout=max(0.1, deadline - time.monotonic())) as response:
                    peer = response.extensions.get("network_stream")
                    addr = peer.get_extra_info("server_addr") if peer is not None else None
                    if addr and not allow_private and not rules.address_allowed(ipaddress.ip_address(addr[0])):
                        raise FetchError(f"{url}: connected to non-public address {addr[0]}; use --allow-private")
                    if response.is_redirect and response.headers.get("location"):
                        current = urljoin(str(response.url), response.headers["location"])
                        rules.check_scheme(current, url)
                        continue
                    if response.status_code >= 400:
                        raise FetchError(f"{url}: HTTP {response.status_code} {response.reason_phrase}".rstrip())
                    body = b""
                    for chunk in response.iter_bytes():
                        body += chunk
                        if len(body) > rules.MAX_BYTES or time.monotonic() > deadline:
                            raise FetchError(f"{url}: too large or too slow (limits {rules.MAX_BYTES:,} bytes, "
                                             f"{rules.TIMEOUT:g} s)")
                    return body, response.headers.get("content-type", "")
            except httpx.TimeoutException:
                raise FetchError(f"{url}: timed out (limit {rules.TIMEOUT:g} s)") from None
            except httpx.HTTPError as e:
                raise FetchError(f"{url}: fetch failed ({type(e).__name__}: {e})") from None
    raise FetchError(f"{url}: more than {rules.MAX_REDIRECTS} redirects")


def _check_public(url: str, name: str) -> None:
    from ..errors import FetchError
    from ..ingest import fetch as rules

    parts = urlsplit(url)
    try:
        addresses = rules.resolve(parts.hostname or "", parts.port or (443 if parts.scheme == "https" else 80))
    except (OSError, UnicodeError, ValueError) as e:
        raise FetchError(f"{name}: cannot resolve host {parts.hostname!r} ({e})") from None
    bad = next((ip for ip in addresses if not rules.address_allowed(ip)), None)
    if bad is not None:
        raise FetchError(f"{name}: {parts.hostname} resolves to non-public address {bad}; use --allow-private")


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
