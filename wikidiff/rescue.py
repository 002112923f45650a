"""Rescue broken named refs: find each missing definition and, on request, put it back at the first use.

Where a definition is looked for, in this order:
1. the old revision (the edit removed it);
2. the page's earlier revisions, newest first (when a history source is given);
3. the articles the section of the first use points to ({{Main article}}, {{main}}, {{further}}, {{see also}} …),
   then the pages linked from the edit summary (when a page source is given) — text copied from another article
   usually leaves its definitions behind there.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from .cite.state import Key, ref_state
from .model import Ref, RevisionMeta
from .text.braces import find_templates
from .text.document import Document

#: title -> current wikitext of that page, or None when it does not exist
PageSource = Callable[[str], "str | None"]
#: the page's earlier revisions, newest first
HistorySource = Callable[[], Iterable[tuple[str, RevisionMeta]]]

_POINTERS = re.compile(
    r"\{\{\s*(?:[Tt]emplate\s*:\s*)?(?:[Mm]ain(?:[ _]+article)?|[Ff]urther(?:[ _]+information)?|[Ss]ee[ _]+also|"
    r"[Dd]etails|[Mm]ore[ _]+information)\s*\|"
)
_SUMMARY_LINK = re.compile(r"\[\[\s*([^\]|#]+)(?:#[^\]|]*)?(?:\|[^\]]*)?\]\]")


@dataclass(frozen=True)
class Rescue:
    """Where one missing definition was found."""

    name: str
    group: str
    content: str
    found_in: str  # "old revision", "revision 123", "article"
    title: str | None = None
    revid: int | None = None

    @property
    def definition(self) -> str:
        return make_definition(self.name, self.group, self.content)

    def to_dict(self) -> dict:
        return {"name": self.name, "group": self.group or None, "found_in": self.found_in, "title": self.title,
                "revid": self.revid, "definition": self.definition}


def make_definition(name: str, group: str, content: str) -> str:
    def attr(key: str, value: str) -> str:
        quote = "'" if '"' in value else '"'
        return f" {key}={quote}{value}{quote}"

    return f"<ref{attr('name', name)}{attr('group', group) if group else ''}>{content}</ref>"


def pointed_articles(doc: Document, offset: int) -> list[str]:
    """Titles named by {{Main article}}/{{further}}/{{see also}}: first in the section holding `offset` and the
    sections enclosing it, then in the other sections, nearest first."""
    section = doc.section_at(offset)
    titles: list[str] = []
    enclosing = [s for s in doc.sections if s.path and s.path == section.path[: len(s.path)]]
    enclosing = sorted(enclosing, key=lambda s: -len(s.path)) or [section]
    others = sorted((s for s in doc.sections if s not in enclosing), key=lambda s: abs(s.index - section.index))
    for s in [*enclosing, *others]:
        for call in find_templates(doc.scan, _POINTERS, s.start, s.end):
            i = 1
            while str(i) in call.args:
                title = call.args[str(i)].strip()
                if title:
                    titles.append(title)
                i += 1
    return list(dict.fromkeys(titles))


def summary_links(comment: str | None) -> list[str]:
    return list(dict.fromkeys(m.group(1).strip() for m in _SUMMARY_LINK.finditer(comment or "")))


def find_rescues(old: Document, new: Document, *, new_meta: RevisionMeta | None = None,
                 history: HistorySource | None = None, pages: PageSource | None = None,
                 searched: list[tuple[str, str]] | None = None) -> list[Rescue]:
    """A Rescue for each broken named ref of `new` whose definition could be found.

    `searched`, when given, receives (place, what it answered) for each place looked in: "missing", "no
    definition", "defines 'a', 'b'", or "several different definitions of 'a'" (an article that defines a name
    twice with different content is not used for that name: which one was meant cannot be known)."""
    broken = ref_state(new).broken
    wanted: dict[Key, list[Ref]] = dict(broken)
    found: dict[Key, Rescue] = {}

    def take(doc: Document, place: str, found_in: str, title: str | None = None, revid: int | None = None,
             strict: bool = False) -> None:
        defs = ref_state(doc).definitions
        got: list[str] = []
        ambiguous: list[str] = []
        for key in list(wanted):
            contents = [r.content.strip() for r in defs.get(key, []) if r.content]
            if not contents:
                continue
            if strict and len(set(contents)) > 1:
                ambiguous.append(key[1])
                continue
            found[key] = Rescue(key[1], key[0], contents[0], found_in, title, revid)
            got.append(key[1])
            del wanted[key]
        if searched is not None:
            answer = []
            if got:
                answer.append("defines " + ", ".join(repr(n) for n in got))
            if ambiguous:
                answer.append("several different definitions of " + ", ".join(repr(n) for n in ambiguous))
            searched.append((place, "; ".join(answer) or "no definition"))

    take(old, "the old revision", "old revision")
    if wanted and history is not None:
        for text, meta in history():
            take(Document.from_text(text), f"earlier revision {meta.revid}", "earlier revision", meta.title,
                 meta.revid)
            if not wanted:
                break
    if wanted and pages is not None:
        for title in _candidate_pages(new, wanted, new_meta):
            page_text = pages(title)
            if page_text:
                take(Document.from_text(page_text), f"article “{title}”", "article", title, strict=True)
            elif searched is not None:
                searched.append((f"article “{title}”", "missing"))
            if not wanted:
                break
    return [found[k] for k in broken if k in found]


def _candidate_pages(new: Document, wanted: dict[Key, list[Ref]], meta: RevisionMeta | None) -> Iterator[str]:
    seen: set[str] = set()
    for uses in list(wanted.values()):
        for title in pointed_articles(new, uses[0].start):
            if title not in seen:
                seen.add(title)
                yield title
    for title in summary_links(meta.comment if meta else None):
        if title not in seen:
            seen.add(title)
            yield title


def apply_rescues(new: Document, rescues: list[Rescue]) -> tuple[str, list[Rescue]]:
    """The new text with each rescued definition put in place of its first `<ref name=… />` use.

    Returns the fixed text and the rescues that could not be placed (names used only through templates)."""
    state = ref_state(new)
    edits: list[tuple[int, int, str]] = []
    unplaced = []
    for r in rescues:
        uses = [u for u in state.broken.get((r.group, r.name), []) if u.via == "tag"]
        if not uses:
            unplaced.append(r)
            continue
        first = uses[0]
        edits.append((first.start, first.end, r.definition))
    text = new.text
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, unplaced


@dataclass(frozen=True)
class RescueSources:
    """Where else to look for lost definitions: other pages' current text, and the page's earlier revisions."""

    pages: PageSource | None = None
    history: HistorySource | None = None


def attach_rescues(flags: Iterable, old: Document, new: Document, *, new_meta: RevisionMeta | None = None,
                   sources: RescueSources | None = None) -> None:
    """Give each broken-ref flag a `rescue` field: where its definition was found (Rescue.to_dict()), or None."""
    sources = sources or RescueSources()
    found = {(r.group, r.name): r for r in find_rescues(old, new, new_meta=new_meta, history=sources.history,
                                                          pages=sources.pages)}
    for flag in flags:
        if flag.code == "broken-ref":
            r = found.get((flag.fields["group"] or "", flag.fields["name"]))
            flag.fields["rescue"] = r.to_dict() if r else None
