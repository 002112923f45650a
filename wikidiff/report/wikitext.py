"""A compact wikitable of the flags that an editor can paste on a talk page.

Every piece of text from the revisions is wrapped in `<nowiki>` after `&`, `<`, `>`, quotes, brackets, braces and
`|` became entities, so no template, link, ref, table syntax or signature in it can act when the table is pasted; only
the table itself and the links wikidiff builds (to the diff and to sections, when the revision ids or the title are
known) are markup. Those links start with a colon, so a title such as `Category:…`, `File:…` or `fr:…` (or its
percent-encoded `Cat%65gory:…`) is a plain link, never a category, an embedded image or an interlanguage link.
"""

from __future__ import annotations

import re
from pathlib import PurePath

from ..codes import SEVERITIES, details, shorten
from ..model import Flag
from ..verify import BADGES, badge
from ..verify import summary as verification_summary

CELL_MAX = 300
SUGGESTION_MAX = 1500
_SAFE_TITLE = re.compile(r"^[^\[\]{}|<>#\n&~'=_]+$")  # what may go into a [[link]] unescaped
_PLAIN = re.compile(r"^[^\W_]+(?:[ .,:;()/?!%+\"–—→…-]+[^\W_]*)*$")  # no markup: needs no <nowiki>
#: inside <nowiki> too: entities for what could end it or form markup if the text is ever copied out of it
_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "[": "&#91;", "]": "&#93;", "{": "&#123;",
                           "}": "&#125;", "|": "&#124;", '"': "&quot;", "'": "&#39;"})
#: what MediaWiki would link in plain text: a URL of any protocol it knows (http://, news:, tel:, mailto: …: any
#: word followed by ":"), a protocol-relative //host, and the ISBN/RFC/PMID magic links
_LINKY = re.compile(r"\w:|//|\b(?:ISBN|RFC|PMID)\b", re.IGNORECASE)


def nowiki(text: object, limit: int | None = None) -> str:
    """Text shown as written: one line, entities for &<>, inside <nowiki>."""
    s = shorten(text, limit)
    if not s:
        return ""
    if _PLAIN.match(s) and not _LINKY.search(s):
        return s
    return f"<nowiki>{s.translate(_ENTITIES)}</nowiki>"


def _safe(value: object) -> str | None:
    s = "" if value is None else str(value).strip()
    return s if s and _SAFE_TITLE.match(s) else None


def _section_link(audit, label: str | None) -> str:
    """A link to the section in the new revision when it can be written safely, else the name as text."""
    if label is None:
        return "(lead)"
    heading = label.split(" > ")[-1]
    target = None
    if audit.new_meta.revid:
        target = f"Special:PermanentLink/{int(audit.new_meta.revid)}"
    elif _safe(audit.new_meta.title):
        target = audit.new_meta.title
    if target and _safe(heading):
        return f"[[:{target}#{heading}|{heading}]]"
    return nowiki(label)


def _caption(audit) -> str:
    old, new = audit.old_meta, audit.new_meta
    if old.revid and new.revid:
        what = f"[[:Special:Diff/{int(old.revid)}/{int(new.revid)}|diff {int(old.revid)}/{int(new.revid)}]]"
    else:
        names = [PurePath(m.source).name for m in (old, new) if m.source]
        what = nowiki(" → ".join(names)) if len(names) == 2 else "two revisions"
    title = new.title or old.title
    page = f" of [[:{title}]]" if _safe(title) else (f" of {nowiki(title)}" if title else "")
    return f"wikidiff audit of {what}{page}"


def _details(f: Flag) -> str:
    """The message, then the flag's fields as `codes` describes them (short ones on one line)."""
    parts = [nowiki(f.message, CELL_MAX)]
    inline: list[str] = []
    for d in details(f.code, f.fields, terse=True):
        if d.kind == "inline":
            value = ("yes" if d.value else "no") if isinstance(d.value, bool) else nowiki(d.value, 80)
            inline.append(f"{nowiki(d.label)}: {value}")
        elif d.kind == "change":
            parts.append(f"{nowiki(d.label)}: {nowiki(d.old, CELL_MAX) or '∅'} → {nowiki(d.new, CELL_MAX) or '∅'}")
        elif d.kind == "quote":
            parts.append(f"{nowiki(d.label)}: {nowiki(d.value, CELL_MAX)}")
        else:
            limit = SUGGESTION_MAX if d.label.startswith("suggested") else CELL_MAX
            for value in d.value if isinstance(d.value, list) else [d.value]:
                parts.append(f"{nowiki(d.label)}: <code>{nowiki(value, limit)}</code>")
    if f.code == "broken-ref" and f.fields.get("caused_by_edit") and not f.fields.get("suggestion"):
        parts.append("no definition in the old revision")
    if inline:
        parts.insert(1, "; ".join(inline))
    return "<br />".join(p for p in parts if p)


def render(audit) -> str:
    s = audit.summary
    sev = {k: s[k + "s"] for k in SEVERITIES}
    summary = (f"{sev['error']} errors, {sev['warning']} warnings, {sev['info']} info; "
               f"{s['sections_changed']} sections changed; +{s['bytes_added']:,}/−{s['bytes_removed']:,} bytes; "
               f"references +{s['refs_added']}/−{s['refs_removed']}/~{s['refs_modified']}")
    checked = audit.verification is not None
    said = verification_summary(audit.verification)
    caption = f"|+ {_caption(audit)}: {summary}" + (f"<br />{nowiki(said)}" if said else "")
    lines = ['{| class="wikitable sortable"', caption,
             "! # !! Severity !! Check !! Section !! Details" + (" !! Verified" if checked else "")]
    order = sorted(range(len(audit.flags)), key=lambda i: (SEVERITIES.index(audit.flags[i].severity), i))
    for i in order:
        f = audit.flags[i]
        severity = f"'''{f.severity}'''" if f.severity == "error" else f.severity
        state = badge(f)
        lines += ["|-", f"| {i + 1} || {severity} || {nowiki(f.code)} || {_section_link(audit, f.section)} || "
                        f"{_details(f)}" + (f" || {BADGES[state] if state else '—'}" if checked else "")]
    if not audit.flags:
        lines += ["|-", f"| colspan=\"{6 if checked else 5}\" | no flags"]
    lines.append("|}")
    return "\n".join(lines) + "\n"
