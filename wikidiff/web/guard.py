"""A request's query -> what to fetch, checked before anything is sent: only the served wikis, only their API.

The host of a pasted URL only selects one of the served wikis; the request then goes to that wiki's configured
API endpoint, never to a host, port, scheme or path taken from the URL. So nothing a visitor types can make the
server fetch from anywhere else (no server-side request forgery).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ..errors import InputError
from ..sources.url import DiffTarget, normalize_site, parse_diff_url, parse_diff_value, parse_revision_id
from . import problems
from .settings import Settings

MAX_URL = 2048
MAX_TITLE_BYTES = 255  # MediaWiki's limit on a title


def _get(params: Mapping[str, str], name: str) -> str:
    return (params.get(name) or "").strip()


def served_wiki(value: str, settings: Settings) -> str:
    """The served wiki a `wiki=` value names (the only one when empty and there is one); else a Problem."""
    if not value:
        if len(settings.wikis) == 1:
            return settings.wikis[0]
        raise problems.Problem(400, "Which wiki?", f"choose one of {', '.join(settings.wikis)}")
    try:
        wiki = normalize_site(value)
    except InputError as exc:
        raise problems.Problem(400, "Not a wiki", str(exc)) from None
    if not settings.serves(wiki):
        raise problems.refused(wiki, settings.wikis)
    return wiki


def title_param(value: str) -> str:
    title = " ".join(value.replace("_", " ").split())
    if not title:
        raise problems.Problem(400, "No page title", "give the title of a page")
    if len(title.encode("utf-8")) > MAX_TITLE_BYTES or any(c in title for c in "<>[]{}|#") or \
            any(ord(c) < 32 for c in title):
        raise problems.Problem(400, "Not a page title", f"{title[:80]!r} cannot be a page title")
    return title


def diff_target(params: Mapping[str, str], settings: Settings) -> DiffTarget:
    """The diff a query names: `url=` (a diff URL, permanent link or curid URL), or `wiki=` with `old=`/`new=`
    revision ids (`new` may be prev/next/cur relative to `old`; `new` alone is the edit that made it) or
    `title=` (the page's latest edit). Its `api_url` is the served wiki's own."""
    url, old, new, title = (_get(params, k) for k in ("url", "old", "new", "title"))
    wiki_param = _get(params, "wiki")
    try:
        if url:
            if old or new or title:
                raise problems.Problem(400, "Too much asked", "give either a diff URL or revision ids, not both")
            if len(url) > MAX_URL:
                raise problems.Problem(400, "URL too long", f"a diff URL has fewer than {MAX_URL} characters")
            target = parse_diff_url(url)
            if not settings.serves(target.site):
                raise problems.refused(target.site, settings.wikis)
            if wiki_param and served_wiki(wiki_param, settings) != target.site:
                raise problems.Problem(400, "Two wikis asked", f"the URL is on {target.site}, not {wiki_param}")
            return replace(target, api_url=settings.api_for(target.site))
        wiki = served_wiki(wiki_param, settings)
        base = {"site": wiki, "api_url": settings.api_for(wiki)}
        if title:
            if old or new:
                raise problems.Problem(400, "Too much asked", "a title audits the page's latest edit: give it "
                                                              "without revision ids")
            return DiffTarget(title=title_param(title), **base)
        if not new:
            raise problems.Problem(400, "Nothing to audit",
                                   "paste a diff URL, or give the new revision id (and the old one)")
        diff = parse_diff_value(new)
        oldid = parse_revision_id(old, "the old revision") if old else None
        if oldid is None and isinstance(diff, str):
            raise problems.Problem(400, "Old revision needed", f"new={diff} is relative to the old revision: "
                                                               "give it too")
        return DiffTarget(oldid=oldid, diff=diff, **base)
    except InputError as exc:
        raise problems.Problem(400, "Cannot audit that", str(exc)) from None


def history_target(params: Mapping[str, str], settings: Settings) -> tuple[str, str]:
    """(wiki, title) of a history request, both checked."""
    return served_wiki(_get(params, "wiki"), settings), title_param(_get(params, "title"))
