"""Shared by the HTML and Markdown reports: a section's word diff as side-by-side lines, and where flags point.

A section's DiffOps (equal runs included) are cut at newlines into old and new lines; lines between two shared
newlines form a block whose first and last lines face each other and whose middle lines are zipped in order, as in
MediaWiki's two-column diff. Flags are located as spans of the old or new revision text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePath

from ..codes import worst as worst_of
from ..model import Flag, SectionChange, Span


@dataclass
class Seg:
    """A run of one line: "equal", "delete" or "insert", starting at `start` in its side's revision text."""

    kind: str
    text: str
    start: int

    @property
    def end(self) -> int:
        return self.start + len(self.text)


@dataclass
class Line:
    number: int  # 1-based line number in its revision
    segs: list[Seg] = field(default_factory=list)
    newline: str = "equal"  # the kind of the newline ending the line ("none" at the end of the section)

    @property
    def changed(self) -> bool:
        return any(s.kind != "equal" for s in self.segs) or self.newline not in ("equal", "none")

    @property
    def whole(self) -> bool:
        """Entirely deleted or inserted (no equal text)."""
        return not any(s.kind == "equal" for s in self.segs)

    @property
    def start(self) -> int | None:
        return self.segs[0].start if self.segs else None

    def text(self) -> str:
        return "".join(s.text for s in self.segs)


@dataclass
class Row:
    old: Line | None
    new: Line | None

    @property
    def changed(self) -> bool:
        return self.old is None or self.new is None or self.old.changed or self.new.changed


def _line_number(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def _parts(text: str) -> Iterator[tuple[str, bool]]:
    """(line piece, whether it is the last) of `text` cut at newlines, without a list of all the pieces."""
    at = 0
    while True:
        cut = text.find("\n", at)
        if cut < 0:
            yield text[at:], True
            return
        yield text[at:cut], False
        at = cut + 1


def section_rows(change: SectionChange, old_text: str, new_text: str, limit: int | None = None) -> list[Row]:
    """The change's word diff as rows of facing old/new lines; with `limit`, at most limit + 1 rows (more than
    `limit` says that the rest was left out, and the work stops there)."""
    ops = change.ops
    if not ops:
        return []
    old_no = _line_number(old_text, ops[0].old_offset)
    new_no = _line_number(new_text, ops[0].new_offset)
    rows: list[Row] = []
    done_old: list[Line] = []
    done_new: list[Line] = []
    cur_old = Line(old_no)
    cur_new = Line(new_no)

    for op in ops:
        o, n = op.old_offset, op.new_offset
        for part, last in _parts(op.text):
            if op.op in ("equal", "delete") and part:
                cur_old.segs.append(Seg(op.op, part, o))
            if op.op in ("equal", "insert") and part:
                cur_new.segs.append(Seg(op.op, part, n))
            if op.op != "insert":
                o += len(part) + (0 if last else 1)
            if op.op != "delete":
                n += len(part) + (0 if last else 1)
            if last:
                continue
            if op.op in ("equal", "delete"):
                cur_old.newline = op.op
                done_old.append(cur_old)
                cur_old = Line(cur_old.number + 1)
            if op.op in ("equal", "insert"):
                cur_new.newline = op.op
                done_new.append(cur_new)
                cur_new = Line(cur_new.number + 1)
            if op.op == "equal":
                rows.extend(_align(done_old, done_new))
                done_old, done_new = [], []
            if limit is not None and len(rows) + max(len(done_old), len(done_new)) > limit:
                return (rows + _align(done_old, done_new))[: limit + 1]
    for cur, done in ((cur_old, done_old), (cur_new, done_new)):
        if cur.segs:
            cur.newline = "none"
            done.append(cur)
    rows.extend(_align(done_old, done_new))
    return rows if limit is None else rows[: limit + 1]


def changed_lines(change: SectionChange) -> tuple[int, int]:
    """How many old and new lines the change's diff spans (counted, not built)."""
    old = sum(op.text.count("\n") for op in change.ops if op.op != "insert")
    new = sum(op.text.count("\n") for op in change.ops if op.op != "delete")
    return old + 1, new + 1


def _align(old: list[Line], new: list[Line]) -> list[Row]:
    """Rows for one block: lines between two newlines both revisions share."""
    if not old or not new:
        return [Row(line, None) for line in old] + [Row(None, line) for line in new]
    if len(old) == len(new):
        return [Row(a, b) for a, b in zip(old, new, strict=True)]
    if min(len(old), len(new)) == 1:
        # the single line faces the other side's last line when it ends in shared text, else its first
        single_old = len(old) == 1
        single = old[0] if single_old else new[0]
        others = new if single_old else old
        tail = bool(single.segs) and single.segs[-1].kind == "equal"
        k = len(others) - 1 if tail else 0
        rows = []
        for i, line in enumerate(others):
            if i == k:
                rows.append(Row(single, line) if single_old else Row(line, single))
            else:
                rows.append(Row(None, line) if single_old else Row(line, None))
        return rows
    # first faces first, last faces last, the middle is zipped in order
    mid_old, mid_new = old[1:-1], new[1:-1]
    rows = [Row(old[0], new[0])]
    for i in range(max(len(mid_old), len(mid_new))):
        rows.append(Row(mid_old[i] if i < len(mid_old) else None, mid_new[i] if i < len(mid_new) else None))
    rows.append(Row(old[-1], new[-1]))
    return rows


def fold(rows: list[Row], keep: set[int], context: int = 1, min_fold: int = 3) -> list[tuple[bool, list[Row]]]:
    """Split rows into runs: (False, rows) shown, (True, rows) unchanged context to fold away.

    Rows that changed or whose index is in `keep` are shown with `context` rows around them; runs of at least
    `min_fold` other rows are folded.
    """
    interesting = [r.changed or i in keep for i, r in enumerate(rows)]
    near = [False] * len(rows)
    for i, hit in enumerate(interesting):
        if hit:
            for j in range(max(0, i - context), min(len(rows), i + context + 1)):
                near[j] = True
    runs: list[tuple[bool, list[Row]]] = []
    i = 0
    while i < len(rows):
        j = i
        while j < len(rows) and near[j] == near[i]:
            j += 1
        chunk = rows[i:j]
        folded = not near[i] and len(chunk) >= min_fold
        if runs and runs[-1][0] is False and not folded:
            runs[-1][1].extend(chunk)
        else:
            runs.append((folded, chunk))
        i = j
    return runs


def flag_spot(flag: Flag, audit) -> Span | None:
    """The span of revision text a flag points at (the span its check set), or None when it points at no place."""
    span = flag.span
    if span is None:
        return None
    text = audit.new.text if span.side == "new" else audit.old.text
    if not 0 <= span.start <= len(text):
        return None
    return Span(span.side, span.start, min(max(span.end, span.start), len(text)))


def worst(flags: list[Flag]) -> str | None:
    return worst_of(f.severity for f in flags)


def report_title(audit) -> str:
    """The page title, else the two file names ("old.wiki → new.wiki"), for a report's heading."""
    title = audit.new_meta.title or audit.old_meta.title
    if title:
        return title
    names = [PurePath(m.source).name for m in (audit.old_meta, audit.new_meta) if m.source]
    return " → ".join(names) if len(names) == 2 else "two revisions"
