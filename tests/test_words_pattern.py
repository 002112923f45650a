"""The words-to-watch table is read through one pattern whose phrases share their beginnings (a trie): it must
find exactly what one flat alternation of the phrases, longest first, finds."""

from __future__ import annotations

import re
from pathlib import Path

from wikidiff.checks.words import _table

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def _flat() -> re.Pattern[str]:
    _, entries = _table()
    alts = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(entries, key=len, reverse=True))
    return re.compile(r"(?<![\w-])(?:" + alts + r")(?![\w-])", re.IGNORECASE)


def test_trie_pattern_matches_as_the_flat_alternation():
    pattern, entries = _table()
    flat = _flat()
    texts = [p.read_text("utf-8", "replace") for p in sorted(SAMPLES.rglob("*.wiki"))]
    phrases = list(entries)
    texts += [" ".join(phrases), "  ".join(p.upper() for p in phrases), "-".join(phrases), "".join(phrases),
              "\n".join(p + "s" for p in phrases), " ".join(p.replace(" ", "\n  ") for p in phrases)]
    assert any(flat.search(t) for t in texts)
    for text in texts:
        assert [m.span() for m in pattern.finditer(text)] == [m.span() for m in flat.finditer(text)]
