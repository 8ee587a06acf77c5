"""More training cases for the swap models: conflicts injected into every same-story dev pair.

The dev conflict cases (../shared/eval/data/conflicts-dev.jsonl) give 100 injected
values per type, too few for the swap models to learn what generalises to unseen
topics. This module makes more the way that file's README describes its own: in a
same-story pair of ECB+ dev reports, a value of report B that agrees with report A
where the gold annotation says both speak of the same thing (a shared coreference
chain) is replaced by a different value of the same kind, at one site per report:

- number: a figure of a B sentence that a coreferent A sentence gives too
  ("23" pirates -> "16"; word figures stay words), one case for each of two
  different replacements ("23" -> "16", and "23" -> "41");
- date: a weekday, month, year, day or clock time inside a gold time mention that
  both reports share (Wednesday -> Sunday, 2007 -> 2008);
- place / person: a gold place or person mention written the same in both reports,
  replaced by a place (country for a country, state for a state) or a name with as
  many words taken from another topic.

Only dev topics are read. Choices are seeded per pair and direction, so the cases are the same on
every run. The untouched pairs are returned too, as controls: real reports give
values the other never mentions, and those are the negatives.
"""
from __future__ import annotations

import functools
import hashlib
import json
import random
import re
from pathlib import Path

from storydiff.analyze.dates import MONTHS, WEEKDAYS

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"

_WORDS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
          "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
          "nineteen", "twenty"]
_NUMBER = re.compile(r"(?<![\w:/.$€£,-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?|" + "|".join(_WORDS[1:]) + r")(?![\w:/]|,\d|\.\d)",
                     re.IGNORECASE)
_WEEKDAYS = [d.capitalize() for d in WEEKDAYS]
_MONTHS = [m.capitalize() for m in MONTHS]
_DATE_PART = re.compile(
    r"\b(?P<weekday>" + "|".join(_WEEKDAYS) + r")\b|\b(?P<month>" + "|".join(_MONTHS)
    + r"|(?:Jan|Feb|Aug|Sept?|Oct|Nov|Dec)\.)(?!\w)|\b(?P<year>(?:19|20)\d\d)\b"
    + r"|\b(?P<clock>\d{1,2}(?::\d\d)?)(?=\s*[ap]\.?m)|\b(?P<day>[1-9]|[12]\d|3[01])\b")
_NAME_WORD = re.compile(r"^[A-Z][A-Za-z'\-.]+$")
_NOT_NAMES = {"The", "He", "She", "His", "Her", "They", "It", "We", "I", "Mr.", "Mrs.", "Ms.", "Dr.", "Police"}
_PLACE_TYPES = ("LOC_GEO", "LOC_FAC", "LOC_OTHER")
_TIME_TYPES = ("TIME_DATE", "TIME_OF_THE_DAY", "TIME_DURATION", "TIME_REPETITION")
# replacements drawn per number site, each its own case. Measured held-out (mean number recall
# over budgets 0.2-0.4, train_swaps.py --dry-run) under four seeds of the draws: 1 replacement
# 0.758 / 0.738 / 0.72 / 0.725, 2 replacements 0.803 / 0.753 / 0.735 / 0.748 (+0.024 on average,
# better under every seed); more sites per report instead (2 or 3, one replacement each) gave
# 0.738 / 0.735 under the first seed
NUMBER_REPLACEMENTS = 2


def load(eval_dir: Path = EVAL) -> tuple[dict[str, dict], list[dict]]:
    """The dev reports by id and the same-story pairs."""
    docs = {}
    for line in open(eval_dir / "data" / "ecbplus-dev.jsonl", encoding="utf-8"):
        d = json.loads(line)
        docs[d["id"]] = d
    pairs = [p for p in map(json.loads, open(eval_dir / "data" / "pairs-dev.jsonl", encoding="utf-8"))
             if not p["distractor"]]
    return docs, pairs


def cases(eval_dir: Path = EVAL, skip_pairs: set[frozenset] = frozenset(),
          types: tuple[str, ...] = ("number", "date", "place", "person")) -> list[dict]:
    """Injected cases per type and report of each pair (the swap made in B, then in A) where
    the pair allows it - one site each, with NUMBER_REPLACEMENTS replacements for numbers -
    plus every pair as a control.
    Pairs in ``skip_pairs`` (unordered ids) give no control: the dev cases have them already."""
    from storydiff.analyze import gazetteer
    from storydiff.analyze.nlp import english_word

    docs, pairs = load(eval_dir)
    pools = _pools(docs, gazetteer, english_word)
    out: list[dict] = []
    for p in pairs:
        for a, b in ((docs[p["a"]], docs[p["b"]]), (docs[p["b"]], docs[p["a"]])):  # a swap in either report
            rng = random.Random(hashlib.md5(f"{a['id']}|{b['id']}".encode()).hexdigest())
            for kind, site in (("number", _number_site), ("date", _date_site), ("place", _name_site),
                               ("person", _name_site)):
                found = kind in types and site(a, b, rng, kind, pools, gazetteer, english_word)
                if not found:
                    continue
                start, end, original, replacements = found
                for replacement in replacements:
                    text = b["text"][:start] + replacement + b["text"][end:]
                    out.append(_case(f"aug-{len(out):05d}", kind, p["story"], a, b, text, start, replacement,
                                     original))
        if frozenset((p["a"], p["b"])) not in skip_pairs:
            a, b = docs[p["a"]], docs[p["b"]]
            out.append(_case(f"aug-{len(out):05d}", "control", p["story"], a, b, b["text"]))
    return out


def injected(case_id: str) -> bool:
    """Is this one of the cases made here (not a dev conflict case)?"""
    return case_id.startswith("aug-")


def _case(cid: str, kind: str, story: str, a: dict, b: dict, text: str, start: int = 0,
          replacement: str = "", original: str = "") -> dict:
    case = {"case": cid, "type": kind, "story": story, "a": {"id": a["id"], "text": a["text"]},
            "b": {"id": b["id"], "text": text}}
    if kind != "control":
        span = [start, start + len(replacement)]
        case.update(b_span=span, b_spans=[span], original=original, replacement=replacement)
    return case


def _sentence_of(doc: dict, offset: int) -> int:
    return next((i for i, (s, e) in enumerate(doc["sentences"]) if s <= offset < e), -1)


def _chains_by_sentence(doc: dict) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for m in doc["mentions"]:
        if m["chain"]:
            out.setdefault(_sentence_of(doc, m["start"]), set()).add(m["chain"])
    return out


def _chain_texts(doc: dict, types: tuple[str, ...]) -> dict[str, str]:
    """Gold chain -> the texts of the report's mentions of it of these types, joined."""
    texts: dict[str, list[str]] = {}
    for m in doc["mentions"]:
        if m["chain"] and m["type"] in types:
            texts.setdefault(m["chain"], []).append(m["text"])
    return {chain: " | ".join(t) for chain, t in texts.items()}


def _number_value(text: str) -> float:
    low = text.lower()
    return float(_WORDS.index(low)) if low in _WORDS else float(text.replace(",", ""))


def _number_site(a: dict, b: dict, rng: random.Random, *_) -> tuple | None:
    """A figure of a B sentence that an A sentence sharing a gold chain with it gives too, and up
    to NUMBER_REPLACEMENTS different replacements for it. More replacements of one site helped
    held-out recall where more sites of the same report did not (see NUMBER_REPLACEMENTS)."""
    chains_a, chains_b = _chains_by_sentence(a), _chains_by_sentence(b)
    figures_a = {i: {_number_value(m.group(1)) for m in _NUMBER.finditer(_sentence(a, i))} for i in chains_a}
    sites = []
    for j, (s, e) in enumerate(b["sentences"]):
        values_a = set().union(*(figures_a[i] for i, ch in chains_a.items() if ch & chains_b.get(j, set())))
        for m in _NUMBER.finditer(b["text"], s, e):
            v = _number_value(m.group(1))
            if v in values_a and not (1900 <= v <= 2099 and "." not in m.group(1)):
                sites.append((m.start(1), m.end(1), m.group(1)))
    if not sites:
        return None
    start, end, original = rng.choice(sites)
    replacements = dict.fromkeys(_other_number(original, rng) for _ in range(NUMBER_REPLACEMENTS))
    return start, end, original, list(replacements)


def _sentence(doc: dict, i: int) -> str:
    s, e = doc["sentences"][i]
    return doc["text"][s:e]


def _other_number(text: str, rng: random.Random) -> str:
    v = _number_value(text)
    if text.lower() in _WORDS:
        choices = [w for w in _WORDS[1:13] if w != text.lower() and 0.25 <= (_WORDS.index(w) + 0.5) / (v + 0.5) <= 4]
        word = rng.choice(choices)
        return word.capitalize() if text[0].isupper() else word
    while True:
        new = v * rng.choice([rng.uniform(0.4, 0.8), rng.uniform(1.25, 2.2)])
        if "." in text:
            out = f"{new:.{len(text.split('.')[1])}f}"
        else:
            out = str(max(1, round(new)))
            out = f"{int(out):,}" if "," in text else out
        if _number_value(out) != v:
            return out


def _date_site(a: dict, b: dict, rng: random.Random, *_) -> tuple | None:
    """A weekday, month, year, day or clock time inside a gold time mention of B whose chain
    A also mentions with that same part."""
    chain_texts = _chain_texts(a, _TIME_TYPES)
    sites = []
    for m in b["mentions"]:
        if m["type"] not in ("TIME_DATE", "TIME_OF_THE_DAY") or m["chain"] not in chain_texts:
            continue
        for part in _DATE_PART.finditer(b["text"], m["start"], m["end"]):
            field = part.lastgroup
            if re.search(r"(?<!\w)" + re.escape(part.group()) + r"(?!\w)", chain_texts[m["chain"]]):
                if field != "day" or re.search("|".join(_MONTHS), m["text"]):
                    sites.append((part.start(), part.end(), part.group(), field))
    if not sites:
        return None
    start, end, original, field = rng.choice(sites)
    return start, end, original, [_other_date_part(original, field, rng)]


def _other_date_part(text: str, field: str, rng: random.Random) -> str:
    if field == "weekday":
        return rng.choice([w for w in _WEEKDAYS if w != text])
    if field == "month":
        return rng.choice([m for m in _MONTHS if not m.startswith(text.rstrip("."))])
    if field == "year":
        return str(int(text) + rng.choice([-3, -2, -1, 1, 2, 3]))
    if field == "clock":
        hour, _, minutes = text.partition(":")
        new = rng.choice([h for h in range(1, 13) if h != int(hour)])
        return f"{new}:{minutes}" if minutes else str(new)
    return str(rng.choice([d for d in range(1, 29) if d != int(text)]))


_RUN = re.compile(r"[A-Z][\w'.-]*(?:\s+(?:of\s+|the\s+|de\s+)?[A-Z][\w'.-]*)*")


def _runs(kind: str, start: int, text: str, gazetteer, english_word) -> list[tuple[int, int, str]]:
    """The proper names inside a gold mention (at ``start``): runs of capitalised words that
    look like a place, or a person's name (1-3 words, the last no English word)."""
    out = []
    for m in _RUN.finditer(text):
        name = re.sub(r"(?:'s?|’s?)$", "", m.group())
        if name.endswith(".") and name[:-1].count(".") == 0:
            name = name[:-1]  # the sentence's full stop, not "U.S."
        words = name.split()
        if len(words) > 3 or words[0] in _NOT_NAMES or not all(_NAME_WORD.match(w) or w in ("of", "the", "de") for w in words):
            continue
        surname = words[-1].lower()
        if kind == "person" and (english_word(surname) or english_word(surname.rstrip("s")) or
                                 gazetteer.country(name) or not all(w[1:].islower() for w in words)):
            continue
        out.append((start + m.start(), start + m.start() + len(name), name))
    return out


def _place_kind(text: str, gazetteer) -> str:
    country = gazetteer.country(text)
    if country and gazetteer.fold(text) not in _capitals():
        return "country"
    return "state" if gazetteer.us_state(text) else "place"


@functools.lru_cache(maxsize=1)
def _capitals() -> frozenset[str]:
    from countryinfo import all_countries

    from storydiff.analyze.gazetteer import fold

    return frozenset(fold(str(c.info().get("capital") or "")) for c in all_countries())


def _pool_key(kind: str, name: str, gazetteer) -> tuple:
    return (kind, _place_kind(name, gazetteer)) if kind == "place" else (kind, len(name.split()))


def _types(kind: str) -> tuple[str, ...]:
    return _PLACE_TYPES if kind == "place" else ("HUMAN_PART_PER",)


def _pools(docs: dict[str, dict], gazetteer, english_word) -> dict[tuple, list[tuple[str, str]]]:
    """(kind, place kind or word count) -> sorted (topic, name) of the names in gold mentions."""
    pools: dict[tuple, set] = {}
    for d in docs.values():
        for kind in ("place", "person"):
            for m in d["mentions"]:
                if m["type"] in _types(kind):
                    for *_, name in _runs(kind, m["start"], m["text"], gazetteer, english_word):
                        if kind == "person" and " " not in name:
                            continue  # a surname alone may be any word; surnames come from full names
                        pools.setdefault(_pool_key(kind, name, gazetteer), set()).add((d["topic"], name))
                        if kind == "person":
                            pools.setdefault(("person", 1), set()).add((d["topic"], name.split()[-1]))
    return {k: sorted(v) for k, v in pools.items()}


def _name_site(a: dict, b: dict, rng: random.Random, kind: str, pools: dict, gazetteer, english_word) -> tuple | None:
    """A place or person name inside a gold mention of B that a mention of the same chain in A
    writes the same."""
    chain_texts = _chain_texts(a, _types(kind))
    sites = [run for m in b["mentions"] if m["type"] in _types(kind) and m["chain"] in chain_texts
             for run in _runs(kind, m["start"], m["text"], gazetteer, english_word)
             if re.search(r"(?<![\w-])" + re.escape(run[2]) + r"(?![\w-])", chain_texts[m["chain"]])]
    if not sites:
        return None
    start, end, name = rng.choice(sorted(set(sites)))
    names_here = a["text"] + b["text"]
    pool = [n for topic, n in pools.get(_pool_key(kind, name, gazetteer), []) if topic != b["topic"] and n not in names_here]
    if not pool:
        return None
    return start, end, name, [rng.choice(pool)]


if __name__ == "__main__":
    from collections import Counter

    made = cases()
    print(Counter(c["type"] for c in made))
    for c in made[::25]:
        if c["type"] != "control":
            print(c["type"], repr(c["original"]), "->", repr(c["replacement"]))
