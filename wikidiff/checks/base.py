"""What every check receives: both documents, the section changes, the moves, and cached per-revision facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from ..cite.state import RefState, ref_state
from ..diff.lines import LineBlocks, line_blocks
from ..diff.moves import Move, subtract_spans
from ..diff.rearranged import drop_rearranged, revision_sentences
from ..model import SectionChange, Span
from ..sources.siteinfo import SiteInfo
from ..text.document import Document
from ..text.titles import MaintenanceTags


@dataclass
class CheckContext:
    old: Document
    new: Document
    sections: list[SectionChange]
    lang: str = "en"
    notes: list[str] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)  # paragraphs moved by the edit, found by the diff layer
    kept: list[tuple[int, int]] = field(default_factory=list)  # new spans of paragraphs the old text had in place
    site_info: SiteInfo | None = None  # the wiki's own siteinfo when fetched; else the shipped one for `lang`
    tag_table: MaintenanceTags | None = None  # the tag aliases with the wiki's own redirects, when fetched

    @cached_property
    def tags(self) -> MaintenanceTags:
        """The inline maintenance tags and their aliases."""
        return self.tag_table if self.tag_table is not None else MaintenanceTags.default()

    @cached_property
    def site(self) -> SiteInfo:
        """The wiki's namespaces, magic words and interlanguage prefixes."""
        return self.site_info if self.site_info is not None else SiteInfo.shipped(self.lang)

    @cached_property
    def old_refs(self) -> RefState:
        return ref_state(self.old)

    @cached_property
    def new_refs(self) -> RefState:
        return ref_state(self.new)

    def new_section(self, offset: int) -> str | None:
        return self.new.section_at(offset).label

    def old_section(self, offset: int) -> str | None:
        return self.old.section_at(offset).label

    @cached_property
    def moved_new_spans(self) -> list[tuple[int, int]]:
        """New-revision spans of moved paragraphs and of paragraphs the old revision had word for word (shown as
        inserted under a new heading, say): their text is not new, so checks of added text skip it."""
        return sorted([(m.new_offset, m.new_offset + len(m.new_text)) for m in self.moves] + self.kept)

    @cached_property
    def inserted_spans(self) -> list[tuple[int, int]]:
        """New-revision spans this edit inserted, in order: moved paragraphs and sentences the old revision
        already had (a paragraph merged or split, a sentence moved) are left out."""
        spans = sorted((op.new_offset, op.new_offset + len(op.text)) for c in self.sections for op in c.ops
                       if op.op == "insert")
        out = subtract_spans(spans, self.moved_new_spans)
        if not out:
            return out
        return drop_rearranged(self.new.text, out, revision_sentences(self.old))

    @cached_property
    def line_blocks(self) -> LineBlocks:
        """The page's line diff, as MediaWiki's diff view pairs lines, over the changed sections only
        (computed only when a check asks)."""
        olds = sorted((c.old.start, c.old.end) for c in self.changed_pairs if c.old is not None)
        news = sorted((c.new.start, c.new.end) for c in self.changed_pairs if c.new is not None)
        return line_blocks(self.old.text, self.new.text, olds, news)

    @cached_property
    def changed_pairs(self) -> list[SectionChange]:
        """Section changes whose text differs (templates inside them may have changed)."""
        return [c for c in self.sections if c.modified or c.old is None or c.new is None]


def new_span(start: int, end: int) -> Span:
    """A flag's place in the new revision."""
    return Span("new", start, end)


def old_span(start: int, end: int) -> Span:
    """A flag's place in the old revision."""
    return Span("old", start, end)
