"""Conformance of the named-ref checker with MediaWiki's own Cite parser tests (../shared/data/cite-parsertests:
citeParserTests.txt and subReferencingTests.txt).

For each parser test the Cite errors wikidiff finds in its wikitext (an audit from an empty page, flags mapped back
to Cite's error keys) must be the set MediaWiki's expected HTML shows, as (error key, ref name) pairs, for the
errors wikidiff reports. The expectation is the legacy parser's HTML when the test has one (what readers are
served), Parsoid's otherwise. A few tests are left out, each for a stated reason. Run with `-s` to see the tally.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from cite_parsertests import ParserTest, cite_errors, read_parser_tests, unrecognised_legacy_errors

import wikidiff

#: the Cite errors wikidiff reports, and whether Cite names the ref in the message
COMPARED = {
    "cite_error_references_no_text": True,  # broken-ref
    "cite_error_references_duplicate_key": True,  # duplicate-ref
    "cite_error_references_missing_key": True,  # unused-ref
    "cite_error_ref_no_input": False,  # empty-ref
    "cite_error_ref_no_key": False,  # empty-ref
    "cite_error_ref_numeric_key": False,  # ref-error, and the rest too
    "cite_error_included_ref": False,
    "cite_error_ref_follow_conflicts": False,
    "cite_error_details_missing_parent": False,
    "cite_error_references_no_key": False,
    "cite_error_empty_references_define": True,
}
_NAMED_FLAGS = {
    "broken-ref": "cite_error_references_no_text",
    "duplicate-ref": "cite_error_references_duplicate_key",
    "unused-ref": "cite_error_references_missing_key",
}

#: per file, the parser tests left out of the comparison, with the reason
EXCLUDED = {
    "citeParserTests.txt": {
        "T242437 - Nested references edge case, outer tag function with LDR":
            "a <references /> nested in {{#tag:references}}: the legacy parser's rollback of already-parsed refs "
            "reports foo as unused, Parsoid reports nothing (wikidiff agrees with Parsoid)",
        "Ref: 14. A nested ref-tag should be emitted as plain text":
            "Parsoid-only expectation; Parsoid has no cite_error_included_ref check, the legacy parser (which "
            "wikidiff follows) rejects <ref>foo <ref>bar</ref> as a ref whose closing tag is missing",
        "Ref in ref: nested in top level ref":
            "needs template expansion: {{refinref}} puts a <ref> inside a ref's content, which the legacy parser "
            "reports as a nameless list-defined ref",
        "CircularRef":
            "needs template expansion: {{CircularRef}} transcludes itself inside a <ref> (same legacy-parser report)",
    },
    "subReferencingTests.txt": {
        "There is no such thing as a list-defined sub-ref (completely unused)":
            "the legacy parser shows only the first error of a list-defined ref (details= is unsupported there) "
            "and so hides that book is unused; Parsoid reports it, as wikidiff does",
        "Rolling back a sub-reference inside the #tag:references function":
            "the same first-error-only display of the legacy parser hides that b is unused; Parsoid reports it",
    },
}
MAX_EXCLUDED = 5  # per file


def wikidiff_errors(wikitext: str) -> set[tuple[str, str | None]]:
    """The Cite errors wikidiff reports for a page that is `wikitext`, as (key, ref name or None)."""
    found: set[tuple[str, str | None]] = set()
    for flag in wikidiff.audit("", wikitext).flags:
        if flag.code in _NAMED_FLAGS:
            found.add((_NAMED_FLAGS[flag.code], flag.fields["name"]))
        elif flag.code in ("empty-ref", "ref-error"):
            key = flag.fields["cite_error"]
            found.add((key, flag.fields.get("name") if COMPARED[key] else None))
    return found


def expected_errors(test: ParserTest) -> set[tuple[str, str | None]] | None:
    """What MediaWiki shows for the compared kinds; None when the test has no wikitext-to-HTML expectation."""
    html = test.output("php")
    if html is None:
        html = test.output("parsoid")
    if html is None:
        return None
    return {(key, param if COMPARED[key] else None) for key, param in cite_errors(html) if key in COMPARED}


FILES = sorted(EXCLUDED)


def _read(shared_data: Path, file: str) -> list[ParserTest]:
    return read_parser_tests(shared_data / "cite-parsertests" / file)


def test_reader_finds_the_tests_and_errors_the_data_describes(shared_data):
    """SOURCE.md states how many tests each file holds and how many of Cite's expect an error; the reader agrees."""
    source = (shared_data / "cite-parsertests" / "SOURCE.md").read_text(encoding="utf-8")
    cite_tests = _read(shared_data, "citeParserTests.txt")
    total = int(re.search(r"(\d+)\s+parser\s+tests", source).group(1))
    with_errors = int(re.search(r"(\d+)\s+of\s+them\s+expect\s+a\s+Cite\s+error", source).group(1))
    assert len(cite_tests) == total
    assert all(t.name and t.wikitext for t in cite_tests)
    expecting = [t for t in cite_tests
                 if any(cite_errors(t.sections[s], legacy=False) for s in t.sections if s.startswith("html"))]
    assert len(expecting) == with_errors
    subref_total = int(re.search(r"(\d+)\s+tests\s+of\s+sub-referencing", source).group(1))
    assert len(_read(shared_data, "subReferencingTests.txt")) == subref_total


@pytest.mark.parametrize("file", FILES)
def test_reader_recognises_every_legacy_error_message(shared_data, file):
    """A compared error in the legacy HTML must not go unseen because its English text was not recognised."""
    unknown = [(t.name, u) for t in _read(shared_data, file) for section in ("html/php", "html")
               if section in t.sections for u in unrecognised_legacy_errors(t.sections[section])]
    assert not unknown


@pytest.mark.parametrize("file", FILES)
def test_exclusions_are_few_named_and_still_needed(shared_data, file):
    by_name = {t.name: t for t in _read(shared_data, file)}
    assert len(EXCLUDED[file]) <= MAX_EXCLUDED
    for name, reason in EXCLUDED[file].items():
        assert name in by_name, f"excluded test {name!r} is not in {file}"
        assert reason
        # an excluded test that now agrees must come back into the comparison
        assert wikidiff_errors(by_name[name].wikitext) != expected_errors(by_name[name]), f"{name!r} agrees now"


@pytest.mark.parametrize("file", FILES)
def test_named_ref_checker_agrees_with_mediawiki(shared_data, file):
    with_errors = [0, 0]  # agreeing, compared
    error_free = [0, 0]
    no_expectation = 0
    disagreements = []
    for test in _read(shared_data, file):
        if test.name in EXCLUDED[file]:
            continue
        expected = expected_errors(test)
        if expected is None:
            no_expectation += 1
            continue
        actual = wikidiff_errors(test.wikitext)
        tally = with_errors if expected else error_free
        tally[1] += 1
        if actual == expected:
            tally[0] += 1
        else:
            disagreements.append(f"line {test.line} {test.name!r}: MediaWiki {sorted(expected, key=str)}, "
                                 f"wikidiff {sorted(actual, key=str)}")
    print(f"\ncite conformance ({file}): {with_errors[0]}/{with_errors[1]} tests with errors agree, "
          f"{error_free[0]}/{error_free[1]} tests without (of the {len(COMPARED)} kinds compared) agree "
          f"({len(EXCLUDED[file])} excluded, {no_expectation} without a wikitext-to-HTML expectation)")
    assert with_errors[1] > 0 and error_free[1] > 0
    assert not disagreements, "\n".join(disagreements)
