"""Runs every case in tests/cases/*.txt (see case_format.py): flags that must fire and flags that must not."""

from __future__ import annotations

from pathlib import Path

import pytest
from case_format import read_cases

import wikidiff

CASES = [c for f in sorted((Path(__file__).parent / "cases").glob("*.txt")) for c in read_cases(f)]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.file}:{c.name}" for c in CASES])
def test_case(case):
    result = wikidiff.audit(case.old, case.new, lang=case.lang)
    actual = [f.to_dict() for f in result.flags if f.code in case.codes]
    unmatched = list(actual)
    for code, fields in case.expect:
        match = next((f for f in unmatched
                      if f["code"] == code and all(_same(f.get(k), v) for k, v in fields.items())), None)
        assert match is not None, f"expected {code} {fields}; got {unmatched}"
        unmatched.remove(match)
    assert not unmatched, f"unexpected flags: {unmatched}"


def _same(actual, expected) -> bool:
    """Equal, where an expected bare number also matches a string (a ref name like "12")."""
    return actual == expected or (isinstance(expected, int) and actual == str(expected))


def test_every_file_declares_codes_and_cases_exist():
    assert len(CASES) >= 30
    assert all(c.codes for c in CASES)
    # every checked code has a case where it fires and a case where it must not
    fired = {code for c in CASES for code, _ in c.expect}
    for c in CASES:
        for code in c.codes:
            assert code in fired, f"{c.file}: no case where {code} fires"
    assert any(not c.expect for c in CASES)
