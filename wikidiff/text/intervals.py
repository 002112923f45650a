"""The innermost of many spans at a position, answered by binary search (for lookups that would otherwise try every
span for every position: thousands of refs against thousands of lists or notes)."""

from __future__ import annotations

import heapq
from bisect import bisect_right
from collections.abc import Iterable
from typing import Generic, TypeVar

T = TypeVar("T")


class Innermost(Generic[T]):
    """Among spans [start, end) with a value, the one holding a position that starts last (on a tie, the first
    given). One sweep cuts the text into pieces where that answer is constant; `at` finds the piece."""

    __slots__ = ("_answers", "_cuts")

    def __init__(self, spans: Iterable[tuple[int, int, T]]) -> None:
        items = sorted((a, i, b, v) for i, (a, b, v) in enumerate(spans) if a < b)
        cuts = sorted({x for a, _, b, _ in items for x in (a, b)})
        self._cuts: list[int] = []
        self._answers: list[tuple[int, T] | None] = []
        live: list[tuple[int, int, int, T]] = []  # heap: latest start first, then first given
        k = 0
        for p in cuts:
            while k < len(items) and items[k][0] <= p:
                a, i, b, v = items[k]
                heapq.heappush(live, (-a, i, b, v))
                k += 1
            while live and live[0][2] <= p:  # ended; spans under the top that ended go when they come up
                heapq.heappop(live)
            self._cuts.append(p)
            self._answers.append((-live[0][0], live[0][3]) if live else None)

    def at(self, pos: int) -> tuple[int, T] | None:
        """(start, value) of the span holding `pos` that starts last, or None."""
        i = bisect_right(self._cuts, pos) - 1
        return self._answers[i] if i >= 0 else None
