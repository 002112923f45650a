"""Named-reference integrity, as the Cite extension judges a whole page.

- `broken-ref` (cite_error_references_no_text): a name invoked and defined nowhere in the page (same group).
- `duplicate-ref` (cite_error_references_duplicate_key): one name defined twice with different content.
- `empty-ref` (cite_error_ref_no_input / cite_error_ref_no_key): a ref with neither name nor content.
- `unused-ref` (cite_error_references_missing_key): a list-defined ref that the text never uses.
- `ref-error`: other errors visible in one tag (cite_error_ref_numeric_key: a name that is a plain integer).
Each flag says whether this edit caused it: the old revision did not have the same problem.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from ..model import Flag, Ref
from ..parse import Document
from .base import CheckContext

Key = tuple[str, str]  # (group, name)


@dataclass
class RefState:
    """What Cite would conclude about one revision's refs."""

    definitions: dict[Key, list[Ref]]
    uses: dict[Key, list[Ref]]  # invocations, in order
    broken: dict[Key, list[Ref]]
    duplicates: dict[Key, list[Ref]]
    unused_list_defined: dict[Key, Ref]
    empty: list[Ref]
    tag_errors: list[Ref]


def ref_state(doc: Document) -> RefState:
    definitions: dict[Key, list[Ref]] = defaultdict(list)
    uses: dict[Key, list[Ref]] = defaultdict(list)
    empty: list[Ref] = []
    tag_errors: list[Ref] = []
    for r in doc.refs:
        if r.error in ("cite_error_ref_no_input", "cite_error_ref_no_key"):
            empty.append(r)
            continue
        if r.error:
            tag_errors.append(r)
            continue
        if r.name is None:
            continue
        key = (r.group, r.name)
        (definitions if r.kind == "definition" else uses)[key].append(r)
    broken = {k: v for k, v in uses.items() if k not in definitions}
    duplicates = {k: v for k, v in definitions.items()
                  if len({" ".join((r.content or "").split()) for r in v}) > 1}
    text_uses = {k for k, v in definitions.items() for r in v if not r.list_defined}
    text_uses |= set(uses)
    unused = {k: v[0] for k, v in definitions.items()
              if all(r.list_defined for r in v) and k not in text_uses}
    return RefState(dict(definitions), dict(uses), broken, duplicates, unused, empty, tag_errors)


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
        msg = f'named reference "{name}"{_group_label(group)} is invoked but never defined: {why}'
        flags.append(Flag(
            "broken-ref", "error" if caused else "warning", msg, ctx.new_section(first.start),
            {"name": name, "group": group or None, "uses": len(invocations), "caused_by_edit": caused,
             "suggestion": suggestion,
             "suggestion_source": "old revision" if suggestion else None},
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
            f'invalid ref name "{r.name}": a name cannot be a plain number',
            ctx.new_section(r.start),
            {"name": r.name, "group": r.group or None, "cite_error": r.error, "caused_by_edit": caused},
            new_offset=r.start,
        ))
    return flags
