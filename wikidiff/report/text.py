"""A terminal report: the summary, what to fix first (errors, then warnings), then the flags and changes grouped by
section; `brief` stops after what to fix first.

Every piece of text from the revisions and their metadata goes through `codes.visible`: a control character in a
title, a user name, a heading or the wikitext is written out as an escape, never sent to the terminal.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from contextvars import ContextVar

from ..codes import SEVERITY_MARK, details, shorten, visible
from ..verify import BADGES, badge
from ..verify import summary as verification_summary

WIDTH = 100
DETAIL_MAX = 160
COLORS = {"error": "31", "warning": "33", "info": "36"}


#: whether this render colours its output (set by render; see `auto_color`)
_USE_COLOR: ContextVar[bool] = ContextVar("use_color", default=False)


def auto_color() -> bool:
    """Colour by default only on a terminal, and never when NO_COLOR is set."""
    from ..config import no_color

    return not no_color() and sys.stdout.isatty()


def _color(code: str, text: str) -> str:
    if not _USE_COLOR.get():
        return text
    return f"\033[{code}m{text}\033[0m"


def _v(text: object, limit: int | None = None) -> str:
    """Revision text for one terminal line: whitespace folded, cut at `limit`, control characters made visible."""
    return visible(shorten(text, limit))


def _n(count: int, noun: str, plural: str | None = None) -> str:
    """'1 section', '2 sections'."""
    return f"{count} {noun if count == 1 else plural or noun + 's'}"


def _edit_lines(audit) -> list[str]:
    """The edit summary and the links to the edit on its wiki, for fetched revisions."""
    from ..sources.url import wiki_links

    lines = []
    if audit.new_meta.comment:
        lines.append(f"  summary: “{_v(audit.new_meta.comment, 200)}”")
    links = wiki_links(audit.old_meta, audit.new_meta)
    if links is not None:
        lines += [f"  {label}: {_v(url)}" for label, url in links.pages]
        lines += [f"  user {_v(u.name)}: {_v(u.page)}  talk: {_v(u.talk)}  contributions: {_v(u.contributions)}"
                  for u in links.users]
    return lines


def _rev(meta) -> str:
    parts = [str(meta.revid) if meta.revid else None, meta.title, meta.timestamp, meta.user, meta.source]
    return _v(" · ".join(p for p in parts if p)) or "(unnamed)"


def _flag_line(f, where: bool = False) -> str:
    state = badge(f)
    head = _color(COLORS[f.severity], f"  {SEVERITY_MARK[f.severity]} {f.severity:<7} {_v(f.code)}: ")
    place = f"  [{_v(f.section or '(lead)')}]" if where else ""
    return head + _v(f.message) + (f" [{BADGES[state]}]" if state else "") + place


def _fix_first(audit) -> list[str]:
    """The errors, then the warnings, each with where it is: what an editor should look at before anything else."""
    urgent = [f for sev in ("error", "warning") for f in audit.flags if f.severity == sev]
    if not urgent:
        infos = sum(f.severity == "info" for f in audit.flags)
        return ["", "nothing to fix: no errors or warnings" + (f" ({_n(infos, 'info flag')} below)" if infos
                                                                else "")]
    return ["", _color("1", "Fix first:"), *(_flag_line(f, where=True) for f in urgent)]


def render(audit, *, color: bool | None = None, brief: bool = False) -> str:
    """The report; coloured when `color` (default: `auto_color()`, i.e. on a terminal without NO_COLOR); `brief`
    stops after the summary and what to fix first."""
    token = _USE_COLOR.set(auto_color() if color is None else color)
    try:
        return _render(audit, brief)
    finally:
        _USE_COLOR.reset(token)


def _render(audit, brief: bool) -> str:
    s = audit.summary
    lines = [
        f"wikidiff audit: {_rev(audit.old_meta)}  →  {_rev(audit.new_meta)}",
        *_edit_lines(audit),
        f"  {_n(s['sections_changed'], 'section')} changed ({s['sections_added']} added, {s['sections_removed']}"
        f" removed, {s['sections_modified']} modified, {s['sections_moved']} moved, {s['sections_renamed']}"
        f" renamed); +{_n(s['bytes_added'], 'byte')}/-{_n(s['bytes_removed'], 'byte')}",
        f"  references: {s['refs_added']} added, {s['refs_removed']} removed, {s['refs_modified']} modified",
        f"  flags: {_n(s['errors'], 'error')}, {_n(s['warnings'], 'warning')}, {s['infos']} info",
    ]
    if s["identical"]:
        lines.append("  the two revisions are identical")
    checked = verification_summary(audit.verification)
    if checked:
        lines.append(f"  verified: {checked}")
    lines += _fix_first(audit)
    if brief:
        return "\n".join(lines) + "\n"
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
        lines.append(_color("1", f"== {_v(label or '(lead)')} =="))
        for c in changes.get(label, []):
            detail = ""
            if c.renamed:
                detail = f" (was “{_v(c.old.heading or '(lead)')}”)"
            words = c.to_dict()
            lines.append(f"  [{c.change}]{detail} +{words['words_added']}/-{_n(words['words_removed'], 'word')}")
        for f in by_section.get(label, []):
            lines.append(_flag_line(f))
            lines.extend(_details(f))
    refs = [r for r in audit.references]
    if refs:
        lines.append("")
        lines.append(_color("1", "== references changed =="))
        for r in refs:
            name = f' name="{_v(r.name)}"' if r.name else ""
            group = f' group="{_v(r.group)}"' if r.group else ""
            body = _v(r.new.content if r.new else r.old.content, 110)
            lines.append(f"  [{r.change}]{name}{group} {body}")
    for note in audit.notes:
        lines.append("")
        lines.append(f"note: {_v(note)}")
    return "\n".join(lines) + "\n"


def _details(f) -> list[str]:
    """The flag's fields as `codes` describes them: short ones on one line, the others one per line."""
    inline: list[str] = []
    out: list[str] = []
    for d in details(f.code, f.fields, terse=True):
        if d.kind == "inline":
            value = ("yes" if d.value else "no") if isinstance(d.value, bool) else _v(d.value, 60)
            inline.append(f"{d.label}: {value}")
        elif d.kind == "change":
            out.append(f"      {d.label}: “{_v(d.old, 70)}” → “{_v(d.new, 70)}”")
        elif d.kind == "quote":
            out.append(f"      {d.label}: “{_v(d.value, DETAIL_MAX)}”")
        else:
            for value in d.value if isinstance(d.value, list) else [d.value]:
                out.append(f"      {d.label}: {_v(value, DETAIL_MAX)}")
    return ([f"      {'; '.join(inline)}"] if inline else []) + out
