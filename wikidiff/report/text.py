"""A terminal report: the summary, then the flags and changes grouped by section."""

from __future__ import annotations

import os
import sys
from collections import defaultdict

from ..codes import SEVERITY_MARK, details, shorten
from ..verify import BADGES, badge
from ..verify import summary as verification_summary

WIDTH = 100
DETAIL_MAX = 160


def _color(code: str, text: str) -> str:
    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        return text
    return f"\033[{code}m{text}\033[0m"


def _rev(meta) -> str:
    parts = [str(meta.revid) if meta.revid else None, meta.title, meta.timestamp, meta.user, meta.source]
    return " · ".join(p for p in parts if p) or "(unnamed)"


def render(audit) -> str:
    s = audit.summary
    lines = [
        f"wikidiff audit: {_rev(audit.old_meta)}  →  {_rev(audit.new_meta)}",
        f"  {s['sections_changed']} sections changed ({s['sections_added']} added, {s['sections_removed']} removed,"
        f" {s['sections_modified']} modified, {s['sections_moved']} moved, {s['sections_renamed']} renamed);"
        f" +{s['bytes_added']}/-{s['bytes_removed']} bytes",
        f"  references: {s['refs_added']} added, {s['refs_removed']} removed, {s['refs_modified']} modified",
        f"  flags: {s['errors']} errors, {s['warnings']} warnings, {s['infos']} info",
    ]
    if s["identical"]:
        lines.append("  the two revisions are identical")
    checked = verification_summary(audit.verification)
    if checked:
        lines.append(f"  verified: {checked}")
    by_section: dict[str | None, list] = defaultdict(list)
    for f in audit.flags:
        by_section[f.section].append(f)
    changes: dict[str | None, list] = defaultdict(list)
    for c in audit.sections:
        label = (c.new or c.old).label
        changes[label].append(c)
    order = list(dict.fromkeys([*changes, *by_section]))
    for label in order:
        lines.append("")
        lines.append(_color("1", f"== {label or '(lead)'} =="))
        for c in changes.get(label, []):
            detail = ""
            if c.renamed:
                detail = f" (was “{c.old.heading or '(lead)'}”)"
            words = c.to_dict()
            lines.append(f"  [{c.change}]{detail} +{words['words_added']}/-{words['words_removed']} words")
        for f in by_section.get(label, []):
            mark = SEVERITY_MARK[f.severity]
            color = {"error": "31", "warning": "33", "info": "36"}[f.severity]
            state = badge(f)
            lines.append(_color(color, f"  {mark} {f.severity:<7} {f.code}: ") + f.message
                         + (f" [{BADGES[state]}]" if state else ""))
            lines.extend(_details(f))
    refs = [r for r in audit.references]
    if refs:
        lines.append("")
        lines.append(_color("1", "== references changed =="))
        for r in refs:
            name = f' name="{r.name}"' if r.name else ""
            group = f' group="{r.group}"' if r.group else ""
            body = shorten(r.new.content if r.new else r.old.content, 110)
            lines.append(f"  [{r.change}]{name}{group} {body}")
    for note in audit.notes:
        lines.append("")
        lines.append(f"note: {note}")
    return "\n".join(lines) + "\n"


def _details(f) -> list[str]:
    """The flag's fields as `codes` describes them: short ones on one line, the others one per line."""
    inline: list[str] = []
    out: list[str] = []
    for d in details(f.code, f.fields, terse=True):
        if d.kind == "inline":
            value = ("yes" if d.value else "no") if isinstance(d.value, bool) else shorten(d.value, 60)
            inline.append(f"{d.label}: {value}")
        elif d.kind == "change":
            out.append(f"      {d.label}: “{shorten(d.old, 70)}” → “{shorten(d.new, 70)}”")
        elif d.kind == "quote":
            out.append(f"      {d.label}: “{shorten(d.value, DETAIL_MAX)}”")
        else:
            for value in d.value if isinstance(d.value, list) else [d.value]:
                out.append(f"      {d.label}: {shorten(value, DETAIL_MAX)}")
    return ([f"      {'; '.join(inline)}"] if inline else []) + out
