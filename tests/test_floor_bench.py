"""The history benchmark's summary line: the CPU ratio against issue 15's goal (10x the floor) and stretch (6x)."""

from __future__ import annotations

import sys

import pytest
from conftest import ROOT

sys.path.insert(0, str(ROOT))

from benchmarks.bench_history_floor import verdict  # noqa: E402


@pytest.mark.parametrize("cpu, said", [(3.2, "goal not met"), (2.8, "goal met"), (1.5, "stretch goal met")])
def test_the_summary_says_whether_the_goal_is_met(cpu, said):
    got = verdict({"cpu": cpu, "revisions": 500}, {"cpu": 0.3})
    assert f"{cpu / 0.3:.1f}x the floor in CPU: {said} (goal 10x, stretch 6x)" in got
    assert f"{500 / cpu:.0f} revisions per CPU second" in got
