"""Unit tests for the diff layer: the word diff, section matching, the ref-URL normaliser and line blocks."""

from __future__ import annotations

import pytest

from wikidiff.diff import line_blocks, match_sections, normalize_url, ref_url, replacement_line, url_key, word_diff
from wikidiff.text.document import Document


def _check_offsets(old: str, new: str, ops, old_base: int = 0, new_base: int = 0) -> None:
    """Each op's text sits at its offsets, and the ops rebuild both texts."""
    for op in ops:
        if op.op != "insert":
            assert old[op.old_offset - old_base:op.old_offset - old_base + len(op.text)] == op.text
        if op.op != "delete":
            assert new[op.new_offset - new_base:op.new_offset - new_base + len(op.text)] == op.text
    assert "".join(o.text for o in ops if o.op != "insert") == old
    assert "".join(o.text for o in ops if o.op != "delete") == new


@pytest.mark.parametrize(("old", "new", "deleted", "inserted"), [
    ("The cat sat on the mat.", "The dog sat on the mat.", ["cat"], ["dog"]),
    ("Born in 1820.", "Born in 1822.", ["1820"], ["1822"]),
    ("One two three.", "One two three four.", [], [" four"]),
    ("Same.\n", "Same.\n", [], []),
    ("", "New text.", [], ["New text."]),
])
def test_word_diff_works_on_words(old, new, deleted, inserted):
    ops = word_diff(old, new)
    _check_offsets(old, new, ops)
    assert [o.text for o in ops if o.op == "delete"] == deleted
    assert [o.text for o in ops if o.op == "insert"] == inserted


def test_rewritten_paragraph_is_one_deletion_and_one_insertion():
    old = "Alpha beta gamma delta epsilon.\nKept line.\n"
    new = "Something else entirely, unrelated words.\nKept line.\n"
    ops = word_diff(old, new)
    _check_offsets(old, new, ops)
    assert [o.op for o in ops] == ["delete", "insert", "equal"]


def test_word_diff_offsets_are_shifted_by_the_bases():
    ops = word_diff("a b c", "a x c", old_base=100, new_base=200)
    _check_offsets("a b c", "a x c", ops, 100, 200)
    assert [(o.op, o.old_offset, o.new_offset) for o in ops if o.op != "equal"] == [
        ("delete", 102, 202), ("insert", 103, 202)]


def test_word_diff_on_the_seed_sections(seed_pair):
    old, new = (Document.from_text(t) for t in seed_pair)
    for o, n in match_sections(old, new):
        if o is not None and n is not None and o.body_digest != n.body_digest:
            a, b = old.text[o.body_start:o.end], new.text[n.body_start:n.end]
            _check_offsets(a, b, word_diff(a, b, o.body_start, n.body_start), o.body_start, n.body_start)


def _pairs(old: str, new: str) -> list[tuple[str | None, str | None]]:
    out = match_sections(Document.from_text(old), Document.from_text(new))
    return sorted(((o.heading if o else "-", n.heading if n else "-") for o, n in out), key=str)


BODY = "He was born in a small village and went to school in the nearby town.\n"


@pytest.mark.parametrize(("old", "new", "expected"), [
    # by heading path
    (f"L\n== A ==\n{BODY}", f"L\n== A ==\n{BODY}More.\n", [(None, None), ("A", "A")]),
    # renamed: the same body
    (f"L\n== A ==\n{BODY}", f"L\n== B ==\n{BODY}", [(None, None), ("A", "B")]),
    # moved under another parent: same heading and level
    (f"L\n== P ==\n=== A ===\n{BODY}== Q ==\nq\n", f"L\n== P ==\n== Q ==\nq\n=== A ===\n{BODY}",
     [(None, None), ("A", "A"), ("P", "P"), ("Q", "Q")]),
    # a new section and a removed one share nothing
    ("L\n== A ==\nold words here\n", "L\n== B ==\ncompletely different prose\n",
     [(None, None), ("-", "B"), ("A", "-")]),
    # renamed and edited: matched by content similarity
    (f"L\n== A ==\n{BODY}", f"L\n== B ==\n{BODY.replace('small', 'tiny')}", [(None, None), ("A", "B")]),
    # two sections of the same name pair in order
    ("L\n== N ==\none\n== N ==\ntwo\n", "L\n== N ==\none\n== N ==\ntwo!\n",
     [(None, None), ("N", "N"), ("N", "N")]),
])
def test_match_sections(old, new, expected):
    assert _pairs(old, new) == sorted(expected, key=str)


@pytest.mark.parametrize(("content", "url"), [
    ("{{cite web |url=https://www.Example.org/a/ |title=x}}", "//example.org/a"),
    ("See http://example.org/a.", "//example.org/a"),
    ("[https://example.org/page#section Page]", "//example.org/page"),
    ("{{cite web |archive-url=https://web.archive.org/web/2020/http://x.org/ |url=http://x.org/b}}", "//x.org/b"),
    ("[https://web.archive.org/web/1/http://x.org/ archived] http://x.org/live", "//x.org/live"),
    ("[//example.org/relative link]", "//example.org/relative"),
    ("https://example.org/search?q=1", "//example.org/search?q=1"),
    ("Smith 2001, p. 4.", None),
    ("a//b is not a URL", None),
    (None, None),
])
def test_url_key(content, url):
    assert url_key(content) == url


@pytest.mark.parametrize(("content", "url"), [
    ("{{cite web |url=https://www.Example.org/a/ |title=x}}", "https://www.Example.org/a/"),
    ("See http://example.org/a.", "http://example.org/a"),
    ("no URL", None),
])
def test_ref_url_is_the_url_as_written(content, url):
    assert ref_url(content) == url


def test_normalize_url_survives_a_bad_host():
    assert normalize_url("http://[::1") == "http://[::1"


def test_line_blocks_and_replacement_line():
    old = "Intro.\nThe old sentence {{citation needed}}.\nOutro.\n"
    new = "Intro.\nThe new sentence, with a source.\nOutro.\n"
    blocks = line_blocks(old, new)
    assert [([t for _, t in o], [t for _, t in n]) for o, n in blocks] == [
        (["The old sentence {{citation needed}}.\n"], ["The new sentence, with a source.\n"])]
    at, line = replacement_line(blocks, old.index("{{citation"))
    assert (at, line) == (new.index("The new"), "The new sentence, with a source.\n")
    assert replacement_line(blocks, 0) is None  # an unchanged line has no replacement
