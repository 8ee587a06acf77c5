"""Name swaps (findings/names.py): the shipped model and its behaviour on a real pair."""
from __future__ import annotations

import json

import pytest

import storydiff
from storydiff import Document
from storydiff.findings import names

from conftest import EVAL


def test_shipped_model_matches_the_features():
    model = names.load_model()
    assert tuple(model["features"]) == names.FEATURES
    assert 0.5 < model["threshold"] < 1.0
    assert len(model["trees"]) > 10


def test_score_is_a_probability_that_follows_the_trees():
    model = names.load_model()
    low = names.score([0.0] * len(names.FEATURES), model)
    assert 0.0 < low < 1.0
    # a tree that always sends the input right adds its right leaf
    stump = {"baseline": 0.0, "threshold": 0.5, "features": list(names.FEATURES),
             "trees": [[{"leaf": False, "f": 0, "t": 0.5, "nan_left": True, "l": 1, "r": 2, "v": 0.0},
                        {"leaf": True, "v": -2.0, "f": 0, "t": 0.0, "nan_left": True, "l": 0, "r": 0},
                        {"leaf": True, "v": 2.0, "f": 0, "t": 0.0, "nan_left": True, "l": 0, "r": 0}]]}
    assert names.score([1.0] + [0.0] * (len(names.FEATURES) - 1), stump) == pytest.approx(0.8808, abs=1e-4)
    assert names.score([0.0] * len(names.FEATURES), stump) == pytest.approx(0.1192, abs=1e-4)


def _case(case_id: str) -> dict:
    with open(EVAL / "data" / "conflicts-dev.jsonl", encoding="utf-8") as f:
        return next(c for c in map(json.loads, f) if c["case"] == case_id)


def _person_conflicts_at(case: dict, span: tuple[int, int]) -> list:
    a, b = case["a"], case["b"]
    report = storydiff.compare([Document(a["id"], a["text"]), Document(b["id"], b["text"])])
    return [f for f in report.findings if f.kind == "conflict" and f.type == "person"
            and any(e.doc == b["id"] and e.start < span[1] and span[0] < e.end for e in f.claims)]


@pytest.mark.slow
def test_a_swapped_name_is_a_person_conflict_and_the_real_name_is_not():
    # ECB+ topic 35: "San Diego Chargers wide receiver Vincent Jackson" became "Luis Gerardo" in B
    swapped = _case("dev-0065")
    found = _person_conflicts_at(swapped, tuple(swapped["b_span"]))
    assert found and "Luis Gerardo" in found[0].summary
    assert not _person_conflicts_at(_case(swapped["pair"]), tuple(swapped["b_span"]))
