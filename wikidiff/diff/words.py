"""Word diffs: lines (paragraphs) first, then words inside the lines paired by similarity.

Diffs use diff-match-patch with every distinct token (a line, or a word, space run or punctuation mark) mapped to
one character, so the character diff runs on tokens.
"""

from __future__ import annotations

import re
import threading
import time
from bisect import bisect_left
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

from diff_match_patch import diff_match_patch

from ..model import DiffOp

OpKind = Literal["equal", "delete", "insert"]

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)
_WORDS = re.compile(r"\w+", re.UNICODE)
#: diff-match-patch's own time limit for one diff: past it the diff is still correct, only less minimal.
DIFF_TIMEOUT_S = 2.0
#: what all the diffs of one audit (inside `diff_budget`) may spend together; once spent, each further diff gets
#: MIN_TIMEOUT_S and comes out coarse (whole runs deleted and inserted) but correct
AUDIT_BUDGET_S = 4.0
MIN_TIMEOUT_S = 0.001
_budget = threading.local()


#: a changed block of more lines than this (both sides together) is not paired line by line: it is shown deleted
#: and inserted whole (MediaWiki's own diff also stops comparing words past a limit), and the audit says so
FOLD_LINES = 20_000


@contextmanager
def diff_budget(seconds: float = AUDIT_BUDGET_S) -> Iterator[None]:
    """One time budget for every diff run inside (nested budgets share the outermost one)."""
    outer = getattr(_budget, "deadline", None)
    _budget.deadline = time.monotonic() + seconds if outer is None else outer
    if outer is None:
        _budget.folded = (0, 0)
    try:
        yield
    finally:
        _budget.deadline = outer


def folded_lines() -> tuple[int, int]:
    """How many changed lines (old, new) the diffs inside the current (or last) budget replaced whole without
    pairing them (see FOLD_LINES)."""
    return getattr(_budget, "folded", (0, 0))


def _count_folded(old_lines: int, new_lines: int) -> None:
    old, new = folded_lines()
    _budget.folded = (old + old_lines, new + new_lines)


def diff_timeout() -> float:
    """The time limit the next diff gets: DIFF_TIMEOUT_S, or what is left of the budget (never 0, which
    diff-match-patch reads as "no limit")."""
    deadline = getattr(_budget, "deadline", None)
    if deadline is None:
        return DIFF_TIMEOUT_S
    return min(DIFF_TIMEOUT_S, max(deadline - time.monotonic(), MIN_TIMEOUT_S))
#: a changed line is word-diffed against a new line only when at least this similar (else: replaced)
PAIR_SIMILARITY = 0.4
#: how many new lines ahead a changed old line looks for its partner
PAIR_WINDOW = 50
#: a changed block with this many new lines or fewer scores each old line against all of them (no word index)
FEW_LINES = 4


def _dmp() -> diff_match_patch:
    dmp = diff_match_patch()
    dmp.Diff_Timeout = diff_timeout()
    return dmp


def _encode(texts: list[str], pattern: re.Pattern[str]) -> tuple[list[str], dict[str, str]]:
    """Map every distinct token of `texts` to one character (numbered in order of first appearance), so a
    character diff becomes a token diff."""
    tokens = [pattern.findall(text) for text in texts]
    vocab: dict[str, None] = {}
    for toks in tokens:
        vocab.update(dict.fromkeys(toks))
    code = {tok: chr(n + 0x800 if n >= 0xD800 else n) for n, tok in enumerate(vocab, 1)}  # never a surrogate
    return ["".join(map(code.__getitem__, toks)) for toks in tokens], {ch: tok for tok, ch in code.items()}


LINE = re.compile(r"[^\n]*\n|[^\n]+")


#: middles (after the common head and tail) shorter than this on either side go to dmp whole: its search is
#: quick there, and the diffs stay exactly as dmp makes them (setting aside can break a tie another way)
SET_ASIDE_FROM = 5000


def shared_diff(dmp: diff_match_patch, a: str, b: str) -> list[tuple[int, str]]:
    """dmp's diff of `a` and `b`, run only on the characters both hold: one held by one side alone can never be
    equal, so it is set aside first (as GNU diff discards lines it cannot match) and put back as deleted or
    inserted where it stood. The longest common subsequence is the same; the search is shorter, and two texts
    with nothing in common (500,000 changed lines) cost one pass, not the whole time limit."""
    head = dmp.diff_commonPrefix(a, b)
    tail = dmp.diff_commonSuffix(a[head:], b[head:])
    middle = _shared_middle(dmp, a[head:len(a) - tail], b[head:len(b) - tail])
    if head:
        if middle and middle[0][0] == 0:
            middle[0] = (0, a[:head] + middle[0][1])
        else:
            middle.insert(0, (0, a[:head]))
    if tail:
        if middle and middle[-1][0] == 0:
            middle[-1] = (0, middle[-1][1] + a[len(a) - tail:])
        else:
            middle.append((0, a[len(a) - tail:]))
    return middle


def _shared_middle(dmp: diff_match_patch, a: str, b: str) -> list[tuple[int, str]]:
    held_a, held_b = set(a), set(b)
    shared = held_a & held_b
    if not shared:
        return [(op, t) for op, t in ((-1, a), (1, b)) if t]
    if min(len(a), len(b)) < SET_ASIDE_FROM or len(shared) == len(held_a) == len(held_b):
        return dmp.diff_main(a, b, False)  # a list of (op, text) already
    keep_a = [i for i, c in enumerate(a) if c in shared]
    keep_b = [j for j, c in enumerate(b) if c in shared]
    inner = dmp.diff_main("".join(a[i] for i in keep_a), "".join(b[j] for j in keep_b), False)
    out: list[tuple[int, str]] = []

    def put(op: int, text: str) -> None:
        if not text:
            return
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + text)
        elif op == -1 and out and out[-1][0] == 1:  # a deletion goes before the insertion it meets
            ins = out.pop()
            put(-1, text)
            out.append(ins)
        else:
            out.append((op, text))

    pa = pb = i = j = 0  # next unplaced character of a and b; next kept character of each
    for op, text in inner:
        n = len(text)
        if op == -1:
            end = keep_a[i + n - 1] + 1
            put(-1, a[pa:end])
            pa, i = end, i + n
        elif op == 1:
            end = keep_b[j + n - 1] + 1
            put(1, b[pb:end])
            pb, j = end, j + n
        else:
            for k in range(n):  # each kept pair, with what was set aside before it on either side
                ia, jb = keep_a[i + k], keep_b[j + k]
                put(-1, a[pa:ia])
                put(1, b[pb:jb])
                put(0, a[ia])
                pa, pb = ia + 1, jb + 1
            i, j = i + n, j + n
    put(-1, a[pa:])
    put(1, b[pb:])
    return out


#: token diffs kept (a page history repeats its paragraph edits: reverts, edit wars)
MEMO = 2048
_memo: OrderedDict[tuple[str, str, str], list[tuple[int, str]]] = OrderedDict()


def token_diff(old: str, new: str, pattern: re.Pattern[str]) -> list[tuple[int, str]]:
    """(op, text) runs of the diff of two texts by the tokens of `pattern` (-1 delete, 0 equal, 1 insert);
    the last MEMO diffs made with the full time limit are remembered."""
    key = (pattern.pattern, old, new)
    hit = _memo.get(key)
    if hit is not None:
        _memo.move_to_end(key)
        return hit
    unhurried = diff_timeout() >= DIFF_TIMEOUT_S  # a diff cut short by the audit's budget is not kept
    got = _token_diff(old, new, pattern)
    if unhurried:
        _memo[key] = got
        if len(_memo) > MEMO:
            _memo.popitem(last=False)
    return got


def forget() -> None:
    """Drop the remembered token and word diffs (a reference run that must compute everything)."""
    _memo.clear()
    _word_memo.clear()


def _token_diff(old: str, new: str, pattern: re.Pattern[str]) -> list[tuple[int, str]]:
    (a, b), tokens = _encode([old, new], pattern)
    dmp = _dmp()
    diffs = shared_diff(dmp, a, b)
    if pattern is _TOKEN:
        dmp.diff_cleanupSemantic(diffs)
    return [(op, "".join(map(tokens.__getitem__, chars))) for op, chars in diffs]


#: word diffs kept, by the pair of texts, with offsets from 0 (an edit war repeats a section's edit)
_word_memo: OrderedDict[tuple[str, str], tuple[tuple[OpKind, str, int, int], ...]] = OrderedDict()


def word_diff(old: str, new: str, old_base: int = 0, new_base: int = 0) -> list[DiffOp]:
    """Word-level diff of two texts; offsets are shifted by the bases (the texts' places in their revisions).

    Lines (paragraphs) are diffed first; inside a changed block, each old line is paired with the most similar
    new line in order, and only paired lines get a word diff. Rewritten paragraphs become one deletion and one
    insertion, as in MediaWiki's own diff view, and the cost stays near-linear. The last MEMO diffs made with the
    full time limit are remembered.
    """
    key = (old, new)
    hit = _word_memo.get(key)
    if hit is None:
        folded = folded_lines()
        ops = _word_diff(old, new)
        hit = tuple((op.op, op.text, op.old_offset, op.new_offset) for op in ops)
        # kept when unhurried to the end (so every diff inside it was too) and nothing was folded (which the
        # audit must hear of each time)
        if diff_timeout() >= DIFF_TIMEOUT_S and folded_lines() == folded:
            _word_memo[key] = hit
            if len(_word_memo) > MEMO:
                _word_memo.popitem(last=False)
    else:
        _word_memo.move_to_end(key)
    return [DiffOp(kind, text, a + old_base, b + new_base) for kind, text, a, b in hit]


def _word_diff(old: str, new: str) -> list[DiffOp]:
    ops: list[DiffOp] = []
    run: list[str] = []  # the texts of the last op, joined once it ends (no copy per line added)
    pos = [0, 0]

    def emit(kind: OpKind, text: str) -> None:
        if not text:
            return
        if ops and ops[-1].op == kind:
            run.append(text)
        else:
            close()
            ops.append(DiffOp(kind, "", pos[0], pos[1]))
            run.append(text)
        if kind != "insert":
            pos[0] += len(text)
        if kind != "delete":
            pos[1] += len(text)

    def close() -> None:
        if ops and run:
            ops[-1].text = "".join(run)
        run.clear()

    if old == new:
        emit("equal", old)
        close()
        return ops
    block_old: list[str] = []
    block_new: list[str] = []

    def flush() -> None:
        if len(block_old) + len(block_new) > FOLD_LINES:  # too many to pair: replaced whole, and said so
            _count_folded(len(block_old), len(block_new))
            emit("delete", "".join(block_old))
            emit("insert", "".join(block_new))
        else:
            for kind, a, b in _pair_lines(block_old, block_new):
                if kind == "pair" and a == b:
                    emit("equal", a)
                elif kind == "pair":
                    for op, t in token_diff(a, b, _TOKEN):
                        emit("equal" if op == 0 else "delete" if op < 0 else "insert", t)
                else:
                    emit(kind, a or b)  # "pair" was handled above
        block_old.clear()
        block_new.clear()

    for op, text in token_diff(old, new, LINE):
        if op == 0:
            flush()
            emit("equal", text)
        else:
            (block_old if op < 0 else block_new).extend(LINE.findall(text))
    flush()
    close()
    return ops


def _pair_lines(old_lines: list[str], new_lines: list[str]) -> Iterator[tuple[OpKind | Literal["pair"], str, str]]:
    """Yield ("pair", old, new), ("delete", old, "") and ("insert", "", new) in order, pairing similar lines."""
    j = 0
    new_bags = [bag(line) for line in new_lines]  # each line's words are counted once
    # which new lines hold each word (and which hold none): a line is scored only against the lines in its window
    # that share a word with it, so lines with nothing in common (500,000 one-character lines) cost nothing; a
    # few new lines are all scored (a line sharing no word scores 0, never the best)
    few = len(new_lines) <= FEW_LINES
    holders: dict[str, list[int]] = defaultdict(list)
    for k, b in enumerate(() if few else new_bags):
        for word in b or ("",):
            holders[word].append(k)
    for line in old_lines:
        if j < len(new_lines) and new_lines[j] == line:  # the common case when the line diff gave up early
            yield "pair", line, line
            j += 1
            continue
        best, best_k = PAIR_SIMILARITY, -1
        words = bag(line)
        stop = min(len(new_lines), j + PAIR_WINDOW)
        candidates: set[int] = set(range(j, stop)) if few else set()
        for word in () if few else words or ("",):
            at = holders.get(word, [])
            for i in range(bisect_left(at, j), len(at)):
                if at[i] >= stop:
                    break
                candidates.add(at[i])
        for k in sorted(candidates):
            score = bag_similarity(words, new_bags[k])
            if score > best:
                best, best_k = score, k
        if best_k < 0:
            yield "delete", line, ""
            continue
        for k in range(j, best_k):
            yield "insert", "", new_lines[k]
        yield "pair", line, new_lines[best_k]
        j = best_k + 1
    for k in range(j, len(new_lines)):
        yield "insert", "", new_lines[k]


def bag(text: str) -> Counter[str]:
    """The words of `text`, lower-cased, with their counts."""
    return Counter(_WORDS.findall(text.lower()))


def bag_similarity(wa: Counter[str], wb: Counter[str]) -> float:
    """Dice overlap of two word bags (1.0 for two empty ones)."""
    if not wa and not wb:
        return 1.0
    small, large = (wa, wb) if len(wa) <= len(wb) else (wb, wa)
    inter = 0
    for w, n in small.items():  # the size of the multiset intersection (wa & wb), without building it
        m = large.get(w)
        if m:
            inter += n if n < m else m
    return 2 * inter / (sum(wa.values()) + sum(wb.values()))


def similarity(a: str, b: str) -> float:
    """Word-bag overlap of two texts, 0..1."""
    return bag_similarity(bag(a), bag(b))
