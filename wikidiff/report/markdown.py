"""The Markdown report (GitHub-flavoured): summary, flags by severity, a line diff per changed section, refs.

Text from the revisions is escaped for Markdown and HTML alike (`&`, `<` and `>` become entities, Markdown
punctuation gets a backslash), so a revision can neither inject HTML (`<base href>`, `<link>`, a script) nor break
a table; URLs, www. hosts and e-mail addresses are code spans, so a renderer that links bare addresses does not;
wikitext in the diffs sits in fenced blocks longer than any backtick run inside them.
"""

from __future__ import annotations

import re
from collections import defaultdict

from ..codes import SEVERITIES, SEVERITY_TITLE, details, shorten
from ..model import Flag
from ..verify import BADGES, badge
from ..verify import summary as verification_summary
from .rows import Line, changed_lines, fold, report_title, section_rows

CELL_MAX = 300
ROWS_MAX = 1500  # the most diff lines one section shows
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")


#: what GitHub-flavoured renderers turn into a live link by themselves: a URL with a scheme (http://, mailto:, tel:
#: …), a www. host, an e-mail address; such words are shown as code spans, which nothing links
_AUTOLINK = re.compile(r"(?i)(?<![\w.+-])(?:[a-z][a-z0-9+.-]*:(?=[^\s|<>])|www\.)[^\s|<>]*"
                       r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _escaped(s: str) -> str:
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def md(text: object, limit: int | None = None) -> str:
    """Plain text made safe for Markdown (one line; inside tables too): no HTML, no markup, no autolinks."""
    s = shorten(text, limit)
    out = []
    at = 0
    for m in _AUTOLINK.finditer(s):
        out.append(_escaped(s[at:m.start()]))
        out.append(code(m.group(), table=True))
        at = m.end()
    out.append(_escaped(s[at:]))
    return "".join(out)


def code(text: object, limit: int | None = None, table: bool = True) -> str:
    """An inline code span; in a table cell `|` is escaped, which GFM tables honour inside code spans."""
    s = shorten(text, limit)
    if table:
        s = s.replace("|", "\\|")
    longest = max((len(m) for m in re.findall(r"`+", s)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if s.startswith("`") or s.endswith("`") or not s.strip() else ""
    return f"{fence}{pad}{s}{pad}{fence}"


def fenced(body: str, lang: str = "") -> list[str]:
    longest = max((len(m) for m in re.findall(r"`{3,}", body)), default=0)
    fence = "`" * max(3, longest + 1)
    return [f"{fence}{lang}", body, fence]


def _rev(meta) -> str:
    parts = []
    if meta.revid:
        parts.append(f"revision {meta.revid}")
    for value in (meta.title, meta.timestamp, meta.user and f"by {meta.user}", meta.source):
        if value:
            parts.append(str(value))
    if meta.comment:
        parts.append(f"summary: “{meta.comment}”")
    return md(" · ".join(parts)) or "(no details)"


def _wiki_links(audit) -> list[str]:
    """For fetched revisions: links to the diff, the page and each editor on the wiki."""
    from ..sources.url import wiki_links

    links = wiki_links(audit.old_meta, audit.new_meta)
    if links is None:
        return []

    def link(text: str, url: str) -> str:
        return f"[{md(text)}]({url.replace('(', '%28').replace(')', '%29')})"

    parts = [link(label, url) for label, url in links.pages]
    parts += [f"{link(u.name, u.page)} ({link('talk', u.talk)}, {link('contributions', u.contributions)})"
              for u in links.users]
    return [f"- **On the wiki:** {' · '.join(parts)}"]


def render(audit) -> str:
    s = audit.summary
    out = [f"# wikidiff audit: {md(report_title(audit))}", "",
           f"- **Old:** {_rev(audit.old_meta)}", f"- **New:** {_rev(audit.new_meta)}", *_wiki_links(audit), "",
           "## Summary", ""]
    sev = ", ".join(f"{s[k + 's']} {k if s[k + 's'] == 1 else SEVERITY_TITLE[k].lower()}" for k in SEVERITIES)
    parts = [f"{s[k]} {k.split('_')[1]}" for k in ("sections_added", "sections_removed", "sections_modified",
                                                    "sections_moved", "sections_renamed") if s[k]]
    out += [
        f"- **Flags:** {sev}",
        f"- **Sections changed:** {s['sections_changed']}" + (f" ({', '.join(parts)})" if parts else ""),
        f"- **Bytes:** +{s['bytes_added']:,} / −{s['bytes_removed']:,} (net {s['size_change']:+,})",
        f"- **References:** {s['refs_added']} added, {s['refs_removed']} removed, {s['refs_modified']} modified",
    ]
    if s.get("paragraphs_moved"):
        out.append(f"- **Paragraphs moved:** {s['paragraphs_moved']}")
    if s.get("identical"):
        out.append("- The two revisions are identical.")
    checked = verification_summary(audit.verification)
    if checked:
        out.append(f"- **Verified:** {md(checked)}")
    out += _flags(audit)
    out += _sections(audit)
    out += _references(audit)
    if audit.notes:
        out += ["", "## Notes", ""] + [f"- {md(n)}" for n in audit.notes]
    return "\n".join(out) + "\n"


def _flags(audit) -> list[str]:
    out = ["", "## Flags", ""]
    if not audit.flags:
        return out + ["No flags."]
    for sev in SEVERITIES:
        numbered = [(i, f) for i, f in enumerate(audit.flags, 1) if f.severity == sev]
        if not numbered:
            continue
        checked = audit.verification is not None
        out += [f"### {SEVERITY_TITLE[sev]} ({len(numbered)})", "",
                "| # | check | section | message |" + (" verified |" if checked else ""),
                "|---|---|---|---|" + ("---|" if checked else "")]
        for i, f in numbered:
            state = badge(f)
            out.append(f"| {i} | {code(f.code)} | {md(f.section or '(lead)')} | {md(f.message, 400)} |"
                       + (f" {BADGES[state] if state else '—'} |" if checked else ""))
        details = [d for i, f in numbered for d in _flag_details(i, f)]
        if details:
            out += [""] + details
        out.append("")
    return out


def _flag_details(i: int, f: Flag) -> list[str]:
    """The flag's fields as `codes` describes them: short ones on one line, wikitext in fenced blocks."""
    inline: list[str] = []
    out: list[str] = []
    for d in details(f.code, f.fields, terse=True):
        if d.kind == "inline":
            value = ("yes" if d.value else "no") if isinstance(d.value, bool) else code(d.value, 80, table=False)
            inline.append(f"{md(d.label)}: {value}")
        elif d.kind == "change":
            out += [f"**{i}.** {md(d.label)}: “{md(d.old, CELL_MAX)}” → “{md(d.new, CELL_MAX)}”", ""]
        elif d.kind == "quote":
            out += [f"**{i}.** {md(d.label)}: “{md(d.value, CELL_MAX)}”", ""]
        else:
            out += [f"**{i}.** {md(d.label)}:", ""]
            for value in d.value if isinstance(d.value, list) else [d.value]:
                out += fenced(str(value), "wikitext") + [""]
    return ([f"**{i}.** " + " · ".join(inline), ""] if inline else []) + out


def _diff_line(mark: str, line: Line | None) -> str | None:
    if line is None:
        return None
    return f"{mark} {line.text()}"


def _sections(audit) -> list[str]:
    out = ["## Changed sections", ""]
    if not audit.sections:
        return out + ["No section changed.", ""]
    by_section: dict[str | None, int] = defaultdict(int)
    for f in audit.flags:
        by_section[f.section] += 1
    for c in audit.sections:
        d = c.to_dict()
        sec = c.new or c.old
        label = sec.label or "(lead)"
        extra = []
        if c.renamed and c.old is not None:
            extra.append(f"renamed from “{md(c.old.label or '(lead)')}”")
        if c.moved and c.change != "moved" and c.old is not None and c.new is not None:
            extra.append(f"moved from position {c.old.index} to {c.new.index}")
        n_flags = by_section.get(sec.label, 0)
        flags = f", {n_flags} flag{'s' if n_flags != 1 else ''}" if n_flags else ""
        out += [f"### {md(label)} ({c.change}, +{d['words_added']:,}/−{d['words_removed']:,} words{flags})", ""]
        if extra:
            out += [", ".join(extra), ""]
        body = _diff_text(audit, c)
        if body:
            out += ["<details><summary>line diff</summary>", ""] + fenced(body, "diff") + ["", "</details>", ""]
    return out


def _diff_text(audit, c) -> str:
    rows = section_rows(c, audit.old.text, audit.new.text, limit=ROWS_MAX)
    cut = len(rows) > ROWS_MAX
    rows = rows[:ROWS_MAX]
    lines: list[str] = []
    for folded, chunk in fold(rows, set()):
        if folded:
            lines.append(f"@@ {len(chunk)} unchanged lines @@")
            continue
        for r in chunk:
            shown = r.new or r.old
            if not r.changed and shown is not None:
                lines.append(f"  {shown.text()}")
                continue
            for line in (_diff_line("-", r.old), _diff_line("+", r.new)):
                if line is not None:
                    lines.append(line)
    if cut:
        old_lines, new_lines = changed_lines(c)
        lines.append(f"@@ …and about {max(old_lines, new_lines) - len(rows):,} more lines, left out (the JSON report "
                     "has the whole diff) @@")
    return "\n".join(lines)


def _references(audit) -> list[str]:
    refs = audit.references
    if not refs:
        return []
    out = ["## References changed", "", "<details><summary>" + f"{len(refs)} references</summary>", "",
           "| change | name | section | content |", "|---|---|---|---|"]
    order = {"modified": 0, "removed": 1, "added": 2}
    for r in sorted(refs, key=lambda r: order.get(r.change, 3)):
        content = (r.new or r.old).content if (r.new or r.old) else ""
        if r.change == "modified" and r.old and r.new:
            content_md = f"{code(r.old.content, CELL_MAX)} → {code(r.new.content, CELL_MAX)}"
        else:
            content_md = code(content, CELL_MAX)
        out.append(f"| {r.change} | {md(r.name or '')} | {md(r.section or '(lead)')} | {content_md} |")
    return out + ["", "</details>"]
