"""Cite's page model: what the Cite extension concludes about one revision's refs (`RefState`).

The page-wide errors come from replaying Cite's reference stack over the refs in the order its hooks see them: a
named ref takes the content of its first ref with content; a later different content is a duplicate; `follow=`
appends to a ref already seen; each references list renders its group's refs, reports those still without content,
and starts that group afresh, so a name defined before a list and used after it is broken. What is left at the end
of the page is rendered there (for a group other than the default one the legacy parser shows a single group error
instead, Parsoid an added list with the per-name errors, which is what is modelled here).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..model import Ref
from ..text.document import Document
from .index import CiteCall, ref_index, refs_of

Key = tuple[str, str]  # (group, name)
#: Cite errors that one tag shows by itself (besides the empty-ref ones)
TAG_ERROR_KEYS = frozenset({
    "cite_error_ref_numeric_key", "cite_error_included_ref", "cite_error_ref_follow_conflicts",
    "cite_error_details_missing_parent", "cite_error_references_no_key", "cite_error_empty_references_define",
})
#: a ref with neither name nor content
EMPTY_ERRORS = frozenset({"cite_error_ref_no_input", "cite_error_ref_no_key"})


@dataclass
class RefState:
    """What Cite would conclude about one revision's refs."""

    definitions: dict[Key, list[Ref]]  # refs with content, by name
    uses: dict[Key, list[Ref]]  # invocations, in order
    broken: dict[Key, list[Ref]]  # the uses that found no content
    duplicates: dict[Key, list[Ref]]  # the refs whose contents disagree (at least two)
    unused_list_defined: dict[Key, Ref]
    empty: list[Ref]
    tag_errors: list[Ref]


@dataclass
class _Item:
    """One entry of Cite's stack: a name in a group, the content it has so far and the refs behind it."""

    text: str | None = None
    uses: list[Ref] = field(default_factory=list)
    contents: list[Ref] = field(default_factory=list)
    duplicate: bool = False


def ref_state(doc: Document) -> RefState:
    """Replay Cite over `doc`'s refs: definitions, uses, broken names, duplicates, unused list-defined refs (once
    per Document: read it, do not change it)."""
    found = doc.memo.get("ref_state")
    if found is None:
        found = doc.memo["ref_state"] = _replay(doc)
    return found


def _replay(doc: Document) -> RefState:
    index = ref_index(doc)
    definitions: dict[Key, list[Ref]] = defaultdict(list)
    uses: dict[Key, list[Ref]] = defaultdict(list)
    for call in index.calls:
        r = call.ref
        if call.name is not None and not call.fatal:
            (definitions if r.content is not None else uses)[(r.group, call.name)].append(r)
    empty = [r for r in refs_of(doc) if r.error in EMPTY_ERRORS]
    tag_errors = [r for r in refs_of(doc) if r.error in TAG_ERROR_KEYS]
    stack = _CiteStack()
    lists = iter(index.lists)
    pending = next(lists, None)
    for call in index.calls:
        while pending is not None and pending.end <= call.order:
            stack.render(pending.group)
            pending = next(lists, None)
        if not call.fatal:
            stack.push(call)
    while pending is not None:
        stack.render(pending.group)
        pending = next(lists, None)
    for group in list(stack.groups):  # the lists Cite adds at the end of the page
        stack.render(group)
    return RefState(dict(definitions), dict(uses), dict(stack.broken), stack.duplicates, stack.unused,
                    empty, tag_errors)


class _CiteStack:
    """Cite's ReferenceStack reduced to what decides the named-ref errors."""

    def __init__(self) -> None:
        self.groups: dict[str, dict[str, _Item]] = defaultdict(dict)
        self.broken: dict[Key, list[Ref]] = defaultdict(list)
        self.duplicates: dict[Key, list[Ref]] = {}
        self.unused: dict[Key, Ref] = {}

    def push(self, call: CiteCall) -> None:
        ref, group, name = call.ref, call.ref.group, call.name
        items = self.groups[group]
        if ref.list_defined and name is not None:
            if name not in items:  # defined in the list but not used in the text before it
                self.unused.setdefault((group, name), ref)
                return
            self._content(group, name, items[name], ref)
            return
        if call.follow is not None:
            target = items.get(call.follow)
            if target is not None and ref.content is not None:
                target.text = (target.text or "") + " " + ref.content
                target.contents.append(ref)
            return
        if name is None:
            return
        item = items.setdefault(name, _Item())
        if ref.content is None:
            item.uses.append(ref)
        else:
            self._content(group, name, item, ref)

    def _content(self, group: str, name: str, item: _Item, ref: Ref) -> None:
        if item.text is None:
            item.text = ref.content
        elif ref.content != item.text and not item.duplicate:
            item.duplicate = True
            self.duplicates.setdefault((group, name), [*item.contents, ref])
        item.contents.append(ref)

    def render(self, group: str) -> None:
        """A references list of `group`: report the names still without content, then forget the group."""
        for name, item in self.groups.pop(group, {}).items():
            if item.text is None and item.uses:
                self.broken[(group, name)].extend(item.uses)
