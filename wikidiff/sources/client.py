"""WikiClient: revisions of one wiki, read from the revision cache when there, else fetched from its API.

Revisions by id (50 texts per request), page histories (ids listed 500 at a time, `continue` followed), the
current text of a page, and, through wikidiff.sources.resolve, prev/next/cur and the latest edit. Every fault
becomes a typed FetchError (see wikidiff.errors). `open_client` is the one factory the library and CLI use.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TextIO

import mwclient
import mwclient.errors
import requests

from .. import config
from ..errors import (
    BadAnswer,
    FetchError,
    HostUnreachable,
    InputError,
    PageMissing,
    RevisionHidden,
    RevisionMissing,
    Throttled,
    WikidiffError,
)
from ..model import RevisionMeta
from . import resolve
from .answers import AnswerReader, badrevids, one_line
from .cache import RevisionCache, StoredRevision
from .http import (
    MAX_ANSWER_BYTES,
    AnswerTooLarge,
    DeadlineExceeded,
    ForeignRedirect,
    GaveUp,
    NameNotResolved,
    PoliteSession,
    build_user_agent,
    has_contact,
)
from .resolve import DEFAULT_SITE, REVISION_PROPS
from .url import MAX_ID, api_url_for_site, normalize_site, parse_api_url, site_from_api_url

#: the API returns the content of at most 50 revisions per request (rvlimit and revids, for non-bots)
CONTENT_BATCH = 50
#: revision ids listed per request when walking a history (the API's limit without content)
IDS_BATCH = 500
Revision = tuple["str | None", RevisionMeta]


class WikiClient:
    """Revisions of one wiki: from the cache when there, else from its API (and then cached).

    `site_or_api_url` is a wiki host ("en.wikipedia.org", meaning https://HOST/w/api.php) or an API URL; `site`
    names the wiki in the cache and in RevisionMeta.site (default: the host). With `offline`, nothing is sent and
    whatever the cache lacks is an error naming it. Tests pass small `retry_timeout`/`max_wait`.
    """

    def __init__(self, site_or_api_url: str, *, site: str | None = None, user_agent: str | None = None,
                 cache: RevisionCache | None = None, offline: bool = False, quiet: bool = False,
                 timeout: float = 30.0, max_retries: int = 5, retry_timeout: float = 2.0, max_wait: float = 120.0,
                 maxlag: int = 5, stderr: TextIO | None = None, sleep: Callable[[float], None] = time.sleep,
                 deadline: float | None = None, max_answer_bytes: int = MAX_ANSWER_BYTES,
                 max_total_wait: float = 300.0, max_continuations: int = 2000) -> None:
        target = site_or_api_url.strip()
        if "://" in target:
            self.api_url = target
        else:
            self.api_url = api_url_for_site(normalize_site(target))
        self.scheme, self.host, self.script_path, self.ext = parse_api_url(self.api_url)
        self.site = normalize_site(site) if site else site_from_api_url(self.api_url)
        self.answers = AnswerReader(self.api_url, self.site, self.host)
        if timeout <= 0:
            raise InputError(f"the timeout must be more than 0 seconds, not {timeout:g}", param="timeout")
        self.cache = cache
        self.offline = offline
        self.quiet = quiet
        self.timeout = timeout
        self.maxlag = maxlag
        self._stderr = stderr
        self.user_agent = build_user_agent(user_agent)
        self.max_continuations = max_continuations
        self.session = PoliteSession(self.user_agent, max_retries=max_retries, retry_timeout=retry_timeout,
                                     max_wait=max_wait, notify=self.say, sleep=sleep,
                                     deadline=deadline if deadline is not None else 4 * timeout,
                                     max_bytes=max_answer_bytes, max_total_wait=max_total_wait)
        self._mw: mwclient.Site | None = None
        self.owns_cache = False  # open_client sets it: close() then closes the cache too
        self._told_unkept = False
        if offline and cache is None:
            raise InputError("offline use needs a revision cache to read from", param="offline")

    # plumbing
    def say(self, message: str) -> None:
        """Progress on stderr (silenced by quiet)."""
        if not self.quiet:
            via = "" if self.host == self.site else f" (via {self.host})"
            print(f"wikidiff: {self.site}{via}: {message}", file=self._stderr or sys.stderr, flush=True)

    @property
    def requests_sent(self) -> int:
        """HTTP requests sent so far (retries included)."""
        return self.session.sent

    def close(self) -> None:
        """Close the HTTP session (and the cache when this client opened it)."""
        self.session.close()
        if self.owns_cache and self.cache is not None:
            self.cache.close()

    def __enter__(self) -> WikiClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _mwsite(self) -> mwclient.Site:
        if self._mw is None:
            self._mw = mwclient.Site(self.host, path=self.script_path, ext=self.ext, scheme=self.scheme,
                                     pool=self.session, do_init=False, max_retries=0, retry_timeout=0,
                                     max_lag=self.maxlag, connection_options={"timeout": self.timeout})
        return self._mw

    def _call(self, **params: Any) -> dict:
        """One action=query request (formatversion 2, maxlag), its answer checked for shape; every failure
        becomes a typed FetchError."""
        return self.api("query", continue_="", **params)

    def api(self, action: str, *, continue_: str | None = None, **params: Any) -> dict:
        """One API request of `action` (formatversion 2, maxlag), its answer checked for shape; every failure
        becomes a typed FetchError."""
        if self.offline:
            raise FetchError(f"offline: {self.site} cannot be asked (internal error: a request was attempted)",
                             **self._where)
        params = {"formatversion": "2", "maxlag": str(self.maxlag), **params}
        if continue_ is not None:
            params = {"continue": continue_, **params}
        s = self.session
        try:
            result = self._mwsite().raw_api(action, "GET", **params)
        except WikidiffError:
            raise
        except mwclient.errors.MaximumRetriesExceeded as exc:  # not expected: PoliteSession does the retries
            raise Throttled(self._gave_up(s.tries), retry_after=s.last_retry_after, **self._where) from exc
        except (mwclient.errors.InvalidResponse, mwclient.errors.APIDisabledError) as exc:
            raise BadAnswer(f"{self.api_url} did not answer with JSON: is it a MediaWiki api.php?",
                            **self._where) from exc
        except GaveUp as exc:
            raise Throttled(self._gave_up(s.tries), retry_after=s.last_retry_after, **self._where) from exc
        except NameNotResolved as exc:
            raise HostUnreachable(f"host {self.hostname} not found: its name does not resolve ({self.api_url})",
                                  **self._where) from exc
        except ForeignRedirect as exc:
            raise BadAnswer(f"{exc} (asked: {self.api_url}); redirects to another host are not followed",
                            **self._where) from exc
        except AnswerTooLarge as exc:
            raise BadAnswer(f"{self.api_url}: {exc}; refused", **self._where) from exc
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            raise BadAnswer(f"{self.api_url} answered HTTP {status}: is it a MediaWiki api.php?", **self._where) \
                from exc
        except DeadlineExceeded as exc:
            raise HostUnreachable(f"no complete answer from {self.api_url} within {s.deadline:g} s ({s.tries} "
                                  f"tries)", **self._where) from exc
        except requests.Timeout as exc:
            raise HostUnreachable(f"no answer from {self.api_url} within {self.timeout:g} s ({s.tries} tries)",
                                  **self._where) from exc
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
            raise BadAnswer(f"the answers from {self.api_url} were cut short ({s.tries} tries)", **self._where) \
                from exc
        except requests.ConnectionError as exc:
            raise HostUnreachable(f"cannot reach {self.api_url} ({s.tries} tries): {_root_cause(exc)}",
                                  **self._where) from exc
        except requests.RequestException as exc:
            raise FetchError(f"request to {self.api_url} failed: {_root_cause(exc)}", **self._where) from exc
        return self.answers.checked(result)

    @property
    def _where(self) -> dict[str, Any]:
        """The fields every FetchError of this client carries."""
        return {"site": self.site, "host": self.host}

    @property
    def hostname(self) -> str:
        """The host contacted, without the port."""
        return self.host.rsplit(":", 1)[0] if self.host.count(":") == 1 else self.host

    def _gave_up(self, tries: int) -> str:
        s = self.session
        reason = s.last_failure or "failed"
        if s.last_retry_after is not None and s.last_retry_after > s.max_wait:
            return (f"{self.api_url}: {reason}, and it asks to wait {s.last_retry_after:.0f} s (Retry-After), more "
                    f"than {s.max_wait:.0f} s; try again later")
        return f"{self.api_url}: {reason} after {tries} tries; try again later"

    def _query_all(self, **params: Any) -> Iterator[dict]:
        """Every batch of a query, following `continue` until the API says it is complete (at most
        `max_continuations` times: a server that keeps sending new values is not asked forever)."""
        cont: dict[str, Any] = {}
        seen: set[tuple] = set()
        while True:
            result = self._call(**params, **cont)
            yield result
            if "continue" not in result:
                return
            cont = {str(k): one_line(v) for k, v in result["continue"].items()}
            key = tuple(sorted(cont.items()))
            if key in seen:
                raise BadAnswer(f"{self.api_url} repeated the same continuation {cont}; stopping", **self._where)
            seen.add(key)
            if len(seen) > self.max_continuations:
                raise BadAnswer(f"{self.api_url} asked to continue more than {self.max_continuations} times; "
                                f"stopping", **self._where)

    # revisions by id
    def records(self, revids: Iterable[int]) -> list[StoredRevision]:
        """StoredRevisions (text, meta, page id) in the order asked; FetchError for deleted or hidden ones."""
        ids = [int(r) for r in revids]
        found, hidden, bad = self.load_many(ids)
        if bad:
            listed = ", ".join(str(r) for r in sorted(bad))
            raise RevisionMissing(f"revision {listed} does not exist on {self.site} (deleted, or never existed)",
                                  revids=tuple(sorted(bad)), revid=min(bad), **self._where)
        if hidden:
            meta = hidden[min(hidden)]
            how = "suppressed" if meta.source == "suppressed" else "revision-deleted"
            raise RevisionHidden(f"the text of revision {meta.revid} of \"{meta.title}\" on {self.site} is hidden "
                                 f"({how}); it cannot be audited", suppressed=how == "suppressed", revid=meta.revid,
                                 title=meta.title, **self._where)
        return [found[r] for r in ids]

    def revisions(self, revids: Iterable[int]) -> list[tuple[str, RevisionMeta]]:
        """(text, meta) of each revision, in the order asked."""
        return [(r.text, r.meta) for r in self.records(revids)]

    def load_many(self, ids: list[int]) -> tuple[dict[int, StoredRevision], dict[int, RevisionMeta], set[int]]:
        """Cached revisions, and the rest fetched in batches: (found, hidden text by id, ids the wiki does not have).
        Unlike `records`, hidden and missing revisions are returned, not raised, so a batch of many edits can
        report them one by one."""
        for r in ids:
            if r <= 0:
                raise InputError(f"a revision id must be a positive number, not {r}", param="revid")
            if r > MAX_ID:
                raise InputError(f"revision id {str(r)[:30]} is too large to be a revision id", param="revid")
        found = self.cache.get_many(self.site, ids) if self.cache is not None else {}
        missing = [r for r in dict.fromkeys(ids) if r not in found]
        damaged = [r for r in missing if self.cache is not None and (self.site, r) in self.cache.damaged]
        if damaged and not self.offline and self.cache is not None:
            self.say(f"warning: the cached copy of revision {_ids(damaged)} in {self.cache.path} is damaged; "
                     f"fetching it again")
        hidden: dict[int, RevisionMeta] = {}
        bad: set[int] = set()
        if not missing:
            return found, hidden, bad
        if self.offline:
            listed = ", ".join(str(r) for r in missing)
            how = "is damaged in" if damaged else "is not in"
            raise RevisionMissing(f"offline: revision {listed} of {self.site} {how} the cache "
                                  f"{self.cache.path if self.cache else ''}".rstrip()
                                  + ("; fetch it again without offline" if damaged else ""),
                                  revids=tuple(missing), revid=missing[0], **self._where)
        total = len(missing)
        self.say(f"fetching {total} revision{'s' if total > 1 else ''} ({_ids(missing)})")
        for start in range(0, total, CONTENT_BATCH):
            chunk = missing[start:start + CONTENT_BATCH]
            got: list[StoredRevision] = []
            for result in self._query_all(prop="revisions", revids="|".join(map(str, chunk)),
                                          rvprop=REVISION_PROPS, rvslots="main"):
                query = result.get("query", {})
                try:
                    bad.update(badrevids(query))
                except ValueError:
                    raise BadAnswer(f"{self.api_url} answered 'badrevids' in a shape it does not have",
                                    **self._where) from None
                for page in query.get("pages", []):
                    for rev in self.answers.revs(page):
                        rec = self.answers.stored(page, rev)
                        if isinstance(rec, RevisionMeta):
                            hidden[rec.revid] = rec  # type: ignore[index]
                        elif rec.meta.revid in chunk:
                            got.append(rec)
            if self.cache is not None:
                self._keep(got)
            found.update({r.meta.revid: r for r in got})  # type: ignore[misc]
            if total > CONTENT_BATCH:
                self.say(f"fetched {min(start + CONTENT_BATCH, total)} of {total} revisions")
        lost = [r for r in missing if r not in found and r not in hidden and r not in bad]
        if lost:
            raise BadAnswer(f"{self.api_url} returned no revision {_ids(lost)} and no error for it", **self._where)
        return found, hidden, bad

    def _keep(self, recs: list[StoredRevision]) -> None:
        """Put fetched revisions in the cache; say once when they cannot be kept."""
        assert self.cache is not None
        self.cache.put_many(self.site, recs)
        reason = self.cache.write_error or ("the cache is read-only" if self.cache.read_only and recs else None)
        if reason and not self._told_unkept:
            self._told_unkept = True
            self.say(f"warning: fetched revisions are not kept in {self.cache.path} ({reason})")

    def resolve(self, oldid: int | None = None, diff: int | str | None = None, *, title: str | None = None,
                curid: int | None = None) -> tuple[int | None, int]:
        """(old revid or None for a page creation, new revid) for a diff URL's oldid/diff/title/curid."""
        return resolve.resolve(self, oldid, diff, title=title, curid=curid)

    def neighbour(self, revid: int, relation: str) -> int | None:
        """The revision just before ("prev") or after ("next") revid in its page's history; None when none."""
        return resolve.neighbour(self, revid, relation)

    def latest_revid(self, *, pageid: int | None = None, title: str | None = None) -> int:
        """The current revision of a page (asked every time: it changes)."""
        return resolve.latest_revid(self, pageid=pageid, title=title)

    def latest_edit(self, *, title: str | None = None, pageid: int | None = None) -> tuple[int | None, int]:
        """(previous revid or None, latest revid) of a page, both fetched with their text in one request."""
        return resolve.latest_edit(self, title=title, pageid=pageid)

    def earlier_revisions(self, title: str, before: int, limit: int = 20) -> Iterator[Revision]:
        """(text, meta) of up to `limit` revisions of a page older than revision `before`, newest first
        (hidden ones skipped). Offline, what the cache holds."""
        if limit <= 0:
            return
        if self.offline:
            cached = [r for r in self._cached_history(title, None, None) if r[1].revid and r[1].revid < before]
            yield from [r for r in reversed(cached) if r[0] is not None][:limit]
            return
        result = self._call(prop="revisions", titles=title, rvprop="ids", rvdir="older", rvstartid=str(before),
                            rvlimit=str(limit + 1))
        page = self._one_page_or_empty(result, title)
        ids = [int(r["revid"]) for r in (page or {}).get("revisions", []) if int(r["revid"]) != before][:limit]
        yield from (rev for rev in self._texts(ids) if rev[0] is not None)

    def _texts(self, ids: list[int]) -> Iterator[Revision]:
        """(text, meta) for each id in order, CONTENT_BATCH texts a request; text None when hidden. A revision
        gone by the time its text was asked (deleted meanwhile) is skipped."""
        for start in range(0, len(ids), CONTENT_BATCH):
            chunk = ids[start:start + CONTENT_BATCH]
            found, hidden, _bad = self.load_many(chunk)
            for r in chunk:
                if r in found:
                    yield found[r].text, found[r].meta
                elif r in hidden:
                    yield None, hidden[r]

    def page_text(self, title: str) -> str | None:
        """The current wikitext of a page (redirects followed), or None when it is missing, hidden or not
        wikitext. Offline: the newest cached revision with that title, if any."""
        if self.offline:
            revs = list(self.cache.page_revisions(self.site, title=title)) if self.cache is not None else []
            return revs[-1].text if revs else None
        self.say(f"fetching the current text of \"{title}\"")
        result = self._call(prop="revisions", rvprop=REVISION_PROPS, rvslots="main", titles=title, redirects="1")
        pages = result.get("query", {}).get("pages", [])
        if not pages or pages[0].get("missing") or pages[0].get("invalid") or not self.answers.revs(pages[0]):
            return None
        try:
            rec = self.answers.stored(pages[0], pages[0]["revisions"][0])
        except InputError:  # not wikitext
            return None
        if not isinstance(rec, StoredRevision):
            return None
        if self.cache is not None:
            self._keep([rec])
        return rec.text

    def _one_page(self, result: dict, name: str) -> dict:
        pages = result.get("query", {}).get("pages", [])
        if not pages:
            raise BadAnswer(f"{self.api_url} returned no page for {name}", **self._where)
        page = pages[0]
        if page.get("invalid"):
            raise InputError(f"invalid page title {page.get('title')!r}: {page.get('invalidreason', '')}".rstrip(": "),
                             param="title")
        if page.get("missing"):
            shown = f"page \"{page['title']}\"" if page.get("title") else f"page id {page.get('pageid')}"
            raise PageMissing(f"{shown} does not exist on {self.site}", title=page.get("title"), **self._where)
        if not self.answers.revs(page):
            raise BadAnswer(f"{self.api_url} returned no revision of {name}", **self._where)
        return page

    # histories
    def page_history(self, title: str, since: int | str | None = None, limit: int | None = None, *,
                     batch: int = IDS_BATCH) -> Iterator[Revision]:
        """(text, meta) of a page's revisions, oldest first; text is None for a revision whose text is hidden.

        `since` is a revision id or an ISO 8601 timestamp to start from (inclusive); `limit` caps the count.
        Revision ids are listed `batch` at a time (following `continue`), then the texts not yet cached are
        fetched 50 at a time.
        Offline, it yields what the cache holds for the title.
        """
        if limit is not None and limit <= 0:
            return
        if self.offline:
            yield from self._cached_history(title, since, limit)
            return
        params: dict[str, Any] = {"prop": "revisions", "titles": title, "rvprop": "ids|timestamp", "rvdir": "newer",
                                  "rvlimit": str(min(batch, limit) if limit else batch)}
        if isinstance(since, int):
            params["rvstartid"] = str(since)
        elif since:
            params["rvstart"] = since
        done = 0
        for result in self._query_all(**params):
            page = self._one_page_or_empty(result, title)
            if page is None:
                return
            ids = [int(r["revid"]) for r in page.get("revisions", [])]
            if limit is not None:
                ids = ids[: limit - done]
            yield from self._texts(ids)
            done += len(ids)
            self.say(f"history of \"{page.get('title', title)}\": {done} revisions")
            if limit is not None and done >= limit:
                return

    def _one_page_or_empty(self, result: dict, title: str) -> dict | None:
        pages = result.get("query", {}).get("pages", [])
        if pages and not pages[0].get("missing") and not pages[0].get("invalid") and not self.answers.revs(pages[0]):
            return None  # a continuation batch that carries no revisions of this page
        return self._one_page(result, f"\"{title}\"")

    def _cached_history(self, title: str, since: int | str | None, limit: int | None) -> Iterator[Revision]:
        assert self.cache is not None
        revs = list(self.cache.page_revisions(self.site, title=title))
        if not revs:
            raise PageMissing(f"offline: no revision of \"{title}\" on {self.site} is in the cache {self.cache.path}",
                              title=title, **self._where)
        if isinstance(since, int):
            revs = [r for r in revs if (r.meta.timestamp, r.meta.revid) >= _key_of(revs, since)]
        elif since:
            revs = [r for r in revs if (r.meta.timestamp or "") >= since]
        for r in revs[:limit] if limit is not None else revs:
            yield r.text, r.meta


def _key_of(revs: list[StoredRevision], revid: int) -> tuple[str, int]:
    for r in revs:
        if r.meta.revid == revid:
            return r.meta.timestamp or "", revid
    raise RevisionMissing(f"offline: revision {revid} is not in the cache", revid=revid)


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(r) for r in ids[:5])
    return shown + (f", … ({len(ids)} in all)" if len(ids) > 5 else "")


def _root_cause(exc: BaseException) -> str:
    while exc.__context__ is not None and exc.__context__ is not exc:
        exc = exc.__context__
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__


def open_client(*, site: str | None = None, api_url: str | None = None,
                cache: RevisionCache | str | os.PathLike | None = None, offline: bool = False,
                user_agent: str | None = None, timeout: float = 30.0, quiet: bool = True,
                stderr: TextIO | None = None, **tuning: Any) -> WikiClient:
    """The one way wikidiff opens a wiki: a WikiClient reading through the revision cache.

    `api_url` defaults to $WIKIDIFF_API_URL, else https://SITE/w/api.php; `site` (the cache key and the name in
    RevisionMeta.site) defaults to the API URL's host, else en.wikipedia.org. `cache` is an open RevisionCache
    (left open on close), a file path, or None for the user's cache ($XDG_CACHE_HOME/wikidiff/revisions.sqlite).
    `user_agent` defaults to $WIKIDIFF_USER_AGENT, else wikidiff's own; one without a contact gets a warning.
    `tuning` passes max_retries, retry_timeout, max_wait, maxlag and sleep through to WikiClient.
    """
    api_url = api_url or config.api_url()
    if site is not None:
        site = normalize_site(site)
    target = api_url or (api_url_for_site(site) if site else api_url_for_site(DEFAULT_SITE))
    if user_agent is None:
        user_agent = config.user_agent()
    if not 0 < timeout < float("inf"):
        raise InputError(f"the timeout must be more than 0 seconds, not {timeout!r}", param="timeout")
    owned = not isinstance(cache, RevisionCache)
    store = cache if isinstance(cache, RevisionCache) else RevisionCache(cache, read_only=offline)
    try:
        client = WikiClient(target, site=site, user_agent=user_agent, cache=store, offline=offline, quiet=quiet,
                            timeout=timeout, stderr=stderr, **tuning)
    except BaseException:
        if owned:
            store.close()
        raise
    client.owns_cache = owned
    if user_agent is not None and not has_contact(user_agent):
        client.say("warning: the User-Agent names no contact (an e-mail address or a URL), which Wikimedia's "
                   "User-Agent policy asks for")
    return client
