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
