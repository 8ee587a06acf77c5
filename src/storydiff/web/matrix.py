"""The coverage matrix: who reports what, as one inline SVG picture.

Rows are the facts of a report (its conflict, agreement and omission findings,
in the report's ranking), columns its sources. A mark says the source carries
the fact: green when corroborated, blue when only some sources have it, red
with the source's own value when the sources disagree; a small grey ring says
the source is silent. Everything is drawn here, with no external asset, and
every piece of article-derived text is XML-escaped.
"""
from __future__ import annotations

from html import escape

from ..model import AGREEMENT, CONFLICT, OMISSION, Finding, Report

ROW_H = 26
HEAD_H = 64
LABEL_W = 600
COL_W = 140
PAD = 8
LABEL_CHARS = 88
VALUE_CHARS = 17

# kind -> (css class, reader's word); the same words as the report view's legend
MARKS = {CONFLICT: ("conflict", "conflicting"), AGREEMENT: ("agreement", "corroborated"),
         OMISSION: ("omission", "only here")}


def facts(report: Report) -> list[Finding]:
    """The findings that are facts about the story (notices are about the inputs)."""
    return [f for f in report.findings if f.kind in MARKS]


def carriers(finding: Finding) -> set[str]:
    """Ids of the documents that carry a finding: where its evidence is, else its ``docs``
    (the rule the report view uses, so the matrix and the columns agree)."""
    return {c.doc for c in finding.claims} or set(finding.docs)


def label(finding: Finding) -> str:
    """A row's words: a conflict's summary says what differs; an agreed or one-sided
    fact reads best as its own wording (its summary repeats the source names,
    which the columns already show)."""
    if finding.kind == CONFLICT or not finding.claims:
        return finding.summary
    return finding.claims[0].text


def _clip(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _header(report: Report, x0: int) -> list[str]:
    out = []
    for j, doc in enumerate(report.documents):
        cx = x0 + j * COL_W + COL_W // 2
        name = doc.outlet or doc.id
        full = escape(f"{doc.id}: {doc.title}" if doc.title else doc.id)
        out.append(f'<text class="m-col" x="{cx}" y="{HEAD_H - 26}" text-anchor="middle">'
                   f'<title>{full}</title>{escape(_clip(name, 16))}</text>')
        if doc.outlet:
            out.append(f'<text class="m-sub" x="{cx}" y="{HEAD_H - 10}" text-anchor="middle">'
                       f'{escape(_clip(doc.id, 18))}</text>')
    return out


def _cell(finding: Finding, doc_id: str, cx: int, cy: int) -> str:
    if doc_id not in carriers(finding):
        return (f'<circle class="m-absent" cx="{cx}" cy="{cy}" r="4">'
                f'<title>{escape(doc_id)}: not reported</title></circle>')
    css, word = MARKS[finding.kind]
    value = finding.values.get(doc_id)
    tip = escape(f"{doc_id}: {word}" + (f" \u2014 {value}" if value else ""))
    if finding.kind == CONFLICT and value:
        w = COL_W - 16
        return (f'<g class="m-mark {css}"><title>{tip}</title>'
                f'<rect x="{cx - w // 2}" y="{cy - 9}" width="{w}" height="18" rx="4"/>'
                f'<text x="{cx}" y="{cy + 4}" text-anchor="middle">{escape(_clip(value, VALUE_CHARS))}</text></g>')
    return f'<circle class="m-mark {css}" cx="{cx}" cy="{cy}" r="7"><title>{tip}</title></circle>'


def coverage_svg(report: Report) -> str:
    """The matrix as an inline ``<svg>`` element (empty string when there are no facts)."""
    rows = facts(report)
    if not rows:
        return ""
    x0 = LABEL_W + PAD
    width = x0 + COL_W * len(report.documents) + PAD
    height = HEAD_H + ROW_H * len(rows) + PAD
    parts = [f'<svg class="coverage" xmlns="http://www.w3.org/2000/svg" role="img" '
             f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
             f'aria-label="Coverage matrix: {len(rows)} facts by {len(report.documents)} sources">',
             f'<text class="m-col" x="{PAD}" y="{HEAD_H - 26}">Fact</text>']
    parts += _header(report, x0)
    index = {id(f): i for i, f in enumerate(report.findings)}
    for r, finding in enumerate(rows):
        y = HEAD_H + r * ROW_H
        cy = y + ROW_H // 2
        css, word = MARKS[finding.kind]
        parts.append(f'<g class="m-row" data-finding="{index[id(finding)]}">'
                     f'<rect class="m-band" x="0" y="{y}" width="{width}" height="{ROW_H}"/>'
                     f'<rect class="m-kind {css}" x="{PAD}" y="{y + 6}" width="4" height="{ROW_H - 12}"/>'
                     f'<text class="m-label" x="{PAD + 10}" y="{cy + 4}">'
                     f'<title>{escape(word)} ({escape(finding.type)}): {escape(finding.summary)}</title>'
                     f'{escape(_clip(label(finding), LABEL_CHARS))}</text>')
        for j, doc in enumerate(report.documents):
            parts.append(_cell(finding, doc.id, x0 + j * COL_W + COL_W // 2, cy))
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)
