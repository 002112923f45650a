"""Runs every case in tests/cases/diff/*.txt: the section changes, moves and ref changes an edit must produce."""

from __future__ import annotations

from pathlib import Path

import pytest
from case_format import diff_items, read_cases
from test_cases import _same

import wikidiff

DIFF_CASES = [c for f in sorted((Path(__file__).parent / "cases" / "diff").glob("*.txt")) for c in read_cases(f)]


@pytest.mark.parametrize("case", DIFF_CASES, ids=[f"{c.file}:{c.name}" for c in DIFF_CASES])
def test_diff_case(case):
    actual = [item for item in diff_items(wikidiff.audit(case.old, case.new)) if item["code"] in case.codes]
    unmatched = list(actual)
    for code, fields in case.expect:
        match = next((i for i in unmatched
                      if i["code"] == code and all(_same(i.get(k), v) for k, v in fields.items())), None)
        assert match is not None, f"expected {code} {fields}; got {unmatched}"
        unmatched.remove(match)
    assert not unmatched, f"unexpected items: {unmatched}"


def test_diff_cases_cover_each_kind():
    kinds = {code for c in DIFF_CASES for code in c.codes}
    assert kinds == {"section", "move", "ref"}
    for kind in kinds:  # each kind has a case where it appears and one where it must not
        assert any(code == kind for c in DIFF_CASES for code, _ in c.expect)
        assert any(kind in c.codes and not c.expect for c in DIFF_CASES)
