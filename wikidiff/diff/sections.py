"""Section matching and section changes.

Sections are matched by whole-section hash (unchanged, perhaps moved), heading path, body hash (renamed), heading
(moved under another parent), then by content similarity (renamed and edited); the rest are added or removed.
Sections whose text hash is equal are never diffed further.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Hashable
from itertools import accumulate
from typing import Literal

from ..model import DiffOp, Section, SectionChange
from ..text.document import Document
from ..text.memo import TextMemo
from .words import bag, bag_similarity, word_diff

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
    """Pair old and new sections; unpaired ones come with None on the other side.

    Each step costs near-linear time in the number of sections: exact keys go through hash buckets, and the
    similarity step compares a section only with the few (at most MAX_CANDIDATES) unpaired sections that share one
    of its rarest words or stand near it in order, not with every unpaired section.
    """
    pairs: list[tuple[Section, Section]] = []
    free_old: dict[int, Section] = {s.index: s for s in old.sections}  # insertion-ordered: page order
    free_new: dict[int, Section] = {s.index: s for s in new.sections}

    def pair_by(key: Callable[[Section], Hashable]) -> None:
        buckets: dict[object, deque[Section]] = defaultdict(deque)
        for s in free_old.values():
            buckets[key(s)].append(s)
        for s in list(free_new.values()):
            bucket = buckets.get(key(s))
            if bucket:
                o = bucket.popleft()
                pairs.append((o, s))
                del free_old[o.index]
                del free_new[s.index]

    pair_by(lambda s: s.digest)  # unchanged (possibly moved)
    pair_by(lambda s: s.path)  # same heading path
    pair_by(lambda s: s.body_digest if s.body_start < s.end else None)  # renamed, same body
    pair_by(lambda s: (s.level, s.heading))  # same heading, moved under another parent
    if free_old and free_new:
        for o, n in _similar_pairs(old, new, list(free_old.values()), list(free_new.values())):
            if o.index in free_old and n.index in free_new:
                pairs.append((o, n))
                del free_old[o.index]
                del free_new[n.index]
    out: list[tuple[Section | None, Section | None]] = list(pairs)
    out.extend((o, None) for o in free_old.values())
    out.extend((None, n) for n in free_new.values())
    return out


#: how many unpaired old sections one new section is compared with, at most
MAX_CANDIDATES = 40
#: neighbours in order always compared (a section renamed and edited in place)
WINDOW = 3


#: word bags of sections met lately, by the section's digest (an edit war compares the same sections again)
_bags: TextMemo[Counter[str]] = TextMemo(4_000_000)


def _bag(doc: Document, section: Section) -> Counter[str]:
    got = _bags.get(section.digest)
    return got if got is not None else _bags.put(section.digest, bag(doc.section_text(section)),
                                                  section.end - section.start)


def forget() -> None:
    """Drop the remembered section bags (a reference run that must compute everything)."""
    _bags.clear()


def _similar_pairs(old: Document, new: Document, olds: list[Section], news: list[Section]
                   ) -> list[tuple[Section, Section]]:
    """Pairs of unpaired sections similar enough to be one section renamed and edited, best first."""
    old_bags = [_bag(old, o) for o in olds]
    new_bags = [_bag(new, n) for n in news]
    holders: dict[str, list[int]] = defaultdict(list)  # word -> old sections (positions in `olds`) holding it
    for i, b in enumerate(old_bags):
        for word in b:
            holders[word].append(i)
    scored = []
    for j, n in enumerate(news):
        near = round(j * len(olds) / len(news))
        candidates = dict.fromkeys(range(max(0, near - WINDOW), min(len(olds), near + WINDOW + 1)))
        for word in sorted(new_bags[j], key=lambda w: len(holders.get(w, ()))):  # rarest words first
            for i in holders.get(word, ()):
                if len(candidates) >= MAX_CANDIDATES:
                    break
                candidates[i] = None
            if len(candidates) >= MAX_CANDIDATES:
                break
        for i in candidates:
            o = olds[i]
            if (o.index == 0) != (n.index == 0) or not (o.level == n.level or o.index == 0):
                continue
            score = bag_similarity(old_bags[i], new_bags[j])
            if score >= RENAME_SIMILARITY:
                scored.append((-score, o.index, n.index, o, n))
    scored.sort(key=lambda t: t[:3])
    return [(o, n) for _, _, _, o, n in scored]


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
        # the heading line itself can change without its heading text: its level, a comment or spaces in it
        old_head, new_head = old.text[o.start:o.body_start], new.text[n.start:n.body_start]
        head_changed = old_head != new_head
        is_modified = o.body_digest != n.body_digest or (head_changed and not is_renamed)
        if not (is_moved or is_renamed or is_modified):
            continue
        # a renamed section says so (old and new heading); a heading line changed otherwise is diffed like text
        ops = word_diff(old_head, new_head, o.start, n.start) if head_changed and not is_renamed else []
        if o.body_digest != n.body_digest:
            ops += word_diff(old.text[o.body_start:o.end], new.text[n.body_start:n.end], o.body_start, n.body_start)
        change: Literal["renamed", "moved", "modified"] = (
            "renamed" if is_renamed else "moved" if is_moved else "modified")
        changes.append(SectionChange(change, o, n, is_moved, is_renamed, is_modified, ops))
    insert_point = _insert_points(both)
    changes.sort(key=lambda c: (c.new.index if c.new else insert_point(c.old.index) if c.old else -1.0,
                                c.new is None))
    return changes


def _insert_points(both: list[tuple[int, int]]) -> Callable[[int], float]:
    """A sort key placing a removed section (by its old index) after the new section that follows its old
    predecessor: the furthest new index among pairs with a smaller old index, found by bisection."""
    ordered = sorted(both)
    olds = [o for o, _ in ordered]
    reach = list(accumulate((n + 0.5 for _, n in ordered), max))

    def point(old_index: int) -> float:
        k = bisect_left(olds, old_index)
        return reach[k - 1] if k else -1.0
    return point
