"""Revisions from a MediaWiki API, fetched with mwclient and kept in the revision cache.

Etiquette (Wikimedia's User-Agent policy and API etiquette): a User-Agent naming wikidiff and a contact, `maxlag`
on every request, one request at a time, `continue` followed, and retries with back-off on 429, 5xx, lag and
broken answers, honouring `Retry-After`. mwclient builds and sends the requests and reads the answers; its own
retry loop is switched off (`max_retries=0`) because it retries neither 429 nor a body cut short and does not honour
`Retry-After` on 5xx, so the retries live in `PoliteSession`, the requests session mwclient sends through.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from email.utils import parsedate_to_datetime
from typing import Any, TextIO
from urllib.parse import urlsplit

import mwclient
import mwclient.client
import mwclient.errors
import requests

from .._version import __version__
from ..errors import FetchError, InputError
from ..model import RevisionMeta
from .cache import RevisionCache, StoredRevision
from .url import api_url_for_site, normalize_site, site_from_api_url

#: names the tool and a contact, as Wikimedia's User-Agent policy asks; mwclient's own token is appended
DEFAULT_USER_AGENT = (f"wikidiff/{__version__} (https://github.com/wikidiff/wikidiff; "
                      f"wikidiff@users.noreply.github.com)")
#: what is asked for each revision (content of the main slot, with rvslots=main)
REVISION_PROPS = "ids|flags|timestamp|user|size|sha1|comment|content"
#: the API returns the content of at most 50 revisions per request (rvlimit and revids, for non-bots)
CONTENT_BATCH = 50
#: revision ids listed per request when walking a history (the API's limit without content)
IDS_BATCH = 500

Revision = tuple["str | None", RevisionMeta]


def build_user_agent(custom: str | None = None) -> str:
    """The User-Agent header: the given product-and-contact (or wikidiff's) followed by mwclient's token."""
    ua = DEFAULT_USER_AGENT if custom is None else custom.strip()
    if not ua:
        raise InputError("the User-Agent is empty: name your tool and a contact, e.g. 'mytool/1.0 (me@example.org)'")
    if any(ord(c) < 32 or ord(c) == 127 for c in ua):
        raise InputError("the User-Agent contains control characters")
    return f"{ua} {mwclient.client.USER_AGENT}"


def has_contact(user_agent: str) -> bool:
    """Whether a User-Agent carries a contact (an e-mail address or a URL)."""
    return bool(re.search(r"@|https?://|www\.", user_agent))


def parse_api_url(api_url: str) -> tuple[str, str, str, str]:
    """(scheme, host[:port], script path with trailing slash, extension) of an API URL such as …/w/api.php."""
    parts = urlsplit(api_url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"--api-url must be an http(s) URL of api.php, not {api_url!r}")
    try:
        port = parts.port
    except ValueError as exc:
        raise InputError(f"bad port in API URL {api_url!r}") from exc
    directory, _, script = parts.path.rpartition("/")
    if not script.startswith("api") or not re.fullmatch(r"api(\.[a-z0-9]+)?", script):
        raise InputError(f"--api-url must point at the wiki's api.php (e.g. https://en.wikipedia.org/w/api.php), "
                         f"not {api_url!r}")
    if parts.query or parts.fragment:
        raise InputError(f"--api-url takes no query string: {api_url!r}")
    host = parts.hostname + (f":{port}" if port else "")
    return parts.scheme, host, directory + "/", script[3:]


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date); None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if re.fullmatch(r"[0-9]+(\.[0-9]+)?", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class PoliteSession(requests.Session):
    """The requests session mwclient sends through: one request at a time, retried with back-off.

    Retried: 429 and 5xx answers, maxlag answers (the X-Database-Lag header), timeouts, refused connections and
    bodies cut short. The wait is the answer's Retry-After when it gives one, else `retry_timeout` doubled per try;
    a Retry-After longer than `max_wait` is not waited for (the last answer goes back to mwclient, which fails).
    """

    def __init__(self, user_agent: str, *, max_retries: int, retry_timeout: float, max_wait: float,
                 notify: Callable[[str], None], sleep: Callable[[float], None] = time.sleep) -> None:
        super().__init__()
        self.headers["User-Agent"] = user_agent
        self.max_retries = max_retries
        self.retry_timeout = retry_timeout
        self.max_wait = max_wait
        self.notify = notify
        self.sleep = sleep
        self.sent = 0
        self.waits: list[tuple[str, float]] = []  # (reason, seconds) of every wait, oldest first
        self.last_failure: str | None = None
        self.last_retry_after: float | None = None
        self._lock = threading.Lock()

    def backoff(self, attempt: int) -> float:
        return min(self.max_wait, self.retry_timeout * 2 ** (attempt - 1))

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        with self._lock:
            attempt = 0
            while True:
                attempt += 1
                self.sent += 1
                try:
                    response = super().request(method, url, *args, **kwargs)
                except (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                        requests.exceptions.ContentDecodingError) as exc:
                    reason = _describe_exception(exc)
                    self.last_failure, self.last_retry_after = reason, None
                    if attempt > self.max_retries:
                        raise
                    self._wait(reason, self.backoff(attempt), attempt)
                    continue
                lagged = response.headers.get("X-Database-Lag") is not None
                if not lagged and response.status_code != 429 and not 500 <= response.status_code <= 599:
                    self.last_failure = self.last_retry_after = None
                    return response
                reason = (f"lagged by {response.headers.get('X-Database-Lag')} s (maxlag)" if lagged
                          else f"HTTP {response.status_code}")
                asked = retry_after_seconds(response.headers.get("Retry-After"))
                self.last_failure, self.last_retry_after = reason, asked
                if attempt > self.max_retries or (asked is not None and asked > self.max_wait):
                    return response
                self._wait(reason, asked if asked is not None else self.backoff(attempt), attempt)

    def _wait(self, reason: str, seconds: float, attempt: int) -> None:
        self.waits.append((reason, seconds))
        self.notify(f"{reason}; retrying in {seconds:.3g} s (try {attempt + 1} of {self.max_retries + 1})")
        self.sleep(seconds)


def _describe_exception(exc: Exception) -> str:
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
        return "answer cut short"
    return "connection failed"


class WikiClient:
    """Revisions of one wiki: from the cache when there, else from its API (and then cached).

    `site_or_api_url` is a wiki host ("en.wikipedia.org", meaning https://HOST/w/api.php) or an API URL; `site`
    names the wiki in the cache and in RevisionMeta.site (default: the host). With `offline`, nothing is sent and
    whatever the cache lacks is an error naming it. Tests pass small `retry_timeout`/`max_wait`.
    """

    def __init__(self, site_or_api_url: str, *, site: str | None = None, user_agent: str | None = None,
                 cache: RevisionCache | None = None, offline: bool = False, quiet: bool = False,
                 timeout: float = 30.0, max_retries: int = 5, retry_timeout: float = 2.0, max_wait: float = 120.0,
                 maxlag: int = 5, stderr: TextIO | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        target = site_or_api_url.strip()
        if "://" in target:
            self.api_url = target
        else:
            self.api_url = api_url_for_site(normalize_site(target))
        self.scheme, self.host, self.script_path, self.ext = parse_api_url(self.api_url)
        self.site = normalize_site(site) if site else site_from_api_url(self.api_url)
        if timeout <= 0:
            raise InputError(f"the timeout must be more than 0 seconds, not {timeout:g}")
        self.cache = cache
        self.offline = offline
        self.quiet = quiet
        self.timeout = timeout
        self.maxlag = maxlag
        self._stderr = stderr
        self.user_agent = build_user_agent(user_agent)
        self.session = PoliteSession(self.user_agent, max_retries=max_retries, retry_timeout=retry_timeout,
                                     max_wait=max_wait, notify=self.say, sleep=sleep)
        self._mw: mwclient.Site | None = None
        if offline and cache is None:
            raise InputError("--offline needs a revision cache to read from")

    # plumbing
    def say(self, message: str) -> None:
        """Progress on stderr (silenced by quiet)."""
        if not self.quiet:
            print(f"wikidiff: {self.site}: {message}", file=self._stderr or sys.stderr, flush=True)

    @property
    def requests_sent(self) -> int:
        """HTTP requests sent so far (retries included)."""
        return self.session.sent

    def close(self) -> None:
        self.session.close()

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
        """One action=query request (formatversion 2, maxlag) with every failure turned into a FetchError."""
        if self.offline:
            raise FetchError(f"offline: {self.site} cannot be asked (internal error: a request was attempted)")
        params = {"formatversion": "2", "maxlag": str(self.maxlag), **params}
        s = self.session
        tries = s.max_retries + 1
        try:
            return self._mwsite().get("query", **params)
        except mwclient.errors.APIError as exc:
            raise FetchError(f"{self.api_url} answered {exc.code}: {exc.info}") from exc
        except mwclient.errors.MaximumRetriesExceeded as exc:  # a maxlag answer that was not retried further
            raise FetchError(self._gave_up(tries)) from exc
        except mwclient.errors.InvalidResponse as exc:
            raise FetchError(f"{self.api_url} did not answer with JSON: is it a MediaWiki api.php?") from exc
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else "?"
            if isinstance(status, int) and (status == 429 or status >= 500):
                raise FetchError(self._gave_up(tries)) from exc
            raise FetchError(f"{self.api_url} answered HTTP {status}: is it a MediaWiki api.php?") from exc
        except requests.Timeout as exc:
            raise FetchError(f"no answer from {self.api_url} within {self.timeout:g} s ({tries} tries)") from exc
        except (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError) as exc:
            raise FetchError(f"the answers from {self.api_url} were cut short ({tries} tries)") from exc
        except requests.ConnectionError as exc:
            raise FetchError(f"cannot reach {self.api_url} ({tries} tries): {_root_cause(exc)}") from exc
        except requests.RequestException as exc:
            raise FetchError(f"request to {self.api_url} failed: {exc}") from exc

    def _gave_up(self, tries: int) -> str:
        s = self.session
        reason = s.last_failure or "failed"
        if s.last_retry_after is not None and s.last_retry_after > s.max_wait:
            return (f"{self.api_url}: {reason}, and it asks to wait {s.last_retry_after:.0f} s (Retry-After), more "
                    f"than {s.max_wait:.0f} s; try again later")
        return f"{self.api_url}: {reason} after {tries} tries; try again later"

    def _query_all(self, **params: Any) -> Iterator[dict]:
        """Every batch of a query, following `continue` until the API says it is complete."""
        cont: dict[str, Any] = {}
        seen: set[tuple] = set()
        while True:
            result = self._call(**params, **cont)
            yield result
            if "continue" not in result:
                return
            cont = dict(result["continue"])
            key = tuple(sorted(cont.items()))
            if key in seen:
                raise FetchError(f"{self.api_url} repeated the same continuation {cont}; stopping")
            seen.add(key)

    # revisions by id
    def records(self, revids: Iterable[int]) -> list[StoredRevision]:
        """StoredRevisions (text, meta, page id) in the order asked; FetchError for deleted or hidden ones."""
        ids = [int(r) for r in revids]
        found, hidden, bad = self._load(ids)
        if bad:
            listed = ", ".join(str(r) for r in sorted(bad))
            raise FetchError(f"revision {listed} does not exist on {self.site} (deleted, or never existed)")
        if hidden:
            meta = hidden[min(hidden)]
            how = "suppressed" if meta.source == "suppressed" else "revision-deleted"
            raise FetchError(f"the text of revision {meta.revid} of \"{meta.title}\" on {self.site} is hidden "
                             f"({how}); it cannot be audited")
        return [found[r] for r in ids]

    def revisions(self, revids: Iterable[int]) -> list[tuple[str, RevisionMeta]]:
        """(text, meta) of each revision, in the order asked."""
        return [(r.text, r.meta) for r in self.records(revids)]

    def _load(self, ids: list[int]) -> tuple[dict[int, StoredRevision], dict[int, RevisionMeta], set[int]]:
        """Cached revisions, and the rest fetched: (found, hidden text by id, ids the wiki does not have)."""
        for r in ids:
            if r <= 0:
                raise InputError(f"a revision id must be a positive number, not {r}")
        found = self.cache.get_many(self.site, ids) if self.cache is not None else {}
        missing = [r for r in dict.fromkeys(ids) if r not in found]
        hidden: dict[int, RevisionMeta] = {}
        bad: set[int] = set()
        if not missing:
            return found, hidden, bad
        if self.offline:
            listed = ", ".join(str(r) for r in missing)
            raise FetchError(f"offline: revision {listed} of {self.site} is not in the cache "
                             f"{self.cache.path if self.cache else ''}".rstrip())
        total = len(missing)
        self.say(f"fetching {total} revision{'s' if total > 1 else ''} ({_ids(missing)})")
        for start in range(0, total, CONTENT_BATCH):
            chunk = missing[start:start + CONTENT_BATCH]
            got: list[StoredRevision] = []
            for result in self._query_all(prop="revisions", revids="|".join(map(str, chunk)),
                                          rvprop=REVISION_PROPS, rvslots="main"):
                query = result.get("query", {})
                bad.update(int(k) for k in _badrevids(query))
                for page in query.get("pages", []):
                    for rev in page.get("revisions", []):
                        rec = self._stored(page, rev)
                        if isinstance(rec, RevisionMeta):
                            hidden[rec.revid] = rec  # type: ignore[index]
                        elif rec.meta.revid in chunk:
                            got.append(rec)
            if self.cache is not None:
                self.cache.put_many(self.site, got)
            found.update({r.meta.revid: r for r in got})  # type: ignore[misc]
            if total > CONTENT_BATCH:
                self.say(f"fetched {min(start + CONTENT_BATCH, total)} of {total} revisions")
        lost = [r for r in missing if r not in found and r not in hidden and r not in bad]
        if lost:
            raise FetchError(f"{self.api_url} returned no revision {_ids(lost)} and no error for it")
        return found, hidden, bad

    def _stored(self, page: dict, rev: dict) -> StoredRevision | RevisionMeta:
        """A StoredRevision from one formatversion=2 revision; its RevisionMeta alone when the text is hidden."""
        slot = (rev.get("slots") or {}).get("main") or {}
        text = slot.get("content", rev.get("content"))
        meta = RevisionMeta(
            revid=rev.get("revid"), parentid=rev.get("parentid"), title=page.get("title"),
            timestamp=rev.get("timestamp"), user=rev.get("user"), comment=rev.get("comment"), size=rev.get("size"),
            sha1=rev.get("sha1") or None, site=self.site, source="api")
        if text is None or slot.get("texthidden") or rev.get("texthidden"):
            if slot.get("texthidden") or rev.get("texthidden") or rev.get("sha1hidden"):
                return RevisionMeta(**{**meta.to_dict(), "source": "suppressed" if rev.get("suppressed")
                                       else "hidden"})
            raise FetchError(f"{self.api_url} sent revision {meta.revid} without its text")
        model = slot.get("contentmodel", rev.get("contentmodel", "wikitext"))
        if model != "wikitext":
            raise InputError(f"revision {meta.revid} of \"{meta.title}\" holds {model} content, not wikitext")
        return StoredRevision(text=text, meta=meta, pageid=page.get("pageid"))

    # resolving prev / next / cur / latest
    def resolve(self, oldid: int | None = None, diff: int | str | None = None, *, title: str | None = None,
                curid: int | None = None) -> tuple[int | None, int]:
        """(old revid or None for a page creation, new revid) for a diff URL's oldid/diff/title/curid.

        prev and next are neighbours in the page's history, as MediaWiki's diff view takes them; cur and a bare
        title or curid are the page's latest revision (never cached: it changes).
        """
        if oldid is not None:
            if diff is None or diff == "prev":
                return self.neighbour(oldid, "prev"), oldid
            if diff == "next":
                nxt = self.neighbour(oldid, "next")
                if nxt is None:
                    raise InputError(f"revision {oldid} is the latest of its page on {self.site}: diff=next has "
                                     f"nothing to compare with")
                return oldid, nxt
            if diff == "cur":
                rec = self.records([oldid])[0]
                latest = self.latest_revid(pageid=rec.pageid, title=rec.meta.title)
                if latest == oldid:
                    raise InputError(f"revision {oldid} is the current revision of \"{rec.meta.title}\": diff=cur "
                                     f"has nothing to compare with")
                return oldid, latest
            return oldid, int(diff)
        if isinstance(diff, int):
            return self.neighbour(diff, "prev"), diff
        if title is None and curid is None:
            raise InputError("nothing to audit: give revision ids, a title or a page id")
        return self.latest_edit(title=title, pageid=curid)

    def neighbour(self, revid: int, relation: str) -> int | None:
        """The revision just before ("prev") or after ("next") revid in its page's history; None when none."""
        if relation not in ("prev", "next"):
            raise ValueError(relation)
        known = self.cache.neighbour(self.site, revid, relation) if self.cache is not None else None
        if known is not None:
            return known or None
        if self.offline:
            where = "before" if relation == "prev" else "after"
            raise FetchError(f"offline: the revision {where} {revid} on {self.site} is not known in the cache")
        rec = self.records([revid])[0]
        page = self._one_page(self._call(prop="revisions", pageids=str(rec.pageid), rvstartid=str(revid),
                                         rvdir="older" if relation == "prev" else "newer", rvlimit="2",
                                         rvprop="ids|timestamp"), f"page id {rec.pageid}")
        revs = page.get("revisions", [])
        other = int(revs[1]["revid"]) if len(revs) > 1 else 0
        if self.cache is not None and (other or relation == "prev"):  # "no next" changes with the next edit
            self.cache.set_neighbour(self.site, revid, relation, other)
        return other or None

    def latest_revid(self, *, pageid: int | None = None, title: str | None = None) -> int:
        """The current revision of a page (asked every time: it changes)."""
        if self.offline:
            raise FetchError(f"offline: the current revision of {_page_name(title, pageid)} cannot be known "
                             f"without asking {self.site}; give revision ids")
        params = {"pageids": str(pageid)} if pageid is not None else {"titles": title}
        page = self._one_page(self._call(prop="revisions", rvprop="ids|timestamp", **params),
                              _page_name(title, pageid))
        return int(page["revisions"][0]["revid"])

    def latest_edit(self, *, title: str | None = None, pageid: int | None = None) -> tuple[int | None, int]:
        """(previous revid or None, latest revid) of a page, both fetched with their text in one request."""
        name = _page_name(title, pageid)
        if self.offline:
            raise FetchError(f"offline: the latest edit of {name} cannot be known without asking {self.site}; "
                             f"give revision ids")
        params = {"pageids": str(pageid)} if pageid is not None else {"titles": title}
        self.say(f"fetching the latest edit of {name}")
        page = self._one_page(self._call(prop="revisions", rvprop=REVISION_PROPS, rvslots="main", rvlimit="2",
                                         rvdir="older", **params), name)
        recs = [self._stored(page, r) for r in page.get("revisions", [])]
        keep = [r for r in recs if isinstance(r, StoredRevision)]
        if self.cache is not None:
            self.cache.put_many(self.site, keep)
        ids = [r.meta.revid if isinstance(r, StoredRevision) else r.revid for r in recs]
        latest, prev = int(ids[0]), (int(ids[1]) if len(ids) > 1 else 0)
        if self.cache is not None:
            self.cache.set_neighbour(self.site, latest, "prev", prev)
        return prev or None, latest

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
            found, hidden, _bad = self._load(chunk)
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
        if not pages or pages[0].get("missing") or pages[0].get("invalid") or not pages[0].get("revisions"):
            return None
        try:
            rec = self._stored(pages[0], pages[0]["revisions"][0])
        except InputError:  # not wikitext
            return None
        if not isinstance(rec, StoredRevision):
            return None
        if self.cache is not None:
            self.cache.put_many(self.site, [rec])
        return rec.text

    def _one_page(self, result: dict, name: str) -> dict:
        pages = result.get("query", {}).get("pages", [])
        if not pages:
            raise FetchError(f"{self.api_url} returned no page for {name}")
        page = pages[0]
        if page.get("invalid"):
            raise InputError(f"invalid page title {page.get('title')!r}: {page.get('invalidreason', '')}".rstrip(": "))
        if page.get("missing"):
            shown = f"page \"{page['title']}\"" if page.get("title") else f"page id {page.get('pageid')}"
            raise FetchError(f"{shown} does not exist on {self.site}")
        if not page.get("revisions"):
            raise FetchError(f"{self.api_url} returned no revision of {name}")
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
        if pages and not pages[0].get("missing") and not pages[0].get("invalid") and not pages[0].get("revisions"):
            return None  # a continuation batch that carries no revisions of this page
        return self._one_page(result, f"\"{title}\"")

    def _cached_history(self, title: str, since: int | str | None, limit: int | None) -> Iterator[Revision]:
        assert self.cache is not None
        revs = list(self.cache.page_revisions(self.site, title=title))
        if not revs:
            raise FetchError(f"offline: no revision of \"{title}\" on {self.site} is in the cache {self.cache.path}")
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
    raise FetchError(f"offline: revision {revid} is not in the cache")


def _badrevids(query: dict) -> Iterable[str]:
    bad = query.get("badrevids") or {}
    if isinstance(bad, dict):
        return bad.keys()
    return [str(b.get("revid")) for b in bad]  # formatversion=1 style list, should a server send it


def _ids(ids: list[int]) -> str:
    shown = ", ".join(str(r) for r in ids[:5])
    return shown + (f", … ({len(ids)} in all)" if len(ids) > 5 else "")


def _page_name(title: str | None, pageid: int | None) -> str:
    return f"\"{title}\"" if title is not None else f"page id {pageid}"


def _root_cause(exc: BaseException) -> str:
    while exc.__context__ is not None and exc.__context__ is not exc:
        exc = exc.__context__
    return str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
