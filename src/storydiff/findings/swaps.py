"""Swapped values: one report gives a figure, a date or a name where another gives a different one.

Why a learned score: two real reports of one story routinely give figures,
dates and names the other never mentions (a second toll, the day of the
funeral, a witness). What tells a swapped value from an added one is a mix of
weak signals: the value stands where the other report has a value of the same
kind in a claim saying the same thing (same counted noun, same kind of date
field, same words around), it is stated once, near the top, while the other
report's value is one of its own main facts and never appears here. One small
gradient-boosted tree model (``swap_models/swaps.json``) weighs these signals for
figures, dates and names at once: most of them are shared (_COMMON), and a swapped
figure, date or name gives itself away through them alike, so each kind learns from
the others' cases as well; the signals of one kind sit in columns of their own, missing
for the others (model_rows). It was fitted on the dev conflict cases and
benchmarks/inject.py's with ECB+ topics held out (``benchmarks/train_swaps.py``
rebuilds it and prints the held-out figures), and is evaluated with numpy
(storydiff.trees).

The model only ranks; the thresholds stored with it (per value type: figures, dates, and
for names one for places and people and one or none for other names) were chosen on
held-out scores for a fixed number of flagged values of each kind per untouched real pair
of reports (the kind's budget in the model file); each flagged value is then reported
against one value of the other report, its most likely (findings._one_per_value).
"""
from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np

from .. import trees
from ..analyze import dates, quantities
from ..embed import get_embedder
from ..model import Claim
from .conflicts import DocView, Value, context_overlap, crowded, inside, same, same_part, slot_score, values

MODEL_DIR = Path(__file__).with_name("swap_models")
KINDS = ("number", "date", "name")
CONFLICT_TYPES = ("number", "date", "place", "person")  # the conflict types a swap is reported as
# kinds scored against every counterpart in the other report, not only the one that fits the
# slot best: a date has several fields and the best-fitting counterpart by the hand-weighted
# slot score is often not the one it replaced. Held-out date recall (mean over budgets 0.2-0.4,
# train_swaps.py --dry-run, four fold splits) rose 0.62/0.61/0.61/0.63 -> 0.69/0.64/0.65/0.64;
# for figures (-0.02 to -0.04) and names (-0.01 to +0.02) it did not help
EVERY_COUNTERPART = ("date",)
# a place set against a place of its prepositional part, not its best slot, needs claims this
# similar (see candidates). Held-out place / person recall at 0.10-0.40 per pair without it
# .49/.58/.63/.66/.68/.73 / .38/.42/.47/.52/.56/.60, with it .38/.53/.59/.66/.67/.68 /
# .35/.42/.49/.56/.57/.60; at the names' budget (0.35) .69/.59 without, .67/.60 with: a wash
PART_SIM = 0.45

# signals every kind shares: where the value stands in its report, and how well its best
# counterpart in the other report fits the slot
_COMMON = (
    "mentions", "position", "in_title", "other_values", "max_slot", "max_sim", "max_support", "max_context",
    "slot", "sim", "support", "context", "other_gives_it", "claim_also_has_it",
    "counterpart_mentions", "counterpart_in_title", "counterpart_position", "values_here", "values_there",
)
FEATURES = {
    "number": _COMMON + ("counted_same", "counted_missing", "counted_elsewhere", "log_ratio", "small",
                         "approx", "vague", "crowded", "counterpart_crowded"),
    "date": _COMMON + ("same_grain", "shared_fields", "has_year", "has_month", "has_day", "has_weekday",
                       "has_hour", "relative", "days_apart", "slot_gap", "best_slot", "slot_rank"),
    "name": _COMMON + ("is_place", "is_person", "is_org", "one_word", "dangling", "same_type", "entities",
                       "same_head", "head_there", "counterpart_head_here", "same_role", "head_says", "same_part",
                       "other_sort_gap"),
}
# the columns of the one model: the shared signals, each kind's own, and which kind a row is
COLUMNS = _COMMON + tuple(f"{kind}:{name}" for kind in KINDS for name in FEATURES[kind][len(_COMMON):]) \
    + tuple(f"is_{kind}" for kind in KINDS)


def model_rows(kind: str, rows: list[list[float]]) -> np.ndarray:
    """Feature rows of one kind (FEATURES[kind] order) laid out in the model's COLUMNS: the
    shared signals in their common columns, the kind's own in its columns, the other kinds'
    missing (NaN: the trees send them the way their training did)."""
    own = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURES[kind]))
    out = np.full((len(own), len(COLUMNS)), np.nan)
    out[:, :len(_COMMON)] = own[:, :len(_COMMON)]
    start = COLUMNS.index(f"{kind}:{FEATURES[kind][len(_COMMON)]}")
    out[:, start:start + own.shape[1] - len(_COMMON)] = own[:, len(_COMMON):]
    out[:, -len(KINDS):] = [float(k == kind) for k in KINDS]
    return out


def candidates(kind: str, claims_x: list[Claim], claims_y: list[Claim], view_x: DocView, view_y: DocView,
               sim, support) -> list[tuple[Value, Value, list[float]]]:
    """For every value of ``kind`` in report y that report x never gives: (its best
    counterpart in x, the value, features), or one such row per counterpart for the kinds in
    EVERY_COUNTERPART (the value's score is then its best row's). ``sim``/``support`` are
    x-claims by y-claims."""
    vals_x = [(i, v) for i, c in enumerate(claims_x) for v in values(c) if v.kind == kind]
    if not vals_x:
        return []
    if kind == "number":
        _learn_nouns({q.counted for c in (*claims_x, *claims_y) for q in c.quantities if q.counted})
    doc_y = _DocFacts(claims_y, kind)
    out = []
    for j, cy in enumerate(claims_y):
        for vy in values(cy):
            if vy.kind != kind or view_x.gives(vy):
                continue
            # x gives it less precisely ("Sunday" for "Sunday, February 22, 2009"): only a value
            # as precise in x can contradict it ("Saturday 8 October 2011" against the 5th). Letting
            # any value stating at least vy's fields contradict it too ("December 15 2013" against
            # "December 3 of this year" where x also says "December 2008"): held-out date recall
            # .757 -> .747 (session 23)
            loose = view_x.gives_loosely(vy)
            rows = []
            for i, vx in vals_x:
                if not _differs(vx, vy) or (loose and not dates.same_grain(vx.item, vy.item)) \
                        or (kind == "number" and _count_apart(vx.item, vy.item)):
                    continue
                s = float(sim[i, j])
                rows.append((slot_score(vx, vy, s, view_x, view_y), s, float(support[i, j]),
                             context_overlap(vx, vy), vx))
            if not rows:
                continue
            ranked = sorted(rows, key=lambda r: -r[0])
            lost = 0.0  # names: by how much a name of another sort fits the slot better
            if kind == "name":
                ranked, lost = _own_sort(vy, ranked)
                if not ranked:
                    continue
            around = _value_features(vy, ranked, len(vals_x), doc_y, view_y)
            for rank in range(len(ranked) if kind in EVERY_COUNTERPART else 1):
                vx, _, feats = _features(kind, vy, ranked, rank, around, doc_y, view_x, view_y)
                out.append((vx, vy, feats + [lost] if kind == "name" else feats))
    return out


def _own_sort(vy: Value, ranked: list) -> tuple[list, float]:
    """The counterparts a name may meet (rows ranked by slot score), and by how much a name of
    another sort fits its slot better (0 when the best counterpart is of its sort).

    People, places and other names (organisations) are only ever set against their own sort:
    "Different names: IBF vs Mannheim" is no disagreement a reader can use. A name meets the
    best of its sort, the gap a model feature ("Vincent Jackson was arrested" against "John
    Jenkin of Millom was charged", where the town fits the slot better). Where a person fits
    the slot of a place or organisation better, it meets only one of its own prepositional
    part ("meetings in Las Vegas" / "in Melbourne" while "Mark Teixeira" fits the slot
    better) in claims that say much the same (sim >= PART_SIM; "the NATO summit in Brussels" /
    "when the two meet in Helsinki" on the seeds is below it). Held-out figures: CHANGELOG.md,
    sessions 13, 15 and 16; without that restriction (session 23) place / person .713 / .617 ->
    .681 / .587, though it leaves six in-sample place swaps with no candidate (dev-0049)."""
    sort = value_type(vy)
    best = value_type(ranked[0][4])
    own = [r for r in ranked if value_type(r[4]) == sort]
    if best == "person" and sort != "person":
        own = [r for r in own if r[4].item.role == vy.item.role and r[4].item.role.startswith("p:")
               and r[1] >= PART_SIM]
    return own, (ranked[0][0] - own[0][0]) if own else 0.0


# counted nouns this close (MiniLM cosine) count the same thing: mother/mom 0.90, home/house
# 0.80, soldier/troop 0.74, vessel/boat 0.73; year/month 0.66, person/people 0.62, day/week 0.55,
# pound/dollar 0.55, pirate/sailor 0.47 stay apart (set for the default embedder; a plugged-in
# one's vectors are compared the same way)
SAME_NOUN = 0.7
_NOUNS: dict[str, np.ndarray] = {}  # counted noun -> its vector, filled per process as reports bring nouns


def _learn_nouns(nouns: set[str]) -> None:
    """Embed the counted nouns not seen yet, in one run."""
    new = sorted(n for n in nouns if n not in _NOUNS)
    if new:
        _NOUNS.update(zip(new, get_embedder().encode(new)))


def _count_apart(qx, qy) -> bool:
    """Two figures that count different things ("23 pirates" / "18 Indian sailors", "almost 100
    people" arrested / "1,200 police"): no swap, whatever their sentences share. On the dev pairs such
    pairings were 19 of 52 conflicts on untouched real pairs and 3 of 79 found swaps (two of
    them synonyms this keeps: vessel/boat, and magnitude written "-magnitude")."""
    a, b = qx.counted, qy.counted
    return bool(a and b and a != b) and float(_NOUNS[a] @ _NOUNS[b]) < SAME_NOUN


def _differs(vx: Value, vy: Value) -> bool:
    """Values that cannot be the same: for figures also those counting different nouns
    ("12" mothers vs "7" moms: synonyms, see _count_apart)."""
    verdict = same(vx, vy)
    if verdict is None and vx.kind == "number":
        return not quantities.compatible(vx.item, vy.item)
    return verdict is False and not (vx.kind == "name" and inside(vx.item, vy.item))


class _DocFacts:
    """What the features need to know about the whole report y, computed once."""

    def __init__(self, claims: list[Claim], kind: str) -> None:
        self.n_values = sum(1 for c in claims for v in values(c) if v.kind == kind)
        self.longest: dict[str, int] = {}  # entity key -> words in its longest mention
        self.n_entities = 0
        for c in claims:
            for e in c.entities:
                self.n_entities += 1
                self.longest[e.key] = max(self.longest.get(e.key, 0), len(e.text.split()))


def _value_features(vy: Value, rows: list, n_x: int, doc_y: _DocFacts,
                    view_y: DocView) -> tuple[list[float], list[float]]:
    """The features of ``vy`` that do not depend on which counterpart it is set against, once
    per value: (those before the counterpart's in FEATURES, those after)."""
    before = [math.log1p(view_y.mentions(vy)), view_y.position(vy.claim), float(vy.claim.is_title),
              math.log1p(len(rows)), *(max(r[k] for r in rows) for k in range(4))]
    return before, [math.log1p(doc_y.n_values), math.log1p(n_x)]


def _features(kind: str, vy: Value, rows: list, rank: int, around: tuple[list[float], list[float]],
              doc_y: _DocFacts, view_x: DocView, view_y: DocView) -> tuple[Value, Value, list[float]]:
    """Features of ``vy`` against the counterpart ``rows[rank]`` (rows ranked by slot score);
    ``around`` holds its counterpart-free ones (_value_features)."""
    slot, sim, sup, ctx, vx = rows[rank]
    vals_y = values(vy.claim)
    before, after = around
    feats = [
        *before, slot, sim, sup, ctx, float(view_y.gives_loosely(vx)),
        float(any(same(vx, y) for y in vals_y if y.kind == kind)),
        math.log1p(view_x.mentions(vx)), float(vx.claim.is_title), view_x.position(vx.claim), *after,
    ]
    feats += _KIND_FEATURES[kind](vx, vy, vals_y, doc_y, view_x)
    if kind in EVERY_COUNTERPART:
        feats += [slot - rows[0][0], float(rank == 0), math.log1p(rank)]
    return vx, vy, feats


def _number_features(vx: Value, vy: Value, vals_y: list[Value], doc_y: _DocFacts, view_x: DocView) -> list[float]:
    qx, qy = vx.item, vy.item
    both = qx.counted and qy.counted
    ratio = abs(math.log(max(qx.value, 1e-3) / max(qy.value, 1e-3)))
    return [
        float(bool(both) and qx.counted == qy.counted), float(not both),
        float(bool(qy.counted) and view_x.counts_noun(qy.counted)), min(ratio, 10.0),
        float(max(qx.value, qy.value) <= 10), float(bool(qx.approx or qy.approx)), float(qx.vague or qy.vague),
        float(crowded(vy, vals_y)), float(crowded(vx, values(vx.claim))),
    ]


def _date_features(vx: Value, vy: Value, vals_y: list[Value], doc_y: _DocFacts, view_x: DocView) -> list[float]:
    tx, ty = vx.item, vy.item
    apart = float("nan")
    if tx.resolved and ty.resolved:
        apart = math.log1p(abs((dt.date.fromisoformat(tx.resolved) - dt.date.fromisoformat(ty.resolved)).days))
    return [
        float(dates.same_grain(tx, ty)), float(dates.shared_fields(tx, ty)), float(ty.year is not None),
        float(ty.month is not None), float(ty.day is not None), float(ty.weekday is not None),
        float(ty.hour is not None), float(ty.relative or tx.relative), apart,
    ]


def _name_features(vx: Value, vy: Value, vals_y: list[Value], doc_y: _DocFacts, view_x: DocView) -> list[float]:
    words = len(vy.text.split())
    etype = value_type(vy)
    return [
        float(etype == "place"), float(etype == "person"), float(etype == "org"), float(words == 1),
        float(doc_y.longest.get(vy.item.key, 0) <= words),  # no fuller mention introduces it
        float(vx.item.type == vy.item.type), doc_y.n_entities / 100,
        *_part_features(vx.item, vy.item, vx.claim, vy.claim),
    ]


# the plain reporting verbs: a name heading one is a source ("..., Smith said"), not an actor.
# Narrower than quotes.SPEECH_VERBS on purpose: with that whole list (believe, estimate,
# describe, ...) held-out place/person recall fell by 0.03-0.04 (train_swaps.py --dry-run).
# "accord" heads "according to Michael Silverman of the Boston Herald".
_SAY = {"say", "tell", "report", "add", "accord"}


def _part_features(ex, ey, claim_x: Claim, claim_y: Claim) -> list[float]:
    """Do the two names fill the same part of the same predicate (storydiff.analyze._governor)?"""
    return [float(ex.head == ey.head), float(ey.head in claim_x.lemmas), float(ex.head in claim_y.lemmas),
            float(ex.role == ey.role), float(ey.head in _SAY), float(same_part(ex, ey))]


_KIND_FEATURES = {"number": _number_features, "date": _date_features, "name": _name_features}


def load_model() -> dict:
    """The tree model (format: storydiff.trees), with its thresholds per value type."""
    return trees.load(MODEL_DIR / "swaps.json", COLUMNS)


def value_type(value: Value) -> str:
    """What a threshold is set for: a name's type (place, person, or org for every other
    name); for figures and dates the kind itself."""
    if value.kind != "name":
        return value.kind
    return value.item.type if value.item.type in ("place", "person") else "org"


def flagged(model: dict, value: Value, score: float) -> bool:
    """Does the score pass the model's threshold for the value's type? A type without one
    (null) is never flagged: for names, organisations and other names that are neither
    places nor people, when on held-out dev cases they only spent the budget (see
    benchmarks/train_swaps.py figures). A date whose weekday the calendar contradicts
    (dates.misdated) is flagged whatever its score: the report itself shows it wrong. On the
    dev conflict cases five dates are such, all changed ones (no untouched report has one);
    the model flags three, and one more only this rule (scored under the threshold)."""
    if value.kind == "date" and dates.misdated(value.item):
        return True
    threshold = model["thresholds"].get(value_type(value))
    return threshold is not None and score >= threshold
