"""What a history remembers from one revision to the next gives the answers computing afresh gives."""

from __future__ import annotations

import pytest

from wikidiff.cite import index
from wikidiff.cite.index import definitions, index_refs, squeeze
from wikidiff.cite.state import ref_state
from wikidiff.diff import moves, words
from wikidiff.diff.moves import _paragraphs, _similar
from wikidiff.text.document import Document

SENTENCES = [
    "During the war the town was occupied twice and most of its old houses were burned by retreating soldiers.",
    "The market square was rebuilt in stone after the fire and still holds a weekly fair on Saturdays.",
    "Its church, begun in the twelfth century, keeps a carved portal that pilgrims came from far to see.",
    "A railway reached the valley in 1871, and the mills along the river turned from wool to paper.",
    "The population fell by half between the wars as families left for the industrial towns of the north.",
    "Since the 1990s the old quarter has been restored, and tourism is now the largest employer in the area.",
]


def _page(paras: list[str]) -> Document:
    return Document.from_text("== History ==\n" + "\n\n".join(paras) + "\n")


@pytest.mark.parametrize("olds,news", [(1, 6), (6, 1), (6, 6), (3, 5)])
def test_every_pair_and_the_prefix_index_find_the_same_edited_paragraphs(monkeypatch, olds, news):
    old_paras = [s + " It is old." for s in SENTENCES[:olds]]
    new_paras = [s.replace(" the ", " a ", 1) + " It is new." for s in SENTENCES[:news]]
    old, new = _page(old_paras), _page(new_paras)
    a = [p for p in _paragraphs(old, 0, len(old.text)) if p.movable]
    b = [p for p in _paragraphs(new, 0, len(new.text)) if p.movable]
    found = []
    # both sides' prefixes, one side's prefixes, every pair compared
    for all_pairs, few in ((0, 0), (0, 10**6), (10**6, 0)):
        monkeypatch.setattr(moves, "ALL_PAIRS", all_pairs)
        monkeypatch.setattr(moves, "FEW", few)
        found.append([(x.at, y.at, score) for x, y, score in _similar(a, b, len(a), len(b))])
    assert found[0] == found[1] == found[2]
    assert len(found[0]) == min(olds, news)  # each edited paragraph paired with its own


REFS = ('Text.<ref name="a">{{cite web |url=https://example.org/a |title=A}}</ref> More.<ref>  Smith,\n'
        '2001,  p. 4 </ref> Again.<ref name="a"/><ref name=b/>\n== Notes ==\n<references>\n'
        '<ref name="b">Jones   1999</ref>\n</references>\n')


def test_ref_tags_remembered_give_the_refs_read_afresh():
    index.forget()
    fresh = index_refs(Document.from_text(REFS).scan)
    again = index_refs(Document.from_text("Lead.\n" + REFS).scan)  # the same tags, further down
    assert [(r.kind, r.name, r.group, r.content, r.list_defined, r.error) for r in fresh.refs] == \
        [(r.kind, r.name, r.group, r.content, r.list_defined, r.error) for r in again.refs]
    assert [r.start + len("Lead.\n") for r in fresh.refs] == [r.start for r in again.refs]
    assert fresh.refs[0].content is again.refs[0].content  # one content string for both revisions
    assert [c.name for c in fresh.calls] == [c.name for c in again.calls] == ["a", None, "a", "b", "b"]


def test_definitions_and_cites_page_model_are_read_once_per_revision():
    doc = Document.from_text(REFS)
    assert ref_state(doc) is ref_state(doc)
    assert list(ref_state(doc).broken) == []
    assert [(r.name, c) for r, c in definitions(doc)] == [
        ("a", "{{cite web |url=https://example.org/a |title=A}}"), (None, "Smith, 2001, p. 4"),
        ("b", "Jones 1999")]
    assert definitions(doc) is definitions(doc)
    assert squeeze(" a \n\t b ") == "a b"


@pytest.mark.parametrize("new_count", [1, 3, 6])
def test_few_new_lines_pair_as_with_the_word_index(monkeypatch, new_count):
    old_lines = ["|-\n", SENTENCES[0] + "\n", "\n", SENTENCES[2] + "\n", SENTENCES[4] + "\n"]
    new_lines = [SENTENCES[0] + " Twice.\n", "|-\n", SENTENCES[2].replace("far", "afar") + "\n", "''\n",
                 SENTENCES[5] + "\n", SENTENCES[4][:40] + "\n"][:new_count]
    got = []
    for few in (0, 10):  # the word index always, then every new line scored
        monkeypatch.setattr(words, "FEW_LINES", few)
        got.append(list(words._pair_lines(old_lines, new_lines)))
    assert got[0] == got[1]
    assert any(kind == "pair" and a != b for kind, a, b in got[0])


def test_sentences_of_a_revision_made_section_by_section_are_those_of_its_lines():
    from wikidiff.diff.rearranged import old_sentences, revision_sentences

    text = ("Lead sentence with '''bold''' words in it. And a [[Link|second one]] here too.\n"
            "== History ==\n" + "\n\n".join(SENTENCES[:3]) + "\n=== Later ===\n" + " ".join(SENTENCES[3:]) +
            "\n== See also ==\n* [[Town]]\nShort.")
    doc = Document.from_text(text)
    every = old_sentences(text)
    made = revision_sentences(doc)
    assert len(every) == 8 and made == every
    assert "And a second one here too." in made and "Short." not in made
