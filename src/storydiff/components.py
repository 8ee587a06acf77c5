"""Connected components of a graph given as index pairs (union-find).

Shared by the compare side (facts from claim links, story groups of documents) and
the corpus side (components before agglomeration); kept free of scipy so the
compare path does not pay its import time.
"""
from __future__ import annotations

from typing import Iterable


def components(n: int, pairs: Iterable[tuple[int, int]]) -> list[int]:
    """The component of each of ``n`` items, labelled by its smallest member."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    for a, b in pairs:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return [find(i) for i in range(n)]
