"""Unsourced additions (code `unsourced-text`): prose the edit added with no citation to support it.

A paragraph is judged when most of its words are new (at least MIN_WORDS of them) and nothing in it cites a
source: no `<ref>`, no `{{sfn}}`/`{{harvnb}}`-style short citation, no `{{r}}`. A cited paragraph whose new tail
(after its last citation) holds a whole sentence is reported for that sentence. Headings, lists, tables, files,
templates on their own line, file, category and interlanguage links in any of the wiki's names (its siteinfo), and
appendix sections (References, See also, External links …) are not prose. Sentences end as in every script
(`।`, `。` …) and words of unspaced scripts are counted by length (wikidiff.text.sentences).
Paragraphs that already carry a maintenance tag such as {{citation needed}} are left to the tag flags.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from ..codes import Severity, shorten
from ..model import Flag, Span
from ..sources.siteinfo import CATEGORY_NS, FILE_NS, SiteInfo, link_prefix
from ..text.document import Document
from ..text.memo import TextMemo
from ..text.sentences import count_words, sentences
from .base import CheckContext
from .tags import _readable

MIN_WORDS = 12
MIN_SENTENCE_WORDS = 8
#: a line shorter than this cannot hold MIN_SENTENCE_WORDS words (each a character, a separator between them)
SHORTEST_FLAGGED = 2 * MIN_SENTENCE_WORDS - 1
APPENDIX = re.compile(
    r"^(references|notes|footnotes|citations|sources|bibliography|see also|external links|further reading|"
    r"works|publications|discography|filmography|notes and references|references and notes)$",
    re.IGNORECASE,
)
_NOT_PROSE = re.compile(r"^\s*(?:=|\{\||\||!|\*|#|:|;|\{\{|<!--|__|$)")
_CITES = re.compile(r"\{\{\s*(?:sfnm?p?|harvnb|harvp|harv|sfn whole|r|rp|#tag\s*:\s*ref)\s*\|", re.IGNORECASE)
_LINK = re.compile(r"\[\[(?:[^|\]]*\|)?([^\]]*)\]\]")
_EXT_LINK = re.compile(r"\[(?:https?:)?//[^\s\]]+\s*([^\]]*)\]")
#: a whole sentence ends with one of these (closing quotes and brackets stripped first)
_ENDS = frozenset(".!?…।॥。！？؟۔։።။\"'”’»)]）」』】")
_ANY_TEMPLATE_NAME = re.compile(r"\{\{\s*([^{}|]+?)\s*[|}]")


def prose(doc: Document, lo: int, hi: int) -> str:
    text = _readable(doc, lo, hi)
    text = _LINK.sub(r"\1", text)
    text = _EXT_LINK.sub(r"\1", text)
    text = re.sub(r"<[^>]*>", "", text)
    return re.sub(r"'{2,}", "", text)


#: word counts of prose met lately (an edit war adds the same paragraphs again and again)
_counts: TextMemo[int] = TextMemo(2_000_000)


def _words(text: str) -> int:
    n = _counts.get(text)
    return n if n is not None else _counts.put(text, count_words(text), len(text))


def not_prose(line: str, site: SiteInfo) -> bool:
    """Headings, lists, tables, templates, comments and switches; a line that starts with a file or category link
    (in any of the wiki's names for those namespaces) or an interlanguage link."""
    if _NOT_PROSE.match(line):
        return True
    prefix = link_prefix(line.lstrip())
    if prefix is None:
        return False
    return site.namespace_of(prefix) in (FILE_NS, CATEGORY_NS) or site.is_interlanguage(prefix)


def _citation_ends(doc: Document, lo: int, hi: int) -> list[int]:
    ends = [el.end for el in doc.scan.elements_within(lo, hi) if el.name == "ref"]
    ends += [m.end() for m in _CITES.finditer(doc.text, lo, hi) if not doc.scan.is_opaque(m.start())]
    return sorted(ends)


def _inserted(spans: list[tuple[int, int]], starts: list[int], lo: int, hi: int) -> list[tuple[int, int]]:
    """The parts of [lo, hi) inside `spans` (sorted and disjoint; `starts` are their starts)."""
    out = []
    for k in range(max(0, bisect_right(starts, lo) - 1), len(spans)):
        a, b = spans[k]
        if a >= hi:
            break
        if lo < b:
            out.append((max(a, lo), min(b, hi)))
    return out


def check_unsourced(ctx: CheckContext) -> list[Flag]:
    flags = []
    doc = ctx.new
    spans = ctx.inserted_spans
    starts = [a for a, _ in spans]
    for change in ctx.changed_pairs:
        section = change.new
        if section is None or (section.heading and APPENDIX.match(section.heading)):
            continue
        pos = section.body_start
        for line in doc.text[section.body_start:section.end].split("\n"):
            lo, hi = pos, pos + len(line)
            pos = hi + 1
            if len(line) < SHORTEST_FLAGGED:  # too short to hold a flaggable sentence: no work for 500,000 of them
                continue
            if not_prose(line, ctx.site) or doc.scan.is_opaque(lo):
                continue
            new_parts = _inserted(spans, starts, lo, hi)
            if not new_parts:
                continue
            if any(ctx.tags.lookup(m.group(1)) for m in _ANY_TEMPLATE_NAME.finditer(line)):
                continue
            line_prose = prose(doc, lo, hi)
            total_words = _words(line_prose)
            added_words = sum(total_words if (a, b) == (lo, hi) else _words(prose(doc, a, b)) for a, b in new_parts)
            cites = _citation_ends(doc, lo, hi)
            severity: Severity = "info" if section.index == 0 else "warning"
            if not cites:
                if added_words >= MIN_WORDS and added_words * 2 >= total_words:
                    text = line_prose.strip()
                    flags.append(Flag(
                        "unsourced-text", severity,
                        f"{added_words} added words with no citation", section.label,
                        {"scope": "paragraph", "words": added_words, "text": _clip(text)}, new_offset=lo,
                        span=_trimmed(doc.text, lo, hi)))
                continue
            tail_start = cites[-1]
            tail_new = _inserted(spans, starts, tail_start, hi)
            tail_text = prose(doc, tail_start, hi).strip()
            whole = [tail_text[a:b] for a, b in sentences(tail_text)
                     if tail_text[a:b].rstrip()[-1:] in _ENDS]
            whole = [x for x in whole if _words(x) >= MIN_SENTENCE_WORDS]
            if whole and sum(_words(prose(doc, a, b)) for a, b in tail_new) >= MIN_SENTENCE_WORDS:
                flags.append(Flag(
                    "unsourced-text", severity,
                    "an added sentence after the paragraph's last citation has no citation", section.label,
                    {"scope": "sentence", "words": _words(tail_text), "text": _clip(tail_text)},
                    new_offset=tail_start, span=_trimmed(doc.text, tail_start, hi)))
    return flags


def _trimmed(text: str, lo: int, hi: int) -> Span:
    """[lo, hi) of the new revision without the white space at either end."""
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return Span("new", lo, hi)


def _clip(text: str, n: int = 300) -> str:
    return shorten(text, n)
