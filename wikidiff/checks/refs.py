"""Named-reference integrity, as the Cite extension judges a whole page.

- `broken-ref` (cite_error_references_no_text): a name used where no ref of that name (same group) has content.
- `duplicate-ref` (cite_error_references_duplicate_key): one name given two different contents.
- `empty-ref` (cite_error_ref_no_input / cite_error_ref_no_key): a ref with neither name nor content.
- `unused-ref` (cite_error_references_missing_key): a list-defined ref that the text before its list never uses.
- `ref-error`: other errors visible in one tag (TAG_ERRORS: a name that is a plain integer, a ref whose closing
  tag is missing so that it swallowed the next one, follow= with a name, a nameless or empty list-defined ref, …).
Each flag says whether this edit caused it: the old revision did not have the same problem.

The page-wide errors come from replaying Cite's reference stack over the refs in the order its hooks see them: a
named ref takes the content of its first ref with content; a later different content is a duplicate; `follow=`
appends to a ref already seen; each references list renders its group's refs, reports those still without content, and
starts that group afresh, so a name defined before a list and used after it is broken. What is left at the end of
the page is rendered there (for a group other than the default one the legacy parser shows a single group error
instead, Parsoid an added list with the per-name errors, which is what is reported here).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from ..cite.index import CiteCall
from ..cite.outside import defined_outside
from ..model import Flag, Ref
from ..text.document import Document
from .base import CheckContext

Key = tuple[str, str]  # (group, name)
#: per-tag errors reported as `ref-error`, with what they mean for the reader
TAG_ERRORS = {
    "cite_error_ref_numeric_key": 'invalid ref name "{name}": a name cannot be a plain number',
    "cite_error_included_ref": "a <ref> whose closing </ref> is missing: it swallows what follows and is not shown",
    "cite_error_ref_follow_conflicts": 'a <ref follow="…"> continues another ref and cannot have a name or details: '
                                       "it is not shown",
    "cite_error_details_missing_parent": "a sub-reference (details=) with neither a name nor content: not shown",
    "cite_error_references_no_key": "a <ref> defined in a references list has no name: it is not shown",
    "cite_error_empty_references_define": 'list-defined reference "{name}" has no content: it is not shown',
}
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
    index = doc.ref_index
    definitions: dict[Key, list[Ref]] = defaultdict(list)
    uses: dict[Key, list[Ref]] = defaultdict(list)
    for call in index.calls:
        r = call.ref
        if call.name is not None and not call.fatal:
            (definitions if r.content is not None else uses)[(r.group, call.name)].append(r)
    empty = [r for r in doc.refs if r.error in EMPTY_ERRORS]
    tag_errors = [r for r in doc.refs if r.error in TAG_ERRORS]
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
        if ref.list_defined:
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


def _tag_error_message(r: Ref) -> str:
    return TAG_ERRORS[r.error].format(name=r.name)


def _group_label(group: str) -> str:
    return f' (group "{group}")' if group else ""


def check_refs(ctx: CheckContext) -> list[Flag]:
    old, new = ctx.old_refs, ctx.new_refs
    flags: list[Flag] = []
    for key, invocations in new.broken.items():
        group, name = key
        caused = key not in old.broken
        old_defs = old.definitions.get(key, [])
        suggestion = old_defs[0].raw if old_defs else None
        first = invocations[0]
        why = ("this edit removed its definition" if caused and old_defs
               else "this edit added the use" if caused else "already broken before this edit")
        outside = None if old_defs and caused else defined_outside(ctx.new, invocations)
        msg = f'named reference "{name}"{_group_label(group)} is invoked but never defined: {why}'
        if outside:
            msg = (f'named reference "{name}"{_group_label(group)} is not defined in the wikitext; a template '
                   f"probably defines it ({outside})")
        flags.append(Flag(
            "broken-ref", "info" if outside else "error" if caused else "warning", msg,
            ctx.new_section(first.start),
            {"name": name, "group": group or None, "uses": len(invocations), "caused_by_edit": caused,
             "suggestion": suggestion,
             "suggestion_source": "old revision" if suggestion else None,
             "template_defined": bool(outside), "reason": outside},
            new_offset=first.start,
        ))
    for key, defs in new.duplicates.items():
        group, name = key
        caused = key not in old.duplicates
        flags.append(Flag(
            "duplicate-ref", "error" if caused else "warning",
            f'named reference "{name}"{_group_label(group)} is defined {len(defs)} times with different content',
            ctx.new_section(defs[1].start),
            {"name": name, "group": group or None, "caused_by_edit": caused,
             "definitions": [d.content for d in defs]},
            new_offset=defs[1].start,
        ))
    old_empty = Counter(r.raw for r in old.empty)
    for r in new.empty:
        caused = old_empty[r.raw] <= 0
        old_empty[r.raw] -= 1
        flags.append(Flag(
            "empty-ref", "error" if caused else "warning",
            "a <ref> with no name and no content" + (" (new in this edit)" if caused else " (already there)"),
            ctx.new_section(r.start),
            {"caused_by_edit": caused, "cite_error": r.error, "wikitext": r.raw}, new_offset=r.start,
        ))
    for key, r in new.unused_list_defined.items():
        group, name = key
        caused = key not in old.unused_list_defined
        flags.append(Flag(
            "unused-ref", "warning" if caused else "info",
            f'list-defined reference "{name}"{_group_label(group)} is not used in the text',
            ctx.new_section(r.start),
            {"name": name, "group": group or None, "caused_by_edit": caused}, new_offset=r.start,
        ))
    old_errors = Counter((r.error, r.name) for r in old.tag_errors)
    for r in new.tag_errors:
        caused = old_errors[(r.error, r.name)] <= 0
        old_errors[(r.error, r.name)] -= 1
        flags.append(Flag(
            "ref-error", "error" if caused else "warning",
            _tag_error_message(r),
            ctx.new_section(r.start),
            {"name": r.name, "group": r.group or None, "cite_error": r.error, "caused_by_edit": caused},
            new_offset=r.start,
        ))
    if new.broken:
        ctx.notes.append("broken-ref is judged from the wikitext: a name can also be defined by a transcluded "
                         "template's output (e.g. a timeline or list template), which wikitext alone does not show")
    return flags
