"""Unit tests for the text layer: the lexical scan (comments and extension tags) and the brace reader."""

from __future__ import annotations

import re

import pytest

from wikidiff.text.braces import find_templates, template_spans
from wikidiff.text.scan import parse_attributes, scan, strip_comments

# (wikitext, [(element name, its text)]) as MediaWiki's preprocessor finds them
SCAN_CASES = [
    ("a<!-- c -->b", [("!--", "<!-- c -->")]),
    ('x<ref name="a">A</ref>y', [("ref", '<ref name="a">A</ref>')]),
    ("x<ref name=a/>y", [("ref", "<ref name=a/>")]),
    ("x<REF>upper</REF>", [("ref", "<REF>upper</REF>")]),
    # an opening tag with no closing tag is text
    ("x<ref>never closed", []),
    # inside <nowiki> nothing is a tag
    ("<nowiki><ref>A</ref></nowiki>", [("nowiki", "<nowiki><ref>A</ref></nowiki>")]),
    # a ref's content runs to the first </ref>
    ("<ref>A <ref>B</ref> C</ref>", [("ref", "<ref>A <ref>B</ref>")]),
    # <!-- with no --> comments out the rest of the page
    ("a<!-- open <ref>A</ref>", [("!--", "<!-- open <ref>A</ref>")]),
    # the tag name must end: <references> is not <ref>, <refx> is nothing
    ("<refx>A</refx>", []),
    ("<references/>", [("references", "<references/>")]),
]


@pytest.mark.parametrize(("text", "expected"), SCAN_CASES)
def test_scan_finds_tags_as_the_preprocessor(text, expected):
    sc = scan(text)
    assert [(e.name, text[e.start:e.end]) for e in sc.elements if e.depth == 0] == expected


def test_refs_inside_references_are_nested():
    text = '<references>\n<ref name="a">A</ref>\n</references>'
    sc = scan(text)
    (ref,) = [e for e in sc.elements if e.name == "ref"]
    assert (ref.depth, ref.parent, text[ref.inner_start:ref.inner_end]) == (1, "references", "A")


def test_opaque_spans():
    text = "a<!--b-->c<nowiki>d</nowiki>e"
    sc = scan(text)
    assert [text[i] for i in range(len(text)) if not sc.is_opaque(i)] == ["a", "c", "e"]
    assert sc.next_opaque_end(text.index("<!--")) == text.index("c")
    assert sc.next_opaque_end(0) == 0


@pytest.mark.parametrize(("attrs", "expected"), [
    ('name="a b"', {"name": "a b"}),
    ("name='q'", {"name": "q"}),
    ("name=bare group=g", {"name": "bare", "group": "g"}),
    ('NAME="  spaced   out "', {"name": "spaced out"}),
    ('name="a&amp;b"', {"name": "a&b"}),
    ('name="first" name="last"', {"name": "last"}),
    ("", {}),
])
def test_parse_attributes_like_the_sanitizer(attrs, expected):
    assert parse_attributes(attrs) == expected


def test_strip_comments():
    assert strip_comments("a<!-- x -->b<!-- y") == "ab"


_ANY = re.compile(r"\{\{(?!\s*[#{])")


def _calls(text: str):
    return list(find_templates(scan(text), _ANY))


def test_template_name_args_and_value_spans():
    text = "x {{Infobox person | name = Ada | image=Ada.jpg |born}} y"
    (call,) = _calls(text)
    assert call.name == "Infobox person"
    assert text[call.start:call.end] == "{{Infobox person | name = Ada | image=Ada.jpg |born}}"
    assert call.args == {"name": "Ada", "image": "Ada.jpg", "1": "born"}  # named values are trimmed
    assert text[slice(*call.arg_spans["image"])] == "Ada.jpg "
    assert text[slice(*call.arg_spans["1"])] == "born"


def test_nested_templates_and_links_do_not_split_arguments():
    text = "{{outer|a={{inner|x|y}}|b=[[Page|label]]}}"
    calls = {c.name: c for c in _calls(text)}
    assert set(calls) == {"outer", "inner"}
    assert calls["outer"].args == {"a": "{{inner|x|y}}", "b": "[[Page|label]]"}


@pytest.mark.parametrize("text", [
    "{{never closed|a=1",  # unclosed: not a template
    "<nowiki>{{quoted}}</nowiki>",  # inside nowiki: text
    "<!-- {{commented}} -->",
])
def test_what_is_not_a_template_call(text):
    assert _calls(text) == []


def test_template_spans_are_outermost():
    text = "a {{x|{{y}}}} b {{z}}"
    assert [text[s:e] for s, e in template_spans(scan(text), 0, len(text))] == ["{{x|{{y}}}}", "{{z}}"]


def test_a_text_memo_holds_at_most_its_characters():
    from wikidiff.text.memo import TextMemo

    memo: TextMemo[int] = TextMemo(100)
    assert memo.put("a" * 20, 1, 20) == 1 and memo.get("a" * 20) == 1
    assert memo.put("b" * 26, 2, 26) == 2 and memo.get("b" * 26) is None  # over a quarter: answered, not kept
    memo.put("c" * 25, 3, 25)
    memo.put("d" * 25, 4, 25)
    assert len(memo) == 3 and memo.held == 70
    memo.put("e" * 25, 5, 25)
    memo.put("f" * 25, 6, 25)  # would pass 100: the memo starts afresh with it
    assert len(memo) == 1 and memo.held == 25 and memo.get("f" * 25) == 6 and memo.get("a" * 20) is None
