"""A memo for results computed from pieces of text (lines, sections, paragraphs) that a page history meets again
and again, bounded by the characters it holds rather than by its count of entries: a history of huge lines keeps
few, one of short lines keeps many, and memory stays flat either way."""

from __future__ import annotations

from typing import Generic, TypeVar

V = TypeVar("V")


class TextMemo(Generic[V]):
    """Values by text (or any key with a size in characters); emptied whole when the sizes would pass `chars`.
    A piece larger than a quarter of `chars` is never kept."""

    def __init__(self, chars: int) -> None:
        self.chars = chars
        self.held = 0
        self.values: dict[object, V] = {}

    def get(self, key: object) -> V | None:
        return self.values.get(key)

    def put(self, key: object, value: V, size: int) -> V:
        if size <= self.chars // 4 and key not in self.values:
            if self.held + size > self.chars:
                self.clear()
            self.values[key] = value
            self.held += size
        return value

    def clear(self) -> None:
        self.values.clear()
        self.held = 0

    def __len__(self) -> int:
        return len(self.values)
