"""Fetch the two revisions of an edit from a wiki: `wikidiff.fetch(url)` or `wikidiff.fetch(site=…, old=…, new=…)`.

>>> pair = wikidiff.fetch("https://en.wikipedia.org/w/index.php?diff=651993021&oldid=651986427")  # doctest: +SKIP
>>> wikidiff.audit(pair.old_text, pair.new_text, old_meta=pair.old_meta, new_meta=pair.new_meta)  # doctest: +SKIP

Revisions are read through the revision cache (fetched once per wiki, then read from disk); with `offline=True`
nothing is sent. Errors are typed (wikidiff.errors): InputError for what was asked, FetchError subclasses for
what the wiki answered.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .model import RevisionMeta
from .rescue import RescueSources

if TYPE_CHECKING:
    from .sources.cache import RevisionCache
    from .sources.client import WikiClient
    from .sources.renderings import Renderings, Variant
    from .sources.siteinfo import SiteInfo
    from .text.titles import MaintenanceTags



@dataclass(frozen=True)
class Pair:
    """The two revisions of one edit. A page creation has old_text "" and an old_meta without revid."""

    old_text: str
    new_text: str
    old_meta: RevisionMeta
    new_meta: RevisionMeta
    diff_url: str | None = None  # the edit on its wiki (index.php?diff=NEW&oldid=OLD)
    notes: tuple[str, ...] = field(default=())  # what was read differently from how it was given

    def __iter__(self):  # old_text, new_text, old_meta, new_meta = pair
        return iter((self.old_text, self.new_text, self.old_meta, self.new_meta))


def fetch(url: str | None = None, *, site: str | None = None, old: int | str | None = None,
          new: int | str | None = None, title: str | None = None, api_url: str | None = None,
          cache: RevisionCache | str | os.PathLike | None = None, offline: bool = False,
          user_agent: str | None = None, timeout: float = 30.0, quiet: bool = True,
          client: WikiClient | None = None, **tuning: Any) -> Pair:
    """The two revisions a diff URL names, or `old`/`new` revision ids on `site` (`new` may be "prev", "next" or
    "cur" relative to `old`; `new` alone is the edit that made it), or the latest edit of `title`.

    `api_url` (default $WIKIDIFF_API_URL, else the wiki's https://HOST/w/api.php) is where requests go; `cache` is
    a RevisionCache, a file, or None for the user's cache; `client` reuses an open WikiClient (its wiki wins).
    """
    from .sources.resolve import diff_target, load_pair

    target = diff_target(url, site=site, old=old, new=new, title=title, api_url=api_url)
    own = client is None
    if client is None:
        client = _open(target.site, target.api_url, api_url, cache, offline, user_agent, timeout, quiet, tuning)
    try:
        old_rec, new_rec, notes = load_pair(client, target)
    finally:
        if own:
            client.close()
    base = index_url(client)
    if old_rec is None:
        creation = RevisionMeta(title=new_rec.meta.title, site=client.site, source="none (page creation)")
        return Pair("", new_rec.text, creation, new_rec.meta, diff_url(base, None, new_rec.meta.revid), notes)
    return Pair(old_rec.text, new_rec.text, old_rec.meta, new_rec.meta,
                diff_url(base, old_rec.meta.revid, new_rec.meta.revid), notes)


def index_url(client: WikiClient) -> str:
    """The wiki's index.php as readers reach it: the API's own when the API is the wiki's, else (a mirror or a
    stand-in answering for a named site) https://SITE/w/index.php."""
    from .sources.url import api_url_for_site, site_from_api_url

    if site_from_api_url(client.api_url) == client.site:
        return f"{client.scheme}://{client.host}{client.script_path}index{client.ext}"
    return api_url_for_site(client.site)[: -len("api.php")] + "index.php"


def diff_url(index: str, old: int | None, new: int | None) -> str | None:
    """index.php?diff=NEW&oldid=OLD (diff=NEW alone for a creation)."""
    if new is None:
        return None
    return f"{index}?diff={new}" + (f"&oldid={old}" if old else "")


def rescue_sources(new_meta: RevisionMeta, old_meta: RevisionMeta, *, site: str | None = None,
                   api_url: str | None = None, cache: RevisionCache | str | os.PathLike | None = None,
                   offline: bool = False, user_agent: str | None = None, timeout: float = 30.0, quiet: bool = True,
                   history_limit: int = 20, client: WikiClient | None = None) -> RescueSources:
    """Where to look for lost ref definitions on the wiki of `new_meta` (or `site`): other pages'
    current text, and the page's revisions before the old one, newest first; both through the cache. The client
    stays open for as long as the sources are used (it is closed when garbage-collected)."""
    if client is None:
        site_name = site or new_meta.site
        client = _open(site_name, None, api_url, cache, offline, user_agent, timeout, quiet, {})
    history = None
    title = new_meta.title
    before = old_meta.revid or new_meta.revid
    if title and before:
        live = client

        def history() -> Iterable[tuple[str, RevisionMeta]]:
            return live.earlier_revisions(title, before, history_limit)  # type: ignore[return-value]

    return RescueSources(pages=client.page_text, history=history)


def earlier_texts(new_meta: RevisionMeta, old_meta: RevisionMeta, *, site: str | None = None,
                  api_url: str | None = None, cache: RevisionCache | str | os.PathLike | None = None,
                  offline: bool = False, user_agent: str | None = None, timeout: float = 30.0, quiet: bool = True,
                  limit: int = 15, client: WikiClient | None = None) -> list[str]:
    """The texts of the `limit` revisions of the page before the old one, newest first (hidden ones left out):
    with the old text, what `wikidiff.audit(..., earlier=...)` tells restored text by (an identity revert reaches
    16 revisions back: the old one and 15 before it). One listing request and one batched text request, or
    nothing when the cache holds them; offline, what the cache holds."""
    title = new_meta.title or old_meta.title
    before = old_meta.revid
    if not title or not before:
        return []
    own = client is None
    if client is None:
        client = _open(site or new_meta.site, None, api_url, cache, offline, user_agent, timeout, quiet, {})
    try:
        return [text for text, _ in client.earlier_revisions(title, before, limit) if text]
    finally:
        if own:
            client.close()


def restoration_texts(old_text: str, new_meta: RevisionMeta, old_meta: RevisionMeta, **options: Any) -> list[str]:
    """What `wikidiff.audit(..., earlier=...)` tells restored text by: the old text, then the page's revisions
    before it (`earlier_texts`, which takes the same `options`). A wiki that cannot give them leaves the old text
    alone: restored text then goes undetected, and the audit does not fail."""
    from .errors import FetchError

    try:
        return [old_text, *earlier_texts(new_meta, old_meta, **options)]
    except FetchError:
        return [old_text]


def renderings(*, site: str | None = None, api_url: str | None = None,
               cache: RevisionCache | str | os.PathLike | None = None, offline: bool = False,
               user_agent: str | None = None, timeout: float = 30.0, quiet: bool = True, parser: Variant = "legacy",
               client: WikiClient | None = None, **tuning: Any) -> Renderings:
    """The wiki's own renderings of its revisions, for `wikidiff.audit(…, verify=…)` and
    `wikidiff.verify.verify_audit`: action=parse through the cache (each rendering fetched once). `parser` is
    "legacy" (the HTML readers are served) or "parsoid" (Parsoid's HTML, where the wiki serves it)."""
    from .sources.renderings import Renderings

    if client is None:
        client = _open(site, None, api_url, cache, offline, user_agent, timeout, quiet, tuning)
    return Renderings(client, variant=parser)


def site_knowledge(*, site: str | None = None, api_url: str | None = None,
                   cache: RevisionCache | str | os.PathLike | None = None, offline: bool = False,
                   user_agent: str | None = None, timeout: float = 30.0, quiet: bool = True,
                   client: WikiClient | None = None) -> tuple[SiteInfo, MaintenanceTags]:
    """What the checks should know about a wiki, for `wikidiff.audit(…, site=…, tags=…)`: its siteinfo
    (namespaces, aliases, magic words, interlanguage prefixes) and the maintenance-tag table with the wiki's own
    redirects to each tag template added. Both are asked once and kept in the cache; offline, whatever the cache
    holds, else the shipped fallbacks."""
    from .sources.siteinfo import fetch_redirects, fetch_site_info
    from .text.titles import MaintenanceTags

    own = client is None
    live = _open(site, None, api_url, cache, offline, user_agent, timeout, quiet, {}) if client is None else client
    try:
        info = fetch_site_info(live)
        table = MaintenanceTags.default()
        if info.lang == "en":  # the table names English Wikipedia's templates
            table = table.with_redirects(fetch_redirects(live, table.titles()))
    finally:
        if own:
            live.close()
    return info, table


def _open(site: str | None, target_api: str | None, api_url: str | None, cache: Any, offline: bool,
          user_agent: str | None, timeout: float, quiet: bool, tuning: dict) -> WikiClient:
    from . import config
    from .sources.client import open_client

    chosen = api_url or config.api_url() or target_api
    return open_client(site=site, api_url=chosen, cache=cache, offline=offline, user_agent=user_agent,
                       timeout=timeout, quiet=quiet, **tuning)


__all__ = ["Pair", "diff_url", "fetch", "renderings", "rescue_sources", "site_knowledge"]
