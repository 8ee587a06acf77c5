"""Quotes and who the text says spoke them.

Direct quotes are the words between quotation marks (three words or more);
reported speech is the clause governed by a speech verb ("X said that ...").
The speaker is the subject of the speech verb, kept as its noun phrase
("A senior U.S. official") with the entity key when it is a named entity.
"""
from __future__ import annotations

import difflib
import re

from ..model import Entity, Quote

SPEECH_VERBS = {"say", "tell", "state", "add", "announce", "claim", "insist", "explain", "summarize",
                "summarise", "report", "write", "note", "warn", "declare", "confirm", "deny", "argue",
                "acknowledge", "admit", "tweet", "quote", "describe", "estimate", "believe"}
SAME_QUOTE = 0.6  # share of words in order above which two quotes are the same words
_WORDS = re.compile(r"\w+")
_QUOTE_RE = re.compile(r"[\"“”]([^\"“”]{8,}?)[\"“”]|‘([^‘’]{12,}?)’")


def extract(sent, entities: list[Entity]) -> list[Quote]:
    """Quotes in one spaCy sentence span, with their speaker when one is found."""
    speaker = _speaker(sent, entities)
    quotes = []
    for m in _QUOTE_RE.finditer(sent.text):
        group = 1 if m.group(1) is not None else 2
        words = m.group(group).split()
        if len(words) < 3:
            continue
        s = sent.start_char + m.start(group)
        e = sent.start_char + m.end(group)
        quotes.append(Quote(start=s, end=e, text=m.group(group), **speaker))
    if not quotes and speaker:
        reported = _reported_clause(sent)
        if reported is not None:
            s, e = reported
            quotes.append(Quote(start=s, end=e, text=sent.text[s - sent.start_char:e - sent.start_char], **speaker))
    return quotes


def overlap(x: str, y: str) -> float:
    """Share of the shorter quote's words that the other quote has in the same order."""
    wx, wy = _WORDS.findall(x.lower()), _WORDS.findall(y.lower())
    if not wx or not wy:
        return 0.0
    m = difflib.SequenceMatcher(None, wx, wy, autojunk=False)
    return sum(b.size for b in m.get_matching_blocks()) / min(len(wx), len(wy))


def same_quote(a: Quote, b: Quote) -> bool:
    return overlap(a.text, b.text) >= SAME_QUOTE


def _speech_verbs(sent):
    return [tok for tok in sent if tok.lemma_.lower() in SPEECH_VERBS and tok.pos_ == "VERB"]


def _speech_verb(sent):
    verbs = _speech_verbs(sent)
    return verbs[0] if verbs else None


def _subject(verb):
    subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    return None if subj is None or subj.pos_ == "PRON" else subj


def _speaker(sent, entities: list[Entity]) -> dict:
    subj = next((s for v in _speech_verbs(sent) if (s := _subject(v)) is not None), None)
    if subj is None:
        # "..., according to X"
        for tok in sent:
            if tok.lower_ == "according" and tok.i + 2 < sent.end and sent.doc[tok.i + 1].lower_ == "to":
                subj = sent.doc[tok.i + 2]
                break
    if subj is None:
        return {}
    toks = list(subj.subtree)
    s, e = toks[0].idx, toks[-1].idx + len(toks[-1].text)
    if e - s > 120:
        return {}
    text = sent.text[s - sent.start_char:e - sent.start_char]
    key = None
    for ent in entities:
        if ent.start >= s and ent.end <= e and ent.type in ("person", "org"):
            key = ent.key
            break
    return {"speaker": text, "speaker_key": key or "role:" + subj.lemma_.lower(),
            "speaker_start": s, "speaker_end": e}


def _reported_clause(sent):
    verb = _speech_verb(sent)
    if verb is None:
        return None
    comp = next((c for c in verb.children if c.dep_ == "ccomp"), None)
    if comp is None:
        return None
    toks = [t for t in comp.subtree if not (t.dep_ == "mark" and t.i == comp.left_edge.i)]
    if len(toks) < 4:
        return None
    return toks[0].idx, toks[-1].idx + len(toks[-1].text)
