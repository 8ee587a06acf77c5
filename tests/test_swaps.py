"""Swapped figures and names (findings/swaps.py): the shipped models and their behaviour on real pairs."""
from __future__ import annotations

import json

import numpy as np
import pytest

import storydiff
from storydiff import Document
from storydiff import trees
from storydiff.findings import swaps

from conftest import EVAL


def test_shipped_model_matches_the_features():
    model = swaps.load_model()
    assert tuple(model["features"]) == swaps.COLUMNS
    assert {"number", "date", "place", "person"} <= set(model["thresholds"])
    assert all(t is None or 0.0 < t < 1.0 for t in model["thresholds"].values())
    assert set(model["budgets"]) == set(swaps.KINDS)
    assert len(model["trees"]) > 10


def test_rows_of_each_kind_fill_their_own_columns_and_leave_the_others_missing():
    for kind in swaps.KINDS:
        own = swaps.FEATURES[kind]
        row = swaps.model_rows(kind, [list(range(1, len(own) + 1))])[0]
        assert len(row) == len(swaps.COLUMNS)
        filled = {c: v for c, v in zip(swaps.COLUMNS, row) if not np.isnan(v)}
        assert [filled[c] for c in own[:len(swaps._COMMON)]] == list(range(1, len(swaps._COMMON) + 1))
        n_common = len(swaps._COMMON)
        assert [filled[f"{kind}:{c}"] for c in own[n_common:]] == list(range(n_common + 1, len(own) + 1))
        assert [filled[f"is_{k}"] for k in swaps.KINDS] == [float(k == kind) for k in swaps.KINDS]
        assert len(filled) == len(own) + len(swaps.KINDS)   # every other kind's column is missing
    assert swaps.model_rows("date", []).shape == (0, len(swaps.COLUMNS))


def test_score_is_a_probability_that_follows_the_trees():
    features = swaps.COLUMNS
    low = trees.predict(np.zeros((1, len(features))), swaps.load_model())[0]
    assert 0.0 < low < 1.0
    # a tree that always sends the input right adds its right leaf; a missing value goes left
    stump = {"baseline": 0.0, "thresholds": {"person": 0.5}, "features": list(features),
             "trees": [{"f": [0, 0, 0], "t": [0.5, 0.0, 0.0], "l": [1, 0, 0], "r": [2, 0, 0], "v": [0.0, -2.0, 2.0],
                        "leaf": [False, True, True], "nan_left": [True, True, True]}]}
    x = np.zeros((3, len(features)))
    x[0, 0], x[2, 0] = 1.0, np.nan
    assert trees.predict(x, stump) == pytest.approx([0.8808, 0.1192, 0.1192], abs=1e-4)


def test_thresholds_are_per_value_type_and_a_type_without_one_is_never_flagged():
    from storydiff.findings.conflicts import Value
    from storydiff.model import Entity

    def name(etype: str) -> Value:
        entity = Entity(start=0, end=5, text="Name", type=etype, key=f"{etype}:name", head="", role="")
        return Value(kind="name", claim=None, start=0, end=5, text="Name", item=entity, context=frozenset())
    model = {"thresholds": {"place": 0.5, "person": 0.7, "org": None}}
    assert swaps.flagged(model, name("place"), 0.6) and not swaps.flagged(model, name("person"), 0.6)
    assert not swaps.flagged(model, name("org"), 0.99) and not swaps.flagged(model, name("group"), 0.99)


def _case(case_id: str) -> dict:
    with open(EVAL / "data" / "conflicts-dev.jsonl", encoding="utf-8") as f:
        return next(c for c in map(json.loads, f) if c["case"] == case_id)


def _conflicts_at(case: dict, span: tuple[int, int], ctype: str) -> list:
    a, b = case["a"], case["b"]
    report = storydiff.compare([Document(a["id"], a["text"]), Document(b["id"], b["text"])])
    return [f for f in report.findings if f.kind == "conflict" and f.type == ctype
            and any(e.doc == b["id"] and e.start < span[1] and span[0] < e.end for e in f.claims)]


@pytest.mark.slow
@pytest.mark.parametrize("case_id,ctype,value", [
    # ECB+ topic 35: "San Diego Chargers wide receiver Vincent Jackson" became "Luis Gerardo" in B
    ("dev-0065", "person", "Luis Gerardo"),
    # ECB+ topic 21: "59-year old Raj Chohan" in A; B's "a 59-year-old grandmother" became 74
    ("dev-0060", "number", "74"),
])
def test_a_swapped_value_is_a_conflict_and_the_real_value_is_not(case_id, ctype, value):
    swapped = _case(case_id)
    found = _conflicts_at(swapped, tuple(swapped["b_span"]), ctype)
    assert found and value in found[0].summary
    assert not _conflicts_at(_case(swapped["pair"]), tuple(swapped["b_span"]), ctype)


@pytest.mark.slow
def test_a_date_the_calendar_contradicts_is_a_conflict_whatever_its_score():
    # ECB+ topic 28: "The coroner believes LaRue died Saturday, July 24, 2004" became February
    swapped = _case("dev-0580")
    found = _conflicts_at(swapped, tuple(swapped["b_span"]), "date")
    assert found and "that day was a Tuesday" in found[0].summary
    assert found[0].confidence < swaps.load_model()["thresholds"]["date"]   # the model alone misses it
    assert not _conflicts_at(_case(swapped["pair"]), tuple(swapped["b_span"]), "date")


def _candidates(kind: str, docs: list[Document], x: str, y: str, aligned: bool = False) -> list[tuple]:
    """swaps.candidates for the values of report y against report x: every claim pair alike,
    or as the engine's alignment weighs them (``aligned``)."""
    from storydiff.align import align
    from storydiff.analyze import analyze
    from storydiff.findings.conflicts import DocView

    claims = analyze(docs)
    if aligned:
        al = align(claims)
        block = np.ix_([al.index(c) for c in claims[x]], [al.index(c) for c in claims[y]])
        sim, support = al.sim[block], al.support[block]
    else:
        sim = support = np.ones((len(claims[x]), len(claims[y])))
    return swaps.candidates(kind, claims[x], claims[y], DocView(claims[x]), DocView(claims[y]), sim, support)


@pytest.mark.slow
def test_a_place_is_not_set_against_the_place_around_it():
    docs = [Document("a", "Lindsay Lohan checked into a rehab clinic in Malibu, California on Thursday."),
            Document("b", "Lindsay Lohan checked into a rehab clinic in California on Thursday, her lawyer said.")]
    pairs = [(vx.text, vy.text) for vx, vy, _ in _candidates("name", docs, "b", "a")]
    assert ("California", "Malibu") not in pairs


@pytest.mark.slow
def test_figures_of_different_things_are_no_swap():
    # ECB+ topic 12 (dev-0265, untouched): "captured 23 pirates" and "had 18 Indian sailors on
    # board" count different people; a synonym still counts the same thing
    docs = [Document("a", "The Indian Navy said it captured 23 pirates and seized three vessels in the Gulf of Aden."),
            Document("b", "The Indian Navy said it captured 18 sailors and seized two boats in the Gulf of Aden.")]
    pairs = {(vx.text, vy.text) for vx, vy, _ in _candidates("number", docs, "a", "b")}
    assert ("23", "18") not in pairs and ("three", "two") in pairs


@pytest.mark.slow
@pytest.mark.parametrize("line,stamp", [
    ("11/30/09 05:40 PM ET", True), ("Posted: Apr 02, 2009 11:06 PM CEST", True), ("Updated 4:08 p.m. ET", True),
    ("Updated: November 11, 2011 18:50 IST", True),  # ECB+ topic 12: any zone in capitals
    ("Thursday, Apr 2, 2009 | Updated 1:32 PM PDT", True),
    ("The quake struck on Monday at 5 pm.", False), ("The quake struck Monday at 5 pm NATO said.", False)])
def test_a_posting_time_is_no_date_of_the_story(line, stamp):
    from storydiff.analyze import analyze
    from storydiff.findings.conflicts import values

    claims = analyze([Document("x", f"Inmate escapes\n{line}\nThe inmate escaped on Friday.")])["x"]
    dated = [v for v in values(claims[1]) if v.kind == "date"]
    assert claims[1].times and (not dated) is stamp


@pytest.mark.slow
def test_a_date_is_scored_against_every_counterpart_and_reported_once():
    docs = [Document("a", "The earthquake struck on Monday, March 3, at 5 pm. Rescuers reached the town on Tuesday."),
            Document("b", "The earthquake struck on Sunday at 5 pm, officials said.")]
    rows = [(vx.text, vy.text, feats) for vx, vy, feats in _candidates("date", docs, "a", "b") if vy.text == "Sunday at 5 pm"]
    features = swaps.FEATURES["date"]
    assert len(rows) > 1 and len({vx for vx, _, _ in rows}) == len(rows)
    assert [f[features.index("best_slot")] for _, _, f in rows] == [1.0] + [0.0] * (len(rows) - 1)
    assert all(f[features.index("slot_gap")] <= 0 for _, _, f in rows)
    dated = [f.values for f in storydiff.compare(docs).findings if f.kind == "conflict" and f.type == "date"]
    assert dated == [{"a": "Monday, March 3, at 5 pm", "b": "Sunday at 5 pm"}]  # its best counterpart, once


@pytest.mark.slow
def test_a_person_is_not_set_against_the_place_whose_slot_it_fills():
    # ECB+ topic 1 (dev-0215, untouched): 1_3ecb names the publicist, Jack Ketsoyan, at the end of
    # the sentence where 1_1ecb writes the clinic's state; the place fills his slot best
    case = _case("dev-0215")
    docs = [Document(case[s]["id"], case[s]["text"]) for s in ("a", "b")]
    found = [c for x, y in (("1_1ecb", "1_3ecb"), ("1_3ecb", "1_1ecb"))
             for c in _candidates("name", docs, x, y, aligned=True)]
    pairs = {frozenset((vx.text, vy.text)) for vx, vy, _ in found}
    assert found and frozenset(("California", "Jack Ketsoyan")) not in pairs
    assert all((vx.item.type == "person") == (vy.item.type == "person") for vx, vy, _ in found)


@pytest.mark.slow
def test_a_swapped_value_conflicts_with_one_value_of_the_other_report_at_most():
    # ECB+ topic 2: one report names the Oscars' producer where the other lists its presenters
    from storydiff.analyze import analyze
    from storydiff.findings import _one_per_value
    from storydiff.findings.conflicts import value_candidate, values

    docs = [Document("a", "The producer of the ceremony, Laurence Mark, said the show would run short."),
            Document("b", "Chevy Chase, Goldie Hawn and Paul Hogan presented the ceremony, the producers said.")]
    claims = analyze(docs)
    mark = next(v for v in values(claims["a"][0]) if v.text == "Laurence Mark")
    names = [v for v in values(claims["b"][0]) if v.kind == "name"]
    assert len(names) >= 2
    cands = [value_candidate(mark, v, 0.5, 0.6 + 0.1 * (i % 2)) for i, v in enumerate(names)]
    assert [c.value_b for c in _one_per_value(cands)] == [names[1].text]


@pytest.mark.slow
def test_a_place_meets_the_place_in_its_part_when_a_person_fits_the_slot_better():
    # ECB+ topic 10 (dev-0318): "Las Vegas" became "Melbourne" in a sentence that also names the
    # much-mentioned Mark Teixeira, whose slot score beats the other report's place
    case = _case("dev-0318")
    docs = [Document(case[s]["id"], case[s]["text"]) for s in ("a", "b")]
    found = _candidates("name", docs, case["a"]["id"], case["b"]["id"], aligned=True)
    assert ("Las Vegas", "Melbourne") in {(vx.text, vy.text) for vx, vy, _ in found}
    assert all((vx.item.type == "person") == (vy.item.type == "person") for vx, vy, _ in found)


@pytest.mark.slow
def test_a_person_whose_slot_another_name_fits_better_meets_the_people_there():
    # ECB+ topic 32 (dev-0191): "John Jenkin" became "Vincent Jackson" in "... was arrested on
    # suspicion of murder"; the other report's sentence on the charge names Millom, which fits
    # the slot better. The person is still set against the people there, the gap a feature
    case = _case("dev-0191")
    docs = [Document(case[s]["id"], case[s]["text"]) for s in ("a", "b")]
    gap = swaps.FEATURES["name"].index("other_sort_gap")
    found = {vy.text: (vx.text, feats[gap])
             for vx, vy, feats in _candidates("name", docs, case["a"]["id"], case["b"]["id"], aligned=True)}
    counterpart, lost = found["Vincent Jackson"]
    assert "Jenkin" in counterpart and lost > 0


@pytest.mark.slow
def test_a_name_is_only_set_against_a_name_of_its_sort():
    # ECB+ topic 7 (control pair of dev-0197): "Wladimir Klitschko defended his IBF heavyweight
    # crown" and "Mannheim, Germany (Sports Network) - Wladimir Klitschko retained three ...";
    # the organisation fits Mannheim's slot best, but a boxing federation and a city are no
    # two answers to one question
    case = _case("dev-0197")
    docs = [Document(case[s]["id"], case[s]["text"]) for s in ("a", "b")]
    ids = [d.id for d in docs]
    found = [(vx, vy) for x, y in (ids, ids[::-1])
             for vx, vy, _ in _candidates("name", docs, x, y, aligned=True)]
    assert any(vy.text == "Mannheim" for _, vy in found)
    assert all(swaps.value_type(vx) == swaps.value_type(vy) for vx, vy in found)


@pytest.mark.parametrize("a,b,alike", [
    ("Duncan Rait", "Duncan Raite", True), ("Schnectady", "Schenectady", True),
    ("Iran", "Iraq", False), ("Smith", "Smyth", False), ("Bush", "Busch", False), ("Austria", "Australia", False),
])
def test_a_name_spelled_with_a_letter_more_is_the_same_name(a, b, alike):
    from storydiff.findings.conflicts import _spelled_alike

    assert _spelled_alike(a, b) is alike and _spelled_alike(b, a) is alike


@pytest.mark.slow
def test_two_spellings_of_one_climber_are_no_conflict():
    # ECB+ topic 23 (control pair of dev-0055): 23_10ecbplus writes "Duncan Rait", 23_4ecbplus
    # "Duncan Raite"; before, "Different people: Duncan Rait vs Duncan Raite"
    case = _case("dev-0055")
    docs = [Document(case[s]["id"], case[s]["text"]) for s in ("a", "b")]
    assert all("Rait" in d.text for d in docs)
    report = storydiff.compare(docs)
    assert not [f for f in report.findings if f.kind == "conflict" and "Rait" in " ".join(f.values.values())]
