"""`/` (the form), `/audit` (the HTML report with links around it) and `/api/audit` (the JSON contract)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from ..model import RevisionMeta
from ..sources.url import DiffTarget
from .guard import AUDIT_OPTIONS, audit_options, diff_target
from .handling import guarded, state, take_token
from .links import WikiLinks, app_link
from .pages import fragment, page, report_page
from .work import Rendered


@guarded(as_json=False)
async def index(request: Request) -> Response:
    return page("index.html", title="Audit a diff", wikis=state(request).settings.wikis, options=AUDIT_OPTIONS)


async def _audit(request: Request, fmt: str) -> tuple[DiffTarget, Rendered]:
    st = state(request)
    target = diff_target(request.query_params, st.settings)  # refused here, before any request, if not served
    options = audit_options(request.query_params)
    take_token(request)
    return target, await st.worker.run(st.worker.audit, target, fmt, options)


@guarded(as_json=False)
async def audit_page(request: Request) -> Response:
    if not any(v.strip() for v in request.query_params.values()):
        return RedirectResponse("/", status_code=303)
    target, rendered = await _audit(request, "html")
    return report_page(rendered.body, _nav(request, target, rendered))


@guarded(as_json=True)
async def audit_json(request: Request) -> Response:
    _target, rendered = await _audit(request, "json")
    return Response(rendered.body, media_type="application/json")


def _nav(request: Request, target: DiffTarget, r: Rendered) -> str:
    """The bar above the report: the page, the diff and the users on the wiki; the edits before and after."""
    settings = state(request).settings
    wiki = target.site
    links = WikiLinks(settings, wiki)
    old: RevisionMeta = r.old_meta
    new: RevisionMeta = r.new_meta
    title = new.title or old.title
    users = []
    for label, meta in (("old", old), ("new", new)):
        if meta.user:
            users.append((f"{label} revision by", meta.user, links.user(meta.user)))
    options = {name: "1" for name in audit_options(request.query_params)}  # the next edits audited the same way
    prev = app_link("/audit", wiki=wiki, new=old.revid, **options) if old.revid else None
    nxt = app_link("/audit", wiki=wiki, old=new.revid, new="next", **options) if new.revid else None
    json = "/api/audit" + (f"?{request.url.query}" if request.url.query else "")
    return fragment("audit_nav.html", wiki=wiki, title=title, page=links.page(title), diff=links.diff(old.revid,
                    new.revid), history=links.history(title), users=users, prev=prev, next=nxt, json=json,
                    page_history=app_link("/history", wiki=wiki, title=title) if title else None)
