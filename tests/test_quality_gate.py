"""Accuracy gate (like trafilatura's eval gate): a fixed slice of the dev cases, scored
by the shared scorers, with floors just under today's scores. It fails when finding
quality drops; the full figures come from `python3 benchmarks/run.py`."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

import storydiff
from storydiff import Document

from conftest import EVAL

pytestmark = pytest.mark.slow

CONFLICT_SLICE = 24     # injected cases (every k-th), with their control twins
ALIGNMENT_SLICE = 30    # pairs (every k-th), distractors included


def _jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _every(items, n):
    step = max(1, len(items) // n)
    return items[::step][:n]


def _score(args):
    out = subprocess.run([sys.executable, *map(str, args)], capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def _write(out_dir, name, docs):
    (out_dir / name).write_text(json.dumps(storydiff.compare(docs).to_dict()), encoding="utf-8")


def test_conflict_detection_gate(tmp_path):
    cases = _jsonl(EVAL / "data" / "conflicts-dev.jsonl")
    by_id = {c["case"]: c for c in cases}
    injected = _every([c for c in cases if c["type"] != "control"], CONFLICT_SLICE)
    chosen = injected + [by_id[c["pair"]] for c in injected]
    for c in chosen:
        _write(tmp_path, c["case"] + ".json", [Document(c["a"]["id"], c["a"]["text"]),
                                               Document(c["b"]["id"], c["b"]["text"])])
    subset = tmp_path / "cases.jsonl"
    subset.write_text("".join(json.dumps(c) + "\n" for c in chosen), encoding="utf-8")
    m = _score([EVAL / "score_conflicts.py", subset, tmp_path])
    assert m["missing"] == 0 and m["invalid"] == 0
    assert m["recall"] >= FLOORS["conflict_recall"], m
    assert m["discrimination"] >= FLOORS["discrimination"], m
    assert m["control_site_false_alarm"] <= FLOORS["max_site_false_alarm"], m
    assert m["control_conflicts_per_pair"] <= FLOORS["max_conflicts_per_control"], m


def test_alignment_gate(tmp_path):
    docs = {d["id"]: d for d in _jsonl(EVAL / "data" / "ecbplus-dev.jsonl")}
    pairs = _every(_jsonl(EVAL / "data" / "pairs-dev.jsonl"), ALIGNMENT_SLICE)
    for p in pairs:
        _write(tmp_path, f"{p['a']}__{p['b']}.json", [Document(p["a"], docs[p["a"]]["text"]),
                                                     Document(p["b"], docs[p["b"]]["text"])])
    pairs_file = tmp_path / "pairs.jsonl"
    pairs_file.write_text("".join(json.dumps(p) + "\n" for p in pairs), encoding="utf-8")
    m = _score([EVAL / "score_alignment.py", EVAL / "data" / "ecbplus-dev.jsonl", tmp_path, "--pairs", pairs_file])
    assert m["with_distractors"]["f1"] >= FLOORS["alignment_f1"], m
    assert m["distractor_pairs_flagged"] <= FLOORS["max_distractors_flagged"], m


# Today on these slices (session 22): conflict recall 0.958, discrimination 0.875, site false
# alarms 2 of 24, 0.75 conflicts per control pair. The second false alarm (dev-0567: "fired
# Coach Maurice Cheeks Saturday morning" set against "Friday's 88-72 setback") came with the
# retrained model; on all 400 control pairs site false alarms went 13 -> 14 (0.035) and held out
# stayed 0.0425, both under the 0.05 target, so the slice's ceiling is two in 24 now.
# Session 20: conflict recall 0.875, discrimination 0.833, site false
# alarms 1 of 24, 0.625 conflicts per control pair (session 18: the same, 0.75); alignment F1
# with distractors 0.703, 33% of distractor pairs aligned (session 18). The swap model was fitted on all dev cases, so this slice is
# in-sample for it (held out: benchmarks/train_swaps.py --engine-check). Since session 18 it
# also learns from many injected cases and fits these less closely: the slice's figures fell
# (session 16: 0.958, 0.958, 0 of 24, 0.542) while those with topics held out rose
# (CHANGELOG). Earlier: session 13: 0.958, 0.917, 1 of 24, 0.708; 0.633, 44%; session 12:
# 0.917, 0.875, 1 of 24, 0.625; session 11: 0.917, 0.875, 1 of 24, 0.54; session 10: 0.875,
# 0.79, 2 of 24, 0.71; session 8: 0.875, 0.875, 0 of 24, 0.67; session 4: 0.833, 0.833, 0,
# 0.42. Raise the floors when quality improves; each conflict floor allows one case fewer (or
# one conflict more) than today, the site ceiling today's false alarms, the alignment floors
# one distractor pair more.
FLOORS = {
    "conflict_recall": 0.91, "discrimination": 0.83, "max_site_false_alarm": 0.09, "max_conflicts_per_control": 0.8,
    "alignment_f1": 0.66, "max_distractors_flagged": 0.45,
}
