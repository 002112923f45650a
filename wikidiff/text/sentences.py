"""Sentences and words in any script: where a sentence ends, and how many words a run of text holds.

Sentence ends: `.`, `!`, `?` (and `…`) followed by space or the end, and the full stops of other scripts, which need
no space after them: Devanagari's danda `।` and double danda `॥`, the ideographic full stop `。` and the full-width
`！` `？`, the Arabic question mark `؟`, Urdu's `۔`, the Armenian `։`, the Ethiopic `።` and Myanmar's `။`. Closing
quotes and brackets after the mark, and the refs that cite the sentence, stay with it.

Words: runs of letters and digits; in scripts written without spaces between words (Chinese, Japanese kana and kanji,
Thai, Lao, Khmer, Myanmar) a run is counted as one word per CHARS_PER_WORD characters, so thresholds such as "12
added words" mean about as much text in every language.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

_END_SPACED = r"[.!?…]+"
_END_BARE = r"[।॥。！？؟۔։።။]+"
_CLOSERS = r"[\"'”’»)\]）」』】]*"
#: the citations that follow a sentence's mark belong to it
_REFS = r"(?:\s*(?:<ref\b[^>]*?/>|<ref\b[^>]*>.*?</ref\s*>|\{\{\s*(?:sfnm?p?|rp?|efn)\s*\|[^{}]*\}\}))*"
#: the end of a sentence: a mark (with its closing quotes and citations) and the space after it, or a paragraph break
SENTENCE_END = re.compile(rf"(?:{_END_SPACED}{_CLOSERS}{_REFS}(?=\s|$)|{_END_BARE}{_CLOSERS}{_REFS})\s*|\n\s*\n\s*",
                          re.DOTALL | re.IGNORECASE)
_UNSPACED = re.compile(r"[\u0e00-\u0e7f\u0e80-\u0eff\u1780-\u17ff\u1000-\u109f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff"
                       r"\uf900-\ufaff\uff66-\uff9f]+")
# letters and digits, with the combining marks that Python's \w leaves out (Indic vowel signs and viramas, Arabic
# and Hebrew points, Cyrillic and Latin combining accents) and the zero-width (non-)joiners inside words
_W = (r"[\w\u0300-\u036f\u0483-\u0489\u0591-\u05c7\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed"
      r"\u0900-\u0963\u0966-\u0dff\u0f00-\u0fff\u200c\u200d]")
_WORD = re.compile(rf"{_W}+(?:['’]{_W}+)*")
#: characters of an unspaced script that count as one word (Chinese words average under two characters)
CHARS_PER_WORD = 2


def sentences(text: str, lo: int = 0, hi: int | None = None) -> Iterator[tuple[int, int]]:
    """(start, end) of each sentence of text[lo:hi], its end mark included, surrounding space left out."""
    hi = len(text) if hi is None else hi
    pos = lo
    for m in SENTENCE_END.finditer(text, lo, hi):
        mark = m.group().rstrip()
        end = m.start() + len(mark)
        if text[pos:end].strip():
            yield _trimmed(text, pos, end)
        pos = m.end()
    if text[pos:hi].strip():
        yield _trimmed(text, pos, hi)


def _trimmed(text: str, lo: int, hi: int) -> tuple[int, int]:
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


def count_words(text: str) -> int:
    """Words in `text`: spaced words, plus unspaced runs at CHARS_PER_WORD characters a word."""
    n = 0
    for run in _UNSPACED.findall(text):
        n += math.ceil(len(run) / CHARS_PER_WORD)
    return n + len(_WORD.findall(_UNSPACED.sub(" ", text)))
