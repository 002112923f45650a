"""Progress of a run on stderr (tqdm), only when stderr is a terminal."""

from __future__ import annotations

import os
import sys
from typing import Any


class Progress:
    """Revisions done, rate and ETA on stderr (tqdm); silent when disabled or stderr is not a terminal.

    With `total_bytes` (a dump file) the bar follows the bytes of the file read, which gives an ETA even when the
    number of revisions is unknown; otherwise it counts revisions against `total` (may be None).
    """

    def __init__(self, enabled: bool = True, total: int | None = None, total_bytes: int | None = None,
                 desc: str | None = None):
        self.enabled = enabled and _stderr_is_terminal()
        self.bar: Any = None
        self.bytes_mode = total_bytes is not None
        self.revisions = 0
        if self.enabled:
            from tqdm import tqdm

            try:
                width = os.get_terminal_size(sys.stderr.fileno()).columns or 100
            except OSError:
                width = 100
            if self.bytes_mode:
                self.bar = tqdm(total=total_bytes, unit="B", unit_scale=True, file=sys.stderr, desc=desc,
                                ncols=width)
            else:
                self.bar = tqdm(total=total, unit="rev", file=sys.stderr, desc=desc, ncols=width)
        self._last = 0.0

    def update(self, revisions: int, position: int | None = None) -> None:
        self.revisions = revisions
        if self.bar is None:
            return
        if self.bytes_mode:
            if position is not None:
                self.bar.update(max(0, position - self.bar.n))
            elapsed = self.bar.format_dict.get("elapsed") or 0
            if elapsed - self._last >= 0.5:
                self._last = elapsed
                self._postfix(elapsed)
        else:
            self.bar.update(revisions - self.bar.n)

    def _postfix(self, elapsed: float) -> None:
        rate = self.revisions / elapsed if elapsed else 0.0
        if self.bar is not None:
            self.bar.set_postfix_str(f"{self.revisions} revisions, {rate:.1f} rev/s", refresh=False)

    def close(self, finished: bool = False) -> None:
        """Stop the bar; `finished` when the input was read to its end (the bar then shows 100%)."""
        if self.bar is None:
            return
        if self.bytes_mode:
            if finished and self.bar.total:
                self.bar.update(self.bar.total - self.bar.n)
            self._postfix(self.bar.format_dict.get("elapsed") or 0)
        self.bar.close()
        self.bar = None


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False

