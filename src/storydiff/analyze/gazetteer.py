"""Canonical names for countries and US states from maintained data packages.

Reporters write "the United States", "the U.S.", "US", "American", "Washington";
"Britain", "the UK", "British"; "Russia", "the Russians", "Moscow". The data
come from ``countryinfo`` (names, ISO codes, alternative spellings, demonyms,
capitals) and ``us`` (state names, postal and AP abbreviations such as
"Calif."), so nothing here is a hand-kept country list.
"""
from __future__ import annotations

import functools
import re

_PUNCT = re.compile(r"[.\u2019'’]")
# capitals that are also common words or people's names stay ambiguous
_AMBIGUOUS_CAPITALS = {"victoria", "kingston", "georgetown", "san jose", "santiago", "hamilton", "washington"}


def fold(name: str) -> str:
    """Lower-case, drop dots/apostrophes and a leading "the": "the U.S." -> "us"."""
    s = _PUNCT.sub("", name.strip().lower())
    s = re.sub(r"\s+", " ", s)
    return s[4:] if s.startswith("the ") else s


@functools.lru_cache(maxsize=1)
def _country_index() -> dict[str, str]:
    """folded alias -> canonical country name."""
    from countryinfo import all_countries

    index: dict[str, str] = {}
    # the most populous country keeps a shared alias ("American": the US, not Samoa)
    infos = sorted((c.info() for c in all_countries()), key=lambda i: -(i.get("population") or 0))
    for info in infos:
        name = info.get("name")
        if not name:
            continue
        aliases = [name, *(info.get("altSpellings") or [])]
        iso = info.get("ISO") or {}
        aliases += [v for k, v in iso.items() if k in ("alpha2", "alpha3")]
        demonym = info.get("demonym")
        if demonym:
            aliases += [demonym, demonym + "s"]
        for alias in aliases:
            key = fold(str(alias))
            if key and len(key) > 1 and key not in index:
                index[key] = name
        for alias in aliases:  # "Great Britain" also answers to "Britain"
            key = fold(str(alias))
            if key.startswith("great "):
                index.setdefault(key[6:], name)
        capital = fold(str(info.get("capital") or ""))
        if capital and capital not in _AMBIGUOUS_CAPITALS:
            index.setdefault(capital, name)
    return index


@functools.lru_cache(maxsize=1)
def _state_index() -> dict[str, str]:
    import us

    index: dict[str, str] = {}
    for st in us.states.STATES_AND_TERRITORIES:
        for alias in (st.name, st.abbr, st.ap_abbr):
            if alias:
                index.setdefault(fold(alias), st.name)
    return index


def country(name: str) -> str | None:
    """The canonical country a name, code, demonym or capital stands for."""
    key = fold(name)
    if len(key) <= 3 and not name.replace(".", "").strip().isupper():
        return None  # "it", "in", "as" are words, not Italy, India, American Samoa
    hit = _country_index().get(key)
    if hit is None and key.endswith(" government"):
        hit = _country_index().get(key[: -len(" government")])
    return hit


def us_state(name: str) -> str | None:
    """The US state a name or abbreviation ("Calif.", "CA") stands for."""
    key = fold(name)
    if len(key) == 2 and not (name.strip().isupper() or name.strip().endswith(".")):
        return None  # "in" or "me" are words, not Indiana or Maine ("Mo." and "Ga." are states)
    return _state_index().get(key)
