"""``storydiff serve``: the web app and REST API on a local port.

Kept light to import (argparse only): FastAPI, uvicorn and the models load when
``serve`` runs, not when any other command starts.
"""
from __future__ import annotations

import argparse
import ipaddress
import sys


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="start the web app and REST API",
                       description="Serve the compare pages, stories, exports and the REST API "
                                   "(/api, schema at /openapi.json).")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--db", metavar="PATH", help="corpus store for the stories pages (default: the store's default)")
    p.add_argument("--allow-private", action="store_true",
                   help="let compares fetch URLs on private or loopback addresses")
    p.add_argument("--max-documents", type=int, help="articles per compare (default 10)")
    p.add_argument("--max-text-chars", type=int, help="characters per article (default 200000)")
    p.add_argument("--max-body-bytes", type=int, help="bytes per request (default 5000000)")
    p.set_defaults(func=run)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args: argparse.Namespace) -> int:
    import uvicorn

    from .errors import ConfigError
    from .web import WebSettings, create_app

    if not 0 < args.port < 65536:
        raise ConfigError(f"--port {args.port}: not a port number (1-65535)")
    settings = WebSettings.from_env(db=args.db, allow_private=args.allow_private or None, warm_up=True,
                                    max_documents=args.max_documents, max_text_chars=args.max_text_chars,
                                    max_body_bytes=args.max_body_bytes)
    if not _is_loopback(args.host):
        print(f"storydiff: warning: listening on {args.host}: anyone who can reach it can use this server",
              file=sys.stderr)
    print(f"storydiff: serving on http://{args.host}:{args.port}/ (Ctrl-C to stop)", file=sys.stderr)
    _check_bind(args.host, args.port)
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_level="warning")
    return 0


def _check_bind(host: str, port: int) -> None:
    """Fail with one line (not uvicorn's log and exit) when the address cannot be used."""
    import socket

    from .errors import ConfigError

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        with socket.socket(infos[0][0], socket.SOCK_STREAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(infos[0][4])
    except OSError as e:
        raise ConfigError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
