"""A memo for results computed from pieces of text (lines, sections, paragraphs) that a page history meets again
and again, bounded by the characters it holds rather than by its count of entries: a history of huge lines keeps
few, one of short lines keeps many, and memory stays flat either way."""

from __future__ import annotations

from typing import Any, TypeVar

V = TypeVar("V")


class TextMemo(dict[Any, V]):
    """Values by text (or any key with a size in characters): a dict (`get` is the dict's own, as fast), filled
    with `put`, emptied whole when the sizes would pass `chars`. A piece larger than a quarter of `chars` is never
    kept."""

    def __init__(self, chars: int) -> None:
        super().__init__()
        self.chars = chars
        self.held = 0

    def put(self, key: Any, value: V, size: int) -> V:
        if size <= self.chars // 4 and key not in self:
            if self.held + size > self.chars:
                self.clear()
            self[key] = value
            self.held += size
        return value

    def clear(self) -> None:
        super().clear()
        self.held = 0
