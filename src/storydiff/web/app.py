"""The FastAPI application: pages, REST API, assets, errors.

``create_app`` builds one app from WebSettings; ``storydiff serve`` runs it with
uvicorn. Errors never reach a user as a traceback: under /api they are JSON
``{"error": "..."}`` with a 4xx status, elsewhere a readable page.
"""
from __future__ import annotations

import logging
from contextlib import asynccontextmanager
from importlib.resources import files

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException

from .. import __version__
from ..errors import InputError, StorydiffError
from .inputs import TooLarge
from .limits import BodyLimit, SecurityHeaders
from .service import CompareFn, Engine
from .settings import WebSettings

log = logging.getLogger("storydiff.web")

TEMPLATES = Jinja2Templates(directory=str(files(__package__).joinpath("templates")))
TEMPLATES.env.globals["version"] = __version__


def create_app(settings: WebSettings | None = None, compare_fn: CompareFn | None = None) -> FastAPI:
    """A ready app. ``compare_fn`` replaces ``storydiff.compare`` (tests time a slow one)."""
    settings = settings or WebSettings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        if settings.warm_up:
            _warm_up()
        yield

    app = FastAPI(title="storydiff", version=__version__, lifespan=lifespan,
                  description="Compare news reports of one story: conflicts, agreements, omissions, "
                              "with character-level evidence. Same JSON as `storydiff compare --format json`.",
                  docs_url=None, redoc_url=None)  # the stock docs pages load assets from a CDN
    app.state.settings = settings
    app.state.engine = Engine(settings, compare_fn)
    app.state.templates = TEMPLATES
    app.add_middleware(BodyLimit, max_body=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders, csp=settings.csp)
    app.mount("/static", StaticFiles(packages=[("storydiff.web", "static")]), name="static")

    from . import api, pages
    app.include_router(api.router)
    app.include_router(pages.router)
    _error_handlers(app)
    return app


def _warm_up() -> None:
    """Load spaCy and the embedder once at start-up, in a thread, so the first compare is fast."""
    import threading

    def load() -> None:
        try:
            from ..analyze.nlp import get_nlp
            from ..embed import get_embedder
            get_nlp()
            get_embedder()
        except Exception as e:  # the first compare will report it properly
            log.warning("warm-up failed: %s", e)

    threading.Thread(target=load, name="storydiff-warm-up", daemon=True).start()


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api") or request.url.path == "/openapi.json"


def error_response(request: Request, status: int, message: str, detail: list | None = None) -> Response:
    """JSON for the API, the error page for a person."""
    if wants_json(request):
        body = {"error": message} | ({"detail": detail} if detail else {})
        return JSONResponse(body, status_code=status)
    return TEMPLATES.TemplateResponse(request, "error.html", {"status": status, "message": message},
                                      status_code=status)


def status_for(error: StorydiffError) -> int:
    """413 for inputs over a size limit, 422 for any other unusable input, 404 for an
    unknown story, 503 for a store that cannot be used now (locked, unreadable), else 500."""
    from .stories import is_not_found, is_store_error

    if isinstance(error, TooLarge):
        return 413
    if is_not_found(error):
        return 404
    if is_store_error(error):
        return 503
    return 422 if isinstance(error, InputError) else 500


def validation_message(errors: list[dict]) -> str:
    """One line out of pydantic's list: where, then what."""
    first = errors[0] if errors else {}
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
    msg = str(first.get("msg", "invalid request")).removeprefix("Value error, ")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return f"{where}: {msg}{more}" if where else f"{msg}{more}"


def _error_handlers(app: FastAPI) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404 and exc.detail == "Not Found":
            message = f"nothing at {request.url.path}"
        else:
            message = str(exc.detail)
        return error_response(request, exc.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        errors = [{k: v for k, v in e.items() if k in ("loc", "msg", "type")} for e in exc.errors()]
        return error_response(request, 422, validation_message(errors), errors)

    @app.exception_handler(StorydiffError)
    async def storydiff_error(request: Request, exc: StorydiffError) -> Response:
        return error_response(request, status_for(exc), str(exc))

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s", request.url.path)
        return error_response(request, 500, f"internal error: {type(exc).__name__} (see the server log)")
