"""Story clustering: the second-stage graph features and the shipped two-stage model."""
from __future__ import annotations

import numpy as np
import pytest

from storydiff.corpus.clustering import (GRAPH_FEATURES, PAIR_FEATURES, graph_features, load_graph_model,
                                         story_probabilities)


def two_events_bridged() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Articles 0-2 report one event, 3-5 another; 2-3 look alike (0.9), 0-3 a little (0.2)."""
    edges = [(0, 1, .9), (0, 2, .9), (1, 2, .9), (3, 4, .9), (3, 5, .9), (4, 5, .9), (2, 3, .9), (0, 3, .2)]
    rows, cols, first = (np.array(v) for v in zip(*edges))
    return rows, cols, first.astype(np.float32)


def column(z: np.ndarray, name: str) -> np.ndarray:
    return z[:, GRAPH_FEATURES.index(name)]


def test_graph_features_see_that_a_bridge_has_no_support_from_either_side() -> None:
    rows, cols, first = two_events_bridged()
    x = np.arange(len(rows) * len(PAIR_FEATURES), dtype=np.float32).reshape(len(rows), -1)
    z = graph_features(6, rows, cols, x, first)
    assert z.shape == (len(rows), len(GRAPH_FEATURES))
    assert np.array_equal(z[:, :len(PAIR_FEATURES)], x)          # the pair features pass through
    bridge, inside = 6, 0                                         # pairs (2, 3) and (0, 1)
    # 2 -> 3's partners 4, 5: no link; 3 -> 2's partners 0, 1: 0.2 to 0; each over 2 partners + 1
    assert column(z, "to_group_min")[bridge] == pytest.approx(0)
    assert column(z, "to_group_max")[bridge] == pytest.approx(0.2 / 3)
    # 0 -> 1's other partner 2 (0.9) and back, over 1 partner + 1
    assert column(z, "to_group_min")[inside] == pytest.approx(0.45)
    assert column(z, "strong_jaccard")[bridge] == 0               # {0, 1, 3} and {2, 4, 5}
    assert column(z, "strong_jaccard")[inside] == pytest.approx(1 / 3)   # {1, 2} and {0, 2}
    assert column(z, "strong_degree_min")[bridge] == 3
    assert column(z, "neighbours_cosine")[inside] > column(z, "neighbours_cosine")[bridge]


def test_shipped_graph_model_reads_the_features_computed_here() -> None:
    assert len(load_graph_model()["trees"]) > 0
    rows, cols, first = two_events_bridged()
    x = np.zeros((len(rows), len(PAIR_FEATURES)), dtype=np.float32)
    p = story_probabilities(6, rows, cols, x)
    assert p.shape == (len(rows),) and np.all((p >= 0) & (p <= 1))
