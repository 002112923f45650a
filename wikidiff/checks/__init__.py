"""The flag rules. Each is a function CheckContext -> list[Flag]; CHECKS runs them in this order."""

from __future__ import annotations

from collections.abc import Callable

from ..codes import FLAG_CODES
from ..model import Flag
from .base import CheckContext
from .citations import check_citations
from .media import check_media
from .refs import check_refs
from .tags import check_tags
from .unsourced import check_unsourced
from .words import check_words

Check = Callable[[CheckContext], list[Flag]]

__all__ = ["CHECKS", "FLAG_CODES", "Check", "CheckContext", "run_checks"]  # FLAG_CODES: described in codes.py

CHECKS: list[Check] = [check_refs, check_media, check_tags, check_citations, check_unsourced, check_words]


def run_checks(ctx: CheckContext) -> list[Flag]:
    flags: list[Flag] = []
    for check in CHECKS:
        flags.extend(check(ctx))
    return flags
