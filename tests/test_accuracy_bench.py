"""The accuracy benchmark's data and measures: the judged move sample stays valid and the detector keeps to it."""

from __future__ import annotations

import sys

from conftest import ROOT

sys.path.insert(0, str(ROOT))

from benchmarks.accuracy import run  # noqa: E402
from benchmarks.accuracy.corpus import history_pairs, real_pairs  # noqa: E402

VERDICTS = {"moved", "in place", "with section"}


def _judged_pairs(data):
    judged = run.load_judged()
    wanted = {pair for pair, _, _ in judged}
    pairs = [p for p in [*real_pairs(data), *history_pairs(data)] if p.ident in wanted]
    return judged, pairs


def test_judged_sample_is_well_formed(shared_data):
    judged, pairs = _judged_pairs(shared_data)
    assert len(judged) >= 50
    assert {e["verdict"] for e in judged.values()} <= VERDICTS
    texts = {p.ident: p for p in pairs}
    for pair, old_offset, new_offset in judged:
        p = texts[pair]  # every judged move names a pair of the corpus, at line starts of both revisions
        assert old_offset == 0 or p.old[old_offset - 1] == "\n"
        assert new_offset == 0 or p.new[new_offset - 1] == "\n"


def test_reported_moves_are_real_on_the_judged_sample(shared_data):
    """The goal of issue 10: at least 95% of the judged reported moves really moved."""
    judged, pairs = _judged_pairs(shared_data)
    records = run.audit_all(pairs)
    (row,) = run.move_precision(records, judged)
    assert row.values["judged"] >= 40
    assert row.values["moved"] >= 0.95 * row.values["judged"]


def test_every_measure_gives_rows(shared_data):
    records = run.audit_all(list(real_pairs(shared_data, limit=2)) + list(history_pairs(shared_data, limit=2)))
    for measure in run.MEASURES:
        assert measure(records), measure.__name__
    assert run.wilson(0, 0) == (0.0, 1.0)
    lo, hi = run.wilson(48, 50)
    assert 0.8 < lo < 0.96 < hi <= 1.0
