"""The patrol: read the stream, keep the edits asked for, fetch both revisions in batches, audit, and give out
(and store) a finding for each edit whose flags reach the threshold.

One thread reads the stream into a bounded `Backlog`; the thread iterating the `Patrol` takes the waiting edits in
batches (so many revisions are asked for in one request), audits them and yields findings. The stream position
is stored with the findings, in the same transaction, and again after each batch, so a stopped patrol resumes
from the last event it finished with: nothing handled twice, nothing lost.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import config
from ..auditor import audit
from ..codes import FLAG_CODES, SEVERITY_RANK
from ..errors import InputError, WikidiffError
from ..model import Flag
from ..sources.cache import RevisionCache
from ..sources.client import WikiClient, open_client
from ..sources.http import build_user_agent
from ..sources.url import normalize_site, site_lang
from .backlog import Backlog
from .events import Edit, EditFilter, MalformedEvent, parse_event, parse_timestamp
from .findings import Finding, FindingsStore
from .revisions import load_edits
from .stream import DEFAULT_STREAM_URL, EventStream, check_stream_url

ClientFactory = Callable[[str], WikiClient]


@dataclass
class PatrolStats:
    """What a patrol has done so far. `left` counts events not kept, by reason (see EditFilter)."""

    events: int = 0
    malformed: int = 0
    audited: int = 0
    findings: int = 0
    skipped: int = 0  # edits dropped from a full queue (the audit fell behind the stream)
    unfetchable: int = 0  # edits whose revisions could not be had
    reconnects: int = 0
    lag: float = 0.0  # seconds between the last audited edit and the newest event read
    max_lag: float = 0.0
    left: Counter[str] = field(default_factory=Counter)
    started: float = field(default_factory=time.monotonic)

    def summary(self) -> str:
        seconds = max(time.monotonic() - self.started, 1e-9)
        text = (f"{self.events} events read, {self.audited} edits audited ({self.audited / seconds:.1f}/s), "
                f"{self.findings} findings")
        extra = [f"{n} {what}" for n, what in [(self.skipped, "skipped (behind)"), (self.unfetchable, "unfetchable"),
                                                (self.malformed, "malformed"), (self.reconnects, "reconnects")] if n]
        return text + (f"; {', '.join(extra)}" if extra else "")


class Patrol:
    """Iterate to run the patrol; each item is a Finding. `stop()` ends it cleanly from another thread or a
    signal handler; `stats` says what happened. See `watch()` for the arguments."""

    def __init__(self, *, wikis: Iterable[str] = ("en.wikipedia.org",), namespaces: Iterable[int] | None = (0,),
                 exclude_bots: bool = False, min_severity: str = "warning", codes: Iterable[str] | None = None,
                 store: str | Path | FindingsStore | None = None, limit: int | None = None,
                 since: str | None = None, resume: bool = False, stream_url: str = DEFAULT_STREAM_URL,
                 api_url: str | None = None, cache: str | Path | RevisionCache | None = None,
                 clients: ClientFactory | None = None, user_agent: str | None = None,
                 verify: bool = False, queue_size: int = 1000, batch_size: int = 25,
                 skip_when_behind: bool | None = None, lag_notice: float = 60.0, retry_wait: float = 1.0,
                 max_retry_wait: float = 60.0, read_timeout: float = 60.0,
                 notify: Callable[[str], None] | None = None,
                 observe: Callable[[Edit, str], None] | None = None) -> None:
        self.wikis = [normalize_site(w) for w in wikis]
        if not self.wikis:
            raise InputError("name at least one wiki to watch")
        if min_severity not in SEVERITY_RANK:
            raise InputError(f"unknown severity {min_severity!r} (choose from {', '.join(SEVERITY_RANK)})",
                             param="min_severity")
        self.threshold = SEVERITY_RANK[min_severity]
        self.codes = None if codes is None else frozenset(codes)
        unknown = sorted((self.codes or set()) - set(FLAG_CODES))
        if unknown:
            raise InputError(f"unknown flag code{'s' if len(unknown) > 1 else ''} {', '.join(unknown)} "
                             f"(known: {', '.join(FLAG_CODES)})", param="codes")
        if limit is not None and limit < 1:
            raise InputError(f"the limit must be at least 1 edit, not {limit}", param="limit")
        if since is not None and resume:
            raise InputError("resume from the stored position or start from a timestamp, not both")
        if api_url is not None and len(self.wikis) > 1:
            raise InputError("an API URL serves one wiki: watch a single wiki with it", param="api_url")
        if batch_size < 1 or queue_size < 1:
            raise InputError("the batch and the queue must hold at least one edit")
        try:
            self.since = None if since is None else parse_timestamp(since).strftime("%Y-%m-%dT%H:%M:%SZ")
        except InputError as exc:
            raise InputError(str(exc), param="since") from None
        self.limit = limit
        self.batch_size = batch_size
        self.verify = verify
        self.lag_notice = lag_notice
        self.notify = notify or (lambda message: None)
        self.observe = observe
        try:
            self.stream_url = check_stream_url(stream_url)
        except InputError as exc:
            raise InputError(str(exc), param="stream_url") from None
        self.user_agent_asked = user_agent if user_agent is not None else config.user_agent()
        self.user_agent = build_user_agent(self.user_agent_asked)
        self.filter = EditFilter(self.wikis, namespaces, exclude_bots=exclude_bots)
        self.stats = PatrolStats(left=self.filter.counts)
        self._clients: dict[str, WikiClient] = {}
        self._own_cache = self._own_store = False
        self.cache: RevisionCache | None = None
        self.store: FindingsStore | None = None
        try:
            if isinstance(store, FindingsStore) or store is None:
                self.store = store
            else:
                self.store, self._own_store = FindingsStore(store), True
            start_id = self._resume_position() if resume else None
            if isinstance(cache, RevisionCache) or cache is None:
                self.cache = cache
            else:
                self.cache, self._own_cache = RevisionCache(cache), True
        except BaseException:
            self._close()
            raise
        self._factory = clients or self._default_client(api_url)
        skip = (start_id is None and self.since is None) if skip_when_behind is None else skip_when_behind
        self.backlog = Backlog(queue_size, skip_when_full=skip)
        self.stream = EventStream(self.stream_url, user_agent=self.user_agent, last_event_id=start_id,
                                  since=self.since, retry_wait=retry_wait, max_wait=max_retry_wait,
                                  read_timeout=read_timeout, notify=lambda m: self.notify(f"stream: {m}"))
        self._stop = threading.Event()
        self._reader: threading.Thread | None = None
        self._reader_error: BaseException | None = None
        self._last_lag_notice = 0.0
        self._skipped_noticed = 0
        self._started = False

    def _resume_position(self) -> str:
        if self.store is None:
            raise InputError("resuming needs the findings store that holds the stream position", param="store")
        stored_url = self.store.state("stream_url")
        if stored_url is not None and stored_url != self.stream_url:
            raise InputError(f"{self.store.path} holds a position in {stored_url}, not in {self.stream_url}")
        position = self.store.last_event_id()
        if position is None:
            raise InputError(f"nothing to resume: {self.store.path} holds no stream position yet")
        return position

    def _default_client(self, api_url: str | None) -> ClientFactory:
        def make(wiki: str) -> WikiClient:
            return open_client(site=wiki, api_url=api_url, cache=self.cache, user_agent=self.user_agent_asked,
                               quiet=True)
        return make

    def client(self, wiki: str) -> WikiClient:
        if wiki not in self._clients:
            self._clients[wiki] = self._factory(wiki)
        return self._clients[wiki]

    def stop(self) -> None:
        """End the patrol after the edit being audited (safe from a signal handler or another thread)."""
        self._stop.set()
        self.stream.stop()
        self.backlog.close()

    # the reader thread
    def _read(self) -> None:
        try:
            for raw in self.stream:
                self.stats.events += 1
                edit = None
                epoch: float | None = None
                try:
                    event = parse_event(raw.data)
                    ts = event.get("timestamp")
                    epoch = float(ts) if isinstance(ts, (int, float)) and not isinstance(ts, bool) else None
                    edit = self.filter.edit(event, raw.event_id)
                except MalformedEvent as exc:
                    self.stats.malformed += 1
                    self.filter.counts["malformed"] += 1
                    self.notify(f"skipped a malformed event: {exc} [{self.stats.malformed} so far]")
                if not self.backlog.put(edit, raw.event_id, epoch):
                    return
        except BaseException as exc:  # noqa: B036 - handed to the auditing thread, which raises it
            self._reader_error = exc
        finally:
            self.stats.reconnects = max(0, self.stream.connects - 1)
            self.backlog.close()

    # the auditing side
    def __iter__(self) -> Generator[Finding, None, None]:
        if self._started:
            raise RuntimeError("a Patrol runs once")
        self._started = True
        if self.store is not None:
            self.store.set_state("stream_url", self.stream_url)
        self._reader = threading.Thread(target=self._read, name="wikidiff-patrol-reader", daemon=True)
        self._reader.start()
        position: str | None = None
        try:
            while not self._stop.is_set():
                batch = self.backlog.take(self.batch_size, timeout=0.25)
                if not batch:
                    if self.backlog.closed:
                        break
                    continue
                for finding, event_id in self._audit_batch(batch):
                    position = event_id or position
                    if finding is not None:
                        if self.store is not None:
                            self.store.add_many([finding], last_event_id=position)
                        self.stats.findings += 1
                        yield finding
                    if self.limit is not None and self.stats.audited >= self.limit:
                        self._stop.set()
                        break
                    if self._stop.is_set():
                        break
                if not self._stop.is_set():
                    position = self.backlog.drained_position() or position
                self._save(position)
                self._say_lag()
            if self._reader_error is not None and not self._stop.is_set():
                raise self._reader_error
        finally:
            self.stream.stop()
            self.backlog.close()
            self._save(position)
            self.stats.skipped = self.backlog.skipped
            self.stats.reconnects = max(0, self.stream.connects - 1)
            self._close()

    def _save(self, position: str | None) -> None:
        if self.store is not None and position is not None:
            self.store.set_last_event_id(position)

    def _say_lag(self) -> None:
        skipped = self.backlog.skipped
        self.stats.skipped = skipped
        now = time.monotonic()
        behind = self.stats.lag >= self.lag_notice
        if (behind or skipped > self._skipped_noticed) and now - self._last_lag_notice >= self.lag_notice:
            self._last_lag_notice = now
            self._skipped_noticed = skipped
            self.notify(f"behind the stream by {duration(self.stats.lag)} ({self.stats.lag:.0f} s), "
                        f"{len(self.backlog)} edits waiting; {skipped} skipped so far")

    def _audit_batch(self, batch: list[Edit]) -> Iterator[tuple[Finding | None, str | None]]:
        by_wiki: dict[str, list[Edit]] = {}
        for edit in batch:
            by_wiki.setdefault(edit.wiki, []).append(edit)
        loaded: dict[tuple[str, int], Any] = {}
        for wiki, edits in by_wiki.items():
            try:
                got = load_edits(self.client(wiki), edits, notify=self.notify)
            except WikidiffError as exc:
                got = {e.new: str(exc) for e in edits}
            loaded.update({(wiki, new): v for new, v in got.items()})
        for edit in batch:
            if self._stop.is_set():
                return
            pair = loaded.get((edit.wiki, edit.new))
            if not isinstance(pair, tuple):
                self.stats.unfetchable += 1
                self.notify(f"{edit.wiki} \"{edit.title}\" ({edit.old} → {edit.new}) not audited: {pair}")
                if self.observe is not None:
                    self.observe(edit, "unfetchable")
                yield None, edit.event_id
                continue
            old, new = pair
            result = audit(old.text, new.text, old_meta=old.meta, new_meta=new.meta, lang=site_lang(edit.wiki) or "en")
            kept = [f for f in result.flags if self._wanted(f)]
            if kept and self.verify:  # only edits that would be reported are rendered: one parse request each
                kept = [f for f in self._verified(result, edit) if self._wanted(f)]
            self.stats.audited += 1
            newest = self.backlog.newest_epoch
            self.stats.lag = max(0.0, (newest or edit.epoch) - edit.epoch)
            self.stats.max_lag = max(self.stats.max_lag, self.stats.lag)
            if self.observe is not None:
                self.observe(edit, "audited")
            yield (self._finding(edit, kept) if kept else None), edit.event_id

    def _verified(self, result: Any, edit: Edit) -> list[Flag]:
        """The audit's flags checked against the rendered page (kept as they are when that fails, with a notice)."""
        from ..verify import verify_flags

        try:
            return list(verify_flags(result, client=self.client(edit.wiki)))
        except WikidiffError as exc:
            self.notify(f"{edit.wiki} \"{edit.title}\" ({edit.new}) not verified: {exc}")
            return list(result.flags)

    def _wanted(self, flag: Flag) -> bool:
        return SEVERITY_RANK.get(flag.severity, 0) >= self.threshold and (self.codes is None or flag.code in self.codes)

    @staticmethod
    def _finding(edit: Edit, flags: list[Flag]) -> Finding:
        return Finding(wiki=edit.wiki, title=edit.title, new=edit.new, old=edit.old, namespace=edit.namespace,
                       user=edit.user, timestamp=edit.timestamp, comment=edit.comment, flags=flags,  # type: ignore
                       event_id=edit.event_id, server_url=edit.server_url)

    def _close(self) -> None:
        for client in self._clients.values():
            client.close()
        if self._own_cache and self.cache is not None:
            self.cache.close()
        if self._own_store and self.store is not None:
            self.store.close()


def duration(seconds: float) -> str:
    """Seconds said the way a person reads them: 42 s, 7 min, 5 h, 3 d."""
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= 2 * size:
            return f"{seconds / size:.0f} {unit}"
    return f"{seconds:.0f} s"


def watch(**options: Any) -> Patrol:
    """A patrol of the live edits of one or more wikis; iterate over it for its Findings.

    Options: `wikis` (server names, default en.wikipedia.org), `namespaces` (default (0,); None for all),
    `exclude_bots`, `min_severity` ("error", "warning" (default) or "info"), `codes` (only these flag codes),
    `store` (a FindingsStore or a path: findings and the stream position are written there), `limit` (stop after
    this many audited edits), `since` (an ISO 8601 time to start from) or `resume` (from the position in
    `store`), `stream_url`, `api_url` (for a single wiki), `cache` (the revision cache, a path or RevisionCache),
    `clients` (a factory wiki -> WikiClient; default `open_client`), `user_agent` (default
    $WIKIDIFF_USER_AGENT, else wikidiff's), `verify` (check the flags of each edit that would be reported on
    the rendered page, as `audit --verify` does, then filter again: a broken ref the page does not show drops to
    info), `queue_size` (edits waiting at most; when full, the oldest is skipped on a live patrol and the reader
    waits when catching up), `batch_size`,
    `notify` (a callable given one-line progress and warnings), `observe` (called with each Edit and
    "audited" or "unfetchable" once it is handled).

    >>> patrol = watch(wikis=["en.wikipedia.org"], limit=100)     # doctest: +SKIP
    >>> for finding in patrol:                                     # doctest: +SKIP
    ...     print(finding.title, finding.codes, finding.diff_url)
    """
    return Patrol(**options)
