"""Fit the name-swap model (src/storydiff/findings/names_model.json) on the dev conflict cases.

    pip install -e ".[train]"
    python3 benchmarks/train_names.py            # held-out figures, then writes the model
    python3 benchmarks/train_names.py --dry-run  # held-out figures only

Examples come from the engine itself (storydiff.findings.names.name_candidates on
each case's two reports), so training and use see the same features. Positives:
the injected person/place names; negatives: every candidate in the untouched
control pairs (real reports name people and places the other never gives). The
threshold is read off held-out scores (5 folds by ECB+ topic, so no story is
both trained and scored) at the chosen budget of name conflicts per real pair.
Needs scikit-learn (the `train` extra); the engine itself does not.
"""
from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
BUDGET = 0.2          # name conflicts per untouched real pair at the threshold
PARAMS = dict(max_iter=150, learning_rate=0.1, max_leaf_nodes=4, class_weight="balanced", random_state=0)


def examples(cases: list[dict]) -> tuple[np.ndarray, np.ndarray, list[tuple[str, str, str]]]:
    """Feature rows, labels and (case, case type, topic) for every name candidate."""
    from storydiff import Document
    from storydiff.align import align
    from storydiff.analyze import analyze
    from storydiff.findings import _prepare
    from storydiff.findings.conflicts import DocView
    from storydiff.findings.names import name_candidates

    X, y, meta = [], [], []
    for n, case in enumerate(cases):
        a, b = case["a"], case["b"]
        docs, _ = _prepare([Document(a["id"], a["text"]), Document(b["id"], b["text"])])
        if len(docs) < 2:
            continue
        claims = analyze(docs)
        al = align(claims)
        idx = {d.id: [al.index(c) for c in claims[d.id]] for d in docs}
        views = {d: DocView(cl) for d, cl in claims.items()}
        injected = case["type"] != "control"
        spans = case.get("b_spans") or [case["b_span"]]
        b_clean = next(d for d in docs if d.id == b["id"]).text == b["text"]
        for x, yd in ((a["id"], b["id"]), (b["id"], a["id"])):
            block = np.ix_(idx[x], idx[yd])
            for _, vy, feats in name_candidates(claims[x], claims[yd], views[x], views[yd],
                                                al.sim[block], al.support[block]):
                pos = injected and yd == b["id"] and b_clean and any(vy.start < e and s < vy.end for s, e in spans)
                if injected and not pos:
                    continue  # off-site candidates of injected cases: their control twin has them
                X.append(feats)
                y.append(int(pos))
                meta.append((case["case"], case["type"], case["story"].split("_")[0]))
        if n % 100 == 0:
            print(f"  {n}/{len(cases)} cases, {len(X)} candidates", file=sys.stderr)
    return np.array(X, dtype=float), np.array(y), meta


def held_out(X: np.ndarray, y: np.ndarray, meta: list, folds: int = 5) -> np.ndarray:
    from sklearn.ensemble import HistGradientBoostingClassifier

    topic = np.array([m[2] for m in meta])
    topics = sorted(set(topic), key=lambda t: int(t) if t.isdigit() else t)
    p = np.zeros(len(y))
    for k in range(folds):
        test = np.isin(topic, topics[k::folds])
        model = HistGradientBoostingClassifier(**PARAMS).fit(X[~test], y[~test])
        p[test] = model.predict_proba(X[test])[:, 1]
    return p


def figures(p: np.ndarray, meta: list, counts: Counter, budget: float) -> tuple[float, dict]:
    """Threshold at ``budget`` flagged names per control pair, and the recall it gives."""
    ctype = np.array([m[1] for m in meta])
    ranked = np.sort(p[ctype == "control"])[::-1]
    threshold = float(ranked[min(len(ranked) - 1, int(budget * counts["control"]))])
    recall = {}
    for t in ("place", "person"):
        hit = {meta[i][0] for i in np.flatnonzero((ctype == t) & (p > threshold))}
        recall[t] = round(len(hit) / max(1, counts[t]), 3)
    return threshold, recall


def export(model, threshold: float) -> dict:
    """The fitted trees as plain JSON, evaluated by storydiff.findings.names.score."""
    from storydiff.findings.names import FEATURES

    trees = []
    for (predictor,) in model._predictors:
        trees.append([{"leaf": bool(n["is_leaf"]), "v": float(n["value"]), "f": int(n["feature_idx"]),
                       "t": float(n["num_threshold"]), "nan_left": bool(n["missing_go_to_left"]),
                       "l": int(n["left"]), "r": int(n["right"])} for n in predictor.nodes])
    return {"features": list(FEATURES), "baseline": float(np.ravel(model._baseline_prediction)[0]),
            "threshold": threshold, "params": {k: v for k, v in PARAMS.items() if k != "class_weight"},
            "trees": trees}


def main(argv: list[str] | None = None) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier

    from storydiff.findings import names

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dry-run", action="store_true", help="print held-out figures, do not write the model")
    args = ap.parse_args(argv)
    cases = [json.loads(line) for line in open(EVAL / "data" / "conflicts-dev.jsonl", encoding="utf-8")]
    counts = Counter(c["type"] for c in cases)
    X, y, meta = examples(cases)
    p = held_out(X, y, meta)
    print(f"{len(y)} candidates, {int(y.sum())} injected names")
    for budget in (0.1, 0.2, 0.3, 0.5):
        t, recall = figures(p, meta, counts, budget)
        print(f"held-out, {budget:.1f} name conflicts per real pair: threshold {t:.3f}, recall {recall}")
    threshold, recall = figures(p, meta, counts, BUDGET)
    model = HistGradientBoostingClassifier(**PARAMS).fit(X, y)
    exported = export(model, threshold)
    check = np.array([names.score(list(row), exported) for row in X[:200]])
    assert np.allclose(check, model.predict_proba(X[:200])[:, 1], atol=1e-6), "exported trees disagree"
    print(json.dumps({"threshold": threshold, "held_out_recall": recall, "budget": BUDGET}))
    if not args.dry_run:
        names.MODEL_PATH.write_text(json.dumps(exported, separators=(",", ":")), encoding="utf-8")
        print(f"wrote {names.MODEL_PATH}")


if __name__ == "__main__":
    main()
