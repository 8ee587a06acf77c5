"""The web app and REST API (``storydiff serve``): compare pages, stories, exports.

``create_app(settings)`` returns the FastAPI application; nothing here is
imported by the CLI until ``serve`` runs, so the other commands start fast.
"""
from __future__ import annotations

from .app import create_app
from .settings import WebSettings

__all__ = ["WebSettings", "create_app"]
