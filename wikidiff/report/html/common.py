"""What every part of the HTML report shares: escaping, anchors, and where each flag sits in the page."""

from __future__ import annotations

import bisect
import hashlib
import html
import itertools
from collections import Counter, defaultdict
from typing import Any

from ...cite.index import refs_of
from ...codes import SEVERITIES, shorten
from ...model import SectionChange, Span
from ..rows import flag_spot

CELL_MAX = 400
#: the most flags of one code (and severity) the Flags section lists; the rest are counted by section
FLAGS_LISTED = 200
QUOTE_MAX = 600

Mark = tuple[int, int, int, str]  # (start, end, flag number, severity) in one revision's text


def e(value: Any) -> str:
    """Escape any value for HTML text or a double-quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def short(value: Any, limit: int) -> str:
    return e(shorten(value, limit))


def section_name(c: SectionChange) -> str:
    s = c.new or c.old
    return (s.label if s else None) or "(lead)"


def worst_severity(severities: list[str]) -> str:
    return next((sev for sev in SEVERITIES if sev in severities), "info")


class Page:
    """Everything one render needs: anchors, flag spots and which of them the diffs showed."""

    def __init__(self, audit) -> None:
        self.audit = audit
        seed = f"{audit.old.digest}:{audit.new.digest}".encode()
        self.prefix = "wd" + hashlib.blake2b(seed, digest_size=4).hexdigest()
        self.spots: dict[int, Span] = {}
        for i, f in enumerate(audit.flags, 1):
            spot = flag_spot(f, audit)
            if spot is not None:
                self.spots[i] = spot
        self.marks: dict[str, list[Mark]] = {"old": [], "new": []}
        for i, spot in self.spots.items():
            self.marks[spot.side].append((spot.start, spot.end, i, audit.flags[i - 1].severity))
        for marks in self.marks.values():
            marks.sort()
        # marks ordered by start, with the running maximum of their ends: those over a range are found by bisection
        self._mark_starts = {side: [m[0] for m in marks] for side, marks in self.marks.items()}
        self._mark_reach = {side: list(itertools.accumulate((max(m[1], m[0] + 1) for m in marks), max))
                            for side, marks in self.marks.items()}
        self.refs = {side: ref_spans(doc) for side, doc in (("old", audit.old), ("new", audit.new))}
        self._ref_starts = {side: [s for s, _ in spans] for side, spans in self.refs.items()}
        self.shown: set[int] = set()  # flags whose spot a rendered diff contains
        self.listed = _listed(audit.flags)  # flags the Flags section lists (and pins may point to)
        self.change_of_flag: dict[int, int] = {}
        self.flags_of_change: dict[int, list[int]] = defaultdict(list)
        self._assign_flags()

    def id(self, *parts: Any) -> str:
        return "-".join([self.prefix, *(str(p) for p in parts)])

    def marks_over(self, side: str, lo: int, hi: int) -> list[Mark]:
        """The flag marks of one side that touch [lo, hi) (a point mark touches where it sits)."""
        marks = self.marks[side]
        k = bisect.bisect_left(self._mark_starts[side], hi)
        j = bisect.bisect_right(self._mark_reach[side], lo, 0, k)  # marks before j all end at or before lo
        return [m for m in marks[j:k] if max(m[1], m[0] + 1) > lo]

    def refs_over(self, side: str, lo: int, hi: int) -> list[tuple[int, int]]:
        """The outermost ref spans of one side that overlap [lo, hi)."""
        spans = self.refs[side]
        k = max(0, bisect.bisect_right(self._ref_starts[side], lo) - 1)
        out = []
        while k < len(spans) and spans[k][0] < hi:
            if spans[k][1] > lo:
                out.append(spans[k])
            k += 1
        return out

    def _assign_flags(self) -> None:
        by_label: dict[tuple[str, str | None], int] = {}
        starts: dict[str, list[tuple[int, int, int]]] = {"old": [], "new": []}
        for number, c in enumerate(self.audit.sections, 1):
            for side, s in (("new", c.new), ("old", c.old)):
                if s is not None:
                    by_label.setdefault((side, s.label), number)
                    starts[side].append((s.start, max(s.end, s.start + 1), number))
        for spans in starts.values():
            spans.sort()
        for fi, f in enumerate(self.audit.flags, 1):
            spot = self.spots.get(fi)
            ci = _change_at(starts[spot.side], spot.start) if spot is not None else None
            if ci is None:
                sides = (spot.side, "new" if spot.side == "old" else "old") if spot else ("new", "old")
                ci = next((by_label[(s, f.section)] for s in sides if (s, f.section) in by_label), None)
            if ci is not None:
                self.change_of_flag[fi] = ci
                self.flags_of_change[ci].append(fi)


def _change_at(spans: list[tuple[int, int, int]], offset: int) -> int | None:
    """The first change (in report order) whose section holds `offset`; sections of one side do not overlap."""
    k = bisect.bisect_right(spans, (offset, float("inf"), 0)) - 1
    hits = [ci for lo, hi, ci in spans[max(0, k - 1): k + 1] if lo <= offset < hi]
    return min(hits) if hits else None


def ref_spans(doc) -> list[tuple[int, int]]:
    """Spans of the <ref> tags in a revision, outermost only, to set them apart from the prose."""
    spans: list[tuple[int, int]] = []
    for r in sorted(refs_of(doc), key=lambda r: r.start):
        if r.end > r.start and (not spans or r.start >= spans[-1][1]):
            spans.append((r.start, r.end))
    return spans


def _listed(flags: list) -> set[int]:
    """The numbers of the flags the Flags section lists: the first FLAGS_LISTED of each severity and code."""
    seen: Counter[tuple[str, str]] = Counter()
    out = set()
    for i, f in enumerate(flags, 1):
        seen[(f.severity, f.code)] += 1
        if seen[(f.severity, f.code)] <= FLAGS_LISTED:
            out.add(i)
    return out
