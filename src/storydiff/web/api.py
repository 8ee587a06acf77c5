"""REST API under /api: compare, stories, ingest, health. JSON in, JSON out, typed."""
from __future__ import annotations

from fastapi import APIRouter, Request, Response

from .. import __version__
from .inputs import RawInput, check_count
from .schemas import CompareRequest, DocumentIn, ErrorOut, HealthOut, ReportOut

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
    from .stories import store_available
    return {"status": "ok", "version": __version__,
            "store": await request.app.state.engine.run(store_available, request.app.state.settings)}


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
