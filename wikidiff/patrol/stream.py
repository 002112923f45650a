"""Reading an EventStreams stream (server-sent events) without losing or repeating events.

requests-sse parses the event stream (fields `event`, `data`, `id`, `retry`, comments) and sends the
`Last-Event-ID` header; this module owns the connection's life: when the stream drops, is cut short or goes silent
longer than the read timeout, it reconnects after a back-off (doubled each failed try, capped, reset once events
flow again) with the id of the last event it delivered, so the server resumes right after it. A `since`
timestamp is sent (as EventStreams' `since` query parameter) only on a connection that has no id to resume from.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlencode, urlsplit

import requests
from requests_sse import EventSource, InvalidContentTypeError, InvalidStatusCodeError, ReadyState

from ..errors import FetchError, InputError

#: Wikimedia's public stream of every change on every wiki
DEFAULT_STREAM_URL = "https://stream.wikimedia.org/v2/stream/recentchange"


@dataclass(frozen=True)
class RawEvent:
    """One SSE message: its `data` text and the `id` it came with (None when the server sent none)."""

    data: str
    event_id: str | None


class _Dropped(Exception):
    """Raised from requests-sse's error hook when an open stream ends, so that reconnecting is ours."""


def check_stream_url(url: str) -> str:
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"the stream URL must be an http(s) URL, not {url!r}")
    return url.strip()


class EventStream:
    """Iterate over RawEvents; `stop()` (from any thread) ends the iteration at the next event or wait.

    `last_event_id` is the id of the last event delivered (resume from it). `connects`, `drops` count the
    connections made and the streams that ended under us.
    """

    def __init__(self, url: str, *, user_agent: str, last_event_id: str | None = None, since: str | None = None,
                 connect_timeout: float = 15.0, read_timeout: float = 60.0, retry_wait: float = 1.0,
                 max_wait: float = 60.0, max_failures: int | None = None,
                 notify: Callable[[str], None] | None = None) -> None:
        self.url = check_stream_url(url)
        self.user_agent = user_agent
        self.last_event_id = last_event_id or None
        self.since = since
        self.timeouts = (connect_timeout, read_timeout)
        self.retry_wait = retry_wait
        self.max_wait = max_wait
        self.max_failures = max_failures
        self.notify = notify or (lambda message: None)
        self.connects = 0
        self.drops = 0
        self._stopping = threading.Event()
        self._source: EventSource | None = None
        self._session = requests.Session()
        self._session.headers["User-Agent"] = user_agent

    def stop(self) -> None:
        self._stopping.set()
        source = self._source
        if source is not None:
            # closing from another thread may race with the reader; either way the stream ends
            with contextlib.suppress(Exception):
                source.close()

    @property
    def stopped(self) -> bool:
        return self._stopping.is_set()

    def connect_url(self) -> str:
        """The URL of the next connection: with `since` only when there is no id to resume from."""
        if self.since and not self.last_event_id:
            return self.url + ("&" if "?" in self.url else "?") + urlencode({"since": self.since})
        return self.url

    def __iter__(self) -> Iterator[RawEvent]:
        failures = 0
        try:
            while not self._stopping.is_set():
                delivered = 0
                try:
                    for raw in self._one_connection():
                        delivered += 1
                        failures = 0
                        yield raw
                    return  # stopped
                except _Dropped:
                    self.drops += 1
                    reason = "the stream ended"
                except InvalidStatusCodeError as exc:
                    if exc.status_code != 429 and exc.status_code < 500:
                        raise FetchError(f"{self.url} answered HTTP {exc.status_code}: is it an EventStreams "
                                         f"stream?") from exc
                    reason = f"HTTP {exc.status_code}"
                except InvalidContentTypeError as exc:
                    raise FetchError(f"{self.url} did not answer with an event stream (Content-Type "
                                     f"{exc.content_type or 'none'})") from exc
                except requests.RequestException as exc:
                    reason = _describe(exc)
                if self._stopping.is_set():
                    return
                failures = 0 if delivered else failures + 1
                if self.max_failures is not None and failures > self.max_failures:
                    raise FetchError(f"cannot read {self.url}: {reason} ({failures} tries)")
                wait = min(self.max_wait, self.retry_wait * 2 ** max(0, failures - 1))
                where = f" after event {self.last_event_id}" if self.last_event_id else ""
                self.notify(f"{reason}; reconnecting in {wait:.3g} s to resume{where}")
                if self._stopping.wait(wait):
                    return
        finally:
            self._session.close()

    def _one_connection(self) -> Iterator[RawEvent]:
        def on_error() -> None:
            if source.ready_state == ReadyState.CONNECTING:  # set by requests-sse when an open stream ends
                raise _Dropped

        url = self.connect_url()
        source = EventSource(url, session=self._session, max_connect_retry=0,
                             timeout=self.timeouts,  # type: ignore[arg-type]  # requests takes (connect, read)
                             latest_event_id=self.last_event_id, reconnection_time=timedelta(seconds=0),
                             on_error=on_error)
        self._source = source
        try:
            source.connect(0)
            self.connects += 1
            if self._stopping.is_set():
                return
            for message in source:
                if self._stopping.is_set():
                    return
                event_id = message.last_event_id or None
                if event_id is not None:
                    self.last_event_id = event_id
                if message.type not in (None, "message") or message.data is None:
                    continue
                yield RawEvent(message.data, event_id)
        except (ValueError, AttributeError, TypeError) as exc:  # the source closed under us by stop()
            if not self._stopping.is_set():
                raise _Dropped from exc
        finally:
            self._source = None
            source.close()


def _describe(exc: requests.RequestException) -> str:
    if isinstance(exc, requests.Timeout):
        return "no data in time"
    if isinstance(exc, requests.ConnectionError):
        return "connection failed"
    return type(exc).__name__

