"""Revision resolution: which two revisions a diff URL, a pair of ids or a title means.

`diff_target` reads what the caller gave (a diff URL, or a site with old/new ids, or a title) into a DiffTarget;
`resolve` turns its relative parts into ids the way MediaWiki's diff view does (prev and next are neighbours in
the page's history, cur is the page's latest revision, an id alone is the edit that made it); `load_pair` fetches
both revisions in one request.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import BadAnswer, FetchError, InputError, RevisionMissing
from .cache import StoredRevision
from .url import (
    MAX_ID,
    DiffTarget,
    api_url_for_site,
    normalize_site,
    parse_diff_url,
    parse_diff_value,
    parse_revision_id,
    site_from_api_url,
)

if TYPE_CHECKING:
    from .client import WikiClient

#: the wiki assumed when neither a site nor an API URL is given
DEFAULT_SITE = "en.wikipedia.org"
#: what is asked for each revision (content of the main slot, with rvslots=main)
REVISION_PROPS = "ids|flags|timestamp|user|size|sha1|comment|content"


def diff_target(url: str | None = None, *, site: str | None = None, old: int | str | None = None,
                new: int | str | None = None, title: str | None = None, api_url: str | None = None) -> DiffTarget:
    """What to fetch: a diff URL (alone, or with the same `site`), else `old`/`new` ids (`new` may be
    prev/next/cur relative to `old`; `new` alone is the edit that made it), else the latest edit of `title`.
    `api_url` only names the wiki when `site` is not given."""
    given = [name for name, v in (("old", old), ("new", new), ("title", title)) if v is not None]
    if url is not None:
        if given:
            raise InputError(f"give either a diff URL or {'/'.join(given)}, not both", param=given[0])
        target = parse_diff_url(url)
        if site and normalize_site(site) != target.site:
            raise InputError(f"the site {site} is not the wiki of the URL ({target.site})", param="site")
        return target
    if not given:
        raise InputError("nothing to audit: give a diff URL, old/new revision ids or a page title")
    site_name = normalize_site(site) if site else site_from_api_url(api_url) if api_url else DEFAULT_SITE
    api = api_url_for_site(site_name)
    if title is not None:
        if old is not None or new is not None:
            raise InputError("a title audits the page's latest edit: give it without old/new revision ids",
                             param="title")
        if not title.strip():
            raise InputError("the title is empty", param="title")
        return DiffTarget(site_name, api, title=title.strip())
    if new is None:
        raise InputError("an old revision needs a new one (a revision id, or prev/next/cur)", param="new")
    new_s = str(new)
    if not new_s.strip():
        raise InputError("the new revision is empty", param="new")
    diff = new if isinstance(new, int) and not isinstance(new, bool) else parse_diff_value(new_s)
    if isinstance(diff, int) and not 0 < diff <= MAX_ID:
        raise InputError(f"the new revision must be a positive number within {MAX_ID}, not {new!r}", param="new")
    oldid = None if old is None else old if isinstance(old, int) and 0 < old <= MAX_ID else \
        parse_revision_id(str(old), "the old revision")
    if oldid is None and isinstance(diff, str):
        raise InputError(f"new={diff} is relative to an old revision: give the old one too", param="old")
    return DiffTarget(site_name, api, oldid=oldid, diff=diff)


def load_pair(client: WikiClient, target: DiffTarget
              ) -> tuple[StoredRevision | None, StoredRevision, tuple[str, ...]]:
    """(old revision or None for a page creation, new revision, notes) that `target` names, fetched together.

    Two explicit ids given the wrong way round (the old one newer) are swapped, as MediaWiki's diff view does,
    with a note; the target's own notes (near-miss URL keys, a permanent link) come first."""
    notes = list(target.notes)
    old_id, new_id = resolve(client, target.oldid, target.diff, title=target.title, curid=target.curid)
    recs = client.records([new_id] if old_id is None else [old_id, new_id])
    new = recs[-1]
    if old_id is None:
        return None, new, tuple(notes)
    old = recs[0]
    if old.pageid is not None and new.pageid is not None and old.pageid != new.pageid:
        raise InputError(f"revisions {old_id} and {new_id} belong to different pages on {client.site} "
                         f"(\"{old.meta.title}\" and \"{new.meta.title}\")")
    if _later(old, new):
        notes.append(f"revision {old_id} is newer than {new_id}: compared {new_id} (old) with {old_id} (new), as "
                     f"MediaWiki's diff view does")
        old, new = new, old
    return old, new, tuple(notes)


def _later(a: StoredRevision, b: StoredRevision) -> bool:
    """Whether revision a was saved after b (by timestamp, then id)."""
    return (a.meta.timestamp or "", a.meta.revid or 0) > (b.meta.timestamp or "", b.meta.revid or 0)


def resolve(client: WikiClient, oldid: int | None = None, diff: int | str | None = None, *,
            title: str | None = None, curid: int | None = None) -> tuple[int | None, int]:
    """(old revid or None for a page creation, new revid) for a diff URL's oldid/diff/title/curid.

    prev and next are neighbours in the page's history, as MediaWiki's diff view takes them; cur and a bare
    title or curid are the page's latest revision (never cached: it changes).
    """
    if oldid is not None:
        if diff is None or diff == "prev":
            return neighbour(client, oldid, "prev"), oldid
        if diff == "next":
            nxt = neighbour(client, oldid, "next")
            if nxt is None:
                raise InputError(f"revision {oldid} is the latest of its page on {client.site}: diff=next has "
                                 f"nothing to compare with", param="new")
            return oldid, nxt
        if diff == "cur":
            rec = client.records([oldid])[0]
            latest = latest_revid(client, pageid=rec.pageid, title=rec.meta.title)
            if latest == oldid:
                raise InputError(f"revision {oldid} is the current revision of \"{rec.meta.title}\": diff=cur "
                                 f"has nothing to compare with", param="new")
            return oldid, latest
        return oldid, int(diff)
    if isinstance(diff, int):
        return neighbour(client, diff, "prev"), diff
    if title is None and curid is None:
        raise InputError("nothing to audit: give revision ids, a title or a page id")
    return latest_edit(client, title=title, pageid=curid)


def neighbour(client: WikiClient, revid: int, relation: str) -> int | None:
    """The revision just before ("prev") or after ("next") revid in its page's history; None when none."""
    if relation not in ("prev", "next"):
        raise ValueError(relation)
    known = client.cache.neighbour(client.site, revid, relation) if client.cache is not None else None
    if known is not None:
        return known or None
    if client.offline:
        where = "before" if relation == "prev" else "after"
        raise RevisionMissing(f"offline: the revision {where} {revid} on {client.site} is not known in the cache",
                              revid=revid, **client._where)
    rec = client.records([revid])[0]
    page = client._one_page(client._call(prop="revisions", pageids=str(rec.pageid), rvstartid=str(revid),
                                     rvdir="older" if relation == "prev" else "newer", rvlimit="2",
                                     rvprop="ids|timestamp"), f"page id {rec.pageid}")
    revs = page.get("revisions", [])
    other = int(revs[1]["revid"]) if len(revs) > 1 else 0
    if client.cache is not None and (other or relation == "prev"):  # "no next" changes with the next edit
        client.cache.set_neighbour(client.site, revid, relation, other)
    return other or None


def latest_revid(client: WikiClient, *, pageid: int | None = None, title: str | None = None) -> int:
    """The current revision of a page (asked every time: it changes)."""
    if client.offline:
        raise FetchError(f"offline: the current revision of {_page_name(title, pageid)} cannot be known "
                         f"without asking {client.site}; give revision ids", title=title, **client._where)
    params = {"pageids": str(pageid)} if pageid is not None else {"titles": title}
    page = client._one_page(client._call(prop="revisions", rvprop="ids|timestamp", **params),
                          _page_name(title, pageid))
    return int(page["revisions"][0]["revid"])


def latest_edit(client: WikiClient, *, title: str | None = None, pageid: int | None = None) -> tuple[int | None, int]:
    """(previous revid or None, latest revid) of a page, both fetched with their text in one request."""
    name = _page_name(title, pageid)
    if client.offline:
        raise FetchError(f"offline: the latest edit of {name} cannot be known without asking {client.site}; "
                         f"give revision ids", title=title, **client._where)
    params = {"pageids": str(pageid)} if pageid is not None else {"titles": title}
    client.say(f"fetching the latest edit of {name}")
    page = client._one_page(client._call(prop="revisions", rvprop=REVISION_PROPS, rvslots="main", rvlimit="2",
                                     rvdir="older", **params), name)
    recs = [client.answers.stored(page, r) for r in page.get("revisions", [])]
    keep = [r for r in recs if isinstance(r, StoredRevision)]
    if client.cache is not None:
        client._keep(keep)
    ids = [r.meta.revid if isinstance(r, StoredRevision) else r.revid for r in recs]
    revids = [i for i in ids if i is not None]
    if not revids or len(revids) != len(ids):
        raise BadAnswer(f"{client.site} gave no revision id for the latest edit of {name}", title=title,
                        **client._where)
    latest, prev = revids[0], (revids[1] if len(revids) > 1 else 0)
    if client.cache is not None:
        client.cache.set_neighbour(client.site, latest, "prev", prev)
    return prev or None, latest


def _page_name(title: str | None, pageid: int | None) -> str:
    return f"\"{title}\"" if title is not None else f"page id {pageid}"
