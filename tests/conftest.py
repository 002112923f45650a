"""Shared fixtures: where ../shared/data is, and the samples."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"
SAMPLES = ROOT / "samples"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data beside the checkout: skipped where absent (a user's clone), a failure in CI."""
    if not SHARED_DATA.is_dir():
        reason = f"shared test data not found at {SHARED_DATA} (clone the project beside ../shared to run this)"
        if os.environ.get("WIKIDIFF_REQUIRE_SHARED") == "1":
            pytest.fail(reason + "; WIKIDIFF_REQUIRE_SHARED=1 makes this a failure")
        pytest.skip(reason)
    return SHARED_DATA


@pytest.fixture(scope="session")
def seed_pair() -> tuple[str, str]:
    d = SAMPLES / "azerbaijani-offensive"
    return (d / "old.wiki").read_text(encoding="utf-8"), (d / "new.wiki").read_text(encoding="utf-8")
