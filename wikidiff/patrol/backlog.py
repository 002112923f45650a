"""The bounded queue between the stream reader and the auditor, and the stream position it makes safe to store.

The reader puts each kept edit here; when the queue is full it either drops the oldest waiting edit (live
patrol: stay near the present and count what was skipped) or waits (catching up from a stored position or a
timestamp: the server holds the rest). Every event read, kept or not, advances `read_id` under the same lock, so
once the queue is empty the auditor knows that every event up to `read_id` has been handled.
"""

from __future__ import annotations

import threading
from collections import deque

from .events import Edit


class Backlog:
    def __init__(self, maxsize: int, *, skip_when_full: bool) -> None:
        if maxsize < 1:
            raise ValueError("the queue must hold at least one edit")
        self.maxsize = maxsize
        self.skip_when_full = skip_when_full
        self.skipped = 0
        self.read_id: str | None = None
        self.newest_epoch: float | None = None  # the time of the newest event read: "now" on the stream
        self._items: deque[Edit] = deque()
        self._cond = threading.Condition()
        self._closed = False

    def __len__(self) -> int:
        with self._cond:
            return len(self._items)

    def put(self, edit: Edit | None, event_id: str | None, epoch: float | None = None) -> bool:
        """Record an event read (queueing its edit, if any); False once closed."""
        with self._cond:
            if edit is not None:
                while len(self._items) >= self.maxsize and not self._closed:
                    if self.skip_when_full:
                        self._items.popleft()
                        self.skipped += 1
                    else:
                        self._cond.wait()
                if self._closed:
                    return False
                self._items.append(edit)
                self._cond.notify_all()
            if event_id is not None:
                self.read_id = event_id
            if epoch is not None and (self.newest_epoch is None or epoch > self.newest_epoch):
                self.newest_epoch = epoch
            return not self._closed

    def take(self, most: int, timeout: float) -> list[Edit]:
        """Up to `most` waiting edits, oldest first; [] after `timeout` seconds with none, or once closed."""
        with self._cond:
            if not self._items and not self._closed:
                self._cond.wait(timeout)
            batch = [self._items.popleft() for _ in range(min(most, len(self._items)))]
            if batch:
                self._cond.notify_all()
            return batch

    def drained_position(self) -> str | None:
        """The id of the last event read, when no edit waits (so everything up to it is handled), else None."""
        with self._cond:
            return self.read_id if not self._items else None

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    @property
    def closed(self) -> bool:
        with self._cond:
            return self._closed
