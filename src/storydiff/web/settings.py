"""What a running web app may accept and where it keeps things.

Limits exist because article text arrives from anyone who can reach the port:
a request body, a document count and a text length are each capped so one
request cannot tie up the two cores or the memory of a laptop.
"""
from __future__ import annotations

import os
from dataclasses import dataclass


@dataclass(frozen=True)
class WebSettings:
    """Options of one app instance (``storydiff serve`` fills them from its flags)."""

    db: str | None = None            # corpus store path; None = the store's own default
    allow_private: bool = False      # fetch URLs on private/loopback addresses
    max_body_bytes: int = 5_000_000  # whole request, uploads included
    max_documents: int = 10          # per compare
    max_text_chars: int = 200_000    # per document, after cleaning
    max_ingest_articles: int = 200   # per POST /api/articles
    compare_workers: int = 2         # compares running at once (one per core)
    report_cache_size: int = 64      # recent reports kept so pages and exports can link to them
    csp: bool = True                 # Content-Security-Policy header (defence in depth)
    warm_up: bool = False            # load the language models at start-up, not on first compare

    @classmethod
    def from_env(cls, **overrides) -> "WebSettings":
        """Defaults, then STORYDIFF_WEB_* environment variables, then explicit overrides."""
        env = {}
        for name in ("max_body_bytes", "max_documents", "max_text_chars", "max_ingest_articles", "compare_workers"):
            value = os.environ.get(f"STORYDIFF_WEB_{name.upper()}")
            if value:
                env[name] = int(value)
        env.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**env)
