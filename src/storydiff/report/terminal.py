"""The report in a terminal, through rich: what a reader sees first.

``print_report`` writes in colour; ``to_text`` gives the same content as plain
text for pipes and tests, with the evidence span marked »like this«. Article
text is always passed to rich as ``Text`` (never markup, so "[Secretary of
State]" stays text) and stripped of control characters (no escape sequences
from an article reach the terminal).
"""
from __future__ import annotations

import io
import re

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from ..model import AGREEMENT, CONFLICT, NOTICE, OMISSION, Finding, Report
from .layout import counts_line, quotes, sections, value_items, warnings, word_count

WIDTH = 100  # of the plain-text rendering
KIND_STYLES = {CONFLICT: "bold red", AGREEMENT: "green", OMISSION: "blue", NOTICE: "yellow"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


def print_report(report: Report, console: Console | None = None) -> None:
    """Print the report to ``console`` (stdout by default): in colour on a terminal, else as ``to_text``."""
    console = console or Console(highlight=False)
    if not console.is_terminal:  # a pipe or file: no colour, so mark spans and drop table padding
        console.file.write(to_text(report))
        return
    for part in renderables(report, plain=False):
        console.print(part)


def to_text(report: Report, width: int = WIDTH) -> str:
    """The terminal report as plain text: no colour, evidence spans marked »...«."""
    buf = io.StringIO()
    console = Console(file=buf, width=width, color_system=None, force_terminal=False,
                      highlight=False, emoji=False, legacy_windows=False)
    for part in renderables(report, plain=True):
        console.print(part)
    return "\n".join(line.rstrip() for line in buf.getvalue().splitlines()) + "\n"


def renderables(report: Report, plain: bool) -> list[RenderableType]:
    """Header, warnings, then every section, as rich renderables."""
    out: list[RenderableType] = [Text("storydiff · " + counts_line(report), style="bold"), _documents(report)]
    out += [Text("! " + _clean(w), style="yellow") for w in warnings(report)]
    for section in sections(report):
        out.append(Text())
        out.append(Rule(Text(_clean(section.title), style="bold " + KIND_STYLES.get(section.kind, "")),
                        align="left", characters="─"))
        out += [_finding(report, n, f, plain) for n, (_, f) in enumerate(section.ranked, 1)]
        if section.hidden:
            out.append(Padding(Text(section.more, style="dim"), (0, 0, 0, 4)))
    if not report.findings:
        out.append(Text("No findings.", style="dim"))
    return out


def _documents(report: Report) -> Table:
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, header_style="bold")
    for name, justify in (("id", "left"), ("title", "left"), ("outlet", "left"),
                          ("published", "left"), ("words", "right")):
        table.add_column(name, justify=justify, overflow="fold")
    for d in report.documents:
        table.add_row(*(Text(_clean(v or "—")) for v in (d.id, d.title, d.outlet, d.published)),
                      str(word_count(d)))
    return table


def _finding(report: Report, n: int, f: Finding, plain: bool) -> Table:
    """One finding with a hanging indent: summary, values side by side, evidence quotes."""
    head = Text.assemble((f"[{_clean(f.type)}] ", KIND_STYLES.get(f.kind, "")), (_clean(f.summary), "bold"))
    if f.confidence < 1:
        head.append(f"  confidence {f.confidence:.0%}", style="dim")
    lines: list[RenderableType] = [head]
    values = value_items(report, f, skip_quoted=True)
    if values:
        lines.append(_values(values, KIND_STYLES.get(f.kind, "bold")))
    if f.claims:
        lines.append(_quotes(report, f, plain))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", width=3, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(Text(f"{n}."), Group(*lines))
    return grid


def _values(values: list[tuple[str, str]], style: str) -> Text:
    """``000: Around 300 │ 002: about 800``."""
    out = Text()
    for k, (doc, value) in enumerate(values):
        if k:
            out.append(" │ ", style="dim")
        out.append(_clean(doc) + ": ", style="dim")
        out.append(_clean(value), style=style)
    return out


def _quotes(report: Report, f: Finding, plain: bool) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(style="dim", no_wrap=True)
    grid.add_column(ratio=1)
    for q in quotes(report, f):
        whole = not (q.before or q.after)  # nothing to single out when the span is the whole quote
        span = f"»{_clean(q.span)}«" if plain and not whole else _clean(q.span)
        grid.add_row(Text(_clean(q.doc) + " ▏"),
                     Text.assemble(_clean(q.before), (span, "" if whole else "bold underline"), _clean(q.after)))
    return grid


def _clean(s: str) -> str:
    """Drop control and bidi-override characters: article text must not drive the terminal."""
    return _CONTROL.sub("", s)
