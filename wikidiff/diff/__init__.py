"""The diff layer: Document x Document -> word diffs, section changes, ref changes, line blocks and moves."""

from __future__ import annotations

from .lines import LineBlocks, line_blocks, replacement_line
from .moves import Move, ParagraphMap, find_moves, paragraph_map
from .refs import diff_refs, normalize_url, ref_url, url_key
from .sections import diff_sections, match_sections
from .words import word_diff

__all__ = ["LineBlocks", "Move", "ParagraphMap", "diff_refs", "diff_sections", "find_moves", "line_blocks",
           "match_sections", "normalize_url", "paragraph_map", "ref_url", "replacement_line", "url_key", "word_diff"]
