"""Plain data types that flow through wikidiff: revisions, refs, sections, changes and flags."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from .codes import Severity


@dataclass(frozen=True)
class RevisionMeta:
    """What is known about one revision besides its text (all optional for local files)."""

    revid: int | None = None
    parentid: int | None = None
    title: str | None = None
    timestamp: str | None = None
    user: str | None = None
    comment: str | None = None
    size: int | None = None
    sha1: str | None = None
    site: str | None = None
    source: str | None = None  # a file path, a URL, "api", "cache", "dump" …

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Ref:
    """One `<ref>` as MediaWiki's Cite extension sees it.

    `kind` is "definition" (has content) or "invocation" (`<ref name=x/>`, or a named ref with blank content).
    Offsets are character offsets in the revision text; `group` is "" for the default group.
    """

    kind: Literal["definition", "invocation"]
    name: str | None
    group: str
    content: str | None
    start: int
    end: int
    raw: str
    list_defined: bool = False
    via: str = "tag"  # "tag", "#tag", or "template:<name>" for refs made by {{r}}, {{efn}}, {{refn}}
    error: str | None = None  # a Cite error key this ref triggers by itself (e.g. cite_error_ref_numeric_key)


@dataclass(frozen=True)
class Section:
    """A section of a revision: the lead (level 0, heading None) or a heading and the text up to the next one."""

    index: int
    level: int
    heading: str | None
    path: tuple[str, ...]
    start: int  # offset of the heading line (or 0 for the lead)
    body_start: int  # offset just after the heading line
    end: int
    digest: str  # hash of the whole section text (heading included)
    body_digest: str  # hash of the body alone

    @property
    def label(self) -> str | None:
        """The heading path joined with " > " (None for the lead)."""
        return " > ".join(self.path) if self.path else None


@dataclass
class DiffOp:
    """One run of a word-level diff, with offsets into the old and new revision texts."""

    op: Literal["equal", "delete", "insert"]
    text: str
    old_offset: int
    new_offset: int

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "text": self.text, "old_offset": self.old_offset, "new_offset": self.new_offset}


@dataclass
class SectionChange:
    change: Literal["added", "removed", "modified", "moved", "renamed"]
    old: Section | None
    new: Section | None
    moved: bool = False
    renamed: bool = False
    modified: bool = False
    ops: list[DiffOp] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        def span(s: Section | None) -> list[int] | None:
            return [s.start, s.end] if s else None

        words_added = sum(len(o.text.split()) for o in self.ops if o.op == "insert")
        words_removed = sum(len(o.text.split()) for o in self.ops if o.op == "delete")
        return {
            "change": self.change,
            "old_heading": self.old.heading if self.old else None,
            "new_heading": self.new.heading if self.new else None,
            "old_path": list(self.old.path) if self.old else None,
            "new_path": list(self.new.path) if self.new else None,
            "old_index": self.old.index if self.old else None,
            "new_index": self.new.index if self.new else None,
            "old_range": span(self.old),
            "new_range": span(self.new),
            "moved": self.moved,
            "renamed": self.renamed,
            "modified": self.modified,
            "words_added": words_added,
            "words_removed": words_removed,
            "diff": [o.to_dict() for o in self.ops if o.op != "equal"],
        }


@dataclass
class RefChange:
    change: Literal["added", "removed", "modified"]
    name: str | None
    group: str
    old: Ref | None
    new: Ref | None
    section: str | None = None
    matched_by: str | None = None  # "name", "url", "content"

    def to_dict(self) -> dict[str, Any]:
        return {
            "change": self.change,
            "name": self.name,
            "group": self.group or None,
            "old": self.old.content if self.old else None,
            "new": self.new.content if self.new else None,
            "old_name": self.old.name if self.old else None,
            "new_name": self.new.name if self.new else None,
            "section": self.section,
            "matched_by": self.matched_by,
            "old_offset": self.old.start if self.old else None,
            "new_offset": self.new.start if self.new else None,
        }


@dataclass(frozen=True)
class Span:
    """Where a flag points: character offsets [start, end) into the old or the new revision's text."""

    side: Literal["old", "new"]
    start: int
    end: int

    def to_dict(self) -> dict[str, Any]:
        return {"side": self.side, "start": self.start, "end": self.end}


@dataclass
class Flag:
    """One finding for an editor: a code, a severity, a message, where it is and code-specific fields."""

    code: str
    severity: Severity
    message: str
    section: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    old_offset: int | None = None
    new_offset: int | None = None
    span: Span | None = None  # the flagged text, set by the check that raised the flag

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"code": self.code, "severity": self.severity, "message": self.message,
                             "section": self.section}
        d.update(self.fields)
        d["old_offset"] = self.old_offset
        d["new_offset"] = self.new_offset
        d["span"] = self.span.to_dict() if self.span else None
        return d
