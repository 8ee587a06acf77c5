"""Fit the two-stage same-story model (src/storydiff/corpus/story_model.json and
story_graph_model.json) on ECB+ dev.

    pip install -e ".[train]"
    python3 benchmarks/train_stories.py               # held-out figures, then writes the models
    python3 benchmarks/train_stories.py --dry-run     # held-out figures only
    python3 benchmarks/train_stories.py --dry-run --splits 4   # cross-fit over 4 topic partitions

Examples come from the clustering itself (storydiff.corpus.clustering.pair_features
on the candidate pairs of the articles being clustered), so training and use see the
same features; the label is whether ECB+ puts both articles in one story. The first
stage scores each pair on its own features; the second scores it again with what the
first stage's probabilities over the whole candidate graph say
(storydiff.corpus.clustering.graph_features). The second stage is trained on
first-stage probabilities that are themselves held out (an inner cross-fit by topic
over the training topics), because that is what it sees on new articles.

Every figure printed is held out by topic, so no story is both trained and scored:

- 5-fold cross-fit: each pair scored by models that never saw its topic, then all dev
  articles clustered with those probabilities; with ``--splits N``, repeated over N
  partitions of the topics into folds (the first is topic number mod 5, the others
  random), which is how the threshold is chosen: one partition moves F1 by about 0.01
  with a single merge or split of a story;
- leave-topics-out: odd topics clustered on their own with models fitted on the even
  topics alone (features computed on that half only), and the reverse;
- by corpus size: random corpora of n articles drawn from a few held-out topics,
  clustered by the similarity and by the half model, to show from what size on the
  model is no worse in precision and better in F1 (``Params.model_from``).

Needs scikit-learn (the `train` extra); the engine itself does not. Fitting runs on
one thread: the machine is shared, and oversubscribed OpenMP threads made each fit
twenty times slower.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
EVAL = ROOT.parent / "shared" / "eval"
DEV = EVAL / "data" / "ecbplus-dev.jsonl"
OUT = ROOT / "benchmarks" / "out"
PARAMS = dict(max_iter=200, learning_rate=0.05, max_leaf_nodes=8, min_samples_leaf=20,
              early_stopping=False, random_state=0)
FOLDS = 5
INNER = 4        # inner folds (by topic) for the held-out first-stage probabilities
THRESHOLDS = (0.4, 0.45, 0.5, 0.55, 0.6, 0.7)
SIZES = (30, 100, 200, 300)


def dev_features():
    """(ids, gold stories, topics, Features) of every dev article as ``storydiff cluster`` reads
    them, cached under benchmarks/out/ per version of features.py (also what corpus.py's scale
    part resamples)."""
    from storydiff.corpus import features as module
    from storydiff.corpus.features import extract
    from storydiff.corpus.ingest import read_for_clustering

    version = hashlib.sha256(Path(module.__file__).read_bytes()).hexdigest()[:12]
    cache = OUT / f"stories-dev-features-{version}.pkl"
    if cache.exists():
        with cache.open("rb") as f:
            return pickle.load(f)
    rows = {r["id"]: r for r in map(json.loads, DEV.open(encoding="utf-8"))}
    docs = read_for_clustering(str(DEV))
    feats = extract([(d.text, d.title, d.published) for d in docs])
    result = ([d.id for d in docs], [rows[d.id]["story"] for d in docs], np.array([int(rows[d.id]["topic"]) for d in docs]),
              feats)
    OUT.mkdir(parents=True, exist_ok=True)
    with cache.open("wb") as f:
        pickle.dump(result, f)
    return result


def examples(feats, gold: list[str]):
    """Candidate pairs, their features and labels, for these articles clustered on their own."""
    from storydiff.corpus.clustering import pair_features

    rows, cols, x = pair_features(feats)
    y = np.array([gold[a] == gold[b] for a, b in zip(rows.tolist(), cols.tolist())])
    return rows, cols, x, y


def training_groups(feats, gold: list[str], topic: np.ndarray, idx: np.ndarray) -> list[tuple]:
    """(articles, rows, cols, x, y) for these articles clustered together, and for each topic alone.

    A topic alone (two events of one kind, about 20 articles) has flatter IDF and
    closer neighbourhoods than the whole set; it teaches the model that regime too
    (held-out F1 better by about 0.01). Tiny corpora (2-3 articles per story) are
    not added: that cost held-out precision, and corpora under ``Params.model_from``
    articles are clustered by the similarity anyway.
    """
    out = []
    for group in [idx] + [idx[topic[idx] == t] for t in sorted(set(topic[idx].tolist()))]:
        out.append((group, *examples([feats[i] for i in group], [gold[i] for i in group])))
    return out


def fit(x: np.ndarray, y: np.ndarray):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return HistGradientBoostingClassifier(**PARAMS).fit(x, y)


def predict(model, x: np.ndarray) -> np.ndarray:
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):
        return model.predict_proba(x)[:, 1]


def fit_two_stage(feats, gold: list[str], topic: np.ndarray, idx: np.ndarray) -> tuple:
    """(first, second) stage models fitted on these articles' topics.

    The second stage learns from graph features built on held-out first-stage
    probabilities: the training topics are split into INNER folds, and each fold's
    pairs are scored by a first stage fitted without that fold's topics.
    """
    from storydiff.corpus.clustering import graph_features

    groups = training_groups(feats, gold, topic, idx)
    first = fit(np.vstack([g[3] for g in groups]), np.concatenate([g[4] for g in groups]))
    topics = sorted(set(topic[idx].tolist()))
    inner = {t: k % INNER for k, t in enumerate(topics)}
    held = [np.zeros(len(g[1])) for g in groups]
    for m in range(INNER):
        xs, ys = [], []
        for art, rows, cols, x, y in groups:
            a, b = _folds(inner, topic[art[rows]]), _folds(inner, topic[art[cols]])
            xs.append(x[(a != m) & (b != m)])
            ys.append(y[(a != m) & (b != m)])
        model = fit(np.vstack(xs), np.concatenate(ys))
        for k, (art, rows, cols, x, y) in enumerate(groups):
            test = _folds(inner, topic[art[rows]]) == m
            if test.any():
                held[k][test] = predict(model, x[test])
    z = [graph_features(len(art), rows, cols, x, p) for (art, rows, cols, x, _), p in zip(groups, held)]
    second = fit(np.vstack(z), np.concatenate([g[4] for g in groups]))
    return first, second


def _folds(inner: dict[int, int], topics: np.ndarray) -> np.ndarray:
    return np.array([inner[int(t)] for t in topics.tolist()], dtype=int)


def probabilities(models: tuple, n: int, rows, cols, x) -> np.ndarray:
    """Same-story probabilities of n articles' candidate pairs from (first, second) scikit-learn models."""
    from storydiff.corpus.clustering import graph_features

    first, second = models
    return predict(second, graph_features(n, rows, cols, x, predict(first, x)))


def export(model) -> dict:
    """Fitted trees in storydiff.trees' format, evaluated by storydiff.corpus.clustering.same_story."""
    from storydiff.corpus.clustering import GRAPH_FEATURES, PAIR_FEATURES
    from storydiff.trees import from_sklearn

    names = PAIR_FEATURES if model.n_features_in_ == len(PAIR_FEATURES) else GRAPH_FEATURES
    return from_sklearn(model, names, params=dict(PARAMS))


def cluster_scores(n: int, rows, cols, prob, ids: list[str], gold: list[str], thresholds=THRESHOLDS) -> dict:
    """B-cubed and ARI of average-link clustering on these probabilities, per threshold."""
    from storydiff.corpus.clustering import REACH, average_linkage

    sys.path.insert(0, str(EVAL))
    from score_clusters import all_metrics

    out = {}
    for th in thresholds:
        labels = average_linkage(n, rows, cols, prob.astype(np.float32), th, (), REACH)
        m = all_metrics({ids[i]: gold[i] for i in range(n)}, {ids[i]: int(labels[i]) for i in range(n)})
        out[th] = {k: round(m[k], 3) for k in ("bcubed_precision", "bcubed_recall", "bcubed_f1", "ari")}
    return out


def half_models(feats, gold, topic) -> dict:
    """For "odd" and "even": the model fitted on the other half's topics only."""
    return {test: fit_two_stage(feats, gold, topic, np.flatnonzero(topic % 2 != parity))
            for test, parity in (("odd", 1), ("even", 0))}


def leave_topics_out(feats, ids, gold, topic, thresholds=THRESHOLDS, models: dict | None = None) -> dict:
    """Odd topics clustered alone with a model fitted on even topics alone, and the reverse."""
    models = models or half_models(feats, gold, topic)
    out = {}
    for test, parity in (("odd", 1), ("even", 0)):
        idx = np.flatnonzero(topic % 2 == parity)
        rows, cols, x, _ = examples([feats[i] for i in idx], [gold[i] for i in idx])
        out[test] = cluster_scores(len(idx), rows, cols, probabilities(models[test], len(idx), rows, cols, x),
                                   [ids[i] for i in idx],
                                   [gold[i] for i in idx], thresholds)
    return out


def by_size(feats, ids, gold, topic, models: dict, sizes=SIZES, draws: int = 16, seed: int = 0) -> dict:
    """Mean B-cubed P/R/F1 and ARI of similarity vs held-out model on random corpora of each size.

    A corpus of n articles: a few topics of the held-out half taken whole, in random
    order, until there are n articles or more, then n of them drawn at random (so
    stories come partial, as in a stream). ``draws`` corpora per half and size.
    """
    from storydiff.corpus.clustering import DEFAULT, Params, pair_features, similarity_graph

    rng = np.random.default_rng(seed)
    similarity_only = Params(model_from=10**9)
    out = {}
    for n in sizes:
        acc: dict[str, list] = {"similarity": [], "model": []}
        for test, parity in (("odd", 1), ("even", 0)):
            half = np.flatnonzero(topic % 2 == parity)
            for _ in range(draws):
                pool: list[int] = []
                for t in rng.permutation(sorted(set(topic[half].tolist()))):
                    pool += half[topic[half] == t].tolist()
                    if len(pool) >= n:
                        break
                idx = np.sort(rng.choice(pool, min(n, len(pool)), replace=False))
                sub = [feats[i] for i in idx]
                ids_, gold_ = [ids[i] for i in idx], [gold[i] for i in idx]
                rows, cols, w, th = similarity_graph(sub, similarity_only)
                acc["similarity"].append(cluster_scores(len(idx), rows, cols, w, ids_, gold_, (th,))[th])
                rows, cols, x = pair_features(sub)
                prob = probabilities(models[test], len(idx), rows, cols, x)
                th = DEFAULT.model_threshold
                acc["model"].append(cluster_scores(len(idx), rows, cols, prob, ids_, gold_, (th,))[th])
        out[n] = {k: {m: round(float(np.mean([r[m] for r in v])), 3) for m in v[0]} for k, v in acc.items()}
        out[n]["corpora"] = len(acc["model"])
    return out


def cross_fit(feats, ids, gold, topic, thresholds=THRESHOLDS, partition: int = 0) -> dict:
    """All dev clustered with probabilities from models that never saw the pair's topic.

    ``partition`` 0 puts topic t in fold t mod 5; others shuffle the topics (seeded)
    into five folds. Each fold's first stage scores its pairs, then the graph features
    are built on the whole graph of held-out first-stage probabilities, as on new articles.
    """
    from storydiff.corpus.clustering import graph_features

    topics = sorted(set(topic.tolist()))
    if partition == 0:
        fold_of = {t: t % FOLDS for t in topics}
    else:
        fold_of = {t: k % FOLDS for k, t in enumerate(np.random.default_rng(partition).permutation(topics).tolist())}
    rows, cols, x, y = examples(feats, gold)
    fold = _folds(fold_of, topic[rows])
    first = np.zeros(len(rows))
    models = []
    for k in range(FOLDS):
        models.append(fit_two_stage(feats, gold, topic, np.flatnonzero(_folds(fold_of, topic) != k)))
        first[fold == k] = predict(models[k][0], x[fold == k])
    z = graph_features(len(feats), rows, cols, x, first)
    prob = np.zeros(len(rows))
    for k in range(FOLDS):
        prob[fold == k] = predict(models[k][1], z[fold == k])
    return cluster_scores(len(feats), rows, cols, prob, ids, gold, thresholds)


def _show(title: str, scores: dict) -> None:
    print(title)
    for th, m in scores.items():
        print(f"  threshold {th:.2f}: B-cubed P {m['bcubed_precision']:.3f} R {m['bcubed_recall']:.3f} "
              f"F1 {m['bcubed_f1']:.3f}  ARI {m['ari']:.3f}")


def show_sizes(sizes: dict) -> None:
    print("random held-out corpora by size: similarity vs model fitted on the other half (mean over corpora)")
    for n, r in sizes.items():
        print(f"  {n:>4} articles ({r['corpora']} corpora): " + "   ".join(
            f"{k} P {m['bcubed_precision']:.3f} R {m['bcubed_recall']:.3f} F1 {m['bcubed_f1']:.3f} ARI {m['ari']:.3f}"
            for k, m in r.items() if k != "corpora"))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dry-run", action="store_true", help="print the held-out figures, do not write the models")
    ap.add_argument("--splits", type=int, default=1, help="topic partitions for the cross-fit (default 1)")
    args = ap.parse_args(argv)
    ids, gold, topic, feats = dev_features()
    runs = [cross_fit(feats, ids, gold, topic, partition=k) for k in range(args.splits)]
    _show(f"{FOLDS}-fold cross-fit by topic, all dev articles clustered together:", runs[0])
    if args.splits > 1:
        _show(f"mean over {args.splits} topic partitions:",
              {th: {m: float(np.mean([r[th][m] for r in runs])) for m in runs[0][th]} for th in THRESHOLDS})
    models = half_models(feats, gold, topic)
    for name, scores in leave_topics_out(feats, ids, gold, topic, models=models).items():
        _show(f"{name} topics alone, model fitted on the other half:", scores)
    show_sizes(by_size(feats, ids, gold, topic, models))
    if not args.dry_run:
        from storydiff.corpus import clustering

        everything = np.arange(len(feats))
        first, second = fit_two_stage(feats, gold, topic, everything)
        for path, model in ((clustering.MODEL_PATH, first), (clustering.GRAPH_MODEL_PATH, second)):
            path.write_text(json.dumps(export(model), separators=(",", ":")), encoding="utf-8")
        pairs = sum(len(g[4]) for g in training_groups(feats, gold, topic, everything))
        print(f"wrote {clustering.MODEL_PATH.relative_to(ROOT)} and {clustering.GRAPH_MODEL_PATH.relative_to(ROOT)}"
              f" ({pairs} pairs)")


if __name__ == "__main__":
    main()
