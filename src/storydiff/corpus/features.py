"""What clustering needs to know about an article, computed once at ingest.

Stories are told apart by *who*, *where*, *how many* and *when* far more than
by topic words: two earthquakes share "magnitude", "aftershock" and
"villages"; they differ in the island, the death toll and the date. So an
article is reduced to three bags (content words, capitalised names, numbers),
a small bag of what its lead says (the names, numbers and weekday of the title and
first two sentences: the who, how many and when of *this* event), plus an
embedding of its title and lead. The full spaCy pipeline is *not* run
here: at ingest it would cap throughput far below 20 articles/s on two
cores; the compare engine runs it later, on one story at a time.

Everything here is deterministic and cheap: regexes, hashing and one small
embedding per article.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ..analyze.dates import WEEKDAYS

LEAD_SENTENCES = 2       # sentences of more than six words after the title: the lead (not a dateline)
LEAD_WORDS = 32          # title + lead embedded: the part that says what happened (cost grows with it)
MINHASH_PERMUTATIONS = 64
SHINGLE_WORDS = 5

_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d[\d,.]*\d|\d")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?(?![\w])")
# A run of capitalised words (allowing "of"/"de" inside: "Bank of America"),
# or initials ("U.S."). Matched per line so a title does not glue onto a dateline.
_NAME = re.compile(r"(?:[A-Z][\w'’-]*[a-z0-9][\w'’-]*|[A-Z]\.(?:[A-Z]\.)*|[A-Z]{2,})"
                   r"(?:\s+(?:(?:of|de|del|van|von|al|bin)\s+)?(?:[A-Z][\w'’-]*|[A-Z]\.(?:[A-Z]\.)*))*")
_SENTENCE_END = re.compile(r"(?P<end>[.!?][\"'”’)]*)[ \t]+(?=[\"'“‘(]?[A-Z0-9])|\s*\n\s*")
_WEEKDAY = re.compile(r"\b(?:" + "|".join(WEEKDAYS) + r")\b", re.I)
_ABBREV = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Gov|Gen|Sen|Rep|St|Jr|Sr|Lt|Col|Sgt|Capt|Prof|Inc|Co|Corp|No|vs)"
                     r"|\b[A-Z])\.$")


def stop_words() -> frozenset[str]:
    """spaCy's English stop list (a maintained list, not a hand-made one)."""
    from spacy.lang.en.stop_words import STOP_WORDS
    return frozenset(STOP_WORDS)


@dataclass
class Features:
    """Clustering features of one article (stored in the corpus, recomputed never)."""

    words: dict[str, int]
    names: dict[str, int]
    numbers: dict[str, int]
    vector: np.ndarray            # float32, L2-normalised embedding of title + lead
    minhash: np.ndarray           # uint32 MinHash of word shingles (near-duplicate search)
    day: int | None = None        # proleptic ordinal of the publication date, if known
    sentences: list[tuple[int, int]] = field(default_factory=list)
    lead: dict[str, int] = field(default_factory=dict)   # lead_bag: "n:name", "#:number", "w:weekday"


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence offsets by punctuation and line breaks (cheap; compare re-splits with spaCy)."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end("end") if m.group("end") else m.start()
        if m.group("end") and _ABBREV.search(text[start:end]):
            continue
        if text[start:end].strip():
            spans.append(_strip_span(text, start, end))
        start = m.end()
    if text[start:].strip():
        spans.append(_strip_span(text, start, len(text)))
    return spans


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def bags(text: str, title: str | None, stops: frozenset[str]) -> tuple[Counter, Counter, Counter]:
    """Content words, names and numbers of an article (the title counts twice: it is the gist)."""
    full = f"{title}\n{title}\n{text}" if title and title not in text[:len(title) + 5] else text
    words: Counter = Counter()
    for w in _WORD.findall(full):
        low = w.lower()
        if low not in stops and len(low) > 1 and not low[0].isdigit():
            words[low] += 1
    names: Counter = Counter()
    for line in full.split("\n"):
        for m in _NAME.finditer(line):
            phrase = m.group()
            parts = [p for p in phrase.split() if p.lower() not in stops]
            if not parts:
                continue
            if len(parts) > 1:
                names[" ".join(parts).lower()] += 1
            for p in parts:
                names["~" + p.lower()] += 1
    numbers = Counter(n.replace(",", "") for n in _NUMBER.findall(full))
    return words, names, numbers


def lead_bag(text: str, title: str | None, sentences: list[tuple[int, int]]) -> dict[str, int]:
    """Name parts, numbers and weekdays of the title and the first sentences.

    Two reports of one event lead with the same actors, toll and day; two
    events of one kind share the topic words but not these (a 5.6 quake on
    Sunday, a 5.9 quake that killed 10).
    """
    lead = [text[s:e] for s, e in sentences if len(text[s:e].split()) > 6][:LEAD_SENTENCES]
    bag: Counter = Counter()
    for line in ([title] if title else []) + lead:
        for m in _NAME.finditer(line):
            bag.update("n:" + part.lower() for part in m.group().split())
        bag.update("#:" + n.replace(",", "") for n in _NUMBER.findall(line))
        bag.update("w:" + w.lower() for w in _WEEKDAY.findall(line))
    return dict(bag)


def minhash(text: str, permutations: int = MINHASH_PERMUTATIONS) -> np.ndarray:
    """MinHash of the article's word 5-shingles: estimates Jaccard similarity of wording."""
    tokens = [w.lower() for w in _WORD.findall(text)]
    n = max(1, len(tokens) - SHINGLE_WORDS + 1)
    shingles = {" ".join(tokens[i:i + SHINGLE_WORDS]) for i in range(n)} or {""}
    base = np.fromiter((int.from_bytes(hashlib.blake2b(s.encode(), digest_size=4).digest(), "little")
                        for s in shingles), dtype=np.uint64, count=len(shingles))
    a, b = _PERMUTATIONS[0][:permutations], _PERMUTATIONS[1][:permutations]
    # universal hashing (a*x + b) mod p with p = 2^31 - 1: every product fits in uint64
    hashed = ((base[:, None] * a[None, :] + b[None, :]) % _PRIME)
    return hashed.min(axis=0).astype(np.uint32)


_PRIME = np.uint64((1 << 31) - 1)
_rng = np.random.default_rng(20240611)  # fixed: signatures must be stable across runs and machines
_PERMUTATIONS = (_rng.integers(1, (1 << 31) - 1, 256, dtype=np.uint64),
                 _rng.integers(0, (1 << 31) - 1, 256, dtype=np.uint64))


def minhash_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity of two MinHash signatures."""
    return float(np.mean(a == b))


def lead(text: str, title: str | None, words: int = LEAD_WORDS) -> str:
    """Title and first words: what the article is about, short enough to embed fast."""
    body = " ".join(text.split()[:words])
    return f"{title}. {body}" if title and title not in body else body


def day_of(published: str | None) -> int | None:
    if not published:
        return None
    try:
        return dt.date.fromisoformat(published[:10]).toordinal()
    except ValueError:
        return None


def extract(items: list[tuple[str, str | None, str | None]]) -> list[Features]:
    """Features of many articles given as (text, title, published); embeddings batched."""
    from ..embed import get_embedder

    stops = stop_words()
    vectors = get_embedder().encode([lead(t, title) for t, title, _ in items]) if items else []
    out: list[Features] = []
    for (text, title, published), vec in zip(items, vectors):
        words, names, numbers = bags(text, title, stops)
        sentences = sentence_spans(text)
        out.append(Features(words=dict(words), names=dict(names), numbers=dict(numbers),
                            vector=np.asarray(vec, dtype=np.float32), minhash=minhash(text),
                            day=day_of(published), sentences=sentences, lead=lead_bag(text, title, sentences)))
    return out
