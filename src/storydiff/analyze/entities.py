"""Named entities and their canonical keys across documents.

spaCy finds the mentions; this module decides which mentions name the same
thing: countries through their names, codes, demonyms and capitals
(gazetteer), people through their surname once titles are stripped ("Mr.
Trump", "President Donald Trump" -> person:trump), organisations through
their acronyms ("National Security Council" = "NSC").
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import replace

from spacy.lang.en.stop_words import STOP_WORDS

from ..model import Claim, Entity
from .gazetteer import bare, country, fold, known_place, us_state

_TYPE_OF_LABEL = {"PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place",
                  "NORP": "group", "ORG": "org", "EVENT": "event"}
_TITLES = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "president", "prime", "minister", "pm", "secretary",
           "senator", "sen", "rep", "representative", "gov", "governor", "gen", "general", "col", "capt", "lt",
           "sgt", "chancellor", "king", "queen", "prince", "princess", "pope", "judge", "justice", "officer",
           "detective", "det", "professor", "prof", "rev", "coach", "chairman", "ceo", "mayor", "lord", "lady",
           "actress", "actor", "singer", "star", "spokesman", "spokeswoman", "spokesperson", "activist",
           "st", "vice", "former", "late", "leader", "chief", "director", "commissioner", "sheriff", "of", "state"}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_ORG_STOP = {"of", "the", "and", "for", "&", "on", "in", "de"}


def _name_words(name: str) -> list[str]:
    """The words of a folded name without titles and suffixes ("mr donald trump jr" -> donald trump)."""
    return [w for w in name.split() if w not in _TITLES and w not in _SUFFIXES]


def entity_key(text: str, label: str) -> tuple[str, str]:
    """(type, key) for a mention with spaCy label ``label``."""
    text = bare(text)
    etype = _TYPE_OF_LABEL.get(label, "other")
    state = us_state(text) if etype in ("place", "org", "other") else None
    if state and len(fold(text)) == 2:
        return "place", "name:" + fold(state)  # "CA", "PA", "IL": a state's postal code, not Canada, Panama, Israel
    nation = country(text)
    if nation and etype in ("place", "group", "org", "other"):
        # "Greek police": a demonym names the country's people, it is not a place in the sentence
        return "group" if label == "NORP" else "place", "country:" + fold(nation)
    if etype == "place" and state:
        return "place", "name:" + fold(state)
    if etype == "person":
        return "person", "person:" + person_surname(text)
    # identity does not depend on spaCy's label, which varies across documents
    return etype, "name:" + fold(text.strip("[]() "))


def person_surname(name: str) -> str:
    """The folded surname of a person mention, titles and suffixes removed."""
    words = [w for w in re.split(r"[\s,]+", fold(name)) if w]
    while words and words[-1] in _SUFFIXES:
        words.pop()
    core = [w for w in words if w not in _TITLES] or words
    return core[-1] if core else fold(name)


def acronym(text: str) -> str | None:
    """"National Security Council" -> "nsc" (None for one-word names)."""
    words = [w for w in re.split(r"[\s\-]+", bare(text)) if w and w.lower() not in _ORG_STOP]
    if len(words) < 2 or not all(w[:1].isupper() for w in words):
        return None
    return "".join(w[0] for w in words).lower()


def _initials(text: str) -> bool:
    """Written as initials: "SA", "L.A.", "U.S." (no lower-case letter)."""
    bare_text = bare(text).replace(".", "")
    return bare_text.isalpha() and bare_text.isupper()


def unify(entities: list[Entity]) -> list[Entity]:
    """Rewrite keys so mentions across all documents that name one thing share a key.

    Whether a name is a person is first settled across all its mentions
    (person_votes), and a "person" named like a place or organisation of the run
    is that (named_after); then acronyms join their expansions, and a surname-only
    person joins the one full name with that surname (two different full names
    keep separate keys).
    """
    names = [fold(bare(e.text)) for e in entities]
    entities = named_after(person_votes(entities, names), names)
    expansions: dict[str, str] = {}
    for e in entities:
        if e.type in ("org", "event", "other", "group", "place"):
            ac = acronym(e.text)
            if ac:
                expansions.setdefault(ac, e.key)
    full_names: dict[str, set[str]] = {}
    for e, name in zip(entities, names):
        words = _name_words(name)
        if e.type == "person" and len(words) >= 2:
            full_names.setdefault(e.key, set()).add(" ".join(words))
    out = []
    for e, name in zip(entities, names):
        key = e.key
        if (e.type in ("org", "other", "group") or _initials(e.text)) and name.replace(" ", "") in expansions:
            key = expansions[name.replace(" ", "")]  # "SA" is South Africa, "L.A." Los Angeles, when the run says so
        elif e.type == "person" and len(full_names.get(e.key, ())) > 1:
            # two people share the surname: keep the full name where it is given
            words = _name_words(name)
            if len(words) >= 2:
                key = "person:" + " ".join(words)
        out.append(replace(e, key=key) if key != e.key else e)
    return out


def person_votes(entities: list[Entity], names: list[str]) -> list[Entity]:
    """Give every mention of one name the same person-or-not type, by majority.

    spaCy's label for a name varies with the sentence: "Trump" is ORG in one
    and PERSON in the next, and "As Athens burned" makes Athens a PERSON once
    among seven GPE. A name is a person when a full name introduces it as a
    surname ("Tyler Hansbrough" ... "Hansbrough") or when most of its mentions are
    tagged PERSON, or half of them and it is no place the gazetteer knows ("A
    supermarket in Surrey" and "Surrey police": a place); otherwise every mention
    takes the type and key of its most frequent other tagging. ``names``: each
    mention's folded name.
    """
    votes: dict[str, Counter] = {}
    keys: dict[tuple[str, str], str] = {}
    introduced: set[str] = set()
    for e, name in zip(entities, names):
        votes.setdefault(name, Counter())[e.type] += 1
        keys.setdefault((name, e.type), e.key)
        words = _name_words(name)
        if e.type == "person" and len(words) >= 2:
            introduced.add(words[-1])
    out = []
    for e, name in zip(entities, names):
        count = votes[name]
        half = 2 * count["person"] - sum(count.values())  # > 0: most mentions, 0: a tie
        person = name in introduced or half > 0 or (half == 0 and not known_place(name))
        if person and e.type != "person":
            e = replace(e, type="person", key="person:" + person_surname(e.text))
        elif not person and e.type == "person":
            etype = max((t for t in count if t != "person"), key=lambda t: count[t])
            e = replace(e, type=etype, key=keys[(name, etype)])
        out.append(e)
    return out


def named_after(entities: list[Entity], names: list[str]) -> list[Entity]:
    """A "person" whose full name opens the name of a place or organisation of the run is
    that place or organisation ("Betty Ford" and the Betty Ford Center, "Harry Winston" and
    Harry Winston Inc.): reports shorten such names, and the tagger reads a person in them.
    ``names``: each mention's folded name."""
    longer = sorted({(name, e.type, e.key) for e, name in zip(entities, names)
                     if e.type in ("place", "org") and len(name.split()) >= 3})
    out = []
    for e, name in zip(entities, names):
        if e.type == "person" and len(name.split()) >= 2:
            hit = next(((etype, key) for full, etype, key in longer if full.startswith(name + " ")), None)
            if hit:
                e = replace(e, type=hit[0], key=hit[1])
        out.append(e)
    return out


_LOWER_WORD = re.compile(r"(?<![\w.])[a-z][a-z'’-]+")
_CAPITAL_WORD = re.compile(r"[A-Z][\w'’-]*")


def drop_headline_words(claims: list[Claim], vocabulary: Callable[[str], bool]) -> None:
    """Drop the ordinary words the body never capitalises from "names" of title-case lines:
    spaCy reads a headline's capitals as names. A name made only of them goes ("Driver
    Charged", "Large Riot Breaks Out"); one that starts or ends with them is cut to the real
    name ("Lindsay Lohan Checks Out" -> Lindsay Lohan). A title line counts as title-case
    when the words such cuts take count too: "Lindsay Lohan Checks Out Of Rehab" has one long
    word outside names. A one-word "name" opening a line goes too when the body writes that
    word in lower case and never capitalises it inside a sentence ("Gunfire was reported").
    ``vocabulary`` tells an English word (the lemmatizer's word index)."""
    flags = [_headline_case(c) for c in claims]
    body = [c for c, head in zip(claims, flags) if not head and not c.is_title]
    written_lower = {w for c in body for w in _LOWER_WORD.findall(c.text)}
    lower = written_lower | {lemma for c in body for lemma in c.lemmas}
    capital = {w for c in body for w in _CAPITAL_WORD.findall(c.text)}

    def ordinary(word: str) -> bool:
        return word not in capital and any(f in lower or vocabulary(f) for f in _forms(word.lower()))
    for c, head in zip(claims, flags):
        if head or (c.is_title and _headline_case(c, ordinary)):
            c.entities = [t for e in c.entities if (t := _trim(e, ordinary)) is not None]
    inside = {m.group() for c in body for m in _CAPITAL_WORD.finditer(c.text) if m.start() > 0}
    for c in claims:
        c.entities = [e for e in c.entities
                      if not (e.start == c.start and e.text.isalpha() and e.text not in inside
                              and e.text.lower() in written_lower)]


def _headline_case(c: Claim, ordinary: Callable[[str], bool] | None = None) -> bool:
    """Most words outside its names capitalised, as in a headline ("Woman Killed In Queens
    Hit-And-Run Accident"), unlike a sentence full of names ("Tara Reid checked into Promises").
    With ``ordinary``, the ordinary words at the ends of names count as outside them."""
    text = c.text
    cut: list[str] = []
    for e in sorted(c.entities, key=lambda e: -e.start):
        text = text[: e.start - c.start] + text[e.end - c.start:]
        if ordinary is not None:
            cut += _ends(e, ordinary)[1]
    # function words count for nothing: title case leaves "into", "with", "from" in lower case
    words = [w for w in re.findall(r"[^\W\d_]{4,}", text) + [w for w in cut if len(w) >= 4]
             if w.lower() not in STOP_WORDS]
    return len(words) >= 2 and sum(w[0].isupper() for w in words) >= 0.7 * len(words)


def _ends(e: Entity, ordinary: Callable[[str], bool]) -> tuple[list, list[str]]:
    """The capitalised words of a name: (those kept, as matches; the ordinary ones that open
    or close it, which a headline lends it)."""
    words = list(_CAPITAL_WORD.finditer(e.text))
    keep = words[:]
    while keep and ordinary(keep[0].group()):
        keep.pop(0)
    while keep and ordinary(keep[-1].group()):
        keep.pop()
    return keep, [m.group() for m in words if m not in keep]


def _trim(e: Entity, ordinary: Callable[[str], bool]) -> Entity | None:
    """The name without the ordinary words that open or close it (None if nothing else)."""
    keep, cut = _ends(e, ordinary)
    if not cut:
        return e
    if not keep:
        return None
    s, t = keep[0].start(), keep[-1].end()
    etype, key = entity_key(e.text[s:t], e.label)
    return replace(e, start=e.start + s, end=e.start + t, text=e.text[s:t], type=etype, key=key)


def _forms(word: str) -> set[str]:
    """The word and its stems without an inflection ("Charged" -> charge, "Breaks" -> break)."""
    forms = {word}
    for suffix in ("s", "es", "d", "ed", "ing"):
        if word.endswith(suffix) and len(word) > len(suffix) + 2:
            stem = word[: -len(suffix)]
            forms |= {stem, stem + "e"}
    return forms


def locate(claims_by_doc: Iterable[list[Claim]]) -> None:
    """Set each place's ``within``: the places a report writes after it as its region
    ("Springfield, Mo.", "Wellington, Somerset", "Malibu, California"), in any report of
    the run, and a US state's country. A place never conflicts with a place around it."""
    claims = [c for cl in claims_by_doc for c in cl]
    parent: dict[str, set[str]] = {}
    for c in claims:
        places = [e for e in c.entities if e.type == "place"]
        for a, b in zip(places, places[1:]):
            if c.text[a.end - c.start:b.start - c.start] == ", " and a.key != b.key:
                parent.setdefault(a.key, set()).add(b.key)
    us = "country:" + fold(country("United States") or "United States")
    for c in claims:
        for e in c.entities:
            if e.type == "place" and e.key.startswith("name:") and us_state(e.key[5:]):
                parent.setdefault(e.key, set()).add(us)
    if not parent:
        return
    around = {key: frozenset(_around(key, parent)) for key in parent}
    for c in claims:
        c.entities = [replace(e, within=around[e.key]) if e.key in around else e for e in c.entities]


def _around(key: str, parent: dict[str, set[str]]) -> set[str]:
    out: set[str] = set()
    todo = list(parent.get(key, ()))
    while todo:
        k = todo.pop()
        if k not in out and k != key:
            out.add(k)
            todo += parent.get(k, ())
    return out
