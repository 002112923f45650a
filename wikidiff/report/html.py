"""The HTML report: one self-contained page (inline CSS, optional inline JS, nothing fetched).

`render(audit)` gives the whole page; `fragment(audit)` gives its body, one `<div class="wikidiff-report">` root
with a scoped `<style>` and no script, which is what `Audit._repr_html_` shows in Jupyter. Every piece of text from
the revisions goes through `html.escape` (text and attributes alike), links point only at anchors in the page, and
the page's Content-Security-Policy allows only its own inline style and script (by hash) as a second line of
defence. The page reads fully without JS; the script only adds buttons, keys (j/k) and opens folded parts.
"""

from __future__ import annotations

import base64
import bisect
import hashlib
import html
from collections import defaultdict
from importlib import resources
from typing import Any

from ..model import Flag, SectionChange
from .rows import Line, Row, Seg, Spot, flag_spot, fold, report_title, section_rows, worst

SEVERITIES = ("error", "warning", "info")
SEVERITY_TITLE = {"error": "Errors", "warning": "Warnings", "info": "Info"}
CHANGE_WORD = {"added": "added", "removed": "removed", "modified": "modified", "moved": "moved",
               "renamed": "renamed"}
QUOTE_MAX = 600
CELL_MAX = 400
FIELD_LABELS = {
    "name": "ref name", "group": "group", "uses": "uses", "caused_by_edit": "caused by this edit",
    "suggestion": "suggested definition", "definitions": "definitions", "wikitext": "wikitext", "ref": "ref",
    "context": "in", "replaced_by": "replaced by", "text": "text", "reason": "reason", "date": "date",
    "template": "template", "tag": "tag", "param": "parameter", "kind": "kind", "cite_error": "Cite error",
    "word": "word", "guide": "guide", "image": "image", "caption": "caption",
}
HIDDEN_FIELDS = {"scope", "words", "category", "caption_param", "suggestion_source"}
PRE_FIELDS = {"suggestion", "definitions", "wikitext", "ref"}
QUOTE_FIELDS = {"context", "replaced_by", "text"}


def _e(value: Any) -> str:
    """Escape any value for HTML text or a double-quoted attribute."""
    return html.escape("" if value is None else str(value), quote=True)


def _asset(name: str) -> str:
    return resources.files("wikidiff.report").joinpath(name).read_text(encoding="utf-8")


def _csp_hash(source: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")


def _short(text: str | None, n: int) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= n else text[: n - 1] + "…"


class _Page:
    """Everything one render needs: anchors, flag spots and which of them the diffs showed."""

    def __init__(self, audit) -> None:
        self.audit = audit
        seed = f"{audit.old.digest}:{audit.new.digest}".encode()
        self.prefix = "wd" + hashlib.blake2b(seed, digest_size=4).hexdigest()
        self.spots: dict[int, Spot] = {}
        for i, f in enumerate(audit.flags, 1):
            spot = flag_spot(f, audit)
            if spot is not None:
                self.spots[i] = spot
        self.marks: dict[str, list[tuple[int, int, int, str]]] = {"old": [], "new": []}
        for i, spot in self.spots.items():
            self.marks[spot.side].append((spot.start, spot.end, i, audit.flags[i - 1].severity))
        for marks in self.marks.values():
            marks.sort()
        self.refs = {side: _ref_spans(doc) for side, doc in (("old", audit.old), ("new", audit.new))}
        self.shown: set[int] = set()  # flags whose spot a rendered diff contains
        self.change_of_flag: dict[int, int] = {}
        self.flags_of_change: dict[int, list[int]] = defaultdict(list)
        self._assign_flags()

    def id(self, *parts: Any) -> str:
        return "-".join([self.prefix, *(str(p) for p in parts)])

    def _assign_flags(self) -> None:
        by_label: dict[tuple[str, str | None], int] = {}
        for ci, c in enumerate(self.audit.sections, 1):
            if c.new is not None:
                by_label.setdefault(("new", c.new.label), ci)
            if c.old is not None:
                by_label.setdefault(("old", c.old.label), ci)
        for fi, f in enumerate(self.audit.flags, 1):
            spot = self.spots.get(fi)
            ci = None
            if spot is not None:
                ci = self._change_at(spot)
            if ci is None:
                sides = (spot.side, "new" if spot.side == "old" else "old") if spot else ("new", "old")
                ci = next((by_label[(s, f.section)] for s in sides if (s, f.section) in by_label), None)
            if ci is not None:
                self.change_of_flag[fi] = ci
                self.flags_of_change[ci].append(fi)

    def _change_at(self, spot: Spot) -> int | None:
        for ci, c in enumerate(self.audit.sections, 1):
            s = c.new if spot.side == "new" else c.old
            if s is not None and s.start <= spot.start < max(s.end, s.start + 1):
                return ci
        return None


def _ref_spans(doc) -> list[tuple[int, int]]:
    """Spans of the <ref> tags in a revision, outermost only, to set them apart from the prose."""
    spans: list[tuple[int, int]] = []
    for r in sorted(doc.refs, key=lambda r: r.start):
        if r.end > r.start and (not spans or r.start >= spans[-1][1]):
            spans.append((r.start, r.end))
    return spans


def render(audit) -> str:
    """The whole report as one self-contained HTML document."""
    css = _asset("html.css")
    js = _asset("report.js")
    body = _fragment(audit, css)
    csp = (f"default-src 'none'; style-src '{_csp_hash(css)}'; script-src '{_csp_hash(js)}'; img-src data:; "
           "base-uri 'none'; form-action 'none'")
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(csp)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="generator" content="wikidiff">\n'
        f"<title>{_e('wikidiff audit: ' + report_title(audit))}</title>\n"
        "</head>\n<body>\n"
        f"{body}\n<script>{js}</script>\n</body>\n</html>\n"
    )


def fragment(audit) -> str:
    """The report as one `<div class="wikidiff-report">` (scoped style, no script): for Jupyter and embedding."""
    return _fragment(audit, _asset("html.css"))


def _fragment(audit, css: str) -> str:
    page = _Page(audit)
    changes = _changes(page)  # rendered first: it records which flag spots the diffs show
    parts = [
        f'<div class="wikidiff-report" id="{page.id("top")}">',
        f"<style>{css}</style>",
        _header(page),
        _toc(page),
        "<main>",
        _summary(page),
        _flags(page),
        changes,
        _references(page),
        _moves(page),
        _notes(page),
        "</main>",
        '<footer>Made by wikidiff. Wikitext is shown as written; nothing in this page is fetched from the network.'
        "</footer>",
        "</div>",
    ]
    return "\n".join(p for p in parts if p)


# --- header, contents, summary ---------------------------------------------------------------------------------

def _rev_box(meta, side: str) -> str:
    rows = []
    if meta.revid:
        rows.append(f"revision {_e(meta.revid)}" + (f" (parent {_e(meta.parentid)})" if meta.parentid else ""))
    for value in (meta.timestamp, meta.user and f"by {meta.user}", meta.site, meta.source):
        if value:
            rows.append(_e(value))
    if meta.size is not None:
        rows.append(f"{meta.size:,} bytes")
    if meta.comment:
        rows.append(f"summary: <q>{_e(_short(meta.comment, 300))}</q>")
    label = "Old revision" if side == "old" else "New revision"
    return (f'<div class="wd-rev {side}"><b>{label}</b>' + (" · ".join(rows) or '<span class="wd-muted">no details'
            "</span>") + "</div>")


def _header(page: _Page) -> str:
    a = page.audit
    return (f'<header><h1>Audit of {_e(report_title(a))}</h1>'
            f'<div class="wd-revs">{_rev_box(a.old_meta, "old")}{_rev_box(a.new_meta, "new")}</div></header>')


def _section_name(c: SectionChange) -> str:
    s = c.new or c.old
    return s.label or "(lead)"


def _toc(page: _Page) -> str:
    a = page.audit
    s = a.summary
    items = [f'<li><a href="#{page.id("summary")}">Summary</a></li>']
    sev_items = "".join(
        f'<li><a href="#{page.id("flags", sev)}">{SEVERITY_TITLE[sev]}</a> ({s[sev + "s"]})</li>'
        for sev in SEVERITIES if s[sev + "s"])
    items.append(f'<li><a href="#{page.id("flags")}">Flags</a> ({len(a.flags)})'
                 + (f"<ol>{sev_items}</ol>" if sev_items else "") + "</li>")
    sec_items = []
    for ci, c in enumerate(a.sections, 1):
        flags = [a.flags[i - 1] for i in page.flags_of_change.get(ci, [])]
        chip = f' <span class="wd-chip {_e(worst(flags))}">{len(flags)}</span>' if flags else ""
        sec_items.append(f'<li><a href="#{page.id("sec", ci)}">{_e(_section_name(c))}</a> '
                         f'<span class="wd-muted">{_e(c.change)}</span>{chip}</li>')
    items.append(f'<li><a href="#{page.id("changes")}">Changed sections</a> ({len(a.sections)})'
                 + (f"<ol>{''.join(sec_items)}</ol>" if sec_items else "") + "</li>")
    if a.references:
        items.append(f'<li><a href="#{page.id("refs")}">References</a> ({len(a.references)})</li>')
    if a.moves:
        items.append(f'<li><a href="#{page.id("moves")}">Moved paragraphs</a> ({len(a.moves)})</li>')
    if a.notes:
        items.append(f'<li><a href="#{page.id("notes")}">Notes</a> ({len(a.notes)})</li>')
    return (f'<nav class="wd-toc" aria-label="Contents"><h2>Contents</h2><ol>{"".join(items)}</ol>'
            '<div class="wd-tools"></div></nav>')


def _summary(page: _Page) -> str:
    s = page.audit.summary
    cards = []
    for sev in SEVERITIES:
        n = s[sev + "s"]
        label = SEVERITY_TITLE[sev].lower() if n != 1 else sev
        cls = sev if n else "clean"
        inner = f'<span class="wd-big">{n}</span>{_e(label)}'
        if n:
            inner = f'<a href="#{page.id("flags", sev)}">{inner}</a>'
        cards.append(f'<div class="wd-card {cls}">{inner}</div>')
    parts = [f"{s[k]} {k.split('_')[1]}" for k in ("sections_added", "sections_removed", "sections_modified",
                                                    "sections_moved", "sections_renamed") if s[k]]
    cards.append(f'<div class="wd-card"><span class="wd-big">{s["sections_changed"]}</span>sections changed'
                 + (f'<br><span class="wd-muted">{_e(", ".join(parts))}</span>' if parts else "") + "</div>")
    cards.append(f'<div class="wd-card"><span class="wd-big"><span class="wd-plus">+{s["bytes_added"]:,}</span> '
                 f'<span class="wd-minus">−{s["bytes_removed"]:,}</span></span>bytes changed (net '
                 f'{s["size_change"]:+,})</div>')
    cards.append(f'<div class="wd-card"><span class="wd-big"><span class="wd-plus">+{s["refs_added"]}</span> '
                 f'<span class="wd-minus">−{s["refs_removed"]}</span> ~{s["refs_modified"]}</span>references added, '
                 f"removed, modified</div>")
    if s.get("paragraphs_moved"):
        cards.append(f'<div class="wd-card"><span class="wd-big">{s["paragraphs_moved"]}</span>paragraphs moved</div>')
    extra = '<p class="wd-muted">The two revisions are identical.</p>' if s.get("identical") else ""
    return (f'<section id="{page.id("summary")}"><h2>Summary</h2><div class="wd-cards">{"".join(cards)}</div>'
            f"{extra}</section>")


# --- flags ------------------------------------------------------------------------------------------------------

def _flags(page: _Page) -> str:
    a = page.audit
    out = [f'<section id="{page.id("flags")}"><h2>Flags</h2>']
    if not a.flags:
        out.append('<p class="wd-muted">No flags: nothing in this edit needs review by the checks wikidiff runs.</p>')
    for sev in SEVERITIES:
        numbered = [(i, f) for i, f in enumerate(a.flags, 1) if f.severity == sev]
        if not numbered:
            continue
        out.append(f'<h3 id="{page.id("flags", sev)}"><span class="wd-chip {sev}">{sev}</span> '
                   f"{SEVERITY_TITLE[sev]} ({len(numbered)})</h3>")
        by_code: dict[str, list[tuple[int, Flag]]] = defaultdict(list)
        for i, f in numbered:
            by_code[f.code].append((i, f))
        for code, items in by_code.items():
            if len(by_code) > 1 or len(items) > 1:
                out.append(f"<h4><code>{_e(code)}</code> × {len(items)}</h4>")
            if code in GROUP_NOTES:
                out.append(f'<p class="wd-group-note">{_e(GROUP_NOTES[code])}</p>')
            out.append('<ol class="wd-flags">' + "".join(_flag_item(page, i, f) for i, f in items) + "</ol>")
    out.append("</section>")
    return "\n".join(out)


def _flag_item(page: _Page, i: int, f: Flag) -> str:
    links = []
    if i in page.shown:
        links.append(f'<a href="#{page.id("spot", i)}">show in diff</a>')
    ci = page.change_of_flag.get(i)
    if ci is not None:
        c = page.audit.sections[ci - 1]
        links.append(f'<a href="#{page.id("sec", ci)}">{_e(_section_name(c))}</a>')
    elif f.section is not None or i in page.spots:
        links.append(f'{_e(f.section or "(lead)")} <span class="wd-muted">(unchanged)</span>')
    where = f'<span class="wd-where">{" · ".join(links)}</span>' if links else ""
    head = (f'<div class="wd-flag-head"><span class="wd-num">{i}.</span><span class="wd-chip {_e(f.severity)}">'
            f'{_e(f.severity)}</span><code class="wd-code">{_e(f.code)}</code>'
            f'<span class="wd-message">{_e(f.message)}</span>{where}</div>')
    body = _fields(f)
    if i in page.spots and i not in page.shown:
        body += _excerpt(page, page.spots[i], i, f.severity)
    return f'<li class="wd-flag {_e(f.severity)}" id="{page.id("flag", i)}" tabindex="-1">{head}{body}</li>'


def _fields(f: Flag) -> str:
    """A flag's fields: short ones on one line, wikitext and quotes below."""
    d = f.fields
    short: list[tuple[str, str]] = []
    long: list[tuple[str, str]] = []
    used = set(HIDDEN_FIELDS)
    for old_key, new_key, label in (("old", "new", d.get("param") or "value"),
                                    ("old_caption", "new_caption", d.get("caption_param") or "caption")):
        if old_key in d or new_key in d:
            used.update((old_key, new_key))
            long.append((str(label), f'<del class="wd-mono">{_e(_short(d.get(old_key), CELL_MAX)) or "∅"}</del> → '
                                     f'<ins class="wd-mono">{_e(_short(d.get(new_key), CELL_MAX)) or "∅"}</ins>'))
    if "param" in d and ("old" in d or "new" in d):
        used.add("param")
    for key, value in d.items():
        if key in used or value is None or value == "" or value == []:
            continue
        label = FIELD_LABELS.get(key, key.replace("_", " "))
        if key == "suggestion":
            source = d.get("suggestion_source")
            label = "suggested definition" + (f" (from {source})" if source else "")
            long.append((label, f'<pre class="wd-suggest">{_e(value)}</pre>'))
        elif key in PRE_FIELDS:
            values = value if isinstance(value, list) else [value]
            long.append((label, "".join(f"<pre>{_e(v)}</pre>" for v in values)))
        elif key in QUOTE_FIELDS:
            long.append((label, f"<q>{_e(_short(value, QUOTE_MAX))}</q>"))
        elif isinstance(value, bool):
            short.append((label, "yes" if value else "no"))
        elif len(str(value)) <= 60:
            short.append((label, f"<code>{_e(value)}</code>"))
        else:
            long.append((label, _e(_short(str(value), CELL_MAX))))
    out = ""
    if short:
        out += ('<div class="wd-kvs">' + "".join(f'<span class="wd-kv"><span class="wd-k">{_e(k)}</span> {v}</span>'
                                                 for k, v in short) + "</div>")
    if long:
        out += '<dl class="wd-fields">' + "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in long) + "</dl>"
    return out


GROUP_NOTES = {
    "broken-ref": "A suggested definition is shown where the old revision had one. Where it had none, the "
                  "definition lives in the page's history or in the articles a copied section names "
                  "({{Main article}}, {{further}}).",
}


def _excerpt(page: _Page, spot: Spot, i: int, severity: str) -> str:
    """The text around a flag whose place no diff shows (an unchanged section)."""
    text = page.audit.new.text if spot.side == "new" else page.audit.old.text
    lo = max(0, text.rfind("\n", 0, max(0, spot.start - 200)) + 1, spot.start - 200)
    hi = min(len(text), max(spot.end, spot.start) + 200)
    seg = Seg("equal", text[lo:hi], lo)
    side = "new" if spot.side == "new" else "old"
    inner = _segs(page, [seg], side, [(spot.start, spot.end, i, severity)], pins=False)
    label = "new revision" if side == "new" else "old revision"
    return (f'<div class="wd-excerpt"><span class="wd-muted">In the {label}, unchanged by this edit:</span>'
            f'<pre>{"…" if lo else ""}{inner}{"…" if hi < len(text) else ""}</pre></div>')


# --- section diffs ----------------------------------------------------------------------------------------------

def _changes(page: _Page) -> str:
    a = page.audit
    out = [f'<section id="{page.id("changes")}"><h2>Changed sections</h2>']
    if not a.sections:
        out.append('<p class="wd-muted">No section changed.</p>')
    for ci, c in enumerate(a.sections, 1):
        out.append(_change(page, ci, c))
    out.append("</section>")
    return "\n".join(out)


def _change(page: _Page, ci: int, c: SectionChange) -> str:
    a = page.audit
    d = c.to_dict()
    flags = [a.flags[i - 1] for i in page.flags_of_change.get(ci, [])]
    counts = defaultdict(int)
    for f in flags:
        counts[f.severity] += 1
    chips = "".join(f'<span class="wd-chip {sev}">{counts[sev]} {sev}</span>' for sev in SEVERITIES if counts[sev])
    bits = []
    if c.renamed and c.old is not None:
        bits.append(f"renamed from <q>{_e(c.old.label or '(lead)')}</q>")
    if c.moved and c.old is not None and c.new is not None:
        bits.append(f"moved from position {c.old.index} to {c.new.index}")
    bits.append(f'<span class="wd-plus">+{d["words_added"]:,}</span> / '
                f'<span class="wd-minus">−{d["words_removed"]:,}</span> words')
    summary = (f'<summary><h3>{_e(_section_name(c))}</h3><span class="wd-chip {_e(c.change)}">{_e(c.change)}</span>'
               f'<span class="wd-muted">{" · ".join(bits)}</span>{chips}</summary>')
    return (f'<details class="wd-change" id="{page.id("sec", ci)}" open>{summary}'
            f"{_diff(page, c)}</details>")


def _diff(page: _Page, c: SectionChange) -> str:
    a = page.audit
    rows = section_rows(c, a.old.text, a.new.text)
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
    out.append("</div>")
    return "".join(out)


def _row_has_mark(page: _Page, row: Row) -> bool:
    for side, line in (("old", row.old), ("new", row.new)):
        if line is None or not line.segs:
            continue
        lo, hi = line.segs[0].start, line.segs[-1].end
        if any(s < hi and max(e, s + 1) > lo for s, e, _, _ in page.marks[side]):
            return True
    return False


def _row(page: _Page, row: Row, single: str | None) -> str:
    cls = "wd-row chg" if row.changed else "wd-row"
    if single:
        return f'<div class="{cls}">{_cell(page, row.new if single == "new" else row.old, single, row)}</div>'
    return f'<div class="{cls}">{_cell(page, row.old, "old", row)}{_cell(page, row.new, "new", row)}</div>'


def _cell(page: _Page, line: Line | None, side: str, row: Row) -> str:
    if line is None:
        return f'<div class="wd-cell {side} empty"></div>'
    classes = ["wd-cell", side]
    if line.changed:
        classes.append("chg")
    if not row.changed:
        classes.append("ctx")
    if line.changed and line.whole:
        classes.append("whole")
    body = _segs(page, line.segs, side, page.marks[side], pins=True)
    return f'<div class="{" ".join(classes)}"><span class="wd-ln">{line.number}</span>{body}</div>'


def _segs(page: _Page, segs: list[Seg], side: str, marks: list[tuple[int, int, int, str]], pins: bool) -> str:
    """Escaped text of a line's runs, with flagged spans marked, refs set apart and a numbered pin per flag."""
    out = []
    refs = page.refs[side]
    for seg in segs:
        lo, hi = seg.start, seg.end
        here = [m for m in marks if m[0] < hi and max(m[1], m[0] + 1) > lo]
        k = max(0, bisect.bisect_right(refs, (lo, lo)) - 1)
        ref_here = []
        while k < len(refs) and refs[k][0] < hi:
            if refs[k][1] > lo:
                ref_here.append(refs[k])
            k += 1
        cuts = {lo, hi}
        for s, e, _, _ in here:
            cuts.update(x for x in (s, e) if lo < x < hi)
        for s, e in ref_here:
            cuts.update(x for x in (s, e) if lo < x < hi)
        points = sorted(cuts)
        pieces = []
        for a, b in zip(points, points[1:], strict=False):
            for s, _end, n, sev in here:
                if pins and n not in page.shown and (s == a or (a == lo and s < lo)):
                    page.shown.add(n)
                    pieces.append(f'<a class="wd-pin {sev}" id="{page.id("spot", n)}" '
                                  f'href="#{page.id("flag", n)}" title="flag {n}">{n}</a>')
            text = _e(seg.text[a - lo : b - lo])
            if any(s <= a < e for s, e in ref_here):
                text = f'<span class="wd-ref">{text}</span>'
            covering = [m for m in here if m[0] <= a < m[1]]
            if covering:
                sev = _worst_sev([m[3] for m in covering])
                nums = ", ".join(str(m[2]) for m in covering)
                text = f'<mark class="wd-spot {sev}" title="flag {nums}">{text}</mark>'
            pieces.append(text)
        inner = "".join(pieces)
        if seg.kind == "delete":
            inner = f"<del>{inner}</del>"
        elif seg.kind == "insert":
            inner = f"<ins>{inner}</ins>"
        out.append(inner)
    return "".join(out)


def _worst_sev(severities: list[str]) -> str:
    for sev in SEVERITIES:
        if sev in severities:
            return sev
    return "info"


# --- references, moves, notes -----------------------------------------------------------------------------------

REF_ORDER = {"modified": 0, "removed": 1, "added": 2}
REF_OPEN_MAX = 15


def _references(page: _Page) -> str:
    refs = sorted(page.audit.references, key=lambda r: REF_ORDER.get(r.change, 3))
    if not refs:
        return ""
    counts = defaultdict(int)
    for r in refs:
        counts[r.change] += 1
    label = ", ".join(f"{n} {change}" for change, n in sorted(counts.items(), key=lambda kv: REF_ORDER[kv[0]]))
    rows = []
    for r in refs:
        name = r.name or (r.new.name if r.new else None) or (r.old.name if r.old else None)
        old = r.old.content if r.old else None
        new = r.new.content if r.new else None
        if r.change == "modified":
            content = (f'<del class="wd-mono">{_e(_short(old, CELL_MAX))}</del><br>→ '
                       f'<ins class="wd-mono">{_e(_short(new, CELL_MAX))}</ins>')
        else:
            content = f'<span class="wd-mono">{_e(_short(new if r.change == "added" else old, CELL_MAX))}</span>'
        matched = f' <span class="wd-muted">(matched by {_e(r.matched_by)})</span>' if r.matched_by else ""
        rows.append(f'<tr><td><span class="wd-chip {_e(r.change)}">{_e(r.change)}</span></td>'
                    f"<td>{_e(name or '')}{matched}</td><td>{_e(r.group or '')}</td>"
                    f"<td>{_e(r.section or '(lead)')}</td><td>{content}</td></tr>")
    table = ('<table class="wd-table"><thead><tr><th>change</th><th>name</th><th>group</th><th>section</th>'
             f'<th>content</th></tr></thead><tbody>{"".join(rows)}</tbody></table>')
    opened = " open" if len(refs) <= REF_OPEN_MAX else ""
    return (f'<section id="{page.id("refs")}"><h2>References</h2><details class="wd-box"{opened}>'
            f"<summary>{len(refs)} references changed: {_e(label)}</summary>{table}</details></section>")


def _moves(page: _Page) -> str:
    moves = page.audit.moves
    if not moves:
        return ""
    rows = []
    for m in moves:
        note = " (edited)" if m.edited else ""
        rows.append(f"<tr><td>{_e(m.old_section or '(lead)')}</td><td>{_e(m.new_section or '(lead)')}{note}</td>"
                    f'<td>{m.similarity:.0%}</td><td><span class="wd-mono">{_e(_short(m.new_text, CELL_MAX))}'
                    "</span></td></tr>")
    return (f'<section id="{page.id("moves")}"><h2>Moved paragraphs</h2><table class="wd-table"><thead><tr>'
            "<th>from</th><th>to</th><th>similarity</th><th>text</th></tr></thead>"
            f'<tbody>{"".join(rows)}</tbody></table></section>')


def _notes(page: _Page) -> str:
    notes = page.audit.notes
    if not notes:
        return ""
    items = "".join(f"<li>{_e(n)}</li>" for n in notes)
    return f'<section id="{page.id("notes")}"><h2>Notes</h2><ul>{items}</ul></section>'
