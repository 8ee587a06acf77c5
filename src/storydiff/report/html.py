"""The report as one self-contained HTML file: the articles side by side.

Each document is a column with its evidence highlighted by kind (conflict,
corroborated, only here); the findings panel lists them ranked as in the
terminal view. Clicking a finding scrolls every column to its evidence.

Reusable by the web app: ``report_view(report)`` is the fragment (no
``<html>`` shell) and ``ASSETS`` holds the CSS and JS it needs (``ASSETS.js``
initialises every ``.sd-report`` on the page and exposes
``window.storydiffReport.init(element)`` for fragments inserted later).

Article text, titles, ids, values and summaries are untrusted. Everything is
escaped with ``html.escape``; data reaches the script only through escaped
``data-`` attributes; there are no inline event handlers; links are kept only
for http(s) URLs; and the standalone file carries a Content-Security-Policy
that allows exactly its own inline style and script (by hash) and nothing
else, so even a missed escape could not run code or load anything.
"""
from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from html import escape
from importlib.resources import files

from ..model import AGREEMENT, CONFLICT, NOTICE, OMISSION, Document, Finding, Report
from .layout import KIND_LABELS, KIND_ORDER, Section, counts_line, sections, value_items, warnings, word_count

# which highlight wins where spans of several kinds overlap
_PRIORITY = {CONFLICT: 0, OMISSION: 1, AGREEMENT: 2, NOTICE: 3}
_LEGEND = ((CONFLICT, "conflict"), (AGREEMENT, "corroborated"), (OMISSION, "only here"))


@dataclass(frozen=True)
class Assets:
    """The CSS and JS a report view needs, inlined by ``to_html`` or served by the web app."""

    css: str
    js: str

    def csp(self) -> str:
        """A Content-Security-Policy allowing exactly these inline assets and nothing else."""
        return csp(self.css, self.js)


def csp(style: str, script: str) -> str:
    """A policy that runs only this exact inline ``<style>`` and ``<script>`` (by hash) and loads nothing."""
    return (f"default-src 'none'; style-src '{_sha256(style)}'; script-src '{_sha256(script)}'; "
            "img-src 'none'; base-uri 'none'; form-action 'none'")


def _sha256(s: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(s.encode("utf-8")).digest()).decode("ascii")


def _static(name: str) -> str:
    return files(__package__).joinpath("static", name).read_text(encoding="utf-8")


ASSETS = Assets(css=_static("report.css"), js=_static("report.js"))
_PAGE_CSS = "html, body { margin: 0; }\n"  # the standalone page only; the view's CSS is scoped


def to_html(report: Report) -> str:
    """The whole report as one HTML file: no external assets, no network, escaped throughout."""
    titles = ", ".join(d.title or d.id for d in report.documents[:3])
    style = _PAGE_CSS + ASSETS.css
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{escape(csp(style, ASSETS.js))}\">\n"
            "<meta name=\"referrer\" content=\"no-referrer\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>storydiff: {escape(titles)}</title>\n<style>{style}</style>\n</head>\n<body>\n"
            f"{report_view(report)}\n<script>{ASSETS.js}</script>\n</body>\n</html>\n")


def report_view(report: Report) -> str:
    """The report as an HTML fragment: header with legend, findings panel, document columns."""
    return (f'<div class="sd-report" data-findings="{len(report.findings)}">\n'
            f"{_header(report)}\n<div class=\"sd-main\">\n{_panel(report)}\n"
            f"<div class=\"sd-columns\">\n{''.join(_column(report, d) for d in report.documents)}</div>\n"
            "</div>\n</div>")


def _header(report: Report) -> str:
    legend = "".join(f'<span class="sd-legend-item {_kind_class(k)}">{escape(label)}</span>' for k, label in _LEGEND)
    notes = "".join(f'<p class="sd-warning">{escape(w)}</p>' for w in warnings(report))
    return (f'<header class="sd-head"><div class="sd-head-row"><h1>storydiff</h1>'
            f'<p class="sd-counts">{escape(counts_line(report))}</p>'
            f'<div class="sd-legend" aria-label="legend">{legend}</div></div>{notes}</header>')


def _panel(report: Report) -> str:
    kinds = list(dict.fromkeys([k for k in KIND_ORDER if report.by_kind(k)] + [f.kind for f in report.findings]))
    buttons = "".join(
        f'<button type="button" class="sd-filter {_kind_class(k)}" data-kind="{escape(k)}" aria-pressed="true">'
        f'{escape(KIND_LABELS.get(k, k))} <small>{len(report.by_kind(k))}</small></button>' for k in kinds)
    types = sorted({f.type for f in report.findings})
    options = '<option value="">all types</option>' + "".join(
        f'<option value="{escape(t)}">{escape(t)}</option>' for t in types)
    body = "".join(_section(report, s) for s in sections(report, cap=None)) or '<p class="sd-empty">No findings.</p>'
    return (f'<aside class="sd-panel" aria-label="findings"><nav class="sd-filters">{buttons}'
            f'<label class="sd-type">type <select class="sd-type-filter">{options}</select></label></nav>'
            f'<div class="sd-findings">{body}</div></aside>')


def _section(report: Report, section: Section) -> str:
    cards = "".join(_card(report, i, f) for i, f in section.ranked)
    return (f'<section class="sd-section {_kind_class(section.kind)}"><h2>{escape(section.title)} '
            f'<small>{len(section.ranked)}</small></h2>{cards}</section>')


def _card(report: Report, i: int, f: Finding) -> str:
    values = value_items(report, f)
    vals = '<span class="sd-vs" aria-hidden="true">|</span>'.join(
        f'<span class="sd-val"><span class="sd-val-doc">{escape(d)}</span>'
        f'<span class="sd-val-text">{escape(v)}</span></span>' for d, v in values)
    docs = " ".join(dict.fromkeys(c.doc for c in f.claims))
    conf = f'<span class="sd-conf" title="confidence">{f.confidence:.0%}</span>' if f.confidence < 1 else ""
    return (f'<article class="sd-card {_kind_class(f.kind)}" tabindex="0" role="button" aria-pressed="false" '
            f'data-f="{i}" data-kind="{escape(f.kind)}" data-type="{escape(f.type)}" data-docs="{escape(docs)}">'
            f'<div class="sd-card-head"><span class="sd-rank">{i + 1}</span>'
            f'<span class="sd-badge">{escape(f.type)}</span>{conf}</div>'
            f'<p class="sd-summary">{escape(f.summary)}</p>'
            + (f'<div class="sd-values{_long(values)}">{vals}</div>' if vals else "") + "</article>")


def _long(values: list[tuple[str, str]]) -> str:
    """Wordings (agreements) read as text; short values (300 | 800) stand out in bold."""
    return " sd-values-long" if any(len(v) > 40 for _, v in values) else ""


def _column(report: Report, doc: Document) -> str:
    spans = [(c.start, c.end, i) for i, f in enumerate(report.findings) for c in f.claims
             if c.doc == doc.id and 0 <= c.start < c.end <= len(doc.text)]
    meta = " · ".join(escape(v) for v in (doc.outlet, doc.published) if v)
    meta += f'{" · " if meta else ""}{word_count(doc)} words'
    link = (f' · <a href="{escape(doc.url)}" rel="noopener noreferrer nofollow" target="_blank">source</a>'
            if doc.url and re.match(r"https?://", doc.url, re.I) else "")
    return (f'<article class="sd-doc" data-doc="{escape(doc.id)}"><header class="sd-doc-head">'
            f'<span class="sd-doc-id">{escape(doc.id)}</span><h2>{escape(doc.title or doc.id)}</h2>'
            f'<p class="sd-doc-meta">{meta}{link}</p></header>'
            '<p class="sd-absent-note" hidden>No evidence for the selected finding in this document.</p>'
            f'<div class="sd-text">{_marked(report, doc.text, spans)}</div></article>\n')


def segments(text: str, spans: list[tuple[int, int, int]]) -> list[tuple[str, list[int], list[int]]]:
    """``text`` cut at every span boundary: (piece, findings covering it, findings covering it twice).

    Overlapping and nested spans come out right because every start and end is
    a cut. A piece covered twice by one finding is a value inside that
    finding's own sentence ("Around 300" in "Around 300 of them are ..."): the
    view shows it stronger than the sentence.
    """
    cuts = sorted({0, len(text)} | {s for s, _, _ in spans} | {e for _, e, _ in spans})
    out = []
    for a, b in zip(cuts, cuts[1:]):
        covering = [i for s, e, i in spans if s <= a and b <= e]
        out.append((text[a:b], sorted(set(covering)), sorted({i for i in covering if covering.count(i) > 1})))
    return out


def _marked(report: Report, text: str, spans: list[tuple[int, int, int]]) -> str:
    """The document text, escaped, with every evidence segment in a ``<mark>`` naming its findings."""
    out = []
    for piece, ids, inner in segments(text, spans):
        if not ids:
            out.append(escape(piece))
            continue
        # a conflict's evidence is its values ("Around 300"): shown as strongly as a value in a sentence
        inner = sorted(set(inner) | {i for i in ids if report.findings[i].kind == "conflict"})
        kinds = {report.findings[i].kind for i in ids}
        top = min(kinds, key=lambda k: _PRIORITY.get(k, len(_PRIORITY)))
        cls = _kind_class(top) + (" sd-multi" if len(ids) > 1 else "") + (" sd-value" if inner else "")
        tip = "; ".join(report.findings[i].summary for i in ids[:3])
        value = f' data-v="{" ".join(map(str, inner))}"' if inner else ""
        out.append(f'<mark class="sd-ev {cls}" data-f="{" ".join(map(str, ids))}"{value} '
                   f'title="{escape(tip)}">{escape(piece)}</mark>')
    return "".join(out)


def _kind_class(kind: str) -> str:
    """A CSS class for a kind; unknown kinds share one (kinds are data, never raw class names)."""
    return f"k-{kind}" if kind in _PRIORITY else "k-other"


__all__ = ["ASSETS", "Assets", "csp", "report_view", "segments", "to_html"]
