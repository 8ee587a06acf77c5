"""REST API under /api: compare, stories, ingest, health. JSON in, JSON out, typed."""
from __future__ import annotations

from fastapi import APIRouter, Query, Request, Response

from .. import __version__
from ..model import Report
from . import stories
from ..errors import InputError
from .inputs import RawInput, TooLarge, check_count
from .schemas import (CompareRequest, DocumentIn, ErrorOut, HealthOut, IngestOut, IngestRequest, ReportOut,
                      StoriesOut, StoryOut)
from .service import report_id

router = APIRouter(prefix="/api", tags=["api"])

ERRORS = {413: {"model": ErrorOut, "description": "a request, document or text over a limit"},
          422: {"model": ErrorOut, "description": "an input that cannot be used, with the reason"}}


def raw_input(doc: DocumentIn, n: int) -> RawInput:
    """An API document as an input; its label names its position and id in errors."""
    label = f"documents[{n}]" + (f" ({doc.id})" if doc.id else "")
    return RawInput(label=label, text=doc.text, html=doc.html, url=doc.url, id=doc.id,
                    title=doc.title, outlet=doc.outlet, published=doc.published)


@router.get("/health", response_model=HealthOut)
async def health(request: Request) -> dict:
    """Liveness, version, and whether the corpus store opens."""
    return {"status": "ok", "version": __version__,
            "store": await request.app.state.engine.run(stories.store_available, request.app.state.settings)}


@router.post("/compare", response_model=ReportOut, responses=ERRORS)
async def compare(body: CompareRequest, request: Request, response: Response) -> dict:
    """Compare two or more reports of one story; the JSON report (as `storydiff compare -f json`).

    Each document gives `text`, `html` or a `url` to fetch (http/https, public
    addresses only unless the server allows private ones). The report page of
    the result is linked from the `Link` header.
    """
    check_count(len(body.documents), request.app.state.settings)
    key, report = await request.app.state.engine.compare(
        [raw_input(d, n) for n, d in enumerate(body.documents)])
    response.headers["Link"] = f'</reports/{key}>; rel="alternate"; type="text/html"'
    return report.to_dict()


NOT_FOUND = {404: {"model": ErrorOut, "description": "no such story"},
             503: {"model": ErrorOut, "description": "the store cannot be read now (locked, unreadable)"}}


@router.get("/stories", response_model=StoriesOut, responses={503: NOT_FOUND[503]})
async def list_stories(request: Request,
                       q: str | None = Query(None, description='words, names and "quoted phrases" of the '
                                                               "stories' articles, or an outlet"),
                       limit: int = Query(50, ge=1, le=500), offset: int = Query(0, ge=0)) -> dict:
    """The stories in the corpus store, most recent first, with outlets, article counts and dates.

    With `q`, the stories whose articles contain every word and phrase of it
    (in title, named entities, text or outlet), best match first.
    """
    rows, more = await request.app.state.engine.run(stories.list_stories, request.app.state.settings,
                                                    q, limit, offset)
    return {"stories": [r.to_dict() for r in rows], "query": q, "offset": offset, "more": more}


@router.get("/stories/{story_id}", response_model=StoryOut, responses=NOT_FOUND)
async def get_story(request: Request, story_id: int) -> dict:
    """A story, its articles, and the comparison report of their coverage."""
    page, report = await story_report(request, story_id)
    return {"story": page.row.to_dict(), "articles": page.articles, "duplicates": page.duplicates,
            "report": report.to_dict()}


async def story_report(request: Request, story_id: int) -> tuple[stories.StoryPage, Report]:
    """A story from the store and its report (computed off the loop, then kept in the cache)."""
    engine = request.app.state.engine
    page = await engine.run(stories.story, request.app.state.settings, story_id)
    if len(page.documents) < 2:
        return page, Report(page.documents, [])
    return page, await engine.compare_documents(report_id(page.documents), page.documents)


@router.post("/articles", response_model=IngestOut, responses=ERRORS | {503: NOT_FOUND[503]})
async def ingest_articles(body: IngestRequest, request: Request) -> dict:
    """Ingest articles into the corpus store and update its stories.

    Same document objects as /api/compare. An article that cannot be stored is
    listed in `failed` with its reason; the others are stored (one bad article
    never stops the rest). Re-sending the same articles stores nothing twice.
    """
    settings = request.app.state.settings
    if not body.articles:
        raise InputError("no articles given")
    if len(body.articles) > settings.max_ingest_articles:
        raise InputError(f"too many articles: {len(body.articles)}; send at most "
                         f"{settings.max_ingest_articles} per request")
    for n, a in enumerate(body.articles):
        if a.text is not None and len(a.text) > settings.max_text_chars:
            raise TooLarge(f"articles[{n}]: text has {len(a.text):,} characters; "
                           f"the limit is {settings.max_text_chars:,}")
    summary = await request.app.state.engine.run(stories.ingest, settings,
                                                  [a.model_dump() for a in body.articles], heavy=True)
    return summary
