"""A lexical pass over wikitext that finds what MediaWiki's preprocessor finds before anything else.

It locates comments and extension tags (`<ref>`, `<references>`, `<nowiki>`, `<pre>`, …) the way the preprocessor
does: a tag's attributes end at the first `>`, `/>` closes it at once, its content runs to the first matching
closing tag, and an opening tag with no closing tag is plain text (and stops the search for that closing tag).
`<!--` with no `-->` comments out the rest of the page. The pass is iterative and linear: no recursion, so deep
nesting cannot overflow the stack, and it is cheap enough to run on every revision without a cache.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property

#: Extension tags whose content is not wikitext (refs, headings and templates inside them do not exist).
OPAQUE_TAGS = frozenset({
    "nowiki", "pre", "math", "chem", "ce", "syntaxhighlight", "source", "score", "timeline", "hiero",
    "graph", "templatedata", "templatestyles", "mapframe", "maplink", "categorytree", "inputbox",
    "charinsert", "imagemap", "includeonly", "code-block", "rss",
})
#: Extension tags whose content is wikitext parsed later by the extension (refs inside them count).
TRANSPARENT_TAGS = frozenset({"references", "poem", "gallery", "indicator", "section", "langconvert"})
REF_TAG = "ref"
#: Tags that MediaWiki lets run to the end of the page when their closing tag is missing.
ALLOW_MISSING_END = frozenset({"includeonly", "noinclude", "onlyinclude"})
#: `<noinclude>` and `<onlyinclude>` only mark transclusion; on the page itself their content is shown.
MARKER_TAGS = frozenset({"noinclude", "onlyinclude"})

_ALL_TAGS = OPAQUE_TAGS | TRANSPARENT_TAGS | MARKER_TAGS | {REF_TAG}
_START = re.compile(
    r"<!--|<(" + "|".join(sorted((re.escape(t) for t in _ALL_TAGS), key=len, reverse=True)) + r")(?=[\s>]|/>)",
    re.IGNORECASE,
)
_CLOSE = {t: re.compile(r"</" + re.escape(t) + r"\s*>", re.IGNORECASE) for t in _ALL_TAGS}
_MARKER_CLOSE = re.compile(r"</(?:noinclude|onlyinclude)\s*>", re.IGNORECASE)

# Sanitizer::getAttribsRegex: a name (anything but space, `/`, `>` and `=`; `=` allowed first), then optionally
# `=` and a double-quoted, single-quoted or bare value. A bare value runs to the next space or `>` and keeps any
# quote in it (`name=\"a\"` is the name `\"a\"`). Matches follow one another with no space needed between.
_ATTR = re.compile(
    r"""((?:[^\t\n\x0c\r /=>]|=)[^\t\n\x0c\r /=>]*)"""
    r"""(?:[\t\n\x0c\r ]*=[\t\n\x0c\r ]*(?:"([^"]*)(?:"|$)|'([^']*)(?:'|$)|((?:(?![\t\n\x0c\r ]|>).)*)))?""",
    re.DOTALL,
)
# Sanitizer::getAttribNameRegex: names with other characters are dropped
_ATTR_NAME = re.compile(r"[:_\w][:_.\-\w]*")
_WS = re.compile(r"[\t\n\r ]+")


def parse_attributes(text: str) -> dict[str, str]:
    """Decode tag attributes as MediaWiki's Sanitizer does (decodeTagAttributes): names lower-cased and kept only
    when made of letters, digits and `:_.-`; values' whitespace folded and trimmed, character references decoded;
    a repeated attribute keeps its last value."""
    attrs: dict[str, str] = {}
    if not text.strip():
        return attrs
    for m in _ATTR.finditer(text):
        name = m.group(1).lower()
        if not _ATTR_NAME.fullmatch(name):
            continue
        value = next((g for g in m.group(4, 3, 2) if g is not None), "")
        attrs[name] = html.unescape(_WS.sub(" ", value).strip())
    return attrs


@dataclass(frozen=True)
class Element:
    """An extension tag or comment found by the scan. `inner` is None for `<tag/>` and comments."""

    name: str  # lower-cased tag name, or "!--" for a comment
    start: int
    end: int
    attrs_text: str = ""
    inner_start: int = -1
    inner_end: int = -1
    depth: int = 0  # 1 inside <references>, <poem>, <gallery> …
    parent: str | None = None  # the transparent tag this element sits in

    @property
    def self_closing(self) -> bool:
        return self.inner_start < 0


@dataclass
class Scan:
    """Everything the lexical pass found in one text, in document order."""

    text: str
    elements: list[Element]
    opaque: list[tuple[int, int]]  # sorted, merged spans of comments and extension tags
    literal_tags: list[int]  # offsets of opening tags that stayed text (no closing tag)

    def __post_init__(self) -> None:
        self._starts = [s for s, _ in self.opaque]

    def is_opaque(self, pos: int) -> bool:
        """True when `pos` lies inside a comment or an extension tag."""
        i = bisect_right(self._starts, pos) - 1
        return i >= 0 and self.opaque[i][0] <= pos < self.opaque[i][1]

    def next_opaque_end(self, pos: int) -> int:
        """The end of the opaque span containing `pos` (or `pos` itself when outside any)."""
        i = bisect_right(self._starts, pos) - 1
        if i >= 0 and self.opaque[i][0] <= pos < self.opaque[i][1]:
            return self.opaque[i][1]
        return pos

    @cached_property
    def _element_starts(self) -> list[int]:
        return [e.start for e in self.elements]

    @cached_property
    def _top(self) -> tuple[list[Element], list[int]]:
        top = [e for e in self.elements if not e.depth]
        return top, [e.start for e in top]

    def elements_within(self, lo: int, hi: int) -> list[Element]:
        """Elements (at any depth) that start within [lo, hi), in order."""
        starts = self._element_starts
        return self.elements[bisect_left(starts, lo):bisect_left(starts, hi)]

    def top_elements_over(self, lo: int, hi: int) -> list[Element]:
        """Elements outside any container that overlap [lo, hi), in order (such elements never overlap)."""
        top, starts = self._top
        i = max(0, bisect_right(starts, lo) - 1)
        if i < len(top) and top[i].end <= lo:
            i += 1
        return top[i:bisect_left(starts, hi)]


def scan(text: str) -> Scan:
    """Scan `text` once; transparent containers are scanned inside with an explicit work list."""
    elements: list[Element] = []
    opaque: list[tuple[int, int]] = []
    literal: list[int] = []
    # (start, end, depth, parent) windows still to scan; the page itself first
    work: list[tuple[int, int, int, str | None]] = [(0, len(text), 0, None)]
    while work:
        lo, hi, depth, parent = work.pop()
        _scan_window(text, lo, hi, depth, parent, elements, opaque, literal, work)
    elements.sort(key=lambda e: e.start)
    opaque.sort()
    return Scan(text, elements, _merge(opaque), sorted(literal))


def _scan_window(text, lo, hi, depth, parent, elements, opaque, literal, work) -> None:  # noqa: PLR0913
    pos = lo
    no_more_closing: set[str] = set()
    while pos < hi:
        m = _START.search(text, pos, hi)
        if m is None:
            return
        start = m.start()
        if m.group(1) is None:  # a comment
            close = text.find("-->", m.end(), hi)
            end = hi if close < 0 else close + 3
            elements.append(Element("!--", start, end, depth=depth, parent=parent))
            opaque.append((start, end))
            pos = end
            continue
        name = m.group(1).lower()
        tag_end = text.find(">", m.end(), hi)
        if tag_end < 0:
            literal.append(start)
            pos = m.end()
            continue
        if name in MARKER_TAGS:  # the marker vanishes; its content stays ordinary page text
            opaque.append((start, tag_end + 1))
            pos = tag_end + 1
            closer = _MARKER_CLOSE.search(text, pos, hi)
            if closer:
                opaque.append((closer.start(), closer.end()))
            continue
        if text[tag_end - 1] == "/":
            el = Element(name, start, tag_end + 1, text[m.end():tag_end - 1], depth=depth, parent=parent)
            elements.append(el)
            if name == REF_TAG or name in OPAQUE_TAGS:
                opaque.append((start, tag_end + 1))
            pos = tag_end + 1
            continue
        close = None if name in no_more_closing else _CLOSE[name].search(text, tag_end + 1, hi)
        if close is None:
            if name in ALLOW_MISSING_END and name not in no_more_closing:
                inner_end, end = hi, hi
            else:
                no_more_closing.add(name)
                literal.append(start)
                pos = tag_end + 1
                continue
        else:
            inner_end, end = close.start(), close.end()
        el = Element(name, start, end, text[m.end():tag_end], tag_end + 1, inner_end, depth, parent)
        elements.append(el)
        opaque.append((start, end))  # no heading or template starts inside any extension tag
        if name in TRANSPARENT_TAGS:
            work.append((tag_end + 1, inner_end, depth + 1, name))
        pos = end


def _merge(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in spans:
        if out and s <= out[-1][1]:
            if e > out[-1][1]:
                out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def strip_comments(text: str) -> str:
    """Remove HTML comments (an unclosed one runs to the end), as the preprocessor does."""
    out, pos = [], 0
    while True:
        i = text.find("<!--", pos)
        if i < 0:
            out.append(text[pos:])
            return "".join(out)
        out.append(text[pos:i])
        j = text.find("-->", i + 4)
        if j < 0:
            return "".join(out)
        pos = j + 3
