"""What each flag code means: its severities, what fires it and its fields; the severity table; `shorten` and
`visible`, the text helpers every report uses.

This is the one description every renderer reads (text, Markdown, wikitext, HTML, the JSON field reference in
docs/flags.md) and `checks.FLAG_CODES` lists. A check that adds a field documents it here.

A field's `show` says how reports present it: "inline" (a short value), "quote" (prose from the page), "wikitext"
(wikitext shown as written, in a block), "old"/"new" (the two sides of a change, shown as one "old → new" line
labelled by the flag's parameter), or "hidden" (in the JSON only). Fields the message already states are left out
of the terse reports (text, Markdown, wikitext) and shown in the HTML report.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
#: severities, worst first: the order reports list them in
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}
SEVERITY_TITLE: dict[str, str] = {"error": "Errors", "warning": "Warnings", "info": "Info"}
SEVERITY_MARK: dict[str, str] = {"error": "✗", "warning": "!", "info": "·"}

Show = Literal["inline", "quote", "wikitext", "old", "new", "hidden"]


def worst(severities: Iterable[str]) -> str | None:
    """The worst of some severities (None for none)."""
    return max(severities, key=SEVERITY_RANK.__getitem__, default=None)


def shorten(text: object, limit: int | None = None, *, fold: bool = True) -> str:
    """`text` on one line (runs of whitespace folded to one space; as written with `fold=False`), cut to `limit`
    characters, the last of them "…"."""
    s = str("" if text is None else text)
    if fold:
        s = " ".join(s.split())
    if limit is not None and len(s) > limit:
        return s[: max(0, limit - 1)] + "…"
    return s


#: what a terminal would act on: C0 controls (ESC, BEL, CR, BS …), DEL, C1 controls (CSI …), and the bidirectional
#: embeddings, overrides and isolates that reorder what follows them
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def visible(text: object, keep: str = "") -> str:
    """`text` with every terminal control character written out as an escape (`\\x1b`, `\\r`, `\\u202e`), so an
    edit cannot retitle a terminal, clear it, move the cursor or reorder a line; characters in `keep` (say "\\n")
    stay as they are."""
    s = str("" if text is None else text)
    return _UNSAFE.sub(lambda m: m.group() if m.group() in keep else m.group().encode("unicode_escape").decode(), s)


@dataclass(frozen=True)
class Field:
    """One code-specific field of a flag (a key of `Flag.fields`, and of the flag's JSON object)."""

    name: str
    type: str  # as a Python annotation of the JSON value
    meaning: str
    show: Show = "inline"
    label: str = ""  # how reports name it; the name with spaces by default
    in_message: bool = False  # the flag's message already says it: terse reports leave it out

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ")


@dataclass(frozen=True)
class Code:
    """One flag code: its severities (the default first), what fires it and its fields."""

    code: str
    severities: tuple[Severity, ...]
    fires: str
    fields: tuple[Field, ...]
    severity_rule: str = ""  # when a flag takes which severity, where it has more than one

    @property
    def default_severity(self) -> Severity:
        return self.severities[0]

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)


# fields several codes share
_NAME = Field("name", "str | None", "the ref name, as Cite decodes it", label="ref name", in_message=True)
_GROUP = Field("group", "str | None", "the ref group (None for the default group)", in_message=True)
_CAUSED = Field("caused_by_edit", "bool", "the old revision did not have this problem", label="caused by this edit")
_CITE_ERROR = Field("cite_error", "str", "the Cite error message key MediaWiki shows", label="Cite error")
_TEMPLATE = Field("template", "str", "the template's name as written (normalised like a title)", in_message=True)
_TAG = Field("tag", "str", "the canonical name of the maintenance tag")
_REASON = Field("reason", "str | None", "the tag's reason= parameter", in_message=True)
_DATE = Field("date", "str | None", "the tag's date= parameter")
_CONTEXT = Field("context", "str", "the sentence the tag annotates", show="quote", label="on")
#: what `verify` (wikidiff.verify: reconciling with the wiki's rendering) adds to the Cite flags
_VERIFIED = (
    Field("verified", "bool | None", "with verify: the rendered page shows this error (true), shows Cite's markup "
          "but not this error (false: severity info), or proves nothing (null)"),
    Field("verified_by", "str | None", "with verify: what the flag was checked against (rendered HTML …)",
          label="verified by"),
    Field("source", "str", "with verify: \"rendered\" for a flag only the rendered page shows", show="hidden"),
    Field("anchor", "str | None", "with verify: the id of the error's element in the rendered page", show="hidden"),
    Field("caused_by_edit_from", "str", "with verify: \"rendering\" when the old rendering decided caused_by_edit",
          show="hidden"),
)

CODES: dict[str, Code] = {c.code: c for c in (
    Code("broken-ref", ("error", "warning", "info"),
         "a named ref is invoked and defined nowhere in the new revision (Cite's \"invoked but never defined\")",
         (_NAME, _GROUP,
          Field("uses", "int | None", "how many invocations found no definition (null: seen only when rendered)"),
          _CAUSED,
          Field("suggestion", "str | None", "the old revision's definition of this name, to put back",
                show="wikitext", label="suggested definition"),
          Field("suggestion_source", "str | None", "where the suggestion was found", show="hidden"),
          Field("template_defined", "bool", "a comment at the use, or a transcluded template known to define refs, "
                "says a template defines the name", label="defined by a template"),
          Field("reason", "str | None", "why the name is taken as defined by a template", show="quote"),
          Field("rescue", "dict | None", "with the rescue option: where a definition was found (page, revision, "
                "wikitext)", show="hidden"),
          *_VERIFIED),
         "error when this edit broke it, warning when it was already broken, info when a template defines it or "
         "the rendered page shows no such error"),
    Code("duplicate-ref", ("error", "warning", "info"), "one name defined twice with different content",
         (_NAME, _GROUP, _CAUSED,
          Field("definitions", "list[str]", "the differing contents, in page order", show="wikitext"), *_VERIFIED),
         "error when this edit caused it, warning when it was already there; with verify, info when the rendered "
         "page shows no such error"),
    Code("empty-ref", ("error", "warning", "info"), "`<ref></ref>` or `<ref />` with no name and no content",
         (_CAUSED, _CITE_ERROR, Field("wikitext", "str", "the empty tag as written", show="wikitext"), *_VERIFIED),
         "error when this edit caused it, warning when it was already there; with verify, info when the rendered "
         "page shows no such error"),
    Code("ref-error", ("error", "warning", "info"),
         "a ref that Cite rejects by itself: a name that is a plain number, a missing </ref>, follow= with a name, "
         "a nameless or empty list-defined ref",
         (_NAME, _GROUP, _CITE_ERROR, _CAUSED, *_VERIFIED),
         "error when this edit caused it, warning when it was already there; with verify, info when the rendered "
         "page shows no such error"),
    Code("unused-ref", ("warning", "info", "error"), "a list-defined ref the text never uses",
         (_NAME, _GROUP, _CAUSED, *_VERIFIED),
         "warning when this edit caused it, info when it was already there; with verify, error when the renderings "
         "show this edit caused it, info when the rendered page shows no such error"),
    Code("image-caption-swap", ("warning",), "in one template, an image parameter and its caption both changed",
         (_TEMPLATE,
          Field("param", "str", "the image parameter", label="parameter"),
          Field("old", "str | None", "the old file name", show="old", in_message=True),
          Field("new", "str | None", "the new file name", show="new", in_message=True),
          Field("caption_param", "str | None", "the caption parameter", show="hidden"),
          Field("old_caption", "str | None", "the old caption", show="old"),
          Field("new_caption", "str | None", "the new caption", show="new"))),
    Code("image-changed", ("warning",), "an image parameter changed and its caption did not",
         (_TEMPLATE,
          Field("param", "str", "the image parameter", label="parameter", in_message=True),
          Field("old", "str | None", "the old file name", show="old", in_message=True),
          Field("new", "str | None", "the new file name", show="new", in_message=True),
          Field("caption_param", "str | None", "the caption parameter", show="hidden"),
          Field("caption", "str | None", "the (unchanged) caption", show="quote"))),
    Code("caption-changed", ("info",), "a caption changed and its image did not",
         (_TEMPLATE,
          Field("param", "str", "the caption parameter", label="parameter", in_message=True),
          Field("old", "str | None", "the old caption", show="old"),
          Field("new", "str | None", "the new caption", show="new"),
          Field("image", "str | None", "the (unchanged) file name", in_message=True))),
    Code("tag-added", ("info",),
         "an inline maintenance tag (`{{citation needed}}` and its aliases, `{{clarification needed}}`, `{{whom}}`, "
         "`{{failed verification}}` …) appeared",
         (_TAG, _TEMPLATE, _REASON, _DATE,
          Field("wikitext", "str", "the tag as written", show="wikitext", in_message=True), _CONTEXT)),
    Code("tag-removed", ("warning", "info"),
         "an inline maintenance tag disappeared; the flag gives the sentence it annotated and the text shown in "
         "its place",
         (_TAG, _TEMPLATE, _REASON, _DATE,
          Field("wikitext", "str", "the tag as written", show="wikitext", in_message=True), _CONTEXT,
          Field("replaced_by", "str | None", "the text the new revision has where the tag was", show="quote",
                label="replaced by"),
          Field("resolved_by_citation", "bool", "a sourcing tag removed where the edit put a citation in its "
                "sentence: resolved, not lost", label="resolved by a citation"),
          Field("citation", "str | None", "the citation the edit put there", show="wikitext")),
         "info when a citation the edit put resolves it, or for tags whose removal rarely loses information "
         "({{dead link}}), else warning"),
    Code("citation-error", ("warning", "error", "info"),
         "a ref the edit adds is a bare URL, or its `{{cite …}}` lacks a title, has `archive-url` without "
         "`archive-date`, `access-date` without a URL, or is a `{{cite web}}` without `url`; with verify, a Cite or "
         "CS1 error the rendered page shows",
         (Field("kind", "str", "bare-url, missing-title, archive-url-without-date, access-date-without-url or "
                "missing-url"),
          Field("template", "str | None", "the citation template (None for a bare URL)", in_message=True),
          Field("param", "str | None", "the parameter at fault", label="parameter"),
          _NAME,
          Field("ref", "str", "the ref as written (cut at 500 characters)", show="wikitext"),
          _CAUSED,
          Field("cite_error", "str | None", "with verify: the Cite error key the rendered page shows",
                label="Cite error"),
          Field("cs1", "str | None", "with verify: the CS1 message's kind (error, maint …)", label="CS1"),
          Field("hidden", "bool | None", "with verify: the CS1 message is hidden from readers"),
          Field("where", "str | None", "with verify: where on the rendered page the error shows", show="quote"),
          *_VERIFIED),
         "warning; with verify, error for a rendered Cite error this edit caused, info for a CS1 maintenance "
         "message or an error already there"),
    Code("unsourced-text", ("warning", "info"),
         "an added paragraph (or a sentence added after a paragraph's last citation) cites nothing",
         (Field("scope", "str", "paragraph or sentence", show="hidden"),
          Field("words", "int", "how many words lack a citation", show="hidden"),
          Field("text", "str", "the uncited text (cut at 300 characters)", show="quote")),
         "info in the lead, else warning"),
    Code("words-to-watch", ("info",),
         "added text uses a label, weasel word, editorialising, puffery or loaded said-word (MOS:LABEL, MOS:WEASEL "
         "…) outside quotes, refs and templates",
         (Field("word", "str", "the word as written", in_message=True),
          Field("category", "str", "the guideline's category (label, weasel, …)", show="hidden"),
          Field("guide", "str", "the guideline's shortcut (MOS:LABEL …)", in_message=True),
          Field("context", "str", "the words around it", show="quote", label="in"))),
    *(Code(code, ("warning",),
           f"an image parameter line (or a template with images) the edit {verb}"
           + (", or a second file put into the same value" if verb == "added" else ""),
           (_TEMPLATE,
            Field("param", "str", "the image parameter", label="parameter", in_message=True),
            Field(side, "str", f"the {verb} file (several: joined by commas)", in_message=True),
            Field("files", "list[str]", f"the {verb} files", in_message=True),
            Field("kept", "list[str] | None", "files the value already had, beside the added one", in_message=True),
            Field("caption_param", "str | None", "the caption parameter", show="hidden"),
            Field("caption", "str | None", "the image's caption", show="quote")))
      for code, verb, side in (("image-added", "added", "new"), ("image-removed", "removed", "old"))),
)}

#: every flag code the checks can emit, in a stable order (history tables have one column per code)
FLAG_CODES: tuple[str, ...] = tuple(CODES)


def code_doc(code: str) -> Code | None:
    return CODES.get(code)


@dataclass(frozen=True)
class Detail:
    """One line of a flag's details as reports show it.

    kind "inline"/"quote"/"wikitext" carry `value` (a list for several wikitext blocks); kind "change" carries
    `old` and `new`.
    """

    label: str
    kind: Literal["inline", "quote", "wikitext", "change"]
    value: Any = None
    old: Any = None
    new: Any = None


_KIND: dict[Show, Literal["inline", "quote", "wikitext"]] = {"inline": "inline", "quote": "quote",
                                                           "wikitext": "wikitext"}


def _blank(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def details(code: str, fields: dict[str, Any], terse: bool = False) -> Iterator[Detail]:
    """A flag's fields in the order its code documents them, as reports show them (blank and hidden ones
    skipped, and with `terse` those the message states; unknown fields shown inline after the documented ones)."""
    doc = CODES.get(code)
    documented = doc.fields if doc else ()
    seen: set[str] = set()
    pending_old: Field | None = None
    for f in documented:
        seen.add(f.name)
        if f.show == "hidden" or (terse and f.in_message and f.show != "new"):
            continue
        if f.show == "old":
            pending_old = f
            continue
        if f.show == "new":
            if terse and f.in_message:
                pending_old = None
                continue
            old_value = fields.get(pending_old.name) if pending_old else None
            new_value = fields.get(f.name)
            if not (_blank(old_value) and _blank(new_value)):
                label = _pair_label(pending_old or f, fields)
                yield Detail(label, "change", old=old_value, new=new_value)
            pending_old = None
            continue
        value = fields.get(f.name)
        if _blank(value):
            continue
        if f.name == "suggestion" and fields.get("suggestion_source"):
            yield Detail(f"{f.title} (from {fields['suggestion_source']})", "wikitext", value)
            continue
        yield Detail(f.title, _KIND[f.show], value)
    for name, value in fields.items():
        if name not in seen and not _blank(value):
            yield Detail(name.replace("_", " "), "inline", value)


def _pair_label(f: Field, fields: dict[str, Any]) -> str:
    """An old/new pair is named by the parameter it belongs to where the flag names one."""
    if f.name == "old_caption":
        return str(fields.get("caption_param") or "caption")
    return str(fields.get("param") or "value")


def reference_markdown() -> str:
    """docs/flags.md: every code with its severities, what fires it and its JSON fields."""
    out = ["# Flag codes", "",
           "Generated from `wikidiff/codes.py` (a test keeps this file equal to it). Every flag in the JSON report "
           "has `code`, `severity`, `message`, `section`, `old_offset`, `new_offset`, `span` (`side`, `start`, "
           "`end`: character offsets into that revision's text, or null) and the fields of its code below.", ""]
    for c in CODES.values():
        out += [f"## `{c.code}`", "", f"Fires when {c.fires}.", "",
                f"Severity: {' / '.join(c.severities)}" + (f" ({c.severity_rule})." if c.severity_rule else "."), "",
                "| field | type | meaning |", "|---|---|---|"]
        out += [f"| `{f.name}` | `{f.type.replace('|', '&#124;')}` | {f.meaning} |" for f in c.fields]
        out.append("")
    return "\n".join(out)
