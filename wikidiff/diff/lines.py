"""The page's line diff as MediaWiki's diff view shows it: changed blocks of (old lines, new lines)."""

from __future__ import annotations

from bisect import bisect_right
from functools import cached_property

from .words import LINE, token_diff


class LineBlocks(list):
    """line_blocks' result, a list of (old lines, new lines), with lookups by old offset built on first use."""

    @cached_property
    def _with_old(self) -> tuple[list, list[int]]:
        blocks = [b for b in self if b[0]]
        return blocks, [b[0][0][0] for b in blocks]

    @cached_property
    def _content(self) -> dict[int, tuple[list[tuple[int, str]], list[int], list[tuple[int, str]]]]:
        return {}

    def block_at(self, old_pos: int) -> int:
        """Index (among blocks with old lines) of the block whose old lines hold `old_pos`, or -1."""
        blocks, starts = self._with_old
        i = bisect_right(starts, old_pos) - 1
        if i < 0 or old_pos >= blocks[i][0][-1][0] + len(blocks[i][0][-1][1]):
            return -1
        return i

    def content_lines(self, i: int) -> tuple[list[tuple[int, str]], list[int], list[tuple[int, str]]]:
        """Block i's non-blank old lines, their offsets, and its non-blank new lines."""
        if i not in self._content:
            old_lines, new_lines = self._with_old[0][i]
            content_old = [ln for ln in old_lines if ln[1].strip()]
            self._content[i] = (content_old, [off for off, _ in content_old],
                                [ln for ln in new_lines if ln[1].strip()])
        return self._content[i]


class _SpanMap:
    """Offsets in a concatenation of spans of a text -> offsets in the text (asked in increasing order)."""

    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = spans
        self.i = 0
        self.base = 0  # offset in the concatenation where spans[i] starts

    def __call__(self, pos: int) -> int:
        while self.i + 1 < len(self.spans) and pos >= self.base + self.spans[self.i][1] - self.spans[self.i][0]:
            self.base += self.spans[self.i][1] - self.spans[self.i][0]
            self.i += 1
        return self.spans[self.i][0] + pos - self.base


def line_blocks(old: str, new: str, old_spans: list[tuple[int, int]] | None = None,
                new_spans: list[tuple[int, int]] | None = None) -> LineBlocks:
    """Changed blocks of a line diff of the page (or of only the given spans of each side, e.g. the changed
    sections: unchanged text adds no block): each block is (old lines, new lines) with their page offsets."""
    old_spans = old_spans if old_spans is not None else [(0, len(old))]
    new_spans = new_spans if new_spans is not None else [(0, len(new))]
    a = "".join(old[x:y] for x, y in old_spans)
    b = "".join(new[x:y] for x, y in new_spans)
    to_old, to_new = _SpanMap(old_spans or [(0, 0)]), _SpanMap(new_spans or [(0, 0)])
    blocks = LineBlocks()
    cur_old: list[tuple[int, str]] = []
    cur_new: list[tuple[int, str]] = []
    oi = ni = 0
    for op, text in token_diff(a, b, LINE):
        if op == 0:
            if cur_old or cur_new:
                blocks.append((cur_old, cur_new))
                cur_old, cur_new = [], []
            oi += len(text)
            ni += len(text)
            continue
        for line in LINE.findall(text):
            if op < 0:
                cur_old.append((to_old(oi), line))
                oi += len(line)
            else:
                cur_new.append((to_new(ni), line))
                ni += len(line)
    if cur_old or cur_new:
        blocks.append((cur_old, cur_new))
    return blocks


def replacement_line(blocks: LineBlocks, old_pos: int) -> tuple[int, str] | None:
    """The new line shown beside the old line holding `old_pos` (paired by order within its block)."""
    i = blocks.block_at(old_pos)
    if i < 0:
        return None
    content_old, starts, content_new = blocks.content_lines(i)
    idx = bisect_right(starts, old_pos) - 1
    if idx < 0 or old_pos >= starts[idx] + len(content_old[idx][1]):
        idx = 0
    return content_new[idx] if idx < len(content_new) else None
