"""Fetching article URLs safely: http(s) only, public addresses only, bounded in time and size.

The URL an analyst pastes is untrusted, and so is every redirect it leads to.
Each hop is checked before it is requested (scheme, resolved addresses), and
the address actually connected to is checked again before the body is read,
so a DNS answer that changes between the check and the connection cannot
reach a private service either. Proxies from the environment are not used:
they would hide the address being connected to.
"""
from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from .. import __version__
from ..errors import FetchError

TIMEOUT = 15.0  # seconds for the whole fetch, redirects included
MAX_BYTES = 5_000_000
MAX_REDIRECTS = 5
SCHEMES = ("http", "https")
HTML_TYPES = ("text/html", "application/xhtml+xml")
TEXT_TYPES = ("text/plain",)
USER_AGENT = f"storydiff/{__version__} (+https://pypi.org/project/storydiff/)"
_PRIVATE_HINT = "use --allow-private (allow_private=True) to fetch it anyway"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class Page:
    """A fetched response body with what is needed to read it."""

    url: str  # after redirects
    content_type: str  # e.g. "text/html"; "" when the server did not say
    charset: str | None
    body: bytes


def is_url(source: str) -> bool:
    """True for anything with a URL scheme (so "ftp://..." gets a clear refusal, not "no such file")."""
    scheme = urlsplit(source).scheme
    return (len(scheme) > 1 and "://" in source) or scheme in ("javascript", "data", "mailto", "file")


def check_scheme(url: str, name: str) -> None:
    scheme = urlsplit(url).scheme.lower()
    if scheme not in SCHEMES:
        raise FetchError(f"{name}: unsupported URL scheme '{scheme}:' (only http and https URLs are fetched)")
    if not urlsplit(url).hostname:
        raise FetchError(f"{name}: URL has no host")


def address_allowed(ip: IPAddress) -> bool:
    """Only globally routable unicast addresses (no private, loopback, link-local, reserved...)."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def resolve(host: str, port: int) -> list[IPAddress]:
    """Every address ``host`` resolves to (all are checked: any one may be used)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def _check_host(url: str, name: str) -> None:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    try:
        addresses = resolve(parts.hostname or "", port)
    except (socket.gaierror, UnicodeError, ValueError) as e:
        raise FetchError(f"{name}: cannot resolve host {parts.hostname!r} ({e})") from None
    for ip in addresses:
        if not address_allowed(ip):
            raise FetchError(f"{name}: {parts.hostname} resolves to non-public address {ip}; {_PRIVATE_HINT}")


def _check_peer(response, name: str) -> None:  # noqa: ANN001 - an httpx.Response
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if peer and not address_allowed(ipaddress.ip_address(peer[0].split("%")[0])):
        raise FetchError(f"{name}: connected to non-public address {peer[0]}; {_PRIVATE_HINT}")


def fetch(url: str, *, allow_private: bool = False, accept: tuple[str, ...] = HTML_TYPES + TEXT_TYPES) -> Page:
    """GET ``url`` within the rules above, or raise FetchError naming it.

    ``accept`` lists the media types taken (HTML and plain text for articles;
    the corpus side adds feed types); any other declared type is an error.
    """
    import httpx  # only when a URL is given: keeps the CLI's cold start short

    check_scheme(url, url)
    deadline = time.monotonic() + TIMEOUT
    headers = {"User-Agent": USER_AGENT, "Accept": ",".join(accept)}
    current = url
    with httpx.Client(headers=headers, follow_redirects=False, trust_env=False) as client:
        for _ in range(MAX_REDIRECTS + 1):
            if not allow_private:
                _check_host(current, url)
            try:
                with client.stream("GET", current, timeout=_remaining(deadline, url)) as response:
                    if not allow_private:
                        _check_peer(response, url)
                    if response.is_redirect:
                        current = _redirect_target(response, url)
                        continue
                    return _read(response, url, deadline, accept)
            except httpx.TimeoutException:
                raise FetchError(f"{url}: timed out (limit {TIMEOUT:g} s)") from None
            except httpx.HTTPError as e:
                raise FetchError(f"{url}: fetch failed ({type(e).__name__}: {e})") from None
    raise FetchError(f"{url}: more than {MAX_REDIRECTS} redirects")


def _remaining(deadline: float, name: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise FetchError(f"{name}: timed out (limit {TIMEOUT:g} s)")
    return left


def _redirect_target(response, name: str) -> str:  # noqa: ANN001
    location = response.headers.get("location")
    if not location:
        raise FetchError(f"{name}: HTTP {response.status_code} redirect without a Location")
    target = urljoin(str(response.url), location)
    if urlsplit(target).scheme.lower() not in SCHEMES:
        raise FetchError(f"{name}: redirected to {target}: only http and https URLs are fetched")
    return target


def _read(response, name: str, deadline: float, accept: tuple[str, ...]) -> Page:  # noqa: ANN001
    if response.status_code >= 400:
        raise FetchError(f"{name}: HTTP {response.status_code} {response.reason_phrase}".rstrip())
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type and content_type not in accept:
        kinds = "HTML or plain-text pages" if accept == HTML_TYPES + TEXT_TYPES else ", ".join(accept)
        raise FetchError(f"{name}: unsupported content type {content_type} (only {kinds})")
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise FetchError(f"{name}: too large ({int(declared):,} bytes; the limit is {MAX_BYTES:,})")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > MAX_BYTES:
            raise FetchError(f"{name}: too large (over {MAX_BYTES:,} bytes)")
        _remaining(deadline, name)
        chunks.append(chunk)
    charset = response.charset_encoding if content_type else None
    return Page(url=str(response.url), content_type=content_type, charset=charset, body=b"".join(chunks))
