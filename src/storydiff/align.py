"""Alignment: which claims across documents state the same thing.

Similarity of two claims mixes their sentence embeddings (the same statement
in other words) with what they share that embeddings blur: entity keys,
content lemmas. Claims are linked across each pair of documents when they are each
other's best match (after hub correction), and facts are the connected
groups of links over all N documents, so a fact can be corroborated by any
k of N sources. Documents that do not share a story are kept apart: their
claims are never aligned (the report says so instead). Beside facts (one
statement), each story group has its main event (events.py): every claim of
each report that tells of it, many-to-many.
"""
from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np
from spacy.lang.en.stop_words import STOP_WORDS

from .analyze import quantities, quotes
from .components import components
from .embed import get_embedder
from .events import Event, main_event
from .model import Claim, Fact
from .story import same_story, story_score

LINK_FLOOR = 0.45          # least support for a mutual best match to count as the same fact
LINK_ONE_SIDED = 0.5       # support for a best match that is not mutual
LINK_SURE = 0.75           # support at which two claims are the same fact whatever else matches
CSLS_K = 3                 # neighbours used for hub correction
CSLS_ONE_SIDED = 0.05      # a one-sided best match must stand out from its hubs


@dataclass
class Alignment:
    """Claims of all documents, their pairwise similarity and the facts built from it."""

    claims: list[Claim]
    sim: np.ndarray            # claim x claim similarity of content (embeddings + shared words)
    support: np.ndarray        # sim raised by shared anchors (same figure, same quote, same actors)
    groups: list[list[str]]    # documents that share a story, largest first
    facts: list[Fact]
    story_scores: dict[tuple[str, str], float]
    events: list[Event] = field(default_factory=list)  # the main event of each story group told by 2+ reports

    def index(self, claim: Claim) -> int:
        return self._pos[(claim.doc, claim.index)]

    def __post_init__(self) -> None:
        self._pos = {(c.doc, c.index): i for i, c in enumerate(self.claims)}


def _entity_keys(c: Claim) -> set[str]:
    return {e.key for e in c.entities}


def shared_counts(sets: list[set]) -> np.ndarray:
    """len(sets[i] & sets[j]) for every pair of distinct sets (0 on the diagonal), one block
    update per item that several sets hold instead of n^2 set intersections."""
    holders: dict = {}
    for i, s in enumerate(sets):
        for x in s:
            holders.setdefault(x, []).append(i)
    out = np.zeros((len(sets), len(sets)), dtype=np.int64)
    for idx in holders.values():
        if len(idx) > 1:
            out[np.ix_(idx, idx)] += 1
    np.fill_diagonal(out, 0)
    return out


def claim_similarity(claims: list[Claim]) -> np.ndarray:
    """Embedding cosine, raised by shared entities and content words (counted first: while
    the embedding workers finish the texts prefetched in compare())."""
    words = [c.lemmas | _entity_keys(c) for c in claims]
    size = np.array([len(w) for w in words])
    least = np.minimum.outer(size, size)
    lex = np.divide(shared_counts(words), least, out=np.zeros(least.shape), where=least > 0).astype(np.float32)
    vec = get_embedder().encode([c.text for c in claims])
    cos = vec @ vec.T
    return 0.8 * cos + 0.2 * lex


_WORD = re.compile(r"[a-z]+")


def _bigrams(text: str) -> set[tuple[str, str]]:
    """Pairs of adjacent content words ("escape routes"): shared phrasing, not just shared words."""
    words = [w.rstrip("s") for w in _WORD.findall(text.lower()) if w not in STOP_WORDS and len(w) > 2]
    return set(zip(words, words[1:]))


def anchor_bonus(claims: list[Claim]) -> np.ndarray:
    """What makes two differently worded claims the same fact: the same figure for the
    same thing, the same quoted words, the same named actors."""
    actors = [{e.key for e in c.entities if e.type in ("person", "org", "event")} for c in claims]
    phrases = [_bigrams(c.text) for c in claims]
    df = Counter(p for ps in phrases for p in ps)
    phrases = [{p for p in ps if df[p] <= 2} for ps in phrases]  # a phrase every claim uses joins nothing
    by_counted: dict[str, set[int]] = {}  # only claims counting the same thing can share a figure
    for i, c in enumerate(claims):
        for q in c.quantities:
            if q.counted:
                by_counted.setdefault(q.counted, set()).add(i)
    figure = _matching(claims, by_counted.values(), lambda c: c.quantities, quantities.same_figure)
    quote = _matching(claims, [[i for i, c in enumerate(claims) if c.quotes]], lambda c: c.quotes, quotes.same_quote)
    # summed in the order (and float64 precision) of one pair at a time: same figures to the last bit
    bonus = 0.25 * figure + 0.3 * quote
    bonus = bonus + np.minimum(0.2, 0.1 * np.maximum(0, shared_counts(actors) - 1))
    bonus = bonus + np.minimum(0.2, 0.1 * shared_counts(phrases))
    doc = np.array([c.doc for c in claims])
    bonus[doc[:, None] == doc[None, :]] = 0.0
    return bonus.astype(np.float32)


def _matching(claims: list[Claim], groups, items, same) -> np.ndarray:
    """Pairs of claims from different documents, within one of ``groups``, with items that ``same`` matches."""
    hit = np.zeros((len(claims), len(claims)), dtype=bool)
    for i, j in {p for g in groups for p in itertools.combinations(sorted(g), 2)}:
        a, b = claims[i], claims[j]
        if a.doc != b.doc and any(same(x, y) for x in items(a) for y in items(b)):
            hit[i, j] = hit[j, i] = True
    return hit


def story_groups(docs: list[str], scores: dict[tuple[str, str], float]) -> list[list[str]]:
    """Connected groups of documents whose pairwise story score passes the threshold (story.py)."""
    pos = {d: i for i, d in enumerate(docs)}
    label = components(len(docs), [(pos[a], pos[b]) for (a, b), s in scores.items() if same_story(s)])
    groups: dict[int, list[str]] = {}
    for d, lab in zip(docs, label):
        groups.setdefault(lab, []).append(d)
    return sorted(groups.values(), key=lambda g: (-len(g), pos[g[0]]))


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
    groups: dict[int, list[int]] = {}
    for i, lab in enumerate(components(n, pairs)):
        groups.setdefault(lab, []).append(i)
    return sorted(groups.values(), key=lambda g: g[0])


def align(claims_by_doc: dict[str, list[Claim]]) -> Alignment:
    docs = list(claims_by_doc)
    claims = [c for d in docs for c in claims_by_doc[d]]
    if claims:
        bonus = anchor_bonus(claims)  # before the similarity's encode(): while the embedding workers finish
        sim = claim_similarity(claims)
        support = sim + bonus
    else:
        sim = support = np.zeros((0, 0), dtype=np.float32)
    idx = {d: [i for i, c in enumerate(claims) if c.doc == d] for d in docs}
    scores = {(a, b): story_score(support, claims_by_doc[a], claims_by_doc[b], idx[a], idx[b])
              for i, a in enumerate(docs) for b in docs[i + 1:]}
    groups = story_groups(docs, scores)
    group_of = {d: gi for gi, g in enumerate(groups) for d in g}
    doc_group = np.array([group_of[c.doc] for c in claims])
    allowed = doc_group[:, None] == doc_group[None, :]
    doc_of = np.array([docs.index(c.doc) for c in claims])
    facts = [Fact([claims[i] for i in m]) for m in facts_from_links(len(claims), link(support, doc_of, allowed))]
    events = [ev for g in groups if (ev := main_event(claims, support, g, scores))]
    return Alignment(claims=claims, sim=sim, support=support, groups=groups, facts=facts, story_scores=scores,
                     events=events)
