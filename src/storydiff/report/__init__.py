"""Render a Report: terminal (rich), JSON, Markdown, self-contained HTML.

Every renderer is a plain function ``Report -> str`` (the terminal one prints
through rich). JSON is ``Report.to_dict()`` verbatim, so the Python API and the
CLI agree by construction.
"""
from __future__ import annotations

import json

from ..model import Report

FORMATS = ("terminal", "json", "markdown", "html")


def to_json(report: Report) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def render(report: Report, fmt: str) -> str:
    """The report as text in one of FORMATS ("terminal" gives plain text with no colour)."""
    if fmt == "json":
        return to_json(report)
    if fmt == "markdown":
        from .markdown import to_markdown
        return to_markdown(report)
    if fmt == "html":
        from .html import to_html
        return to_html(report)
    if fmt == "terminal":
        from .terminal import to_text
        return to_text(report)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
