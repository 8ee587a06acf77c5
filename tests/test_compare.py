"""The compare engine on the seed pair: EXPECTED.md as tests (model-heavy, marked slow)."""
from __future__ import annotations

import json

import pytest

import storydiff
from storydiff import Document, InputError
from storydiff.cli import main

from conftest import SEED_A, SEED_B

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def report():
    return storydiff.compare([storydiff.load(str(SEED_A)), storydiff.load(str(SEED_B))])


def _ids(report):
    return [d.id for d in report.documents]


def _text_of(report, ev):
    return report.document(ev.doc).text[ev.start:ev.end]


def _findings_touching(report, kind, doc, needle):
    """Findings of ``kind`` with evidence in ``doc`` whose text contains ``needle``."""
    out = []
    for f in report.by_kind(kind):
        for ev in f.claims:
            if ev.doc.startswith(doc) and needle.lower() in _text_of(report, ev).lower():
                out.append(f)
                break
    return out


def test_evidence_offsets_index_the_cleaned_text(report):
    for f in report.findings:
        for ev in f.claims:
            assert _text_of(report, ev) == ev.text
            assert 0 <= ev.start < ev.end <= len(report.document(ev.doc).text)


def test_conflict_1_number_300_vs_800_ranked_first(report):
    first = report.conflicts[0]
    assert first.type == "number"
    values = sorted(first.values.values())
    assert values == ["Around 300", "about 800"]
    assert {_text_of(report, ev) for ev in first.claims} == {"Around 300", "about 800"}
    # the two sides read in the order of the inputs, whichever value the swap model flagged
    order = [d.id for d in report.documents]
    assert first.docs == order and [ev.doc for ev in first.claims] == order and list(first.values) == order
    assert first.summary.startswith(f"Different figures: Around 300 ({order[0]}) vs about 800")


def test_conflict_2_membership_set_difference(report):
    [f] = [f for f in report.conflicts if f.type == "membership"]
    a, b = _ids(report)
    only = f.details["only"]
    assert only[a] == ["The United States"]
    assert sorted(only[b]) == ["Germany", "The Netherlands"]
    assert sorted(f.details["both"]) == ["Canada", "France", "UK"]
    assert a in f.details["hedged"]  # "among other countries" softens it
    assert f.confidence < report.conflicts[0].confidence


def test_conflict_3_no_tension_read_into_a_negation_about_something_else(report):
    """000: Putin likely discusses their safety with Trump; 002: no evacuation is on the
    summit agenda. A softer tension (EXPECTED.md, item 3) that shares no denied verb: left
    out, as the 31 such pairs in 400 real ECB+ pairs were nearly all noise."""
    assert [f.type for f in report.conflicts] == ["number", "membership"]


@pytest.mark.slow
@pytest.mark.parametrize("a,b,found", [
    ("Coach Smith did not attend the meeting in Boston on Monday, officials said. The team lost.",
     "Coach Smith attended the meeting in Boston on Monday, officials said. The team lost again.", True),
    # ECB+ topic 7: one negation, two shared people, nothing the other report states denied
    ("Thompson just didn't have a shot in there, and Klitschko won in the sixth round.",
     "Wladimir Klitschko defeats Tony Thompson in six rounds. Klitschko won in the sixth round.", False),
    ("There is no doubt that Klitschko signed the contract in Bern on Friday.",
     "Klitschko signed the contract in Bern on Friday.", False)])
def test_polarity_is_a_denial_of_what_the_other_states(a, b, found):
    report = storydiff.compare([Document("a", a), Document("b", b)])
    assert any(f.type == "polarity" for f in report.conflicts) is found
    # a denial is not also listed as a fact both corroborate
    assert not found or not any(f.type == "corroborated" and "attend" in f.summary for f in report.agreements)


def test_no_conflict_on_1000_volunteers_or_the_quote(report):
    for f in report.conflicts:
        texts = " ".join(_text_of(report, ev) for ev in f.claims)
        assert "1000" not in texts and "1,000" not in texts
        assert f.type != "attribution"


@pytest.mark.parametrize("needle_a, needle_b", [
    ("1000 volunteers", "1,000 volunteers"),
    ("no retribution", "no retribution"),
    ("NATO", "NATO summit"),
    ("terrorists", "extremist"),
    ("Helsinki", "summit with Russian President"),
    ("escape routes", "escape routes"),
])
def test_agreements(report, needle_a, needle_b):
    a, b = _ids(report)
    fa = _findings_touching(report, "agreement", a, needle_a)
    fb = _findings_touching(report, "agreement", b, needle_b)
    assert any(f in fb for f in fa), f"no agreement joins {needle_a!r} and {needle_b!r}"


@pytest.mark.parametrize("doc, needle", [
    (0, "Garrett Marquis"), (0, "CNN"), (0, "Israel"),
    (1, "East Ghouta"), (1, "conscripted"), (1, "Chequers"), (1, "115,000 lives"), (1, "Raed al-Fares"),
    # not yet: 000's "without the help of Moscow" and 002's "aerial evacuation" are aligned
    # with each other (both about evacuating with or without Russia) instead of listed as only-in
])
def test_only_in_one_source(report, doc, needle):
    assert _findings_touching(report, "omission", _ids(report)[doc], needle), f"{needle!r} not reported as only-in"


def test_boilerplate_and_caption_produce_no_finding(report):
    a, b = _ids(report)
    assert "Leave a Reply" not in report.document(a).text
    assert "(File)" not in report.document(b).text
    for f in report.findings:
        for ev in f.claims:
            assert "comment" not in ev.text.lower()


def test_json_output_equals_to_dict(report, capsys):
    assert main(["compare", str(SEED_A), str(SEED_B), "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    expected = report.to_dict()
    out["meta"].pop("seconds"), expected["meta"].pop("seconds")
    assert out == expected


def test_same_input_same_report():
    docs = [storydiff.load(str(SEED_A)), storydiff.load(str(SEED_B))]
    one, two = storydiff.compare(docs).to_dict(), storydiff.compare(docs).to_dict()
    one["meta"].pop("seconds"), two["meta"].pop("seconds")
    assert one == two


def test_three_documents_k_of_n():
    a, b = storydiff.load(str(SEED_A)), storydiff.load(str(SEED_B))
    c = Document("002-copy-edit", b.text.replace("about 800", "about 300"))
    r = storydiff.compare([a, b, c])
    nums = [f for f in r.conflicts if f.type == "number"]
    assert any(set(f.docs) == {"002-copy-edit", b.id} for f in nums)  # 800 vs 300 between b and c
    assert any(f.details.get("k") == 3 for f in r.agreements)


def test_identical_documents_are_named_and_compared_once():
    a = storydiff.load(str(SEED_A))
    r = storydiff.compare([a, Document("copy", a.text), storydiff.load(str(SEED_B))])
    assert r.duplicates == {"copy": a.id}
    assert [d.id for d in r.documents] == [a.id, "002_8f6d2378353e125f"]
    assert r.findings[0].kind == "notice" and "copy" in r.findings[0].summary


def test_single_document_is_an_error(capsys):
    with pytest.raises(InputError, match="at least two"):
        storydiff.compare([storydiff.load(str(SEED_A))])
    assert main(["compare", str(SEED_A)]) != 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "at least two" in err[0]


@pytest.mark.parametrize("text, message", [("word " * 500_001, "too large"), (b"bytes", "must be a string"),
                                           ("Be the first to comment", "empty after cleaning")])
def test_bad_documents_built_by_hand(text, message):
    with pytest.raises(InputError, match=message):
        storydiff.compare([Document("bad", text), storydiff.load(str(SEED_A))])
