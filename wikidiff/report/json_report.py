"""The JSON report: Audit.to_dict() as one object (the stable output contract)."""

from __future__ import annotations


def render(audit) -> str:
    return audit.to_json(indent=2) + "\n"
