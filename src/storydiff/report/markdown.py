"""The report as Markdown, for notes, tickets and newsroom wikis.

Same sections as the terminal view. Article text, titles, ids and values are
untrusted: every character that could open Markdown or HTML markup is
backslash-escaped (CommonMark allows escaping any ASCII punctuation), and line
breaks are flattened, so an article can never start a heading, a link, a table
row or a raw HTML block.
"""
from __future__ import annotations

import re

from ..model import Finding, Report
from .layout import Quote, counts_line, quotes, sections, value_items, warnings, word_count

# "_" inside a word (file_stem ids) cannot open emphasis in CommonMark, so it stays readable
_SPECIAL = re.compile(r"([\\`*\[\]<>&|#~]|(?<![0-9A-Za-z])_|_(?![0-9A-Za-z]))")
_SPACE = re.compile(r"\s+")


def md_escape(s: str) -> str:
    """Untrusted text as inline Markdown that renders literally, on one line."""
    return _SPECIAL.sub(r"\\\1", _SPACE.sub(" ", s).strip())


def to_markdown(report: Report) -> str:
    """The whole report: header, documents table, then each section of findings."""
    out = ["# storydiff report", "", md_escape(counts_line(report)), ""]
    out += _documents(report)
    out += [f"> **Note:** {md_escape(w)}\n" for w in warnings(report)]
    for section in sections(report):
        out += [f"## {md_escape(section.title)}", ""]
        for n, (_, f) in enumerate(section.ranked, 1):
            out += _finding(report, n, f)
        if section.hidden:
            out += [f"*{md_escape(section.more)}*", ""]
    if not report.findings:
        out += ["*No findings.*", ""]
    return "\n".join(out).rstrip() + "\n"


def _documents(report: Report) -> list[str]:
    rows = ["| id | title | outlet | published | words |", "|---|---|---|---|--:|"]
    for d in report.documents:
        cells = [md_escape(v) if v else "—" for v in (d.id, d.title, d.outlet, d.published)]
        rows.append("| " + " | ".join(cells) + f" | {word_count(d)} |")
    return rows + [""]


def _finding(report: Report, n: int, f: Finding) -> list[str]:
    conf = f" · confidence {f.confidence:.0%}" if f.confidence < 1 else ""
    lines = [f"{n}. **{md_escape(f.summary)}**  ", f"   *{md_escape(f.type)}{conf}*", ""]
    values = value_items(report, f, skip_quoted=True)
    if values:  # one row, documents side by side
        lines += ["   | " + " | ".join(md_escape(d) for d, _ in values) + " |",
                  "   |" + "---|" * len(values),
                  "   | " + " | ".join(md_escape(v) or "—" for _, v in values) + " |", ""]
    lines += [f"   > **{md_escape(q.doc)}** · {_quote(q)}  " for q in quotes(report, f)]
    return lines + [""]


def _quote(q: Quote) -> str:
    """The sentence with the evidence span in bold (unless it is the whole quote); spaces kept
    outside the ``**`` so it renders."""
    span = md_escape(q.span)
    if not (q.before or q.after):
        return span
    before = md_escape(q.before) + (" " if q.before[-1:].isspace() else "")
    after = (" " if q.after[:1].isspace() else "") + md_escape(q.after)
    return f"{before}**{span}**{after}" if span else before + after
