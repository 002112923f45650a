"""Moved paragraphs: a paragraph that left its place among the paragraphs around it is one move, not a removal
plus an addition.

The lines both revisions share at their start and at their end stay in place. The paragraphs (lines) between are
paired: first by identical text (the k-th copy with the k-th, when a text occurs as often on both sides), then,
among the paragraphs left over on both sides, by word similarity (an edited paragraph). The pairs that keep their
order form the page's skeleton, the heaviest order-preserving chain of pairs (a longest increasing subsequence
weighted by paragraph length); a pair of long paragraphs outside the skeleton moved, unless an edit in place
explains it (a similar unpaired paragraph stands where it was). Short lines only anchor (when unique on both
sides). So:

- headings and blank lines take no part, short lines (`{|`, `|-`, `}}`, list bullets) never move: a heading
  inserted, renamed or removed, a bold line turned into a heading or text glued to a heading line moves nothing;
- a whole section moved is a section move (diff_sections says so) and its paragraphs are not also paragraph moves;
- two paragraphs cut from one section and pasted into another leave the skeleton: two moves.

MediaWiki's wikidiff2 pairs each added line with the most similar deleted line anywhere in the diff (character
similarity above 0.4, at most 100 changed lines) and shows it as moved unless the two sit next to each other; it
has no notion of the unchanged text around them, so an edit that shifts text past a new heading shows moves. The
skeleton here is what decides; benchmarks/accuracy measures it on real edits.

The text of the pairs that kept their place is also reported (`ParagraphMap.kept`: the common ends, paragraphs kept
word for word, and the unchanged words of those edited in place): it is old even where the section diff shows it
inserted (under a new heading, say), so checks of added text skip it like moved text.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

from ..model import SectionChange
from ..text.document import Document
from ..text.headings import heading_of
from ..text.memo import TextMemo
from ..text.scan import strip_comments
from .words import FOLD_LINES, bag, bag_similarity, word_diff

#: paragraphs shorter than this (characters, spaces folded) are too common to call a move ("}}", "|-", bullets)
MOVE_MIN_CHARS = 40
#: a paragraph left over on one side and one on the other this similar (word overlap) are one paragraph, edited
MOVE_SIMILARITY = 0.8
#: similarity pairing compares at most this many (left-over old x left-over new) paragraphs; past it, only
#: identical paragraphs pair (wikidiff2 gives up on moves past 100 changed lines)
MAX_COMPARISONS = 40_000
#: how many lines beyond its gap of the skeleton a pair's edited twin may stand and still explain it as edited in place
NEAR = 8
#: an edited paragraph is recognised only with at least this many words that are not numbers
MIN_SIMILAR_WORDS = 4


@dataclass
class Move:
    """A paragraph that left one place and arrived in another: one move, not a removal plus an addition."""

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


@dataclass
class ParagraphMap:
    """How the paragraphs of two revisions correspond: the moves, and the new-revision spans of paragraphs that
    stayed in place word for word."""

    moves: list[Move] = field(default_factory=list)
    kept: list[tuple[int, int]] = field(default_factory=list)
    #: when not 0, the edit changed this many lines (more than FOLD_LINES) and no paragraph was paired
    unsearched: int = 0


class _Para(NamedTuple):
    at: int  # position among the paragraphs read
    start: int
    text: str  # the line as written (with its newline)
    key: str  # spaces folded
    section: int  # index of the section holding it

    @property
    def movable(self) -> bool:
        """Long enough to call a move (a short line only anchors the paragraphs around it)."""
        return len(self.key) >= MOVE_MIN_CHARS


#: the keys of lines seen lately ("" for a blank line or a heading): a history repeats its lines
_keys: TextMemo[str] = TextMemo(4_000_000)


def _paragraphs(doc: Document, lo: int, hi: int) -> list[_Para]:
    """The lines of doc.text[lo:hi] (whole lines) that take part: not blank, not headings."""
    out: list[_Para] = []
    starts = [sec.start for sec in doc.sections]
    s = max(0, bisect_right(starts, lo) - 1)
    start = lo
    for line in doc.text[lo:hi].splitlines(keepends=True):
        here = start
        start += len(line)
        key = _keys.get(line)
        if key is None:
            key = " ".join(line.split())
            if key and key[0] == "=" and heading_of(strip_comments(key)) is not None:
                key = ""
            _keys.put(line, key, len(line))
        if not key:
            continue
        while s + 1 < len(starts) and starts[s + 1] <= here:
            s += 1
        out.append(_Para(len(out), here, line, key, doc.sections[s].index))
    return out


def common_lines(a: str, b: str) -> tuple[int, int, int]:
    """(head, old tail, new tail): a[:head] == b[:head] and a[old tail:] == b[new tail:], both whole lines, as
    long as can be without overlapping (string comparisons in C, found by bisection)."""
    n = min(len(a), len(b))
    lo, hi = 0, n  # a[:lo] == b[:lo]: only the next piece is compared (no copy of what is known equal)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a.startswith(b[lo:mid], lo):
            lo = mid
        else:
            hi = mid - 1
    head = lo if lo == len(a) == len(b) else a.rfind("\n", 0, lo) + 1
    lo, hi = 0, n - head  # the last lo characters are equal
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a.startswith(b[len(b) - mid:len(b) - lo], len(a) - mid):
            lo = mid
        else:
            hi = mid - 1
    tail_a = len(a) - lo
    if tail_a < len(a) and not (a[tail_a - 1:tail_a] == b[len(b) - lo - 1:len(b) - lo] == "\n"):
        nl = a.find("\n", tail_a)
        tail_a = len(a) if nl < 0 else nl + 1
    return head, tail_a, len(b) - (len(a) - tail_a)


def _too_many_changed(a: str, b: str) -> int:
    """The number of non-blank lines only one side has, when that is more than FOLD_LINES (else 0): past it,
    pairing paragraphs one by one would cost more than the edit is worth reading (counted in C, no line objects)."""
    if a.count("\n") + b.count("\n") <= FOLD_LINES:
        return 0
    lines_a, lines_b = Counter(a.splitlines()), Counter(b.splitlines())
    del lines_a[""], lines_b[""]  # blank lines are no paragraphs
    changed = (lines_a - lines_b).total() + (lines_b - lines_a).total()
    return changed if changed > FOLD_LINES else 0


def _pair(old: list[_Para], new: list[_Para]) -> list[tuple[_Para, _Para, float]]:
    """Identical paragraphs, then the most similar of the rest (best first).

    A text found as often in both revisions pairs its k-th copy with the k-th; a text whose count changed is left
    out (which copy moved cannot be told), and a short line pairs only when it is unique on both sides (`|-` or
    `}}` anchor nothing)."""
    copies_old: dict[str, list[_Para]] = defaultdict(list)
    copies_new: dict[str, list[_Para]] = defaultdict(list)
    for p in old:
        copies_old[p.key].append(p)
    for p in new:
        copies_new[p.key].append(p)
    pairs: list[tuple[_Para, _Para, float]] = []
    for key, olds in copies_old.items():
        news = copies_new.get(key)
        if news and len(news) == len(olds) and (len(olds) == 1 or olds[0].movable):
            pairs.extend((a, b, 1.0) for a, b in zip(olds, news, strict=True))
    rest_old = [p for p in old if p.movable and p.key not in copies_new]
    rest_new = [p for p in new if p.movable and p.key not in copies_old]
    if rest_old and rest_new and len(rest_old) * len(rest_new) <= MAX_COMPARISONS:
        pairs.extend(_similar(rest_old, rest_new, len(old), len(new)))
    return pairs


def _similar(old: list[_Para], new: list[_Para], n_old: int, n_new: int) -> list[tuple[_Para, _Para, float]]:
    """Greedy best-first pairing of edited paragraphs; ties go to the pair nearest in relative place.

    Candidates come from prefix filtering (as in set-similarity joins): with the words of every paragraph ordered
    rarest first (one order for all), two paragraphs whose word overlap reaches MOVE_SIMILARITY share a word among
    the first (1 - MOVE_SIMILARITY / (2 - MOVE_SIMILARITY)) of each one's word occurrences, so only those pairs
    are compared (every pair when there are few: the pairs found are the same)."""
    sides = [[(p, *_bag_of(p.key)) for p in paras if _wordy(_bag_of(p.key)[0])] for paras in (old, new)]
    scored = []
    for i, j in _candidates(sides):
        a, words, size = sides[0][i]
        b, other, other_size = sides[1][j]
        if (min(len(a.key), len(b.key)) * 2 < max(len(a.key), len(b.key))
                or 2 * min(size, other_size) < MOVE_SIMILARITY * (size + other_size)):
            continue  # the sizes alone rule it out (even the whole smaller bag shared is too little)
        small, large = (words, other) if len(words) <= len(other) else (other, words)
        score = 2 * sum(min(n, large[w]) for w, n in small.items() if w in large) / (size + other_size)
        if score >= MOVE_SIMILARITY:
            drift = abs(a.at / max(1, n_old) - b.at / max(1, n_new))
            scored.append((-score, drift, a.at, b.at, a, b))
    scored.sort(key=lambda t: t[:4])
    used_old: set[int] = set()
    used_new: set[int] = set()
    out = []
    for neg, _, i, j, a, b in scored:
        if i not in used_old and j not in used_new:
            used_old.add(i)
            used_new.add(j)
            out.append((a, b, -neg))
    return out


#: with this many pairs or fewer, every pair is compared (building the prefix index would cost more)
ALL_PAIRS = 64
#: with this many paragraphs or fewer on one side, only that side's prefixes are made (see `_candidates`)
FEW = 4


def _candidates(sides: list[list[tuple[_Para, Counter[str], int]]]) -> Iterator[tuple[int, int]]:
    """(i, j) for each pair of old paragraph i and new paragraph j that may reach MOVE_SIMILARITY: every pair
    when there are few, else those that share a word in both prefixes (in one order of the words for both
    sides). With few paragraphs on one side, a pair needs only a word of that side's prefix in the other's bag:
    the first shared word (in any one order) is in both."""
    olds, news = sides
    if len(olds) * len(news) <= ALL_PAIRS:
        yield from ((i, j) for i in range(len(olds)) for j in range(len(news)))
        return
    if min(len(olds), len(news)) <= FEW:
        flipped = len(olds) > len(news)
        few, many = (news, olds) if flipped else (olds, news)
        prefixes = [_prefix(words, size, _long_first) for _, words, size in few]
        for m, (_, words, _) in enumerate(many):
            for f, prefix in enumerate(prefixes):
                if any(w in words for w in prefix):
                    yield (m, f) if flipped else (f, m)
        return
    rarity: Counter[str] = Counter()
    for side in sides:
        for _, words, _ in side:
            rarity.update(words.keys())
    rank = {w: i for i, w in enumerate(sorted(rarity, key=lambda w: (rarity[w], w)))}  # one order for both sides
    index: dict[str, list[int]] = defaultdict(list)
    for j, (_, words, size) in enumerate(news):
        for w in _prefix(words, size, rank.__getitem__):
            index[w].append(j)
    for i, (_, words, size) in enumerate(olds):
        candidates = {j for w in _prefix(words, size, rank.__getitem__) for j in index.get(w, ())}
        yield from ((i, j) for j in sorted(candidates))


def _long_first(word: str) -> tuple[int, str]:
    """An order of words that needs no counting: longer words (rarer, mostly) first."""
    return -len(word), word


def forget() -> None:
    """Drop the remembered word bags and line keys (a reference run that must compute everything)."""
    _bag_of.cache_clear()
    _keys.clear()


@lru_cache(maxsize=8192)
def _bag_of(key: str) -> tuple[Counter[str], int]:
    """A paragraph's word bag and its size (remembered: a history meets the same paragraphs again and again)."""
    words = bag(key)
    return words, sum(words.values())


def _prefix(words: Counter[str], size: int, order: Callable[[str], Any]) -> list[str]:
    """The first words of a bag in `order` (rarest first, best), enough of them that a pair at the similarity
    threshold must share one."""
    need = size - math.ceil(MOVE_SIMILARITY / (2 - MOVE_SIMILARITY) * size - 1e-9) + 1
    out = []
    for w in sorted(words, key=order):
        out.append(w)
        need -= words[w]
        if need <= 0:
            break
    return out


def _wordy(words: Counter[str]) -> bool:
    """Enough words with letters to judge similarity by (a row of numbers resembles every other row)."""
    count = 0
    for w, n in words.items():
        if not w.isdigit():
            count += n
            if count >= MIN_SIMILAR_WORDS:
                return True
    return False


def _skeleton(pairs: list[tuple[_Para, _Para, float]]) -> set[int]:
    """Positions (in `pairs`) of the heaviest chain increasing in both old and new order. A pair weighs its text
    length plus MOVE_MIN_CHARS (more paragraphs in place beat one long one), times its similarity (between an exact
    and an edited pair, the edited one is the one that moved)."""
    order = sorted(range(len(pairs)), key=lambda k: pairs[k][0].at)
    ranks = {j: r for r, j in enumerate(sorted({pairs[k][1].at for k in order}))}
    size = len(ranks)
    tree = [(0, -1)] * (size + 1)  # Fenwick tree of (best chain weight, its last pair) over new ranks

    def best_below(r: int) -> tuple[int, int]:
        out = (0, -1)
        while r > 0:
            out = max(out, tree[r])
            r -= r & -r
        return out

    def offer(r: int, value: tuple[int, int]) -> None:
        r += 1
        while r <= size:
            if value > tree[r]:
                tree[r] = value
            r += r & -r

    prev: dict[int, int] = {}
    best = (0, -1)
    for k in order:
        r = ranks[pairs[k][1].at]
        weight, last = best_below(r)
        prev[k] = last
        a, _, score = pairs[k]
        value = (weight + round((len(a.key) + MOVE_MIN_CHARS) * score), k)
        offer(r, value)
        best = max(best, value)
    chain = set()
    k = best[1]
    while k >= 0:
        chain.add(k)
        k = prev[k]
    return chain


def paragraph_map(old: Document, new: Document, changes: list[SectionChange]) -> ParagraphMap:
    """Pair the paragraphs of two revisions; the pairs that left the page's skeleton are the moves."""
    if not changes:
        return ParagraphMap()
    moved_sections = {(c.old.index, c.new.index) for c in changes if c.moved and c.old and c.new}
    head, old_tail, new_tail = common_lines(old.text, new.text)  # the same lines in place at both ends
    many = _too_many_changed(old.text[head:old_tail], new.text[head:new_tail])
    if many:
        return ParagraphMap(kept=[(0, head), (new_tail, len(new.text))], unsearched=many)
    old_paras, new_paras = _paragraphs(old, head, old_tail), _paragraphs(new, head, new_tail)
    pairs = [p for p in _pair(old_paras, new_paras)
             if (p[0].section, p[1].section) not in moved_sections]  # those moved with their section
    chain = _skeleton(pairs)
    in_place = _InPlace(old_paras, new_paras, [pairs[k] for k in sorted(chain, key=lambda k: pairs[k][0].at)],
                        pairs)
    result = ParagraphMap(kept=[(0, head), (new_tail, len(new.text))])
    for k, (a, b, score) in enumerate(pairs):
        if k not in chain and a.movable and b.movable and not in_place.explains(a, b):
            result.moves.append(Move(a.start, b.start, a.text, b.text, old.sections[a.section].label,
                                     new.sections[b.section].label, score))
        elif k in chain and score == 1.0:
            result.kept.append((b.start, b.start + len(b.text)))
        elif k in chain:  # edited in place: the words it kept are old
            result.kept.extend((op.new_offset, op.new_offset + len(op.text))
                               for op in word_diff(a.text, b.text, a.start, b.start) if op.op == "equal")
    result.moves.sort(key=lambda m: m.new_offset)
    result.kept = sorted(span for span in result.kept if span[0] < span[1])
    return result


class _InPlace:
    """Whether an edit in place explains a pair outside the skeleton: where the new paragraph stands, the old
    revision had a similar paragraph that nothing paired (it was edited into this one, and its twin elsewhere was
    deleted), or the other way round. Then nothing moved."""

    def __init__(self, old: list[_Para], new: list[_Para], chain: list[tuple[_Para, _Para, float]],
                 pairs: list[tuple[_Para, _Para, float]]) -> None:
        self.old, self.new = old, new
        self.chain_old = [a.at for a, _, _ in chain]
        self.chain_new = [b.at for _, b, _ in chain]
        self.paired_old = {a.at for a, _, _ in pairs}
        self.paired_new = {b.at for _, b, _ in pairs}

    def explains(self, a: _Para, b: _Para) -> bool:
        return (self._twin(b, self.chain_new, self.chain_old, self.old, self.paired_old)
                or self._twin(a, self.chain_old, self.chain_new, self.new, self.paired_new))

    @staticmethod
    def _twin(p: _Para, here: list[int], there: list[int], other: list[_Para], paired: set[int]) -> bool:
        """A similar unpaired paragraph on the other side, in the gap of the skeleton where `p` stands (give or
        take NEAR lines: rows around it may have been reordered too)."""
        k = bisect_right(here, p.at)
        lo = there[k - 1] + 1 if k else 0
        hi = there[k] if k < len(there) else len(other)
        if hi - lo > 50:  # a long gap is a rewrite, not an edit in place
            return False
        words = bag(p.key)
        return any(q.movable and q.at not in paired and bag_similarity(words, bag(q.key)) >= MOVE_SIMILARITY
                   for q in other[max(0, lo - NEAR):hi + NEAR])


def find_moves(old: Document, new: Document, changes: list[SectionChange]) -> list[Move]:
    """Paragraphs that left their place among the paragraphs around them (same section or not), exact or edited."""
    return paragraph_map(old, new, changes).moves


def subtract_spans(spans: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The parts of sorted, disjoint `spans` outside the sorted `holes` (which may overlap each other)."""
    out: list[tuple[int, int]] = []
    starts = [h[0] for h in holes]
    for lo, hi in spans:
        k = max(0, bisect_right(starts, lo) - 1)
        while k > 0 and holes[k - 1][1] > lo:  # an earlier, longer hole may still cover lo
            k -= 1
        for h_lo, h_hi in holes[k:]:
            if h_lo >= hi:
                break
            if h_hi <= lo:
                continue
            if lo < h_lo:
                out.append((lo, h_lo))
            lo = max(lo, h_hi)
        if lo < hi:
            out.append((lo, hi))
    return out
