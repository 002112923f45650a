"""HTTP politeness towards a wiki: the User-Agent, and a requests session that sends one request at a time and
retries with back-off.

Etiquette (Wikimedia's User-Agent policy and API etiquette): a User-Agent naming the tool and a contact, one request
at a time (a lock), and retries with back-off on 429, 5xx, lag (maxlag) and broken answers, honouring
`Retry-After`. mwclient builds the requests and reads the answers; its own retry loop is switched off because it
retries neither 429 nor a body cut short and does not honour `Retry-After` on 5xx, so the retries live in
`PoliteSession`, the requests session mwclient sends through.
"""

from __future__ import annotations

import contextlib
import math
import re
import socket
import threading
import time
import weakref
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

import mwclient.client
import requests
import urllib3
import urllib3.connection
import urllib3.connectionpool
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from .._version import __version__
from ..errors import InputError

#: names the tool and a contact, as Wikimedia's User-Agent policy asks; mwclient's own token is appended
DEFAULT_USER_AGENT = (f"wikidiff/{__version__} (https://github.com/wikidiff/wikidiff; "
                      f"wikidiff@users.noreply.github.com)")


def build_user_agent(custom: str | None = None) -> str:
    """The User-Agent header: the given product-and-contact (or wikidiff's) followed by mwclient's token."""
    ua = DEFAULT_USER_AGENT if custom is None else custom.strip()
    if not ua:
        raise InputError("the User-Agent is empty: name your tool and a contact, e.g. 'mytool/1.0 (me@example.org)'",
                         param="user_agent")
    if any(ord(c) < 32 or ord(c) == 127 for c in ua):
        raise InputError("the User-Agent contains control characters", param="user_agent")
    return f"{ua} {mwclient.client.USER_AGENT}"


def has_contact(user_agent: str) -> bool:
    """Whether a User-Agent carries a contact (an e-mail address or a URL)."""
    return bool(re.search(r"@|https?://|www\.", user_agent))


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or an HTTP date); None when absent or unreadable."""
    if value is None:
        return None
    value = value.strip()
    if re.fullmatch(r"[0-9]{1,12}(\.[0-9]{1,9})?", value):
        return float(value)
    try:
        when = parsedate_to_datetime(value)
        seconds = when.timestamp() - time.time()
    except (TypeError, ValueError, OverflowError, IndexError):
        return None
    return max(0.0, seconds) if math.isfinite(seconds) else None


#: the most a decoded answer may hold: 50 revisions of MediaWiki's largest page size (2 MiB), JSON-escaped
MAX_ANSWER_BYTES = 256 * 1024 * 1024
#: redirects followed within one wiki (never to another host)
MAX_REDIRECTS = 5


class GaveUp(requests.RequestException):
    """The wiki kept refusing (429, 5xx, maxlag) until the retries or the allowed wait ran out."""


class NameNotResolved(requests.RequestException):
    """The host name does not resolve (not retried: it will not start resolving in a few seconds)."""


class DeadlineExceeded(requests.Timeout):
    """The whole answer did not arrive within the total deadline (a server trickling bytes)."""


class AnswerTooLarge(requests.RequestException):
    """The decoded answer is larger than allowed (a huge or a compressed-bomb answer)."""


class ForeignRedirect(requests.RequestException):
    """The wiki redirected to another host, which is not followed."""


class _Watched(HTTPAdapter):
    """An adapter whose connections register their sockets, so that a deadline can shut them down."""

    def __init__(self, sockets: weakref.WeakSet) -> None:
        self._sockets = sockets
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        sockets = self._sockets

        class Conn(urllib3.connection.HTTPConnection):
            def connect(self) -> None:
                super().connect()
                sockets.add(self.sock)

        class SConn(urllib3.connection.HTTPSConnection):
            def connect(self) -> None:
                super().connect()
                sockets.add(self.sock)

        class Pool(urllib3.connectionpool.HTTPConnectionPool):
            ConnectionCls = Conn

        class SPool(urllib3.connectionpool.HTTPSConnectionPool):
            ConnectionCls = SConn

        self.poolmanager.pool_classes_by_scheme = {"http": Pool, "https": SPool}


class PoliteSession(requests.Session):
    """The requests session mwclient sends through: one request at a time, retried with back-off.

    Retried: 429 and 5xx answers, maxlag answers (the X-Database-Lag header), timeouts, bodies cut short, and a
    refused connection (once). Not retried: a host name that does not resolve. The wait is the answer's
    Retry-After when it gives one (seconds, a fraction or an HTTP date), else `retry_timeout` doubled per try; a
    Retry-After longer than `max_wait`, or waits adding up to more than `max_total_wait`, end the retries.
    Each request must be complete within `deadline` seconds in all (connect, headers and body), its decoded body
    within `max_bytes`; redirects are followed only on the same host (http may become https).
    """

    def __init__(self, user_agent: str, *, max_retries: int, retry_timeout: float, max_wait: float,
                 notify: Callable[[str], None], sleep: Callable[[float], None] = time.sleep,
                 deadline: float = 120.0, max_bytes: int = MAX_ANSWER_BYTES, max_total_wait: float = 300.0) -> None:
        super().__init__()
        self.headers["User-Agent"] = user_agent
        self.max_retries = max_retries
        self.retry_timeout = retry_timeout
        self.max_wait = max_wait
        self.max_total_wait = max_total_wait
        self.deadline = deadline
        self.max_bytes = max_bytes
        self.notify = notify
        self.sleep = sleep
        self.sent = 0
        self.waits: list[tuple[str, float]] = []  # (reason, seconds) of every wait, oldest first
        self.last_failure: str | None = None
        self.last_retry_after: float | None = None
        self.tries = 0  # tries of the last request
        self._lock = threading.Lock()
        self._sockets: weakref.WeakSet = weakref.WeakSet()
        adapter = _Watched(self._sockets)
        self.mount("http://", adapter)
        self.mount("https://", adapter)

    def backoff(self, attempt: int) -> float:
        return min(self.max_wait, self.retry_timeout * 2 ** (attempt - 1))

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        with self._lock:
            attempt = 0
            waited = 0.0
            while True:
                attempt += 1
                self.sent += 1
                self.tries = attempt
                try:
                    response = self._once(method, url, *args, **kwargs)
                except (requests.Timeout, requests.ConnectionError, requests.exceptions.ChunkedEncodingError,
                        requests.exceptions.ContentDecodingError) as exc:
                    if _unresolved(exc):
                        raise NameNotResolved(str(urlsplit(url).hostname)) from exc
                    reason = _describe_exception(exc)
                    self.last_failure, self.last_retry_after = reason, None
                    limit = min(self.max_retries, 1) if _refused(exc) else self.max_retries
                    seconds = self.backoff(attempt)
                    if attempt > limit or waited + seconds > self.max_total_wait:
                        raise
                    self._wait(reason, seconds, attempt)
                    waited += seconds
                    continue
                lagged = response.headers.get("X-Database-Lag") is not None
                if not lagged and response.status_code != 429 and not 500 <= response.status_code <= 599:
                    self.last_failure = self.last_retry_after = None
                    return response
                reason = (f"lagged by {_shown(response.headers.get('X-Database-Lag'))} s (maxlag)" if lagged
                          else f"HTTP {response.status_code}")
                asked = retry_after_seconds(response.headers.get("Retry-After"))
                self.last_failure, self.last_retry_after = reason, asked
                seconds = asked if asked is not None else self.backoff(attempt)
                if attempt > self.max_retries or (asked is not None and asked > self.max_wait) or \
                        waited + seconds > self.max_total_wait:
                    raise GaveUp(reason, response=response)
                self._wait(reason, seconds, attempt)
                waited += seconds

    def _once(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:
        """One request with its redirects (same host only), read whole within the deadline and the size cap."""
        fired = threading.Event()

        def expire() -> None:
            fired.set()
            for sock in list(self._sockets):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)

        timer = threading.Timer(self.deadline, expire)
        timer.daemon = True
        timer.start()
        kwargs = {**kwargs, "stream": True, "allow_redirects": False}  # redirects are followed here, one by one
        try:
            for _ in range(MAX_REDIRECTS + 1):
                response = super().request(method, url, *args, **kwargs)
                if not response.is_redirect:
                    _read_capped(response, self.max_bytes)
                    return response
                target = urljoin(url, response.headers.get("Location", ""))
                response.close()
                if not _same_host(url, target):
                    raise ForeignRedirect(f"{_host_of(url)} redirected to {_host_of(target)}")
                url, kwargs = target, {k: v for k, v in kwargs.items() if k not in ("params", "data")}
                method = "GET" if method == "POST" else method
            raise ForeignRedirect(f"{_host_of(url)} redirected more than {MAX_REDIRECTS} times")
        except (requests.RequestException, OSError) as exc:
            if fired.is_set():
                raise DeadlineExceeded(f"no complete answer within {self.deadline:g} s") from exc
            raise
        finally:
            timer.cancel()

    def _wait(self, reason: str, seconds: float, attempt: int) -> None:
        self.waits.append((reason, seconds))
        self.notify(f"{reason}; retrying in {seconds:.3g} s (try {attempt + 1} of {self.max_retries + 1})")
        self.sleep(seconds)


def _read_capped(response: requests.Response, max_bytes: int) -> None:
    """Read the whole (decoded) body into the response, refusing more than max_bytes."""
    chunks: list[bytes] = []
    total = 0
    for chunk in response.iter_content(64 * 1024):
        total += len(chunk)
        if total > max_bytes:
            response.close()
            raise AnswerTooLarge(f"the answer is larger than {max_bytes // (1024 * 1024) or max_bytes} "
                                 f"{'MiB' if max_bytes >= 1024 * 1024 else 'bytes'} once decoded")
        chunks.append(chunk)
    response._content = b"".join(chunks)
    response._content_consumed = True


def _host_of(url: str) -> str:
    parts = urlsplit(url)
    try:
        return parts.netloc.rpartition("@")[2] or "(no host)"
    except ValueError:
        return "(unreadable host)"


def _same_host(url: str, target: str) -> bool:
    a, b = urlsplit(url), urlsplit(target)
    try:
        same = (a.hostname, a.port or _default_port(a.scheme)) == (b.hostname, b.port or _default_port(b.scheme))
    except ValueError:
        return False
    return same and b.scheme in ("http", "https") and not (a.scheme == "https" and b.scheme == "http") \
        and not b.username


def _default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def _shown(value: str | None) -> str:
    """A header value fit for one line of a message."""
    text = "".join(c if c.isprintable() else "?" for c in (value or "?"))
    return text[:20]


def _causes(exc: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    stack: list[BaseException | None] = [exc]
    while stack:
        e = stack.pop()
        if e is None or any(e is s for s in seen) or len(seen) > 20:
            continue
        seen.append(e)
        stack += [e.__cause__, e.__context__, *[a for a in getattr(e, "args", ()) if isinstance(a, BaseException)]]
        reason = getattr(e, "reason", None)
        if isinstance(reason, BaseException):
            stack.append(reason)
    return seen


def _unresolved(exc: BaseException) -> bool:
    return any(isinstance(e, (socket.gaierror, urllib3.exceptions.NameResolutionError)) for e in _causes(exc))


def _refused(exc: BaseException) -> bool:
    return any(isinstance(e, ConnectionRefusedError) for e in _causes(exc))


def _describe_exception(exc: Exception) -> str:
    if isinstance(exc, DeadlineExceeded):
        return "no complete answer in time"
    if isinstance(exc, requests.Timeout):
        return "no answer in time"
    if isinstance(exc, (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError)):
        return "answer cut short"
    if _refused(exc):
        return "connection refused"
    return "connection failed"
