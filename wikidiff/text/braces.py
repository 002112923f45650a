"""Finding templates by name and splitting their arguments, without a full parse and without recursion.

One left-to-right pass with an explicit stack pairs every `{{` with its `}}` (skipping comments and extension
tags as the preprocessor does) and splits each call's arguments at its own top-level `|` and `=`; a regular
expression then picks the calls that matter (`{{r}}`, `{{efn}}`, `{{reflist|refs=…}}`, infoboxes, tags …).

Calls keep spans, not copies: an argument's value is read from the page text when asked, so memory stays linear
in the text however deep templates nest (`{{a|{{a|…}}}}` 20,000 deep holds every level inside every outer one).
Names longer than a title can be (MediaWiki: 255 bytes) name no template or parameter anything looks up; such a
call gets the name "" and such an argument is left out, which keeps their copies out too.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass

from .scan import Scan

_BRACE = re.compile(r"\{\{+|\}\}|\[\[|\]\]|\||=")
#: outside every call only an opening counts (the other tokens of _BRACE are skipped there)
_OPEN = re.compile(r"\{\{+")
#: the longest template or parameter name kept (a title has at most 255 bytes, so at most 255 characters)
MAX_NAME = 255


class Args(Mapping[str, str]):
    """A call's arguments by name (positional ones "1", "2", …), each value read from the text when asked:
    named values stripped of surrounding white space, positional ones as written (as the preprocessor does)."""

    __slots__ = ("_named", "_read", "_spans", "_text")

    def __init__(self, text: str, spans: dict[str, tuple[int, int]], named: frozenset[str],
                 read: Callable[[int, int], str] | None = None) -> None:
        self._text = text
        self._spans = spans
        self._named = named
        self._read = read

    def __getitem__(self, key: str) -> str:
        a, b = self._spans[key]
        value = self._text[a:b] if self._read is None else self._read(a, b)
        return value.strip() if key in self._named else value

    def read_with(self, reader: CallReader) -> Args:
        """The same arguments, their values read by `reader` (the calls it skips shown as `{{Name …}}`)."""
        return Args(self._text, self._spans, self._named, reader.read)

    def __iter__(self) -> Iterator[str]:
        return iter(self._spans)

    def __len__(self) -> int:
        return len(self._spans)

    def __contains__(self, key: object) -> bool:
        return key in self._spans

    def head(self, key: str, limit: int) -> str:
        """The value of `key` as read by `args[key]`, cut to `limit` characters (the last one "…") without reading
        the rest: a value can hold a whole nest of templates."""
        a, b = self._spans[key]
        named = key in self._named
        if named:
            while a < b and self._text[a].isspace():
                a += 1
        if b - a <= limit:
            value = self._text[a:b]
            return value.rstrip() if named else value
        return self._text[a:a + max(0, limit - 1)] + "…"

    def __repr__(self) -> str:
        return f"Args({dict(self)!r})"


@dataclass(frozen=True)
class TemplateCall:
    """One `{{name|…}}`: its name as written, its span and its arguments (positional ones keyed "1", "2", …)."""

    name: str
    start: int
    end: int
    args: Mapping[str, str]
    arg_spans: dict[str, tuple[int, int]]  # value spans in the page text


def find_templates(scan: Scan, names_re: re.Pattern[str], lo: int = 0, hi: int | None = None
                   ) -> Iterator[TemplateCall]:
    """Yield each template whose opening `names_re` matches (at `{{`), starting within text[lo:hi]."""
    text = scan.text
    calls = all_calls(scan)
    for m in names_re.finditer(text, lo, len(text) if hi is None else hi):
        call = calls.get(m.start())
        if call is not None:
            yield call


def all_calls(scan: Scan) -> dict[int, TemplateCall]:
    """Every closed template call of the page, by start offset: one left-to-right pass with an explicit stack
    (linear in the text, whatever the nesting), memoised on the Scan."""
    cached = scan.__dict__.get("_template_calls")
    if cached is None:
        cached = scan.__dict__["_template_calls"] = _read_all(scan)
    return cached


@dataclass
class _Frame:
    start: int
    bars: list[int]
    equals: dict[int, int]  # argument number -> offset of its first top-level "="
    links: int = 0


def _read_all(scan: Scan) -> dict[int, TemplateCall]:
    text = scan.text
    calls: dict[int, TemplateCall] = {}
    stack: list[_Frame] = []
    pos = 0
    heading_end = -1  # inside a heading line of an argument until here
    while True:
        m = (_BRACE if stack else _OPEN).search(text, pos)
        if m is None:
            return calls
        p = m.start()
        if scan.is_opaque(p):
            pos = scan.next_opaque_end(p)
            continue
        tok = m.group()
        pos = m.end()
        if tok[0] == "{":  # a run of n braces opens n // 2 calls, counted from its right end: `{{{!}}` is `{` + `{{!}}`
            stack.extend(_Frame(q, [], {}) for q in range(pos - len(tok) // 2 * 2, pos, 2))
        elif not stack:
            continue
        elif tok == "}}":
            frame = stack.pop()
            calls[frame.start] = _make_call(text, frame, pos)
        elif tok == "[[":
            stack[-1].links += 1
        elif tok == "]]":
            stack[-1].links = max(0, stack[-1].links - 1)
        elif tok == "=" and (p == 0 or text[p - 1] == "\n"):
            # a heading line inside an argument: as in the preprocessor, its "=" (and any "|") are the heading's,
            # not the argument's separator
            line_end = text.find("\n", p)
            heading_end = len(text) if line_end < 0 else line_end
        elif p < heading_end:
            continue
        elif stack[-1].links == 0:
            if tok == "|":
                stack[-1].bars.append(p)
            elif stack[-1].bars:  # "=": only the first one of an argument names it
                stack[-1].equals.setdefault(len(stack[-1].bars), p)


def _name(text: str, a: int, b: int) -> str | None:
    """text[a:b] stripped, or None when even stripped it is longer than any name can be (read without a copy of
    the whole span)."""
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return text[a:b] if b - a <= MAX_NAME else None


def _make_call(text: str, frame: _Frame, end: int) -> TemplateCall:
    inner_start, inner_end = frame.start + 2, end - 2
    cuts = [*frame.bars, inner_end]
    name = _name(text, inner_start, cuts[0]) or ""
    spans: dict[str, tuple[int, int]] = {}
    named: set[str] = set()
    position = 0
    for n, (a, b) in enumerate(zip(cuts[:-1], cuts[1:], strict=True), start=1):
        eq = frame.equals.get(n)
        if eq is not None:
            key = _name(text, a + 1, eq)
            if key is not None:
                spans[key] = (eq + 1, b)
                named.add(key)
        else:
            position += 1
            spans[str(position)] = (a + 1, b)
            named.discard(str(position))
    return TemplateCall(name, frame.start, end, Args(text, spans, frozenset(named)), spans)


def _ordered_spans(scan: Scan) -> list[tuple[int, int]]:
    ordered = scan.__dict__.get("_template_spans")
    if ordered is None:  # sorted once per revision: callers ask line by line
        ordered = scan.__dict__["_template_spans"] = sorted((c.start, c.end) for c in all_calls(scan).values())
    return ordered


def holds_call(scan: Scan, lo: int, hi: int) -> bool:
    """Whether a template call starts within text[lo:hi] (asked without reading the text: values can nest deep)."""
    ordered = _ordered_spans(scan)
    i = bisect_left(ordered, (lo, -1))
    return i < len(ordered) and ordered[i][0] < hi


class CallReader:
    """Reads text with chosen calls nested in it shown as `{{Name …}}`: calls that stand for themselves (a template
    with images of its own, a note inside a note) are read on their own, so a value costs only its own text to
    read, however deep such calls nest (`{{efn|{{efn|…}}}}`)."""

    __slots__ = ("_calls", "_starts", "_text")

    def __init__(self, text: str, calls: Iterable[TemplateCall]) -> None:
        self._text = text
        self._calls = sorted(calls, key=lambda c: c.start)
        self._starts = [c.start for c in self._calls]

    def read(self, lo: int, hi: int) -> str:
        """text[lo:hi] with the chosen calls that start in it (and everything nested in them) as `{{Name …}}`."""
        parts: list[str] = []
        pos = lo
        i = bisect_left(self._starts, lo)
        while i < len(self._starts) and self._starts[i] < hi:
            call = self._calls[i]
            if call.end > hi:  # cannot happen for a value (calls nest), but never read past it
                break
            parts += (self._text[pos:call.start], "{{", call.name, " …}}")
            pos = call.end
            i = bisect_left(self._starts, pos, i)  # over everything nested in that call at once
        parts.append(self._text[pos:hi])
        return "".join(parts)

    def raw(self, call: TemplateCall) -> str:
        """The call as written, the chosen calls nested in it shown as `{{Name …}}`."""
        return self._text[call.start:call.start + 2] + self.read(call.start + 2, call.end - 2) + "}}"


def template_spans(scan: Scan, lo: int, hi: int) -> list[tuple[int, int]]:
    """Spans of the outermost templates that start within text[lo:hi] (unclosed ones are left out)."""
    ordered = _ordered_spans(scan)
    spans: list[tuple[int, int]] = []
    for i in range(bisect_left(ordered, (lo, -1)), len(ordered)):
        start, end = ordered[i]
        if start >= hi:
            break
        if not (spans and start < spans[-1][1]):
            spans.append((start, end))
    return spans
