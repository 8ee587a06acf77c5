"""The compare stage: compare(documents) -> Report, the one entry point every shell calls.

Stages: clean and de-duplicate the documents, analyze them into claims,
align claims into facts, then turn facts and aligned claim pairs into
findings: typed conflicts, agreements (k of N sources) and omissions
("only in X"), ranked hard conflicts first.
"""
from __future__ import annotations

import hashlib
import itertools
import time

import numpy as np

from ..align import Alignment, align
from ..analyze import analyze
from ..embed import prefetching
from ..errors import InputError
from ..events import Event
from ..model import AGREEMENT, CONFLICT, NOTICE, OMISSION, Claim, Document, Evidence, Finding, Report
from ..analyze import gazetteer, quantities, quotes
from .. import trees
from . import swaps
from .conflicts import Candidate, DocView, denial, detect, polarity_conflicts, short, value_candidate, values

# a claim with a counterpart this close in another report is shared ground; below it,
# the claim is "only in" its document
COVERAGE_SUPPORT = 0.5
POLARITY_MIN_SIM = 0.4      # aligned claims this alike, one negated: a soft tension
MIN_OMISSION_WORDS = 5
QUOTED = 110               # characters of a claim quoted in an agreement or omission summary
TYPE_RANK = {"number": 0, "date": 1, "place": 2, "person": 3, "membership": 4, "attribution": 5, "polarity": 6}


def compare(documents: list[Document]) -> Report:
    """Compare two or more reports of one story."""
    started = time.perf_counter()
    docs, duplicates = prepare(documents)
    findings: list[Finding] = [_duplicate_notice(d, k) for d, k in duplicates.items()]
    if len(docs) < 2:
        return Report(documents=docs, findings=findings, duplicates=duplicates,
                      meta={"seconds": round(time.perf_counter() - started, 3)})
    with prefetching() as prefetch:  # claims embedded while spaCy finds their entities and lemmas
        claims = analyze(docs, sentences=prefetch)
        views = {d: DocView(cl) for d, cl in claims.items()}  # before align's encode(): while the workers finish
        alignment = align(claims)
    findings += _story_notices(alignment)
    conflicts = _conflicts(alignment, views)
    in_conflict = {(ev.doc, ev.start) for f in conflicts for ev in f.claims}
    findings += conflicts + _agreements_and_omissions(alignment, views, in_conflict)
    findings.sort(key=_rank)
    return Report(documents=docs, findings=findings, same_story=len(alignment.groups) == 1,
                  duplicates=duplicates,
                  meta={"seconds": round(time.perf_counter() - started, 3),
                        "story_groups": alignment.groups,
                        "story_scores": {f"{a}|{b}": round(s, 3) for (a, b), s in alignment.story_scores.items()}})


def prepare(documents: list[Document]) -> tuple[list[Document], dict[str, str]]:
    from ..ingest.checks import check_size
    from ..ingest.clean import clean_text

    if len(documents) < 2:
        raise InputError(f"compare needs at least two documents, got {len(documents)}")
    ids = [d.id for d in documents]
    dup_ids = sorted({i for i in ids if ids.count(i) > 1})
    if dup_ids:
        raise InputError(f"document ids must be unique; repeated: {', '.join(dup_ids)}")
    seen: dict[str, str] = {}
    kept, duplicates = [], {}
    for d in documents:
        if not isinstance(d.text, str):
            raise InputError(f"{d.id}: text must be a string, got {type(d.text).__name__}")
        check_size(d.text, d.id)
        text = clean_text(d.text)
        if not text.strip():
            raise InputError(f"{d.id}: the text is empty after cleaning")
        digest = hashlib.sha256(" ".join(text.split()).lower().encode()).hexdigest()
        if digest in seen:
            duplicates[d.id] = seen[digest]
            continue
        seen[digest] = d.id
        kept.append(d if text == d.text else Document(d.id, text, d.title, d.url, d.outlet, d.published))
    return kept, duplicates


def _duplicate_notice(dup: str, kept: str) -> Finding:
    return Finding(NOTICE, "duplicate", f"{dup} is identical to {kept}; it was compared once, as {kept}",
                   claims=[], docs=[kept, dup])


def _story_notices(al: Alignment) -> list[Finding]:
    if len(al.groups) == 1:
        return []
    parts = "; ".join(", ".join(g) for g in al.groups)
    return [Finding(NOTICE, "different_stories",
                    f"These documents do not report the same story (groups: {parts}); "
                    "facts are only compared within a group", claims=[], docs=[d for g in al.groups for d in g],
                    details={"groups": al.groups})]


def _conflicts(al: Alignment, views: dict[str, DocView]) -> list[Finding]:
    # claims aligned into one fact: where a negation on one side is a tension, not noise
    linked: dict[tuple[str, int], set[tuple[str, int]]] = {}
    for fact in al.facts:
        ids = {(c.doc, c.index) for c in fact.claims}
        for c in fact.claims:
            linked[(c.doc, c.index)] = ids
    group_of = {d: gi for gi, g in enumerate(al.groups) for d in g}
    found: dict[tuple, Candidate] = {}
    n = len(al.claims)
    for i in range(n):
        a = al.claims[i]
        for j in range(i + 1, n):
            b = al.claims[j]
            if a.doc == b.doc or group_of[a.doc] != group_of[b.doc]:
                continue
            sim = float(al.sim[i, j])
            cands = detect(a, b, sim)
            if not cands and sim >= POLARITY_MIN_SIM and (a.doc, a.index) in linked.get((b.doc, b.index), ()):
                cands = polarity_conflicts(a, b, sim)
            for cand in cands:
                key = (cand.type, a.doc, cand.a_span[0], b.doc, cand.b_span[0])
                if key not in found or found[key].confidence < cand.confidence:
                    found[key] = cand
    lists = [(c.a.doc, c.a_span) for c in found.values() if c.type == "membership"]
    lists += [(c.b.doc, c.b_span) for c in found.values() if c.type == "membership"]
    swapped = [c for c in _swaps(al, views, lists) if not _nested(c)]
    return [_finding(c) for c in _one_per_value(_best_polarity(found.values()) + swapped)]


def _swaps(al: Alignment, views: dict[str, DocView], lists: list[tuple[str, tuple]]) -> list[Candidate]:
    """Figures, dates and names one report gives where another of its story group gives different
    ones, each conflict's two sides in the order of the inputs. A date or name inside a list of
    participants that differs (``lists``: (doc, span) of the membership conflicts' lists) is the
    membership conflict's, not a swap."""
    by_doc: dict[str, list[int]] = {}
    for i, c in enumerate(al.claims):
        by_doc.setdefault(c.doc, []).append(i)
    rank = {doc: i for i, doc in enumerate(by_doc)}
    pairs = [(x, y) for group in al.groups for x, y in itertools.permutations(group, 2)]
    model = swaps.load_model()
    out = []
    for kind in swaps.KINDS:
        found = []   # (value in x, value in y, features), scored together below
        for x, y in pairs:
            block = np.ix_(by_doc[x], by_doc[y])
            found += swaps.candidates(kind, views[x].claims, views[y].claims, views[x], views[y],
                                     al.sim[block], al.support[block])
        if not found:
            continue
        slot = swaps.FEATURES[kind].index("slot")
        probs = trees.predict(swaps.model_rows(kind, [f[2] for f in found]), model)
        best: dict[tuple, tuple] = {}  # a value scored against several counterparts keeps its best
        for (vx, vy, feats), p in zip(found, probs):
            key = (vx.claim.doc, vy.claim.doc, vy.start, vy.end)
            if swaps.flagged(model, vy, p) and (key not in best or p > best[key][0]):
                best[key] = (p, vx, vy, feats[slot])
        for p, vx, vy, slot_score in best.values():
            if kind != "number" and any(d == vy.claim.doc and s <= vy.start < e for d, (s, e, _) in lists):
                continue
            first, second = (vx, vy) if rank[vx.claim.doc] < rank[vy.claim.doc] else (vy, vx)
            out.append(value_candidate(first, second, slot_score, round(float(p), 3)))
    return out


def _nested(c: Candidate) -> bool:
    """A name swap of two places, one inside the other ("Houston" and "Texas", "Greece" and
    "Europe"): both can be true, so no conflict. Asked last, of the few swaps left: the
    gazetteer's data load on first use (benchmarks/train_swaps.py leaves such pairs out the
    same way)."""
    return c.type in ("place", "person") and gazetteer.within(c.value_a, c.value_b)


def _best_polarity(cands) -> list[Candidate]:
    """At most one polarity tension per pair of documents, the most similar claims: a
    negation can sit in a side clause, so a second one is more likely noise than news."""
    best: dict[tuple[str, str], Candidate] = {}
    out = []
    for c in cands:
        if c.type != "polarity":
            out.append(c)
        elif (k := tuple(sorted((c.a.doc, c.b.doc)))) not in best or best[k].confidence < c.confidence:
            best[k] = c
    return out + list(best.values())


def _one_per_value(cands) -> list[Candidate]:
    """Keep the best-supported pairing for each differing value in each document. A swapped
    figure, date or name conflicts with one value of each other report at most, its most
    likely: a name set against each of a list of four ("Laurence Mark vs Chevy Chase",
    "... vs Goldie Hawn") is one doubtful pairing, not four conflicts. Rule-based conflicts
    (membership, attribution) keep one per pair of values."""
    best: dict[tuple, Candidate] = {}
    for c in sorted(cands, key=lambda c: -c.confidence):
        swapped = c.type in swaps.CONFLICT_TYPES
        k = (c.type, c.b.doc, c.b_span[0], c.a.doc, "" if swapped else c.value_a.lower())
        k2 = (c.type, c.a.doc, c.a_span[0], c.b.doc, "" if swapped else c.value_b.lower())
        if k in best or k2 in best:
            continue
        best[k] = best[k2] = c
    return list({id(c): c for c in best.values()}.values())


def _finding(c: Candidate) -> Finding:
    return Finding(CONFLICT, c.type, c.summary, claims=c.evidence(),
                   values={c.a.doc: c.value_a, c.b.doc: c.value_b}, confidence=c.confidence,
                   docs=[c.a.doc, c.b.doc], details=c.details)


def _shared_coverage(al: Alignment) -> list[Finding]:
    """Per story group: the claims of each report that have a close counterpart in another
    report of the group, i.e. the ground the reports cover in common."""
    out = []
    for group in al.groups:
        if len(group) < 2:
            continue
        idx = [i for i, c in enumerate(al.claims) if c.doc in group]
        shared = []
        for i in idx:
            others = [j for j in idx if al.claims[j].doc != al.claims[i].doc]
            if others and float(al.support[i, others].max()) >= COVERAGE_SUPPORT:
                shared.append(al.claims[i])
        docs = [d for d in group if any(c.doc == d for c in shared)]
        if len(docs) < 2:
            continue
        counts = ", ".join(f"{sum(c.doc == d for c in shared)} in {d}" for d in docs)
        out.append(Finding(AGREEMENT, "shared_coverage",
                           f"Common ground: sentences with a close counterpart in another report ({counts})",
                           claims=[c.evidence() for c in shared], values={}, confidence=0.6, docs=docs,
                           details={"k": len(docs), "n": len(group)}))
    return out


def _agreements_and_omissions(al: Alignment, views: dict[str, DocView],
                              in_conflict: set[tuple[str, int]]) -> list[Finding]:
    out = _shared_coverage(al) + [_event_agreement(ev, al.groups) for ev in al.events]
    for fact in al.facts:
        fdocs = fact.docs
        group = next(g for g in al.groups if fdocs[0] in g)
        if len(fdocs) >= 2 and not _denial(fact.claims):
            out.append(_agreement(fact.claims, fdocs, group))
        om = _omission(al, fact.claims, fdocs, group) if len(fdocs) < len(group) else None
        if om:
            out.append(om)
        elif len(group) > 1:
            out += [f for c in fact.claims if (f := _detail_omission(c, group, views, in_conflict))]
    return out


def _denial(claims: list[Claim]) -> bool:
    """Two claims, one denying what the other states ("did not attend" / "attended"): a
    polarity conflict, not a fact both reports corroborate."""
    return len(claims) == 2 and denial(claims[0], claims[1]) is not None


def _event_agreement(ev: Event, groups: list[list[str]]) -> Finding:
    """The sentences of each report that tell of the story's main event (many-to-many)."""
    group = next(g for g in groups if ev.docs[0] in g)
    k, n = len(ev.docs), len(group)
    who = "Both report" if k == n == 2 else f"{k} of {n} sources report"
    counts = ", ".join(f"{sum(c.doc == d for c in ev.claims)} in {d}" for d in ev.docs)
    return Finding(AGREEMENT, "same_event",
                   f"{who} the same event: \u201c{short(ev.anchors[0].text, QUOTED)}\u201d (sentences about it: {counts})",
                   claims=[c.evidence() for c in ev.claims],
                   values={d: next(c.text for c in ev.anchors if c.doc == d) for d in ev.docs},
                   confidence=0.7, docs=ev.docs, details={"k": k, "n": n})


def _detail_omission(c: Claim, group: list[str], views: dict[str, DocView],
                     in_conflict: set[tuple[str, int]]) -> Finding | None:
    """Names and figures in a corroborated claim that no other report of the story gives
    (values already shown as conflicting are left to the conflict)."""
    others = [d for d in group if d != c.doc]
    missing = [v for v in values(c)
               if (v.kind == "name" or (v.kind == "number" and v.item.counted and not v.item.vague))
               and (c.doc, v.start) not in in_conflict and not any(views[d].gives(v) for d in others)]
    missing = list({v.text.lower(): v for v in missing}.values())
    if not missing or c.is_title:
        return None
    names = ", ".join(v.text for v in missing)
    return Finding(OMISSION, "only_in", f"Only in {c.doc}: {names} (in “{short(c.text, 90)}”)",
                   claims=[Evidence(c.doc, v.start, v.end, v.text) for v in missing],
                   values={c.doc: names}, confidence=0.6, docs=[c.doc],
                   details={"absent_from": others, "detail": True})


def _agreement(claims: list[Claim], fdocs: list[str], group: list[str]) -> Finding:
    rep = {}
    for c in claims:
        rep.setdefault(c.doc, c)
    k, n = len(fdocs), len(group)
    lead = rep[fdocs[0]]
    who = "Both report" if k == n == 2 else f"{k} of {n} sources report"
    same = _shared_figures(claims) or _shared_quote(claims)
    return Finding(AGREEMENT, "corroborated",
                   f"{who}: \u201c{short(lead.text, QUOTED)}\u201d" + (f" ({same})" if same else ""),
                   claims=[c.evidence() for c in claims], values={d: rep[d].text for d in fdocs},
                   confidence=0.9, docs=fdocs, details={"k": k, "n": n})


def _shared_figures(claims: list[Claim]) -> str:
    """"1000 / about 1,000 volunteer" when claims of different documents give one figure."""
    for i, a in enumerate(claims):
        for b in claims[i + 1:]:
            if a.doc == b.doc:
                continue
            for qa in a.quantities:
                for qb in b.quantities:
                    if quantities.same_figure(qa, qb):
                        return f"same figure: {qa.text} / {qb.text} {qa.counted}"
    return ""


def _shared_quote(claims: list[Claim]) -> str:
    """"same quote, attributed to X / Y" when claims of different documents quote the same words."""
    for i, a in enumerate(claims):
        for b in claims[i + 1:]:
            for qa in a.quotes if a.doc != b.doc else ():
                for qb in b.quotes:
                    if quotes.same_quote(qa, qb):
                        who = " / ".join(q.speaker or "unnamed" for q in (qa, qb))
                        return f"same quote, attributed to {who}"
    return ""


def _omission(al: Alignment, claims: list[Claim], fdocs: list[str], group: list[str]) -> Finding | None:
    words = max(len(c.text.split()) for c in claims)
    if words < MIN_OMISSION_WORDS or all(c.is_title for c in claims):
        return None
    others = [d for d in group if d not in fdocs]
    # a loose paraphrase elsewhere means "said differently", not "left out"
    idx = [al.index(c) for c in claims]
    other_idx = [i for i, c in enumerate(al.claims) if c.doc in others]
    if other_idx and float(al.support[sorted(idx)][:, other_idx].max()) >= COVERAGE_SUPPORT:
        return None
    lead = claims[0]
    where = f"only in {', '.join(fdocs)}" if len(fdocs) == 1 else f"missing from {', '.join(others)}"
    return Finding(OMISSION, "only_in" if len(fdocs) == 1 else "missing_from",
                   f"{where[0].upper() + where[1:]}: \u201c{short(lead.text, QUOTED)}\u201d",
                   claims=[c.evidence() for c in claims], values={},
                   confidence=0.7, docs=fdocs, details={"absent_from": others})


def _rank(f: Finding):
    kind_rank = {NOTICE: 0, CONFLICT: 1, AGREEMENT: 2, OMISSION: 3}[f.kind]
    type_rank = TYPE_RANK.get(f.type, 9) if f.kind == CONFLICT else int(f.type in ("shared_coverage", "same_event"))
    first = min((c.start for c in f.claims), default=0)
    return (kind_rank, type_rank, -f.confidence, -len(f.docs), f.docs[0] if f.docs else "", first)


__all__ = ["compare"]
