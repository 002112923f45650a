"""Moved paragraphs: a paragraph deleted in one place and inserted in another is one move.

Computed in the diff layer from the section changes (the auditor passes them to the checks, which skip moved text).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from ..model import DiffOp, SectionChange
from ..text.document import Document
from .words import LINE, bag

#: paragraphs shorter than this (characters) are too common to call a move (blank lines, "}}", list bullets)
MOVE_MIN_CHARS = 40
#: a deleted and an inserted paragraph this similar are one paragraph, moved (and perhaps edited)
MOVE_SIMILARITY = 0.8


@dataclass
class Move:
    """A paragraph deleted in one place and inserted in another: one move, not a removal plus an addition."""

    old_offset: int
    new_offset: int
    old_text: str
    new_text: str
    old_section: str | None
    new_section: str | None
    similarity: float

    @property
    def edited(self) -> bool:
        return self.old_text.strip() != self.new_text.strip()

    def to_dict(self) -> dict[str, Any]:
        return {"old_offset": self.old_offset, "new_offset": self.new_offset, "old_section": self.old_section,
                "new_section": self.new_section, "similarity": round(self.similarity, 3), "edited": self.edited,
                "text": self.new_text.strip()}


def _whole_lines(ops: list[DiffOp], kind: str, text: str) -> list[tuple[int, str]]:
    """Lines of `text` (a revision) lying entirely inside runs of `kind` ("delete" on old, "insert" on new)."""
    out = []
    for op in ops:
        if op.op != kind:
            continue
        at = op.old_offset if kind == "delete" else op.new_offset
        for m in LINE.finditer(op.text):
            start = at + m.start()
            line = m.group()
            whole = (start == 0 or text[start - 1] == "\n") and (line.endswith("\n") or start + len(line) == len(text))
            if whole and len(line.strip()) >= MOVE_MIN_CHARS:
                out.append((start, line))
    return out


def find_moves(old: Document, new: Document, changes: list[SectionChange]) -> list[Move]:
    """Paragraphs that left one place and arrived in another (same section or not), exact or edited."""
    gone = [p for c in changes for p in _whole_lines(c.ops, "delete", old.text)]
    came = [p for c in changes for p in _whole_lines(c.ops, "insert", new.text)]
    if not gone or not came:
        return []
    moves: list[Move] = []
    by_text: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for p in came:
        by_text[" ".join(p[1].split())].append(p)
    rest_gone = []
    for off, line in gone:
        bucket = by_text.get(" ".join(line.split()))
        if bucket:
            noff, nline = bucket.pop(0)
            moves.append(Move(off, noff, line, nline, old.section_at(off).label, new.section_at(noff).label, 1.0))
        else:
            rest_gone.append((off, line))
    rest_came = [p for bucket in by_text.values() for p in bucket]
    if rest_gone and rest_came and len(rest_gone) * len(rest_came) <= 40_000:
        scored = sorted(_similar_pairs([p[1] for p in rest_gone], [p[1] for p in rest_came]), reverse=True)
        used_a: set[int] = set()
        used_b: set[int] = set()
        for score, i, j in scored:
            if score < MOVE_SIMILARITY:
                break
            if i in used_a or j in used_b:
                continue
            used_a.add(i)
            used_b.add(j)
            (off, line), (noff, nline) = rest_gone[i], rest_came[j]
            moves.append(Move(off, noff, line, nline, old.section_at(off).label, new.section_at(noff).label, score))
    moves.sort(key=lambda m: m.new_offset)
    return moves


def _similar_pairs(a: list[str], b: list[str]) -> list[tuple[float, int, int]]:
    """(similarity, i, j) for each pair of texts at least MOVE_SIMILARITY alike (words.similarity's score): each
    text's word bag is made once, and pairs whose sizes alone rule it out are never compared."""
    bags_a = [bag(t) for t in a]
    bags_b = [bag(t) for t in b]
    sizes_a = [sum(w.values()) for w in bags_a]
    sizes_b = [sum(w.values()) for w in bags_b]
    out = []
    for i, (wa, na) in enumerate(zip(bags_a, sizes_a, strict=True)):
        for j, (wb, nb) in enumerate(zip(bags_b, sizes_b, strict=True)):
            if not na and not nb:
                out.append((1.0, i, j))
                continue
            if 2 * min(na, nb) < MOVE_SIMILARITY * (na + nb):  # even all of the smaller bag shared is too little
                continue
            small, large = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
            inter = sum(min(n, large[w]) for w, n in small.items() if w in large)
            score = 2 * inter / (na + nb)
            if score >= MOVE_SIMILARITY:
                out.append((score, i, j))
    return out
