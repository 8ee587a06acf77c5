"""benchmarks/train_swaps.py: which candidate rows the swap models learn from."""
from __future__ import annotations

import sys

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
