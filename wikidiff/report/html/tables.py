"""The tables after the diffs: references changed, paragraphs moved, notes."""

from __future__ import annotations

from collections import Counter

from .common import CELL_MAX, Page, e, short

REF_ORDER = {"modified": 0, "removed": 1, "added": 2}
REF_OPEN_MAX = 15


def references(page: Page) -> str:
    refs = sorted(page.audit.references, key=lambda r: REF_ORDER.get(r.change, 3))
    if not refs:
        return ""
    counts = Counter(r.change for r in refs)
    label = ", ".join(f"{n} {change}" for change, n in sorted(counts.items(), key=lambda kv: REF_ORDER[kv[0]]))
    rows = []
    for r in refs:
        name = r.name or (r.new.name if r.new else None) or (r.old.name if r.old else None)
        old = r.old.content if r.old else None
        new = r.new.content if r.new else None
        if r.change == "modified":
            content = (f'<del class="wd-mono">{short(old, CELL_MAX)}</del><br>→ '
                       f'<ins class="wd-mono">{short(new, CELL_MAX)}</ins>')
        else:
            content = f'<span class="wd-mono">{short(new if r.change == "added" else old, CELL_MAX)}</span>'
        matched = f' <span class="wd-muted">(matched by {e(r.matched_by)})</span>' if r.matched_by else ""
        rows.append(f'<tr><td><span class="wd-chip {e(r.change)}">{e(r.change)}</span></td>'
                    f"<td>{e(name or '')}{matched}</td><td>{e(r.group or '')}</td>"
                    f"<td>{e(r.section or '(lead)')}</td><td>{content}</td></tr>")
    table = ('<table class="wd-table"><thead><tr><th>change</th><th>name</th><th>group</th><th>section</th>'
             f'<th>content</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
    opened = " open" if len(refs) <= REF_OPEN_MAX else ""
    return (f'<section id="{page.id("refs")}"><h2>References</h2><details class="wd-box"{opened}>'
            f"<summary>{len(refs)} references changed: {e(label)}</summary>{table}</details></section>")


def moves(page: Page) -> str:
    found = page.audit.moves
    if not found:
        return ""
    rows = []
    for m in found:
        note = " (edited)" if m.edited else ""
        rows.append(f"<tr><td>{e(m.old_section or '(lead)')}</td><td>{e(m.new_section or '(lead)')}{note}</td>"
                    f'<td>{m.similarity:.0%}</td><td><span class="wd-mono">{short(m.new_text, CELL_MAX)}'
                    "</span></td></tr>")
    return (f'<section id="{page.id("moves")}"><h2>Moved paragraphs</h2><table class="wd-table"><thead><tr>'
            "<th>from</th><th>to</th><th>similarity</th><th>text</th></tr></thead>"
            f'<tbody>{"".join(rows)}</tbody></table></section>')


def notes(page: Page) -> str:
    found = page.audit.notes
    if not found:
        return ""
    items = "".join(f"<li>{e(n)}</li>" for n in found)
    return f'<section id="{page.id("notes")}"><h2>Notes</h2><ul>{items}</ul></section>'
