"""Typed request and response bodies of the REST API (they become the OpenAPI schema).

The report models mirror ``Report.to_dict()`` field for field, so the API's JSON
is the CLI's ``--format json`` (docs/report.schema.json) and nothing else.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class DocumentIn(BaseModel):
    """One article to compare or ingest: give exactly one of ``text``, ``html`` or ``url``.

    With ``text`` or ``html`` the ``url`` field may still be given as metadata
    (``url_is_metadata``); alone, ``url`` is fetched under the fetching rules.
    """

    model_config = ConfigDict(extra="forbid")

    id: str | None = Field(None, description="unique id; default: taken from the title, URL or position")
    text: str | None = Field(None, description="plain article text (cleaned like a .txt file)")
    html: str | None = Field(None, description="an article web page (body, title and date extracted)")
    url: str | None = Field(None, description="http(s) URL to fetch, unless text or html is given")
    title: str | None = None
    outlet: str | None = None
    published: str | None = Field(None, description="ISO 8601 date or datetime")

    @model_validator(mode="after")
    def _one_source(self) -> "DocumentIn":
        given = [name for name in ("text", "html") if getattr(self, name) is not None]
        if len(given) > 1:
            raise ValueError("give either text or html, not both")
        if not given and not self.url:
            raise ValueError("give one of text, html or url")
        return self


class CompareRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    documents: list[DocumentIn] = Field(description="two or more reports of one story")


class DocumentOut(BaseModel):
    id: str
    text: str
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None


class EvidenceOut(BaseModel):
    doc: str
    start: int = Field(description="offset into that document's text")
    end: int
    text: str


class FindingOut(BaseModel):
    kind: Literal["conflict", "agreement", "omission", "notice"]
    type: str
    summary: str
    confidence: float
    docs: list[str]
    values: dict[str, str]
    claims: list[EvidenceOut]
    details: dict[str, Any] = {}


class ReportOut(BaseModel):
    """The comparison report: cleaned documents and ranked findings."""

    schema_version: str
    same_story: bool
    documents: list[DocumentOut]
    duplicates: dict[str, str]
    findings: list[FindingOut]
    meta: dict[str, Any]


class ErrorOut(BaseModel):
    """Every 4xx/5xx of the API: one line a person can act on."""

    error: str
    detail: list[dict[str, Any]] | None = None


class HealthOut(BaseModel):
    status: Literal["ok"]
    version: str
    store: bool = Field(description="whether the corpus store can be opened")


class StorySummary(BaseModel):
    id: int
    title: str
    articles: int = Field(description="independent articles (republished copies not counted)")
    outlets: list[str]
    first_published: str | None = None
    last_published: str | None = None


class StoriesOut(BaseModel):
    stories: list[StorySummary]
    query: str | None = None
    offset: int
    more: bool = Field(description="whether another page follows (ask again with offset + limit)")


class ArticleOut(BaseModel):
    id: int = Field(description="the article's id in the store")
    doc: str = Field(description="its document id in the report")
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None


class StoryOut(BaseModel):
    story: StorySummary
    articles: list[ArticleOut]
    duplicates: int = Field(description="republished copies of these articles, linked to their originals")
    report: ReportOut = Field(description="the comparison of the story's articles (no findings for one article)")


class IngestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    articles: list[DocumentIn]


class IngestOut(BaseModel):
    added: int = Field(description="articles stored")
    duplicates: int = Field(description="already in the store (same URL or text): skipped")
    near_duplicates: int = Field(description="stored, linked to the original they republish")
    failed: list[str] = Field(description="one line per article that could not be stored, naming it")
    stories: int = Field(description="stories created or updated")
