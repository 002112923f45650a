"""Every reference in a revision, with the Cite extension's notion of name, group, definition and use.

Sources of refs:
- `<ref …>…</ref>` and `<ref …/>` tags found by the lexical scan (inside `<references>` they are list-defined);
- `{{reflist|refs=…}}` / `{{notelist|refs=…}}` / `{{#tag:references|…}}`: the refs in the list are list-defined
  (in the list's group, whatever their own group attribute says) unless they sit inside another ref's content;
- `{{r|a|b}}`: invocations of a and b; `{{efn|name=x|text}}` / `{{refn|…}}`: a definition (or, without text, an
  invocation) in the template's group; `{{#tag:ref|text|name=x|group=g}}`: a definition.
- per wiki (data/ref_templates.json), templates whose `name=` parameter names the ref they emit (ruwiki's
  `{{sfn|…|name=x}}`): a definition of x.
Refs that other templates make (`{{sfn}}` and its kin) cannot be seen in wikitext; they are counted, not analysed.
Attribute values passed through templates (`{{reflist|group="note"}}`, `{{efn|name="a"}}`) reach `{{#tag:}}`, which
drops one pair of enclosing quotes.

Besides the refs, the index lists what Cite's parser hooks would be called with, in the order it would call them
(`CiteCall`s and `RefList`s: `<references>`, `{{reflist}}`, `{{#tag:references}}`), with each tag's own validation
already done; checks/refs.py replays that order to find the page-wide errors.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

from ..model import Ref
from ..text.braces import Args, CallReader, TemplateCall, find_templates, holds_call
from ..text.document import Document
from ..text.intervals import Innermost
from ..text.memo import TextMemo
from ..text.scan import REF_TAG, Scan, parse_attributes
from ..text.titles import canonical_key

#: {{efn}} family -> the group its notes go to (English Wikipedia's Template:Efn documentation).
EFN_GROUPS = {
    "efn": "lower-alpha", "efn-la": "lower-alpha", "efn-ua": "upper-alpha", "efn-lr": "lower-roman",
    "efn-ur": "upper-roman", "efn-lg": "lower-greek", "efn-num": "note",
}
#: templates that render a references list (and pass `refs=` to it), with their default group; None: not a list
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
_TAG_LIST_RE = re.compile(r"\{\{\s*#tag\s*:\s*references\s*[|}]", re.IGNORECASE)
_OPAQUE_RE = _names_re(OPAQUE_REF_TEMPLATES)
#: Cite's test for a ref whose closing tag is missing: after dropping whole `<x …>…</x>` elements and comments,
#: the content still holds an opening <ref> or <references> tag (the first ref swallowed the next one)
_ELEMENT_START = re.compile(r"<(\w++)|<!--")
_ELEMENT_CLOSE = re.compile(r"</(\w+)\s*>")
_OPEN_REF_START = re.compile(r"<ref(?:erences)?\b", re.IGNORECASE)
_ASCII_DIGITS = re.compile(r"[0-9]+")

#: errors after which Cite drops the tag altogether (the others are warnings shown beside a working ref)
FATAL_ERRORS = frozenset({
    "cite_error_ref_no_key", "cite_error_ref_no_input", "cite_error_ref_follow_conflicts",
    "cite_error_included_ref", "cite_error_references_no_key", "cite_error_empty_references_define",
    "cite_error_details_missing_parent",
})
#: the attributes <ref> accepts (others draw a warning); `details` only where sub-referencing is enabled
REF_ATTRIBUTES = frozenset({"group", "name", "follow", "dir", "details"})
REF_DIRECTIONS = frozenset({"ltr", "rtl", "auto"})


@dataclass(frozen=True)
class CiteCall:
    """One ref as Cite's `<ref>` hook receives it: the name it is keyed on (None for a numeric name, which Cite
    drops with a warning), its follow= target, and whether an error makes Cite drop the ref altogether."""

    ref: Ref
    name: str | None
    follow: str | None
    fatal: bool
    order: int  # position in Cite's processing order (the end of the tag or template)


@dataclass(frozen=True)
class RefList:
    """A references list (`<references>`, `{{reflist}}`, `{{#tag:references}}`): after its own list-defined refs
    Cite renders and forgets every ref of its group so far."""

    group: str
    start: int
    end: int


@dataclass
class RefIndex:
    """The refs of one revision plus what could not be analysed."""

    refs: list[Ref]
    unanalysed: Counter = field(default_factory=Counter)  # template name -> count (e.g. {"sfn": 12})
    has_references_list: bool = False
    calls: list[CiteCall] = field(default_factory=list)  # in Cite's processing order
    lists: list[RefList] = field(default_factory=list)  # in document order


@lru_cache(maxsize=1)
def _ref_template_data() -> dict[str, Any]:
    return json.loads(resources.files("wikidiff.data").joinpath("ref_templates.json").read_text("utf-8"))["wikis"]


def ref_templates(lang: str) -> dict[str, Any]:
    """The wiki's entry of data/ref_templates.json (`name_param`, `defines_refs`), with template names as keys
    normalised by canonical_key; empty for a wiki the table does not list."""
    entry = _ref_template_data().get(lang, {})
    return {
        "name_param": {canonical_key(k): v for k, v in entry.get("name_param", {}).items()},
        "defines_refs": {canonical_key(k) for k in entry.get("defines_refs", ())},
    }


@lru_cache(maxsize=64)
def _wiki_res(lang: str) -> tuple[dict[str, str], re.Pattern[str] | None]:
    named = ref_templates(lang)["name_param"]
    return named, (_names_re(named) if named else None)


def is_numeric_name(name: str | None) -> bool:
    """Cite rejects names made of ASCII digits only (PHP's ctype_digit); other scripts' digits are fine."""
    return name is not None and _ASCII_DIGITS.fullmatch(name) is not None


def _validate(attrs: dict[str, str], content: str | None, list_group: str | None, raw_tag: bool
              ) -> tuple[str | None, str | None, bool]:
    """Cite's checks of one ref on its own, in Cite's order: (the error it shows, the name it keys on, whether
    Cite drops the ref). A dropped ref shows only its first error; a kept one shows its warnings, of which the
    one returned is a numeric name (it makes the ref anonymous) or else the first.

    `attrs` are the tag's attributes, `content` is None for a self-closing tag, `list_group` the group of the list
    the ref sits in (None outside lists); `raw_tag` is False for refs made by templates or {{#tag:ref}}, whose
    nested refs Cite has already replaced by markers."""
    name = attrs.get("name") or None
    follow = attrs.get("follow") or None
    details = attrs.get("details")  # sub-referencing: marks a nameless ref as a sub-reference, not an empty one
    errors: list[str] = []
    if any(a not in REF_ATTRIBUTES for a in attrs):
        errors.append("cite_error_ref_too_many_keys")
    key_name = name
    if is_numeric_name(name):
        errors.append("cite_error_ref_numeric_key")
        key_name = None
    elif is_numeric_name(follow):
        errors.append("cite_error_ref_numeric_key")
        return errors[0], key_name, True
    if follow and (name or details is not None):
        errors.append("cite_error_ref_follow_conflicts")
    if "dir" in attrs and attrs["dir"].lower() not in REF_DIRECTIONS:
        errors.append("cite_error_ref_invalid_dir")
    blank = content is None or not content.strip()
    if list_group is not None:
        if details is not None:
            errors.append("cite_error_details_unsupported_context")
        if "group" in attrs and attrs["group"] != list_group:
            errors.append("cite_error_references_group_mismatch")
        if not key_name:
            errors.append("cite_error_references_no_key")
        if blank:
            errors.append("cite_error_empty_references_define")
    else:
        if not key_name:
            if details is not None and blank:
                errors.append("cite_error_details_missing_parent")
            elif details:
                errors.append("cite_error_ref_with_details_no_name")
            elif content is None:
                errors.append("cite_error_ref_no_key")
            elif blank:
                errors.append("cite_error_ref_no_input")
        if raw_tag and content is not None and holds_open_ref(content):
            errors.append("cite_error_included_ref")
    if not errors:
        return None, key_name, False
    if any(e in FATAL_ERRORS for e in errors):
        return errors[0], key_name, True
    shown = "cite_error_ref_numeric_key" if "cite_error_ref_numeric_key" in errors else errors[0]
    return shown, key_name, False


def holds_open_ref(content: str) -> bool:
    """Whether a `<ref>` tag's content opens a `<ref …>` or `<references …>` outside its whole elements and comments
    (Cite's cite_error_included_ref). An element is whole from `<name …>` to the first `</name>` after it (the same
    case), a comment from `<!--` to the first `-->`. Each search for a closing tag or a `>` is answered from one
    pass over the content, so `<ref><ref>…` with nothing closed costs its length, not its square."""
    closes: dict[str, list[int]] = {}  # name -> starts of its closing tags, in order
    close_ends: dict[int, int] = {}
    for c in _ELEMENT_CLOSE.finditer(content):
        closes.setdefault(c.group(1), []).append(c.start())
        close_ends[c.start()] = c.end()
    gts = [i for i, ch in enumerate(content) if ch == ">"]
    comment_ends = [c.start() for c in re.finditer("(?=-->)", content)]

    def first(positions: list[int], at: int) -> int:
        i = bisect_left(positions, at)
        return positions[i] if i < len(positions) else -1

    kept: list[str] = []
    pos = at = 0
    while (m := _ELEMENT_START.search(content, at)) is not None:
        if m.group(1) is None:  # a comment
            close = first(comment_ends, m.end())
            end = close + 3 if close >= 0 else -1
        else:
            gt = first(gts, m.end())
            close = first(closes.get(m.group(1), []), gt + 1) if gt >= 0 else -1
            end = close_ends[close] if close >= 0 else -1
        if end < 0:  # not a whole element here: look again one character on, as a regular expression would
            at = m.start() + 1
            continue
        kept.append(content[pos:m.start()])
        pos = at = end
    kept.append(content[pos:])
    rest = "".join(kept)
    opened = _OPEN_REF_START.search(rest)
    return opened is not None and rest.find(">", opened.end()) >= 0


#: what a ref tag says by itself, by (attributes, content, list group): a page history meets the same tags in
#: revision after revision, and its Refs then share one content string
_tags: TextMemo[tuple] = TextMemo(4_000_000)


def forget() -> None:
    """Drop the remembered ref tags and contents (a reference run that must compute everything)."""
    _tags.clear()
    _squeezed.clear()


def _ref_from_tag(scan: Scan, el, list_group: str | None) -> tuple[Ref, CiteCall]:
    content = None if el.self_closing else scan.text[el.inner_start:el.inner_end]
    key = (el.attrs_text, content, list_group)
    got = _tags.get(key)
    if got is None:
        got = _tags.put(key, _read_tag(el.attrs_text, content, list_group),
                        len(el.attrs_text) + len(content or ""))
    kind, name, group, content, error, key_name, follow, fatal = got
    ref = Ref(kind, name, group, content, el.start, el.end, scan.text[el.start:el.end], list_group is not None,
              "tag", error)
    return ref, CiteCall(ref, key_name, follow, fatal, el.end)


def _read_tag(attrs_text: str, content: str | None, list_group: str | None) -> tuple:
    """(kind, name, group, content or None when blank, error, key name, follow, fatal) of one ref tag."""
    attrs = parse_attributes(attrs_text)
    name = attrs.get("name") or None
    follow = attrs.get("follow") or None
    # inside a list a ref always joins the list's group (another group attribute is only a warning)
    group = list_group if list_group is not None else attrs.get("group", "")
    blank = content is None or not content.strip()
    error, key_name, fatal = _validate(attrs, content, list_group, True)
    kind: Literal["definition", "invocation"] = (
        "definition" if (follow and name is None) or not blank else "invocation")
    return kind, name, group, None if blank else content, error, key_name, follow if not fatal else None, fatal


class _ListGroups:
    """The group of the list whose content holds a position, unless a ref made by a template or {{#tag:ref}} inside
    that list holds it (a ref in another ref's content is processed on its own, outside the list). Each lookup is a
    binary search, however many lists and notes the page has."""

    def __init__(self, lists: list[tuple[int, int, str]], bodies: list[tuple[int, int]]) -> None:
        self._lists = Innermost(lists)
        self._bodies = Innermost((a + 1, b, a) for a, b in bodies)  # strictly inside: a < pos < b

    def at(self, pos: int) -> str | None:
        found = self._lists.at(pos)
        if found is None:
            return None
        start, group = found
        body = self._bodies.at(pos)
        return None if body is not None and body[1] >= start else group


def index_refs(scan: Scan, lang: str = "en") -> RefIndex:
    """All refs of a scanned revision in document order, and Cite's view of them (`lang`: the wiki, for its own
    ref-making templates)."""
    text = scan.text
    pairs: list[tuple[Ref, CiteCall]] = []
    list_spans: list[tuple[int, int, str]] = []  # where refs are list-defined, with the list's group
    lists: list[RefList] = []
    for el in scan.elements:
        if el.name == "references":
            group = parse_attributes(el.attrs_text).get("group", "")
            lists.append(RefList(group, el.start, el.end))
            if not el.self_closing:
                list_spans.append((el.inner_start, el.inner_end, group))
    list_calls = list(find_templates(scan, _LIST_RE))
    for call in list_calls:
        default = LIST_TEMPLATES.get(canonical_key(call.name))
        if default is None:  # {{refbegin}} only formats a bibliography
            continue
        group = _tag_value(call.args.get("group", "")) or default
        lists.append(RefList(group, call.start, call.end))
        if "refs" in call.arg_spans:
            a, b = call.arg_spans["refs"]
            list_spans.append((a, b, group))
    for call in find_templates(scan, _TAG_LIST_RE):
        group = _tag_value(call.args.get("group", ""))
        lists.append(RefList(group, call.start, call.end))
        if "1" in call.arg_spans:
            a, b = call.arg_spans["1"]
            list_spans.append((a, b, group))
    # a list inside another list is not one (Cite ignores <references> while it reads a list)
    in_list = Innermost(list_spans)
    lists = [x for x in lists if in_list.at(x.start) is None]
    lists.sort(key=lambda x: x.start)
    has_list = bool(lists or list_calls)
    note_calls = list(find_templates(scan, _EFN_RE))
    tag_calls = list(find_templates(scan, _TAG_RE))
    bodies = [(c.start, c.end) for c in (*note_calls, *tag_calls)]

    list_group = _ListGroups(list_spans, bodies).at

    for el in scan.elements:
        if el.name == REF_TAG:
            pairs.append(_ref_from_tag(scan, el, list_group(el.start)))
    made_names: Counter = Counter()  # {{r}} names that templates make: known only after expansion
    for call in find_templates(scan, _R_RE):
        pairs.extend(_refs_from_r(scan, call, list_group(call.start), made_names))
    named_params, named_re = _wiki_res(lang)
    named_calls = list(find_templates(scan, named_re)) if named_re is not None else []
    # a ref made inside another's content is its own ref (Cite sees a marker there): each is read past the others
    reader = CallReader(text, [*note_calls, *tag_calls, *named_calls])
    for call in note_calls:
        pair = _ref_from_note_template(reader, call, list_group(call.start))
        if pair is not None:
            pairs.append(pair)
    for call in tag_calls:
        pairs.append(_ref_from_tag_function(reader, call, list_group(call.start)))
    made: set[int] = set()
    for call in named_calls:
        pair = _ref_from_named_template(reader, call, named_params, list_group(call.start))
        if pair is not None:
            pairs.append(pair)
            made.add(call.start)
    unanalysed: Counter = Counter(canonical_key(c.name) for c in find_templates(scan, _OPAQUE_RE)
                                  if c.start not in made)
    unanalysed.update(made_names)
    pairs.sort(key=lambda p: p[0].start)
    calls = sorted((c for _, c in pairs), key=lambda c: c.order)  # nested refs of a {{#tag:ref}} come first
    return RefIndex([r for r, _ in pairs], unanalysed, has_list, calls, lists)


def _template_ref(kind, name: str | None, group: str, content: str | None, call: TemplateCall, raw: str,
                  via: str, list_group: str | None, attrs: dict[str, str] | None = None, absent: bool = False
                  ) -> tuple[Ref, CiteCall]:
    """A ref made by a template or {{#tag:ref}} (`attrs`: the attributes it passes); `absent` marks one with no
    content argument at all."""
    if attrs is None:
        attrs = {k: v for k, v in (("name", name or ""), ("group", group)) if v}
    group = list_group if list_group is not None else group
    error, key_name, fatal = _validate(attrs, None if absent else (content or ""), list_group, False)
    ref = Ref(kind, name, group, content, call.start, call.end, raw, list_group is not None, via, error)
    follow = attrs.get("follow") or None
    return ref, CiteCall(ref, key_name, follow if not fatal else None, fatal, call.end)


def _args(reader: CallReader, call: TemplateCall) -> Mapping[str, str]:
    """The call's arguments read past the refs made inside it."""
    return call.args.read_with(reader) if isinstance(call.args, Args) else call.args


def _ref_from_named_template(reader: CallReader, call: TemplateCall, params: dict[str, str],
                             list_group: str | None) -> tuple[Ref, CiteCall] | None:
    """A wiki's footnote template given a ref name (`{{sfn|Author|2007|name=x}}` on ruwiki): a definition of x whose
    content is the call's other arguments (the same arguments make the same footnote)."""
    tname = canonical_key(call.name)
    args = _args(reader, call)
    name = _tag_value(args.get(params[tname], ""))
    if not name:
        return None
    content = "|".join(f"{k}={' '.join(v.split())}" for k, v in args.items() if k != params[tname])
    return _template_ref("definition", name, "", content or tname, call, reader.raw(call),
                         f"template:{tname}", list_group)


def _refs_from_r(scan: Scan, call: TemplateCall, list_group: str | None, made_names: Counter
                 ) -> list[tuple[Ref, CiteCall]]:
    """The invocations of `{{r|a|b}}`; a name a template makes (`{{r|{{…}}}}`) is counted in `made_names`, not
    read: it exists only after expansion (and reading nested ones would cost the square of their depth)."""
    group = _tag_value(call.args.get("group", call.args.get("g", "")))
    out = []
    i = 1
    while str(i) in call.args:
        if holds_call(scan, *call.arg_spans[str(i)]):
            made_names[canonical_key(call.name)] += 1
            i += 1
            continue
        name = _tag_value(call.args[str(i)])
        if name:
            out.append(_template_ref("invocation", name, group, None, call, "{{" + call.name + "|" + name + "}}",
                                     "template:r", list_group, absent=True))
        i += 1
    return out


def _ref_from_note_template(reader: CallReader, call: TemplateCall, list_group: str | None
                            ) -> tuple[Ref, CiteCall] | None:
    tname = canonical_key(call.name)
    args = _args(reader, call)
    group = _tag_value(args.get("group", EFN_GROUPS.get(tname, "")))
    name = _tag_value(args.get("name") or "") or None
    body = args.get("1", args.get("text", ""))
    raw = reader.raw(call)
    if body.strip():
        return _template_ref("definition", name, group, body.strip(), call, raw, f"template:{tname}", list_group)
    if name:
        return _template_ref("invocation", name, group, None, call, raw, f"template:{tname}", list_group,
                             absent=True)
    return None


def _tag_value(value: str) -> str:
    """A {{#tag:…}} attribute value: trimmed, and one pair of enclosing quotes removed (as the parser function does)."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _ref_from_tag_function(reader: CallReader, call: TemplateCall, list_group: str | None
                           ) -> tuple[Ref, CiteCall]:
    args = _args(reader, call)
    attrs = {k: _tag_value(v) for k, v in args.items() if not k.isdigit()}
    name = attrs.get("name") or None
    follow = attrs.get("follow") or None
    body = args.get("1", "")
    raw = reader.raw(call)
    kind = "definition" if body.strip() or (follow and name is None) else "invocation"
    return _template_ref(kind, name, attrs.get("group", ""), body.strip() or None, call, raw, "#tag", list_group,
                         attrs, absent="1" not in call.args)


def ref_index(doc: Document) -> RefIndex:
    """The refs of one revision as Cite reads them, indexed once per Document."""
    found = doc.memo.get("ref_index")
    if found is None:
        found = doc.memo["ref_index"] = index_refs(doc.scan, doc.lang)
    return found


def refs_of(doc: Document) -> list[Ref]:
    """Every ref of one revision, in text order."""
    return ref_index(doc).refs


#: contents with their white space squeezed, by content
_squeezed: TextMemo[str] = TextMemo(4_000_000)


def squeeze(content: str) -> str:
    """A ref's content as refs are compared: runs of white space as one space, trimmed."""
    got = _squeezed.get(content)
    return got if got is not None else _squeezed.put(content, " ".join(content.split()), len(content))


def definitions(doc: Document) -> list[tuple[Ref, str]]:
    """The refs of one revision that have content (definitions), in text order, each with its squeezed content;
    once per Document."""
    found = doc.memo.get("ref_definitions")
    if found is None:
        found = doc.memo["ref_definitions"] = [(r, squeeze(r.content)) for r in refs_of(doc)
                                               if r.kind == "definition" and r.content is not None]
    return found
