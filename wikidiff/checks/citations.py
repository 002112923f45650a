"""Citation errors visible in wikitext, for the refs this edit adds (code `citation-error`, field `kind`).

Kinds (the CS1/CS2 error each one renders as):
- `bare-url`: a ref that is only a URL ("bare URL" cleanup);
- `missing-title`: a citation template without a title ("Missing or empty |title=");
- `archive-url-without-date`: "|archive-url= requires |archive-date=";
- `access-date-without-url`: "|access-date= requires |url=";
- `missing-url`: `{{cite web}}` without a URL ("Missing or empty |url=").
Refs whose content the old revision already had are not judged: the edit did not add them.
"""

from __future__ import annotations

import re

from ..cite.index import definitions
from ..codes import shorten
from ..model import Flag, Span
from ..text.braces import all_calls
from ..text.document import Document
from ..text.scan import scan, strip_comments
from ..text.titles import canonical_key
from .base import CheckContext
from .media import norm_param

_BARE = re.compile(r"^\s*\[?\s*(?:https?:)?//[^\s\]]+\s*\]?\s*\.?\s*$", re.IGNORECASE)
#: the CS1/CS2 citation templates (names as MediaWiki titles with a lower-case first letter)
CS1 = frozenset({
    "citation", "cite web", "cite news", "cite journal", "cite book", "cite magazine", "cite report",
    "cite press release", "cite conference", "cite encyclopedia", "cite thesis", "cite av media", "cite document",
    "cite episode", "cite interview", "cite mailing list", "cite newsgroup", "cite podcast", "cite serial",
    "cite sign", "cite speech", "cite tech report", "cite arxiv", "cite biorxiv", "cite citeseerx", "cite ssrn",
    "cite map", "cite medrxiv", "cite techreport",
})
_TITLE_PARAMS = ("title", "script-title", "trans-title")


def citation_problems(content: str) -> list[tuple[str, str, str | None]]:
    """(kind, template, parameter) for each problem in one ref's content."""
    if _BARE.match(strip_comments(content)):
        return [("bare-url", "", None)]
    problems: list[tuple[str, str, str | None]] = []
    calls = all_calls(scan(content))
    for start in sorted(calls):  # outer calls first, as written
        call = calls[start]
        name = canonical_key(call.name)
        if name.lower() not in CS1:
            continue
        # a parameter counts when its value holds more than space and comments: asked from the value's start, so a
        # value holding a nest of templates costs its first characters, not its length
        params = {norm_param(k).replace("_", "-"): not _blank(content, *span) for k, span in call.arg_spans.items()}

        def has(*names: str, params: dict[str, bool] = params) -> bool:
            return any(params.get(n) for n in names)

        if not has(*_TITLE_PARAMS):
            problems.append(("missing-title", name, "title"))
        if has("archive-url", "archiveurl") and not has("archive-date", "archivedate"):
            problems.append(("archive-url-without-date", name, "archive-url"))
        any_url = any(v for k, v in params.items() if k.endswith("url") and not k.startswith("archive"))
        if has("access-date", "accessdate") and not any_url and not has("doi", "pmc"):
            problems.append(("access-date-without-url", name, "access-date"))
        if name.lower() == "cite web" and not any_url:
            problems.append(("missing-url", name, "url"))
    return problems


def _blank(text: str, lo: int, hi: int) -> bool:
    """Whether text[lo:hi] holds only white space and comments (an unclosed comment runs to the end)."""
    i = lo
    while i < hi:
        if text[i].isspace():
            i += 1
        elif text.startswith("<!--", i):
            j = text.find("-->", i + 4, hi)
            if j < 0:
                return True
            i = j + 3
        else:
            return False
    return True


_MESSAGES = {
    "bare-url": "a bare URL as a reference (no title, author or date)",
    "missing-title": "{{%s}} without a title (renders “Missing or empty |title=”)",
    "archive-url-without-date": "{{%s}} has |archive-url= without |archive-date=",
    "access-date-without-url": "{{%s}} has |access-date= without a URL",
    "missing-url": "{{%s}} without |url=",
}


def _contents(doc: Document) -> set[str]:
    """The squeezed contents of a revision's refs; once per Document."""
    found = doc.memo.get("citations.contents")
    if found is None:
        found = doc.memo["citations.contents"] = {c for _, c in definitions(doc)}
    return found


def check_citations(ctx: CheckContext) -> list[Flag]:
    old_contents = _contents(ctx.old)
    flags = []
    seen: set[str] = set()
    for ref, norm in definitions(ctx.new):
        if ref.via != "tag" or not ref.content:
            continue
        if norm in old_contents or norm in seen:
            continue
        seen.add(norm)
        for kind, template, param in citation_problems(ref.content):
            message = _MESSAGES[kind] % template if "%s" in _MESSAGES[kind] else _MESSAGES[kind]
            flags.append(Flag(
                "citation-error", "warning", message, ctx.new_section(ref.start),
                {"kind": kind, "template": template or None, "param": param, "name": ref.name,
                 "ref": shorten(ref.raw, 501, fold=False), "caused_by_edit": True},
                new_offset=ref.start, span=Span("new", ref.start, ref.end)))
    return flags
