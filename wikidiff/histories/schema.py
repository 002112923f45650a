"""The tables a history run writes: each column and its kind (int, str, bool, float, ts, cat: a category), and the
run's counts."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..checks import FLAG_CODES


def flag_column(code: str) -> str:
    """The revisions column counting one flag code."""
    return "flags_" + code.replace("-", "_")


_PAGE = [("page_id", "int"), ("title", "str")]
TABLES: dict[str, list[tuple[str, str]]] = {
    "revisions": _PAGE + [
        ("namespace", "int"), ("revid", "int"), ("parent", "int"), ("prev_revid", "int"), ("timestamp", "ts"),
        ("user", "str"), ("anon", "bool"), ("comment", "str"), ("size", "int"), ("sha1", "str"),
        ("text_hidden", "bool"), ("audited", "bool"), ("identical", "bool"),
        ("bytes_added", "int"), ("bytes_removed", "int"), ("bytes_changed", "int"), ("size_change", "int"),
        ("sections_touched", "int"), ("sections", "str"),
        ("refs", "int"), ("refs_added", "int"), ("refs_removed", "int"), ("refs_modified", "int"),
        ("flag_count", "int"), ("errors", "int"), ("warnings", "int"),
        *[(flag_column(c), "int") for c in FLAG_CODES], ("flags_other", "int"), ("flags_restored", "int"),
        ("is_revert", "bool"), ("reverted_to", "int"), ("reverted_count", "int"), ("self_revert", "bool"),
        ("is_reverted", "bool"), ("reverted_by", "int"), ("source", "str"),
    ],
    "flags": _PAGE + [
        ("revid", "int"), ("prev_revid", "int"), ("timestamp", "ts"), ("user", "str"), ("code", "cat"),
        ("severity", "cat"), ("message", "str"), ("section", "str"), ("fields", "str"), ("old_offset", "int"),
        ("new_offset", "int"), ("restored", "bool"), ("is_revert", "bool"),
    ],
    "reverts": _PAGE + [
        ("reverting", "int"), ("reverted_to", "int"), ("reverted", "int"), ("distance", "int"), ("timestamp", "ts"),
        ("reverting_user", "str"), ("reverted_user", "str"), ("self_revert", "bool"),
    ],
    "refs": _PAGE + [
        ("ref", "str"), ("name", "str"), ("group", "str"), ("url", "str"), ("content", "str"),
        ("added_revid", "int"), ("added_timestamp", "ts"), ("added_by", "str"), ("added_by_revert", "bool"),
        ("present_at_start", "bool"), ("removed_revid", "int"), ("removed_timestamp", "ts"), ("removed_by", "str"),
        ("removal_reverted", "bool"), ("revisions", "int"),
    ],
    "mutual_reverts": _PAGE + [
        ("editor_a", "str"), ("editor_b", "str"), ("a_reverted_b", "int"), ("b_reverted_a", "int"),
        ("edits_a", "int"), ("edits_b", "int"), ("weight", "int"), ("topmost", "bool"),
    ],
    "pages": _PAGE + [
        ("namespace", "int"), ("source", "str"), ("complete", "bool"), ("revisions", "int"),
        ("first_timestamp", "ts"), ("last_timestamp", "ts"), ("editors", "int"), ("anon_edits", "int"),
        ("audited", "int"), ("flag_count", "int"), ("reverts", "int"), ("reverted_revisions", "int"),
        ("self_reverts", "int"), ("mutual_pairs", "int"), ("mutual_editors", "int"), ("M", "int"),
        ("refs_final", "int"), ("ref_lifetimes", "int"),
    ],
}



@dataclass
class RunStats:
    pages: int = 0
    revisions: int = 0
    parses: int = 0
    audits: int = 0
    cached_audits: int = 0
    complete: bool = True
    summaries: list[dict] = field(default_factory=list)


#: the categories of the `cat` columns, in this order (other values seen are added after them, sorted)
CATEGORIES: dict[str, tuple[str, ...]] = {"code": tuple(FLAG_CODES), "severity": ("error", "warning", "info")}
