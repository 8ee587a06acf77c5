"""Named entities and their canonical keys across documents.

spaCy finds the mentions; this module decides which mentions name the same
thing: countries through their names, codes, demonyms and capitals
(gazetteer), people through their surname once titles are stripped ("Mr.
Trump", "President Donald Trump" -> person:trump), organisations through
their acronyms ("National Security Council" = "NSC").
"""
from __future__ import annotations

import re
from dataclasses import replace

from ..model import Entity
from .gazetteer import country, fold, us_state

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
_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")


def _strip(text: str) -> str:
    text = _POSSESSIVE.sub("", text.strip())
    return re.sub(r"^(?:the|The)\s+", "", text)


def entity_key(text: str, label: str) -> tuple[str, str]:
    """(type, key) for a mention with spaCy label ``label``."""
    text = _strip(text)
    etype = _TYPE_OF_LABEL.get(label, "other")
    nation = country(text)
    if nation and etype in ("place", "group", "org", "other"):
        return "place", "country:" + fold(nation)
    if etype == "place" and us_state(text):
        return "place", "name:" + fold(us_state(text))
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
    words = [w for w in re.split(r"[\s\-]+", _strip(text)) if w and w.lower() not in _ORG_STOP]
    if len(words) < 2 or not all(w[:1].isupper() for w in words):
        return None
    return "".join(w[0] for w in words).lower()


def unify(entities: list[Entity]) -> list[Entity]:
    """Rewrite keys so mentions across all documents that name one thing share a key.

    Acronyms join their expansions; a surname-only person joins the one full
    name with that surname (two different full names keep separate keys).
    """
    expansions: dict[str, str] = {}
    for e in entities:
        if e.type in ("org", "event", "other", "group"):
            ac = acronym(e.text)
            if ac:
                expansions.setdefault(ac, e.key)
    full_names: dict[str, set[str]] = {}
    for e in entities:
        if e.type == "person":
            words = [w for w in fold(_strip(e.text)).split() if w not in _TITLES and w not in _SUFFIXES]
            if len(words) >= 2:
                full_names.setdefault(e.key, set()).add(" ".join(words))
    surnames = {e.key for e in entities if e.type == "person"}
    out = []
    for e in entities:
        key = e.key
        folded = fold(_strip(e.text))
        if e.type != "person" and " " not in folded and "person:" + folded in surnames:
            e = replace(e, type="person")  # "Trump" tagged ORG in one sentence, PERSON in another
            key = "person:" + folded
        elif e.type in ("org", "other", "group") and fold(_strip(e.text)).replace(" ", "") in expansions:
            key = expansions[fold(_strip(e.text)).replace(" ", "")]
        elif e.type == "person" and len(full_names.get(e.key, ())) > 1:
            # two people share the surname: keep the full name where it is given
            words = [w for w in fold(_strip(e.text)).split() if w not in _TITLES and w not in _SUFFIXES]
            if len(words) >= 2:
                key = "person:" + " ".join(words)
        out.append(replace(e, key=key) if key != e.key else e)
    return out
