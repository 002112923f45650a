"""`/history?wiki=&title=`: a page's reverts, mutual reverts, M and references over time, with the plots inline."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from .guard import history_target
from .handling import guarded, state, take_token
from .links import WikiLinks, app_link
from .pages import page


@guarded(as_json=False)
async def history_page(request: Request) -> Response:
    st = state(request)
    params = request.query_params
    if not (params.get("title") or "").strip():
        return page("history.html", title="Page history", wikis=st.settings.wikis, view=None, links=None,
                    asked_wiki=params.get("wiki") or "", audit_link=None, since="")
    wiki, title, since = history_target(params, st.settings)
    take_token(request)
    view = await st.worker.run(st.worker.history, wiki, title, since)
    links = WikiLinks(st.settings, wiki)

    def audit_link(new: object) -> str:
        return app_link("/audit", wiki=wiki, new=new)

    return page("history.html", title=f"History of {title}", wikis=st.settings.wikis, view=view, links=links,
                asked_wiki=wiki, audit_link=audit_link, since=since or "")
