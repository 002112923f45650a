"""Inline maintenance tags (`{{citation needed}}`, `{{clarify}}`, `{{whom}}` …) added or removed by an edit.

Only the sections whose text changed are searched. A tag is unchanged when it lies in text the word diff kept
(or was only re-dated or re-worded in place); a tag that moved with its sentence to another place is unchanged too.
What is left is reported, with its reason, date, the sentence it annotated and, for a removed tag, the text that
replaced it.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from ..codes import shorten
from ..diff.lines import replacement_line
from ..model import DiffOp, Flag, Span
from ..text.braces import Args, TemplateCall, all_calls, find_templates
from ..text.document import Document
from ..text.sentences import SENTENCE_END, sentences
from ..text.titles import MaintenanceTags
from .base import CheckContext

_ANY_TEMPLATE = re.compile(r"\{\{(?!\s*[#{])")
CONTEXT_CHARS = 300
REPLACEMENT_CHARS = 600
#: the most of a tag's wikitext, reason and date a flag keeps (a tag can hold a nest of tags), and of the citation
#: that replaced it (tags in one sentence share it)
SHOWN_CHARS = 500
CITATION_CHARS = 2000


@dataclass
class FoundTag:
    canonical: str
    call: TemplateCall
    reason: str | None
    date: str | None

    @property
    def written(self) -> str:
        return self.call.name.strip()


def tags_in(doc: Document, lo: int, hi: int, table: MaintenanceTags | None = None) -> list[FoundTag]:
    """Maintenance tags that start within doc.text[lo:hi] (`table`: the alias table, the shipped one by default)."""
    table = table or MaintenanceTags.default()
    out = []
    for call in find_templates(doc.scan, _ANY_TEMPLATE, lo, hi):
        spec = table.lookup(call.name)
        if spec is None:
            continue
        args = _Heads(call.args) if isinstance(call.args, Args) else call.args
        out.append(FoundTag(spec.canonical, call, spec.reason(args), spec.date(args)))
    return out


class _Heads(Mapping[str, str]):
    """A call's arguments, each value cut to SHOWN_CHARS without reading the rest (so tags nested in a reason cost
    their own text, not every deeper level again)."""

    __slots__ = ("_args",)

    def __init__(self, args: Args) -> None:
        self._args = args

    def __getitem__(self, key: str) -> str:
        if key not in self._args:
            raise KeyError(key)
        return self._args.head(key, SHOWN_CHARS)

    def __iter__(self) -> Iterator[str]:
        return iter(self._args)

    def __len__(self) -> int:
        return len(self._args)


def _clip(text: str, lo: int, hi: int, limit: int = SHOWN_CHARS) -> str:
    """text[lo:hi] cut to `limit` characters (the last "…"), read without copying the rest."""
    return text[lo:hi] if hi - lo <= limit else text[lo:lo + limit - 1] + "…"


class _Side:
    """One side ("old" or "new") of a section's word diff: its equal runs and its own (deleted or inserted) runs,
    contiguous and in order, so a lookup by offset is a binary search."""

    def __init__(self, ops: list[DiffOp], side: str) -> None:
        self.own = "delete" if side == "old" else "insert"
        self.runs = [(op.old_offset, op.new_offset, op) if side == "old" else (op.new_offset, op.old_offset, op)
                     for op in ops if op.op in ("equal", self.own)]
        self.starts = [here for here, _, _ in self.runs]

    def touched(self, start: int, end: int) -> bool:
        """Does [start, end) overlap a run that exists only on this side?"""
        i = bisect_left(self.starts, end) - 1
        while i >= 0 and self.runs[i][0] + len(self.runs[i][2].text) > start:
            if self.runs[i][2].op == self.own:
                return True
            i -= 1
        return False

    def map(self, pos: int) -> int:
        """The offset on the other side matching `pos`; inside a run that exists only on this side, the place
        where that run stands on the other side; -1 outside the diffed text."""
        i = bisect_right(self.starts, pos) - 1
        if i < 0:
            return -1
        here, there, op = self.runs[i]
        if pos >= here + len(op.text):
            return -1
        return there + (pos - here if op.op == "equal" else 0)


_TEMPLATE_FLAT = re.compile(r"\{\{[^{}]*\}\}")


def _readable(doc: Document, lo: int, hi: int) -> str:
    """doc.text[lo:hi] without refs, comments and templates: the prose a reader sees around a tag."""
    parts, pos = [], lo
    for el in doc.scan.top_elements_over(lo, hi):
        if el.name in ("ref", "!--"):
            parts.append(doc.text[pos:max(pos, el.start)])
            pos = max(pos, el.end)
    parts.append(doc.text[pos:hi] if pos < hi else "")
    text = "".join(parts)
    for _ in range(20):  # innermost templates first; a bounded number of passes
        text, n = _TEMPLATE_FLAT.subn("", text)
        if not n:
            break
    return text


def sentence_before(doc: Document, pos: int) -> str:
    """The sentence a tag at `pos` annotates: from the previous sentence end (or paragraph start) to `pos` (asked
    once per tag and revision: moved tags and the flags ask again)."""
    known: dict[int, str] = doc.memo.setdefault("sentence_before", {})
    if pos not in known:
        known[pos] = _sentence_before(doc, pos)
    return known[pos]


def _sentence_before(doc: Document, pos: int) -> str:
    lo = max(0, doc.text.rfind("\n", 0, max(0, pos - 1)) + 1, pos - CONTEXT_CHARS * 20)
    window = _readable(doc, lo, pos).rstrip()
    cut = 0
    for m in SENTENCE_END.finditer(window[:-1]):
        cut = m.end()
    sentence = window[cut:].strip()
    if len(sentence) > CONTEXT_CHARS:
        sentence = "…" + sentence[-CONTEXT_CHARS:]
    return sentence


def _replacement(ctx: CheckContext, pos: int) -> str | None:
    """The new text shown beside the old line that held `pos` in the page's line diff (None: just deleted)."""
    line = replacement_line(ctx.line_blocks, pos)
    if line is None:
        return None
    return shorten(line[1].strip(), REPLACEMENT_CHARS + 1, fold=False)


def check_tags(ctx: CheckContext) -> list[Flag]:
    removed: list[tuple[FoundTag, list[DiffOp]]] = []
    added: list[tuple[FoundTag, list[DiffOp]]] = []
    resolved: dict[int, tuple[int, int]] = {}  # removed tag -> the citation the edit put in its sentence
    for change in ctx.changed_pairs:
        o, n = change.old, change.new
        old_tags = tags_in(ctx.old, o.start, o.end, ctx.tags) if o else []
        new_tags = tags_in(ctx.new, n.start, n.end, ctx.tags) if n else []
        if o is None or n is None:
            removed += [(t, change.ops) for t in old_tags]
            added += [(t, change.ops) for t in new_tags]
            continue
        ops = change.ops
        old_side, new_side = _Side(ops, "old"), _Side(ops, "new")
        gone = [t for t in old_tags if old_side.touched(t.call.start, t.call.end)]
        fresh = [t for t in new_tags if new_side.touched(t.call.start, t.call.end)]
        # a tag re-dated or re-worded in place is the same tag: where the old one maps to, the new one starts
        old_at = {(t.canonical, old_side.map(t.call.start)) for t in old_tags}
        new_at = {(t.canonical, new_side.map(t.call.start)) for t in new_tags}
        gone = [t for t in gone if (t.canonical, t.call.start) not in new_at]
        fresh = [t for t in fresh if (t.canonical, t.call.start) not in old_at]
        # a known tag replaced at the same spot by a template the table does not know (or the reverse) is the
        # same tag under a redirect the table lacks
        gone = [t for t in gone if not _renamed(ctx.new, t, old_side.map(t.call.start), new_side, ctx.tags)]
        fresh = [t for t in fresh if not _renamed(ctx.old, t, new_side.map(t.call.start), old_side, ctx.tags)]
        for t in gone:
            if t.canonical in _SOURCING:
                cite = _citation_put(ctx.new, old_side.map(t.call.start), new_side)
                if cite is not None:
                    resolved[id(t)] = cite
        removed += [(t, ops) for t in gone]
        added += [(t, ops) for t in fresh]
    removed, added = _drop_moves(ctx, removed, added)
    flags = []
    for tag, _ops in removed:
        pos = tag.call.start
        cite = resolved.get(id(tag))
        flags.append(Flag(
            "tag-removed", "info" if cite or tag.canonical in _LOW_PRIORITY else "warning",
            f"{{{{{tag.written}}}}} removed" + (" and a citation added in its place" if cite else "")
            + (f" (reason: {tag.reason})" if tag.reason else ""),
            ctx.old_section(pos),
            {"tag": tag.canonical, "template": tag.written, "reason": tag.reason, "date": tag.date,
             "wikitext": _clip(ctx.old.text, tag.call.start, tag.call.end),
             "context": sentence_before(ctx.old, pos), "replaced_by": _replacement(ctx, pos),
             "resolved_by_citation": cite is not None,
             "citation": _clip(ctx.new.text, *cite, CITATION_CHARS) if cite else None},
            old_offset=pos, span=Span("old", tag.call.start, tag.call.end)))
    for tag, _ops in added:
        pos = tag.call.start
        flags.append(Flag(
            "tag-added", "info",
            f"{{{{{tag.written}}}}} added" + (f" (reason: {tag.reason})" if tag.reason else ""),
            ctx.new_section(pos),
            {"tag": tag.canonical, "template": tag.written, "reason": tag.reason, "date": tag.date,
             "wikitext": _clip(ctx.new.text, tag.call.start, tag.call.end),
             "context": sentence_before(ctx.new, pos)},
            new_offset=pos, span=Span("new", tag.call.start, tag.call.end)))
    return flags


#: removing these rarely loses information an auditor needs (dead links get fixed by bots)
_LOW_PRIORITY = frozenset({"dead link"})
#: tags a citation answers: removed where the edit put one, they are resolved, not lost
_SOURCING = frozenset(t.canonical for t in MaintenanceTags.default()
                      if t.category == "verifiability" and t.canonical != "dead link")
#: templates that cite (short citations and {{r}}); <ref> tags are read from the scan
_CITE_TEMPLATE = re.compile(r"\{\{\s*(?:sfnm?p?|harvnb|harvp|sfn whole|r|rp|#tag\s*:\s*ref)\s*\|", re.IGNORECASE)


def _citation_put(doc: Document, pos: int, side: _Side) -> tuple[int, int] | None:
    """The span of a citation this edit inserted in the sentence that holds `pos` (where a removed tag stood,
    mapped to the new revision), or None."""
    if pos < 0:
        return None
    text = doc.text
    line_lo = text.rfind("\n", 0, pos) + 1
    line_hi = text.find("\n", pos)
    line_hi = len(text) if line_hi < 0 else line_hi
    lo, hi = line_lo, line_hi
    for a, b in sentences(text, line_lo, line_hi):
        if b >= pos:  # the sentence the tag closed (its mark may come after the tag's place)
            lo, hi = (a, b) if a <= pos else (lo, b)
            break
        lo = b
    cites = [(el.start, el.end) for el in doc.scan.elements_within(lo, hi + 1) if el.name == "ref"]
    cites += [(c.start, c.end) for c in find_templates(doc.scan, _CITE_TEMPLATE, lo, hi + 1)]
    return next((c for c in sorted(cites) if side.touched(*c)), None)


def _args(call: TemplateCall) -> dict[str, str]:
    return {k: " ".join(v.split()) for k, v in call.args.items() if v.strip()}


def _renamed(other: Document, tag: FoundTag, pos: int, side: _Side, table: MaintenanceTags) -> bool:
    """Does the other revision hold, where `tag` maps to, a template the tag table does not know, with the tag's
    arguments? Then the edit only swapped the name (a redirect the table lacks), not the tag."""
    if pos < 0:
        return False
    calls = all_calls(other.scan)
    call = next((calls[p] for p in (pos, pos - 1, pos + 1) if p in calls), None)
    if call is None or table.lookup(call.name) is not None or _CITE_TEMPLATE.match(
            other.text, call.start):
        return False
    return side.touched(call.start, call.end) and _args(call) == _args(tag.call)


def _drop_moves(ctx: CheckContext, removed: list[tuple[FoundTag, list[DiffOp]]],
                added: list[tuple[FoundTag, list[DiffOp]]]
                ) -> tuple[list[tuple[FoundTag, list[DiffOp]]], list[tuple[FoundTag, list[DiffOp]]]]:
    """A tag removed in one place and added with the same reason after the same sentence elsewhere moved."""
    pool: defaultdict[tuple[str, str | None, str], list[int]] = defaultdict(list)
    for i, (t, _) in enumerate(added):
        key = (t.canonical, t.reason, sentence_before(ctx.new, t.call.start))
        pool[key].append(i)
    dropped_added: set[int] = set()
    kept_removed = []
    for t, ops in removed:
        key = (t.canonical, t.reason, sentence_before(ctx.old, t.call.start))
        if pool.get(key):
            dropped_added.add(pool[key].pop(0))
        else:
            kept_removed.append((t, ops))
    return kept_removed, [a for i, a in enumerate(added) if i not in dropped_added]
