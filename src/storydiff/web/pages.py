"""Server-rendered pages: the compare form, report pages, exports, stories.

Post/Redirect/Get: a submitted compare redirects to ``/reports/{id}``, whose id
depends only on the documents, so a report page can be reloaded, bookmarked
while the server keeps it, and exported.
"""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from ..errors import StorydiffError
from ..model import Report
from ..report import render
from ..report.html import ASSETS, report_view
from . import stories
from .inputs import RawInput, check_count
from .matrix import coverage_svg

router = APIRouter(include_in_schema=False)

# format name in URLs -> (renderer format, media type, file suffix)
EXPORTS = {"json": ("json", "application/json", "json"),
           "markdown": ("markdown", "text/markdown; charset=utf-8", "md"),
           "html": ("html", "text/html; charset=utf-8", "html")}


def page(request: Request, template: str, status: int = 200, **context) -> Response:
    context.setdefault("limits", request.app.state.settings)
    return request.app.state.templates.TemplateResponse(request, template, context, status_code=status)


@router.get("/")
async def compare_form(request: Request) -> Response:
    return page(request, "compare.html", texts=["", ""], urls="")


def form_inputs(texts: list[str], urls: str, uploads: list[UploadFile], contents: list[bytes]) -> list[RawInput]:
    """The non-empty inputs of the compare form, each labelled as the form shows it."""
    raws = [RawInput(label=f"article {n}", text=t) for n, t in enumerate(texts, 1) if t.strip()]
    raws += [RawInput(label=f"file {u.filename}", upload=c, filename=u.filename)
             for u, c in zip(uploads, contents) if u.filename]
    raws += [RawInput(label=f"URL {line.strip()}", url=line.strip()) for line in urls.splitlines() if line.strip()]
    return raws


@router.post("/compare")
async def compare_submit(request: Request) -> Response:
    settings = request.app.state.settings
    form = await request.form(max_files=settings.max_documents, max_fields=4 * settings.max_documents + 8,
                              max_part_size=settings.max_body_bytes)
    texts = [v for v in form.getlist("text") if isinstance(v, str)]
    urls = str(form.get("urls") or "")
    uploads = [u for u in form.getlist("files") if isinstance(u, UploadFile)]
    contents = [await u.read() for u in uploads]
    try:
        raws = form_inputs(texts, urls, uploads, contents)
        check_count(len(raws), settings)
        key, _ = await request.app.state.engine.compare(raws)
    except StorydiffError as e:
        from .app import status_for
        return page(request, "compare.html", status=status_for(e), error=str(e),
                    texts=(texts + ["", ""])[:max(2, len(texts))], urls=urls)
    return RedirectResponse(f"/reports/{key}", status_code=303)


def cached_report(request: Request, key: str) -> Report:
    report = request.app.state.engine.reports.get(key)
    if report is None:
        from starlette.exceptions import HTTPException
        raise HTTPException(404, f"report {key} is not (or no longer) kept by this server; compare the articles again")
    return report


def report_context(report: Report, export_base: str) -> dict:
    return {"report": report, "view": report_view(report), "matrix": coverage_svg(report),
            "exports": [(name, f"{export_base}/export/{name}") for name in EXPORTS]}


@router.get("/reports/{key}")
async def report_page(request: Request, key: str) -> Response:
    report = cached_report(request, key)
    return page(request, "report.html", title=_title(report), **report_context(report, f"/reports/{key}"))


def export(report: Report, fmt: str, stem: str) -> Response:
    """The report as a download in one of EXPORTS (the same text as the CLI's --format)."""
    if fmt not in EXPORTS:
        from starlette.exceptions import HTTPException
        raise HTTPException(404, f"unknown export format {fmt!r}; choose one of {', '.join(EXPORTS)}")
    name, media, suffix = EXPORTS[fmt]
    return Response(render(report, name), media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="{stem}.{suffix}"'})


@router.get("/reports/{key}/export/{fmt}")
async def report_export(request: Request, key: str, fmt: str) -> Response:
    return export(cached_report(request, key), fmt, f"storydiff-{key}")


def _title(report: Report) -> str:
    return " · ".join(d.title or d.id for d in report.documents[:3]) + (" …" if len(report.documents) > 3 else "")


@router.get("/assets/report.css")
async def report_css() -> Response:
    return Response(ASSETS.css, media_type="text/css; charset=utf-8", headers={"Cache-Control": "max-age=3600"})


@router.get("/assets/report.js")
async def report_js() -> Response:
    return Response(ASSETS.js, media_type="text/javascript; charset=utf-8", headers={"Cache-Control": "max-age=3600"})


@router.get("/api-docs")
async def api_docs(request: Request) -> Response:
    """The API described from the app's own OpenAPI schema (the stock docs pages need a CDN)."""
    schema = request.app.openapi()
    ops = [(method.upper(), path, op.get("summary", ""), (op.get("description") or "").strip())
           for path, methods in schema["paths"].items() for method, op in methods.items()]
    return page(request, "api_docs.html", ops=ops, title="API")


PAGE_SIZE = 50


@router.get("/stories")
async def stories_page(request: Request, q: str = "", offset: int = 0) -> Response:
    settings = request.app.state.settings
    offset = max(0, offset)
    rows, more = await request.app.state.engine.run(stories.list_stories, settings, q.strip(), PAGE_SIZE, offset)
    empty_store = not rows and not q and offset == 0
    return page(request, "stories.html", title="Stories", nav="stories", rows=rows, q=q.strip(), offset=offset,
                more=more, page_size=PAGE_SIZE, store=str(stories.store_path(settings)) if empty_store else None)


@router.get("/stories/{story_id}")
async def story_page(request: Request, story_id: int) -> Response:
    from .api import story_report

    story, report = await story_report(request, story_id)
    return page(request, "report.html", title=story.row.title, story=story,
                **report_context(report, f"/stories/{story_id}"))


@router.get("/stories/{story_id}/export/{fmt}")
async def story_export(request: Request, story_id: int, fmt: str) -> Response:
    from .api import story_report

    _, report = await story_report(request, story_id)
    return export(report, fmt, f"storydiff-story-{story_id}")
