"""The changed sections: one block per section change with its two-column line diff, flagged spans marked,
refs set apart and a numbered pin per flag; unchanged runs folded."""

from __future__ import annotations

import heapq
from collections import Counter

from ...codes import SEVERITIES
from ...model import SectionChange
from ..rows import Line, Row, Seg, changed_lines, fold, section_rows
from .common import Mark, Page, e, section_name, worst_severity

#: the most diff lines one section shows; a longer diff is cut there with a note (1 MB of blank lines would make
#: a page of a hundred megabytes)
ROWS_MAX = 1500
#: a flagged piece of text lists the numbers of the flags over it up to this many, and counts them beyond
TITLED = 10


def changes(page: Page) -> str:
    a = page.audit
    out = [f'<section id="{page.id("changes")}"><h2>Changed sections</h2>']
    if not a.sections:
        out.append('<p class="wd-muted">No section changed.</p>')
    for ci, c in enumerate(a.sections, 1):
        out.append(_change(page, ci, c))
    out.append("</section>")
    return "\n".join(out)


def _change(page: Page, ci: int, c: SectionChange) -> str:
    a = page.audit
    d = c.to_dict()
    counts = Counter(a.flags[i - 1].severity for i in page.flags_of_change.get(ci, []))
    chips = "".join(f'<span class="wd-chip {sev}">{counts[sev]} {sev}</span>' for sev in SEVERITIES if counts[sev])
    bits = []
    if c.renamed and c.old is not None:
        bits.append(f"renamed from <q>{e(c.old.label or '(lead)')}</q>")
    if c.moved and c.old is not None and c.new is not None:
        bits.append(f"moved from position {c.old.index} to {c.new.index}")
    bits.append(f'<span class="wd-plus">+{d["words_added"]:,}</span> / '
                f'<span class="wd-minus">−{d["words_removed"]:,}</span> words')
    summary = (f'<summary><h3>{e(section_name(c))}</h3><span class="wd-chip {e(c.change)}">{e(c.change)}</span>'
               f'<span class="wd-muted">{" · ".join(bits)}</span>{chips}</summary>')
    return (f'<details class="wd-change" id="{page.id("sec", ci)}" open>{summary}'
            f"{_diff(page, c)}</details>")


def _diff(page: Page, c: SectionChange) -> str:
    a = page.audit
    rows = section_rows(c, a.old.text, a.new.text, limit=ROWS_MAX)
    cut = len(rows) > ROWS_MAX
    rows = rows[:ROWS_MAX]
    if not rows:
        return '<div class="wd-diff"><p class="wd-note">No text changed inside this section.</p></div>'
    single = None
    if all(r.old is None for r in rows):
        single = "new"
    elif all(r.new is None for r in rows):
        single = "old"
    keep = {k for k, r in enumerate(rows) if _row_has_mark(page, r)}
    out = [f'<div class="wd-diff{" single" if single else ""}">']
    if single:
        title = "Added text (new revision)" if single == "new" else "Removed text (old revision)"
        out.append(f'<div class="wd-cols"><div>{title}</div></div>')
    else:
        out.append('<div class="wd-cols"><div>Old revision</div><div>New revision</div></div>')
    for folded, chunk in fold(rows, keep):
        html_rows = "".join(_row(page, r, single) for r in chunk)
        if folded:
            first = chunk[0].new or chunk[0].old
            last = chunk[-1].new or chunk[-1].old
            span = f"lines {first.number}–{last.number}" if first and last else ""
            out.append(f'<details class="wd-fold"><summary>{len(chunk)} unchanged lines '
                       f'<span class="wd-muted">({span} of the new revision)</span></summary>{html_rows}</details>')
        else:
            out.append(html_rows)
    if cut:
        old_lines, new_lines = changed_lines(c)
        more = max(old_lines, new_lines) - len(rows)
        out.append(f'<p class="wd-note wd-more">…and about {more:,} more lines of this section\'s diff, left out to '
                   "keep the page small; the JSON report (--format json) has the whole diff.</p>")
    out.append("</div>")
    return "".join(out)


def _row_has_mark(page: Page, row: Row) -> bool:
    for side, line in (("old", row.old), ("new", row.new)):
        if line is not None and line.segs and page.marks_over(side, line.segs[0].start, line.segs[-1].end):
            return True
    return False


def _row(page: Page, row: Row, single: str | None) -> str:
    cls = "wd-row chg" if row.changed else "wd-row"
    if single:
        return f'<div class="{cls}">{_cell(page, row.new if single == "new" else row.old, single, row)}</div>'
    return f'<div class="{cls}">{_cell(page, row.old, "old", row)}{_cell(page, row.new, "new", row)}</div>'


def _cell(page: Page, line: Line | None, side: str, row: Row) -> str:
    if line is None:
        return f'<div class="wd-cell {side} empty"></div>'
    classes = ["wd-cell", side]
    if line.changed:
        classes.append("chg")
    if not row.changed:
        classes.append("ctx")
    if line.changed and line.whole:
        classes.append("whole")
    body = segs_html(page, line.segs, side, None, pins=True)
    return f'<div class="{" ".join(classes)}"><span class="wd-ln">{line.number}</span>{body}</div>'


def segs_html(page: Page, segs: list[Seg], side: str, marks: list[Mark] | None, pins: bool) -> str:
    """Escaped text of a line's runs, with flagged spans marked, refs set apart and a numbered pin per flag.

    `marks` None means all the page's flag marks of that side. One sweep over the cut points of each run: the
    cost is linear in the run, its refs and its marks.
    """
    out = []
    for seg in segs:
        lo, hi = seg.start, seg.end
        if marks is None:
            here = page.marks_over(side, lo, hi)
        else:
            here = [m for m in marks if m[0] < hi and max(m[1], m[0] + 1) > lo]
        ref_here = page.refs_over(side, lo, hi)
        cuts = {lo, hi}
        for s, end, _, _ in here:
            cuts.update(x for x in (s, end) if lo < x < hi)
        for s, end in ref_here:
            cuts.update(x for x in (s, end) if lo < x < hi)
        points = sorted(cuts)
        pieces = []
        waiting = sorted(here)  # marks by start, entered as the sweep reaches them
        k = 0
        active: list[tuple[int, int, int, str]] = []  # heap of (end, number, start, severity)
        by_severity: Counter[str] = Counter()  # of the active marks, so a piece under many marks costs no sort
        r = 0
        for a, b in zip(points, points[1:], strict=False):
            while k < len(waiting) and (waiting[k][0] <= a):
                s, end, n, sev = waiting[k]
                k += 1
                if pins and n not in page.shown and n in page.listed:
                    page.shown.add(n)
                    pieces.append(f'<a class="wd-pin {sev}" id="{page.id("spot", n)}" '
                                  f'href="#{page.id("flag", n)}" title="flag {n}">{n}</a>')
                heapq.heappush(active, (end, n, s, sev))
                by_severity[sev] += 1
            while active and active[0][0] <= a:
                by_severity[heapq.heappop(active)[3]] -= 1
            while r < len(ref_here) and ref_here[r][1] <= a:
                r += 1
            text = e(seg.text[a - lo : b - lo])
            if r < len(ref_here) and ref_here[r][0] <= a:
                text = f'<span class="wd-ref">{text}</span>'
            if active:
                sev = worst_severity([v for v, count in by_severity.items() if count])
                if len(active) <= TITLED:
                    covering = sorted(active, key=lambda m: (m[2], m[0], m[1]))
                    title = "flag " + ", ".join(str(m[1]) for m in covering)
                else:  # nested flags (a hostile edit can nest thousands): counted, not listed on every piece
                    title = f"{len(active):,} flags"
                text = f'<mark class="wd-spot {sev}" title="{title}">{text}</mark>'
            pieces.append(text)
        inner = "".join(pieces)
        if seg.kind == "delete":
            inner = f"<del>{inner}</del>"
        elif seg.kind == "insert":
            inner = f"<ins>{inner}</ins>"
        out.append(inner)
    return "".join(out)
