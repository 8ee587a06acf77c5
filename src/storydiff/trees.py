"""Small boosted-tree models shipped as JSON and evaluated with numpy alone.

Conflict detection (findings/swaps.py) and story clustering (corpus/clustering.py)
each weigh many weak signals with gradient-boosted trees fitted offline with
scikit-learn (benchmarks/train_swaps.py, benchmarks/train_stories.py). The engine
must not depend on scikit-learn, so a fitted model is written out as plain arrays
and walked here.

Format: {"features": [names], "baseline": raw score, "trees": [tree, ...], ...} where
each tree gives, per node: "f" feature index, "t" threshold (a value at or below it
goes left), "l"/"r" children, "v" leaf value, "leaf", and optionally "nan_left"
(where a missing value goes; without it, to the right). load() adds the trees in the
form _walk reads them, thresholds converted to float32 and float64 (_PREPARED).
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np


_PREPARED = "walk"  # key load() adds: dtype name -> the trees as _walk reads them (_walkable)


@lru_cache(maxsize=None)
def load(path: Path, features: tuple[str, ...]) -> dict:
    """A model file, checked against the features the caller computes."""
    model = json.loads(path.read_text(encoding="utf-8"))
    if tuple(model["features"]) != features:
        raise RuntimeError(f"{path}: the model was trained on other features; rebuild it")
    model[_PREPARED] = {name: _walkable(model, np.dtype(name)) for name in ("float32", "float64")}
    return model


FEW_ROWS = 64  # up to here rows are walked one by one: 8 rows 0.5 ms instead of 4.6 ms (crossover ~100)


def predict(x: np.ndarray, model: dict, chunk: int = 200_000) -> np.ndarray:
    """Probability per row of ``x`` (compared in x's own float precision).

    Each tree is walked once for all rows: a node's test is one comparison over a
    feature column, and the rows reaching each leaf add its value. A few rows (the
    candidates of one compare) are walked one by one instead (_walk): thousands of
    numpy calls on tiny arrays cost more than the walk. Both add the same leaf values
    in the same order, so they give the same probabilities to the last bit.
    """
    if len(x) <= FEW_ROWS:
        return _walk(x, model)
    out = np.empty(len(x), dtype=np.float64)
    for s in range(0, len(x), chunk):
        block = np.asfortranarray(x[s:s + chunk])
        raw = np.full(len(block), model["baseline"], dtype=np.float64)
        for tree in model["trees"]:
            nan_left = tree.get("nan_left")
            stack = [(0, None)]   # (node, rows reaching it; None = all)
            while stack:
                node, reach = stack.pop()
                if tree["leaf"][node]:
                    raw += tree["v"][node] if reach is None else tree["v"][node] * reach
                    continue
                column = block[:, tree["f"][node]]
                left = column <= block.dtype.type(tree["t"][node])
                if nan_left and nan_left[node]:
                    left |= np.isnan(column)
                stack.append((tree["l"][node], left if reach is None else reach & left))
                stack.append((tree["r"][node], ~left if reach is None else reach & ~left))
        out[s:s + chunk] = 1 / (1 + np.exp(-raw))
    return out


def _walk(x: np.ndarray, model: dict) -> np.ndarray:
    """predict() for a few rows: each row goes down each tree in plain Python, its score
    summed tree by tree from the baseline as in the numpy path."""
    walkable = model.get(_PREPARED, {}).get(x.dtype.name) or _walkable(model, x.dtype)
    raw = []
    for row in x.tolist():
        score = model["baseline"]
        for feature, leaf, left, right, value, threshold, nan_left in walkable:
            node = 0
            while not leaf[node]:
                v = row[feature[node]]
                node = left[node] if v <= threshold[node] or (v != v and nan_left[node]) else right[node]
            score += value[node]
        raw.append(score)
    return 1 / (1 + np.exp(-np.array(raw, dtype=np.float64)))


def _walkable(model: dict, dtype: np.dtype) -> list[tuple]:
    """Per tree (feature, leaf, left, right, value, threshold, nan_left) lists, the thresholds
    as Python floats in `dtype`'s precision: a row's value at or below one goes left exactly
    as in predict()'s numpy path. load() prepares them for float32 and float64 rows."""
    return [(t["f"], t["leaf"], t["l"], t["r"], t["v"], np.asarray(t["t"]).astype(dtype).tolist(),
             t.get("nan_left") or [False] * len(t["f"])) for t in model["trees"]]


def from_sklearn(fitted, features: tuple[str, ...], **extra) -> dict:
    """A fitted HistGradientBoostingClassifier (binary) in the format above."""
    trees = []
    for (predictor,) in fitted._predictors:
        nodes = predictor.nodes
        trees.append({"f": nodes["feature_idx"].astype(int).tolist(), "t": nodes["num_threshold"].astype(float).tolist(),
                      "l": nodes["left"].astype(int).tolist(), "r": nodes["right"].astype(int).tolist(),
                      "v": nodes["value"].astype(float).tolist(), "leaf": nodes["is_leaf"].astype(bool).tolist(),
                      "nan_left": nodes["missing_go_to_left"].astype(bool).tolist()})
    return {"features": list(features), "baseline": float(np.ravel(fitted._baseline_prediction)[0]),
            **extra, "trees": trees}
