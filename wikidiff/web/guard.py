"""A request's query -> what to fetch, checked before anything is sent: only the served wikis, only their API.

The host of a pasted URL only selects one of the served wikis; the request then goes to that wiki's configured
API endpoint, never to a host, port, scheme or path taken from the URL. So nothing a visitor types can make the
server fetch from anywhere else (no server-side request forgery).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from ..errors import InputError
from ..sources.url import DiffTarget, normalize_site
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
    `title=` (the page's latest edit), read as `wikidiff.fetch` reads them; its `api_url` is the served wiki's."""
    from ..sources.resolve import diff_target as read_target

    url, old, new, title = (_get(params, k) for k in ("url", "old", "new", "title"))
    wiki_param = _get(params, "wiki")
    try:
        if url:
            if len(url) > MAX_URL:
                raise problems.Problem(400, "URL too long", f"a diff URL has fewer than {MAX_URL} characters")
            target = read_target(url, old=old or None, new=new or None, title=title or None)
            if not settings.serves(target.site):
                raise problems.refused(target.site, settings.wikis)
            if wiki_param and served_wiki(wiki_param, settings) != target.site:
                raise problems.Problem(400, "Two wikis asked", f"the URL is on {target.site}, not {wiki_param}")
        else:
            wiki = served_wiki(wiki_param, settings)
            target = read_target(site=wiki, old=old or None, new=new or None,
                                 title=title_param(title) if title else None)
        return replace(target, api_url=settings.api_for(target.site))
    except InputError as exc:
        raise problems.Problem(400, "Cannot audit that", str(exc)) from None


def history_target(params: Mapping[str, str], settings: Settings) -> tuple[str, str, str | None]:
    """(wiki, title, since) of a history request, all checked; `since` is an ISO 8601 date or time (UTC)."""
    from ..histories.run import normalise_since

    wiki, title = served_wiki(_get(params, "wiki"), settings), title_param(_get(params, "title"))
    try:
        since = normalise_since(_get(params, "since") or None)
    except InputError as exc:
        raise problems.Problem(400, "Not a date", str(exc)) from None
    return wiki, title, since


#: the audit's options a query may turn on (each costing the wiki one or two more requests), with the form's label
AUDIT_OPTIONS = {
    "verify": "check the Cite flags against the page as the wiki renders it",
    "restored": "set apart text the edit restored from the 15 revisions before",
}


def audit_options(params: Mapping[str, str]) -> tuple[str, ...]:
    """The options a query turns on (`verify=1`, `restored=on` …), in AUDIT_OPTIONS order; a Problem for a value
    that is neither yes nor no."""
    on = []
    for name in AUDIT_OPTIONS:
        value = _get(params, name).lower()
        if value in ("1", "on", "yes", "true"):
            on.append(name)
        elif value not in ("", "0", "off", "no", "false"):
            raise problems.Problem(400, "Not an option value", f"{name}= is 1 or 0, not {value[:20]!r}")
    return tuple(on)
