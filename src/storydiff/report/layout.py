"""What every view of a report shows, decided once.

The terminal, Markdown and HTML renderers differ only in markup; the sections
(notices, conflicts, agreements, "only in X"), their order, the caps on long
lists and the evidence quotes (trimmed to the sentence) come from here, so the
three views cannot drift apart.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import AGREEMENT, CONFLICT, NOTICE, OMISSION, Document, Evidence, Finding, Report

CAP = 15  # agreements and omissions shown per section in the text views; conflicts are never capped
MORE_HINT = "use --format json for all"

KIND_TITLES = {NOTICE: "Notices", CONFLICT: "Conflicts", AGREEMENT: "Agreements"}
KIND_ORDER = (NOTICE, CONFLICT, AGREEMENT, OMISSION)
KIND_LABELS = {NOTICE: "notice", CONFLICT: "conflict", AGREEMENT: "corroborated", OMISSION: "only here"}


@dataclass(frozen=True)
class Section:
    """A titled run of findings. ``ranked`` pairs each finding with its index in
    ``report.findings`` (its rank, and its id in the HTML view)."""

    kind: str
    title: str
    ranked: list[tuple[int, Finding]]
    hidden: int = 0  # findings left out by the cap

    @property
    def more(self) -> str:
        return f"... {self.hidden} more ({MORE_HINT})" if self.hidden else ""


@dataclass(frozen=True)
class Quote:
    """An evidence span in its sentence: ``before`` + ``span`` + ``after``, whitespace collapsed."""

    doc: str
    before: str
    span: str
    after: str


def sections(report: Report, cap: int | None = CAP) -> list[Section]:
    """Notices, conflicts, agreements, then one "Only in X" section per group of documents.

    Findings keep the report's ranking inside each section. Kinds this version
    does not know still get a section of their own, after the known ones.
    """
    ranked = list(enumerate(report.findings))
    out: list[Section] = []
    for kind in KIND_ORDER[:3]:
        items = [(i, f) for i, f in ranked if f.kind == kind]
        if items:
            out.append(_capped(kind, KIND_TITLES[kind], items, None if kind == CONFLICT else cap))
    groups: dict[tuple[str, ...], list[tuple[int, Finding]]] = {}
    for i, f in ranked:
        if f.kind == OMISSION:
            groups.setdefault(present_in(report, f), []).append((i, f))
    order = {d.id: n for n, d in enumerate(report.documents)}
    for key in sorted(groups, key=lambda k: (len(k), [order.get(d, len(order)) for d in k])):
        title = "Only in " + ", ".join(doc_label(report, d) for d in key) if key else "Only in some sources"
        out.append(_capped(OMISSION, title, groups[key], cap))
    for kind in dict.fromkeys(f.kind for f in report.findings if f.kind not in KIND_ORDER):
        out.append(_capped(kind, kind.capitalize() or "Other", [(i, f) for i, f in ranked if f.kind == kind], cap))
    return out


def _capped(kind: str, title: str, items: list[tuple[int, Finding]], cap: int | None) -> Section:
    if cap is None or len(items) <= cap:
        return Section(kind, title, items)
    return Section(kind, title, items[:cap], len(items) - cap)


def present_in(report: Report, finding: Finding) -> tuple[str, ...]:
    """The documents an omission's fact appears in: where its evidence is (else its ``docs``)."""
    ids = {c.doc for c in finding.claims} or set(finding.docs)
    known = [d.id for d in report.documents if d.id in ids]
    return tuple(known + sorted(ids - set(known)))


def doc_label(report: Report, doc_id: str) -> str:
    """``000`` or ``000 (Outlet)``: ids are short, outlets are what readers recognise."""
    doc = find_doc(report, doc_id)
    return f"{doc_id} ({doc.outlet})" if doc and doc.outlet else doc_id


def find_doc(report: Report, doc_id: str) -> Document | None:
    try:
        return report.document(doc_id)
    except KeyError:
        return None


def word_count(doc: Document) -> int:
    return len(doc.text.split())


def value_items(report: Report, finding: Finding, skip_quoted: bool = False) -> list[tuple[str, str]]:
    """``finding.values`` in document order, so every view lines values up the same way.

    With ``skip_quoted``, the values of a non-conflict that merely repeat its
    evidence text (an agreed sentence given as its own wording) come back
    empty: the quotes show them. A conflict's values always stand side by side.
    """
    order = {d.id: n for n, d in enumerate(report.documents)}
    items = sorted(finding.values.items(), key=lambda kv: (order.get(kv[0], len(order)), kv[0]))
    quoted = {(c.doc, _flat(c.text).strip()) for c in finding.claims}
    if skip_quoted and finding.kind != CONFLICT and all((d, _flat(v).strip()) in quoted for d, v in items):
        return []
    return items


def warnings(report: Report) -> list[str]:
    """Facts about the inputs that the findings themselves may not carry."""
    out = []
    if not report.same_story and not report.by_kind(NOTICE):
        out.append("These documents may not report the same story; compare their findings with care.")
    for dropped, kept in report.duplicates.items():
        out.append(f"{dropped} duplicates {kept}: compared once.")
    return out


def counts_line(report: Report) -> str:
    """``2 documents · 2 conflicts · 6 agreements · 11 only in one source``."""
    parts = [_plural(len(report.documents), "document")]
    parts += [_plural(len(report.conflicts), "conflict"), _plural(len(report.agreements), "agreement")]
    if report.omissions:
        parts.append(f"{len(report.omissions)} only in some sources")
    notices = report.by_kind(NOTICE)
    if notices:
        parts.append(_plural(len(notices), "notice"))
    return " · ".join(parts)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


_ABBREV = frozenset("mr mrs ms dr st jr sr sen rep gov gen col lt capt sgt prof rev no vs etc inc corp co ltd".split())
_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s)|\n")
_SPACE = re.compile(r"\s+")


def _is_boundary(text: str, m: re.Match) -> bool:
    """A sentence end, unless the period closes an abbreviation (Mr., U.S.) or a lowercase word follows."""
    if m.group() == "\n":
        return True
    if text[m.start()] == ".":
        word = text[:m.start()].rsplit(None, 1)[-1] if text[:m.start()].strip() else ""
        if word.lower().strip("(\"'“‘") in _ABBREV or re.fullmatch(r"(?:[A-Za-z]\.)*[A-Za-z]", word):
            return False
    rest = text[m.end():].lstrip()
    return not rest[:1].islower()


def sentence_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence(s) around ``text[start:end]``, by punctuation and line breaks."""
    s = 0
    for m in _END.finditer(text, 0, start):
        if m.end() <= start and _is_boundary(text, m):
            s = m.end()
    e = len(text)
    for m in _END.finditer(text, max(end - 1, start)):
        if m.start() >= end - 1 and _is_boundary(text, m):
            e = m.end() if m.group() != "\n" else m.start()
            break
    return s, max(e, end)


def quote(report: Report, ev: Evidence, context: int = 160) -> Quote:
    """The evidence span inside its sentence, with at most ``context`` characters each side.

    Falls back to the claim's own text when its offsets do not index the
    document (a renderer never fails on a malformed finding).
    """
    doc = find_doc(report, ev.doc)
    if doc is None or not 0 <= ev.start < ev.end <= len(doc.text):
        return Quote(ev.doc, "", _flat(ev.text).strip(), "")
    text = doc.text
    s, e = sentence_bounds(text, ev.start, ev.end)
    before, span, after = _flat(text[s:ev.start]).lstrip(), _flat(text[ev.start:ev.end]), _flat(text[ev.end:e]).rstrip()
    if len(before) > context:
        tail = before[-context:]
        before = "…" + (tail.split(" ", 1)[1] if " " in tail else tail)
    if len(after) > context:
        cut = after[:context]
        after = (cut.rsplit(" ", 1)[0] if " " in cut else cut) + "…"
    return Quote(ev.doc, before, span, after)


def quotes(report: Report, finding: Finding) -> list[Quote]:
    """The finding's evidence as quotes, innermost spans only.

    A value-level span and the sentence-level span around it quote the same
    sentence; showing the value (emphasised in its sentence) says more.
    """
    claims = finding.claims
    inner = [c for c in claims if not any(o is not c and o.doc == c.doc and c.start <= o.start and o.end <= c.end
                                          and (o.start, o.end) != (c.start, c.end) for o in claims)]
    unique = list({(c.doc, c.start, c.end): c for c in inner}.values())
    return [quote(report, c) for c in unique]


def _flat(s: str) -> str:
    return _SPACE.sub(" ", s)
