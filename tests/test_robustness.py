"""Hostile and degenerate wikitext: deep nesting, unclosed constructs, huge pages, junk characters, empty and
identical revisions. Each test checks what the audit finds (the flag that must still fire, the section that must
not appear), and every result passes the invariants of test_corpus.audit_problems.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from test_corpus import audit_problems

import wikidiff
from wikidiff.text.braces import template_spans
from wikidiff.text.document import Document

ROOT = Path(__file__).resolve().parents[1]
DEPTH = 5000
CN = "{{citation needed|date=May 2020}}"


def audit(old: str, new: str) -> wikidiff.Audit:
    result = wikidiff.audit(old, new)
    problems = audit_problems(result)
    assert not problems, problems
    return result


def flags(result: wikidiff.Audit, code: str) -> list[wikidiff.Flag]:
    return [f for f in result.flags if f.code == code]


def infobox(image: str, caption: str) -> str:
    return f"{{{{Infobox river\n| name = Mill River\n| image = {image}\n| caption = {caption}\n}}}}\n"


# ---- deep nesting -------------------------------------------------------------------------------------------

def test_deeply_nested_templates_are_read_to_the_end():
    nest = "{{a|" * DEPTH + "x" + "}}" * DEPTH
    old = "Lead.\n" + nest + "\nThe river is long.\n"
    new = "Lead.\n" + nest + "\nThe river is long." + CN + "\n"
    result = audit(old, new)
    [tag] = flags(result, "tag-added")
    assert tag.fields["tag"] == "citation needed" and tag.new_offset == new.index(CN)
    assert len(result.flags) == 1
    doc = Document.from_text(new)
    assert template_spans(doc.scan, 0, len(new)) == [(6, 6 + len(nest)), (new.index(CN), new.index(CN) + len(CN))]


def test_an_infobox_at_the_bottom_of_deep_nesting_is_still_compared():
    def page(image: str, caption: str) -> str:
        return "{{a|" * DEPTH + infobox(image, caption) + "}}" * DEPTH + "\nText.\n"

    result = audit(page("Mill A.jpg", "The mill in 1900"), page("Mill B.jpg", "The mill in 2000"))
    [swap] = result.flags
    assert swap.code == "image-caption-swap"
    assert (swap.fields["old"], swap.fields["new"]) == ("Mill A.jpg", "Mill B.jpg")
    assert (swap.fields["old_caption"], swap.fields["new_caption"]) == ("The mill in 1900", "The mill in 2000")


def test_deeply_nested_links_do_not_hide_refs_or_tags():
    links = "[[" * DEPTH + "x" + "]]" * DEPTH
    old = links + "\nText.<ref name=a>Source</ref> More.<ref name=a/>\n"
    new = links + "\nText. More.<ref name=a/>" + CN + "\n"
    result = audit(old, new)
    assert sorted(f.code for f in result.flags) == ["broken-ref", "tag-added"]
    [broken] = flags(result, "broken-ref")
    assert broken.fields["name"] == "a" and broken.fields["caused_by_edit"] is True
    assert broken.fields["suggestion"] == "<ref name=a>Source</ref>"


def test_nested_tables_inside_and_outside_refs():
    tables = "{|\n|\n" * DEPTH + "cell\n" + "|}\n" * DEPTH
    old = "Text.\n" + tables
    new = "Text." + CN + "\n" + tables + "More.<ref name=q/><ref>" + tables + "{{cite web|url=https://x.example/}}</ref>\n"
    result = audit(old, new)
    assert sorted(f.code for f in result.flags) == ["broken-ref", "citation-error", "tag-added"]
    assert flags(result, "citation-error")[0].fields["kind"] == "missing-title"  # the cite after the tables
    assert flags(result, "broken-ref")[0].fields["name"] == "q"


def test_ten_thousand_unclosed_braces_are_text():
    new = "{{" * 10_000 + "\nThe river." + CN + "<ref name=a/>\n"
    result = audit("Intro.\n", new)
    assert sorted(f.code for f in result.flags) == ["broken-ref", "tag-added"]
    assert flags(result, "tag-added")[0].new_offset == new.index(CN)
    doc = Document.from_text(new)
    assert template_spans(doc.scan, 0, len(new)) == [(new.index(CN), new.index(CN) + len(CN))]


def test_a_stray_brace_before_a_template_does_not_hide_it():
    """Three opening braces and two closing ones make a template and a literal `{` (`{{{!}}` is `{` + `{{!}}`)."""
    new = "Text {" + CN + ".\n{{{!}} class=wikitable\n| cell\n|}\n"
    result = audit("Text.\n{{{!}} class=wikitable\n| cell\n|}\n", new)
    assert [(f.code, f.new_offset) for f in result.flags] == [("tag-added", new.index(CN))]


def test_a_thousand_links_in_one_ref():
    """The same link 1000 times in one ref: mwedittypes 3.1.0 raises RecursionError on this shape."""
    content = "[[Mill]] " * 1000 + "{{cite web|url=https://x.example/}}"
    new = f"Text.<ref name=links>{content}</ref> More.<ref name=links/>\n"
    result = audit("Text.\n", new)
    [added] = result.references
    assert added.change == "added" and added.new.content == content
    assert [f.code for f in result.flags] == ["citation-error"]  # the cite lacks a title; no broken ref
    assert result.flags[0].fields["name"] == "links"


# ---- unclosed constructs ------------------------------------------------------------------------------------

def test_an_unclosed_ref_defines_nothing():
    """`<ref>` without `</ref>` is plain text to Cite (cite_error_included_ref), so the name stays undefined."""
    result = audit("A.<ref name=a>Source</ref> B.<ref name=a/>\n", "A.<ref name=a>Source B.<ref name=a/>\n")
    [broken] = result.flags
    assert broken.code == "broken-ref" and broken.fields["name"] == "a" and broken.fields["caused_by_edit"]


def test_text_after_an_unclosed_ref_is_still_read():
    new = "A.<ref name=a>Source\n\nLater text." + CN + "\n"
    result = audit("A.\n\nLater text.\n", new)
    assert [f.code for f in result.flags] == ["tag-added"]


def test_an_unclosed_template_does_not_swallow_the_page():
    old = "{{Infobox river|image=A.jpg}}\n\nText.\n"
    new = "{{Infobox river|image=A.jpg\n\nText." + CN + "\n"
    result = audit(old, new)
    # the infobox is plain text now, so its image is no longer shown (as MediaWiki renders it)
    assert [(f.code, f.new_offset) for f in result.flags] == [("image-removed", None), ("tag-added", new.index(CN))]


def test_an_unclosed_comment_hides_the_rest_of_the_page():
    old = "== A ==\nText.\n"
    new = "== A ==\nText.<!-- note\n== Hidden ==\n" + CN + "<ref name=zz/>\n"
    result = audit(old, new)
    assert result.flags == []
    assert [s.heading for s in result.new.sections] == [None, "A"]
    assert [c.change for c in result.sections] == ["modified"]


def test_an_unclosed_italic_inside_a_template_hides_nothing():
    """mwparserfromhell pitfall: an unclosed '' can swallow later templates; the image check must still see the
    infobox, and the citation check must still see a cite template after the '' in a ref."""
    old = ("{{Infobox person\n| name = X\n| note = {{foo|''bar}}\n| image = A.jpg\n| caption = Old\n}}\n"
           "Text.\n")
    new = old.replace("A.jpg", "B.jpg").replace("Old", "New") + "More.<ref>''Title {{cite web|url=https://x.example/}}</ref>\n"
    result = audit(old, new)
    assert sorted(f.code for f in result.flags) == ["citation-error", "image-caption-swap"]
    [swap] = flags(result, "image-caption-swap")
    assert (swap.fields["old"], swap.fields["new"]) == ("A.jpg", "B.jpg")
    assert flags(result, "citation-error")[0].fields["kind"] == "missing-title"


# ---- huge pages ---------------------------------------------------------------------------------------------

WORDS = ("the", "mill", "river", "council", "built", "old", "north", "market", "[[Bridge]]", "road", "in", "of")


def big_page(paragraphs: int, section_every: int | None) -> str:
    out = [infobox("Mill A.jpg", "The mill in 1900"), "'''Mill River''' is a river.<ref name=lead>Atlas</ref>\n\n"]
    for i in range(paragraphs):
        if section_every and i % section_every == 0:
            out.append(f"== Part {i // section_every} ==\n")
        words = " ".join(WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(30))
        tag = CN if i % 10 == 0 else ""
        out.append(f"Paragraph {i} says {words} in {1800 + i % 200}.{tag}"
                   f"<ref name=p{i}>{{{{cite news|url=https://news.example/{i}|title=Story {i}|date=2020}}}}</ref>\n\n")
    return "".join(out)


def edit_big_page(old: str, paragraphs: int, every: int) -> tuple[str, int]:
    """Remove the tag of every `every`-th paragraph, swap the infobox image and caption, invoke an undefined ref
    at the very end. Returns the new text and the number of tags removed."""
    new = old.replace(infobox("Mill A.jpg", "The mill in 1900"), infobox("Mill B.jpg", "The mill in 2000"))
    removed = 0
    for i in range(0, paragraphs, every):
        head = f"Paragraph {i} says "
        at = new.index(head)
        tag_at = new.index(CN, at)
        new = new[:tag_at] + new[tag_at + len(CN):]
        removed += 1
    return new.rstrip("\n") + " Also.<ref name=missing/>\n", removed


def check_big_edit(old: str, new: str, removed: int) -> wikidiff.Audit:
    result = audit(old, new)
    assert len(flags(result, "tag-removed")) == removed
    [broken] = flags(result, "broken-ref")
    assert broken.fields["name"] == "missing" and broken.new_offset == new.index("<ref name=missing/>")
    assert len(flags(result, "image-caption-swap")) == 1
    assert result.summary["refs_added"] == result.summary["refs_removed"] == 0
    return result


def test_a_three_megabyte_page_with_sections():
    old = big_page(12_000, section_every=25)
    assert len(old) > 3_000_000
    new, removed = edit_big_page(old, 12_000, every=100)
    result = check_big_edit(old, new, removed)
    assert result.summary["sections_modified"] == removed + 2  # the lead (infobox) and the last section too
    assert flags(result, "broken-ref")[0].section == "Part 479"


def test_a_one_megabyte_section_with_scattered_edits():
    old = big_page(4_000, section_every=None)
    assert len(old) > 1_000_000 and len(Document.from_text(old).sections) == 1
    new, removed = edit_big_page(old, 4_000, every=20)
    result = check_big_edit(old, new, removed)
    assert [c.change for c in result.sections] == ["modified"]


# ---- junk characters ----------------------------------------------------------------------------------------

JUNK = ("".join(chr(c) for c in range(32)) + "\x7f\x80\x9f\ufeff\ufffe\uffff\ud800\udfff"
        + b"\xff\xfe\x80".decode("utf-8", "surrogateescape"))


def test_control_characters_and_lone_surrogates():
    old = "== A ==\nText " + JUNK + ".\n"
    new = "== A ==\nText " + JUNK + " more." + CN + "\n== B ==\n" + JUNK
    result = audit(old, new)
    assert [f.code for f in result.flags] == ["tag-added"]
    assert [(c.change, c.new.heading) for c in result.sections] == [("modified", "A"), ("added", "B")]
    assert [(op.op, op.text) for op in result.sections[1].ops] == [("insert", "== B ==\n" + JUNK)]
    assert JUNK[-3:] in result.to_json()


def test_every_byte_value_as_text():
    data = bytes(range(256)) * 40
    result = audit(data.decode("utf-8", "surrogateescape"), (data[::-1] + data).decode("utf-8", "surrogateescape"))
    assert result.flags == [] and [c.change for c in result.sections] == ["modified"]


def test_binary_file_is_refused_with_one_line(tmp_path):
    binary, text = tmp_path / "old.wiki", tmp_path / "new.wiki"
    binary.write_bytes(b"\x00\x01\x02PNG" * 100)
    text.write_text("Text.\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "wikidiff", "audit", str(binary), str(text)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("wikidiff: error: ") and proc.stderr.count("\n") == 1
    assert "binary" in proc.stderr


# ---- empty, identical, headings only, CRLF ------------------------------------------------------------------

PAGE = (infobox("Mill A.jpg", "The mill in 1900") + "'''Mill River''' is a river.<ref name=a>Atlas</ref>\n"
        "== History ==\nBuilt in 1900." + CN + "<ref name=a/>\n== Notes ==\n{{reflist}}\n")


def test_page_creation():
    new = "== A ==\nText.<ref name=a/>\n"
    result = audit("", new)
    assert [(c.change, c.new.heading) for c in result.sections] == [("added", "A")]
    [broken] = result.flags
    assert broken.code == "broken-ref" and broken.fields["caused_by_edit"] is True
    assert result.summary["bytes_added"] == len(new) and result.summary["bytes_removed"] == 0


def test_page_blanking():
    result = audit(PAGE, "")
    assert sorted((c.change, c.old.heading) for c in result.sections) == [
        ("modified", None), ("removed", "History"), ("removed", "Notes")]
    assert [(r.change, r.name) for r in result.references] == [("removed", "a")]
    assert [f.code for f in result.flags] == ["image-removed", "tag-removed"]  # the lead lost its infobox's image
    assert result.summary["bytes_removed"] == len(PAGE) and result.summary["size_change"] == -len(PAGE)


def test_both_revisions_empty():
    result = audit("", "")
    assert (result.sections, result.references, result.flags) == ([], [], [])


def test_identical_revisions():
    result = audit(PAGE, PAGE)
    assert (result.sections, result.references, result.flags) == ([], [], [])
    assert result.summary["identical"] is True


def test_identical_revisions_with_a_problem_already_there():
    """A null edit causes nothing: a broken ref already in the page is reported as such, never as an error."""
    page = PAGE.replace("<ref name=a>Atlas</ref>", "<ref name=a/>")
    result = audit(page, page)
    assert result.sections == [] and result.references == []
    assert [(f.code, f.severity, f.fields["caused_by_edit"]) for f in result.flags] == [
        ("broken-ref", "warning", False)]


def test_a_page_of_headings_only():
    old = "== A ==\n== B ==\n=== B1 ===\n"
    result = audit(old, "== A ==\n=== A1 ===\n== B ==\n=== B1 ===\n")
    assert [(c.change, c.new.path) for c in result.sections] == [("added", ("A", "A1"))]
    assert result.flags == []
    renamed = audit(old, "== A ==\n== C ==\n=== B1 ===\n")
    assert [(c.change, c.old.heading, c.new.heading) for c in renamed.sections] == [("renamed", "B", "C")]
    assert [c.new.path for c in renamed.sections] == [("C",)]


def test_crlf_line_ends():
    old = PAGE.replace("\n", "\r\n")
    new = old.replace(CN, "")
    result = audit(old, new)
    assert [s.heading for s in result.new.sections] == [None, "History", "Notes"]
    assert [(f.code, f.section, f.old_offset) for f in result.flags] == [("tag-removed", "History", old.index(CN))]
    assert [c.new.heading for c in result.sections] == ["History"]
