"""The same-story decision and the main-event grouping on real reports: the seed pair and ECB+
dev pairs (one real event reported twice vs two real events of one kind). Model-heavy, marked slow."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

import storydiff
from storydiff import Document
from storydiff.align import align
from storydiff.analyze import analyze
from storydiff.events import EVENT_LEAD, EVENT_SURE, main_event
from storydiff.story import SAME_STORY_THRESHOLD, own_actors

from conftest import EVAL, SEED_A, SEED_B

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ecb():
    with open(EVAL / "data" / "ecbplus-dev.jsonl", encoding="utf-8") as f:
        docs = [json.loads(line) for line in f if line.strip()]
    return {d["id"]: Document(d["id"], d["text"]) for d in docs}


def _cross_findings(report):
    """Agreements and conflicts whose evidence spans two documents."""
    return [f for f in report.findings if f.kind in ("agreement", "conflict") and len({c.doc for c in f.claims}) > 1]


def _score(report):
    [score] = report.meta["story_scores"].values()
    return score


def test_seed_pair_is_one_story():
    report = storydiff.compare([storydiff.load(str(SEED_A)), storydiff.load(str(SEED_B))])
    assert report.same_story and _score(report) >= SAME_STORY_THRESHOLD
    assert not report.by_kind("notice") or all(f.type != "different_stories" for f in report.by_kind("notice"))
    assert _cross_findings(report)


def test_same_event_reported_twice_is_compared(ecb):
    # two reports of Tara Reid entering rehab (ECB+ topic 1, ecb half)
    report = storydiff.compare([ecb["1_1ecb"], ecb["1_15ecb"]])
    assert report.same_story
    assert _cross_findings(report)


@pytest.mark.parametrize("a, b", [
    ("1_5ecb", "1_1ecbplus"),      # Tara Reid enters rehab / Lindsay Lohan checks into rehab
    ("12_16ecb", "12_2ecbplus"),   # two Indian Navy actions against pirates in the Gulf of Aden
])
def test_two_events_of_one_kind_are_different_stories(ecb, a, b):
    report = storydiff.compare([ecb[a], ecb[b]])
    assert not report.same_story
    [notice] = [f for f in report.by_kind("notice") if f.type == "different_stories"]
    assert sorted(notice.docs) == sorted([a, b])
    assert _cross_findings(report) == []


def test_own_main_people_count_against_one_story(ecb):
    # each Gulf of Aden report is about its own ship and people, which the other never names
    claims = analyze([ecb["12_16ecb"], ecb["12_2ecbplus"]])
    assert own_actors(claims["12_16ecb"], claims["12_2ecbplus"]) > 0
    # the two Tara Reid reports share their main person
    claims = analyze([ecb["1_1ecb"], ecb["1_15ecb"]])
    assert own_actors(claims["1_1ecb"], claims["1_15ecb"]) == 0


def test_tied_main_people_decide_the_same_in_every_process(ecb):
    # 7_6ecbplus names Thompson and Klitschko equally often; 7_8ecb names Klitschko too, so
    # 7_6ecbplus has no main person of its own. Before, the tie went to whichever key came
    # first in a set, i.e. to the process's string hashing (PYTHONHASHSEED 1: 7.0, 2: 0.0).
    code = ("import json, sys; from storydiff import Document; from storydiff.analyze import analyze; "
            "from storydiff.story import own_actors; d = json.loads(sys.stdin.read()); "
            "c = analyze([Document(k, t) for k, t in d]); print(own_actors(c[d[0][0]], c[d[1][0]]))")
    pair = json.dumps([[k, ecb[k].text] for k in ("7_8ecb", "7_6ecbplus")])
    results = {subprocess.run([sys.executable, "-c", code], input=pair, capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2")}
    assert results == {"0.0"}


def _alignment(*docs):
    return align(analyze(list(docs)))


def test_main_event_groups_every_sentence_that_tells_it(ecb):
    # two reports of Tara Reid entering rehab: the event spans both, many sentences to many
    al = _alignment(ecb["1_1ecb"], ecb["1_15ecb"])
    [event] = al.events
    assert sorted(event.docs) == ["1_15ecb", "1_1ecb"]
    assert {c.doc for c in event.anchors} == {"1_15ecb", "1_1ecb"}
    assert all(c.index < EVENT_LEAD for c in event.anchors)
    assert any(sum(c.doc == d for c in event.claims) > 1 for d in event.docs)
    # the grouping is a subset of the claims, not every sentence glued together
    assert len(event.claims) < len(al.claims)
    assert [c.start for c in _alignment(ecb["1_1ecb"], ecb["1_15ecb"]).events[0].claims] == \
        [c.start for c in event.claims]


def test_no_event_across_different_stories(ecb):
    al = _alignment(ecb["1_5ecb"], ecb["1_1ecbplus"])
    assert len(al.groups) == 2 and al.events == []


def test_no_event_unless_the_story_is_sure(ecb):
    al = _alignment(ecb["1_1ecb"], ecb["1_15ecb"])
    unsure = {pair: EVENT_SURE - 0.01 for pair in al.story_scores}
    assert main_event(al.claims, al.support, al.groups[0], unsure) is None
