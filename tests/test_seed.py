"""The seed case (samples/azerbaijani-offensive): what the rendered page and the diff show must be reported."""

from __future__ import annotations

import re

from conftest import ROOT

import wikidiff

# The "Cite error: The named reference X was invoked but never defined" entries of the rendered new revision.
RENDERED_NEVER_DEFINED = {
    ":128": 1, ":67": 1, ":68": 1, ":82": 1, ":62": 3, "lemkininstitute.com": 1, "Hill": 1, ":55": 1, ":322": 1,
    "Oltramonti": 1, ":94": 1, "Bulut": 2, ":91": 1, ":193": 1, "Genocide Warning: Nagorno Karabakh": 1,
}


def test_broken_refs_are_exactly_the_rendered_cite_errors(seed_pair):
    result = wikidiff.audit(*seed_pair)
    broken = {f.fields["name"]: f for f in result.flags if f.code == "broken-ref"}
    assert {n: f.fields["uses"] for n, f in broken.items()} == RENDERED_NEVER_DEFINED
    assert all(f.fields["caused_by_edit"] and f.severity == "error" for f in broken.values())


def test_rendered_page_lists_the_same_names(shared_data):
    """The expectation above is read off the seed file itself, not typed from memory."""
    seed = next((shared_data.parent / "seeds").glob("001_*.txt")).read_text(encoding="utf-8")
    names = re.findall(r"\^ (?:((?:[a-z] )+))?Cite error: The named reference (.+?) was invoked but never defined",
                       seed)
    found = {name: (len(letters.split()) if letters else 1) for letters, name in names}
    assert found == RENDERED_NEVER_DEFINED


def test_infobox_image_caption_swap(seed_pair):
    result = wikidiff.audit(*seed_pair)
    swaps = [f for f in result.flags if f.code.startswith(("image", "caption"))]
    assert len(swaps) == 1
    swap = swaps[0]
    assert swap.code == "image-caption-swap"
    assert swap.fields["old"] == "Operation TurnedA.png"
    assert swap.fields["new"] == "2020 Nagorno-Karabakh war.svg"
    assert swap.fields["old_caption"].endswith("in 2023") and swap.fields["new_caption"].endswith("in 2020")


def test_four_removed_tags_with_what_replaced_them(seed_pair):
    result = wikidiff.audit(*seed_pair)
    removed = [f for f in result.flags if f.code == "tag-removed"]
    assert [f.fields["template"] for f in removed] == [
        "clarification", "whom", "citation needed", "failed verification"]
    assert [f.fields["tag"] for f in removed] == [
        "clarification needed", "whom", "citation needed", "failed verification"]
    assert all(f.fields["reason"] for f in removed)
    by = {f.fields["template"]: f.fields for f in removed}
    assert by["clarification"]["context"].startswith("Only a fraction of Karabakh")
    assert by["clarification"]["replaced_by"].startswith("Since the 2020 war, Azerbaijan has rescinded")
    assert by["failed verification"]["context"] == "Azerbaijan has ignored outside calls to lift its blockade."
    assert by["failed verification"]["replaced_by"].startswith("Numerous countries")
    assert not [f for f in result.flags if f.code == "tag-added"]


def test_sections(seed_pair):
    result = wikidiff.audit(*seed_pair)
    kinds = {(s.change, (s.new or s.old).heading) for s in result.sections}
    assert ("added", "Prelude") in kinds
    assert ("modified", "Background") in kinds
    assert all(s.change != "removed" for s in result.sections)
    background = next(s for s in result.sections if s.new and s.new.heading == "Background")
    # every diff op points at its text in the revision it comes from
    old, new = seed_pair
    for op in background.ops:
        if op.op == "delete":
            assert old[op.old_offset:op.old_offset + len(op.text)] == op.text
        elif op.op == "insert":
            assert new[op.new_offset:op.new_offset + len(op.text)] == op.text


def test_sample_is_what_reconstruct_builds(shared_data, tmp_path):
    import shutil
    import subprocess
    import sys

    sample = ROOT / "samples" / "azerbaijani-offensive"
    shutil.copy(sample / "reconstruct.py", tmp_path)
    seed = next((shared_data.parent / "seeds").glob("001_*.txt"))
    subprocess.run([sys.executable, str(tmp_path / "reconstruct.py"), str(seed)], check=True)
    for name in ("old.wiki", "new.wiki"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (sample / name).read_text(encoding="utf-8")
