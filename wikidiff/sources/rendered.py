"""Cite and CS1 errors read from a revision as MediaWiki rendered it (legacy parser HTML or Parsoid HTML).

Errors are read by class, id, attribute and key, never by their message text, which each wiki localises and
rewrites:

- Parsoid marks an erroneous node `typeof="… mw:Error"` with a `data-mw` JSON whose `errors` list carries Cite's
  keys (`cite_error_references_no_text`, with the ref name as first parameter); the references list repeats them in
  `<span typeof="mw:I18n" class="mw-ext-cite-error" data-mw-i18n=…>`, and a references list holding list-defined
  refs carries their HTML (with its own `data-mw`) in its `body.html`.
- The legacy parser renders `<span class="error mw-ext-cite-error">` (`warning mw-ext-cite-warning
  mw-ext-cite-warning-ID` for warnings, whose key the class names). Its key is known when the page was rendered with
  `uselang=qqx`, where the span holds `(cite_error: (KEY: params))`; otherwise the key of an invoked-but-undefined
  name is read from the structure — the error is the only content of the `<li id="cite_note-NAME-N">` of a
  references list — and other errors keep an unknown key (None).
- CS1/CS2 (Module:Citation/CS1) errors are `cs1-visible-error` / `cs1-hidden-error` spans whose help link's
  fragment is the error's anchor (`Help:CS1_errors#citation_missing_title`); maintenance messages are `cs1-maint`
  spans whose link names the tracking category.

`read_rendering(html)` returns a `Rendering`: the errors as `RenderedError` records, the ref names the page shows,
and whether it shows any Cite markup at all (a wiki without Cite, or an answer stripped of it, proves nothing).
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass, field
from html.parser import HTMLParser
from typing import Any, Literal
from urllib.parse import unquote

Family = Literal["cite", "cs1"]
Where = Literal["references", "ref", "body"]
KeySource = Literal["data-mw", "i18n", "qqx", "class", "structure", "help-link", "category"]

#: Cite error keys whose first parameter is a ref name
NAMED_KEYS = frozenset({
    "cite_error_references_no_text", "cite_error_references_duplicate_key", "cite_error_references_missing_key",
    "cite_error_empty_references_define", "cite_error_references_group_mismatch",
})
NO_TEXT = "cite_error_references_no_text"
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr"})
#: node types only Parsoid writes (the legacy parser writes mw:File… too)
_PARSOID_TYPES = ("mw:Extension/", "mw:Transclusion", "mw:Error", "mw:I18n", "mw:Param", "mw:ExpandedAttrs")
#: a Cite message key as uselang=qqx shows it: "(cite_error: (cite_error_references_no_text: bar))"
_QQX = re.compile(r"\((cite_(?:error|warning)_[a-z0-9_]+)(?::\s*(.*?))?\)\)?\s*$", re.DOTALL)


@dataclass(frozen=True)
class RenderedError:
    """One error the rendering shows.

    `family` "cite" (Cite's own errors and warnings) or "cs1" (citation templates); `key` the Cite message key or
    the CS1 anchor / maintenance category (None when the HTML does not say); `name`/`group` the ref concerned when
    recoverable (group "" is the default group, None unknown); `where` "ref" (on the ref's mark, Parsoid),
    "references" (in a references list) or "body"; `anchor` the id of the list item; `severity` "error",
    "warning" (Cite warnings) or "maint" (CS1 maintenance); `hidden` for CS1 errors not shown by default.
    """

    family: Family
    key: str | None
    name: str | None = None
    group: str | None = None
    where: Where = "body"
    anchor: str | None = None
    key_from: KeySource | None = None
    severity: Literal["error", "warning", "maint"] = "error"
    template: str | None = None
    hidden: bool = False
    params: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["params"] = list(self.params)
        return d


@dataclass
class Rendering:
    """What one rendered revision shows: its errors, the ref names it renders and whether Cite rendered at all."""

    parser: Literal["legacy", "parsoid"]
    errors: list[RenderedError] = field(default_factory=list)
    ref_names: set[str] = field(default_factory=set)  # names (normalised by ref_key) of refs the page renders
    cite_markup: bool = False  # any ref mark, references list or Cite error
    keys_known: bool = False  # every Cite error carries its key (Parsoid, or legacy rendered with uselang=qqx)
    citations: int = 0  # CS1/CS2 citations rendered (<cite class="citation …">)
    ref_headings: dict[str, str | None] = field(default_factory=dict)  # name key -> heading above its first mark

    def cite_errors(self, key: str | None = None) -> list[RenderedError]:
        return [e for e in self.errors if e.family == "cite" and (key is None or e.key == key)]

    def broken_names(self) -> set[tuple[str, str | None]]:
        """(name key, group or None) of every name the rendering reports as invoked but never defined."""
        return {(ref_key(e.name), e.group) for e in self.cite_errors(NO_TEXT) if e.name is not None}

    def to_dict(self) -> dict[str, Any]:
        return {"parser": self.parser, "cite_markup": self.cite_markup, "keys_known": self.keys_known,
                "errors": [e.to_dict() for e in self.errors]}


def ref_key(name: str) -> str:
    """A ref name as ids carry it (Cite writes spaces as underscores): for comparing names across sources."""
    return " ".join(name.replace("_", " ").split())


def name_from_note_id(anchor: str) -> str | None:
    """The ref name of a references-list item id `cite_note-NAME-N` (None for `cite_note-N`, an unnamed ref)."""
    if not anchor.startswith("cite_note-"):
        return None
    rest = anchor[len("cite_note-"):]
    head, sep, number = rest.rpartition("-")
    if not sep or not number.isdigit() or not head:
        return None
    return head.replace("_", " ")


def name_from_ref_id(anchor: str) -> str | None:
    """The ref name of a ref mark id `cite_ref-NAME_N-K` (None for `cite_ref-N`, an unnamed ref)."""
    if not anchor.startswith("cite_ref-"):
        return None
    head, sep, use = anchor[len("cite_ref-"):].rpartition("-")
    if not sep or not use.isdigit():
        return None
    name, sep, number = head.rpartition("_")
    if not sep or not number.isdigit() or not name:
        return None
    return name.replace("_", " ")


def read_rendering(html_text: str) -> Rendering:
    """Read a rendered revision (the `text` of action=parse, or Parsoid's page HTML)."""
    reader = _Reader()
    reader.feed(html_text)
    reader.close()
    return reader.result()


@dataclass
class _Open:
    """An open element and what the reader tracks about it."""

    tag: str
    classes: frozenset[str]
    attrs: dict[str, str]
    role: str | None = None  # "cite-error", "cs1-error", "cs1-maint", "note", "ref-text", "refs", "cs1-code"
    text: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)
    group: str | None = None
    has_other: bool = False  # a note's reference text holds something besides Cite errors


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[_Open] = []
        self.errors: list[RenderedError] = []
        self.ref_names: set[str] = set()
        self.cite_markup = False
        self.parsoid = False
        self.unknown_keys = 0
        self.last_template: str | None = None
        self.citations = 0
        self.heading: str | None = None  # the text of the last heading seen
        self.ref_headings: dict[str, str | None] = {}

    # helpers
    def _inside(self, role: str) -> _Open | None:
        for el in reversed(self.stack):
            if el.role == role:
                return el
        return None

    def _group(self) -> str | None:
        for el in reversed(self.stack):
            if el.group is not None:
                return el.group
        return None

    def _note(self) -> tuple[str | None, str | None]:
        note = self._inside("note")
        if note is None:
            return None, None
        anchor = note.attrs.get("id")
        return anchor, name_from_note_id(anchor) if anchor else None

    # parsing
    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = frozenset(a.get("class", "").split())
        el = _Open(tag, classes, a)
        typeof = a.get("typeof", "").split()
        for other in self.stack:  # text or markup inside a note's reference text that is not an error
            if (other.role == "ref-text" and not self._inside("cite-error")
                    and not {"mw-ext-cite-error", "mw-ext-cite-warning"} & classes):
                other.has_other = True
        if ("data-mw" in a or "data-mw-i18n" in a or "data-mw-section-id" in a
                or any(t.startswith(_PARSOID_TYPES) for t in typeof)):
            self.parsoid = True
        if tag == "ol" and "references" in classes:
            self.cite_markup = True
            el.role = "refs"
            el.group = a.get("data-mw-group", "")
        elif "mw-references-wrap" in classes or "mw:Extension/references" in typeof:
            self.cite_markup = True
            data = _json(a.get("data-mw"))
            attrs_mw = _dict(data.get("attrs"))
            el.group = str(attrs_mw.get("group", "")) if data else None
        elif tag == "li" and a.get("id", "").startswith("cite_note-"):
            el.role = "note"
            name = name_from_note_id(a["id"])
            if name is not None:
                self.ref_names.add(ref_key(name))
        elif "reference-text" in classes and self._inside("note"):
            el.role = "ref-text"
        elif {"mw-ext-cite-error", "mw-ext-cite-warning"} & classes:
            self.cite_markup = True
            el.role = "cite-error"
        elif {"cs1-visible-error", "cs1-hidden-error"} & classes:
            el.role = "cs1-error"
        elif "cs1-maint" in classes:
            el.role = "cs1-maint"
        elif tag == "code" and "cs1-code" in classes:
            el.role = "cs1-code"
        if tag == "sup" and ("reference" in classes or "mw:Extension/ref" in typeof):
            self.cite_markup = True
            name = name_from_ref_id(a.get("id", ""))
            data = _json(a.get("data-mw"))
            mw_attrs = _dict(data.get("attrs"))
            if isinstance(mw_attrs.get("name"), str):
                name = mw_attrs["name"]
            if name:
                self.ref_names.add(ref_key(name))
                self.ref_headings.setdefault(ref_key(name), self.heading)
        if tag in _HEADINGS:
            el.role = "heading"
        if tag == "cite" and "citation" in classes:
            self.citations += 1
        if tag == "a" and "href" in a and not self._inside("cs1-code"):
            for holder in self.stack:
                if holder.role in ("cs1-error", "cs1-maint"):
                    holder.links.append(a["href"])
        if "mw:Error" in typeof or "data-mw" in a:
            self._data_mw(a, typeof)
        if "data-mw-i18n" in a and el.role == "cite-error":
            self._i18n(a["data-mw-i18n"])
            el.role = "cite-error-read"
        if tag not in _VOID:
            self.stack.append(el)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in _VOID and self.stack and self.stack[-1].tag == tag:
            self.handle_endtag(tag)

    def handle_data(self, data: str) -> None:
        for el in self.stack:
            if el.role in ("cite-error", "cs1-code", "heading"):
                el.text.append(data)
            elif el.role == "ref-text" and data.strip() and not self._inside("cite-error"):
                el.has_other = True

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or not any(el.tag == tag for el in self.stack):
            return
        while self.stack:
            el = self.stack.pop()
            self._close(el)
            if el.tag == tag:
                break

    def close(self) -> None:
        super().close()
        while self.stack:
            self._close(self.stack.pop())

    def _close(self, el: _Open) -> None:
        if el.role == "cite-error":
            self._legacy_error(el)
        elif el.role == "cs1-code":
            text = "".join(el.text).strip()
            if text.startswith("{{") and text.endswith("}}"):
                self.last_template = text[2:-2].strip()
        elif el.role in ("cs1-error", "cs1-maint"):
            self._cs1(el)
        elif el.role == "note":
            self.last_template = None
        elif el.role == "heading":
            self.heading = " ".join("".join(el.text).split()) or None

    # the three shapes
    def _legacy_error(self, el: _Open) -> None:
        anchor, name = self._note()
        where: Where = "references" if anchor or self._inside("refs") else "body"
        warning = "mw-ext-cite-warning" in el.classes
        key: str | None = None
        key_from: KeySource | None = None
        params: tuple[str, ...] = ()
        m = _QQX.search("".join(el.text).strip())
        if m:
            key, key_from = m.group(1), "qqx"
            if m.group(2):
                params = tuple(p.strip() for p in m.group(2).split(", ")) if m.group(1) not in NAMED_KEYS \
                    else (m.group(2).strip(),)
        elif warning:
            ids = [c[len("mw-ext-cite-warning-"):] for c in el.classes if c.startswith("mw-ext-cite-warning-")]
            if ids:
                key, key_from = "cite_warning_" + ids[0], "class"
        if key is None and name is not None:
            text_holder = self._inside("ref-text")
            if text_holder is not None and not text_holder.has_other:
                key, key_from = NO_TEXT, "structure"
        if key is None:
            self.unknown_keys += 1
        if key in NAMED_KEYS and params:  # the name as written (an id writes spaces as underscores)
            name = params[0]
        self.errors.append(RenderedError("cite", key, name, self._group() if where == "references" else None,
                                         where, anchor, key_from, "warning" if warning else "error",
                                         params=params))

    def _data_mw(self, a: dict[str, str], typeof: list[str]) -> None:
        data = _json(a.get("data-mw"))
        if not data:
            return
        where: Where = ("ref" if "mw:Extension/ref" in typeof
                        else "references" if "mw:Extension/references" in typeof or self._inside("refs")
                        else "body")
        mw_attrs = _dict(data.get("attrs"))
        group = mw_attrs.get("group")
        group = str(group) if group is not None else (self._group() or "")
        for err in data.get("errors") or []:
            if not isinstance(err, dict) or not isinstance(err.get("key"), str):
                continue
            key = err["key"]
            if not key.startswith("cite_"):  # Parsoid marks other failures (a missing file, …) the same way
                continue
            params = tuple(str(p) for p in err.get("params") or [] if isinstance(p, (str, int)))
            name = params[0] if key in NAMED_KEYS and params else mw_attrs.get("name")
            self.errors.append(RenderedError("cite", key, name if isinstance(name, str) else None,
                                             group if "mw:Extension/ref" in typeof else self._group(), where,
                                             a.get("id"), "data-mw", "warning" if "_warning_" in key else "error",
                                             params=params))
        body = _dict(data.get("body"))
        if isinstance(body.get("html"), str) and "data-mw" in body["html"]:
            inner = _Reader()
            inner.stack.append(_Open("div", frozenset(), {}, "refs", group=str(mw_attrs.get("group", ""))))
            inner.feed(body["html"])
            inner.close()
            self.errors.extend(inner.errors)
            self.ref_names |= inner.ref_names
            self.citations += inner.citations

    def _i18n(self, raw: str) -> None:
        data = _json(raw)
        anchor, note_name = self._note()
        for value in data.values():
            if not isinstance(value, dict):
                continue
            for param in value.get("params") or []:
                text = param.get("text") if isinstance(param, dict) else None
                if not isinstance(text, dict) or not isinstance(text.get("key"), str):
                    continue
                key = text["key"]
                params = tuple(str(p) for p in text.get("params") or [] if isinstance(p, (str, int)))
                name = params[0] if key in NAMED_KEYS and params else note_name
                self.errors.append(RenderedError("cite", key, name, self._group(),
                                                 "references" if anchor or self._inside("refs") else "body",
                                                 anchor, "i18n", "warning" if "_warning_" in key else "error",
                                                 params=params))

    def _cs1(self, el: _Open) -> None:
        anchor, name = self._note()
        maint = el.role == "cs1-maint"
        for href in el.links:
            target = unquote(href.split("?")[0])
            if maint:
                page = target.rsplit("/", 1)[-1]
                if ":" not in page or "#" in page:
                    continue
                key: str = page.split(":", 1)[1].replace("_", " ").strip()
                key_from: KeySource = "category"
            else:
                if "#" not in target:
                    continue
                key, key_from = target.split("#", 1)[1], "help-link"
            if not key:
                continue
            self.errors.append(RenderedError("cs1", key, name, self._group(), "references" if anchor else "body",
                                             anchor, key_from, "maint" if maint else "error", self.last_template,
                                             "cs1-hidden-error" in el.classes))

    def result(self) -> Rendering:
        """The errors, each once: Parsoid states an error on the node (data-mw) and again in the references list
        (data-mw-i18n); the list's copy counts only when no node states that key (for that name)."""
        stated = {(e.key, ref_key(e.name) if e.name and e.key in NAMED_KEYS else None)
                  for e in self.errors if e.key_from == "data-mw"}
        errors: list[RenderedError] = []
        seen: set[tuple] = set()
        for e in self.errors:
            ident = (e.family, e.key, ref_key(e.name) if e.name else None, e.group, e.where, e.template)
            if e.key_from == "i18n" and (e.key, ref_key(e.name) if e.name and e.key in NAMED_KEYS else None) in stated:
                continue
            if e.key is not None and e.family == "cite" and ident in seen:
                continue
            seen.add(ident)
            errors.append(e)
        return Rendering("parsoid" if self.parsoid else "legacy", errors, self.ref_names, self.cite_markup,
                         self.unknown_keys == 0, self.citations, self.ref_headings)


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _json(raw: str | None) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        data = json.loads(raw)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
