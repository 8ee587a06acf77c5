"""Group articles into stories: the same real-world event, not the same topic.

How it decides, and why:

1. **Similarity of two articles** is a weighted sum of cosine similarities of
   TF-IDF bags (content words, capitalised names, numbers; names weigh
   most, because who and where tell events apart) and of the title+lead
   embeddings. IDF is computed over the articles being clustered.
2. **Candidates** come from an approximate nearest-neighbour index (hnswlib)
   over a sketch of those same vectors, so cost grows with n log n, never
   with all n^2 pairs; the candidates are then scored exactly.
3. **Second-order similarity**: two reports of one event also share their
   nearest neighbours. Each article's k nearest neighbours form a sparse
   vector; the cosine of two such vectors is mixed with the direct
   similarity. This is what separates two events of the same kind (two
   earthquakes on one island) whose articles are pairwise alike but whose
   neighbourhoods are not.
4. **Same-story model** (corpora of ``Params.model_from`` = 400 articles or
   more): each candidate pair is described by 31 features (the similarities
   above, ranks, key names one side gives and the other never mentions, lead
   names/numbers/weekday, years, magnitudes, months) and boosted trees, fitted
   on ECB+ dev by benchmarks/train_stories.py and evaluated here in numpy,
   give the probability that both report one event. Several features (IDF,
   ranks, neighbourhoods) are relative to the articles being clustered and
   mean something else in a few dozen articles, so smaller corpora keep the
   similarity: held out by topic, the model wins F1 from about 100 articles
   but keeps the similarity's precision only from about 400 (docs/corpus.md).
   A second stage then scores each pair again with what the first stage's
   probabilities over the whole graph say (``graph_features``): whether each
   article's likely same-story partners also go with the other article. One
   pair cannot see that; a group of reports can.
5. **Average-link agglomeration** over the candidate graph, stopped at a
   threshold (similarity, or mean probability for the model; the number of
   stories is never given). An average is never above the best edge, so only
   components linked by edges above the threshold can merge; each component
   is agglomerated on its own.
6. Articles with known publication dates more than ``window_days`` apart
   are never linked: a story is bounded in time, and so is the cost of
   incremental updates.

Precision over recall: a false merge would claim that two newsrooms
corroborated each other, so the threshold errs towards splitting.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from .. import trees
from ..analyze.dates import MONTHS
from ..components import components
from .features import Features

MODEL_PATH = Path(__file__).with_name("story_model.json")
GRAPH_MODEL_PATH = Path(__file__).with_name("story_graph_model.json")


@dataclass(frozen=True)
class Params:
    """Knobs of the clustering; the defaults are the documented configuration."""

    w_words: float = 1.0
    w_names: float = 2.0
    w_numbers: float = 0.3
    w_vector: float = 1.0
    candidates: int = 30      # nearest neighbours fetched from the ANN index per article
    neighbours: int = 8       # neighbourhood size for the second-order similarity
    mix: float = 0.5          # weight of the second-order similarity
    threshold: float = 0.35   # average-link stopping similarity (corpora under model_from articles)
    floor: float = 0.05       # edges weaker than this (similarity or probability) are dropped
    model_from: int = 400     # corpora of this many articles or more are clustered with the pair model
    model_threshold: float = 0.55  # average-link stopping point there: mean same-story probability
    window_days: int = 30     # articles dated further apart are never linked
    sketch_dims: int = 256    # size of the hashed sketch of the TF-IDF part for the ANN index
    seed: int = 17


DEFAULT = Params()
REACH = 30


def weighted(bags: Sequence[dict[str, int]]):
    """Sublinear TF-IDF rows (not normalised), the vocabulary (term -> column) and the IDF."""
    import scipy.sparse as sp

    vocab: dict[str, int] = {}
    indptr, indices, values = [0], [], []
    for bag in bags:
        for term, count in bag.items():
            indices.append(vocab.setdefault(term, len(vocab)))
            values.append(1.0 + np.log(count))
        indptr.append(len(indices))
    x = sp.csr_matrix((np.asarray(values, dtype=np.float32), np.asarray(indices, dtype=np.int32), indptr),
                      shape=(len(bags), max(1, len(vocab))))
    df = np.bincount(x.indices, minlength=x.shape[1])
    idf = (np.log((1 + len(bags)) / (1 + df)) + 1).astype(np.float32)
    return (x @ sp.diags(idf)).tocsr(), vocab, idf


def normalised(x):
    """Rows scaled to unit length (a zero row stays zero)."""
    import scipy.sparse as sp

    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return (sp.diags(1 / np.maximum(norms, 1e-9).astype(np.float32)) @ x).tocsr()


def tfidf(bags: Sequence[dict[str, int]]):
    """Sublinear TF-IDF rows, L2-normalised (an empty bag gives a zero row)."""
    return normalised(weighted(bags)[0])


def _weights(p: Params) -> np.ndarray:
    """Share of words, names, numbers and embedding in the direct similarity."""
    w = np.array([p.w_words, p.w_names, p.w_numbers, p.w_vector], dtype=np.float32)
    return w / w.sum()


def vectors(parts: Sequence, dense: np.ndarray, p: Params):
    """(sparse TF-IDF part, dense embedding part), scaled so a dot product is the similarity."""
    import scipy.sparse as sp

    w = np.sqrt(_weights(p))
    sparse = sp.hstack([x * w[k] for k, x in enumerate(parts)], format="csr", dtype=np.float32)
    return sparse, dense * w[3]


def candidate_pairs(sparse, dense: np.ndarray, days: np.ndarray, p: Params) -> tuple[np.ndarray, np.ndarray]:
    """Unique pairs (i < j) of likely neighbours, from HNSW indexes over a sketch of the vectors.

    Dated articles are indexed in blocks of ``window_days`` and search only their own
    block and the two beside it, so every candidate can actually be linked (it is
    within the time window) and each search stays bounded however long the corpus
    runs. Undated articles search, and are searched by, every block.
    """
    n = sparse.shape[0]
    points = _sketch(sparse, dense, p)
    block = np.where(days >= 0, days // max(1, p.window_days), -1)
    dated_blocks = sorted(set(block[block >= 0].tolist()))
    indexes = {b: _index(points, np.flatnonzero(block == b), p) for b in dated_blocks}
    undated = np.flatnonzero(block < 0)
    if len(undated):
        indexes[-1] = _index(points, undated, p)
    pairs = []
    for b in set(block.tolist()):
        members = np.flatnonzero(block == b)
        searched = list(indexes) if b < 0 else [x for x in (b - 1, b, b + 1, -1) if x in indexes]
        found, scores = [], []
        for x in searched:
            index, ids = indexes[x]
            k = min(p.candidates + 1, len(ids))
            labels, distances = index.knn_query(points[members], k=k)
            found.append(ids[labels])
            scores.append(distances)
        found_all, scores_all = np.hstack(found), np.hstack(scores)
        keep = np.argsort(scores_all, axis=1, kind="stable")[:, :p.candidates + 1]
        cols = np.take_along_axis(found_all, keep, axis=1)
        rows = np.repeat(members, cols.shape[1])
        pairs.append(np.stack([rows, cols.ravel()]))
    rows, cols = np.hstack(pairs)
    keep = rows != cols
    a, b = np.minimum(rows[keep], cols[keep]), np.maximum(rows[keep], cols[keep])
    unique = np.unique(a.astype(np.int64) * n + b)
    return unique // n, unique % n


def _sketch(sparse, dense: np.ndarray, p: Params) -> np.ndarray:
    """Dense points whose inner products approximate the similarity (count sketch + embedding)."""
    import scipy.sparse as sp

    rng = np.random.default_rng(p.seed)
    # count sketch of the sparse part: each term lands in one of sketch_dims buckets with a random
    # sign, which keeps dot products unbiased without a dense projection matrix
    buckets = rng.integers(0, p.sketch_dims, sparse.shape[1])
    signs = rng.choice(np.array([-1.0, 1.0], dtype=np.float32), sparse.shape[1])
    sketch = sp.csr_matrix((signs, (np.arange(sparse.shape[1]), buckets)),
                           shape=(sparse.shape[1], p.sketch_dims))
    return np.hstack([(sparse @ sketch).toarray(), dense]).astype(np.float32)


def _index(points: np.ndarray, ids: np.ndarray, p: Params):
    """An HNSW inner-product index over some points; returns (index, their global ids)."""
    import hnswlib

    index = hnswlib.Index(space="ip", dim=points.shape[1])
    index.init_index(max_elements=max(1, len(ids)), ef_construction=120, M=16, random_seed=p.seed)
    index.set_num_threads(1)  # deterministic graph: same input, same stories
    index.add_items(points[ids], np.arange(len(ids)))
    index.set_ef(max(2 * p.candidates + 2, 64))
    return index, ids


def rowwise_dot(x, rows: np.ndarray, cols: np.ndarray, y=None, chunk: int = 20_000) -> np.ndarray:
    """x[rows[i]] . y[cols[i]] (y defaults to x) for every i, for sparse or dense matrices, in
    bounded memory."""
    y = x if y is None else y
    out = np.empty(len(rows), dtype=np.float32)
    for s in range(0, len(rows), chunk):
        r, c = rows[s:s + chunk], cols[s:s + chunk]
        if isinstance(x, np.ndarray):
            out[s:s + chunk] = np.einsum("ij,ij->i", x[r], y[c])
        else:
            out[s:s + chunk] = np.asarray(x[r].multiply(y[c]).sum(axis=1)).ravel()
    return out


def second_order(n: int, rows: np.ndarray, cols: np.ndarray, sims: np.ndarray, k: int) -> np.ndarray:
    """Cosine of the k-nearest-neighbour vectors (self included) of each pair's two articles."""
    import scipy.sparse as sp

    src = np.concatenate([rows, cols])
    dst = np.concatenate([cols, rows])
    w = np.concatenate([sims, sims])
    order = np.lexsort((-w, src))               # by article, best neighbour first
    src, dst, w = src[order], dst[order], w[order]
    first = np.searchsorted(src, np.arange(n))
    rank = np.arange(len(src)) - first[src]
    top = rank < k
    knn = sp.csr_matrix((np.clip(w[top], 0, None), (src[top], dst[top])), shape=(n, n))
    knn = knn.maximum(knn.T) + sp.identity(n, format="csr", dtype=np.float32)
    norms = np.sqrt(np.asarray(knn.multiply(knn).sum(axis=1)).ravel())
    knn = (sp.diags(1 / np.maximum(norms, 1e-9)) @ knn).tocsr()
    return rowwise_dot(knn, rows, cols)


def average_linkage(n: int, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray,
                    threshold: float, initial: Sequence[Sequence[int]] = (), reach: int = 10**9) -> np.ndarray:
    """Average-link agglomeration on a sparse similarity graph (absent edges count as 0).

    ``initial`` groups start merged (existing stories in an incremental update).
    Returns a label per article; labels are the smallest article index of each cluster.
    """
    strong = weights >= threshold
    pairs = [(group[0], i) for group in initial for i in group[1:]]
    pairs += zip(rows[strong].tolist(), cols[strong].tolist())
    component = np.array(components(n, pairs))
    inside = component[rows] == component[cols]
    labels = np.arange(n)
    for group in initial:
        labels[list(group)] = min(group)
    _agglomerate(labels, rows[inside], cols[inside], weights[inside], threshold, reach)
    return _canonical(labels)


def _agglomerate(labels: np.ndarray, rows: np.ndarray, cols: np.ndarray, weights: np.ndarray,
                 threshold: float, reach: int) -> None:
    """Merge clusters in place while the best average similarity reaches the threshold."""
    size: dict[int, int] = {}
    for lab in labels:
        size[int(lab)] = size.get(int(lab), 0) + 1
    links: dict[int, dict[int, float]] = {}
    for a, b, w in zip(labels[rows].tolist(), labels[cols].tolist(), weights.tolist()):
        if a != b:
            total = links.setdefault(a, {}).get(b, 0.0) + w
            links[a][b] = total
            links.setdefault(b, {})[a] = total
    version = dict.fromkeys(size, 0)
    heap = [(-s / _pairs(size[a], size[b], reach), a, b, 0, 0) for a, nb in links.items() for b, s in nb.items() if a < b]
    heapq.heapify(heap)
    merged_into: dict[int, int] = {}
    while heap:
        neg, a, b, va, vb = heapq.heappop(heap)
        if -neg < threshold:
            break
        if version.get(a) != va or version.get(b) != vb:
            continue  # stale: one side has grown since this entry was pushed
        keep, gone = (a, b) if size[a] >= size[b] else (b, a)
        merged_into[gone] = keep
        size[keep] += size.pop(gone)
        version[keep] += 1
        del version[gone]
        mine = links.setdefault(keep, {})
        for c, s in links.pop(gone, {}).items():
            if c == keep:
                continue
            mine[c] = mine.get(c, 0.0) + s
            other = links[c]
            other.pop(gone, None)
            other[keep] = mine[c]
        mine.pop(gone, None)
        for c, s in mine.items():
            lo, hi = (keep, c) if keep < c else (c, keep)
            heapq.heappush(heap, (-s / _pairs(size[keep], size[c], reach), lo, hi, version[lo], version[hi]))
    for i, lab in enumerate(labels.tolist()):
        root = lab
        while root in merged_into:
            root = merged_into[root]
        labels[i] = root


def _pairs(a: int, b: int, reach: int) -> int:
    """How many links two clusters could show: all a*b pairs, unless the candidate search caps it.

    Each article is linked to at most ``reach`` candidates, so between big clusters
    most pairs are never scored; counting them as 0 would make every story larger
    than the candidate list fall apart. Small clusters keep the exact average.
    """
    return min(a * b, max(a, b) * reach)


def _canonical(labels: np.ndarray) -> np.ndarray:
    """Relabel so every cluster is named by its smallest member index (order-independent)."""
    first: dict[int, int] = {}
    for i, lab in enumerate(labels.tolist()):
        first.setdefault(lab, i)
    return np.array([first[lab] for lab in labels.tolist()])


PAIR_FEATURES = (
    "similarity", "second_order", "combined", "cos_words", "cos_names", "cos_numbers", "cos_lead_vector",
    "rank_min", "rank_max", "of_best_max", "of_best_min", "words_min", "words_max",
    "names_share_min", "names_share_max", "names_shared", "key_name_conflict", "key_name_conflict_max",
    "key_names_missing", "same_top_name", "lead_names", "lead_numbers", "lead_numbers_conflict",
    "years", "years_conflict", "decimals", "decimals_conflict", "lead_weekdays", "lead_weekdays_conflict",
    "months", "months_conflict",
)
KEY_NAMES = 3           # an article's most telling names (by TF-IDF): who and where it is about
_MONTHS = frozenset(MONTHS) - {"may"}   # "may" is mostly the verb


@dataclass
class Candidates:
    """Candidate pairs (i < j, within the time window) and what both ways of scoring them share."""

    rows: np.ndarray
    cols: np.ndarray
    names: object            # names TF-IDF rows, not normalised (sparse)
    vocab: dict[str, int]    # name term -> column
    idf: np.ndarray          # IDF of the name terms over these articles
    cosines: list[np.ndarray]   # per pair: words, names, numbers, embedding
    sims: np.ndarray         # per pair: the weighted direct similarity
    second: np.ndarray       # per pair: the second-order similarity


def candidates(feats: Sequence[Features], p: Params = DEFAULT) -> Candidates:
    """Candidates from the ANN indexes, scored by direct and second-order similarity."""
    n = len(feats)
    names, vocab, idf = weighted([f.names for f in feats])
    parts = [tfidf([f.words for f in feats]), normalised(names), tfidf([f.numbers for f in feats])]
    dense = np.stack([f.vector for f in feats]).astype(np.float32)
    days = np.array([f.day if f.day is not None else -1 for f in feats])
    rows, cols = candidate_pairs(*vectors(parts, dense, p), days, p)
    dated = (days[rows] >= 0) & (days[cols] >= 0)
    near = ~dated | (np.abs(days[rows] - days[cols]) <= p.window_days)
    rows, cols = rows[near], cols[near]
    cosines = [rowwise_dot(x, rows, cols) for x in parts] + [rowwise_dot(dense, rows, cols)]
    sims = sum(w * c for w, c in zip(_weights(p), cosines))
    # a neighbourhood as large as the corpus is shared by everyone and says nothing: keep it under a third
    second = second_order(n, rows, cols, sims, min(p.neighbours, max(2, n // 3)))
    return Candidates(rows, cols, names, vocab, idf, cosines, sims, second)


def pair_features(feats: Sequence[Features], p: Params = DEFAULT) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate pairs (i < j, within the time window) and a row of PAIR_FEATURES for each.

    Each feature says something a same-event decision weighs: how alike the two
    articles are (per bag and overall) and whether they share neighbours; how
    they rank among each other's candidates; whether each article's key names
    appear in the other (two events of one kind differ in who and where);
    whether their leads name the same people, numbers and weekday; whether the
    years, decimals (magnitudes, percentages) and months they mention overlap
    or conflict. Everything is computed with sparse matrix products, so the
    cost is linear in the number of candidate pairs.

    IDF, ranks and neighbourhoods are taken over the articles being clustered,
    so these features mean what they meant in training only in corpora of
    comparable size (``Params.model_from``).
    """
    c = candidates(feats, p)
    rows, cols, sims, second = c.rows, c.cols, c.sims, c.second
    rank_a, rank_b, best = _ranks(len(feats), rows, cols, sims)
    size = np.log1p([sum(f.words.values()) for f in feats])
    share_a, share_b, shared = _names_shared(c.names, c.idf, rows, cols)
    years = [{t for t in f.numbers if t.isdigit() and 1950 <= int(t) <= 2039} for f in feats]
    columns = [
        sims, second, (1 - p.mix) * sims + p.mix * second, *c.cosines,
        np.minimum(rank_a, rank_b), np.maximum(rank_a, rank_b),
        sims / np.maximum(np.maximum(best[rows], best[cols]), 1e-6),
        sims / np.maximum(np.minimum(best[rows], best[cols]), 1e-6),
        np.minimum(size[rows], size[cols]), np.maximum(size[rows], size[cols]),
        np.minimum(share_a, share_b), np.maximum(share_a, share_b), shared,
        *_key_names(c.names, c.vocab, rows, cols),
        _overlap([{t for t in f.lead if t.startswith("n:")} for f in feats], rows, cols)[0],
        *_overlap([{t for t in f.lead if t.startswith("#:")} for f in feats], rows, cols),
        *_overlap(years, rows, cols),
        *_overlap([{t for t in f.numbers if "." in t} for f in feats], rows, cols),
        *_overlap([{t for t in f.lead if t.startswith("w:")} for f in feats], rows, cols),
        *_overlap([_MONTHS.intersection(f.words) for f in feats], rows, cols),
    ]
    return rows, cols, np.column_stack(columns).astype(np.float32)


def _ranks(n: int, rows: np.ndarray, cols: np.ndarray, sims: np.ndarray):
    """Rank of each side among the other's candidates (0 = its best), and each article's best similarity."""
    src = np.concatenate([rows, cols])
    w = np.concatenate([sims, sims])
    order = np.lexsort((-w, src))
    first = np.searchsorted(src[order], np.arange(n))
    rank = np.empty(len(src), dtype=np.float32)
    rank[order] = np.arange(len(src)) - first[src[order]]
    best = np.zeros(n, dtype=np.float32)
    np.maximum.at(best, src, w)
    m = len(rows)
    return rank[:m], rank[m:], best


def _names_shared(names, idf: np.ndarray, rows: np.ndarray, cols: np.ndarray):
    """IDF mass of the names both articles give: as a share of each side's names, and in total."""
    present = names.copy()
    present.data = np.ones_like(present.data)
    root = (present @ _diag(np.sqrt(idf))).tocsr()
    shared = rowwise_dot(root, rows, cols)
    mass = np.asarray((present @ _diag(idf)).sum(axis=1)).ravel()
    return shared / np.maximum(mass[rows], 1e-6), shared / np.maximum(mass[cols], 1e-6), shared


def _diag(v: np.ndarray):
    import scipy.sparse as sp
    return sp.diags(v.astype(np.float32))


def _key_names(names, vocab: dict[str, int], rows: np.ndarray, cols: np.ndarray):
    """Key names one article gives and the other never mentions (two events of one kind differ in them).

    Returns, per pair: the smaller and the larger of each side's weightiest missing
    key name (both sides missing one is the telling case), how many are missing, and
    whether both articles' top names are the same.
    """
    n, v = names.shape
    part = np.zeros(v, dtype=bool)
    part[[c for t, c in vocab.items() if t.startswith("~")]] = True   # name parts, not whole phrases
    top = np.full((n, KEY_NAMES), -1, dtype=np.int64)
    score = np.zeros((n, KEY_NAMES), dtype=np.float32)
    for i in range(n):
        lo, hi = names.indptr[i], names.indptr[i + 1]
        terms, values = names.indices[lo:hi], names.data[lo:hi]
        keep = part[terms]
        terms, values = terms[keep], values[keep]
        best = np.lexsort((terms, -values))[:KEY_NAMES]
        top[i, :len(best)], score[i, :len(best)] = terms[best], values[best]
    given = np.repeat(np.arange(n, dtype=np.int64), np.diff(names.indptr)) * v + names.indices
    given.sort()

    def missing(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        keys = b[:, None] * v + top[a]
        pos = np.minimum(np.searchsorted(given, keys), len(given) - 1)
        absent = (top[a] >= 0) & (given[pos] != keys)
        return np.where(absent, score[a], 0).max(axis=1), absent.sum(axis=1)

    miss_a, count_a = missing(rows, cols)
    miss_b, count_b = missing(cols, rows)
    same_top = (top[rows, 0] >= 0) & (top[rows, 0] == top[cols, 0])
    return np.minimum(miss_a, miss_b), np.maximum(miss_a, miss_b), count_a + count_b, same_top


def _overlap(sets: Sequence[set[str]], rows: np.ndarray, cols: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Jaccard overlap of two articles' sets, and whether both have some but none in common."""
    import scipy.sparse as sp

    vocab: dict[str, int] = {}
    indptr, indices = [0], []
    for terms in sets:
        indices += [vocab.setdefault(t, len(vocab)) for t in terms]
        indptr.append(len(indices))
    x = sp.csr_matrix((np.ones(len(indices), dtype=np.float32), indices, indptr), shape=(len(sets), max(1, len(vocab))))
    both = rowwise_dot(x, rows, cols)
    size = np.diff(x.indptr).astype(np.float32)
    union = size[rows] + size[cols] - both
    conflict = (size[rows] > 0) & (size[cols] > 0) & (both == 0)
    return both / np.maximum(union, 1), conflict


GRAPH_FEATURES = PAIR_FEATURES + (
    "first", "to_group_min", "to_group_max", "neighbours_cosine", "strong_jaccard",
    "strong_degree_min", "strong_degree_max",
)
STRONG = 0.5            # a first-stage probability from which a neighbour counts as the same story


def graph_features(n: int, rows: np.ndarray, cols: np.ndarray, x: np.ndarray, first: np.ndarray) -> np.ndarray:
    """The pair features plus what the first-stage probabilities of the whole graph say about each pair.

    One pair's features cannot see that the two articles' other likely same-story
    partners disagree: two earthquakes on one island give pairs across the two events
    that look like one story, but each article's strong partners (first-stage
    probability >= ``STRONG``) are the reports of its own quake, and these score low
    with the other article. So, per pair: the first-stage probability; the mean
    probability from each article to the other's strong partners (the other included;
    the smaller and the larger of the two ways); the cosine of the two articles'
    probability rows (self included); the Jaccard overlap of their strong partners and
    how many each has. Sparse products over the candidate graph: linear in its pairs.
    """
    import scipy.sparse as sp

    first = np.asarray(first, dtype=np.float32)
    ends = (np.concatenate([rows, cols]), np.concatenate([cols, rows]))
    prob = sp.csr_matrix((np.concatenate([first, first]), ends), shape=(n, n))
    strong = prob >= STRONG
    strong = sp.csr_matrix(strong, dtype=np.float32)
    degree = np.asarray(strong.sum(axis=1)).ravel()
    linked = (first >= STRONG).astype(np.float32)

    def to_group(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Indirect support: a's probabilities to b's strong partners other than a, shrunk by one."""
        return rowwise_dot(prob, a, b, strong) / (degree[b] - linked + 1)

    one, two = to_group(rows, cols), to_group(cols, rows)
    with_self = (prob + sp.identity(n, format="csr", dtype=np.float32)).tocsr()
    norms = np.sqrt(np.asarray(with_self.multiply(with_self).sum(axis=1)).ravel())
    cosine = rowwise_dot(with_self, rows, cols) / np.maximum(norms[rows] * norms[cols], 1e-9)
    common = rowwise_dot(strong, rows, cols)
    jaccard = common / np.maximum(degree[rows] + degree[cols] - common, 1)
    extra = [first, np.minimum(one, two), np.maximum(one, two), cosine, jaccard,
             np.minimum(degree[rows], degree[cols]), np.maximum(degree[rows], degree[cols])]
    return np.hstack([x, np.column_stack(extra)]).astype(np.float32)


def load_model() -> dict:
    """The first-stage same-story model, on the pair features (format: storydiff.trees)."""
    return trees.load(MODEL_PATH, PAIR_FEATURES)


def load_graph_model() -> dict:
    """The second-stage same-story model, on the graph features (format: storydiff.trees)."""
    return trees.load(GRAPH_MODEL_PATH, GRAPH_FEATURES)


def same_story(x: np.ndarray, model: dict | None = None) -> np.ndarray:
    """Probability that each pair reports one event, from boosted trees (numpy only; default: first stage)."""
    return trees.predict(np.asarray(x, dtype=np.float32), model or load_model()).astype(np.float32)


def story_probabilities(n: int, rows: np.ndarray, cols: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Same-story probability of each candidate pair: the pair model, then the graph model on its output."""
    first = same_story(x, load_model())
    return same_story(graph_features(n, rows, cols, x, first), load_graph_model())


def uses_model(n: int, p: Params = DEFAULT) -> bool:
    """Whether a corpus of n articles is clustered with the pair model (else with the similarity)."""
    return n >= p.model_from


def similarity_graph(feats: Sequence[Features], p: Params = DEFAULT
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Candidate pairs, their weights and the average-link threshold for these weights.

    From ``Params.model_from`` articles on, a weight is the pair model's
    probability that the two report one event; below, the combined (direct +
    second-order) similarity, because the model's corpus-relative features
    (IDF, ranks, neighbourhoods) mean something else in a handful of articles.
    """
    if len(feats) < 2:
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0, np.float32), p.threshold
    if uses_model(len(feats), p):
        rows, cols, x = pair_features(feats, p)
        weights, threshold = story_probabilities(len(feats), rows, cols, x), p.model_threshold
    else:
        c = candidates(feats, p)
        rows, cols, threshold = c.rows, c.cols, p.threshold
        weights = (1 - p.mix) * c.sims + p.mix * c.second
    keep = weights >= p.floor
    return rows[keep], cols[keep], weights[keep].astype(np.float32), threshold


def cluster_features(feats: Sequence[Features], p: Params = DEFAULT,
                     initial: Sequence[Sequence[int]] = ()) -> list[list[int]]:
    """Stories as lists of article indices: biggest first, then by first article.

    Near-duplicates (republished copies) are clustered once, through their first
    copy, and then follow it: a dozen copies of one wire story would otherwise fill
    each other's neighbourhoods and split the story they belong to.
    """
    original = near_duplicates(feats)
    keep = [i for i in range(len(feats)) if original[i] == i]
    position = {i: k for k, i in enumerate(keep)}
    kept_initial = [[position[i] for i in g if i in position] for g in initial]
    rows, cols, weights, threshold = similarity_graph([feats[i] for i in keep], p)
    labels = average_linkage(len(keep), rows, cols, weights, threshold, [g for g in kept_initial if g], REACH)
    groups: dict[int, list[int]] = {}
    for i in range(len(feats)):
        groups.setdefault(int(labels[position[original[i]]]), []).append(i)
    return sorted(groups.values(), key=lambda g: (-len(g), g[0]))


def near_duplicates(feats: Sequence[Features], bands: int = 16, threshold: float = 0.8) -> list[int]:
    """For each article, the index of the first article it nearly repeats (itself if none).

    MinHash signatures split into bands; articles sharing a band are compared.
    """
    original = list(range(len(feats)))
    rows = len(feats[0].minhash) // bands if feats else 0
    buckets: dict[tuple[int, bytes], list[int]] = {}
    for i, f in enumerate(feats):
        for b in range(bands):
            buckets.setdefault((b, f.minhash[b * rows:(b + 1) * rows].tobytes()), []).append(i)
    for members in buckets.values():
        for j in members[1:]:
            if original[j] != j:
                continue
            for i in members:
                if i >= j:
                    break
                if original[i] == i and np.mean(feats[i].minhash == feats[j].minhash) >= threshold:
                    original[j] = i
                    break
    return original
