"""The flag rules. Each is a function CheckContext -> list[Flag]; CHECKS runs them in this order."""

from __future__ import annotations

from collections.abc import Callable

from ..model import Flag
from .base import CheckContext
from .citations import check_citations
from .media import check_media
from .refs import check_refs
from .tags import check_tags
from .unsourced import check_unsourced
from .words import check_words

Check = Callable[[CheckContext], list[Flag]]

#: every flag code the checks can emit (stable: history tables have one column per code)
FLAG_CODES: tuple[str, ...] = (
    "broken-ref", "duplicate-ref", "empty-ref", "ref-error", "unused-ref", "image-caption-swap", "image-changed",
    "caption-changed", "tag-added", "tag-removed", "citation-error", "unsourced-text", "words-to-watch",
    "image-added", "image-removed",
)

CHECKS: list[Check] = [check_refs, check_media, check_tags, check_citations, check_unsourced, check_words]


def run_checks(ctx: CheckContext) -> list[Flag]:
    flags: list[Flag] = []
    for check in CHECKS:
        flags.extend(check(ctx))
    return flags
