"""benchmarks/inject.py makes the swap model's extra training cases: each must be a real
swap (one value of B changed, A giving the original) and the same on every run, and a number
site gives one case per different replacement."""
from __future__ import annotations

import re
import sys

from conftest import EVAL, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import inject  # noqa: E402


def test_injected_cases_change_one_value_that_the_other_report_gives():
    made = inject.cases(EVAL)
    assert made == inject.cases(EVAL)  # seeded: the same cases on every run
    docs, _ = inject.load(EVAL)
    kinds = {c["type"] for c in made}
    assert kinds == {"number", "date", "place", "person", "control"}
    for c in made:
        original_b = docs[c["b"]["id"]]["text"]
        if c["type"] == "control":
            assert c["b"]["text"] == original_b
            continue
        start, end = c["b_span"]
        assert c["b"]["text"][start:end] == c["replacement"] != c["original"]
        assert c["b"]["text"][:start] == original_b[:start]
        assert c["b"]["text"][end:] == original_b[start + len(c["original"]):]
        if c["type"] == "number":  # A may write it otherwise ("2" for "two")
            given = {inject._number_value(m.group(1)) for m in inject._NUMBER.finditer(c["a"]["text"])}
            assert inject._number_value(c["original"]) in given
        else:
            assert re.search(r"(?<!\w)" + re.escape(c["original"]), c["a"]["text"])
        assert inject.injected(c["case"])
    replacements: dict[tuple, list[str]] = {}
    for c in made:
        if c["type"] == "number":
            replacements.setdefault((c["a"]["id"], c["b"]["id"], c["b_span"][0]), []).append(c["replacement"])
    assert all(len(set(r)) == len(r) <= inject.NUMBER_REPLACEMENTS for r in replacements.values())
    assert max(map(len, replacements.values())) == inject.NUMBER_REPLACEMENTS  # one site, changed several ways


def test_replacement_values_keep_their_form():
    import random

    rng = random.Random(0)
    assert inject._other_number("three", rng) in inject._WORDS
    assert inject._other_number("Two", rng)[0].isupper()
    assert re.fullmatch(r"\d{1,3}(,\d{3})+", inject._other_number("12,000", rng))
    assert re.fullmatch(r"\d+\.\d", inject._other_number("5.6", rng))
    assert inject._other_date_part("Monday", "weekday", rng) in inject._WEEKDAYS
    assert inject._other_date_part("2007", "year", rng) != "2007"
