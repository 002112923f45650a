"""Section matching and section changes.

Sections are matched by whole-section hash (unchanged, perhaps moved), heading path, body hash (renamed), heading
(moved under another parent), then by content similarity (renamed and edited); the rest are added or removed.
Sections whose text hash is equal are never diffed further.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Callable, Hashable
from typing import Literal

from ..model import DiffOp, Section, SectionChange
from ..text.document import Document
from .words import similarity, word_diff

#: two sections with different headings are "the same section renamed" above this word overlap
RENAME_SIMILARITY = 0.5


def moved_pairs(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
    """Pairs (old index, new index) outside a longest increasing run of new indexes: the ones that moved."""
    pairs = sorted(pairs)
    tails: list[int] = []
    tails_idx: list[int] = []
    prev = [-1] * len(pairs)
    for i, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            tails_idx.append(i)
        else:
            tails[k] = j
            tails_idx[k] = i
        prev[i] = tails_idx[k - 1] if k else -1
    keep = set()
    i = tails_idx[-1] if tails_idx else -1
    while i >= 0:
        keep.add(pairs[i])
        i = prev[i]
    return set(pairs) - keep


def match_sections(old: Document, new: Document) -> list[tuple[Section | None, Section | None]]:
    """Pair old and new sections; unpaired ones come with None on the other side."""
    pairs: list[tuple[Section, Section]] = []
    free_old = list(old.sections)
    free_new = list(new.sections)

    def pair_by(key: Callable[[Section], Hashable]) -> None:
        buckets: dict[object, list[Section]] = defaultdict(list)
        for s in free_old:
            buckets[key(s)].append(s)
        taken_new = []
        for s in free_new:
            bucket = buckets.get(key(s))
            if bucket:
                o = bucket.pop(0)
                pairs.append((o, s))
                free_old.remove(o)
                taken_new.append(s)
        for s in taken_new:
            free_new.remove(s)

    pair_by(lambda s: s.digest)  # unchanged (possibly moved)
    pair_by(lambda s: s.path)  # same heading path
    pair_by(lambda s: s.body_digest if s.body_start < s.end else None)  # renamed, same body
    pair_by(lambda s: (s.level, s.heading))  # same heading, moved under another parent
    if free_old and free_new:
        candidates = sorted(
            ((similarity(old.section_text(o), new.section_text(n)), o.index, n.index, o, n)
             for o in free_old for n in free_new if o.level == n.level or o.index == 0 or n.index == 0),
            key=lambda t: (-t[0], t[1], t[2]),
        )
        for score, _, _, o, n in candidates:
            if score < RENAME_SIMILARITY:
                break
            if o in free_old and n in free_new and (o.index == 0) == (n.index == 0):
                pairs.append((o, n))
                free_old.remove(o)
                free_new.remove(n)
    out: list[tuple[Section | None, Section | None]] = list(pairs)
    out.extend((o, None) for o in free_old)
    out.extend((None, n) for n in free_new)
    return out


def diff_sections(old: Document, new: Document) -> list[SectionChange]:
    """Changed sections in new-revision order (removed ones at their old place); unchanged ones left out."""
    matched = match_sections(old, new)
    both = [(o.index, n.index) for o, n in matched if o is not None and n is not None]
    moved = moved_pairs(both)
    changes: list[SectionChange] = []
    for o, n in matched:
        if o is None:
            assert n is not None
            changes.append(SectionChange("added", None, n, modified=True,
                                         ops=[DiffOp("insert", new.section_text(n), len(old.text), n.start)]))
            continue
        if n is None:
            changes.append(SectionChange("removed", o, None, modified=True,
                                         ops=[DiffOp("delete", old.section_text(o), o.start, 0)]))
            continue
        is_moved = (o.index, n.index) in moved
        is_renamed = o.heading != n.heading
        is_modified = o.body_digest != n.body_digest
        if not (is_moved or is_renamed or is_modified):
            continue
        ops = (word_diff(old.text[o.body_start:o.end], new.text[n.body_start:n.end], o.body_start, n.body_start)
               if is_modified else [])
        change: Literal["renamed", "moved", "modified"] = (
            "renamed" if is_renamed else "moved" if is_moved else "modified")
        changes.append(SectionChange(change, o, n, is_moved, is_renamed, is_modified, ops))
    changes.sort(key=lambda c: (c.new.index if c.new else _insert_point(c.old, matched) if c.old else -1.0,
                                c.new is None))
    return changes


def _insert_point(old_section: Section, matched: list[tuple[Section | None, Section | None]]) -> float:
    """A sort key placing a removed section after the new section that follows its old predecessor."""
    best = -1.0
    for o, n in matched:
        if o is not None and n is not None and o.index < old_section.index:
            best = max(best, n.index + 0.5)
    return best
