"""Security headers on every response, as plain ASGI middleware.

(The request-size cap is FastAPI's own ``max_body_size``; its 413 goes through
the app's error handlers like any other error.)
"""
from __future__ import annotations

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
