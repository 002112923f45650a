"""Document x Document -> section changes (with word diffs) and reference changes.

Sections are matched by heading path, then by body hash (a renamed section), then by content similarity (renamed
and edited); the rest are added or removed. Sections whose text hash is equal are never diffed further. Word diffs
use diff-match-patch with every distinct word, space run or punctuation mark mapped to one character, so the
character diff runs on words.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property

from diff_match_patch import diff_match_patch

from .model import DiffOp, Ref, RefChange, Section, SectionChange
from .text.document import Document

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_WORDS = re.compile(r"\w+", re.UNICODE)
#: diff-match-patch's own time limit: past it the diff is still correct, only less minimal.
DIFF_TIMEOUT_S = 2.0
#: two sections with different headings are "the same section renamed" above this word overlap
RENAME_SIMILARITY = 0.5
#: a changed line is word-diffed against a new line only when at least this similar (else: replaced)
PAIR_SIMILARITY = 0.4
#: how many new lines ahead a changed old line looks for its partner
PAIR_WINDOW = 50


def _dmp() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = DIFF_TIMEOUT_S
    return dmp


def _encode(texts: list[str], pattern: re.Pattern[str]) -> tuple[list[str], dict[str, str]]:
    """Map every distinct token of `texts` to one character, so a character diff becomes a token diff."""
    vocab: dict[str, str] = {}
    out = []
    for text in texts:
        chars = []
        for tok in pattern.findall(text):
            ch = vocab.get(tok)
            if ch is None:
                n = len(vocab) + 1
                ch = vocab[tok] = chr(n + 0x800 if n >= 0xD800 else n)  # never a surrogate
            chars.append(ch)
        out.append("".join(chars))
    return out, {ch: tok for tok, ch in vocab.items()}


_LINE = re.compile(r"[^\n]*\n|[^\n]+")


def _token_diff(old: str, new: str, pattern: re.Pattern[str]) -> list[tuple[int, str]]:
    (a, b), tokens = _encode([old, new], pattern)
    dmp = _dmp()
    diffs = dmp.diff_main(a, b, False)
    if pattern is _TOKEN:
        dmp.diff_cleanupSemantic(diffs)
    return [(op, "".join(tokens[c] for c in chars)) for op, chars in diffs]


def word_diff(old: str, new: str, old_base: int = 0, new_base: int = 0) -> list[DiffOp]:
    """Word-level diff of two texts; offsets are shifted by the bases (the texts' places in their revisions).

    Lines (paragraphs) are diffed first; inside a changed block, each old line is paired with the most similar
    new line in order, and only paired lines get a word diff. Rewritten paragraphs become one deletion and one
    insertion, as in MediaWiki's own diff view, and the cost stays near-linear.
    """
    ops: list[DiffOp] = []
    pos = [old_base, new_base]

    def emit(kind: str, text: str) -> None:
        if not text:
            return
        if ops and ops[-1].op == kind:
            ops[-1].text += text
        else:
            ops.append(DiffOp(kind, text, pos[0], pos[1]))
        if kind != "insert":
            pos[0] += len(text)
        if kind != "delete":
            pos[1] += len(text)

    if old == new:
        emit("equal", old)
        return ops
    block_old: list[str] = []
    block_new: list[str] = []

    def flush() -> None:
        for kind, text in _pair_lines(block_old, block_new):
            if kind == "pair" and text[0] == text[1]:
                emit("equal", text[0])
            elif kind == "pair":
                for op, t in _token_diff(text[0], text[1], _TOKEN):
                    emit("equal" if op == 0 else "delete" if op < 0 else "insert", t)
            else:
                emit(kind, text)
        block_old.clear()
        block_new.clear()

    for op, text in _token_diff(old, new, _LINE):
        if op == 0:
            flush()
            emit("equal", text)
        else:
            (block_old if op < 0 else block_new).extend(_LINE.findall(text))
    flush()
    return ops


def _pair_lines(old_lines: list[str], new_lines: list[str]):
    """Yield ("pair", (old, new)), ("delete", old) and ("insert", new) in order, pairing similar lines."""
    j = 0
    new_bags: list[Counter | None] = [None] * len(new_lines)  # each line's words are counted once
    for line in old_lines:
        if j < len(new_lines) and new_lines[j] == line:  # the common case when the line diff gave up early
            yield "pair", (line, line)
            j += 1
            continue
        best, best_k = PAIR_SIMILARITY, -1
        bag = _bag(line)
        for k in range(j, min(len(new_lines), j + PAIR_WINDOW)):
            if new_bags[k] is None:
                new_bags[k] = _bag(new_lines[k])
            score = _bag_similarity(bag, new_bags[k])
            if score > best:
                best, best_k = score, k
        if best_k < 0:
            yield "delete", line
            continue
        for k in range(j, best_k):
            yield "insert", new_lines[k]
        yield "pair", (line, new_lines[best_k])
        j = best_k + 1
    for k in range(j, len(new_lines)):
        yield "insert", new_lines[k]


def _bag(text: str) -> Counter:
    return Counter(_WORDS.findall(text.lower()))


def _bag_similarity(wa: Counter, wb: Counter) -> float:
    if not wa and not wb:
        return 1.0
    inter = sum((wa & wb).values())
    return 2 * inter / (sum(wa.values()) + sum(wb.values()))


def _similarity(a: str, b: str) -> float:
    return _bag_similarity(_bag(a), _bag(b))


def _moved_pairs(pairs: list[tuple[int, int]]) -> set[tuple[int, int]]:
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

    def pair_by(key) -> None:
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
            ((_similarity(old.section_text(o), new.section_text(n)), o.index, n.index, o, n)
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
    moved = _moved_pairs(both)
    changes: list[SectionChange] = []
    for o, n in matched:
        if o is None:
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
        change = "renamed" if is_renamed else "moved" if is_moved else "modified"
        changes.append(SectionChange(change, o, n, is_moved, is_renamed, is_modified, ops))
    changes.sort(key=lambda c: (c.new.index if c.new else _insert_point(c.old, matched), c.new is None))
    return changes


def _insert_point(old_section: Section, matched) -> float:
    """A sort key placing a removed section after the new section that follows its old predecessor."""
    best = -1.0
    for o, n in matched:
        if o is not None and n is not None and o.index < old_section.index:
            best = max(best, n.index + 0.5)
    return best


# ---- references -------------------------------------------------------------------------------------------

_URL = re.compile(r"https?://[^\s|\]}<>\"']+", re.IGNORECASE)


def _norm_content(content: str | None) -> str:
    return " ".join((content or "").split())


def _url(content: str | None) -> str | None:
    m = _URL.search(content or "")
    return m.group().rstrip(".,;") if m else None


def diff_refs(old: Document, new: Document) -> list[RefChange]:
    """Reference definitions added, removed or modified; named ones matched by (group, name), others by URL or
    content. Invocations are not changes of their own (their loss shows up as a broken-ref flag)."""
    def defs(doc: Document) -> list[Ref]:
        return [r for r in doc.refs if r.kind == "definition" and r.content is not None]

    old_defs, new_defs = defs(old), defs(new)
    changes: list[RefChange] = []
    old_named = {(r.group, r.name): r for r in reversed(old_defs) if r.name}
    new_named = {(r.group, r.name): r for r in reversed(new_defs) if r.name}
    for key, n in new_named.items():
        o = old_named.get(key)
        if o is not None and _norm_content(o.content) != _norm_content(n.content):
            changes.append(RefChange("modified", n.name, n.group, o, n, matched_by="name"))
    rest_old = [r for r in old_defs if not (r.name and (r.group, r.name) in new_named)]
    rest_new = [r for r in new_defs if not (r.name and (r.group, r.name) in old_named)]
    # the same content on both sides (a named ref that lost or changed its name, or an unnamed one) is no change
    old_by_content: dict[str, list[Ref]] = defaultdict(list)
    for r in rest_old:
        old_by_content[_norm_content(r.content)].append(r)
    unmatched_new = []
    for r in rest_new:
        bucket = old_by_content.get(_norm_content(r.content))
        if bucket:
            o = bucket.pop(0)
            if o.name != r.name:
                changes.append(RefChange("modified", r.name, r.group, o, r, matched_by="content"))
        else:
            unmatched_new.append(r)
    unmatched_old = [r for bucket in old_by_content.values() for r in bucket]
    old_by_url: dict[str, list[Ref]] = defaultdict(list)
    for r in unmatched_old:
        u = _url(r.content)
        if u:
            old_by_url[u].append(r)
    paired_old: set[int] = set()
    for r in unmatched_new:
        u = _url(r.content)
        bucket = old_by_url.get(u) if u else None
        if bucket:
            o = bucket.pop(0)
            paired_old.add(id(o))
            changes.append(RefChange("modified", r.name or o.name, r.group, o, r, matched_by="url"))
        else:
            changes.append(RefChange("added", r.name, r.group, None, r))
    for r in unmatched_old:
        if id(r) not in paired_old:
            changes.append(RefChange("removed", r.name, r.group, r, None))
    for c in changes:
        ref, doc = (c.new, new) if c.new is not None else (c.old, old)
        c.section = doc.section_at(ref.start).label
    changes.sort(key=lambda c: (c.new.start if c.new else float("inf"), c.old.start if c.old else 0))
    return changes


# ---- page-level line blocks (what MediaWiki's diff view shows side by side) --------------------------------

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
    for op, text in _token_diff(a, b, _LINE):
        if op == 0:
            if cur_old or cur_new:
                blocks.append((cur_old, cur_new))
                cur_old, cur_new = [], []
            oi += len(text)
            ni += len(text)
            continue
        for line in _LINE.findall(text):
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


# ---- moved paragraphs ---------------------------------------------------------------------------------------

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

    def to_dict(self) -> dict:
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
        for m in _LINE.finditer(op.text):
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
        scored = sorted(((_similarity(a[1], b[1]), i, j) for i, a in enumerate(rest_gone)
                         for j, b in enumerate(rest_came)), reverse=True)
        used_a, used_b = set(), set()
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
