"""The HTML, Markdown and wikitext reports: structure, escaping of hostile revisions, and the Jupyter views.

The rendered page is parsed back (html.parser) and checked tag by tag: only the tags and attributes the report
itself writes, only in-page links, one script (the report's own) and every payload present as text.
"""

from __future__ import annotations

import base64
import hashlib
import re
import subprocess
import sys
from html.parser import HTMLParser
from importlib import resources

import mwparserfromhell
import pytest
from conftest import SAMPLES
from report_payloads import PAYLOADS, SCRIPT, hostile_audit

import wikidiff
from wikidiff.report import html as html_report
from wikidiff.report import render
from wikidiff.report.rows import section_rows

SEED = SAMPLES / "azerbaijani-offensive"

# every tag and attribute the HTML report writes; anything else came from a revision
ALLOWED_TAGS = {"html", "head", "meta", "title", "body", "div", "style", "script", "header", "h1", "h2", "h3", "h4",
                "nav", "ol", "ul", "li", "a", "span", "main", "section", "p", "b", "code", "q", "del", "ins", "dl",
                "dt", "dd", "pre", "details", "summary", "mark", "table", "thead", "tbody", "tr", "th", "td", "br",
                "footer"}
ALLOWED_ATTRS = {"class", "id", "href", "title", "open", "lang", "charset", "http-equiv", "content", "name",
                 "aria-label", "tabindex"}


class Page(HTMLParser):
    """A parsed page: every start tag with its attributes, the text, and the contents of <title>/<script>/<style>."""

    def __init__(self, source: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.raw: dict[str, list[str]] = {"title": [], "script": [], "style": []}
        self._in: str | None = None
        self.feed(source)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag in self.raw:
            self._in = tag
            self.raw[tag].append("")

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == self._in:
            self._in = None

    def handle_data(self, data):
        if self._in:
            self.raw[self._in][-1] += data
        else:
            self.text.append(data)

    def ids(self) -> list[str]:
        return [a["id"] for _, a in self.tags if a.get("id")]

    def with_class(self, tag: str, cls: str) -> list[dict[str, str | None]]:
        return [a for t, a in self.tags if t == tag and cls in (a.get("class") or "").split()]

    def all_text(self) -> str:
        return "".join(self.text)


@pytest.fixture(scope="module")
def seed_audit(seed_pair):
    old, new = seed_pair
    return wikidiff.audit(old, new)


@pytest.fixture(scope="module")
def hostile():
    return hostile_audit()


def assert_only_report_markup(page: Page, *, scripts: int) -> None:
    js = resources.files("wikidiff.report").joinpath("report.js").read_text(encoding="utf-8")
    for tag, attrs in page.tags:
        assert tag in ALLOWED_TAGS, f"unexpected <{tag}> {attrs}"
        for name, value in attrs.items():
            assert name in ALLOWED_ATTRS, f"unexpected attribute {name}={value!r} on <{tag}>"
            assert not name.startswith("on")
        if tag == "a":
            assert (attrs.get("href") or "").startswith("#"), attrs
        if tag == "meta" and "http-equiv" in attrs:
            assert attrs["http-equiv"] == "Content-Security-Policy"
    assert page.raw["script"] == [js] * scripts
    ids = page.ids()
    assert len(ids) == len(set(ids)), "ids must be unique"
    targets = {a["href"][1:] for t, a in page.tags if t == "a"}
    assert targets <= set(ids), f"links to missing anchors: {sorted(targets - set(ids))[:5]}"


# --- HTML ----------------------------------------------------------------------------------------------------------

def test_html_seed_page_has_summary_flags_diffs_and_contents(seed_audit):
    source = render(seed_audit, "html")
    assert source.startswith("<!DOCTYPE html>")
    page = Page(source)
    assert_only_report_markup(page, scripts=1)
    text = page.all_text()
    prefix = html_report.Page(seed_audit).prefix
    ids = set(page.ids())
    # every flag is listed, grouped by severity, and each flag with a place in a diff has a pin that links back
    flag_items = page.with_class("li", "wd-flag")
    assert [a["id"] for a in flag_items] == [f"{prefix}-flag-{i}" for i, f in sorted(
        enumerate(seed_audit.flags, 1), key=lambda x: ("error", "warning", "info").index(x[1].severity))]
    for sev in ("error", "warning", "info"):
        assert (f"{prefix}-flags-{sev}" in ids) == any(f.severity == sev for f in seed_audit.flags)
    pins = {a["id"]: a["href"] for a in page.with_class("a", "wd-pin")}
    for i, f in enumerate(seed_audit.flags, 1):
        if f.code == "broken-ref":
            assert f'"{f.fields["name"]}"' in text
            assert pins[f"{prefix}-spot-{i}"] == f"#{prefix}-flag-{i}"
    # one collapsible block per changed section, linked from the table of contents
    changes = page.with_class("details", "wd-change")
    assert len(changes) == len(seed_audit.sections)
    toc_links = {a["href"] for t, a in page.tags if t == "a" and a["href"].startswith(f"#{prefix}-sec-")}
    assert toc_links == {f"#{prefix}-sec-{i}" for i in range(1, len(seed_audit.sections) + 1)}
    # every flag of the seed points into a changed section: each has its pin there, the removed tags in the old
    # column and the broken refs in the new one
    assert set(pins) == {f"{prefix}-spot-{i}" for i in range(1, len(seed_audit.flags) + 1)}
    assert "show in diff" in text and "(unchanged)" not in text
    for word in ("Prelude", "Background", "(lead)"):
        assert word in text
    s = seed_audit.summary
    assert f"+{s['bytes_added']:,}" in text and f"{s['errors']}errors" in text.replace(" ", "")


def test_html_escapes_every_piece_of_wikitext(hostile):
    source = render(hostile, "html")
    page = Page(source)
    assert_only_report_markup(page, scripts=1)
    for payload in PAYLOADS:
        assert payload not in source, f"payload left unescaped: {payload}"
    text = page.all_text()
    assert SCRIPT in text  # shown to the reader as the text it is
    assert page.raw["title"] == [f"wikidiff audit: Hostile {SCRIPT}"]
    # the hostile heading and the removed tag's reason are there as text, in the flags and the diff
    assert any(f.code == "tag-removed" for f in hostile.flags)
    assert "onerror=" in text and "javascript:" in text


def test_html_fragment_escapes_without_the_page_around_it(hostile):
    fragment = html_report.fragment(hostile)
    assert fragment.startswith('<div class="wikidiff-report"') and fragment.endswith("</div>")
    page = Page(fragment)
    assert_only_report_markup(page, scripts=0)
    for payload in PAYLOADS:
        assert payload not in fragment


def test_html_content_security_policy_allows_only_its_own_style_and_script(seed_audit):
    page = Page(render(seed_audit, "html"))
    csp = next(a["content"] for t, a in page.tags if t == "meta" and a.get("http-equiv"))

    def digest(source: str) -> str:
        return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode()).digest()).decode() + "'"

    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["script-src"] == digest(page.raw["script"][0])
    assert directives["style-src"] == digest(page.raw["style"][0])


def test_broken_ref_shows_the_old_definition_as_suggestion():
    old = "Alpha.<ref name=a>Source A, p. 4</ref> Beta.<ref name=a/>\n"
    fired = wikidiff.audit(old, "Alpha. Beta.<ref name=a/>\n")
    page = Page(render(fired, "html"))
    suggest = [i for i, (t, a) in enumerate(page.tags) if t == "pre" and "wd-suggest" in (a.get("class") or "")]
    assert len(suggest) == 1
    assert "<ref name=a>Source A, p. 4</ref>" in page.all_text()
    assert "suggested definition (from old revision)" in page.all_text()
    # a ref that never had a definition gets no suggestion
    not_fired = wikidiff.audit("Alpha. Beta.\n", "Alpha. Beta.<ref name=a/>\n")
    assert [f.code for f in not_fired.flags] == ["broken-ref"]
    assert not Page(render(not_fired, "html")).with_class("pre", "wd-suggest")


@pytest.mark.parametrize("edit", ["seed", "moved", "no-final-newline", "from-empty"])
def test_diff_rows_rebuild_both_revisions(seed_pair, edit):
    """The side-by-side rows hold every character of each side's diff, line by line, numbered as in the revision."""
    old, new = seed_pair
    if edit == "moved":
        old, new = "Lead.\n== A ==\nOne.\n\n== B ==\nTwo.\n", "Lead.\n== B ==\nTwo.\n\n== A ==\nOne!\n"
    elif edit == "no-final-newline":
        new = new.rstrip("\n") + " tail"
    elif edit == "from-empty":
        old = ""
    a = wikidiff.audit(old, new)
    assert a.sections
    for c in a.sections:
        rows = section_rows(c, a.old.text, a.new.text)
        for side, kind in (("old", "insert"), ("new", "delete")):
            lines = [getattr(r, side) for r in rows if getattr(r, side) is not None]
            rebuilt = "".join(line.text() + ("" if line.newline == "none" else "\n") for line in lines)
            assert rebuilt == "".join(op.text for op in c.ops if op.op != kind)
            text = a.old.text if side == "old" else a.new.text
            for line in lines:
                if line.segs:
                    assert text.count("\n", 0, line.segs[0].start) + 1 == line.number
                    assert text[line.segs[0].start : line.segs[-1].end] == line.text()


def _paragraphs(n: int, changed: int | None = None) -> str:
    body = "\n\n".join(f"Paragraph {i} says something {'new' if i == changed else 'plain'} about it." for i in range(n))
    return f"== Long ==\n{body}\n"


def test_unchanged_context_folds_only_when_long():
    long_edit = wikidiff.audit(_paragraphs(30), _paragraphs(30, changed=20))
    page = Page(render(long_edit, "html"))
    folds = page.with_class("details", "wd-fold")
    assert len(folds) == 2  # before and after the one changed paragraph
    assert all("open" not in a for a in folds)
    text = page.all_text()
    assert re.search(r"\d+ unchanged lines", text)
    short_edit = wikidiff.audit(_paragraphs(2), _paragraphs(2, changed=1))
    assert not Page(render(short_edit, "html")).with_class("details", "wd-fold")


def test_flagged_words_are_marked_in_the_diff():
    a = wikidiff.audit("== H ==\nThe group spoke.\n", "== H ==\nThe regime spoke.\n")
    assert [f.code for f in a.flags] == ["words-to-watch"]
    source = render(a, "html")
    assert re.search(r'<mark class="wd-spot info" title="flag 1">regime</mark>', source)
    clean = wikidiff.audit("== H ==\nThe group spoke.\n", "== H ==\nThe band spoke.\n")
    assert clean.flags == [] and "wd-spot" not in render(clean, "html").split("</style>", 1)[1]


def test_identical_revisions_render_without_flags_or_sections():
    a = wikidiff.audit("Same text.\n", "Same text.\n")
    page = Page(render(a, "html"))
    assert_only_report_markup(page, scripts=1)
    assert "The two revisions are identical." in page.all_text()
    assert "No flags" in page.all_text() and not page.with_class("details", "wd-change")


# --- Jupyter -------------------------------------------------------------------------------------------------------

def test_repr_html_is_the_report_fragment(seed_audit):
    out = seed_audit._repr_html_()
    assert out == html_report.fragment(seed_audit)
    assert out.startswith('<div class="wikidiff-report"') and "<script" not in out


def test_dataframe_views(seed_audit):
    flags = seed_audit.flags_frame()
    assert len(flags) == len(seed_audit.flags)
    assert {"code", "severity", "message", "section"} <= set(flags.columns)
    assert list(flags["code"]) == [f.code for f in seed_audit.flags]
    refs = seed_audit.references_frame()
    assert len(refs) == len(seed_audit.references) and {"change", "name"} <= set(refs.columns)
    sections = seed_audit.sections_frame()
    assert len(sections) == len(seed_audit.sections) and "change" in sections.columns
    empty = wikidiff.audit("Same.\n", "Same.\n")
    assert empty.flags_frame().empty and "code" in empty.flags_frame().columns


# --- Markdown ------------------------------------------------------------------------------------------------------

def _markdown_html(source: str) -> str:
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py renders the Markdown report in tests")
    return markdown_it.MarkdownIt("commonmark").enable("table").render(source)


def test_markdown_report_lists_every_flag_and_section(seed_audit):
    md = render(seed_audit, "markdown")
    rows = [line for line in md.splitlines() if re.match(r"\| \d+ \| `", line)]
    assert len(rows) == len(seed_audit.flags)
    for c in seed_audit.sections:
        label = (c.new or c.old).label or "(lead)"
        assert re.search(rf"^### {re.escape(label)} \({c.change},", md, re.M)
    out = _markdown_html(md)
    assert out.count("<tr>") == len(seed_audit.flags) + sum(1 for sev in ("error", "warning", "info") if any(
        f.severity == sev for f in seed_audit.flags)) + len(seed_audit.references) + 1
    s = seed_audit.summary
    for sev, title in (("error", "Errors"), ("warning", "Warnings"), ("info", "Info")):
        assert (f"<h3>{title} ({s[sev + 's']})</h3>" in out) == bool(s[sev + "s"])


def test_markdown_report_escapes_hostile_text(hostile):
    md = render(hostile, "markdown")
    out = _markdown_html(md)
    page = Page(out)
    allowed = {"h1", "h2", "h3", "ul", "li", "p", "strong", "em", "code", "pre", "table", "thead", "tbody", "tr",
               "th", "td", "details", "summary"}
    assert {t for t, _ in page.tags} <= allowed, {t for t, _ in page.tags} - allowed
    assert all(not attrs or set(attrs) <= {"class", "style"} for _, attrs in page.tags)
    assert SCRIPT in page.all_text()


# --- wikitext ------------------------------------------------------------------------------------------------------

def test_wikitext_table_has_a_row_per_flag(seed_audit):
    wt = render(seed_audit, "wikitext")
    assert wt.startswith('{| class="wikitable sortable"') and wt.rstrip().endswith("|}")
    assert wt.count("\n|-\n") == len(seed_audit.flags)
    code = mwparserfromhell.parse(wt)
    assert not code.filter_templates() and not code.filter_wikilinks() and not code.filter_external_links()


def test_wikitext_table_is_inert_when_pasted(hostile):
    wt = render(hostile, "wikitext")
    code = mwparserfromhell.parse(wt)
    assert not code.filter_templates(recursive=True)
    assert not code.filter_external_links(recursive=True)
    links = [str(w.title) for w in code.filter_wikilinks(recursive=True)]
    assert links == [":Special:Diff/100/101"] + [":Special:PermanentLink/101#History"] * links.count(
        ":Special:PermanentLink/101#History")
    tags = {str(t.tag).lower() for t in code.filter_tags(recursive=True)}
    assert tags <= {"table", "tr", "td", "th", "caption", "nowiki", "br", "code", "b"}, tags
    for payload in PAYLOADS:
        assert payload not in wt
    # a section whose heading holds markup is named as text, not linked
    assert "Special:PermanentLink/101#&lt;script" not in wt and "[[Special:PermanentLink/101#<" not in wt
    assert "\n|-\n" in wt and wt.count("\n|-\n") == len(hostile.flags)


# --- CLI -----------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt,start", [("html", "<!DOCTYPE html>"), ("markdown", "# wikidiff audit"),
                                       ("wikitext", '{| class="wikitable')])
def test_cli_writes_each_report(tmp_path, fmt, start):
    out = tmp_path / f"audit.{fmt}"
    proc = subprocess.run([sys.executable, "-m", "wikidiff", "audit", str(SEED / "old.wiki"), str(SEED / "new.wiki"),
                           "--format", fmt, "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert out.read_text(encoding="utf-8").startswith(start)


def test_html_links_fetched_revisions_to_their_wiki_only():
    """Reports of fetched revisions link to the diff, both revisions, the page and the editors on the wiki itself:
    https links to that host only, escaped; a hostile user name stays text inside the link."""
    from dataclasses import replace

    from report_payloads import IMG, NEW_META, OLD_META

    base = hostile_audit()
    fetched = replace(base, old_meta=replace(OLD_META, site="en.wikipedia.org"),
                      new_meta=replace(NEW_META, site="en.wikipedia.org"))
    page = Page(render(fetched, "html"))
    outside = [a["href"] for t, a in page.tags if t == "a" and not (a.get("href") or "").startswith("#")]
    assert outside, "a fetched audit links to its wiki"
    assert all(h.startswith("https://en.wikipedia.org/") for h in outside), outside
    assert "https://en.wikipedia.org/w/index.php?diff=101&oldid=100" in outside
    assert any("Special:Contributions/" in h for h in outside)
    assert IMG in "".join(page.text) and not any(t == "img" for t, _ in page.tags)
    assert page.raw["script"] == [resources.files("wikidiff.report").joinpath("report.js").read_text("utf-8")]

    for site in ("evil.example/x\" onclick=\"alert(1)", "javascript:alert(1)", "", None):
        hostile_site = replace(base, new_meta=replace(NEW_META, site=site))
        assert all((a.get("href") or "").startswith("#") for t, a in Page(render(hostile_site, "html")).tags
                   if t == "a"), site

