"""What every route shares: the app's state, the rate limit, and turning failures into clear pages or JSON."""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..errors import WikidiffError
from . import problems
from .pages import problem_json, problem_page
from .ratelimit import RateLimiter
from .settings import Settings
from .work import Worker

log = logging.getLogger("wikidiff.web")

Handler = Callable[[Request], Awaitable[Response]]


@dataclass
class State:
    settings: Settings
    worker: Worker
    limiter: RateLimiter
    findings: Any  # patrol_views.Findings


def state(request: Request) -> State:
    return request.app.state.wikidiff


def client_of(request: Request) -> str:
    """The client a request counts against (behind a trusted proxy, the one it forwarded for)."""
    peer = request.client.host if request.client else "unknown"
    return state(request).settings.client_address(peer, request.headers.get("x-forwarded-for"))


def take_token(request: Request) -> None:
    """Count one audit or history against the client's rate limit; a 429 Problem when it has none left."""
    wait = state(request).limiter.take(client_of(request))
    if wait:
        raise problems.too_many(wait)


def guarded(as_json: bool) -> Callable[[Handler], Handler]:
    """Answer Problems, library errors and anything unexpected with a page (or JSON) saying what happened."""

    def wrap(handler: Handler) -> Handler:
        @functools.wraps(handler)
        async def run(request: Request) -> Response:
            try:
                return await handler(request)
            except problems.Problem as p:
                problem = p
            except WikidiffError as exc:
                problem = problems.from_error(exc)
            except Exception:  # a bug: the reader gets one line, the log gets the traceback
                log.exception("%s %s failed", request.method, request.url.path)
                problem = problems.Problem(500, "Internal error", "something went wrong on this server; "
                                                                  "the error is in its log")
            if as_json:
                return problem_json(problem)
            return problem_page(problem, state(request).settings)

        return run

    return wrap
