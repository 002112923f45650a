"""The page around the parts: head, header, contents and summary; `render` and `fragment`."""

from __future__ import annotations

import base64
import hashlib
import re
from importlib import resources

from ...codes import SEVERITIES, SEVERITY_TITLE, shorten
from ...verify import summary as verification_summary
from ..rows import report_title, worst
from .common import Page, e, section_name
from .diff import changes
from .flags import flags
from .tables import moves, notes, references

#: a wiki's host as sources.url.normalize_site leaves it (letters, digits, dots, hyphens, an optional port)
_WIKI_HOST = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?(?::[0-9]{1,5})?")


def _asset(name: str) -> str:
    return resources.files("wikidiff.report").joinpath(name).read_text(encoding="utf-8")


def _csp_hash(source: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode("ascii")


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
        f'<meta http-equiv="Content-Security-Policy" content="{e(csp)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="generator" content="wikidiff">\n'
        f"<title>{e('wikidiff audit: ' + report_title(audit))}</title>\n"
        "</head>\n<body>\n"
        f"{body}\n<script>{js}</script>\n</body>\n</html>\n"
    )


def fragment(audit) -> str:
    """The report as one `<div class="wikidiff-report">` (scoped style, no script): for Jupyter and embedding."""
    return _fragment(audit, _asset("html.css"))


def _fragment(audit, css: str) -> str:
    page = Page(audit)
    changed = changes(page)  # rendered first: it records which flag spots the diffs show
    parts = [
        f'<div class="wikidiff-report" id="{page.id("top")}">',
        f"<style>{css}</style>",
        _header(page),
        _toc(page),
        "<main>",
        _summary(page),
        flags(page),
        changed,
        references(page),
        moves(page),
        notes(page),
        "</main>",
        '<footer>Made by wikidiff. Wikitext is shown as written; nothing in this page is fetched from the network.'
        "</footer>",
        "</div>",
    ]
    return "\n".join(p for p in parts if p)


def _rev_box(meta, side: str) -> str:
    rows = []
    if meta.revid:
        rows.append(f"revision {e(meta.revid)}" + (f" (parent {e(meta.parentid)})" if meta.parentid else ""))
    for value in (meta.timestamp, meta.user and f"by {meta.user}", meta.site, meta.source):
        if value:
            rows.append(e(value))
    if meta.size is not None:
        rows.append(f"{meta.size:,} bytes")
    if meta.comment:
        rows.append(f"summary: <q>{e(shorten(meta.comment, 300))}</q>")
    label = "Old revision" if side == "old" else "New revision"
    return (f'<div class="wd-rev {side}"><b>{label}</b>' + (" · ".join(rows) or '<span class="wd-muted">no details'
            "</span>") + "</div>")


def _header(page: Page) -> str:
    a = page.audit
    return (f'<header><h1>Audit of {e(report_title(a))}</h1>'
            f'<div class="wd-revs">{_rev_box(a.old_meta, "old")}{_rev_box(a.new_meta, "new")}</div>'
            f"{_wiki_nav(a)}</header>")


def _wiki_nav(audit) -> str:
    """For fetched revisions: links to the diff, both revisions, the page and each editor on the wiki itself.

    Only https links to the wiki the revisions came from (its host as the client checked it); nothing for local
    files. Every link is escaped and carries rel="noopener noreferrer"."""
    from ...sources.url import wiki_links

    links = wiki_links(audit.old_meta, audit.new_meta)
    if links is None or not _WIKI_HOST.fullmatch(str(audit.new_meta.site)):
        return ""

    def a(text: str, url: str) -> str:
        return f'<a class="wd-wiki" rel="noopener noreferrer" href="{e(url)}">{e(text)}</a>'

    parts = [a(label, url) for label, url in links.pages]
    parts += [f"{a(u.name, u.page)} ({a('talk', u.talk)}, {a('contributions', u.contributions)})" for u in links.users]
    return f'<nav class="wd-onwiki">On the wiki: {" · ".join(parts)}</nav>'


def _toc(page: Page) -> str:
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
        flagged = [a.flags[i - 1] for i in page.flags_of_change.get(ci, [])]
        chip = f' <span class="wd-chip {e(worst(flagged))}">{len(flagged)}</span>' if flagged else ""
        sec_items.append(f'<li><a href="#{page.id("sec", ci)}">{e(section_name(c))}</a> '
                         f'<span class="wd-muted">{e(c.change)}</span>{chip}</li>')
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


def _summary(page: Page) -> str:
    s = page.audit.summary
    cards = []
    for sev in SEVERITIES:
        n = s[sev + "s"]
        label = SEVERITY_TITLE[sev].lower() if n != 1 else sev
        cls = sev if n else "clean"
        inner = f'<span class="wd-big">{n}</span>{e(label)}'
        if n:
            inner = f'<a href="#{page.id("flags", sev)}">{inner}</a>'
        cards.append(f'<div class="wd-card {cls}">{inner}</div>')
    parts = [f"{s[k]} {k.split('_')[1]}" for k in ("sections_added", "sections_removed", "sections_modified",
                                                    "sections_moved", "sections_renamed") if s[k]]
    cards.append(f'<div class="wd-card"><span class="wd-big">{s["sections_changed"]}</span>sections changed'
                 + (f'<br><span class="wd-muted">{e(", ".join(parts))}</span>' if parts else "") + "</div>")
    cards.append(f'<div class="wd-card"><span class="wd-big"><span class="wd-plus">+{s["bytes_added"]:,}</span> '
                 f'<span class="wd-minus">−{s["bytes_removed"]:,}</span></span>bytes changed (net '
                 f'{s["size_change"]:+,})</div>')
    cards.append(f'<div class="wd-card"><span class="wd-big"><span class="wd-plus">+{s["refs_added"]}</span> '
                 f'<span class="wd-minus">−{s["refs_removed"]}</span> ~{s["refs_modified"]}</span>references added, '
                 f"removed, modified</div>")
    if s.get("paragraphs_moved"):
        cards.append(f'<div class="wd-card"><span class="wd-big">{s["paragraphs_moved"]}</span>paragraphs moved</div>')
    extra = '<p class="wd-muted">The two revisions are identical.</p>' if s.get("identical") else ""
    checked = verification_summary(page.audit.verification)
    if checked:
        extra += f'<p class="wd-verification">{e(checked)}</p>'
    return (f'<section id="{page.id("summary")}"><h2>Summary</h2><div class="wd-cards">{"".join(cards)}</div>'
            f"{extra}</section>")
