"""Named-reference integrity, as the Cite extension judges a whole page.

- `broken-ref` (cite_error_references_no_text): a name used where no ref of that name (same group) has content.
- `duplicate-ref` (cite_error_references_duplicate_key): one name given two different contents.
- `empty-ref` (cite_error_ref_no_input / cite_error_ref_no_key): a ref with neither name nor content.
- `unused-ref` (cite_error_references_missing_key): a list-defined ref that the text before its list never uses.
- `ref-error`: other errors visible in one tag (TAG_ERRORS: a name that is a plain integer, a ref whose closing
  tag is missing so that it swallowed the next one, follow= with a name, a nameless or empty list-defined ref, …).
Each flag says whether this edit caused it: the old revision did not have the same problem.

The page-wide errors come from Cite's page model (`cite.state.ref_state`); this module turns them into flags.
"""

from __future__ import annotations

from collections import Counter

from ..cite.outside import defined_outside
from ..model import Flag, Ref, Span
from .base import CheckContext

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


def _span(r: Ref) -> Span:
    """The ref tag (or the template call that makes the ref) in the new revision."""
    return Span("new", r.start, r.end)


def _tag_error_message(r: Ref) -> str:
    return TAG_ERRORS[r.error or ""].format(name=r.name)


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
            new_offset=first.start, span=_span(first),
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
            new_offset=defs[1].start, span=_span(defs[1]),
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
            span=_span(r),
        ))
    for key, r in new.unused_list_defined.items():
        group, name = key
        caused = key not in old.unused_list_defined
        flags.append(Flag(
            "unused-ref", "warning" if caused else "info",
            f'list-defined reference "{name}"{_group_label(group)} is not used in the text',
            ctx.new_section(r.start),
            {"name": name, "group": group or None, "caused_by_edit": caused}, new_offset=r.start,
            span=_span(r),
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
            new_offset=r.start, span=_span(r),
        ))
    if new.broken:
        ctx.notes.append("broken-ref is judged from the wikitext: a name can also be defined by a transcluded "
                         "template's output (e.g. a timeline or list template), which wikitext alone does not show")
    return flags
