"""Hostile shapes cost little (issue 16 items 1, 2, 4, 8 and 3): memory linear in template nesting, section
matching that does not compare every pair, one diff time budget per audit, heading-line changes reported so the
bytes add up. Counted in memory and work, not in seconds (benchmarks/size_sweep.py prints the times)."""

from __future__ import annotations

import time
import tracemalloc

import pytest

import wikidiff
from wikidiff.diff import sections as sections_mod
from wikidiff.diff import words
from wikidiff.diff.sections import MAX_CANDIDATES, match_sections
from wikidiff.report import render
from wikidiff.text.braces import all_calls
from wikidiff.text.document import Document
from wikidiff.text.scan import scan


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("shape", [
    lambda n: "{{a|" * n + "x" + "}}" * n,  # positional arguments, each holding all the deeper levels
    lambda n: "{{a|b=" * n + "x" + "}}" * n,  # named ones
    lambda n: "{{" * n + "x" + "}}" * n,  # names that hold everything deeper
    lambda n: "{{a|" * n + "x=" + "}}" * n,
])
def test_template_nesting_memory_is_linear(shape):
    small, large = shape(2000), shape(8000)
    peak_small = _peak(lambda: all_calls(scan(small)))
    peak_large = _peak(lambda: all_calls(scan(large)))
    # quadratic would be 16× for 4× the input; linear is about 4×
    assert peak_large < 6 * peak_small, (peak_small, peak_large)
    assert peak_large < 400 * len(large)


def test_nested_image_templates_keep_no_copies_and_flag_only_real_files():
    """Each level's image value holds every deeper level: values are read when compared, never kept, and a value
    that is a template is no file name (only the innermost call, whose value is a file, changed its image)."""
    def pair(n):
        return ("{{Infobox|image=" * n + "x.jpg" + "}}" * n, "{{Infobox|image=" * n + "y.jpg" + "}}" * n)

    small, large = pair(500), pair(2000)
    peak_small = _peak(lambda: wikidiff.audit(*small))
    peak_large = _peak(lambda: wikidiff.audit(*large))
    assert peak_large < 6 * peak_small, (peak_small, peak_large)  # quadratic would be 16x
    flags = wikidiff.audit(*large).flags
    assert [(f.code, f.fields["old"], f.fields["new"]) for f in flags] == [("image-changed", "X.jpg", "Y.jpg")]


def test_nested_image_templates_are_compared_by_their_own_text(monkeypatch):
    """Each level's image value holds every deeper level, and every level changed (the innermost file did): a level
    is compared by its own text, the calls with images nested in it standing for themselves, so the image rules
    read about as many characters as the page has, not its square (they read 2,000× the page before)."""
    from wikidiff.checks import media

    read = 0
    real = media.strip_comments

    def counting(text: str) -> str:  # every value the rules look at goes through here
        nonlocal read
        read += len(text)
        return real(text)

    monkeypatch.setattr(media, "strip_comments", counting)
    n = 2000
    old = "{{Infobox|image=" * n + "x.jpg" + "}}" * n
    new = old.replace("x.jpg", "y.jpg")
    audit = wikidiff.audit(old, new)
    assert [(f.code, f.fields["old"], f.fields["new"]) for f in audit.flags] == [("image-changed", "X.jpg", "Y.jpg")]
    assert read < 3 * (len(old) + len(new)), read

    def reports(n: int) -> list[int]:
        old = "{{Infobox|image=" * n + "x.jpg" + "}}" * n
        audit = wikidiff.audit(old, old.replace("x.jpg", "y.jpg"))
        return [len(render(audit, fmt)) for fmt in ("text", "html", "json")]

    for small, large in zip(reports(1000), reports(4000), strict=True):
        assert large < 5 * small, (small, large)  # 4× the nesting: at most about 4× the report


def test_nested_arguments_read_as_before():
    text = "{{a| one |b= two |{{c|d=e}}| 2 = x }}"
    call = all_calls(scan(text))[0]
    assert dict(call.args) == {"1": " one ", "b": "two", "2": "x"}
    assert call.arg_spans["b"] == (text.index("= two") + 1, text.index("|{{c"))
    inner = all_calls(scan(text))[text.index("{{c")]
    assert inner.name == "c" and dict(inner.args) == {"d": "e"}
    assert all_calls(scan("{{" + "x" * 300 + "|a=1}}"))[0].name == ""  # longer than any title: names nothing


def test_deep_nesting_audits():
    def page(n: int) -> str:
        return "{{a|" * n + "x" + "}}" * n

    small = _peak(lambda: wikidiff.audit(page(5000), page(5000) + "\nMore text here."))
    large = _peak(lambda: wikidiff.audit(page(20000), page(20000) + "\nMore text here."))
    assert large < 6 * small, (small, large)  # 4× the nesting: about 4× the memory (it was 2.35 GB at 20,000)


def _renamed_pages(n: int) -> tuple[str, str]:
    old = "".join(f"== Old {i} ==\nSection {i} tells of topic{i} and of place{i} in some detail.\n" for i in range(n))
    new = "".join(f"== New {i} ==\nSection {i} tells of topic{i} and of place{i} in much more detail.\n"
                  for i in range(n))
    return old, new


def test_renamed_sections_are_matched_without_comparing_every_pair(monkeypatch):
    n = 600
    old, new = _renamed_pages(n)
    calls = 0
    real = sections_mod.bag_similarity

    def counting(a, b):
        nonlocal calls
        calls += 1
        return real(a, b)

    monkeypatch.setattr(sections_mod, "bag_similarity", counting)
    pairs = match_sections(Document.from_text(old), Document.from_text(new))
    matched = {(o.heading, n_.heading) for o, n_ in pairs if o is not None and n_ is not None}
    # every section found its renamed self (and the empty leads each other)
    assert matched == {(f"Old {i}", f"New {i}") for i in range(n)} | {(None, None)}
    assert calls <= n * MAX_CANDIDATES < n * n // 10, calls


def test_same_named_sections_reordered_pair_up():
    secs = [f"== Notes ==\nBody {i} of the notes.\n" for i in range(300)]
    result = wikidiff.audit("".join(secs), "".join(reversed(secs)))
    assert all(c.change == "moved" for c in result.sections)
    assert result.summary["bytes_added"] == result.summary["bytes_removed"] == 0


def test_one_diff_budget_per_audit():
    assert words.diff_timeout() == words.DIFF_TIMEOUT_S  # outside an audit: the per-diff limit
    with words.diff_budget(0.3):
        first = words.diff_timeout()
        with words.diff_budget(60):  # a nested budget shares the outer one
            assert words.diff_timeout() <= first
        time.sleep(0.35)
        assert words.diff_timeout() == words.MIN_TIMEOUT_S  # spent: later diffs get the minimum, never "no limit"
        assert words.token_diff("a b c", "a x c", words._TOKEN)  # and still come out correct
    assert words.diff_timeout() == words.DIFF_TIMEOUT_S


@pytest.mark.parametrize("old_line,new_line", [
    ("== History ==", "=== History ==="),  # its level
    ("== History ==", "== History <!-- see talk --> =="),  # a comment inside it
    ("== History ==", "==History=="),  # its spaces
])
def test_a_change_to_a_heading_line_alone_is_reported(old_line, new_line):
    old = f"Lead.\n{old_line}\nThe body stays.\n"
    new = f"Lead.\n{new_line}\nThe body stays.\n"
    result = wikidiff.audit(old, new)
    assert [c.change for c in result.sections] == ["modified"]
    s = result.summary
    assert s["bytes_added"] - s["bytes_removed"] == s["size_change"] == len(new.encode()) - len(old.encode())
    assert "\n== " in render(result, "text")


def test_bytes_add_up_for_renames_and_heading_edits():
    cases = [("== A ==\nx\n", "== B ==\nx\n"), ("== A ==\nx\n", "=== B ===\ny z\n"),
             ("== A ==\nx\n== C ==\nw\n", "== C ==\nw\n==A==\nx\n")]
    for old, new in cases:
        s = wikidiff.audit(old, new).summary
        assert s["bytes_added"] - s["bytes_removed"] == s["size_change"], (old, new, s)


# --- reports of huge edits are folded and summarised -----------------------------------------------------------

def test_html_report_of_a_million_blank_lines_stays_small():
    old = "A.\n"
    new = "A.\n" + "\n" * 1_000_000 + "B.\n"
    audit = wikidiff.audit(old, new)
    html = render(audit, "html")
    assert len(html) < 1_000_000, len(html)  # it was 162 MB
    assert "more lines of this section" in html
    md = render(audit, "markdown")
    assert len(md) < 200_000 and "more lines, left out" in md


def test_html_report_lists_a_bounded_number_of_flags_and_links_only_to_them():
    import re

    from wikidiff.report.html.common import FLAGS_LISTED

    new = "Start. " + " ".join("He is a terrorist." for _ in range(1500)) + "\n"
    audit = wikidiff.audit("Start.\n", new)
    assert sum(f.code == "words-to-watch" for f in audit.flags) == 1500
    html = render(audit, "html")
    assert html.count('<li class="wd-flag ') == FLAGS_LISTED + 1  # and the one unsourced-text flag
    assert "and 1,300 more <code>words-to-watch</code> flags" in html
    ids = set(re.findall(r'id="([^"]+)"', html))
    targets = set(re.findall(r'href="#([^"]+)"', html))
    assert targets <= ids, sorted(targets - ids)[:5]  # no pin or link points at a flag left out


def test_html_report_of_many_refs_on_one_line_is_linear():
    def size(n: int) -> int:
        new = "A." + "<ref name=x/>" * n + "\n"
        return len(render(wikidiff.audit("A.<ref name=x>X</ref>\n", new), "html"))

    assert size(8000) < 5 * size(2000)  # 4× the refs: about 4× the page


# --- huge line-by-line changes are folded, and the audit says so (issue 14, 16) --------------------------------

def test_half_a_million_changed_lines_are_folded_and_said():
    n = 500_000
    audit = wikidiff.audit("a\n" * n, "b\n" * n)
    (section,) = audit.sections
    assert [(op.op, len(op.text)) for op in section.ops] == [("delete", 2 * n), ("insert", 2 * n)]
    notes = " ".join(audit.notes)
    assert f"{n:,} removed and {n:,} added lines were shown whole, not compared line by line" in notes
    assert "moves were not searched" in notes
    s = audit.summary
    assert s["bytes_added"] - s["bytes_removed"] == s["size_change"]
    assert wikidiff.audit("a\n" * n, "b\n" * n).notes == audit.notes  # a remembered diff says it again


def test_folding_keeps_pairing_work_bounded(monkeypatch):
    """Past FOLD_LINES no line is scored against another: the pairing is never entered."""
    calls = []
    real = words._pair_lines
    monkeypatch.setattr(words, "_pair_lines", lambda a, b: calls.append(len(a) + len(b)) or real(a, b))
    words.forget()
    n = words.FOLD_LINES
    wikidiff.audit("x\n" + "a\n" * n, "y\n" + "b\n" * n)
    assert calls == []
    wikidiff.audit("x\n" + "a\n" * 100, "y\n" + "b\n" * 100)  # an ordinary block is still paired
    assert calls == [202]


@pytest.mark.parametrize("old, new", [
    ("Intro.\n" + "".join(f"* item {i}\n" for i in range(300)),
     "Intro.\n" + "".join(f"* item {i}!\n" for i in range(300))),
    ("== A ==\nOne paragraph that is long enough to move around the page.\n== B ==\nOther.\n",
     "== A ==\n== B ==\nOther.\nOne paragraph that is long enough to move around the page.\n"),
])
def test_ordinary_edits_are_not_folded(old, new):
    audit = wikidiff.audit(old, new)
    assert not any("not compared line by line" in n or "moves were not searched" in n for n in audit.notes)


def test_blank_lines_do_not_count_as_changed_paragraphs():
    from wikidiff.diff.moves import _too_many_changed

    assert _too_many_changed("A.\n", "A.\n" + "\n" * (3 * words.FOLD_LINES)) == 0
    assert _too_many_changed("a\n" * words.FOLD_LINES, "b\n" * words.FOLD_LINES) == 2 * words.FOLD_LINES
    shuffled = "".join(f"line {i}\n" for i in range(words.FOLD_LINES + 5))
    assert _too_many_changed(shuffled, "".join(reversed(shuffled.splitlines(keepends=True)))) == 0


def test_nested_r_names_made_by_templates_are_counted_not_read():
    """`{{r|{{r|…}}}}`: each outer name is what the template inside it expands to, known only after expansion, so it
    is counted as not analysed and never read (each level was a broken name holding every deeper level: the reports
    grew with the square of the depth)."""
    def audit(n: int):
        return wikidiff.audit("Text.\n", "Text." + "{{r|" * n + "y" + "}}" * n + "\n")

    result = audit(2000)
    assert [(f.code, f.fields["name"]) for f in result.flags] == [("broken-ref", "y")]
    assert any("{{r}} x1999" in note for note in result.notes), result.notes
    small, large = audit(500), audit(2000)
    for fmt in ("text", "html", "json"):
        assert len(render(large, fmt)) < 5 * len(render(small, fmt)), fmt  # 4× the depth: about 4× the report


def test_html_marks_under_many_nested_flags_count_them():
    """Nested tags each flagged: a piece of text under many flags names the first few and counts the rest, instead
    of listing (and sorting) every flag over it on every piece."""
    import re

    from wikidiff.report.html.diff import TITLED

    n = 300
    new = "Text " + "{{citation needed|reason=" * n + "x" + "}}" * n + "\n"
    html = render(wikidiff.audit("Text\n", new), "html")
    titles = re.findall(r'<mark class="wd-spot \w+" title="([^"]*)"', html)
    assert f"{n} flags" in titles  # the innermost piece, under every flag
    assert all(t.count(",") < TITLED for t in titles), max(titles, key=len)
    assert "flag 1, 2, 3" in titles


def test_nested_tags_keep_a_bounded_part_of_their_text():
    """Tags nested in each other's reason, all added: each flag keeps at most SHOWN_CHARS of its wikitext and reason
    (each kept all the deeper levels: a 108 KB edit gave a 651 MB JSON report), read without copying the rest."""
    from wikidiff.checks.tags import SHOWN_CHARS

    def audit(n: int):
        return wikidiff.audit("Text\n", "Text " + "{{citation needed|reason=" * n + "x" + "}}" * n + "\n")

    large = audit(2000)
    assert len(large.flags) == 2000 and {f.code for f in large.flags} == {"tag-added"}
    assert all(len(f.fields["wikitext"]) <= SHOWN_CHARS and len(f.fields["reason"]) <= SHOWN_CHARS
               for f in large.flags)
    reasons = {f.fields["reason"] for f in large.flags}
    assert "x" in reasons and "{{citation needed|reason=x}}" in reasons  # the short ones whole
    assert any(r.endswith("…") for r in reasons)
    small = audit(500)
    for fmt in ("text", "html", "json"):
        assert len(render(large, fmt)) < 5 * len(render(small, fmt)), fmt


@pytest.mark.parametrize("opening", ["{{efn|", "{{refn|group=a|", "{{#tag:ref|"])
def test_notes_nested_in_notes_are_read_past(opening):
    """A note inside a note is a ref of its own (Cite sees a marker in the outer content): the outer ref shows it as
    `{{Name …}}`, so the ref index holds each level's own text, not every deeper level again (it held the square)."""
    from wikidiff.cite.index import index_refs

    def page(n: int, last: str) -> str:
        return "Text " + opening * n + last + "}}" * n + "\n{{notelist}}\n{{reflist|group=a}}\n"

    refs = index_refs(scan(page(2000, "x"))).refs
    assert len(refs) == 2000
    assert sum(len(r.raw) + len(r.content or "") for r in refs) < 20 * len(page(2000, "x"))
    assert refs[-1].content == "x" and "…}}" in (refs[0].content or "")
    result = wikidiff.audit(page(2000, "x"), page(2000, "y"))
    changed = {(c.change, (c.old or c.new).content) for c in result.references}
    assert changed == {("removed", "x"), ("added", "y")}  # only the innermost note changed its own text

    def size(n: int) -> int:
        return len(render(wikidiff.audit(page(n, "x"), page(n, "y")), "json"))

    assert size(2000) < 5 * size(500)


def test_included_ref_is_found_as_the_regular_expression_did():
    """Cite's "a ref inside a ref's content" test reads the content once (`<ref><ref>…` with nothing closed made the
    regular expression it replaces take the square of the content): same answers on random tag soup, real shapes
    included."""
    import random
    import re

    from wikidiff.cite.index import holds_open_ref

    whole = re.compile(r"<(\w++)[^>]*+>.*?</\1\s*>|<!--.*?-->", re.DOTALL)
    opened = re.compile(r"<ref(?:erences)?\b[^>]*+>", re.IGNORECASE)
    atoms = ["<ref>", "<ref name=a>", "</ref>", "<REF>", "</REF >", "<references/>", "<b>", "</b>", "<!--", "-->",
             "<", ">", "x", " ", "</", "ref", "<refx>", "<span class=a>", "</span>", "\n", "<ref", "<!-->"]
    rnd = random.Random(16)
    for _ in range(20000):
        content = "".join(rnd.choice(atoms) for _ in range(rnd.randint(0, 12)))
        assert holds_open_ref(content) == bool(opened.search(whole.sub("", content))), content
    assert holds_open_ref("A claim <ref name=b>inner")  # what <ref>A claim <ref name=b>inner</ref> gives
    assert not holds_open_ref("A <nowiki><ref>x</ref></nowiki> and <!-- <ref> --> here")
    assert holds_open_ref("<ref>" * 20000 + "x")  # read once: no closing tag is looked for twice


def test_citation_templates_are_read_lexically():
    """Citation templates in a ref are read with the brace reader (mwparserfromhell took the square of `<ref><ref>…`
    nested tags and stopped at some depth): every nested {{cite web}} is judged, a parameter counts when it holds
    more than space and comments."""
    from wikidiff.checks.citations import citation_problems

    assert citation_problems("{{cite web |url=http://a.org |title= <!-- fill in --> }}") == [
        ("missing-title", "cite web", "title")]
    assert citation_problems("{{cite web |url=http://a.org |title={{lang|fr|Le titre}}}}") == []
    nested = "{{cite web|title=" * 300 + "x" + "}}" * 300
    assert citation_problems(nested) == [("missing-url", "cite web", "url")] * 300


def test_list_groups_answer_as_trying_every_list_and_note():
    """The list a ref sits in is found by binary search (trying every list and note for every ref took the square of
    a page of thousands of refs and notes): the same answers as trying them all, nested or overlapping spans too."""
    import random

    from wikidiff.cite.index import _ListGroups

    def tried(lists, bodies, pos):
        group, start = None, -1
        for a, b, g in lists:
            if a <= pos < b and a > start:
                group, start = g, a
        return None if group is not None and any(start <= a < pos < b for a, b in bodies) else group

    rnd = random.Random(16)
    for _ in range(3000):
        lists = [(a, a + rnd.randint(0, 15), rnd.choice("xyz")) for a in rnd.sample(range(30), rnd.randint(0, 5))]
        bodies = [(a, a + rnd.randint(0, 15)) for a in rnd.sample(range(30), rnd.randint(0, 5))]
        groups = _ListGroups(lists, bodies)
        for pos in range(-1, 48):
            assert groups.at(pos) == tried(lists, bodies, pos), (lists, bodies, pos)
