"""The things that flow between stages: Document in, Report out.

Kept deliberately small: the corpus store, the web app and users' scripts are
written against these names, and ``Report.to_dict()`` *is* the JSON output
format (docs/report.schema.json).
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from typing import Any

SCHEMA_VERSION = "1.0"

# Finding kinds, in the order a reader wants them.
CONFLICT = "conflict"
AGREEMENT = "agreement"
OMISSION = "omission"
NOTICE = "notice"  # about the inputs themselves, e.g. "these are different stories"


@dataclass(frozen=True)
class Document:
    """One article. ``text`` is the text every offset in a report indexes.

    ``published`` is an ISO 8601 date or datetime string; a ``date`` or
    ``datetime`` is accepted and stored in ISO form so reports stay JSON.
    """

    id: str
    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.published, (_dt.date, _dt.datetime)):
            object.__setattr__(self, "published", self.published.isoformat())

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "title": self.title, "url": self.url,
                "outlet": self.outlet, "published": self.published}


@dataclass(frozen=True)
class Evidence:
    """A character span of one document's text that a finding rests on."""

    doc: str
    start: int
    end: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"doc": self.doc, "start": self.start, "end": self.end, "text": self.text}


@dataclass
class Finding:
    """One thing a reader should know: a conflict, an agreement, an omission.

    ``values`` maps document id to the value that document gives (the differing
    numbers, dates, names; or the wording of an agreed fact). ``claims`` are the
    evidence spans, value-level where a value is at stake, sentence-level
    otherwise.
    """

    kind: str
    type: str
    summary: str
    claims: list[Evidence]
    values: dict[str, str] = field(default_factory=dict)
    confidence: float = 1.0
    docs: list[str] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "type": self.type, "summary": self.summary,
                "confidence": round(self.confidence, 3), "docs": list(self.docs),
                "values": dict(self.values), "claims": [c.to_dict() for c in self.claims],
                "details": dict(self.details)}


@dataclass
class Report:
    """The result of comparing documents: the cleaned documents and ranked findings."""

    documents: list[Document]
    findings: list[Finding]
    same_story: bool = True
    duplicates: dict[str, str] = field(default_factory=dict)  # dropped id -> kept id
    meta: dict[str, Any] = field(default_factory=dict)

    def by_kind(self, kind: str) -> list[Finding]:
        return [f for f in self.findings if f.kind == kind]

    @property
    def conflicts(self) -> list[Finding]:
        return self.by_kind(CONFLICT)

    @property
    def agreements(self) -> list[Finding]:
        return self.by_kind(AGREEMENT)

    @property
    def omissions(self) -> list[Finding]:
        return self.by_kind(OMISSION)

    def document(self, doc_id: str) -> Document:
        for d in self.documents:
            if d.id == doc_id:
                return d
        raise KeyError(doc_id)

    def to_dict(self) -> dict[str, Any]:
        return {"schema_version": SCHEMA_VERSION, "same_story": self.same_story,
                "documents": [d.to_dict() for d in self.documents],
                "duplicates": dict(self.duplicates),
                "findings": [f.to_dict() for f in self.findings],
                "meta": dict(self.meta)}


# --- what analysis attaches to each claim -------------------------------------------

@dataclass(frozen=True)
class Entity:
    """A named entity mention; equal ``key`` means the same real-world entity.

    ``type`` is one of person, place, org, group, event, other.
    """

    start: int
    end: int
    text: str
    type: str
    key: str
    head: str = ""  # lemma of the word it depends on ("placed" in "Bush was placed on reserve")
    role: str = ""  # its part there: subj, obj, p:<preposition>, or spaCy's relation
    within: frozenset[str] = frozenset()  # keys of places that contain it ("Springfield, Mo.": Missouri, the US)
    label: str = ""  # the tagger's own label for this mention (PERSON, GPE, ORG...), before unify votes on the type


@dataclass(frozen=True)
class Quantity:
    """A number with its approximation and what it counts.

    ``low``/``high`` bound the value the text commits to: "about 800" is
    roughly 680-920, "more than 300" is 300-inf, "dozens" is 24-99.
    """

    start: int
    end: int
    text: str
    value: float
    low: float
    high: float
    approx: str | None = None   # about, more than, at least, up to, ... or None if exact
    vague: bool = False         # dozens, hundreds, thousands
    counted: str | None = None  # lemma of what is counted: volunteer, life, magnitude, age, day


@dataclass(frozen=True)
class TimeExpr:
    """A date or time expression broken into the fields it states."""

    start: int
    end: int
    text: str
    year: int | None = None
    month: int | None = None
    day: int | None = None
    weekday: int | None = None  # 0 = Monday
    hour: int | None = None
    minute: int | None = None
    resolved: str | None = None  # ISO date when it could be pinned to a day
    relative: bool = False


@dataclass(frozen=True)
class Quote:
    """Quoted (or reported) words with whoever the text says spoke them."""

    start: int
    end: int
    text: str
    speaker: str | None = None
    speaker_key: str | None = None
    speaker_start: int | None = None
    speaker_end: int | None = None


@dataclass
class Claim:
    """The unit compared across documents: a sentence with what analysis found in it."""

    doc: str
    index: int
    start: int
    end: int
    text: str
    entities: list[Entity] = field(default_factory=list)
    quantities: list[Quantity] = field(default_factory=list)
    times: list[TimeExpr] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    negation: tuple[int, int] | None = None  # span of the negating word ("no", "not", "declined")
    denied: str = ""  # lemma of the verb the negation denies ("recover" in "never recovered")
    lemmas: frozenset[str] = frozenset()  # content-word lemmas, for lexical overlap
    is_title: bool = False
    is_posting: bool = False  # only says when the page was posted ("11/30/09 05:40 PM ET"): metadata

    @property
    def negated(self) -> bool:
        return self.negation is not None

    def evidence(self) -> Evidence:
        """The whole claim as evidence."""
        return Evidence(self.doc, self.start, self.end, self.text)


@dataclass
class Fact:
    """Claims from several documents that state the same thing in different words."""

    claims: list[Claim]

    @property
    def docs(self) -> list[str]:
        seen: list[str] = []
        for c in self.claims:
            if c.doc not in seen:
                seen.append(c.doc)
        return seen
