"""diff/words.shared_diff: tokens only one side holds are set aside before diff-match-patch searches, and put
back where they stood. The diff must rebuild both texts and keep as much equal as dmp's own unhurried diff."""

from __future__ import annotations

import random

import pytest

from wikidiff.diff import words
from wikidiff.diff.words import shared_diff


def _dmp():
    d = words._dmp()
    d.Diff_Timeout = 0  # unlimited: the reference is dmp's exact search
    return d


def _equal(diffs):
    return sum(len(t) for op, t in diffs if op == 0)


@pytest.mark.parametrize("seed", range(6))
def test_rebuilds_both_texts_and_keeps_the_longest_common_part(monkeypatch, seed):
    monkeypatch.setattr(words, "SET_ASIDE_FROM", 0)  # set aside on every size, not only on big middles
    rng = random.Random(seed)
    dmp = _dmp()
    for _ in range(400):
        alphabet = rng.choice(["ab", "abc", "abcdef", "abcdefghij"])
        a = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40)))
        b = "".join(rng.choice(alphabet + "xyz") for _ in range(rng.randint(0, 40)))
        if rng.random() < 0.5:
            a, b = b, a
        got = shared_diff(dmp, a, b)
        assert "".join(t for op, t in got if op <= 0) == a
        assert "".join(t for op, t in got if op >= 0) == b
        assert _equal(got) == _equal(dmp.diff_main(a, b, False)), (a, b, got)
        assert all(t for _, t in got)
        assert all(x[0] != y[0] for x, y in zip(got, got[1:], strict=False))  # runs merged
        for x, y in zip(got, got[1:], strict=False):  # a deletion before the insertion next to it
            assert (x[0], y[0]) != (1, -1)


def test_texts_with_nothing_in_common_are_one_deletion_and_one_insertion():
    dmp = _dmp()
    assert shared_diff(dmp, "ab" * 5, "cd" * 5) == [(-1, "ab" * 5), (1, "cd" * 5)]
    assert shared_diff(dmp, "", "cd") == [(1, "cd")]
    assert shared_diff(dmp, "xaby", "xcdy") == [(0, "x"), (-1, "ab"), (1, "cd"), (0, "y")]


def test_a_huge_disjoint_middle_with_one_shared_token_is_not_searched_to_the_time_limit():
    """Setting aside leaves dmp a one-character search: it must find the one equal token, which a search cut short
    by the time limit would not guarantee."""
    dmp = words._dmp()
    dmp.Diff_Timeout = 0.001
    n = 200_000
    a, b = "a" * n + "z", "b" * n + "z" + "b"
    got = shared_diff(dmp, a, b)
    assert got == [(-1, "a" * n), (1, "b" * n), (0, "z"), (1, "b")]
