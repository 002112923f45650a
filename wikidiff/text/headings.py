"""Heading lines as MediaWiki's parser reads them: `=` runs at both ends of a line outside comments and tags.

A heading's level is the shorter of its two `=` runs (at most 6); the extra `=` of the longer run belong to the
title. A comment may follow the heading on its line, or start there and run over several lines.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from .scan import Scan, strip_comments

_HEADING = re.compile(r"^(=+)(.*?)(=+)[ \t]*$")


def headings(sc: Scan) -> list[tuple[int, int, int, str]]:
    """(line start, line end, level, title) for each heading line outside comments and extension tags."""
    out: list[tuple[int, int, int, str]] = []
    text = sc.text
    for start in _equals_lines(text):
        if sc.is_opaque(start):
            continue
        line_end = text.find("\n", start)
        line_end = len(text) if line_end < 0 else line_end
        line = text[start:line_end]
        if "<!--" in line:  # a comment may follow the heading, or run on over several lines
            end = sc.next_opaque_end(start + line.index("<!--"))
            if end > line_end:
                nl = text.find("\n", end)
                line_end = len(text) if nl < 0 else nl
                line = text[start:line_end]
            line = strip_comments(line)
        found = heading_of(line)
        if found is not None:
            out.append((start, line_end, *found))
    return out


def _equals_lines(text: str) -> Iterator[int]:
    """Where each line that starts with `=` starts."""
    if text.startswith("="):
        yield 0
    at = text.find("\n=")
    while at >= 0:
        yield at + 1
        at = text.find("\n=", at + 1)


def heading_of(line: str) -> tuple[int, str] | None:
    """(level, title) when one line of wikitext (comments already gone) is a heading, else None."""
    h = _HEADING.match(line.strip("\r\n"))
    if not h:
        return None
    left, title, right = h.groups()
    level = min(len(left), len(right), 6)
    title = (left[level:] + title + right[level:]).strip()
    if not title and len(left) + len(right) < 2:
        return None
    return level, title
