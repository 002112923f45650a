"""`create_app(...)`: the ASGI application behind `wikidiff serve` (Starlette; any ASGI server can run it)."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from . import audit_views, history_views, patrol_views, problems
from .handling import State
from .pages import SecurityHeaders, problem_json, problem_page
from .ratelimit import RateLimiter
from .settings import Settings
from .work import Worker


def create_app(settings: Settings | None = None, **options: Any) -> Starlette:
    """The web app for `settings` (or a Settings made of the keyword options: wikis, api_url, cache, findings,
    time_limit, workers, queue, rate_limit, memo, history_limit, fetch_timeout, user_agent)."""
    if settings is None:
        settings = Settings(**options)
    elif options:
        raise TypeError("give either a Settings or keyword options, not both")
    worker = Worker(settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            worker.close()

    static = StaticFiles(directory=str(resources.files("wikidiff.web").joinpath("static")))
    routes = [
        Route("/", audit_views.index),
        Route("/audit", audit_views.audit_page),
        Route("/api/audit", audit_views.audit_json),
        Route("/patrol", patrol_views.patrol_page),
        Route("/api/findings", patrol_views.findings_json),
        Route("/history", history_views.history_page),
        Route("/favicon.ico", _no_icon),
        Mount("/static", static, name="static"),
    ]
    app = Starlette(routes=routes, middleware=[Middleware(SecurityHeaders)],
                    exception_handlers={HTTPException: _http_error}, lifespan=lifespan)
    app.state.wikidiff = State(settings, worker, RateLimiter(settings.rate_limit),
                               patrol_views.Findings(settings.findings))
    return app


async def _no_icon(_request: Request) -> Response:
    return Response(status_code=204, headers={"Cache-Control": "public, max-age=86400"})


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    titles = {404: "Not found", 405: "Method not allowed"}
    detail = {404: "there is no such page here", 405: "this address is only read (GET)"}
    problem = problems.Problem(exc.status_code, titles.get(exc.status_code, "Error"),
                               detail.get(exc.status_code, str(exc.detail)), dict(exc.headers or {}))
    if request.url.path.startswith("/api/"):
        return problem_json(problem)
    return problem_page(problem, request.app.state.wikidiff.settings)
