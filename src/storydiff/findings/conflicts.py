"""Typed conflict detectors over pairs of aligned claims from two documents.

A conflict needs three things: the two claims state the same thing (their
similarity passes the detector's bar), the two values fill the same slot
(same counted thing, same kind of date field, same kind of entity in the
same place of the sentence), and the values are incompatible in the light of
BOTH whole documents: if document A also gives B's value somewhere, or B
also gives A's, the reports do not contradict each other on it.
"""
from __future__ import annotations

import functools
import math
import re
from collections import Counter
from dataclasses import dataclass

from spacy.lang.en.stop_words import STOP_WORDS as STOP

from ..analyze import dates, quantities, quotes
from ..model import Claim, Entity, Evidence, Quantity

ATTRIBUTION_QUOTE_MATCH = 0.8
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


# --- values in slots: numbers, dates, places, people --------------------------------

@dataclass(frozen=True)
class Value:
    """A comparable value in a claim: a quantity, a time or a name."""

    kind: str              # number | date | name
    claim: Claim
    start: int
    end: int
    text: str
    item: object           # the Quantity, TimeExpr or Entity
    context: frozenset     # content words around it: what slot it fills


def values(c: Claim) -> list[Value]:
    """The claim's comparable values (computed once per claim, then cached on it)."""
    cached = c.__dict__.get("_values")
    if cached is None:
        cached = c.__dict__["_values"] = _values(c)
    return cached


def _values(c: Claim) -> list[Value]:
    out = [Value("number", c, q.start, q.end, q.text, q, _window(c, q.start, q.end)) for q in c.quantities]
    if not c.is_posting:  # when the page was posted is not a date of the story
        out += [Value("date", c, t.start, t.end, t.text, t, _window(c, t.start, t.end)) for t in c.times]
    out += [Value("name", c, e.start, e.end, e.text, e, _window(c, e.start, e.end))
            for e in c.entities if e.type in ("person", "place", "org")]
    return out


def _window(c: Claim, start: int, end: int, n: int = 5) -> frozenset:
    before = [w for w in _WORD.findall(c.text[: start - c.start].lower()) if w not in STOP][-n:]
    after = [w for w in _WORD.findall(c.text[end - c.start:].lower()) if w not in STOP][:n]
    return frozenset(before + after)


def _identity(v: Value) -> str:
    if v.kind == "name":
        return v.item.key
    if v.kind == "number":
        return f"{v.item.low}-{v.item.high}-{v.item.counted}"
    return v.text.lower()


def same(x: Value, y: Value) -> bool | None:
    """True if two values of one kind can be the same, False if they cannot, None if incomparable."""
    if x.kind == "number":
        if not _counted_comparable(x.item, y.item):
            return None
        return quantities.compatible(x.item, y.item)
    if x.kind == "date":
        return dates.compatible(x.item, y.item)
    return x.item.key == y.item.key or _name_contains(x.text, y.text) or _near_names(x.item, y.item) \
        or _spelled_alike(x.text, y.text)


@functools.lru_cache(maxsize=65536)
def _spelled_alike(a: str, b: str) -> bool:
    """One name written with a letter more or less ("Duncan Rait" / "Duncan Raite", "Schnectady"
    / "Schenectady"): a slip of spelling, not another person or place. On the untouched dev
    pairs such spellings made 4 of the 54 person conflicts; a changed letter ("Iran" / "Iraq",
    "Smith" / "Smyth") still differs. Cached like _words: the same names meet in every pair of values."""
    a, b = sorted((" ".join(_WORD.findall(a.lower())), " ".join(_WORD.findall(b.lower()))), key=len)
    if len(a) < 5 or len(b) != len(a) + 1:
        return False
    i = next((k for k in range(len(a)) if a[k] != b[k]), len(a))
    return a[i:] == b[i + 1:]


def _near_names(a: Entity, b: Entity) -> bool:
    """Two names of a place or organisation that differ in one word each, sharing two or more
    ("Promises Treatment Center" / "Centre", "Betty Ford Clinic" / "Betty Ford Rehab")."""
    if "person" in (a.type, b.type):
        return False  # "John Paul Jones" and "John Paul Smith" are two people
    wa, wb = (_words(e.text) - STOP for e in (a, b))
    return len(wa & wb) >= 2 and len(wa - wb) <= 1 and len(wb - wa) <= 1


def inside(a: Entity, b: Entity) -> bool:
    """Is one place within the other ("Malibu" and "California")? Then both can be true,
    though neither report states the other's."""
    return a.key in b.within or b.key in a.within


def _name_contains(a: str, b: str) -> bool:
    wa, wb = _words(a), _words(b)
    return bool(wa and wb and (wa <= wb or wb <= wa))


@functools.lru_cache(maxsize=65536)
def _words(s: str) -> frozenset:
    """The lower-cased words of a name; cached: the same names meet in every pair of values."""
    return frozenset(_WORD.findall(s.lower()))


def _restates(x: Value, v: Value) -> bool:
    """Does value ``x`` of one document restate ``v``? A bare number ("six") restates
    another only about the same thing: the same counted noun, or the same words around;
    a date only if it is as precise ("Saturday" does not restate "Saturday 5 October")."""
    if not same(x, v):
        return False
    if x.kind == "date":
        return dates.states_as_much(x.item, v.item)
    if x.kind != "number" or (x.item.counted and x.item.counted == v.item.counted):
        return True
    return not (x.item.counted and v.item.counted) and bool(x.context & v.context)


def _counted_comparable(a: Quantity, b: Quantity) -> bool:
    if a.counted and b.counted:
        return a.counted == b.counted or (a.counted in _PRONOUN_COUNTED and b.counted in _PRONOUN_COUNTED)
    return True


@dataclass
class DocView:
    """A whole document's values, to tell a value the other report never gives."""

    claims: list[Claim]

    def __post_init__(self) -> None:
        self.values = [v for c in self.claims for v in values(c)]
        self.text = " ".join(c.text for c in self.claims).lower()
        self._counts = Counter(_identity(v) for v in self.values)
        self._by_kind: dict[str, list[Value]] = {}
        for v in self.values:
            self._by_kind.setdefault(v.kind, []).append(v)
        self._gives: dict[tuple[str, str, str], bool] = {}
        self._lemmas = frozenset().union(*(c.lemmas for c in self.claims))
        self._keys = frozenset(e.key for c in self.claims for e in c.entities)  # "Greek" names Greece too

    def counts_noun(self, lemma: str) -> bool:
        """Does this document use the word (a lemma) anywhere?"""
        return lemma in self._lemmas

    def mentions(self, v: Value) -> int:
        """How many times this document states the value."""
        return max(1, self._counts[_identity(v)])

    def position(self, c: Claim) -> float:
        """Where the claim stands in the document: 0 at the top, 1 at the end."""
        return c.index / max(1, len(self.claims) - 1)

    def gives(self, v: Value) -> bool:
        """Does this document state ``v`` anywhere (as a compatible value, or the same words)?"""
        key = (v.kind, _identity(v), v.text.lower())
        if key not in self._gives:
            self._gives[key] = any(_restates(x, v) for x in self._by_kind.get(v.kind, ())) or (
                v.kind == "name" and (v.item.key in self._keys
                                      or re.search(r"\b" + re.escape(v.text.lower()) + r"\b", self.text) is not None))
        return self._gives[key]

    def gives_loosely(self, v: Value) -> bool:
        """Does this document state ``v``, if only less precisely ("Sunday" or "February" for
        "Sunday, February 22, 2009")? It then does not contradict ``v`` there."""
        given = self.gives(v)
        if given or v.kind != "date":
            return given
        key = ("loosely", _identity(v), v.text.lower())
        if key not in self._gives:
            self._gives[key] = any(same(x, v) and dates.names_weekday_of(x.item, v.item)
                                   for x in self._by_kind.get("date", ()))
        return self._gives[key]


# how a value's best counterpart is chosen in the other report (swaps.py learns the rest)
DATE_SAME_GRAIN = 0.1  # two weekdays, two years, two clock times: the same kind of "when"


def context_overlap(x: Value, y: Value) -> float:
    """Share of the content words around the smaller context that the other shares."""
    return len(x.context & y.context) / max(1, min(len(x.context), len(y.context)))


def slot_score(x: Value, y: Value, sim: float, dx: DocView, dy: DocView) -> float:
    """How surely two values from two reports fill the same slot.

    Similar claims and the same words around the values count most; so does a
    value the report states only once (a repeated value is that report's own
    fact, not a slip) and a position near the top (leads carry the core facts).
    """
    score = sim + 0.35 * context_overlap(x, y)
    score -= 0.15 * min(2, dy.mentions(y) - 1) + 0.2 * dy.position(y.claim)
    if x.kind == "number" and x.item.counted and x.item.counted == y.item.counted:
        score += 0.2
    elif x.kind == "date":
        score += 0.15 * dates.shared_fields(x.item, y.item) + DATE_SAME_GRAIN * dates.same_grain(x.item, y.item)
    elif x.kind == "name":
        score += 0.1 * min(2.0, math.log1p(dx.mentions(x)))
        score += 0.2 * same_part(x.item, y.item)
    return score


def same_part(a: Entity, b: Entity) -> bool:
    """Do two names fill the same part of the same predicate ("Bush / Thompson has been placed
    on injured reserve": both subjects of place)? Then one stands where the other does."""
    return a.head == b.head and a.role == b.role


def crowded(v: Value, vals: list[Value]) -> bool:
    """Several different figures of one counted thing in one claim ("seven seasons ...
    nearly four seasons"): a tally, where no figure fills a slot of its own."""
    if v.kind != "number" or not v.item.counted:
        return False
    return any(x is not v and x.kind == "number" and x.item.counted == v.item.counted
               and not quantities.compatible(x.item, v.item) for x in vals)


def value_candidate(va: Value, vb: Value, score: float, conf: float) -> Candidate:
    """The conflict of ``va`` (one report) with ``vb`` (the other), typed and summarised;
    ``score`` is how surely they fill one slot, ``conf`` the swap model's probability."""
    a, b = va.claim, vb.claim
    ctype = va.kind if va.kind != "name" else _name_type(va, vb)
    pair = f"{va.text} ({a.doc}) vs {vb.text} ({b.doc})"
    if va.kind == "number":
        what = va.item.counted or vb.item.counted
        noun = f" of {what}" if what and what not in _PRONOUN_COUNTED else ""
        summary = f"Different figures{noun}: {pair}"
    elif va.kind == "date":
        summary = f"Different dates: {pair}"
        wrong = [f"{v.text}: that day was a {day}" for v in (va, vb) if (day := dates.misdated(v.item))]
        if wrong:
            summary += f" ({'; '.join(wrong)})"
    else:
        # "people" and "places" only when both names are one; else actors (who did it), or names
        plain = va.item.type == vb.item.type == ctype
        what = {"place": "places", "person": "people"}[ctype] if plain else "actors" if ctype == "person" else "names"
        summary = f"Different {what}: {pair}"
    return Candidate(ctype, a, b, (va.start, va.end, va.text), (vb.start, vb.end, vb.text), va.text, vb.text,
                     confidence=conf, summary=summary, details={"slot_score": round(score, 3)})


def _name_type(va: Value, vb: Value) -> str:
    """place or person; organisations and other named actors count as "person" (who did it)."""
    types = {va.item.type, vb.item.type}
    if "place" in types and "person" not in types:
        return "place"
    return va.item.type if va.item.type in ("person", "place") else "person"


# --- who said it --------------------------------------------------------------------

def attribution_conflicts(a: Claim, b: Claim, sim: float) -> list[Candidate]:
    out = []
    for qa in a.quotes:
        for qb in b.quotes:
            if quotes.overlap(qa.text, qb.text) < ATTRIBUTION_QUOTE_MATCH:
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


# --- polarity -----------------------------------------------------------------------

def polarity_conflicts(a: Claim, b: Claim, sim: float) -> list[Candidate]:
    """One report denies what the other affirms, in two claims aligned as one fact (the
    caller checks that; see denial). Evidence: the negating word, and the shared actor in
    the affirming claim."""
    found = denial(a, b)
    if found is None:
        return []
    neg, pos, actor = found
    s, e = neg.negation
    cue = (s, e, neg.text[s - neg.start:e - neg.start])
    spans = {neg.doc: cue, pos.doc: (actor.start, actor.end, actor.text)}
    return [Candidate(
        "polarity", a, b, spans[a.doc], spans[b.doc], short(a.text), short(b.text),
        confidence=_conf(sim, 0.45),
        summary=f"{neg.doc} denies what {pos.doc} states about {actor.text} ({neg.denied}): "
                f"\u201c{short(neg.text, 70)}\u201d vs \u201c{short(pos.text, 70)}\u201d", details={})]


def denial(a: Claim, b: Claim) -> tuple[Claim, Claim, Entity] | None:
    """(the negated claim, the affirming one, an actor both name) when one claim denies the
    verb the other states, about that actor ("Smith did not attend the meeting" / "Smith
    attended the meeting").

    Without the shared verb a negation is mostly about something else: on the 400 real
    pairs of the ECB+ dev controls, two aligned claims sharing two people, one negated, made
    31 tensions, nearly all noise ("Thompson just didn't have a shot" / "Klitschko defeats
    Thompson"); with the denied verb required, 6 ("they could not be rescued" / "were
    rescued")."""
    if a.negated == b.negated:
        return None
    neg, pos = (a, b) if a.negated else (b, a)
    if not neg.denied or neg.denied in _LIGHT_VERBS or neg.denied not in pos.lemmas:
        return None
    shared = {e.key for e in neg.entities} & {e.key for e in pos.entities}
    actors = sorted((e for e in pos.entities if e.key in shared), key=lambda e: (e.type != "person", e.start))
    return (neg, pos, actors[0]) if actors else None


# verbs too light or too common to carry a denial by themselves ("was not", "did not say")
_LIGHT_VERBS = {"be", "have", "do", "say", "tell", "report", "add", "make", "get", "go", "come", "take"}


def short(text: str, n: int = 90) -> str:
    """The text cut to n characters with an ellipsis, for one-line summaries."""
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


_LIST_GLUE = re.compile(r"^\s*(?:,|,?\s*and|,?\s*or|&)\s*(?:the\s+)?$", re.I)


def _members(c: Claim, etype: str) -> dict[str, Entity]:
    """The longest coordinated list ("A, B, C and D") of entities of one type in the claim
    (computed once per claim and type, then cached on it: a claim meets every claim of the other reports)."""
    cache = c.__dict__.setdefault("_members", {})
    if etype not in cache:
        cache[etype] = _list_members(c, etype)
    return cache[etype]


def _list_members(c: Claim, etype: str) -> dict[str, Entity]:
    ents = sorted((e for e in c.entities if e.type == etype), key=lambda e: e.start)
    best: list[Entity] = []
    run: list[Entity] = []
    for e in ents:
        if run and _LIST_GLUE.match(c.text[run[-1].end - c.start:e.start - c.start]):
            run.append(e)
        else:
            run = [e]
        if len(run) > len(best):
            best = list(run)
    out: dict[str, Entity] = {}
    for e in best:
        out.setdefault(e.key, e)
    return out


def _conf(sim: float, base: float) -> float:
    return round(min(0.99, base * (0.6 + 0.4 * min(1.0, sim))), 3)


MIN_PAIR_SIM = 0.3  # claims less alike than this only meet on shared lists of participants


def detect(a: Claim, b: Claim, sim: float) -> list[Candidate]:
    """The conflicts read off one pair of claims: who said it, who took part (swapped
    figures, dates and names are weighed across whole reports: swaps.py)."""
    if sim < MIN_PAIR_SIM:
        return membership_conflicts(a, b, sim)
    return attribution_conflicts(a, b, sim) + membership_conflicts(a, b, sim)
