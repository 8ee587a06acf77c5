"""Same-story decision: do two reports tell of one real event, or of two events of one kind?

Two reports of different earthquakes, or of two stars entering rehab, read alike sentence
by sentence; what sets them apart is who the story is about. The decision therefore
weighs two things:

- how well each report's claims find a counterpart in the other, on the alignment
  support (sentence similarity raised by shared figures, quotes, actors, phrases);
- whether each report has its own main person that the other never names (Tara Reid
  here, Lindsay Lohan there): the stronger both are, the less the wording counts.

Measured on the ECB+ dev distractor pairs (benchmarks/run.py alignment): the weight was
chosen on odd topics and checked on even ones, the threshold set so that at least 97% of
same-story pairs stay compared (refusing a pair a user calls one story costs more than
comparing two events of one kind).

Measured and not adopted (ECB+ dev, odd/even topics held out; conflict cases checked with
benchmarks/run.py conflicts): argument-level checks on the claims both reports match.
Slot clashes (other people, places, figures, years in matched lead or mutually linked
claims) are as frequent in same-story pairs as in distractors: reports of one event do
disagree, name different officials, and headline NER is noisy. Shared arguments (same
person, figure, year, weekday or date in linked claims) as a bonus with a higher
threshold cut distractors aligned from 36% to about 27%, but split 30 more same-story
pairs and 18 conflict cases the engine detects today; with places counted too it stays
safe for conflicts and no longer helps. A 5-fold boosted-tree model over all these
features stays on the same trade-off (F1 with distractors about 0.79).

Measured and not adopted either (session 5; ECB+ dev alignment pairs, parameters chosen on
odd topics, figures odd / even; conflict cases of benchmarks/run.py conflicts --limit 200):
- People the other report never names, as a share: the salience of each report's top three
  people that the other neither tags nor writes, averaged over both. Among compared pairs
  it ranks distractors about as well as the score (AUC 0.81 / 0.78 against 0.76 / 0.88),
  so it mostly moves the threshold: match - 0.15 * share with the threshold at 0.46 aligns
  18% of distractor pairs instead of 35%, but compares 85% of same-story pairs instead of
  98% and splits 21 of the 129 conflict cases detected today, for an unchanged F1 with
  distractors (0.789 -> 0.795; even 0.827 -> 0.824). At an equal share of same-story
  pairs kept (92%) it lets through 37% / 20% of distractors against 39% / 24%.
- A logistic model over 12 pair features (the shares above for people, people and
  organisations, all names; lead-to-lead and best support; covered share; name Jaccard;
  disjoint years; length), fitted on one half, scored on the other: F1 with distractors
  0.789 at 16% of distractors, same-story recall 0.90 -> 0.82.
- Years: both reports give a year in only 39 of the 138 distractor pairs compared today;
  same-story reports give disjoint years in 55 of 638 pairs (background history). A
  dateline in one lead that the other report's years miss fires on 24 distractor and 39
  same-story pairs.
- Ceiling: with a perfect story decision and today's links F1 with distractors would be
  0.843; linking every annotated sentence of same-story pairs as well, 0.862.
"""
from __future__ import annotations

import math
from collections import Counter

import numpy as np

from .model import Claim

SAME_STORY_THRESHOLD = 0.37  # document-level score below which two reports are different stories
OWN_ACTOR_WEIGHT = 0.1       # per log-unit of salience of the main people the reports do not share
MATCH_TOP_K = 8              # best-matched claims per report that the match score averages
LEAD_CLAIMS = 2              # title and first sentence(s): where a report names its main actors
LEAD_WEIGHT = 3              # a name in the lead counts as much as this many later mentions


def match_score(support: np.ndarray, ia: list[int], ib: list[int]) -> float:
    """Mean support of the best-matched claims of each report in the other, both ways."""
    block = support[np.ix_(ia, ib)]
    if block.size == 0:
        return 0.0
    best_a = np.sort(block.max(axis=1))[::-1][:MATCH_TOP_K].mean()
    best_b = np.sort(block.max(axis=0))[::-1][:MATCH_TOP_K].mean()
    return float((best_a + best_b) / 2)


def salience(claims: list[Claim], keys: set[str] | None = None) -> Counter:
    """Entity key -> how prominently the report names it: one per sentence naming it,
    LEAD_WEIGHT in the title or lead (only the given keys, if any)."""
    out: Counter = Counter()
    for c in claims:
        weight = LEAD_WEIGHT if c.is_title or c.index < LEAD_CLAIMS else 1
        for key in dict.fromkeys(e.key for e in c.entities if keys is None or e.key in keys):
            out[key] += weight
    return out


def actors(claims: list[Claim]) -> set[str]:
    """Keys of the names that act like people: people, and names the tagger called a person
    at least once even where most mentions outvoted it (a ship, "INS Mysore", tagged PERSON
    once is still the report's own actor, though no person to compare)."""
    return {e.key for c in claims for e in c.entities if e.type == "person" or e.label == "PERSON"}


def own_actors(claims_a: list[Claim], claims_b: list[Claim]) -> float:
    """Salience of the main person of each report that the other never names, the weaker
    of the two (0 when either report has no main person or names the other's).

    When several people tie as a report's main person, it counts as the report's own only
    if the other report names none of them: the tie is decided by what the texts say, not
    by set order (which follows Python's per-process string hashing, so the same pair
    could be one story in one run and two in the next)."""
    names_a, names_b = salience(claims_a), salience(claims_b)
    people_keys = actors(claims_a) | actors(claims_b)

    def unshared_main(claims: list[Claim], other: Counter) -> int:
        people = salience(claims, people_keys)
        if not people:
            return 0
        weight = max(people.values())
        return 0 if any(w == weight and key in other for key, w in people.items()) else weight
    return float(min(unshared_main(claims_a, names_b), unshared_main(claims_b, names_a)))


def story_score(support: np.ndarray, claims_a: list[Claim], claims_b: list[Claim],
                ia: list[int], ib: list[int]) -> float:
    """How much two reports share a story: claim match, less the weight of main people
    each report has to itself. Compared with SAME_STORY_THRESHOLD."""
    return match_score(support, ia, ib) - OWN_ACTOR_WEIGHT * math.log1p(own_actors(claims_a, claims_b))


def same_story(score: float) -> bool:
    return score >= SAME_STORY_THRESHOLD
