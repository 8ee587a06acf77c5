"""storydiff.trees: the numpy path and the row-by-row walk give the same probabilities on shipped models."""
from __future__ import annotations

import numpy as np
import pytest

from storydiff import trees
from storydiff.corpus import clustering
from storydiff.findings import swaps

MODELS = {
    "swaps (float64 rows)": (swaps.load_model, np.float64),
    "same story (float32 rows)": (clustering.load_model, np.float32),
}


def _rows(model: dict, n: int, dtype, seed: int = 7) -> np.ndarray:
    """Rows whose values sit on the model's own split points: each value is a threshold the model
    tests that feature against (the `<=` edge), the next value above it, or missing (NaN), so every
    comparison that could go either way is exercised."""
    rng = np.random.default_rng(seed)
    by_feature: dict[int, list[float]] = {}
    for tree in model["trees"]:
        for f, t, leaf in zip(tree["f"], tree["t"], tree["leaf"]):
            if not leaf:
                by_feature.setdefault(f, []).append(t)
    x = np.zeros((n, len(model["features"])), dtype=dtype)
    for f, ts in by_feature.items():
        at = np.asarray(ts).astype(dtype)[rng.integers(len(ts), size=n)]
        above = np.nextafter(at, np.asarray(np.inf, dtype=dtype))
        x[:, f] = np.select([rng.random(n) < 0.4, rng.random(n) < 0.6], [at, above], np.nan)
    return x


@pytest.mark.parametrize("name", MODELS)
def test_numpy_path_and_walk_agree_to_the_last_bit(name):
    load, dtype = MODELS[name]
    model = load()
    x = _rows(model, 500, dtype)
    assert len(x) > trees.FEW_ROWS
    whole = trees.predict(x, model)  # numpy path
    walked = np.concatenate([trees.predict(x[s:s + trees.FEW_ROWS], model)  # row by row
                             for s in range(0, len(x), trees.FEW_ROWS)])
    assert np.array_equal(whole, walked)
    # both sides of many splits were taken: the rows are not all sent the same way
    assert len(np.unique(whole)) > 100


def test_walk_without_prepared_thresholds_matches():
    """A model dict built in memory (training, tests) has no thresholds prepared by load()."""
    model = swaps.load_model()
    bare = {k: v for k, v in model.items() if k != trees._PREPARED}
    x = _rows(model, trees.FEW_ROWS, np.float64, seed=3)
    assert np.array_equal(trees.predict(x, bare), trees.predict(x, model))
    # float32 rows against thresholds kept in float64 would split differently at the edges
    x32 = x.astype(np.float32)
    assert np.array_equal(trees.predict(x32, bare), trees.predict(x32, model))
