"""Alignment: which claims across documents state the same thing.

Similarity of two claims mixes their sentence embeddings (the same statement
in other words) with what they share that embeddings blur: entity keys,
content lemmas. Claims are linked across each pair of documents when they are each
other's best match (after hub correction), and facts are the connected
groups of links over all N documents, so a fact can be corroborated by any
k of N sources. Documents that do not share a story are kept apart: their
claims are never aligned (the report says so instead).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

from .analyze import quantities, quotes
from .embed import get_embedder
from .model import Claim, Fact

LINK_FLOOR = 0.45          # least support for a mutual best match to count as the same fact
LINK_ONE_SIDED = 0.5       # support for a best match that is not mutual
LINK_SURE = 0.75           # support at which two claims are the same fact whatever else matches
CSLS_K = 3                 # neighbours used for hub correction
CSLS_ONE_SIDED = 0.05      # a one-sided best match must stand out from its hubs
SAME_STORY_THRESHOLD = 0.40  # document-level score below which two reports are different stories


@dataclass
class Alignment:
    """Claims of all documents, their pairwise similarity and the facts built from it."""

    claims: list[Claim]
    sim: np.ndarray            # claim x claim similarity of content (embeddings + shared words)
    support: np.ndarray        # sim raised by shared anchors (same figure, same quote, same actors)
    groups: list[list[str]]    # documents that share a story, largest first
    facts: list[Fact]
    story_scores: dict[tuple[str, str], float]

    def index(self, claim: Claim) -> int:
        return self._pos[(claim.doc, claim.index)]

    def __post_init__(self) -> None:
        self._pos = {(c.doc, c.index): i for i, c in enumerate(self.claims)}


def _entity_keys(c: Claim) -> set[str]:
    return {e.key for e in c.entities}


def claim_similarity(claims: list[Claim]) -> np.ndarray:
    """Embedding cosine, raised by shared entities and content words."""
    vec = get_embedder().encode([c.text for c in claims])
    cos = vec @ vec.T
    n = len(claims)
    lex = np.zeros((n, n), dtype=np.float32)
    keys = [_entity_keys(c) for c in claims]
    for i in range(n):
        for j in range(i + 1, n):
            la, lb = claims[i].lemmas | keys[i], claims[j].lemmas | keys[j]
            if la and lb:
                lex[i, j] = lex[j, i] = len(la & lb) / min(len(la), len(lb))
    return 0.8 * cos + 0.2 * lex


_WORD = re.compile(r"[a-z]+")


def _bigrams(text: str) -> set[tuple[str, str]]:
    """Pairs of adjacent content words ("escape routes"): shared phrasing, not just shared words."""
    words = [w.rstrip("s") for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 2]
    return set(zip(words, words[1:]))


def anchor_bonus(claims: list[Claim]) -> np.ndarray:
    """What makes two differently worded claims the same fact: the same figure for the
    same thing, the same quoted words, the same named actors."""
    n = len(claims)
    bonus = np.zeros((n, n), dtype=np.float32)
    actors = [{e.key for e in c.entities if e.type in ("person", "org", "event")} for c in claims]
    phrases = [_bigrams(c.text) for c in claims]
    df = Counter(p for ps in phrases for p in ps)
    phrases = [{p for p in ps if df[p] <= 2} for ps in phrases]  # a phrase every claim uses joins nothing
    for i in range(n):
        a = claims[i]
        for j in range(i + 1, n):
            b = claims[j]
            if a.doc == b.doc:
                continue
            bonus_ij = 0.0
            if any(quantities.same_figure(qa, qb) for qa in a.quantities for qb in b.quantities):
                bonus_ij += 0.25
            if any(quotes.same_quote(qa, qb) for qa in a.quotes for qb in b.quotes):
                bonus_ij += 0.3
            bonus_ij += min(0.2, 0.1 * max(0, len(actors[i] & actors[j]) - 1))
            bonus_ij += min(0.2, 0.1 * len(phrases[i] & phrases[j]))
            bonus[i, j] = bonus[j, i] = bonus_ij
    return bonus


def story_score(sim: np.ndarray, ia: list[int], ib: list[int]) -> float:
    """How much two documents share a story: mean best-match similarity of their
    claims, both ways, weighted by salient named entities they share."""
    block = sim[np.ix_(ia, ib)]
    if block.size == 0:
        return 0.0
    k_a = max(1, min(len(ia), 8))
    k_b = max(1, min(len(ib), 8))
    best_a = np.sort(block.max(axis=1))[::-1][:k_a].mean()
    best_b = np.sort(block.max(axis=0))[::-1][:k_b].mean()
    return float((best_a + best_b) / 2)


def story_groups(docs: list[str], scores: dict[tuple[str, str], float]) -> list[list[str]]:
    """Connected groups of documents whose pairwise story score passes the threshold."""
    parent = {d: d for d in docs}

    def find(d: str) -> str:
        while parent[d] != d:
            parent[d] = parent[parent[d]]
            d = parent[d]
        return d
    for (a, b), s in scores.items():
        if s >= SAME_STORY_THRESHOLD:
            parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for d in docs:
        groups.setdefault(find(d), []).append(d)
    return sorted(groups.values(), key=lambda g: (-len(g), docs.index(g[0])))


def link(support: np.ndarray, doc_of: np.ndarray, allowed: np.ndarray) -> list[tuple[int, int]]:
    """Cross-document claim pairs that state the same thing.

    A pair links when each claim is the other's best match in the other document
    after hub correction (CSLS: a lead sentence similar to everything loses its pull)
    and their support passes LINK_FLOOR, or when the support alone is high.
    """
    pairs = []
    docs = sorted(set(doc_of.tolist()))
    for x, da in enumerate(docs):
        for db in docs[x + 1:]:
            ia, ib = np.flatnonzero(doc_of == da), np.flatnonzero(doc_of == db)
            if not allowed[ia[0], ib[0]]:
                continue
            block = support[np.ix_(ia, ib)]
            k = min(CSLS_K, block.shape[1]), min(CSLS_K, block.shape[0])
            ra = np.sort(block, axis=1)[:, ::-1][:, :k[0]].mean(axis=1)
            rb = np.sort(block, axis=0)[::-1][:k[1]].mean(axis=0)
            csls = 2 * block - ra[:, None] - rb[None, :]
            best_b, best_a = csls.argmax(axis=1), csls.argmax(axis=0)
            top_b, top_a = block.argmax(axis=1), block.argmax(axis=0)
            for i in range(len(ia)):
                for j in range(len(ib)):
                    mutual = best_b[i] == j and best_a[j] == i
                    one_sided = (top_b[i] == j or top_a[j] == i) and csls[i, j] >= CSLS_ONE_SIDED
                    if (mutual and block[i, j] >= LINK_FLOOR) or (one_sided and block[i, j] >= LINK_ONE_SIDED) \
                            or block[i, j] >= LINK_SURE:
                        pairs.append((int(ia[i]), int(ib[j])))
    return pairs


def facts_from_links(n: int, pairs: list[tuple[int, int]]) -> list[list[int]]:
    """Connected components of the link graph: each is one fact (singletons included)."""
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i
    for i, j in pairs:
        parent[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def align(claims_by_doc: dict[str, list[Claim]]) -> Alignment:
    docs = list(claims_by_doc)
    claims = [c for d in docs for c in claims_by_doc[d]]
    sim = claim_similarity(claims) if claims else np.zeros((0, 0), dtype=np.float32)
    idx = {d: [i for i, c in enumerate(claims) if c.doc == d] for d in docs}
    scores = {(a, b): story_score(sim, idx[a], idx[b])
              for i, a in enumerate(docs) for b in docs[i + 1:]}
    groups = story_groups(docs, scores)
    group_of = {d: gi for gi, g in enumerate(groups) for d in g}
    doc_group = np.array([group_of[c.doc] for c in claims])
    allowed = doc_group[:, None] == doc_group[None, :]
    support = sim + anchor_bonus(claims) if claims else sim
    doc_of = np.array([docs.index(c.doc) for c in claims])
    facts = [Fact([claims[i] for i in m]) for m in facts_from_links(len(claims), link(support, doc_of, allowed))]
    return Alignment(claims=claims, sim=sim, support=support, groups=groups, facts=facts, story_scores=scores)
