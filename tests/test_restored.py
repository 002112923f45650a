"""Restored text: flags on text an edit brought back from the page's earlier revisions (within the revert radius)
carry `restored: true` and leave the counts; text the edit wrote is still flagged. On real Anarchism revisions
(the 2005 edit war in ../shared/data/anarchism-history) and on histories built here."""

from __future__ import annotations

import json

import pandas as pd
import pytest

import wikidiff
from wikidiff.histories import history
from wikidiff.model import RevisionMeta
from wikidiff.restored import PATTERN_MAX, Earlier, fold, is_restored, mark_restored, unit
from wikidiff.sources.dump import Dump

PARAGRAPH = ("Critics say the movement was widely regarded as the most important force of its time, and many "
             "observers claimed it had changed the region for ever.")


@pytest.fixture(scope="module")
def anarchism(shared_data):
    """The first 60 revisions of the excerpt: the history and each revision's text by id."""
    path = shared_data / "anarchism-history" / "anarchism-500.xml.xz"
    texts, order = {}, []
    for page in Dump(path).pages():
        for text, meta in page.revisions:
            texts[meta.revid] = text
            order.append(meta.revid)
    return history(path, limit=60), texts, order


def _flags(h, revid):
    return h.flags[h.flags["revid"] == revid]


def _row(h, revid):
    return h.revisions.set_index("revid").loc[revid]


def test_an_identity_revert_restores_what_it_brings_back(anarchism):
    h, _, _ = anarchism
    f = _flags(h, 19391644)  # reverts to 19389327: 67 unsourced-text/words-to-watch flags, all on restored text
    row = _row(h, 19391644)
    assert bool(row["is_revert"]) and len(f) == 67
    assert f["restored"].all() and f["is_revert"].all()
    assert all(json.loads(x)["restored"] is True for x in f["fields"])
    assert row["flag_count"] == 0 and row["flags_restored"] == 67 and row["warnings"] == 0


def test_a_restore_that_is_not_an_identity_revert(anarchism):
    h, texts, order = anarchism
    # 19380049 puts back the Christian anarchism paragraph removed three revisions before, and changes more
    row = _row(h, 19380049)
    assert not bool(row["is_revert"])
    f = _flags(h, 19380049)
    # (the paragraph's last two sentences stood elsewhere in the previous revision: not inserted text at all)
    assert len(f) >= 2 and f["restored"].all()
    k = order.index(19380049)
    paragraph = "Christian anarchists believe that freedom from earthly authority"
    assert paragraph in texts[19380049] and paragraph not in texts[order[k - 1]]
    assert any(paragraph in texts[order[j]] for j in range(k - 15, k - 1))


def test_text_the_edit_wrote_is_still_flagged(anarchism):
    h, texts, order = anarchism
    for revid, words in ((19368126, "Many regard [[Leo Tolstoy]]'s "),  # the Tolstoy paragraph, rewritten
                         (19449961, "The first modern author to hav")):  # the Burke paragraph, new
        f = _flags(h, revid)
        assert len(f) >= 2 and not f["restored"].any()
        assert _row(h, revid)["flag_count"] == len(f) and _row(h, revid)["flags_restored"] == 0
        k = order.index(revid)
        assert words in texts[revid] and not any(words in texts[order[j]] for j in range(max(0, k - 15), k))


def test_counts_leave_restored_flags_out_and_the_tables_keep_them(anarchism):
    h, _, _ = anarchism
    r = h.revisions[h.revisions["audited"]]
    per_revision = h.flags.groupby("revid").size()
    assert (r["flag_count"] + r["flags_restored"]).tolist() == \
           r["revid"].map(per_revision).fillna(0).astype(int).tolist()
    assert h.pages["flag_count"].iloc[0] == r["flag_count"].sum() < len(h.flags)
    reverts = set(h.revisions.loc[h.revisions["is_revert"], "revid"])
    assert h.flags["is_revert"].tolist() == h.flags["revid"].isin(reverts).tolist()


def _revisions(texts: list[str]) -> list[tuple[str, RevisionMeta]]:
    ts = pd.Timestamp("2012-05-01T10:00:00Z")
    return [(t, RevisionMeta(revid=100 + i, title="Mill", user=f"U{i % 3}",
                             timestamp=(ts + pd.Timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%M:%SZ")))
            for i, t in enumerate(texts)]


@pytest.mark.parametrize("gap, restored", [(14, True), (15, False)])
def test_the_radius_bounds_what_counts_as_restored(gap, restored):
    """A paragraph removed, then put back after `gap` other edits: restored as far back as an identity revert
    reaches (the 16th revision before, for radius 15), new beyond."""
    lead = "'''Mill''' is a village.<ref>Gazetteer, 1901.</ref>\n\n== History ==\n"
    texts = [lead + PARAGRAPH + "\n", lead]
    texts += [lead + f"Edit {i} of the history section.<ref>Note {i}.</ref>\n" for i in range(gap)]
    texts.append(texts[-1] + "\n" + PARAGRAPH + "\n")
    h = history(_revisions(texts))
    f = _flags(h, 100 + len(texts) - 1)
    assert set(f["code"]) >= {"unsourced-text", "words-to-watch"}
    assert f["restored"].tolist() == [restored] * len(f)


def test_restored_units_are_sentences_or_lines():
    text = ("Intro line.\nFirst sentence here is long enough to count. Second one, with more words, was added by "
            "the edit here.\n")
    at = text.index("Second")
    assert unit(text, at) == "Second one, with more words, was added by the edit here."
    assert unit(text, 0) == "Intro line."  # too short a sentence: the line, which is as short
    earlier = Earlier(["Old text.\nFirst sentence here is long enough to count.\n"])
    assert is_restored(text, earlier, text.index("First"))
    assert not is_restored(text, earlier, at)
    assert not is_restored(text, Earlier([]), text.index("First"))
    spaced = Earlier(["First  sentence here is\nlong enough to count."])  # whitespace folded
    assert is_restored(text, spaced, text.index("First"))


@pytest.mark.parametrize("earlier_text, unit_text, found", [
    ("was\u00a0first  written\n\tby hand here", "was first written by hand", True),  # any white space between
    ("rewas first written by handwriting", "was first written by hand", True),  # ends may be inside words
    ("was firstly written by hand", "was first written by hand", False),  # words between are whole words
    ("was first written\x1cby hand", "was first written by hand", True),  # what str.split() calls white space
    ("was first (written) by hand", "was first written by hand", False),
    ("a+b [c] (d) first.*", "[c] (d) first.*", True),  # no pattern syntax
])
def test_whitespace_folded_units_are_found_as_folding_finds_them(earlier_text, unit_text, found):
    """A unit is in an earlier text folded exactly when folding both finds it (the search never folds the text)."""
    assert (fold(unit_text) in fold(earlier_text)) is found
    assert (unit_text in Earlier([earlier_text])) is found
    words = [f"word{i}" for i in range(PATTERN_MAX // 5)]  # a unit past the pattern's length: the texts folded
    assert " ".join(words) in Earlier(["\n\t".join(words)])
    assert " ".join(words) not in Earlier(["\n\t".join(words[:-1] + ["other"])])


def test_a_fetched_edit_marks_restored_flags_from_earlier_texts(anarchism):
    """The library piece the fetch path uses: an Audit's flags marked from earlier revisions' texts."""
    _, texts, order = anarchism
    k = order.index(19391644)
    old, new = texts[order[k - 1]], texts[19391644]
    audit = wikidiff.audit(old, new)
    restorable = [f for f in audit.flags if f.code in ("unsourced-text", "words-to-watch")]
    assert len(restorable) == 67
    assert mark_restored(audit.flags, new, [old]) == 0  # the parent alone does not hold the restored text
    earlier = [texts[order[j]] for j in range(k - 15, k)]
    assert mark_restored(audit.flags, new, earlier) == 67
    assert all(f.fields.get("restored") is True for f in restorable)
