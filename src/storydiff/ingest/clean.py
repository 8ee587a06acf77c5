"""Plain-text cleaning: drop whole lines that are page furniture, never edit words.

Every offset in a report indexes the cleaned text, so cleaning only ever
*removes whole lines* (comment boxes, share bars, bylines, photo captions) and
normalises whitespace between lines. Words, quotes and dashes inside a kept
line are left exactly as they were. Each rule is a pattern a line must match
in full, and no rule looks at a line's neighbours, which is what makes
``clean_text`` idempotent: ``clean_text(clean_text(x)) == clean_text(x)``.
"""
from __future__ import annotations

import re

# A caption or byline is a short line; an article paragraph that happens to end
# in "(Photo: ...)" after 60 words is left alone.
MAX_CAPTION_WORDS = 60
MAX_BYLINE_WORDS = 16

_NAME = r"(?:(?:(?:al|el|abu|bin|ibn)-)?[A-Z][\w'’.-]*|al|el|de|da|di|van|von|der|du|le|la|bin|ibn)"
_PERSON = rf"{_NAME}(?:\s+{_NAME}){{0,4}}"
_PEOPLE = rf"{_PERSON}(?:(?:\s*,\s*|\s+and\s+|\s*&\s*){_PERSON})*"
_AFFILIATION = r"(?:[Tt]he\s+)?[A-Z][\w'’.&-]*(?:\s+(?:[A-Z][\w'’.&-]*|of|for|and|in|at|the))*"
_AGENCY = (r"(?:AP|AFP|Reuters|REUTERS|EPA|Getty\s+Images|Getty|Anadolu(?:\s+Agency)?|SANA|"
           r"Xinhua|Shutterstock|Alamy|PA|Bloomberg|dpa|DPA|TASS|Sputnik|UPI|AAP|Pool)")
_CREDIT_WORDS = (r"(?:File(?:\s+(?:photo|image|picture|footage))?|Photos?|Photograph|Image|Picture|Pic|"
                 r"Credit|Courtesy|Screenshot|Screengrab|Video\s+still|Illustration)")

# Whole-line patterns (matched case-insensitively against the stripped line).
BOILERPLATE = [
    # comment boxes (WordPress and friends)
    r"be the first to comment(?: on this (?:article|story|post))?[.!]?",
    r"leave a (?:reply|comment)(?: cancel reply)?",
    r"(?:post|add|write|submit) (?:a |your )?comment",
    r"(?:view|show|hide|load|read) (?:all )?(?:\d+ )?comments?(?: \(\d+\))?",
    r"\d+ (?:comments?|responses?|replies)",
    r"comments?(?: \(\d+\))?:?",
    r"join the (?:conversation|discussion)",
    r"your email address will not be published\.?(?: required fields are marked \*\.?)?",
    r"required fields are marked \*\.?",
    r"(?:name|email|e-mail|website|comment)\s*\*?",
    r"save my name, email, and website in this browser for the next time i comment\.?",
    r"notify me of (?:follow-up comments|new posts|new comments)[^.]*\.?",
    r"this site uses akismet to reduce spam\. learn how your comment data is processed\.?",
    r"you must be logged in to post a comment\.?",
    r"comments are closed\.?",
    # share bars
    r"(?:share|tweet|email|e-mail|print|pin|save)(?: this| the)? (?:article|story|post|page|link)[:.!]?",
    r"share (?:this|on|via|with)(?: (?:a friend|friends|article|story|post|page|link|facebook|twitter|x|"
    r"email|e-mail|whatsapp|linkedin|reddit|pinterest|telegram|messenger))*:?",
    r"click to (?:share|email|print|tweet)[^.]{0,60}?(?:\(opens in new window\))?",
    r"(?:(?:share|tweet|email|e-mail|print|facebook|twitter|whatsapp|linkedin|pinterest|reddit|"
    r"telegram|messenger|flipboard|copy link|x)[\s|·•,/]*)+",
    r"like this:?",
    r"(?:like|follow) us on (?:facebook|twitter|x|instagram|telegram)[^.]{0,40}\.?",
    # navigation, ads, newsletters, footers
    r"advertisement|sponsored(?: content)?|story continues below(?: advertisement)?",
    r"(?:related|recommended|more)(?: (?:articles?|stories|posts|coverage|for you|from \w+))?:?",
    r"you (?:may|might) also like:?|read (?:more|next|also)(?::.{0,120})?",
    r"(?:sign up|subscribe)(?: (?:for|to))? (?:our|the) [\w ]{0,30}newsletters?[^.]{0,60}[.!]?",
    r"©.{0,100}|(?:copyright\s*)?\(c\)\s*\d{4}\b.{0,100}|copyright\s+\d{4}\b.{0,100}",
    r"all rights reserved\.?",
    r"loading(?:\.\.\.|…)?",
]

_KEY = r"(?i:by|written by|words by|story by|reported by)"
_TEAM = rf"{_PEOPLE}(?:\s+in\s+{_AFFILIATION})?"
BYLINE = [
    # "By Jane Doe, Reuters", "BY JANE DOE | The Associated Press"
    rf"{_KEY}\s+{_PEOPLE}(?:\s*(?:,|\||-|–|—|/|for)\s*{_AFFILIATION})?\.?",
    # wire trailers: "Reporting by Jane Doe in Beirut; Editing by John Smith"
    rf"(?i:(?:additional )?(?:reporting|writing|editing) by)\s+{_TEAM}"
    rf"(?:\s*;\s*(?i:(?:additional )?(?:reporting|writing|editing) by)\s+{_TEAM})*\.?",
]

CAPTION = [
    # "... near Damascus (File)", "(Photo: Jane Doe/Reuters)", "(Courtesy of the family)"
    rf".*\(\s*{_CREDIT_WORDS}\b[^()]*\)\.?",
    # "(AP Photo/Hassan Ammar)", "(AFP via Getty Images)", "(Jane Doe/Reuters)"
    rf".*\(\s*(?:AP Photo\b[^()]*|{_AGENCY}\s*(?:/|via\b)[^()]*|[^()]*/\s*{_AGENCY})\s*\)\.?",
    # "... Photo: Jane Doe/Getty Images"
    rf".*\b(?:{_CREDIT_WORDS}|Photographer)\s*:\s*.+",
    # "... AFP via Getty Images", "... Omar Sanadiki/Reuters", "... | AP"
    rf".*(?:/|\bvia\s+|\|\s*){_AGENCY}\.?",
    # "REUTERS/Omar Sanadiki"
    rf".*\b(?:REUTERS|AFP|AP|EPA)/{_PERSON}\.?",
    r"(?i:image (?:caption|copyright))\b.*",
    r"(?i:pictured|caption|main image):\s.+",
]


def _compile(patterns: list[str], flags: int = 0) -> list[re.Pattern[str]]:
    return [re.compile(p, flags) for p in patterns]


_BOILERPLATE_RE = _compile(BOILERPLATE, re.IGNORECASE)
# bylines and captions rely on capital letters (names, agencies), so case matters
# there; their keywords ("By", "Image caption") are case-insensitive inline
_BYLINE_RE = _compile(BYLINE)
_CAPTION_RE = _compile(CAPTION)
_BLANK_RUN = re.compile(r"\n{3,}")
_LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029]")


def _fullmatch_any(patterns: list[re.Pattern[str]], line: str) -> bool:
    return any(p.fullmatch(line) for p in patterns)


def is_furniture(line: str) -> bool:
    """True if a (stripped, non-empty) line is page furniture rather than article text."""
    words = len(line.split())
    if _fullmatch_any(_BOILERPLATE_RE, line):
        return True
    if words <= MAX_BYLINE_WORDS and _fullmatch_any(_BYLINE_RE, line):
        return True
    return words <= MAX_CAPTION_WORDS and _fullmatch_any(_CAPTION_RE, line)


def clean_text(text: str) -> str:
    """Remove boilerplate, bylines and captions; normalise line ends and blank lines.

    Idempotent, and it never rewrites a kept line beyond stripping its
    trailing whitespace, so offsets stay meaningful to a reader.
    """
    lines = _LINE_BREAKS.sub("\n", text).split("\n")
    kept = []
    for line in lines:
        line = line.rstrip()
        stripped = line.strip()
        if not stripped:
            kept.append("")
        elif not is_furniture(stripped):
            kept.append(line)
    return _BLANK_RUN.sub("\n\n", "\n".join(kept)).strip()
