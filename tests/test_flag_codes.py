"""Every flag code the checks emit is declared in FLAG_CODES (history tables have a column per code)."""

from __future__ import annotations

import re
from pathlib import Path

from wikidiff.checks import FLAG_CODES


def test_flag_codes_cover_every_check():
    checks = Path(__file__).resolve().parents[1] / "wikidiff" / "checks"
    emitted = set()
    for path in checks.glob("*.py"):
        emitted |= set(re.findall(r'Flag\(\s*"([a-z-]+)"', path.read_text(encoding="utf-8")))
        emitted |= set(re.findall(r'^\s*"((?:tag|image|caption|broken|duplicate|empty|unused|ref)-[a-z-]+)",',
                                  path.read_text(encoding="utf-8"), re.MULTILINE))
    assert emitted and emitted <= set(FLAG_CODES)
    assert len(set(FLAG_CODES)) == len(FLAG_CODES)
