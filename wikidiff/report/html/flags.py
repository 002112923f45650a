"""The flags section: flags by severity and code, each with its fields (as `codes` describes them) and a link to
its place in a diff, or an excerpt where no diff shows it."""

from __future__ import annotations

from collections import Counter, defaultdict

from ...codes import SEVERITIES, SEVERITY_TITLE, Detail, details
from ...model import Flag, Span
from ...verify import BADGES, badge
from ..rows import Seg
from .common import CELL_MAX, FLAGS_LISTED, QUOTE_MAX, Page, e, section_name, short
from .diff import segs_html

GROUP_NOTES = {
    "broken-ref": "A suggested definition is shown where the old revision had one. Where it had none, the "
                  "definition lives in the page's history or in the articles a copied section names "
                  "({{Main article}}, {{further}}).",
}
INLINE_MAX = 60  # longer inline values go below, with the quotes and wikitext


def flags(page: Page) -> str:
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
                out.append(f"<h4><code>{e(code)}</code> × {len(items)}</h4>")
            if code in GROUP_NOTES:
                out.append(f'<p class="wd-group-note">{e(GROUP_NOTES[code])}</p>')
            listed = items[:FLAGS_LISTED]
            more = ""
            if len(items) > len(listed):
                where = Counter(f.section or "(lead)" for _, f in items[len(listed):])
                places = ", ".join(f"{e(s)} ×{n:,}" for s, n in where.most_common(5))
                more = (f'<li class="wd-more">…and {len(items) - len(listed):,} more <code>{e(code)}</code> flags '
                        f"({places}{', …' if len(where) > 5 else ''}), left out to keep the page small; the JSON "
                        "report (--format json) lists them all.</li>")
            out.append('<ol class="wd-flags">' + "".join(_flag_item(page, i, f) for i, f in listed) + more + "</ol>")
    out.append("</section>")
    return "\n".join(out)


def _flag_item(page: Page, i: int, f: Flag) -> str:
    links = []
    if i in page.shown:
        links.append(f'<a href="#{page.id("spot", i)}">show in diff</a>')
    ci = page.change_of_flag.get(i)
    if ci is not None:
        c = page.audit.sections[ci - 1]
        links.append(f'<a href="#{page.id("sec", ci)}">{e(section_name(c))}</a>')
    elif f.section is not None or i in page.spots:
        links.append(f'{e(f.section or "(lead)")} <span class="wd-muted">(unchanged)</span>')
    where = f'<span class="wd-where">{" · ".join(links)}</span>' if links else ""
    head = (f'<div class="wd-flag-head"><span class="wd-num">{i}.</span><span class="wd-chip {e(f.severity)}">'
            f'{e(f.severity)}</span><code class="wd-code">{e(f.code)}</code>{badge_html(f)}'
            f'<span class="wd-message">{e(f.message)}</span>{where}</div>')
    body = fields_html(f)
    if i in page.spots and i not in page.shown:
        body += _excerpt(page, page.spots[i], i, f.severity)
    return f'<li class="wd-flag {e(f.severity)}" id="{page.id("flag", i)}" tabindex="-1">{head}{body}</li>'


def badge_html(f: Flag) -> str:
    """What verification against the rendered page said of this flag, as a badge (nothing when not verified)."""
    state = badge(f)
    if state is None:
        return ""
    how = f.fields.get("verified_by")
    title = f' title="{e(how)}"' if how else ""
    return f'<span class="wd-badge wd-verify-{state}"{title}>{e(BADGES[state])}</span>'


def _long(d: Detail) -> str:
    if d.kind == "change":
        return (f'<del class="wd-mono">{short(d.old, CELL_MAX) or "∅"}</del> → '
                f'<ins class="wd-mono">{short(d.new, CELL_MAX) or "∅"}</ins>')
    if d.kind == "wikitext":
        values = d.value if isinstance(d.value, list) else [d.value]
        cls = ' class="wd-suggest"' if d.label.startswith("suggested definition") else ""
        return "".join(f"<pre{cls}>{e(v)}</pre>" for v in values)
    if d.kind == "quote":
        return f"<q>{short(d.value, QUOTE_MAX)}</q>"
    return short(d.value, CELL_MAX)


def fields_html(f: Flag) -> str:
    """A flag's fields: short ones on one line, changes, wikitext and quotes below."""
    inline: list[tuple[str, str]] = []
    below: list[tuple[str, str]] = []
    for d in details(f.code, f.fields):
        if d.kind == "inline" and isinstance(d.value, bool):
            inline.append((d.label, "yes" if d.value else "no"))
        elif d.kind == "inline" and len(str(d.value)) <= INLINE_MAX:
            inline.append((d.label, f"<code>{e(d.value)}</code>"))
        else:
            below.append((d.label, _long(d)))
    out = ""
    if inline:
        out += ('<div class="wd-kvs">' + "".join(f'<span class="wd-kv"><span class="wd-k">{e(k)}</span> {v}</span>'
                                                 for k, v in inline) + "</div>")
    if below:
        out += '<dl class="wd-fields">' + "".join(f"<dt>{e(k)}</dt><dd>{v}</dd>" for k, v in below) + "</dl>"
    return out


def _excerpt(page: Page, spot: Span, i: int, severity: str) -> str:
    """The text around a flag whose place no diff shows (an unchanged section)."""
    text = page.audit.new.text if spot.side == "new" else page.audit.old.text
    lo = max(0, text.rfind("\n", 0, max(0, spot.start - 200)) + 1, spot.start - 200)
    hi = min(len(text), max(spot.end, spot.start) + 200)
    seg = Seg("equal", text[lo:hi], lo)
    inner = segs_html(page, [seg], spot.side, [(spot.start, spot.end, i, severity)], pins=False)
    label = "new revision" if spot.side == "new" else "old revision"
    return (f'<div class="wd-excerpt"><span class="wd-muted">In the {label}, unchanged by this edit:</span>'
            f'<pre>{"…" if lo else ""}{inner}{"…" if hi < len(text) else ""}</pre></div>')
