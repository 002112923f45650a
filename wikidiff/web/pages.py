"""HTML out: Jinja2 templates with autoescaping on (every value is escaped unless a template says otherwise, and none
does), the security headers of every answer, and the HTML report served under the app's Content-Security-Policy.
"""

from __future__ import annotations

import html
import re
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .._version import __version__
from .problems import Problem

#: the policy of every page: scripts and styles only from this server, nothing framed, forms post only here
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}

_env = Environment(loader=PackageLoader("wikidiff.web", "templates"), autoescape=True, undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True)
_env.globals["version"] = __version__


def page(template: str, status: int = 200, headers: dict[str, str] | None = None, **context: Any) -> HTMLResponse:
    return HTMLResponse(_env.get_template(template).render(**context), status_code=status, headers=headers)


def fragment(template: str, **context: Any) -> str:
    return _env.get_template(template).render(**context)


def problem_page(problem: Problem, settings: Any) -> HTMLResponse:
    return page("problem.html", problem.status, problem.headers, problem=problem, wikis=settings.wikis,
                title=problem.title)


def problem_json(problem: Problem) -> JSONResponse:
    return JSONResponse({"error": {"status": problem.status, "title": problem.title, "detail": problem.detail}},
                        status_code=problem.status, headers=problem.headers)


# --- the HTML report inside the app ---------------------------------------------------------------------------

_META_CSP = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">\n?')
_HASH = re.compile(r"'(sha(?:256|384|512)-[A-Za-z0-9+/=]+)'")


def report_page(report: str, nav: str) -> Response:
    """The page `render(audit, "html")` made, with the app's navigation and stylesheet added.

    The report allows its own inline style and script by hash in a `<meta>` policy; that policy is taken out and
    its hashes (only those: what the renderer vouches for) go into the app's header policy, which also lets the
    app's stylesheet in. A report whose policy cannot be read is not served.
    """
    m = _META_CSP.search(report)
    if m is None:
        raise RuntimeError("the HTML report carries no Content-Security-Policy to take its hashes from")
    directives = {}
    for part in html.unescape(m.group(1)).split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value
    styles = " ".join(f"'{h}'" for h in _HASH.findall(directives.get("style-src", "")))
    scripts = " ".join(f"'{h}'" for h in _HASH.findall(directives.get("script-src", "")))
    csp = CSP.replace("script-src 'self'", f"script-src 'self' {scripts}".rstrip()).replace(
        "style-src 'self'", f"style-src 'self' {styles}".rstrip())
    body = report[: m.start()] + report[m.end():]
    body = body.replace("</head>", '<link rel="stylesheet" href="/static/web.css">\n</head>', 1)
    body = body.replace("<body>\n", f"<body>\n{nav}\n", 1)
    return HTMLResponse(body, headers={"Content-Security-Policy": csp})


class SecurityHeaders:
    """ASGI middleware: the security headers (and the default policy) on every answer that lacks them."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                have = {k.lower() for k, _ in raw}
                extra = {"Content-Security-Policy": CSP, **HEADERS}
                for k, v in extra.items():
                    if k.lower().encode("latin-1") not in have:
                        raw.append((k.lower().encode("latin-1"), v.encode("latin-1")))
                message = {**message, "headers": raw}
            await send(message)

        await self.app(scope, receive, send_with_headers)
