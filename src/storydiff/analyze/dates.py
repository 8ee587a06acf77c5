"""Dates and times: the fields an expression states, resolved when possible.

An expression is kept as the fields it actually states (year, month, day,
weekday, clock time) so two reports are compared only on what both commit
to: "Thursday" and "Dec. 18, 2008" agree (that day was a Thursday),
"Thursday" and "Monday" do not. Relative expressions ("yesterday", "last
week", "Monday", "earlier this month") are resolved against the publication
date when it is known.
"""
from __future__ import annotations

import datetime as dt
import re

from ..model import TimeExpr

MONTHS = {m: i + 1 for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
     "november", "december"])}
MONTH_ABBR = {"jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
               "oct": 10, "nov": 11, "dec": 12}
WEEKDAYS = {d: i for i, d in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])}
WEEKDAY_ABBR = {"mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3, "thurs": 3, "fri": 4, "sat": 5, "sun": 6}

_MONTH_NAMES = "|".join(sorted(list(MONTHS) + list(MONTH_ABBR), key=len, reverse=True))
_MONTH_RE = r"(?P<month>" + _MONTH_NAMES + r")\.?"
_ANY_MONTH = r"(?:" + _MONTH_NAMES + r")\.?"  # the same, where the month itself is not read
_WORD = re.compile(r"[A-Za-z]+")
_YEAR = re.compile(r"\b(1[89]\d\d|20\d\d)\b")
_DAY_AFTER_MONTH = re.compile(_MONTH_RE + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?\b", re.I)
_DAY_BEFORE_MONTH = re.compile(r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH_RE, re.I)
# "9:56 AM", "6:33 a.m.", and the British "8.40am" (a dot only before am/pm: "8.40" alone is a figure)
# ("1:30 a. m": the ECB+ spacing of "a.m.", which the tagger does not read as a time)
_CLOCK = re.compile(r"\b(?P<h>\d{1,2})(?::\s?(?P<m>\d\d)|\.(?P<dm>\d\d)(?=\s*[ap]\.?\s?m))?\s*"
                    r"(?P<ampm>[ap]\.?\s?m\b\.?)?(?=\W|$)", re.I)
_NUMERIC_DATE = re.compile(r"\b(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{2,4})\b")
# "Fredric March", "Theresa May": spaCy sometimes tags a surname that is a month as a date
_PERSON_NAMED_LIKE_A_MONTH = re.compile(
    r"^(?!(?:Early|Late|Mid|Last|Next|This|Since|Until|In|By|On|From|Through|Each|Every)\b)[A-Z][a-z]+"
    r"\s+(?:March|May|June|April|August)$")
_RELATIVE = re.compile(r"\b(yesterday|today|tonight|tomorrow|last|this|next|earlier|later|ago|past)\b", re.I)


def parse(text: str, start: int, end: int, is_time: bool = False,
          published: dt.date | None = None, after: str = "") -> TimeExpr | None:
    """Fields of one DATE/TIME expression (None when it states nothing comparable);
    ``after``: the words that follow it ("14:05" then " left in the first half")."""
    if _PERSON_NAMED_LIKE_A_MONTH.match(text.strip()) or _PERIOD.search(text) \
            or _GAME_CLOCK.match(text.strip()) or _CLOCK_LEFT.match(after):
        return None
    low = text.lower()
    year = month = day = weekday = hour = minute = None
    m = _NUMERIC_DATE.search(text)
    if m:
        month, day = int(m["m"]), int(m["d"])
        year = int(m["y"]) + (2000 if len(m["y"]) == 2 else 0)
    y = _YEAR.search(text)
    if y:
        year = int(y.group(1))
    for pat in (_DAY_AFTER_MONTH, _DAY_BEFORE_MONTH):
        m = pat.search(text)
        if m and 1 <= int(m["day"]) <= 31:
            month, day = _month_number(m["month"]), int(m["day"])
            break
    for w in _WORD.findall(low):
        if month is None and (w in MONTHS or (w in MONTH_ABBR and w != "may" and text.find(w.capitalize()) >= 0)):
            month = MONTHS.get(w) or MONTH_ABBR.get(w)
        if w in WEEKDAYS:
            weekday = WEEKDAYS[w]
        elif w in WEEKDAY_ABBR and weekday is None and re.search(r"\b" + w.capitalize() + r"\b", text):
            weekday = WEEKDAY_ABBR[w]
    if is_time or re.search(r"[ap]\.?m\.?|:\d\d|o'clock|noon|midnight", low):
        hour, minute = _clock(text)
    relative = bool(_RELATIVE.search(low))
    if all(v is None for v in (year, month, day, weekday, hour)) and not relative:
        return None
    resolved = _resolve(low, year, month, day, weekday, published, relative)
    if weekday is None and resolved is None and year and month and day:
        resolved = _safe_date(year, month, day)
    if resolved is not None and weekday is None and (relative or day):
        weekday = resolved.weekday() if (day or low in ("yesterday", "today", "tomorrow")) else None
    return TimeExpr(start=start, end=end, text=text, year=year, month=month, day=day, weekday=weekday,
                    hour=hour, minute=minute, resolved=resolved.isoformat() if resolved else None,
                    relative=relative)


# no point in time: a span of years ("played from 1974-78", "the 2008-09 season"), a game
# clock ("with 14:05 left in the first half") and any time followed by "left" ("two days left")
_PERIOD = re.compile(r"\b(?:1[89]|20)\d\d\s*[-–/]\s*(?:\d\d|(?:1[89]|20)\d\d)\b(?![-–/]\d)"
                     # days of one month ("October 1-2", "1-2 October")
                     r"|" + _ANY_MONTH + r"\s+\d{1,2}\s*[-–]\s*\d{1,2}\b"
                     r"|\b\d{1,2}\s*[-–]\s*\d{1,2}\s+" + _ANY_MONTH
                     # two years in one expression ("between 1991 and 1998"): a span, or a list
                     + r"|\b(?:1[89]|20)\d\d\b.*\b(?:1[89]|20)\d\d\b", re.I)
_GAME_CLOCK = re.compile(r"\d{1,2}:\d\d\s+(?:left|remaining|to play|to go)\b", re.I)
_CLOCK_LEFT = re.compile(r"\s*(?:left|remaining)\b", re.I)  # the same words after the expression


# "6: 00 p.m.": the hour before an expression that starts at the minutes (the spacing of some
# texts splits the clock, and the tagger keeps only "00 p.m.")
_HOUR_BEFORE = re.compile(r"\b\d{1,2}:\s?$")


def hour_before(before: str, text: str) -> int:
    """How many characters of ``before`` (the text just before an expression) belong to it:
    the hour of a clock time whose minutes open the expression ("6: " before "00 p.m.")."""
    m = _HOUR_BEFORE.search(before) if re.match(r"\d\d\b", text) else None
    return len(before) - m.start() if m else 0


def clock_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the clock times with minutes and a.m./p.m. in a text ("1:30 a. m"): the tagger
    leaves some untagged, and no other reading of them is likely."""
    return [m.span() for m in _CLOCK.finditer(text) if m["ampm"] and (m["m"] or m["dm"])]


# "Apr 2, 2009", "FEB. 4", "2 April 2009": a day of a month, which the tagger sometimes leaves out
_MONTH_DAY = re.compile(r"\b(?:" + _ANY_MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?\b(?:,?\s+(?:1[89]|20)\d\d\b)?"
                        r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:of\s+)?" + _ANY_MONTH + r"(?:\s+(?:1[89]|20)\d\d\b)?)", re.I)


def month_day_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the days of a month in a text, with the year after them if any. The month must
    be capitalised ("may" is mostly the verb, except before its day) and the day a day of a month."""
    out = []
    for m in _MONTH_DAY.finditer(text):
        month = next(w for w in _WORD.findall(m.group()) if w.lower() in MONTHS or w.lower() in MONTH_ABBR)
        day = int(re.search(r"\d+", m.group()).group())
        month_first = m.group()[0].isalpha()
        if month[0].isupper() and (month.lower() != "may" or month == "MAY" or month_first) and 1 <= day <= 31:
            out.append(m.span())
    return out


def is_clock(text: str) -> bool:
    """"about 12.40am", which spaCy tags as a cardinal number, is a clock time all the same."""
    return any(m["ampm"] for m in _CLOCK.finditer(text))


def _month_number(word: str) -> int:
    w = word.lower().rstrip(".")
    return MONTHS.get(w) or MONTH_ABBR[w]


def _clock(text: str) -> tuple[int | None, int | None]:
    low = text.lower()
    if "noon" in low:
        return 12, 0
    if "midnight" in low:
        return 0, 0
    for m in _CLOCK.finditer(text):
        minutes = m["m"] or m["dm"]
        if not minutes and not m["ampm"]:
            continue
        h = int(m["h"])
        if h > 23:
            continue
        ampm = re.sub(r"[.\s]", "", (m["ampm"] or "").lower()) or _half_of_day(low)
        if ampm == "pm" and h < 12:
            h += 12
        if ampm == "am" and h == 12:
            h = 0
        return h, int(minutes or 0)
    return None, None


_EVENING = re.compile(r"\b(?:afternoon|evening|night|tonight)\b")
_MORNING = re.compile(r"\bmorning\b")


def _half_of_day(low: str) -> str:
    """"pm" or "am" from the words around a clock time ("6:41 last night"), or ""."""
    return "pm" if _EVENING.search(low) else "am" if _MORNING.search(low) else ""


def _twelve_hour(t: TimeExpr) -> bool:
    """A clock time that does not say which half of the day it is ("at 6:41"): it can be
    6:41 or 18:41."""
    low = t.text.lower()
    return t.hour is not None and t.hour < 12 and not is_clock(t.text) and "midnight" not in low \
        and not _half_of_day(low)


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _resolve(low: str, year, month, day, weekday, published: dt.date | None, relative: bool) -> dt.date | None:
    """Pin an expression to a day using the publication date (news convention: the recent past)."""
    if year and month and day:
        return _safe_date(year, month, day)
    if published is None:
        return None
    if "yesterday" in low:
        return published - dt.timedelta(days=1)
    if low.strip() in ("today", "tonight"):
        return published
    if "tomorrow" in low:
        return published + dt.timedelta(days=1)
    if month and day:
        d = _safe_date(published.year, month, day)
        if d and d > published + dt.timedelta(days=7):
            d = _safe_date(published.year - 1, month, day)
        return d
    if weekday is not None and ("next" not in low):
        back = (published.weekday() - weekday) % 7
        if "last" in low and back == 0:
            back = 7
        return published - dt.timedelta(days=back)
    return None


def compatible(a: TimeExpr, b: TimeExpr) -> bool | None:
    """True if the two can name the same time, False if they cannot, None if incomparable.

    Only fields both state are compared; a weekday is checked against a full
    date through the calendar.
    """
    if a.resolved and b.resolved and (a.day or a.weekday is not None) and (b.day or b.weekday is not None):
        if a.resolved != b.resolved:
            return False
    checked = False
    for field in ("year", "month", "day", "hour"):
        va, vb = getattr(a, field), getattr(b, field)
        if va is not None and vb is not None:
            if field == "day" and (a.month is None or b.month is None or a.month != b.month):
                continue
            if va != vb and not (field == "hour" and va % 12 == vb % 12 and (_twelve_hour(a) or _twelve_hour(b))):
                return False
            checked = True
    wa, wb = a.weekday, b.weekday
    if wa is not None and wb is not None:
        if wa != wb:
            return False
        checked = True
    return True if checked else None


def states_as_much(a: TimeExpr, b: TimeExpr) -> bool:
    """Does ``a`` state every field ``b`` states? A weekday counts only where ``a`` names
    one: the calendar weekday of "June 19, 1972" does not restate "Monday"."""
    if any(getattr(b, f) is not None and getattr(a, f) is None for f in ("year", "month", "day", "hour")):
        return False
    return names_weekday_of(a, b)


def names_weekday_of(a: TimeExpr, b: TimeExpr) -> bool:
    """Does ``a`` name the weekday ``b`` gives alone (rather than imply it by the calendar)?"""
    return b.weekday is None or b.day is not None or any(
        w in WEEKDAYS or w in WEEKDAY_ABBR for w in _WORD.findall(a.text.lower()))


def misdated(t: TimeExpr) -> str | None:
    """The weekday the calendar gives a date that names another ("Saturday, February 24, 2004"
    -> "Tuesday"), else None. Reports misname a weekday rarely (none of the ECB+ dev texts
    does); a changed day, month or year that leaves the weekday behind does it every time."""
    if t.weekday is None or not (t.year and t.month and t.day):
        return None
    day = _safe_date(t.year, t.month, t.day)
    if day is None or day.weekday() == t.weekday:
        return None
    return list(WEEKDAYS)[day.weekday()].capitalize()  # not strftime("%A"): that follows the locale


def shared_fields(a: TimeExpr, b: TimeExpr) -> int:
    """How many stated fields two expressions agree on ("8 April 2011" and "8 October
    2011" share day and year): evidence they date the same thing."""
    return sum(1 for f in ("year", "day", "hour", "weekday")
               if getattr(a, f) is not None and getattr(a, f) == getattr(b, f))


def same_grain(a: TimeExpr, b: TimeExpr) -> bool:
    """Do the two state the same fields (two weekdays, two years, two clock times)?"""
    fields = ("year", "month", "day", "weekday", "hour")
    return all((getattr(a, f) is None) == (getattr(b, f) is None) for f in fields)


_STAMP_WORDS = {"posted", "updated", "published", "last", "modified", "on", "at", "et", "est", "edt", "ct", "cst",
                "cdt", "pt", "pst", "pdt", "gmt", "bst", "cet", "cest", "utc", "am", "pm", "a", "p", "m"}
_ZONE = re.compile(r"[A-Z]{2,4}T")  # any other time zone, in capitals ("IST", "AEST")
_STAMP_VOCABULARY = _STAMP_WORDS | set(MONTHS) | set(MONTH_ABBR) | set(WEEKDAYS)


def posting_line(text: str, spans: list[tuple[int, int]]) -> bool:
    """Does a line only say when the page was posted ("11/30/09 05:40 PM ET", "Updated: Apr 02,
    2009 11:06 PM CEST")? ``spans`` are its date/time expressions (offsets into ``text``)."""
    for s, e in sorted(spans, reverse=True):
        text = text[:s] + " " + text[e:]
    return all(w.lower() in _STAMP_VOCABULARY or _ZONE.fullmatch(w) for w in _WORD.findall(text))
