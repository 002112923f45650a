"""Every reference in a revision, with the Cite extension's notion of name, group, definition and use.

Sources of refs:
- `<ref …>…</ref>` and `<ref …/>` tags found by the lexical scan (inside `<references>` they are list-defined);
- `{{reflist|refs=…}}` / `{{notelist|refs=…}}`: the refs in `refs=` are list-defined (English Wikipedia);
- `{{r|a|b}}`: invocations of a and b; `{{efn|name=x|text}}` / `{{refn|…}}`: a definition (or, without text, an
  invocation) in the template's group; `{{#tag:ref|text|name=x|group=g}}`: a definition.
Refs that other templates make (`{{sfn}}` and its kin) cannot be seen in wikitext; they are counted, not analysed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .braces import TemplateCall, find_templates
from .model import Ref
from .scan import REF_TAG, Scan, parse_attributes

#: {{efn}} family -> the group its notes go to (English Wikipedia's Template:Efn documentation).
EFN_GROUPS = {
    "efn": "lower-alpha", "efn-la": "lower-alpha", "efn-ua": "upper-alpha", "efn-lr": "lower-roman",
    "efn-ur": "upper-roman", "efn-lg": "lower-greek", "efn-num": "note",
}
#: templates that pass `refs=` to <references>, with their default group
LIST_TEMPLATES = {
    "reflist": "", "references": "", "refbegin": None, "notelist": "lower-alpha", "notelist-ua": "upper-alpha",
    "notelist-lr": "lower-roman", "notelist-ur": "upper-roman", "notelist-lg": "lower-greek",
    "notes": "lower-alpha",
}
#: templates whose refs are generated (names hashed from their arguments): counted, never analysed
OPAQUE_REF_TEMPLATES = frozenset({"sfn", "sfnp", "sfnm", "sfnmp", "sfn whole", "harvnb ref", "citeref"})

_NAME = r"\{\{\s*(?:[Tt]emplate\s*:\s*)?(NAMES)\s*(?:\||\}\})"


def _names_re(names) -> re.Pattern[str]:
    alts = "|".join(
        "[" + re.escape(n[0].upper()) + re.escape(n[0].lower()) + "]" + re.escape(n[1:]).replace(r"\ ", "[ _]+")
        for n in sorted(names, key=len, reverse=True)
    )
    return re.compile(_NAME.replace("NAMES", alts))


_R_RE = _names_re(["r"])
_EFN_RE = _names_re([*EFN_GROUPS, "refn"])
_LIST_RE = _names_re(LIST_TEMPLATES)
_TAG_RE = re.compile(r"\{\{\s*#tag\s*:\s*ref\s*\|", re.IGNORECASE)
_OPAQUE_RE = _names_re(OPAQUE_REF_TEMPLATES)


@dataclass
class RefIndex:
    """The refs of one revision plus what could not be analysed."""

    refs: list[Ref]
    unanalysed: Counter = field(default_factory=Counter)  # template name -> count (e.g. {"sfn": 12})
    has_references_list: bool = False


def _norm_tpl(name: str) -> str:
    return re.sub(r"[ _]+", " ", name.strip()).lower()


def _ref_from_tag(scan: Scan, el, list_defined: bool, list_group: str | None) -> Ref:
    attrs = parse_attributes(el.attrs_text)
    name = attrs.get("name") or None
    group = attrs.get("group", "")
    if list_defined and "group" not in attrs and list_group:
        group = list_group
    raw = scan.text[el.start:el.end]
    content = None if el.self_closing else scan.text[el.inner_start:el.inner_end]
    blank = content is None or not content.strip()
    error = None
    if name is not None and name.isdigit():
        error = "cite_error_ref_numeric_key"
    if "follow" in attrs and name is None:
        kind = "definition"
    elif blank:
        kind = "invocation"
        if name is None:
            error = error or ("cite_error_ref_no_key" if content is None else "cite_error_ref_no_input")
    else:
        kind = "definition"
    return Ref(kind, name, group, None if blank else content, el.start, el.end, raw, list_defined, "tag", error)


def index_refs(scan: Scan) -> RefIndex:
    """All refs of a scanned revision in document order."""
    text = scan.text
    refs: list[Ref] = []
    list_spans: list[tuple[int, int, str]] = []  # spans of refs=… arguments, with their group
    has_list = False
    for el in scan.elements:
        if el.name == "references":
            has_list = True
            if not el.self_closing:
                group = parse_attributes(el.attrs_text).get("group", "")
                list_spans.append((el.inner_start, el.inner_end, group))
    for call in find_templates(scan, _LIST_RE):
        has_list = True
        default = LIST_TEMPLATES.get(_norm_tpl(call.name)) or ""
        if "refs" in call.arg_spans:
            a, b = call.arg_spans["refs"]
            list_spans.append((a, b, call.args.get("group", default) or default))
    for el in scan.elements:
        if el.name != REF_TAG:
            continue
        container = next(((g, True) for a, b, g in list_spans if a <= el.start < b), (None, False))
        refs.append(_ref_from_tag(scan, el, container[1], container[0]))
    for call in find_templates(scan, _R_RE):
        refs.extend(_refs_from_r(call))
    for call in find_templates(scan, _EFN_RE):
        ref = _ref_from_note_template(text, call)
        if ref is not None:
            refs.append(ref)
    for call in find_templates(scan, _TAG_RE):
        refs.append(_ref_from_tag_function(text, call))
    unanalysed: Counter = Counter(_norm_tpl(c.name) for c in find_templates(scan, _OPAQUE_RE))
    refs.sort(key=lambda r: r.start)
    return RefIndex(refs, unanalysed, has_list)


def _refs_from_r(call: TemplateCall) -> list[Ref]:
    group = call.args.get("group", call.args.get("g", "")).strip()
    out = []
    i = 1
    while str(i) in call.args:
        name = call.args[str(i)].strip()
        if name:
            out.append(Ref("invocation", name, group, None, call.start, call.end,
                           "{{" + call.name + "|" + name + "}}", False, "template:r"))
        i += 1
    return out


def _ref_from_note_template(text: str, call: TemplateCall) -> Ref | None:
    tname = _norm_tpl(call.name)
    group = call.args.get("group", EFN_GROUPS.get(tname, "")).strip()
    name = (call.args.get("name") or "").strip() or None
    body = call.args.get("1", call.args.get("text", ""))
    raw = text[call.start:call.end]
    if body.strip():
        return Ref("definition", name, group, body.strip(), call.start, call.end, raw, False, f"template:{tname}")
    if name:
        return Ref("invocation", name, group, None, call.start, call.end, raw, False, f"template:{tname}")
    return None


def _ref_from_tag_function(text: str, call: TemplateCall) -> Ref:
    name = (call.args.get("name") or "").strip() or None
    group = (call.args.get("group") or "").strip()
    body = call.args.get("1", "")
    raw = text[call.start:call.end]
    kind = "definition" if body.strip() else "invocation"
    return Ref(kind, name, group, body.strip() or None, call.start, call.end, raw, False, "#tag")
