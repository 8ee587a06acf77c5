"""benchmarks/train_swaps.py: which candidate rows the swap model learns from, and how."""
from __future__ import annotations

import sys

import numpy as np

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import train_swaps  # noqa: E402


def test_an_injected_value_learns_from_the_counterpart_it_replaced():
    # rows: (value, counterpart text, best slot?, features); two values of one injected case
    sunday, friday = ("dev-0001", "a", 10), ("dev-0001", "a", 40)
    found = [(sunday, "Monday", True, []), (sunday, "Sunday, March 1", False, []),
             (friday, "Friday", True, []), (friday, "May", False, [])]
    # "Sunday" was replaced: its row against "Sunday, March 1" is learned, the other only scored;
    # no counterpart of the second value is written like it, so its best-slot row is learned
    assert train_swaps._labels(found, True, "Sunday") == [-1, 1, 1, -1]
    assert train_swaps._labels(found, False, "Sunday") == [0, 0, 0, 0]


def test_every_kind_trains_one_model_in_its_own_columns():
    from storydiff.findings import swaps

    sizes = dict(zip(swaps.KINDS, (2, 3, 1)))
    data = {kind: (np.full((n, len(swaps.FEATURES[kind])), float(i + 1)), np.arange(n) % 2,
                   [(kind, j) for j in range(n)]) for i, (kind, n) in enumerate(sizes.items())}
    X, y, meta, at = train_swaps.pooled(data)
    assert X.shape == (6, len(swaps.COLUMNS)) and list(y) == [0, 1, 0, 1, 0, 0]
    for i, kind in enumerate(swaps.KINDS):
        rows = X[at[kind]]
        assert [m[0] for m in meta[at[kind]]] == [kind] * len(rows)
        assert (rows[:, swaps.COLUMNS.index(f"is_{kind}")] == 1).all()
        assert (rows[:, swaps.COLUMNS.index("slot")] == i + 1).all()   # shared columns filled by every kind


def test_fold_draws_hold_out_every_topic_once_and_draw_0_keeps_topic_order():
    topics = {str(t) for t in range(1, 37)} - {"15", "17"}
    first = train_swaps._fold_of(topics)
    assert [t for t in sorted(topics, key=int) if first[t] == 0][:3] == ["1", "6", "11"]
    draws = [train_swaps._fold_of(topics, draw=d) for d in (1, 2)]
    for fold in (first, *draws):
        assert set(fold) == topics and sorted(set(fold.values())) == [0, 1, 2, 3, 4]
        assert max(list(fold.values()).count(k) for k in range(5)) - min(list(fold.values()).count(k)
                                                                       for k in range(5)) <= 1
    assert draws[0] != first and draws[0] != draws[1]
    assert train_swaps._fold_of(topics, draw=1) == draws[0]   # a draw is reproducible
