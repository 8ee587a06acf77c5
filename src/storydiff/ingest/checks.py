"""Checks every article passes after cleaning: not too big, not too short, English."""
from __future__ import annotations

import re

from ..errors import InputError

MAX_TEXT_CHARS = 2_000_000  # per document, before cleaning: refuse rather than hang
MIN_WORDS = 25  # after cleaning: below this there is nothing to compare
LANGUAGE = "en"
LANGID_SAMPLE = 20_000  # characters given to the language identifier

# The most frequent English words. They make up about a quarter of running
# English prose, and a few percent of any other language's; a text where they
# are at least this dense is English without loading py3langid's model (about
# a second at cold start). Anything else goes to py3langid.
_ENGLISH_FUNCTION_WORDS = frozenset(
    "the of and to a in is was that for on with as by at it from he she said are be has have "
    "his her this an were not but they their who which".split())
_CLEARLY_ENGLISH = 0.18
_WORD = re.compile(r"[^\W\d_]+")


def check_size(text: str, name: str) -> None:
    if len(text) > MAX_TEXT_CHARS:
        raise InputError(f"{name}: too large ({len(text):,} characters of text; "
                         f"the limit is {MAX_TEXT_CHARS:,} per document)")


def check_length(text: str, name: str) -> None:
    words = len(text.split())
    if words == 0:
        raise InputError(f"{name}: no article text (empty after removing boilerplate)")
    if words < MIN_WORDS:
        raise InputError(f"{name}: too short ({words} words after cleaning; at least {MIN_WORDS} needed)")


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language."""
    words = _WORD.findall(text[:LANGID_SAMPLE].lower())
    if words and sum(w in _ENGLISH_FUNCTION_WORDS for w in words) / len(words) >= _CLEARLY_ENGLISH:
        return LANGUAGE
    import py3langid  # loads its model on first use

    return py3langid.classify(text[:LANGID_SAMPLE])[0]


def check_language(text: str, name: str) -> None:
    lang = detect_language(text)
    if lang != LANGUAGE:
        raise InputError(f"{name}: not English (detected {_language_name(lang)}); "
                         "storydiff analyses English-language articles")


def _language_name(code: str) -> str:
    import pycountry

    language = pycountry.languages.get(alpha_2=code)
    return f"{language.name} ({code})" if language else code
