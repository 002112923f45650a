"""Bounded work: audits and histories run in a fixed pool of worker threads, each request under a time limit.

A request waits at most `time_limit` seconds (queue wait included) and is then answered with a time-limit page; the
job it started cannot be killed (Python threads cannot be), but it still holds its place in the count of jobs, and
when `workers + queue` jobs are pending a new one is refused at once (503). So work is bounded in count and each
answer in time. Each worker thread has its own connection to the SQLite revision cache (WAL mode, a busy timeout
and one IMMEDIATE transaction per write make concurrent connections safe), and its own polite API client per job.
"""

from __future__ import annotations

import asyncio
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from ..model import RevisionMeta
from ..sources.cache import RevisionCache
from ..sources.url import DiffTarget, site_lang
from . import problems
from .settings import Settings

if TYPE_CHECKING:
    from ..sources.client import WikiClient
    from .history_view import HistoryView

T = TypeVar("T")

#: how the web client retries a failing wiki: fewer and shorter waits than the CLI, a person is waiting
RETRIES = 2
RETRY_WAIT = 1.0


@dataclass(frozen=True)
class Rendered:
    """One finished audit in one format: the body and the revisions it compared."""

    body: str
    old_meta: RevisionMeta
    new_meta: RevisionMeta
    flags: int


class Memo:
    """Finished audits by (wiki, old revid, new revid, format), least recently used out first, bounded in bytes.
    Revisions never change, so an audit of two revision ids stays right (for this version of wikidiff)."""

    def __init__(self, entries: int, max_bytes: int = 64 * 2**20) -> None:
        self.entries = entries
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, Rendered] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0

    def get(self, key: tuple) -> Rendered | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
                self.hits += 1
            return item

    def put(self, key: tuple, item: Rendered) -> None:
        size = len(item.body)
        if self.entries <= 0 or size > self.max_bytes // 4:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old.body)
            self._items[key] = item
            self._bytes += size
            while len(self._items) > self.entries or self._bytes > self.max_bytes:
                _, gone = self._items.popitem(last=False)
                self._bytes -= len(gone.body)


class Worker:
    """The pool that runs audits and histories for one app."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.memo = Memo(settings.memo)
        self._pool = ThreadPoolExecutor(max_workers=settings.workers, thread_name_prefix="wikidiff-web")
        self._local = threading.local()
        self._lock = threading.Lock()
        self.pending = 0
        self.timed_out = 0

    # running
    async def run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(*args) in a worker thread; a Problem when too much is pending or the time limit passes."""
        limit = self.settings.workers + self.settings.queue
        with self._lock:
            if self.pending >= limit:
                raise problems.busy(self.pending)
            self.pending += 1
        try:
            future: Future[T] = self._pool.submit(fn, *args)
        except BaseException:
            self._done(None)
            raise
        future.add_done_callback(self._done)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), self.settings.time_limit)
        except asyncio.TimeoutError:  # the wrapped future is cancelled: a queued job never starts
            with self._lock:
                self.timed_out += 1
            raise problems.time_limit(self.settings.time_limit) from None

    def _done(self, _future: Future | None) -> None:
        with self._lock:
            self.pending -= 1

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    # in a worker thread
    def cache(self) -> RevisionCache:
        """This thread's connection to the revision cache."""
        cache = getattr(self._local, "cache", None)
        if cache is None:
            cache = RevisionCache(self.settings.cache) if self.settings.cache else RevisionCache()
            self._local.cache = cache
        return cache

    def client(self, wiki: str) -> WikiClient:
        """A polite client of the served wiki's own API, reading through this thread's cache connection."""
        from ..sources.client import open_client

        s = self.settings
        return open_client(site=wiki, api_url=s.api_for(wiki), cache=self.cache(), user_agent=s.user_agent,
                           timeout=s.fetch_timeout, quiet=True, max_retries=RETRIES, retry_timeout=RETRY_WAIT,
                           max_wait=min(10.0, s.time_limit))

    def audit(self, target: DiffTarget, fmt: str, options: tuple[str, ...] = ()) -> Rendered:
        """Fetch the diff a target names (through the cache), audit it and render it in `fmt`. `options`:
        "restored" reads the page's revisions before the old one and sets apart the flags on text the edit restored
        from them; "verify" checks the Cite flags against the wiki's rendering of the revisions."""
        from ..auditor import audit
        from ..fetch import restoration_texts
        from ..report import render
        from ..sources.resolve import load_pair

        client = self.client(target.site)
        try:
            old, new, notes = load_pair(client, target)
            key = (target.site, old.meta.revid if old else None, new.meta.revid, fmt, options)
            hit = self.memo.get(key)
            if hit is not None:
                return hit
            if old is None:
                old_text = ""
                old_meta = RevisionMeta(title=new.meta.title, site=target.site, source="none (page creation)")
            else:
                old_text, old_meta = old.text, old.meta
            earlier = restoration_texts(old_text, new.meta, old_meta, client=client) if "restored" in options else None
            result = audit(old_text, new.text, old_meta=old_meta, new_meta=new.meta,
                           lang=site_lang(target.site) or "en", earlier=earlier)
            if "verify" in options:
                from ..fetch import renderings
                from ..verify import verify_audit

                result = verify_audit(result, renderings(client=client))
        finally:
            client.close()
        result.notes[:0] = notes  # how the request was read (swapped ids, a permanent link), as `wikidiff audit` says
        rendered = Rendered(render(result, fmt), old_meta, new.meta, len(result.flags))
        self.memo.put(key, rendered)
        return rendered

    def history(self, wiki: str, title: str, since: str | None = None) -> HistoryView:
        """A page's history from the wiki (through the cache): reverts, mutual reverts, M, refs; with plots."""
        from ..histories import ApiOptions, history
        from .history_view import build

        s = self.settings
        api = ApiOptions(site=wiki, api_url=s.api_for(wiki), cache=s.cache, user_agent=s.user_agent,
                         timeout=s.fetch_timeout, quiet=True)
        result = history(title=title, api=api, audit=False, since=since, limit=s.history_limit,
                         lang=site_lang(wiki) or "en")
        return build(result, wiki, title, s.history_limit, since)

