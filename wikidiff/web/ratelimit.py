"""A per-client rate limit: a token bucket per client address for the routes that make the server work.

Each client may start `per_minute` audits or histories in a burst and gets one more every 60/per_minute seconds;
past that it is answered 429 with Retry-After (whole seconds until its next token). Buckets of clients that have
been quiet long enough to be full again are dropped, so the table stays small.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(self, per_minute: int, *, clock: Callable[[], float] = time.monotonic, max_clients: int = 10000):
        self.per_minute = per_minute
        self.rate = per_minute / 60.0
        self.clock = clock
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}  # client -> (tokens, when)
        self._lock = threading.Lock()
        self.refused = 0

    def take(self, client: str) -> int:
        """0 when the client may go ahead (one token taken), else the seconds it should wait."""
        if self.per_minute <= 0:
            return 0
        now = self.clock()
        with self._lock:
            tokens, when = self._buckets.get(client, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - when) * self.rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                if len(self._buckets) > self.max_clients:
                    self._prune(now)
                return 0
            self._buckets[client] = (tokens, now)
            self.refused += 1
            return max(1, math.ceil((1.0 - tokens) / self.rate))

    def _prune(self, now: float) -> None:
        full = self.per_minute / self.rate
        for key, (_tokens, when) in list(self._buckets.items()):
            if now - when >= full:
                del self._buckets[key]
