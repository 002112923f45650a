"""Unit tests for the cite layer: the ref index (what Cite's hooks receive) and Cite's page model (RefState)."""

from __future__ import annotations

import pytest

from wikidiff.cite.index import ref_index, refs_of
from wikidiff.cite.state import ref_state
from wikidiff.text.document import Document
from wikidiff.text.scan import scan


def _refs(text: str):
    return refs_of(Document.from_text(text))


@pytest.mark.parametrize(("text", "expected"), [
    # (kind, name, group, content, list_defined, via)
    ('A<ref name="a">Src.</ref>', [("definition", "a", "", "Src.", False, "tag")]),
    ("A<ref name=a />", [("invocation", "a", "", None, False, "tag")]),
    ('A<ref group="note">N.</ref>', [("definition", None, "note", "N.", False, "tag")]),
    # blank content on a named ref is a use
    ('A<ref name="a">  </ref>', [("invocation", "a", "", None, False, "tag")]),
    # a ref inside <references> is list-defined, in the list's group
    ('<references group="g">\n<ref name="x">X.</ref>\n</references>', [("definition", "x", "g", "X.", True, "tag")]),
    # {{#tag:ref|…}} is a ref
    ("A{{#tag:ref|Made by a parser function.|name=t}}",
     [("definition", "t", "", "Made by a parser function.", False, "#tag")]),
    # a ref inside a comment or nowiki does not exist
    ('<!-- <ref name="c">C</ref> --><nowiki><ref>N</ref></nowiki>', []),
])
def test_ref_index(text, expected):
    got = [(r.kind, r.name, r.group, r.content, r.list_defined, r.via) for r in _refs(text)]
    assert got == expected


def test_ref_offsets_are_the_whole_tag():
    text = 'Before <ref name="a">Source.</ref> after'
    (ref,) = _refs(text)
    assert text[ref.start:ref.end] == ref.raw == '<ref name="a">Source.</ref>'


def test_numeric_name_is_a_tag_error():
    (ref,) = _refs('A<ref name="12">X</ref>')
    assert ref.error == "cite_error_ref_numeric_key"


def test_reference_lists_are_indexed():
    index = ref_index(Document.from_text("A<ref>x</ref>\n== Notes ==\n{{reflist|group=note}}\n<references />"))
    assert [lst.group for lst in index.lists] == ["note", ""]
    assert index.has_references_list


def _state(text: str):
    return ref_state(Document.from_text(text))


def test_state_broken_and_defined():
    state = _state('A<ref name="a">Src.</ref> B<ref name="a"/> C<ref name="gone"/>')
    assert set(state.definitions) == {("", "a")}
    assert set(state.uses) == {("", "a"), ("", "gone")}
    assert set(state.broken) == {("", "gone")}


def test_state_defined_before_a_list_and_used_after_it_is_broken():
    state = _state('A<ref name="a">Src.</ref>\n<references />\nB<ref name="a"/>\n<references />')
    assert set(state.broken) == {("", "a")}


def test_state_duplicates_keep_both_contents():
    state = _state('A<ref name="d">One.</ref> B<ref name="d">Two.</ref> C<ref name="d">One.</ref>')
    assert [r.content for r in state.duplicates[("", "d")]] == ["One.", "Two."]


def test_state_unused_list_defined():
    state = _state('A<ref name="used"/>\n<references>\n<ref name="used">U.</ref>\n<ref name="spare">S.</ref>\n'
                   "</references>")
    assert set(state.unused_list_defined) == {("", "spare")}
    assert not state.broken


def test_state_groups_are_separate():
    state = _state('A<ref group="n" name="x">X.</ref> B<ref name="x"/>')
    assert set(state.broken) == {("", "x")}


def test_state_empty_ref():
    assert [r.error for r in _state("A<ref></ref>").empty] == ["cite_error_ref_no_input"]


def test_scan_and_index_agree_on_ref_count(seed_pair):
    for text in seed_pair:
        tags = [e for e in scan(text).elements if e.name == "ref"]
        refs = [r for r in refs_of(Document.from_text(text)) if r.via == "tag"]
        assert len(refs) == len(tags)


def test_every_tag_error_has_a_flag_message():
    from wikidiff.checks.refs import TAG_ERRORS
    from wikidiff.cite.state import EMPTY_ERRORS, TAG_ERROR_KEYS

    assert set(TAG_ERRORS) == TAG_ERROR_KEYS
    assert not EMPTY_ERRORS & TAG_ERROR_KEYS
