"""The rendered-HTML reader (wikidiff.sources.rendered) against Cite's own parser tests, and on real-shaped pages.

Ground truth: the expected HTML of every test in ../shared/data/cite-parsertests. The oracle is
`cite_parsertests.cite_errors`, which reads the keys Parsoid states and, for the legacy parser's HTML, the English
message text (a test's oracle only: the reader itself never reads message text). Run with `-s` to see the tallies.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from cite_parsertests import cite_errors, read_parser_tests

from wikidiff.sources.rendered import NAMED_KEYS, NO_TEXT, name_from_note_id, name_from_ref_id, read_rendering

FILES = ["citeParserTests.txt", "subReferencingTests.txt"]


def _tests(shared_data: Path, file: str):
    return read_parser_tests(shared_data / "cite-parsertests" / file)


def _keyed(pairs) -> set[tuple[str, str | None]]:
    return {(key, name if key in NAMED_KEYS else None) for key, name in pairs}


@pytest.mark.parametrize("file", FILES)
def test_parsoid_errors_read_by_key_agree_with_the_expected_html(shared_data, file):
    agree = compared = with_errors = 0
    disagreements = []
    for test in _tests(shared_data, file):
        html = test.output("parsoid")
        if html is None:
            continue
        expected = _keyed(cite_errors(html, legacy=False))
        rendering = read_rendering(html)
        actual = _keyed((e.key, e.name) for e in rendering.cite_errors())
        compared += 1
        with_errors += bool(expected)
        if actual == expected:
            agree += 1
        else:
            disagreements.append(f"line {test.line} {test.name!r}: expected {sorted(expected, key=str)}, "
                                 f"read {sorted(actual, key=str)}")
        assert rendering.keys_known
    print(f"\nrendered reader, Parsoid HTML ({file}): {agree}/{compared} tests agree "
          f"({with_errors} of them expect a Cite error)")
    assert with_errors > 0
    assert not disagreements, "\n".join(disagreements)


@pytest.mark.parametrize("file", FILES)
def test_legacy_html_broken_names_read_from_structure(shared_data, file):
    """Legacy HTML names no key: an invoked-but-undefined name is read from its references-list item alone, every
    other error is seen as an error of unknown key (as many as the HTML shows), and no other key is guessed.

    Sub-referencing (details=, behind $wgCiteSubReferencing, not deployed on Wikipedia) renders a main ref's list
    item without an id in the legacy parser, so no name can be read there: those tests count for the errors but
    not for the names."""
    broken_agree = count_agree = compared = names_compared = broken_cases = 0
    disagreements = []
    for test in _tests(shared_data, file):
        html = test.output("php")
        if html is None:
            continue
        expected = cite_errors(html)
        rendering = read_rendering(html)
        assert rendering.parser == "legacy"
        compared += 1
        expected_broken = {name for key, name in expected if key == NO_TEXT}
        read_broken = {e.name for e in rendering.cite_errors(NO_TEXT)}
        if "wgCiteSubReferencing" not in test.sections.get("config", ""):
            names_compared += 1
            broken_cases += bool(expected_broken)
            if read_broken == expected_broken:
                broken_agree += 1
            else:
                disagreements.append(f"line {test.line} {test.name!r}: broken {sorted(expected_broken)}, "
                                     f"read {sorted(read_broken)}")
        shown = html.count("Cite error: ")
        if shown == len(rendering.cite_errors()):
            count_agree += 1
        else:
            disagreements.append(f"line {test.line} {test.name!r}: {shown} errors shown, read "
                                 f"{[e.to_dict() for e in rendering.cite_errors()]}")
        assert all(e.key in (None, NO_TEXT) for e in rendering.cite_errors()), test.name
    print(f"\nrendered reader, legacy HTML ({file}): broken names agree in {broken_agree}/{names_compared} tests "
          f"({broken_cases} with a broken name), error count in {count_agree}/{compared} (names not compared in "
          f"{compared - names_compared} sub-referencing tests)")
    assert compared > 0
    assert not disagreements, "\n".join(disagreements)


def test_ids_give_names_back():
    assert name_from_note_id("cite_note-bar-3") == "bar"
    assert name_from_note_id("cite_note-Smith_2001-12") == "Smith 2001"
    assert name_from_note_id("cite_note-a-b-7") == "a-b"
    assert name_from_note_id("cite_note-4") is None
    assert name_from_ref_id("cite_ref-bar_3-0") == "bar"
    assert name_from_ref_id("cite_ref-Smith_2001_12-1") == "Smith 2001"
    assert name_from_ref_id("cite_ref-4") is None


# Real-shaped pages: an English Wikipedia legacy rendering (action=parse, formatversion=2) with a template-defined
# ref, an invoked-but-undefined name in a notes group, and CS1 errors and maintenance messages.
ENWIKI_LEGACY = (Path(__file__).parent / "fixtures" / "rendered" / "enwiki-legacy.html").read_text(encoding="utf-8")


def test_enwiki_legacy_page_broken_names_groups_and_cs1_errors():
    r = read_rendering(ENWIKI_LEGACY)
    assert r.parser == "legacy" and r.cite_markup
    assert r.broken_names() == {("n1", "note"), ("ghost", "")}
    broken = {e.name: e for e in r.cite_errors(NO_TEXT)}
    assert broken["ghost"].anchor == "cite_note-ghost-2" and broken["ghost"].key_from == "structure"
    assert {"Smith 2001", "ghost", "n1"} <= r.ref_names
    cs1 = [e for e in r.errors if e.family == "cs1"]
    assert [(e.key, e.severity, e.name, e.template) for e in cs1] == [
        ("cite_web_url", "error", "Smith 2001", "cite web"),
        ("CS1 maint: url-status", "maint", "Smith 2001", "cite web"),
    ]


def test_a_reference_with_content_and_an_error_is_not_read_as_broken():
    """A duplicate definition shows its content and then the error: not an invoked-but-undefined name."""
    html = ('<div class="mw-references-wrap"><ol class="references"><li id="cite_note-a-1"><span '
            'class="mw-cite-backlink">^</span> <span class="reference-text">abc <span class="error '
            'mw-ext-cite-error">Fehler: anders</span></span></li></ol></div>')
    r = read_rendering(html)
    assert [(e.key, e.name, e.where) for e in r.errors] == [(None, "a", "references")]
    assert not r.keys_known


def test_qqx_rendering_carries_the_keys():
    """With uselang=qqx the legacy parser writes message keys, not text: every error is then read by key."""
    html = ('<p>Bla.<span class="error mw-ext-cite-error" lang="qqx" dir="ltr">(cite_error: (cite_error_ref_no_input))'
            '</span></p><div class="mw-references-wrap"><ol class="references"><li id="cite_note-a-1"><span '
            'class="reference-text">abc <span class="error mw-ext-cite-error" lang="qqx" dir="ltr">(cite_error: '
            '(cite_error_references_duplicate_key: a))</span></span></li><li id="cite_note-b_c-2"><span '
            'class="reference-text"><span class="error mw-ext-cite-error" lang="qqx" dir="ltr">(cite_error: '
            '(cite_error_references_no_text: b c))</span></span></li></ol></div>')
    r = read_rendering(html)
    assert r.keys_known
    assert [(e.key, e.name, e.where, e.key_from) for e in r.errors] == [
        ("cite_error_ref_no_input", None, "body", "qqx"),
        ("cite_error_references_duplicate_key", "a", "references", "qqx"),
        ("cite_error_references_no_text", "b c", "references", "qqx"),
    ]


def test_a_warning_is_read_by_its_class():
    html = '<p><span class="warning mw-ext-cite-warning mw-ext-cite-warning-void_paragraph">…</span></p>'
    (e,) = read_rendering(html).errors
    assert (e.key, e.severity, e.key_from) == ("cite_warning_void_paragraph", "warning", "class")


def test_a_page_without_cite_markup_says_so():
    r = read_rendering("<div class='mw-parser-output'><p>Plain text, no refs.</p></div>")
    assert not r.cite_markup and not r.errors
    assert read_rendering("<p>x<sup id='cite_ref-1' class='reference'><a href='#cite_note-1'>[1]</a></sup>"
                          "</p>").cite_markup


def test_parsoid_errors_of_other_extensions_are_not_cite_errors():
    html = ('<figure typeof="mw:Error mw:File" data-mw=\'{"errors":[{"key":"apierror-filedoesnotexist",'
            '"message":"This image does not exist."}]}\'><span>File:X.jpg</span></figure>')
    assert read_rendering(html).errors == []


def test_malformed_html_and_bad_json_do_not_break_the_reader():
    html = ('<sup typeof="mw:Extension/ref mw:Error" data-mw=\'{not json\'><a>[1]</a>'
            '<div><span class="error mw-ext-cite-error">x</div></span></li></ol><p>')
    r = read_rendering(html)
    assert [(e.key, e.where) for e in r.errors] == [(None, "body")]
