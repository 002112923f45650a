"""Finding templates by name and splitting their arguments, without a full parse and without recursion.

Used where only a few known templates matter (`{{r}}`, `{{efn}}`, `{{reflist|refs=…}}`, `{{#tag:ref}}`): a
regular expression finds the candidates, an iterative brace counter finds each one's end, skipping comments and
extension tags exactly as the preprocessor does.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from .scan import Scan

_BRACE = re.compile(r"\{\{|\}\}|\[\[|\]\]|\||=")


@dataclass(frozen=True)
class TemplateCall:
    """One `{{name|…}}`: its name as written, its span and its arguments (positional ones keyed "1", "2", …)."""

    name: str
    start: int
    end: int
    args: dict[str, str]
    arg_spans: dict[str, tuple[int, int]]  # value spans in the page text


def find_templates(scan: Scan, names_re: re.Pattern[str], lo: int = 0, hi: int | None = None
                   ) -> Iterator[TemplateCall]:
    """Yield each template whose opening `names_re` matches (at `{{`), starting within text[lo:hi]."""
    text = scan.text
    for m in names_re.finditer(text, lo, len(text) if hi is None else hi):
        start = m.start()
        if scan.is_opaque(start):
            continue
        call = _read_call(scan, start)
        if call is not None:
            yield call


def _read_call(scan: Scan, start: int) -> TemplateCall | None:
    """Read the template opening at `start` up to its matching `}}`; None when it never closes."""
    text = scan.text
    depth_braces, depth_links = 0, 0
    pos = start
    bars: list[int] = []
    equals: dict[int, int] = {}  # argument number -> offset of its first top-level "="
    while True:
        m = _BRACE.search(text, pos)
        if m is None:
            return None
        p = m.start()
        if scan.is_opaque(p):
            pos = scan.next_opaque_end(p)
            continue
        tok = m.group()
        pos = m.end()
        if tok == "{{":
            depth_braces += 1
        elif tok == "}}":
            depth_braces -= 1
            if depth_braces == 0:
                break
        elif tok == "[[":
            depth_links += 1
        elif tok == "]]":
            depth_links = max(0, depth_links - 1)
        elif depth_braces == 1 and depth_links == 0:
            if tok == "|":
                bars.append(p)
            elif bars:  # "=": only the first one of an argument names it
                equals.setdefault(len(bars), p)
    end = pos
    inner_start, inner_end = start + 2, end - 2
    cuts = [*bars, inner_end]
    name = text[inner_start:cuts[0]].strip()
    args: dict[str, str] = {}
    spans: dict[str, tuple[int, int]] = {}
    position = 0
    for n, (a, b) in enumerate(zip(cuts[:-1], cuts[1:], strict=True), start=1):
        eq = equals.get(n)
        if eq is not None:
            key = text[a + 1:eq].strip()
            args[key] = text[eq + 1:b].strip()
            spans[key] = (eq + 1, b)
        else:
            position += 1
            args[str(position)] = text[a + 1:b]
            spans[str(position)] = (a + 1, b)
    return TemplateCall(name, start, end, args, spans)


_OPEN = re.compile(r"\{\{")


def template_spans(scan: Scan, lo: int, hi: int) -> list[tuple[int, int]]:
    """Spans of the outermost templates that start within text[lo:hi] (unclosed ones are left out)."""
    spans: list[tuple[int, int]] = []
    pos = lo
    while True:
        m = _OPEN.search(scan.text, pos, hi)
        if m is None:
            return spans
        if scan.is_opaque(m.start()):
            pos = scan.next_opaque_end(m.start())
            continue
        call = _read_call(scan, m.start())
        if call is None:
            pos = m.end()
            continue
        spans.append((call.start, call.end))
        pos = call.end
