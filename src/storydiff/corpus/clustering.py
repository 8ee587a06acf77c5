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
4. **Average-link agglomeration** over the candidate graph, stopped at a
   similarity threshold (the number of stories is never given). An average
   is never above the best edge, so only components linked by edges above the
   threshold can merge; each component is agglomerated on its own.
5. Articles with known publication dates more than ``window_days`` apart
   are never linked: a story is bounded in time, and so is the cost of
   incremental updates.

Precision over recall: a false merge would claim that two newsrooms
corroborated each other, so the threshold errs towards splitting.
"""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..components import components
from .features import Features


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
    threshold: float = 0.35   # average-link stopping similarity
    floor: float = 0.05       # edges weaker than this are dropped
    window_days: int = 30     # articles dated further apart are never linked
    sketch_dims: int = 256    # size of the hashed sketch of the TF-IDF part for the ANN index
    seed: int = 17


DEFAULT = Params()
REACH = 30


def tfidf(bags: Sequence[dict[str, int]]):
    """Sublinear TF-IDF rows, L2-normalised (an empty bag gives a zero row)."""
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
    x = x @ sp.diags(idf)
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    return sp.diags(1 / np.maximum(norms, 1e-9).astype(np.float32)) @ x


def vectors(feats: Sequence[Features], p: Params):
    """(sparse TF-IDF part, dense embedding part), scaled so a dot product is the similarity."""
    import scipy.sparse as sp

    total = p.w_words + p.w_names + p.w_numbers + p.w_vector
    parts = [tfidf([f.words for f in feats]) * np.sqrt(p.w_words / total),
             tfidf([f.names for f in feats]) * np.sqrt(p.w_names / total),
             tfidf([f.numbers for f in feats]) * np.sqrt(p.w_numbers / total)]
    sparse = sp.hstack(parts, format="csr", dtype=np.float32)
    dense = np.stack([f.vector for f in feats]).astype(np.float32) * np.float32(np.sqrt(p.w_vector / total))
    return sparse, dense


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


def rowwise_dot(x, rows: np.ndarray, cols: np.ndarray, chunk: int = 20_000) -> np.ndarray:
    """x[rows[i]] . x[cols[i]] for every i, for a sparse or dense x, in bounded memory."""
    out = np.empty(len(rows), dtype=np.float32)
    for s in range(0, len(rows), chunk):
        r, c = rows[s:s + chunk], cols[s:s + chunk]
        if isinstance(x, np.ndarray):
            out[s:s + chunk] = np.einsum("ij,ij->i", x[r], x[c])
        else:
            out[s:s + chunk] = np.asarray(x[r].multiply(x[c]).sum(axis=1)).ravel()
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


def similarity_graph(feats: Sequence[Features], p: Params = DEFAULT
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Candidate pairs and their combined (direct + second-order) similarity."""
    n = len(feats)
    if n < 2:
        return np.zeros(0, int), np.zeros(0, int), np.zeros(0, np.float32)
    sparse, dense = vectors(feats, p)
    days = np.array([f.day if f.day is not None else -1 for f in feats])
    rows, cols = candidate_pairs(sparse, dense, days, p)
    sims = rowwise_dot(sparse, rows, cols) + rowwise_dot(dense, rows, cols)
    dated = (days[rows] >= 0) & (days[cols] >= 0)
    near = ~dated | (np.abs(days[rows] - days[cols]) <= p.window_days)
    rows, cols, sims = rows[near], cols[near], sims[near]
    # a neighbourhood as large as the corpus is shared by everyone and says nothing: keep it under a third
    k = min(p.neighbours, max(2, n // 3))
    combined = (1 - p.mix) * sims + p.mix * second_order(n, rows, cols, sims, k)
    keep = combined >= p.floor
    return rows[keep], cols[keep], combined[keep]


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
    rows, cols, weights = similarity_graph([feats[i] for i in keep], p)
    labels = average_linkage(len(keep), rows, cols, weights, p.threshold, [g for g in kept_initial if g], REACH)
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
