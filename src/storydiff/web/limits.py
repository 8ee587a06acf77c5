"""Request-size cap and security headers, as plain ASGI middleware.

The cap is checked where the body is read: a declared Content-Length over it
fails the first read, a body streamed without one fails as soon as the count
passes it. The failure is an HTTPException(413), so it reaches the app's error
handlers like any other error (JSON under /api, a page elsewhere). Starlette's
own limiter answers a bare "Content Too Large" in plain text, whatever the app's
handlers say, which is why this one exists.
"""
from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]
# Scripts and styles only from the app itself, so even a missed escape could not
# run inline code; the report view's highlights and the matrix need no inline style.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


class BodyTooLarge(HTTPException):
    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request too large: the limit is {limit:,} bytes ({limit / 1e6:.1f} MB)")


class BodyLimit:
    """Fail any read of a request body longer than ``max_body`` bytes with a 413."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            if declared.isdigit() and int(declared) > self.max_body:
                raise BodyTooLarge(self.max_body)
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge(self.max_body)
            return message

        await self.app(scope, limited_receive, send)


class SecurityHeaders:
    """Add the security headers (and, unless disabled, the CSP) that a response does not set itself."""

    def __init__(self, app: ASGIApp, csp: bool = True) -> None:
        self.app = app
        self.headers = SECURITY_HEADERS + ([(b"content-security-policy", CSP.encode())] if csp else [])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                message = {**message, "headers": headers + [h for h in self.headers if h[0] not in names]}
            await send(message)

        await self.app(scope, receive, send_with_headers)
