"""wikidiff.verify.reconcile: an audit's flags checked against the wiki's rendering of the revisions.

The renderings are real-shaped: the legacy parser's HTML as action=parse returns it on English Wikipedia
(tests/fixtures/rendered/), Parsoid's as Cite's parser tests expect it, and Cite's parser tests themselves.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cite_parsertests import read_parser_tests

import wikidiff
from wikidiff.sources.rendered import read_rendering
from wikidiff.verify import reconcile, unavailable

RENDERED = Path(__file__).parent / "fixtures" / "rendered"
ENWIKI_LEGACY = read_rendering((RENDERED / "enwiki-legacy.html").read_text(encoding="utf-8"))
#: the wikitext the enwiki fixture renders: {{Ghost ref}} makes <ref name="ghost"/>, invisible in wikitext
ENWIKI_WIKITEXT = ('Text.<ref name="Smith 2001">{{cite web |title=Title |date=2001 |url-status=live}}</ref>\n'
                   "More.{{Ghost ref}}\n"
                   'Note.<ref name="n1" group="note"/>\n'
                   "{{notelist}}\n== References ==\n{{reflist}}\n")


def _flags(audit, code=None):
    return [f for f in audit.flags if code is None or f.code == code]


def _legacy(items: str, body: str = "") -> str:
    """A legacy-parser page: `body` paragraphs, then one references list holding `items`."""
    return (f'<div class="mw-content-ltr mw-parser-output" lang="en" dir="ltr"><p>{body}</p>\n'
            f'<div class="reflist"><div class="mw-references-wrap"><ol class="references">\n{items}</ol></div></div>'
            f"</div>")


def _note(name: str, number: int, text: str) -> str:
    key = name.replace(" ", "_")
    return (f'<li id="cite_note-{key}-{number}"><span class="mw-cite-backlink"><b><a href="#cite_ref-{key}_{number}-0">'
            f'^</a></b></span> <span class="reference-text">{text}</span>\n</li>\n')


def _mark(name: str, number: int) -> str:
    key = name.replace(" ", "_")
    return (f'<sup id="cite_ref-{key}_{number}-0" class="reference"><a href="#cite_note-{key}-{number}">'
            f'<span class="cite-bracket">&#91;</span>{number}<span class="cite-bracket">&#93;</span></a></sup>')


BROKEN_SPAN = ('<span class="error mw-ext-cite-error" lang="en" dir="ltr">Cite error: The named reference '
               '<code>{name}</code> was invoked but never defined (see the <a href="/wiki/Help:Cite_errors/'
               'Cite_error_references_no_text" title="Help:Cite errors/Cite error references no text">help page</a>).'
               '</span>')


def test_a_name_a_template_defines_is_downgraded():
    """Wikitext sees <ref name="timeline"/> undefined; the rendered page shows the ref with its text (the
    {{Timeline refs}} template defines it): the flag stays, verified false, severity info."""
    old = "Intro.\n== References ==\n{{reflist}}\n"
    new = 'Intro.<ref name="timeline"/>\n{{Timeline refs}}\n== References ==\n{{reflist}}\n'
    audit = wikidiff.audit(old, new)
    (broken,) = _flags(audit, "broken-ref")
    assert broken.severity == "error" and "verified" not in broken.fields
    html = _legacy(_note("timeline", 1, "Defined by the timeline template."), "Intro." + _mark("timeline", 1))
    out = reconcile(audit, read_rendering(html), how="test legacy")
    (checked,) = _flags(out, "broken-ref")
    assert checked.fields["verified"] is False and checked.severity == "info"
    assert checked.fields["verified_by"] == "test legacy"
    assert "not an error in the rendered page" in checked.message
    assert out.verification["status"] == "verified" and out.verification["counts"] == {"downgraded": 1}
    assert out.to_dict()["verification"]["parser"] == "legacy"
    # the audit given in is left as it was
    assert "verified" not in _flags(audit, "broken-ref")[0].fields and audit.verification is None


def test_a_broken_name_the_rendering_shows_is_confirmed_and_caused_by_edit_is_read_from_the_old_rendering():
    old = 'A.<ref name="x">Source X.</ref> B.<ref name="x"/>\n{{reflist}}\n'
    new = 'B.<ref name="x"/>\n{{reflist}}\n'
    audit = wikidiff.audit(old, new)
    new_html = _legacy(_note("x", 1, BROKEN_SPAN.format(name="x")), "B." + _mark("x", 1))
    old_html = _legacy(_note("x", 1, "Source X."), "A." + _mark("x", 1) + " B." + _mark("x", 1))
    out = reconcile(audit, read_rendering(new_html), read_rendering(old_html), old_revid=1, new_revid=2)
    (broken,) = _flags(out, "broken-ref")
    assert broken.fields["verified"] is True and broken.severity == "error"
    assert broken.fields["caused_by_edit"] is True and broken.fields["source"] == "wikitext"
    assert out.verification["old_revid"] == 1 and out.verification["new_revid"] == 2
    # the old rendering already showed the error: not caused by this edit, whatever the wikitext said
    out = reconcile(audit, read_rendering(new_html), read_rendering(new_html), old_revid=1)
    (broken,) = _flags(out, "broken-ref")
    assert broken.fields["caused_by_edit"] is False and broken.severity == "warning"
    assert broken.fields["caused_by_edit_from"] == "rendering"


def test_enwiki_page_template_made_break_cs1_error_and_maintenance():
    audit = wikidiff.audit("", ENWIKI_WIKITEXT)
    assert {f.fields["name"] for f in _flags(audit, "broken-ref")} == {"n1"}
    assert [f.fields["kind"] for f in _flags(audit, "citation-error")] == ["missing-url"]
    out = reconcile(audit, ENWIKI_LEGACY)
    broken = {f.fields["name"]: f for f in _flags(out, "broken-ref")}
    assert broken["n1"].fields["verified"] is True and broken["n1"].fields["source"] == "wikitext"
    ghost = broken["ghost"]
    assert ghost.fields["source"] == "rendered" and ghost.fields["verified"] is True
    assert ghost.fields["caused_by_edit"] is None and ghost.severity == "warning"
    assert ghost.fields["group"] is None and ghost.fields["anchor"] == "cite_note-ghost-2"
    (cite_web,) = [f for f in _flags(out, "citation-error") if f.fields.get("source") == "wikitext"]
    assert cite_web.fields["verified"] is True
    # without the old rendering the maintenance message cannot be told new: it is left out
    assert not [f for f in _flags(out, "citation-error") if f.fields.get("source") == "rendered"]
    empty_old = read_rendering(_legacy(""))
    out = reconcile(audit, ENWIKI_LEGACY, empty_old)
    (maint,) = [f for f in _flags(out, "citation-error") if f.fields.get("source") == "rendered"]
    assert maint.fields["kind"] == "CS1 maint: url-status" and maint.severity == "info"
    assert maint.fields["caused_by_edit"] is True and maint.fields["name"] == "Smith 2001"
    assert {f.fields["name"]: f.fields["caused_by_edit"] for f in _flags(out, "broken-ref")} == \
        {"n1": True, "ghost": True}


def test_rendered_cs1_errors_and_other_cite_errors_come_through_as_citation_errors():
    html = _legacy(_note("b", 1, '<cite class="citation book cs1">Book.</cite> <span class="cs1-visible-error '
                                 'citation-comment"><code class="cs1-code">{{<a href="/wiki/Template:Cite_book">cite '
                                 'book</a>}}</code>: </span><span class="cs1-visible-error citation-comment">'
                                 '<code class="cs1-code">&#124;chapter=</code> ignored (<a href="/wiki/Help:'
                                 'CS1_errors#chapter_ignored" title="Help:CS1 errors">help</a>)</span>'),
                   'B.<span class="error mw-ext-cite-error" lang="qqx" dir="ltr">(cite_error: '
                   "(cite_error_ref_numeric_key))</span>")
    audit = wikidiff.audit("", 'B.{{Bad ref}}<ref name="b">{{cite book |title=Book |chapter=C}}</ref>')
    out = reconcile(audit, read_rendering(html))
    added = {f.fields["kind"]: f for f in _flags(out, "citation-error") if f.fields.get("source") == "rendered"}
    assert set(added) == {"chapter_ignored", "cite_error_ref_numeric_key"}
    assert added["chapter_ignored"].fields["template"] == "cite book" and added["chapter_ignored"].severity == \
        "warning"
    assert added["cite_error_ref_numeric_key"].fields["where"] == "body"


def test_a_page_without_cite_markup_proves_nothing():
    audit = wikidiff.audit("", 'A.<ref name="x"/>')
    out = reconcile(audit, read_rendering('<div class="mw-parser-output"><p>A.</p></div>'))
    (broken,) = _flags(out, "broken-ref")
    assert broken.fields["verified"] is None and broken.severity == "error"
    assert out.verification["status"] == "no-cite-markup"
    assert any("not verified" in n for n in out.notes)


def test_unavailable_rendering_leaves_flags_unverified_with_a_reason():
    audit = wikidiff.audit("", 'A.<ref name="x"/>')
    out = unavailable(audit, "action=parse", "revision 5 is hidden", new_revid=5)
    assert _flags(out, "broken-ref")[0].fields["verified"] is None
    assert out.verification == {"status": "unavailable", "how": "action=parse", "parser": None, "new_revid": 5,
                                "old_revid": None, "reason": "revision 5 is hidden", "counts": {}}


def test_legacy_errors_without_keys_still_verify_an_error_on_the_same_ref():
    """A duplicate definition: the legacy list item shows the content then an error (key unknown)."""
    audit = wikidiff.audit("", 'A.<ref name="a">one</ref> B.<ref name="a">two</ref>')
    html = _legacy(_note("a", 1, 'one <span class="error mw-ext-cite-error" lang="de" dir="ltr">Fehler.</span>'),
                   "A." + _mark("a", 1))
    out = reconcile(audit, read_rendering(html))
    (dup,) = _flags(out, "duplicate-ref")
    assert dup.fields["verified"] is True
    assert not [f for f in out.flags if f.fields.get("source") == "rendered"]
    assert "names no error keys" in out.verification["reason"]


@pytest.mark.parametrize("parser", ["php", "parsoid"])
def test_on_cite_parser_tests_every_broken_ref_is_confirmed_and_none_added(shared_data, parser):
    """Reconciling with Cite's expected HTML confirms every broken-ref wikidiff finds; with the legacy parser's
    HTML (which wikidiff follows, tests/test_cite_conformance.py) it adds none. Parsoid may add one: it reports a
    name per group where the legacy parser shows a single group error."""
    confirmed = 0
    for test in read_parser_tests(shared_data / "cite-parsertests" / "citeParserTests.txt"):
        html = test.output(parser)
        if html is None or "wgCiteSubReferencing" in test.sections.get("config", ""):
            continue
        audit = wikidiff.audit("", test.wikitext)
        out = reconcile(audit, read_rendering(html))
        for f in _flags(out, "broken-ref"):
            if f.fields["source"] == "wikitext":
                assert f.fields["verified"] is True, (test.name, f.fields)
                confirmed += 1
            else:
                assert parser == "parsoid", (test.name, f.fields)
    assert confirmed >= 5


def test_accuracy_benchmark_runs_and_agrees_with_the_legacy_html(shared_data):
    """benchmarks/accuracy/verify.py: wikidiff's broken-ref verdicts against the rendered HTML of Cite's tests."""
    import importlib.util

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "accuracy" / "verify.py"
    spec = importlib.util.spec_from_file_location("accuracy_verify", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rows = {(r["file"], r["parser"]): r for r in module.run(shared_data)}
    legacy = rows[("citeParserTests.txt", "legacy")]
    assert legacy["cases"] > 100 and legacy["agree"] == legacy["cases"] and legacy["both"] > 0
    assert all(r["agree"] >= r["cases"] - 2 for r in rows.values())


def test_badges_and_summary_say_what_verification_did():
    from wikidiff.verify import BADGES, badge, summary

    audit = wikidiff.audit("", ENWIKI_WIKITEXT)
    assert all(badge(f) is None for f in audit.flags) and summary(audit.verification) is None
    out = reconcile(audit, ENWIKI_LEGACY, read_rendering(_legacy("")), how="test legacy", new_revid=9, old_revid=8)
    states = {f.fields.get("kind") or f.fields["name"]: badge(f) for f in out.flags if badge(f)}
    assert states == {"n1": "confirmed", "ghost": "rendered", "missing-url": "confirmed",
                      "CS1 maint: url-status": "rendered"}
    assert set(states.values()) <= set(BADGES)
    assert summary(out.verification) == ("Checked against revision 9 as rendered by the wiki, revision 8 for what "
                                         "the edit caused (test legacy): 2 confirmed, 2 added from the page.")
    gone = unavailable(audit, "action=parse", "revision 9 is hidden")
    assert badge(gone.flags[0]) == "unverified"
    assert summary(gone.verification) == "Not verified against the rendered page: revision 9 is hidden."


def test_reports_say_what_was_verified_and_how():
    from wikidiff.report import render

    audit = wikidiff.audit("", ENWIKI_WIKITEXT)
    out = reconcile(audit, ENWIKI_LEGACY, read_rendering(_legacy("")), how="action=parse (test)", new_revid=9,
                    old_revid=8)
    html = render(out, "html")
    assert html.count('class="wd-badge wd-verify-confirmed" title="action=parse (test)"') == 2
    assert html.count("wd-badge wd-verify-rendered") == 2
    assert '<p class="wd-verification">Checked against revision 9 as rendered by the wiki' in html
    md = render(out, "markdown")
    assert "| # | check | section | message | verified |" in md and "| seen only on the rendered page |" in md
    assert "- **Verified:** Checked against revision 9" in md
    wt = render(out, "wikitext")
    assert "! # !! Severity !! Check !! Section !! Details !! Verified" in wt
    assert "|| verified on the rendered page" in wt
    text = render(out, "text")
    assert "  verified: Checked against revision 9" in text and "[seen only on the rendered page]" in text
    assert json.loads(render(out, "json"))["verification"]["counts"] == {"confirmed": 2, "added": 2}
    # without verify the reports are as before: no column, no badge
    plain = render(audit, "markdown")
    assert "| verified |" not in plain and "**Verified:**" not in plain
    assert 'class="wd-badge' not in render(audit, "html")


def test_names_from_a_hostile_rendering_are_escaped_in_reports():
    from wikidiff.report import render

    html = _legacy('<li id="cite_note-x-1"><span class="reference-text"><span class="error mw-ext-cite-error" '
                   'lang="qqx">(cite_error: (cite_error_references_no_text: &lt;img src=x onerror=alert(1)&gt;))'
                   '</span></span></li>')
    out = reconcile(wikidiff.audit("", "Text."), read_rendering(html))
    (flag,) = out.flags
    assert flag.fields["name"] == "<img src=x onerror=alert(1)>"
    page = render(out, "html")
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page
