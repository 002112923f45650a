"""Restored text: what an edit brought back from one of the page's earlier revisions is restored, not written.

A revert, or a restore after blanking, puts back text that was on the page a few revisions ago; flags about new
prose (unsourced text, words to watch, added tags, citation errors) on that text are the earlier author's, not this
edit's. The rule, the same for a history and a fetched edit:

- the *unit* of a flag is the sentence its span (or offset) lies in, on its line of the new revision, grown to the
  whole span when the span is longer (an unsourced paragraph) and to the whole line when the sentence is too short
  to tell one place from another (fewer than `MIN_UNIT` characters);
- the flag is restored when its unit, whitespace folded, is present in one of the earlier revisions given: the
  page's revisions before the edit, the parent included, as far back as an identity revert reaches (the radius
  15 plus the revision returned to: 16).

Text the edit really wrote is in no earlier revision, so it stays flagged. Text already in the parent was not
written by the edit either (a paragraph the diff saw as new because its line changed around it), so it counts as
restored too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Any

from .model import Flag

#: the flag codes that speak about text an edit added, and so can be about restored text
RESTORABLE = frozenset({"unsourced-text", "words-to-watch", "tag-added", "citation-error"})
#: a unit shorter than this (characters) is widened to its line
MIN_UNIT = 40

_SENTENCE_END = re.compile(r"[.!?。।؟][\"'”’)\]]*\s+")


def fold(text: str) -> str:
    """Whitespace runs as one space (how a unit is compared with earlier revisions)."""
    return " ".join(text.split())


class Seen:
    """One earlier revision's text, its lines and the text with whitespace folded (each made when first needed)."""

    __slots__ = ("text", "_folded", "_lines")

    def __init__(self, text: str | None):
        self.text = text or ""
        self._folded: str | None = None
        self._lines: set[str] | None = None

    @property
    def lines(self) -> set[str]:
        """Its lines, stripped (a restored paragraph is found here without a search)."""
        if self._lines is None:
            self._lines = {line.strip() for line in self.text.split("\n")}
        return self._lines

    @property
    def folded(self) -> str:
        if self._folded is None:
            self._folded = fold(self.text)
        return self._folded


#: a unit longer than this (characters) is looked for in the folded texts, not as a pattern (cheaper to build)
PATTERN_MAX = 2000


def _spaced(folded: str) -> re.Pattern[str]:
    """`folded` (words and single spaces) as a pattern with any run of white space between its words: a text holds
    a match just when the text, whitespace folded, holds `folded` (its first word may end a word of the text, its
    last may begin one, the ones between are whole words of it)."""
    return re.compile(r"\s+".join(re.escape(word) for word in folded.split(" ")))


class Earlier:
    """The page's earlier revisions a restoration may come from (texts, or `Seen` to share their folding)."""

    def __init__(self, texts: Iterable[str | Seen] = ()):
        seen = [t if isinstance(t, Seen) else Seen(t) for t in texts if t and (not isinstance(t, Seen) or t.text)]
        self.seen = list({id(s): s for s in seen}.values())  # a text shared by several revisions is searched once
        self._answers: dict[tuple[str, str], bool] = {}  # flags on one sentence ask once

    def has(self, raw: str, folded: str) -> bool:
        """Whether one of the texts holds `raw` as it is, or, whitespace folded, `folded`."""
        found = self._answers.get((raw, folded))
        if found is None:
            found = self._answers[raw, folded] = self._search(raw, folded)
        return found

    def _search(self, raw: str, folded: str) -> bool:
        latest_first = self.seen[::-1]  # a revert's target is recent
        if any(raw in s.lines for s in latest_first):
            return True
        # Each word of a match, and so of `raw`, stands in the text as written: texts without the unit's two
        # longest words are out (one pass for each of them rules out most of the texts).
        longest = sorted(set(folded.split(" ")), key=len, reverse=True)[:2]
        maybe = [s for s in latest_first if all(word in s.text for word in longest)]
        if not maybe:
            return False
        if any(raw in s.text for s in maybe):
            return True
        if len(folded) > PATTERN_MAX:
            return any(folded in s.folded for s in maybe)
        spaced = _spaced(folded)  # found in a text as written just when `folded` is in the text folded
        return any(spaced.search(s.text) for s in maybe)

    def __contains__(self, unit: str) -> bool:
        return self.has(unit, fold(unit))

    def __bool__(self) -> bool:
        return bool(self.seen)


def unit(text: str, start: int, end: int | None = None) -> str:
    """The sentence of `text` around [start, end) on its line (see the module doc), as written."""
    start = max(0, min(start, len(text)))
    end = start if end is None else max(start, min(end, len(text)))
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end < 0 else line_end
    s = line_start
    for m in _SENTENCE_END.finditer(text, line_start, start):
        s = m.end()
    after = _SENTENCE_END.search(text, max(end, s), line_end)
    e = after.end() if after else line_end
    piece = text[s:e].strip()
    if len(piece) < MIN_UNIT:
        piece = text[line_start:line_end].strip()
    return piece


def is_restored(new_text: str, earlier: Earlier, start: int, end: int | None = None) -> bool:
    """Whether the text at [start, end) of the new revision was restored (see the module doc)."""
    if not earlier:
        return False
    u = unit(new_text, start, end)
    return bool(u) and earlier.has(u, fold(u))


def position(text: str, span: tuple[str, int, int] | None, new_offset: int | None,
             fields: dict[str, Any]) -> tuple[int, int | None] | None:
    """Where a flag sits in the new revision `text`: its span when on the new side, else its new offset (to the
    end of the line when the flag is about a whole paragraph)."""
    if span is not None and span[0] == "new":
        return span[1], span[2]
    if new_offset is None:
        return None
    if fields.get("scope") == "paragraph":
        end = text.find("\n", new_offset)
        return new_offset, len(text) if end < 0 else end
    return new_offset, None


def flag_position(flag: Flag, text: str) -> tuple[int, int | None] | None:
    span = (flag.span.side, flag.span.start, flag.span.end) if flag.span is not None else None
    return position(text, span, flag.new_offset, flag.fields)


def mark_restored(flags: Sequence[Flag], new_text: str, earlier: Earlier | Iterable[str]) -> int:
    """Set `restored: True` in the fields of each restorable flag on restored text; returns how many.
    `earlier`: the texts of the page's revisions before the edit (the parent first or not: order is free)."""
    earlier = earlier if isinstance(earlier, Earlier) else Earlier(earlier)
    if not earlier:
        return 0
    n = 0
    for f in flags:
        if f.code not in RESTORABLE:
            continue
        at = flag_position(f, new_text)
        if at is not None and is_restored(new_text, earlier, at[0], at[1]):
            f.fields["restored"] = True
            n += 1
    return n
