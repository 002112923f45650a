"""Words to watch in added text (code `words-to-watch`, severity info): labels, doubt, weasel words,
editorialising, puffery and loaded said-words, from the table in data/words_to_watch.json (English Wikipedia's
Manual of Style: read only on the wikis the table lists).

Only words this edit inserted are read (moved paragraphs are not new), and never inside refs, templates,
comments or quotations: a quoted source may say "regime", the article's own voice should not.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from ..model import Flag, Span
from ..text.braces import template_spans
from .base import CheckContext

_QUOTE = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”|«[^»\n]*»|<blockquote>.*?</blockquote>", re.DOTALL | re.IGNORECASE)


@dataclass(frozen=True)
class Entry:
    phrase: str
    category: str
    guide: str
    note: str


@lru_cache(maxsize=1)
def _languages() -> frozenset[str]:
    data = json.loads(resources.files("wikidiff.data").joinpath("words_to_watch.json").read_text("utf-8"))
    return frozenset(data.get("languages", ["en"]))


@lru_cache(maxsize=1)
def _table() -> tuple[re.Pattern[str], dict[str, Entry]]:
    data = json.loads(resources.files("wikidiff.data").joinpath("words_to_watch.json").read_text("utf-8"))
    entries: dict[str, Entry] = {}
    for category, spec in data["categories"].items():
        for phrase in spec["phrases"]:
            entries[phrase.lower()] = Entry(phrase, category, spec["guide"], spec["note"])
    return re.compile(r"(?<![\w-])" + _trie(entries) + r"(?![\w-])", re.IGNORECASE), entries


def _trie(phrases: Iterable[str]) -> str:
    """One pattern for all the phrases with their common beginnings shared ("claim", "claims", "claimed" as
    claim(?:s|ed)?), so a text is read once, not once per phrase. Longer phrases are still tried first."""
    root: dict[str, Any] = {}
    for phrase in phrases:
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict[str, Any]) -> str:
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + pattern(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return "(?:" + pattern(root) + ")"


class _Spans:
    def __init__(self, spans: list[tuple[int, int]]) -> None:
        self.spans = sorted(spans)
        self.starts = [s for s, _ in self.spans]

    def covers(self, pos: int) -> bool:
        i = bisect_right(self.starts, pos) - 1
        return i >= 0 and self.spans[i][0] <= pos < self.spans[i][1]


def check_words(ctx: CheckContext) -> list[Flag]:
    if ctx.lang not in _languages():  # the table is English Wikipedia's Manual of Style
        return []
    pattern, entries = _table()
    doc = ctx.new
    flags = []
    skips: dict[tuple[int, int], _Spans] = {}  # per line: many insertions into one long line share it
    templates = _Spans(template_spans(doc.scan, 0, len(doc.text)))  # whole calls, over as many lines as they run
    for lo, hi in ctx.inserted_spans:
        line_lo = doc.text.rfind("\n", 0, lo) + 1
        line_hi = doc.text.find("\n", hi)
        line_hi = len(doc.text) if line_hi < 0 else line_hi
        skip = skips.get((line_lo, line_hi))
        if skip is None:
            skip = skips[line_lo, line_hi] = _Spans(
                [(m.start(), m.end()) for m in _QUOTE.finditer(doc.text, line_lo, line_hi)])
        for m in pattern.finditer(doc.text, lo, hi):
            if doc.scan.is_opaque(m.start()) or skip.covers(m.start()) or templates.covers(m.start()):
                continue
            if doc.text[max(0, m.start() - 1)] == "|" or _in_link_target(doc.text, m.start(), line_lo):
                continue
            entry = entries[" ".join(m.group().lower().split())]
            if entry.category == "claim" and not _said_word(doc.text, m.start(), m.end()):
                continue
            flags.append(Flag(
                "words-to-watch", "info",
                f"“{m.group()}” ({entry.guide}): {entry.note}", ctx.new_section(m.start()),
                {"word": m.group(), "category": entry.category, "guide": entry.guide,
                 "context": _context(doc.text, m.start(), m.end())},
                new_offset=m.start(), span=Span("new", m.start(), m.end())))
    return flags


_NOUN_BEFORE = frozenset({
    "the", "a", "an", "its", "their", "his", "her", "our", "your", "my", "these", "those", "this", "that", "such",
    "any", "some", "no", "territorial", "competing", "rival", "conflicting", "land", "legal", "insurance", "false",
})


#: after a plural noun "claims", not after the verb: "claims were rejected", "claims of fraud"
_NOUN_AFTER = frozenset({
    "were", "are", "was", "is", "have", "had", "has", "of", "about", "regarding", "concerning", "against", "for",
    "from", "over", "made", "remain", "remained", "and", "or",
})
#: endings of the adjectives that come before a noun ("official claims", "territorial claims", "dubious claims")
_ADJECTIVE = re.compile(r"(?:al|ous|ive|ic|ful|less|ary|ent|ant|ed|ing|ible|able|ical)$")


def _said_word(text: str, start: int, end: int) -> bool:
    """MOS:CLAIM is about verbs of saying: "X claimed that …", not "a territory claimed by X", "its claims" or
    "official claims were rejected"."""
    after_text = text[end:end + 30].lstrip().lower()
    if after_text.startswith("by ") or after_text.startswith("by\n"):
        return False
    before = text[max(0, start - 30):start].split()
    prev = before[-1].lower().strip("'\"“(") if before else ""
    if prev in _NOUN_BEFORE or prev.endswith(("'s", "’s", "s'")) or prev.isdigit():
        return False
    if text[start:end].lower() == "claims":  # the one form that is also a plural noun
        nxt = re.match(r"[\w']+|[,.;:]", after_text)
        if nxt and nxt.group() in _NOUN_AFTER | {",", ".", ";", ":"}:
            return False
        if prev and prev[:1].islower() and _ADJECTIVE.search(prev) and not prev.endswith("ly"):
            return False
    return True


#: a link target is a title: at most 255 characters, so the search for its brackets stays that near
TITLE_MAX = 255


def _in_link_target(text: str, pos: int, floor: int) -> bool:
    """Inside [[target|…]] before the pipe: a page name, not the article's wording. Only the TITLE_MAX characters
    around `pos` are searched, so a long line with many words costs linear time."""
    open_ = text.rfind("[[", max(floor, pos - TITLE_MAX - 2), pos)
    if open_ < 0 or text.rfind("]]", open_, pos) >= 0:
        return False
    end = min(len(text), open_ + TITLE_MAX + 4)
    close = text.find("]]", pos, end)
    pipe = text.find("|", open_, close if close >= 0 else end)
    return pipe < 0 or pos < pipe


def _context(text: str, start: int, end: int, width: int = 60) -> str:
    lo = max(0, start - width)
    hi = min(len(text), end + width)
    return ("…" if lo else "") + " ".join(text[lo:hi].split()) + ("…" if hi < len(text) else "")
