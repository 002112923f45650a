"""HTTP politeness towards a wiki: the User-Agent, and a requests session that sends one request at a time and
retries with back-off.

Etiquette (Wikimedia's User-Agent policy and API etiquette): a User-Agent naming the tool and a contact, one request
at a time (a lock), and retries with back-off on 429, 5xx, lag (maxlag) and broken answers, honouring
`Retry-After`. mwclient builds the requests and reads the answers; its own retry loop is switched off because it
retries neither 429 nor a body cut short and does not honour `Retry-After` on 5xx, so the retries live in
`PoliteSession`, the requests session mwclient sends through.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any

import mwclient.client
import requests

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
