"""Mutual reverts and Sumi et al.'s controversy measure M."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any


def mutual_pairs(reverts: Iterable[tuple[str | None, str | None]], edits: dict[str, int]) -> list[dict[str, Any]]:
    """Editor pairs that reverted each other at least once each way.

    `reverts` holds one (reverting user, reverted user) per reverted revision; `edits` each editor's number of
    edits to the page. Each pair comes out once (editor_a < editor_b) with its revert counts, edits, weight =
    min(edits_a, edits_b), and `topmost` marking the one pair (largest weight) that M leaves out.
    """
    directed = Counter((a, b) for a, b in reverts if a is not None and b is not None and a != b)
    pairs: list[dict[str, Any]] = []
    for (a, b), n in directed.items():
        if a < b and (b, a) in directed:
            ea, eb = edits.get(a, 0), edits.get(b, 0)
            pairs.append({"editor_a": a, "editor_b": b, "a_reverted_b": n, "b_reverted_a": directed[(b, a)],
                          "edits_a": ea, "edits_b": eb, "weight": min(ea, eb), "topmost": False})
    pairs.sort(key=lambda p: (-int(p["weight"]), str(p["editor_a"]), str(p["editor_b"])))
    if pairs:
        pairs[0]["topmost"] = True
    return pairs


def controversy(pairs: list[dict[str, Any]]) -> tuple[int, int]:
    """(M, E) from `mutual_pairs`: E editors in mutual reverts times the sum of the pairs' weights, topmost left out."""
    editors = {p["editor_a"] for p in pairs} | {p["editor_b"] for p in pairs}
    total = sum(p["weight"] for p in pairs if not p["topmost"])
    return len(editors) * total, len(editors)

