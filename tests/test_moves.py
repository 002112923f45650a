"""Moves: a paragraph or section that moved is one move, never a removal plus an addition."""

from __future__ import annotations

import wikidiff

PARA = "During the war the town was occupied twice and most of its old houses were burned by retreating soldiers."
OTHER = "The market square was rebuilt in stone after the fire and still holds a weekly fair on Saturdays."


def test_paragraph_moved_far_away():
    old = f"Lead.\n== A ==\n{PARA}\n\n{OTHER}\n== B ==\nB text.\n== C ==\nC text.\n"
    new = f"Lead.\n== A ==\n{OTHER}\n== B ==\nB text.\n== C ==\nC text.\n\n{PARA}\n"
    result = wikidiff.audit(old, new)
    assert [(m.old_section, m.new_section, m.edited) for m in result.moves] == [("A", "C", False)]
    assert result.to_dict()["summary"]["paragraphs_moved"] == 1


def test_paragraph_moved_and_edited():
    old = f"== A ==\n{PARA}\n\n{OTHER}\n"
    edited = PARA.replace("twice", "three times")
    new = f"== A ==\n{OTHER}\n\n{edited}\n"
    (move,) = wikidiff.audit(old, new).moves
    assert move.edited and move.similarity >= 0.8 and "three times" in move.new_text


def test_nothing_unmoved_is_a_move():
    old = f"== A ==\n{PARA}\n\n{OTHER}\n"
    new = f"== A ==\n{PARA}\n\n{OTHER} It is busy.\n"
    assert wikidiff.audit(old, new).moves == []
    # a new paragraph that merely resembles nothing deleted is not a move either
    assert wikidiff.audit(f"== A ==\n{OTHER}\n", f"== A ==\n{OTHER}\n\n{PARA}\n").moves == []


def test_section_moved():
    old = f"Lead.\n== A ==\n{PARA}\n== B ==\n{OTHER}\n== C ==\nC text.\n"
    new = f"Lead.\n== B ==\n{OTHER}\n== A ==\n{PARA}\n== C ==\nC text.\n"
    changes = wikidiff.audit(old, new).sections
    assert [(c.change, c.new.heading) for c in changes] == [("moved", "A")]
    assert not changes[0].modified and changes[0].ops == []


def test_section_renamed_and_edited():
    old = f"Lead.\n== Early life ==\n{PARA} {OTHER}\n"
    new = f"Lead.\n== Childhood ==\n{PARA} {OTHER} He left at ten.\n"
    (change,) = wikidiff.audit(old, new).sections
    assert (change.change, change.old.heading, change.new.heading, change.modified) == (
        "renamed", "Early life", "Childhood", True)
    assert "".join(o.text for o in change.ops if o.op == "insert").strip() == "He left at ten."


def test_text_under_a_new_heading_is_not_new():
    """A heading inserted above existing prose: no move, and the prose is not reported as added."""
    old = f"Lead.\n== A ==\nIntro line of the section.\n\n{PARA}\n\n{OTHER}\n"
    new = f"Lead.\n== A ==\nIntro line of the section.\n\n== War ==\n{PARA}\n\n{OTHER}\n"
    result = wikidiff.audit(old, new)
    assert result.moves == []
    assert [f for f in result.flags if f.code in ("unsourced-text", "words-to-watch")] == []


def test_words_added_to_a_paragraph_under_a_new_heading_are_new():
    """Edited in place under a new heading: the paragraph's old words are old, its new words are new."""
    old = f"Lead.\n== A ==\nIntro line of the section.\n\n{PARA}\n"
    new = f"Lead.\n== A ==\nIntro line of the section.\n\n== War ==\n{PARA} The regime was notorious.\n"
    result = wikidiff.audit(old, new)
    assert result.moves == []
    assert [f.fields["word"] for f in result.flags if f.code == "words-to-watch"] == ["regime"]


def test_subtract_spans():
    from wikidiff.diff.moves import subtract_spans

    assert subtract_spans([(0, 10), (20, 30)], [(2, 4), (3, 6), (25, 40)]) == [(0, 2), (6, 10), (20, 25)]
    assert subtract_spans([(5, 8)], [(0, 20), (6, 7)]) == []
    assert subtract_spans([(5, 8)], []) == [(5, 8)]
