"""Wikitext -> Document: sections by heading path, refs, and (lazily, per section) a template tree.

The cheap lexical work (scan, sections, refs) is done once per revision. The expensive mwparserfromhell parse is
done only for the sections a diff touches, and is memoised by section hash, so a section that did not change between
two revisions of a history is parsed once at most.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

import mwparserfromhell
from mwparserfromhell.wikicode import Wikicode

from ..model import Section
from .headings import headings
from .memo import TextMemo
from .scan import Scan, scan


def digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def split_sections(sc: Scan) -> list[Section]:
    """The lead plus one Section per heading, each with its heading path (titles of enclosing headings)."""
    text = sc.text
    heads = headings(sc)
    sections: list[Section] = []
    lead_end = heads[0][0] if heads else len(text)
    sections.append(_section(text, 0, 0, None, (), 0, 0, lead_end))
    stack: list[tuple[int, str]] = []
    for i, (start, line_end, level, title) in enumerate(heads):
        end = heads[i + 1][0] if i + 1 < len(heads) else len(text)
        while stack and stack[-1][0] >= level:
            stack.pop()
        stack.append((level, title))
        body_start = min(line_end + 1, end)
        sections.append(_section(text, i + 1, level, title, tuple(t for _, t in stack), start, body_start, end))
    return sections


#: digests of section texts met lately (a page history repeats most sections from one revision to the next)
_digests: TextMemo[str] = TextMemo(2_000_000)


#: digests of whole sections by (heading line, digest of the body): the body's digest is made anyway
_whole: TextMemo[str] = TextMemo(200_000)


def forget() -> None:
    """Drop the remembered section digests (a reference run that must compute everything)."""
    _digests.clear()
    _whole.clear()


def _digest(piece: str) -> str:
    got = _digests.get(piece)
    return got if got is not None else _digests.put(piece, digest(piece), len(piece))


def _section(text, index, level, heading, path, start, body_start, end) -> Section:
    body = _digest(text[body_start:end])
    if start == body_start:
        return Section(index, level, heading, path, start, body_start, end, body, body)
    key = (text[start:body_start], body)
    whole = _whole.get(key)
    if whole is None:
        whole = _whole.put(key, digest(text[start:end]), body_start - start + len(body))
    return Section(index, level, heading, path, start, body_start, end, whole, body)


@lru_cache(maxsize=4096)
def parse_wikicode(text: str) -> Wikicode:
    """mwparserfromhell's tree for `text`, memoised (sections repeat across a history).

    `skip_style_tags=True` avoids the known pitfall where one unclosed `''` hides every later template.
    Pathological nesting that exhausts the stack yields a tree with the text as plain text.
    """
    try:
        return mwparserfromhell.parse(text, skip_style_tags=True)
    except RecursionError:
        return mwparserfromhell.wikicode.Wikicode(
            mwparserfromhell.smart_list.SmartList([mwparserfromhell.nodes.Text(text)]))


@dataclass
class Document:
    """One revision's text with its sections and refs; the per-section template trees come on demand."""

    text: str
    scan: Scan
    sections: list[Section]
    digest: str
    lang: str = "en"  # the wiki's language code: which wiki's ref-making templates apply
    #: per-revision results of higher layers (the ref index of wikidiff.cite …), computed once, keyed by their name
    memo: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_text(cls, text: str, lang: str = "en") -> Document:
        sc = scan(text)
        return cls(text, sc, split_sections(sc), digest(text), lang=lang)

    def section_text(self, section: Section) -> str:
        return self.text[section.start:section.end]

    def section_at(self, offset: int) -> Section:
        """The section that contains `offset`."""
        lo, hi = 0, len(self.sections) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.sections[mid].start <= offset:
                lo = mid
            else:
                hi = mid - 1
        return self.sections[lo]

    def wikicode(self, section: Section) -> Wikicode:
        """The parsed tree of one section (memoised by its text)."""
        return parse_wikicode(self.section_text(section))

    @cached_property
    def section_digests(self) -> set[str]:
        return {s.digest for s in self.sections}
