"""Text an edit only rearranged: sentences that were already on the page.

Merging two paragraphs, splitting one, moving a sentence, or only bolding or linking its words makes the word diff
report insertions of text the page already had. A sentence of the new revision that reads as a sentence of the old
revision (spaces folded, bold/italic marks dropped, links read as their labels) is not new text, wherever it stood
before; the spans an edit inserted are reduced to the rest.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from ..text.document import Document
from ..text.memo import TextMemo
from ..text.sentences import count_words, sentences

#: shorter sentences ("See below.", "Yes.") are too common to say the text was there before
MIN_WORDS = 4


_LINK = re.compile(r"\[\[(?:[^|\]]*\|)?([^\]]*)\]\]")
_QUOTES = re.compile(r"'{2,}")


def _fold(text: str) -> str:
    """A sentence as read: links as their labels, no bold or italic marks, spaces folded."""
    return " ".join(_QUOTES.sub("", _LINK.sub(r"\1", text)).split())


#: the sentences of lines seen lately, folded (a page history repeats almost all of its lines from one revision to
#: the next, and a line an edit inserts was often an old line of an earlier pair)
_lines: TextMemo[tuple[tuple[tuple[int, int, str], ...], tuple[str, ...]]] = TextMemo(4_000_000)


def forget() -> None:
    """Drop the remembered sentences of lines and sections (a reference run that must compute everything)."""
    _lines.clear()
    _sections.clear()


def _line_sentences(line: str) -> tuple[tuple[tuple[int, int, str], ...], tuple[str, ...]]:
    """(start, end, folded) of each sentence of a line, and the folded ones of MIN_WORDS words or more."""
    got = _lines.get(line)
    if got is None:
        every = tuple((a, b, _fold(line[a:b])) for a, b in sentences(line))
        got = _lines.put(line, (every, tuple(folded for a, b, folded in every if count_words(line[a:b]) >= MIN_WORDS)),
                         len(line))
    return got


def old_sentences(text: str) -> set[str]:
    """The folded sentences of a revision, each line (paragraph) split on its own."""
    out: set[str] = set()
    known = _lines.get
    for line in text.split("\n"):
        got = known(line) or _line_sentences(line)
        if got[1]:
            out.update(got[1])
    return out


#: the folded sentences of sections met lately, by the section's digest (most come back unchanged)
_sections: TextMemo[frozenset[str]] = TextMemo(4_000_000)


def revision_sentences(doc: Document) -> set[str]:
    """`old_sentences(doc.text)`, made section by section (sections hold whole lines): the sets of the sections
    met before are joined, not made again."""
    parts = []
    for sec in doc.sections:
        got = _sections.get(sec.digest)
        if got is None:
            got = _sections.put(sec.digest, frozenset(old_sentences(doc.section_text(sec))), sec.end - sec.start)
        parts.append(got)
    return set().union(*parts)


def drop_rearranged(new_text: str, spans: list[tuple[int, int]], before: set[str]) -> list[tuple[int, int]]:
    """`spans` (sorted, disjoint, in new_text) less the sentences that were already in `before`."""
    if not spans or not before:
        return spans
    old_parts: list[tuple[int, int]] = []  # sentences of the touched lines that the old revision had
    seen_lines: set[int] = set()
    for lo, hi in spans:
        line_lo = new_text.rfind("\n", 0, lo) + 1
        while line_lo < hi:
            line_hi = new_text.find("\n", line_lo)
            line_hi = len(new_text) if line_hi < 0 else line_hi
            if line_lo not in seen_lines:
                seen_lines.add(line_lo)
                old_parts += [(line_lo + a, line_lo + b) for a, b, folded in
                              _line_sentences(new_text[line_lo:line_hi])[0] if folded in before]
            line_lo = line_hi + 1
    if not old_parts:
        return spans
    old_parts.sort()
    starts = [a for a, _ in old_parts]
    out: list[tuple[int, int]] = []
    for lo, hi in spans:
        k = max(0, bisect_right(starts, lo) - 1)
        while k < len(old_parts) and old_parts[k][0] < hi:
            a, b = old_parts[k]
            if b > lo:
                if a > lo:
                    out.append((lo, a))
                lo = max(lo, b)
            k += 1
        if lo < hi and new_text[lo:hi].strip():
            out.append((lo, hi))
    return out
