"""Typed conflict detectors over pairs of aligned claims from two documents.

A conflict needs three things: the two claims state the same thing (their
similarity passes the detector's bar), the two values fill the same slot
(same counted thing, same kind of date field, same kind of entity in the
same place of the sentence), and the values are incompatible in the light of
BOTH whole documents: if document A also gives B's value somewhere, or B
also gives A's, the reports do not contradict each other on it.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from ..analyze import dates
from ..model import Claim, Entity, Evidence, Quantity, TimeExpr

# similarity bars per type: a value swap inside a paraphrase
NUMBER_SIM = 0.55
DATE_SIM = 0.55
ENTITY_SIM = 0.55
ATTRIBUTION_QUOTE_MATCH = 0.8
POLARITY_SIM = 0.8
MEMBERSHIP_MIN_SHARED = 2

_WORD = re.compile(r"\w+")
_PRONOUN_COUNTED = {"they", "them", "who", "which", "these", "those", "we"}


@dataclass
class Candidate:
    """A conflict before it becomes a Finding."""

    type: str
    a: Claim
    b: Claim
    a_span: tuple[int, int, str]
    b_span: tuple[int, int, str]
    value_a: str
    value_b: str
    confidence: float
    summary: str
    details: dict

    def evidence(self) -> list[Evidence]:
        return [Evidence(self.a.doc, *self.a_span), Evidence(self.b.doc, *self.b_span)]


@dataclass
class DocView:
    """What a whole document states, to check a value against all of it."""

    claims: list[Claim]

    def quantities(self) -> list[Quantity]:
        return [q for c in self.claims for q in c.quantities]

    def times(self) -> list[TimeExpr]:
        return [t for c in self.claims for t in c.times]

    def entity_keys(self) -> set[str]:
        return {e.key for c in self.claims for e in c.entities}


# --- numbers -----------------------------------------------------------------------

def quantities_compatible(a: Quantity, b: Quantity) -> bool:
    return a.low <= b.high and b.low <= a.high


def _same_counted(a: Quantity, b: Quantity) -> bool:
    if a.counted and b.counted:
        if a.counted == b.counted:
            return True
        return a.counted in _PRONOUN_COUNTED and b.counted in _PRONOUN_COUNTED
    return False


def number_conflicts(a: Claim, b: Claim, sim: float, da: DocView, db: DocView) -> list[Candidate]:
    if sim < NUMBER_SIM:
        return []
    out = []
    for qa in a.quantities:
        for qb in b.quantities:
            if quantities_compatible(qa, qb):
                continue
            same_slot = _same_counted(qa, qb) or (not qa.counted and not qb.counted and _same_context(a, qa, b, qb))
            if not same_slot:
                continue
            # either document also gives the other's value: no contradiction
            if any(quantities_compatible(qb, x) and _comparable(qb, x) for x in da.quantities()):
                continue
            if any(quantities_compatible(qa, x) and _comparable(qa, x) for x in db.quantities()):
                continue
            what = qa.counted or qb.counted or "the same quantity"
            out.append(Candidate(
                "number", a, b, (qa.start, qa.end, qa.text), (qb.start, qb.end, qb.text), qa.text, qb.text,
                confidence=_conf(sim, 0.9), summary=f"{a.doc} and {b.doc} give different figures for "
                f"{_counted_phrase(what)}: {qa.text} vs {qb.text}",
                details={"counted": what}))
    return out


def _comparable(q: Quantity, x: Quantity) -> bool:
    return q.counted is None or x.counted is None or _same_counted(q, x)


def _counted_phrase(what: str) -> str:
    return "them" if what in _PRONOUN_COUNTED else what


def _same_context(a: Claim, x, b: Claim, y, window: int = 3) -> bool:
    """The words just around two values match: the values fill the same slot."""
    left_a, right_a = _context(a, x, window)
    left_b, right_b = _context(b, y, window)
    return bool((left_a and left_a == left_b) or (right_a and right_a == right_b))


def _context(c: Claim, x, window: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    before = _WORD.findall(c.text[: x.start - c.start].lower())[-window:]
    after = _WORD.findall(c.text[x.end - c.start:].lower())[:window]
    return tuple(before), tuple(after)


# --- dates and times ----------------------------------------------------------------

def date_conflicts(a: Claim, b: Claim, sim: float, da: DocView, db: DocView) -> list[Candidate]:
    if sim < DATE_SIM:
        return []
    out = []
    for ta in a.times:
        for tb in b.times:
            if dates.compatible(ta, tb) is not False:
                continue
            if any(dates.compatible(tb, x) is True for x in da.times()):
                continue
            if any(dates.compatible(ta, x) is True for x in db.times()):
                continue
            out.append(Candidate(
                "date", a, b, (ta.start, ta.end, ta.text), (tb.start, tb.end, tb.text), ta.text, tb.text,
                confidence=_conf(sim, 0.85),
                summary=f"{a.doc} and {b.doc} date it differently: {ta.text} vs {tb.text}", details={}))
    return out


# --- places and people --------------------------------------------------------------

def entity_conflicts(a: Claim, b: Claim, sim: float, da: DocView, db: DocView, etype: str) -> list[Candidate]:
    """A name in B that A never uses, in the slot where A has a name B's claim lacks."""
    if sim < ENTITY_SIM:
        return []
    keys_a_doc = da.entity_keys()
    b_claim_keys = {e.key for e in b.entities}
    a_claim_keys = {e.key for e in a.entities}
    out = []
    for eb in b.entities:
        if eb.type != etype or eb.key in keys_a_doc:
            continue
        for ea in a.entities:
            if ea.type != etype or ea.key in b_claim_keys:
                continue
            if eb.key in a_claim_keys:
                continue
            if not _same_slot(a, ea, b, eb):
                continue
            word = "place" if etype == "place" else "person"
            out.append(Candidate(
                etype, a, b, (ea.start, ea.end, ea.text), (eb.start, eb.end, eb.text), ea.text, eb.text,
                confidence=_conf(sim, 0.8),
                summary=f"{a.doc} and {b.doc} name a different {word}: {ea.text} vs {eb.text}", details={}))
    return out


def _same_slot(a: Claim, ea: Entity, b: Claim, eb: Entity) -> bool:
    """The two names stand where the other sentence has the other name."""
    if _same_context(a, ea, b, eb, window=2):
        return True
    ta, pa = _tokens_marking(a, ea)
    tb, pb = _tokens_marking(b, eb)
    sm = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "replace" and any(i1 <= p < i2 for p in pa) and any(j1 <= p < j2 for p in pb):
            return True
    return False


def _tokens_marking(c: Claim, e: Entity) -> tuple[list[str], list[int]]:
    words, marked = [], []
    for m in _WORD.finditer(c.text):
        s = c.start + m.start()
        if e.start <= s < e.end:
            marked.append(len(words))
        words.append(m.group().lower())
    return words, marked


# --- who said it --------------------------------------------------------------------

def attribution_conflicts(a: Claim, b: Claim, sim: float) -> list[Candidate]:
    out = []
    for qa in a.quotes:
        for qb in b.quotes:
            if _quote_match(qa.text, qb.text) < ATTRIBUTION_QUOTE_MATCH:
                continue
            ka, kb = qa.speaker_key, qb.speaker_key
            if not ka or not kb or ka == kb:
                continue
            if not (ka.startswith("person:") and kb.startswith("person:")):
                continue  # "a senior official" vs "an American official": compatible
            out.append(Candidate(
                "attribution", a, b, (qa.speaker_start, qa.speaker_end, qa.speaker),
                (qb.speaker_start, qb.speaker_end, qb.speaker), qa.speaker, qb.speaker,
                confidence=_conf(sim, 0.85),
                summary=f"The same words are attributed to {qa.speaker} ({a.doc}) and {qb.speaker} ({b.doc})",
                details={"quote": qa.text}))
    return out


def _quote_match(x: str, y: str) -> float:
    wx, wy = _WORD.findall(x.lower()), _WORD.findall(y.lower())
    if not wx or not wy:
        return 0.0
    m = difflib.SequenceMatcher(None, wx, wy, autojunk=False)
    matched = sum(b.size for b in m.get_matching_blocks())
    return matched / min(len(wx), len(wy))


# --- polarity -----------------------------------------------------------------------

def polarity_conflicts(a: Claim, b: Claim, sim: float) -> list[Candidate]:
    """One claim denies what a near-identical claim affirms."""
    if sim < POLARITY_SIM or a.negated == b.negated:
        return []
    neg, pos = (a, b) if a.negated else (b, a)
    return [Candidate(
        "polarity", a, b, (a.start, a.end, a.text), (b.start, b.end, b.text), _short(a.text), _short(b.text),
        confidence=_conf(sim, 0.5),
        summary=f"{neg.doc} negates what {pos.doc} states: \u201c{_short(neg.text)}\u201d", details={})]


def _short(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 1].rstrip() + "\u2026"


# --- set membership -----------------------------------------------------------------

_HEDGES = re.compile(r"\bamong (?:other|others)\b|\bincluding\b|\bsuch as\b|\band others\b|\bamong them\b", re.I)


def membership_conflicts(a: Claim, b: Claim, sim: float) -> list[Candidate]:
    """Two lists of participants (3+ names of one kind) that differ."""
    out = []
    for etype in ("place", "person", "org"):
        sa = _members(a, etype)
        sb = _members(b, etype)
        if len(sa) < 3 or len(sb) < 3:
            continue
        shared = sa.keys() & sb.keys()
        if len(shared) < MEMBERSHIP_MIN_SHARED or sa.keys() == sb.keys():
            continue
        only_a = [sa[k].text for k in sa if k not in sb]
        only_b = [sb[k].text for k in sb if k not in sa]
        hedged = [c.doc for c in (a, b) if _HEDGES.search(c.text)]
        span_a = (min(e.start for e in sa.values()), max(e.end for e in sa.values()))
        span_b = (min(e.start for e in sb.values()), max(e.end for e in sb.values()))
        summary = (f"Who is involved differs: only in {a.doc}: {', '.join(only_a) or '-'}; "
                   f"only in {b.doc}: {', '.join(only_b) or '-'}; both: "
                   f"{', '.join(sa[k].text for k in sa if k in shared)}")
        if hedged:
            summary += f" ({', '.join(hedged)} hedges: the list is not exhaustive)"
        out.append(Candidate(
            "membership", a, b, (*span_a, a.text[span_a[0] - a.start:span_a[1] - a.start]),
            (*span_b, b.text[span_b[0] - b.start:span_b[1] - b.start]),
            ", ".join(e.text for e in sa.values()), ", ".join(e.text for e in sb.values()),
            confidence=_conf(sim, 0.75 if hedged else 0.9), summary=summary,
            details={"only": {a.doc: only_a, b.doc: only_b},
                     "both": [sa[k].text for k in sa if k in shared], "hedged": hedged}))
    return out


def _members(c: Claim, etype: str) -> dict[str, Entity]:
    out: dict[str, Entity] = {}
    for e in c.entities:
        if e.type == etype:
            out.setdefault(e.key, e)
    return out


def _conf(sim: float, base: float) -> float:
    return round(min(0.99, base * (0.6 + 0.4 * min(1.0, sim))), 3)


def detect(a: Claim, b: Claim, sim: float, da: DocView, db: DocView) -> list[Candidate]:
    """Every typed conflict between two claims of two documents."""
    found = (number_conflicts(a, b, sim, da, db) + date_conflicts(a, b, sim, da, db)
             + entity_conflicts(a, b, sim, da, db, "place") + entity_conflicts(a, b, sim, da, db, "person")
             + attribution_conflicts(a, b, sim))
    if sim >= 0.5:
        found += membership_conflicts(a, b, sim)
    if not found:
        found += polarity_conflicts(a, b, sim)
    return found
