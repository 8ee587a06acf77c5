"""Quantities: value, approximation, range, vagueness and what is counted.

Works on spaCy tokens so "what is counted" can follow the parse ("about 800
of them", "1,000 volunteers", "a 6.1-magnitude quake", "Lo Presti, 52,").
number-parser reads written numbers ("three hundred"); vague amounts
("dozens", "hundreds of thousands") become ranges. The bounds are what lets
"about 1,000" agree with "1000" while "around 300" and "about 800" conflict.
"""
from __future__ import annotations


import math
import re
from functools import lru_cache

from ..model import Quantity
from . import dates

# approximation words -> (relative slack below, relative slack above); inf = open range
_APPROX = {
    "about": (0.15, 0.15), "around": (0.15, 0.15), "approximately": (0.15, 0.15), "roughly": (0.15, 0.15),
    "some": (0.15, 0.15), "nearly": (0.15, 0.0), "almost": (0.15, 0.0), "estimated": (0.2, 0.2),
    "circa": (0.15, 0.15), "~": (0.15, 0.15),
}
_APPROX_PHRASES = {
    ("more", "than"): "more than", ("over",): "more than", ("at", "least"): "at least",
    ("up", "to"): "up to", ("as", "many", "as"): "up to", ("fewer", "than"): "up to",
    ("less", "than"): "up to", ("under",): "up to", ("close", "to"): "about", ("nearly",): "nearly",
    ("at", "most"): "up to", ("no", "more", "than"): "up to", ("upwards", "of"): "more than",
}
_VAGUE = {"dozens": (24, 99), "scores": (40, 99), "hundreds": (200, 999), "thousands": (2000, 9999),
          "millions": (2e6, 9.99e8), "tens": (20, 99), "several": (3, 9), "a few": (2, 5), "handful": (2, 6)}
_MULT = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "m": 1e6, "bn": 1e9, "k": 1e3}
_NUM_RE = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")
_SKIP_ENTS = {"TIME", "ORDINAL", "DATE_CAL"}
_MONTH_WORDS = {*dates.MONTHS, *dates.MONTH_ABBR}
_CALENDAR_WORDS = {*_MONTH_WORDS, *dates.WEEKDAYS}
_COUNT_DEPS = {"nummod", "quantmod", "compound", "amod", "appos", "nmod", "npadvmod"}


def compatible(a: Quantity, b: Quantity) -> bool:
    """Can the two quantities be the same figure? ("about 1,000" and "1000" can.)

    Two bounds the same way are two figures, not two ranges: "at least two million users"
    and "at least five million" could both hold, but the reports give different tolls (the
    usual sign of one running behind), so they are compared as "about" each."""
    if _BOUND.get(a.approx) and _BOUND.get(a.approx) == _BOUND.get(b.approx):
        below, above = _APPROX["about"]
        return a.value * (1 - below) <= b.value * (1 + above) and b.value * (1 - below) <= a.value * (1 + above)
    return a.low <= b.high and b.low <= a.high


_BOUND = {"more than": "low", "at least": "low", "up to": "high"}


def same_figure(a: Quantity, b: Quantity) -> bool:
    """The same precise figure for the same counted thing: an anchor two claims share."""
    return bool(a.counted) and a.counted == b.counted and not a.vague and not b.vague and compatible(a, b)


@lru_cache(maxsize=4096)
def parse_number(text: str) -> float | None:
    """"1,000" -> 1000, "6.1" -> 6.1, "three hundred" -> 300, "2.5 million" -> 2.5e6.

    Memoised: number-parser rebuilds its language tables on every call, and the
    same few number words recur in every article."""
    t = text.strip().lower().replace("\u2009", "")
    parts = t.split()
    mult = 1.0
    if len(parts) > 1 and parts[-1] in _MULT:
        mult, t = _MULT[parts[-1]], " ".join(parts[:-1])
    if _NUM_RE.match(t):
        return float(t.replace(",", "")) * mult
    from number_parser import parse_number as _words

    try:
        v = _words(t)
    except Exception:  # number-parser raises on odd input; treat as "not a number"
        return None
    return float(v) * mult if v is not None else None


def extract(sent) -> list[Quantity]:
    """Quantities in a spaCy sentence span."""
    doc = sent.doc
    ent_label = {t.i: _ent_label(doc, t) for t in sent}
    out: list[Quantity] = []
    i = sent.start
    while i < sent.end:
        tok = doc[i]
        if ent_label.get(i) in _SKIP_ENTS or not _is_numberish(tok):
            vague = _vague_at(doc, i, sent.end)
            if vague:
                q, i = vague
                out.append(q)
                continue
            i += 1
            continue
        j = i
        while j + 1 < sent.end and _is_numberish(doc[j + 1]) and ent_label.get(j + 1) not in _SKIP_ENTS:
            j += 1
        span = doc[i:j + 1]
        text = span.text
        value = parse_number(text)
        # "6: 00 p.m.": the hour of a clock time, however spaced, counts nothing
        clock = j + 1 < len(doc) and doc[j + 1].text == ":"
        if value is None or clock or _is_year_like(span, value) or _is_pronoun_one(doc, i, j):
            i = j + 1
            continue
        low = high = value
        start_tok = i
        # ranges: "3-5", "between 3 and 5", "3 to 5"
        rng = _range_after(doc, j, sent.end)
        if rng:
            high, j = rng
        approx, start_tok = _approx_before(doc, i, sent.start)
        low, high = _bounds(low, high, approx)
        s_char = doc[start_tok].idx
        e_char = doc[j].idx + len(doc[j].text)
        # "scored 30 Thursday night": the weekday is no counted noun
        counted = None if count_before_weekday(doc, j) else counted_noun(doc, i, j, sent.start, sent.end)
        # "October 2", "2 October", "Apr 2" (a day the tagger left untagged): a date, not a count
        if counted not in _CALENDAR_WORDS and not _beside_month(doc, i, j, sent.start, sent.end):
            out.append(Quantity(start=s_char, end=e_char, text=doc[start_tok:j + 1].text, value=value,
                                low=low, high=high, approx=approx, counted=counted))
        i = j + 1
    return out


def _is_numberish(tok) -> bool:
    if tok.like_num and not tok.is_punct:
        return True
    return tok.lower_ in _MULT and tok.i > 0 and tok.nbor(-1).like_num


def _beside_month(doc, i, j, sent_start: int, sent_end: int) -> bool:
    """Is the number a day of a month written beside it ("Apr 2", "FEB. 4", "2 April", the
    second day of "October 1-2")? A capitalised month word only: "may" is mostly the verb."""
    def month(k: int) -> bool:
        return sent_start <= k < sent_end and _month_word(doc[k])
    days = all(t.text.isdigit() and int(t.text) <= 31 for t in doc[i:j + 1])
    range_end = i - 2 >= sent_start and doc[i - 1].text in ("-", "–") and doc[i - 2].text.isdigit() and month(i - 3)
    return days and (month(i - 1) or month(j + 1) or range_end)


def _ent_label(doc, tok) -> str:
    """The tagger's entity label of a token, with the dates and times that hold no count told
    apart: DATE_CAL for a calendar date's numbers, TIME for a clock time's. A duration the
    tagger calls a time ("55 seconds", "six nights") and a figure it ran into a weekday
    ("scored 30 Thursday night") keep their number."""
    label = tok.ent_type_
    if label not in ("DATE", "TIME") or count_before_weekday(doc, tok.i):
        return "CARDINAL" if label == "TIME" else label
    if label == "DATE":
        return "DATE_CAL" if _calendar_like(doc, tok.i) else label
    return "DURATION" if _duration(doc, tok.i) else label


def _calendar_like(doc, i) -> bool:
    """A number inside a DATE entity that is part of a calendar date, not an age or a duration."""
    tok = doc[i]
    if ":" in tok.text or "/" in tok.text or (tok.text.isdigit() and len(tok.text) == 4):
        return True
    near = doc[max(0, i - 2):i + 3]
    return any(t.lower_.rstrip(".") in _CALENDAR_WORDS for t in near) or not tok.like_num


_DURATION_UNITS = {"second", "minute", "hour", "night", "day", "week"}


def _duration(doc, i) -> bool:
    """Does the number (of a run of number words, "forty five") count time units: "55 seconds",
    "the 90-minute", "six nights"?"""
    k = i
    while k < len(doc) and (_is_numberish(doc[k]) or doc[k].text == "-"):
        k += 1
    return k > i and k < len(doc) and doc[k].lemma_.lower() in _DURATION_UNITS and ":" not in doc[i].text


def count_before_weekday(doc, i) -> bool:
    """A bare number right before a weekday, no month beside it ("scored 30 Thursday night"): no
    day of a month, which is written after the weekday ("Thursday 30 October")."""
    tok = doc[i]
    if not tok.like_num or ":" in tok.text or i + 1 >= len(doc) or doc[i + 1].lower_ not in dates.WEEKDAYS:
        return False
    return not any(_month_word(t) for t in doc[max(0, i - 2):i + 4])


def _month_word(tok) -> bool:
    """A capitalised month word ("Apr.", "October"): "may" in lower case is mostly the verb."""
    word = tok.text.rstrip(".")
    return word[:1].isupper() and word.lower() in _MONTH_WORDS


def _is_pronoun_one(doc, i, j) -> bool:
    """"no one", "the two meet": number words that count nothing."""
    if i != j or doc[i].text[0].isdigit() or doc[i].dep_ in ("nummod", "quantmod"):
        return False
    if j + 1 < len(doc) and doc[j + 1].lower_ == "of":
        return False
    return doc[i].lower_ == "one" or (i > 0 and doc[i - 1].lower_ in ("the", "no", "any", "every", "these", "those"))


def _is_year_like(span, value: float) -> bool:
    return len(span) == 1 and span.text.isdigit() and len(span.text) == 4 and 1800 <= value <= 2100


def _vague_at(doc, i, end):
    tok = doc[i]
    low = tok.lower_
    key = low
    if low in ("a", "few") and i + 1 < end and doc[i + 1].lower_ == "few" and low == "a":
        key = "a few"
    if key not in _VAGUE:
        return None
    lo, hi = _VAGUE[key]
    last = i + (1 if key == "a few" else 0)
    # "hundreds of thousands"
    if last + 2 < end and doc[last + 1].lower_ == "of" and doc[last + 2].lower_ in _VAGUE:
        lo2, hi2 = _VAGUE[doc[last + 2].lower_]
        lo, hi = lo * lo2, hi * hi2
        last += 2
    counted = None
    if last + 2 < end and doc[last + 1].lower_ == "of":
        counted = doc[last + 2].lemma_.lower()
    elif last + 1 < end and doc[last + 1].pos_ in ("NOUN", "ADJ"):
        counted = _head_noun_after(doc, last + 1, end)
    if key in ("several", "a few", "handful") and counted is None:
        return None
    s, e = tok.idx, doc[last].idx + len(doc[last].text)
    q = Quantity(start=s, end=e, text=doc[i:last + 1].text, value=float(lo), low=float(lo), high=float(hi),
                 approx=None, vague=True, counted=counted)
    return q, last + 1


def _head_noun_after(doc, k, end) -> str | None:
    while k < end and doc[k].pos_ in ("ADJ", "NOUN", "PROPN", "PUNCT") and doc[k].text != ",":
        if doc[k].pos_ == "NOUN" and (k + 1 >= end or doc[k + 1].pos_ != "NOUN"):
            return doc[k].lemma_.lower()
        k += 1
    return None


def _range_after(doc, j, end):
    if j + 2 < end and doc[j + 1].text in ("-", "–", "to") and doc[j + 2].like_num:
        v = parse_number(doc[j + 2].text)
        if v is not None and v > (parse_number(doc[j].text) or 0):
            return v, j + 2
    if j + 2 < end and doc[j + 1].lower_ == "and" and j > 0 and doc[j - 1].lower_ == "between" \
            and doc[j + 2].like_num:
        v = parse_number(doc[j + 2].text)
        if v is not None:
            return v, j + 2
    return None


def _approx_before(doc, i, sent_start) -> tuple[str | None, int]:
    for phrase, name in sorted(_APPROX_PHRASES.items(), key=lambda kv: -len(kv[0])):
        n = len(phrase)
        if i - n >= sent_start and tuple(t.lower_ for t in doc[i - n:i]) == phrase:
            return name, i - n
    if i - 1 >= sent_start and doc[i - 1].lower_ in _APPROX:
        return doc[i - 1].lower_, i - 1
    if i - 2 >= sent_start and doc[i - 1].lower_ == "estimated" and doc[i - 2].lower_ == "an":
        return "estimated", i - 2
    if i - 1 >= sent_start and doc[i - 1].lower_ == "between":
        return None, i - 1
    return None, i


def _bounds(low: float, high: float, approx: str | None) -> tuple[float, float]:
    if approx in ("more than", "at least"):
        return low, math.inf
    if approx == "up to":
        return 0.0, high
    if approx in _APPROX:
        below, above = _APPROX[approx]
        return low * (1 - below), high * (1 + above)
    return low, high


# words that all count the dead: "3 dead", "killing 3", "death toll of 3", "3 fatalities"
_DEATH = {"dead", "die", "kill", "death", "fatality", "toll", "body", "victim"}


def counted_noun(doc, i, j, sent_start: int = 0, sent_end: int | None = None) -> str | None:
    """What the number counts (a lemma), with words for the dead folded into "dead"."""
    word = _counted(doc, i, j, sent_start, len(doc) if sent_end is None else sent_end)
    word = word.lstrip("-–") if word else word  # "6.3-magnitude" may split as 6.3 / -magnitude
    return "dead" if word in _DEATH else word or None


# a figure after a currency sign counts that currency ("$2.5 million worth of jewels": dollars)
_CURRENCY = {"$": "dollar", "£": "pound", "€": "euro", "¥": "yen"}


def _counted(doc, i, j, sent_start: int, sent_end: int) -> str | None:
    if i > sent_start and doc[i - 1].is_currency:
        sign = doc[i - 1].text
        return _CURRENCY.get(sign[-1:], sign.lower())
    tok = doc[j]
    nxt = doc[j + 1] if j + 1 < sent_end else None
    # "6.1-magnitude", "90-day", "23-year-old"
    if nxt is not None and nxt.text in ("-", "–") and j + 2 < len(doc):
        after = doc[j + 2]
        if after.lower_ in ("year", "years") and any(t.lower_ == "old" for t in doc[j + 3:j + 5]):
            return "age"  # "23-year-old", "59-year old"
        return after.lemma_.lower() if after.is_alpha else None  # "7-for-14" is a shooting line
    if nxt is not None and nxt.lower_ == "of" and j + 2 < sent_end:
        # "two of them", "one of the victims"; "one of the not yet answered questions" counts nothing sure
        k = j + 2 + (doc[j + 2].lower_ in _ARTICLES)
        if k < sent_end and doc[k].pos_ in ("NOUN", "PRON", "PROPN") and doc[k].lower_ not in _ARTICLES:
            return _lemma(doc, k)
        return None
    # the parse may run across a line break (headline into dateline): stay inside the claim
    if tok.dep_ in _COUNT_DEPS and tok.head.pos_ in ("NOUN", "PROPN") and j < tok.head.i < sent_end:
        if tok.head.lower_ in ("year", "years") and tok.head.i + 1 < len(doc) and doc[tok.head.i + 1].lower_ == "old":
            return "age"
        return _lemma(doc, tok.head.i)
    if nxt is not None and nxt.pos_ == "NOUN":
        return _head_noun_after(doc, j + 1, min(len(doc), j + 4)) or nxt.lemma_.lower()
    if nxt is not None and nxt.pos_ in ("ADJ", "VERB") and nxt.lemma_.lower() in _DEATH:
        return nxt.lemma_.lower()
    # "Lo Presti, 52," : an age in apposition to a person
    if i >= 2 and doc[i - 1].text == "," and doc[i - 2].ent_type_ == "PERSON" and nxt is not None and nxt.text == ",":
        return "age"
    # "magnitude 6.1", "death toll ... to 10": the nearest noun before
    for k in range(i - 1, max(i - 5, sent_start - 1), -1):
        if doc[k].pos_ == "NOUN":
            return doc[k].lemma_.lower()
    if tok.dep_ == "pobj" or tok.head.pos_ == "VERB":
        return None
    return None


_ARTICLES = {"the", "a", "an", "these", "those", "its", "their"}


def _lemma(doc, k: int) -> str:
    """A counted noun's lemma, whole when written with a hyphen ("co-workers" -> co-worker);
    "per cent" is percent."""
    tok = doc[k]
    if tok.lower_ == "cent" and k > 0 and doc[k - 1].lower_ == "per":
        return "percent"
    if k + 2 < len(doc) and doc[k + 1].text == "-" and not tok.whitespace_ and not doc[k + 1].whitespace_ \
            and doc[k + 2].is_alpha:
        return f"{tok.lower_}-{doc[k + 2].lemma_.lower()}"
    return tok.lemma_.lower()
