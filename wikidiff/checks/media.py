"""Image / caption changes in any template (infoboxes above all).

An image parameter is paired with its caption parameter by rule: `image_map`/`map_image` <-> `map_caption`,
`logo` <-> `logo_caption`, `image2` <-> `caption2`, `image_X` <-> `X_caption` or `image_X_caption`, and the first
image of a template with the generic `caption` / `image_caption`. Other wikis' names (de `Bild`/`Bildbeschreibung`,
fr `image`/`légende`, ru `изображение`/`подпись` …) come from data/image_params.json, numbered ones by rule.
When both change: one `image-caption-swap`; when only one does: `image-changed` or `caption-changed`. An image
parameter line (or a whole template with one) that the edit added is `image-added`, one it removed
`image-removed`; a second file put into the same value is `image-added` too. Files are compared by normalised file
name, so `[[File:A_b.jpg|300px]]` and `A b.jpg` are the same image.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

from ..model import Flag, Section, Span
from ..text.braces import CallReader, TemplateCall, find_templates
from ..text.document import Document
from ..text.scan import strip_comments
from ..text.titles import normalize_title
from .base import CheckContext

_IMAGE_NAME = re.compile(
    r"^(?:(?:image|img|photo|picture|logo|cover|screenshot|poster|signature)\d*"
    r"|image_[a-z_]+\d*|[a-z]+(?:_[a-z]+)*_image\d*)$"
    # …but not the parameters that describe an image: its size, alt text, caption, link …
    r"(?<!size)(?<!upright)(?<!alt)(?<!caption)(?<!width)(?<!height)(?<!class)(?<!link)(?<!scale)(?<!type)"
    r"(?<!param)(?<!text)(?<!title)(?<!px)(?<!_frame)"
)
_FILE_LINK = re.compile(r"\[\[\s*(?:file|image)\s*:([^|\]]+)", re.IGNORECASE)
_FILE_PREFIX = re.compile(r"^\s*(?:file|image)\s*:", re.IGNORECASE)
_FILE_EXT = re.compile(r"\.(?:jpe?g|png|svg|gif|tiff?|webp|xcf|pdf|djvu|webm|ogv|ogg)\s*$", re.IGNORECASE)


def norm_param(name: str) -> str:
    return re.sub(r"[\s_]+", "_", name.strip().lower())


def norm_file(value: str) -> str:
    """A file name normalised like a title: `File:` dropped, `_` = space, spaces folded, first letter upper.

    "" when the value cannot be a title (MediaWiki's titles hold none of `<>[]{}|` and at most 255 bytes): a
    template or markup in the value is not a file name (its own templates are read on their own)."""
    value = strip_comments(value).strip()
    m = _FILE_LINK.search(value)
    if m:
        value = m.group(1)
    value = _FILE_PREFIX.sub("", value)
    value = re.sub(r"[\s_]+", " ", value).strip()
    if _NOT_IN_TITLES.search(value) or len(value.encode("utf-8")) > 255:
        return ""
    return value[:1].upper() + value[1:]


#: characters MediaWiki never allows in a title ($wgLegalTitleChars leaves them out)
_NOT_IN_TITLES = re.compile(r"[<>\[\]{}|]")


def norm_text(value: str) -> str:
    return " ".join(strip_comments(value).split())


def files_in(value: str) -> list[str]:
    """Every file a parameter value shows, normalised, in order: its `[[File:…]]` links, else the bare name."""
    value = strip_comments(value)
    links = _FILE_LINK.findall(value)
    if links:
        return list(dict.fromkeys(norm_file(f"[[File:{x}]]") for x in links))
    one = norm_file(value)
    return [one] if one else []


@lru_cache(maxsize=64)
def wiki_image_params(lang: str) -> dict[str, tuple[str, ...]]:
    """The wiki's image parameters (normalised) -> their caption parameters, from data/image_params.json."""
    data = json.loads(resources.files("wikidiff.data").joinpath("image_params.json").read_text("utf-8"))
    entry = data["wikis"].get(lang, {})
    return {norm_param(k): tuple(norm_param(c) for c in v) for k, v in entry.items()}


def _split_number(param: str) -> tuple[str, str]:
    m = re.fullmatch(r"(.*?)(\d*)", param, re.DOTALL)
    return (m.group(1), m.group(2)) if m else (param, "")


def is_image_param(param: str, lang: str = "en") -> bool:
    return bool(_IMAGE_NAME.match(param)) or _split_number(param)[0] in wiki_image_params(lang)


def caption_candidates(param: str, lang: str = "en") -> list[str]:
    """Caption parameter names that belong to image parameter `param`, most specific first."""
    stem, num = _split_number(param)
    local = wiki_image_params(lang).get(stem)
    if local is not None:
        return [f"{c}{num}" for c in local] + ([f"{c}_{num}" for c in local] if num else [])
    out = [f"{param}_caption", f"{stem}_caption{num}"]
    if stem.startswith("image_"):
        out.append(f"{stem[6:]}_caption{num}")
    if stem.endswith("_image"):
        out.append(f"{stem[:-6]}_caption{num}")
    if stem in ("image", "img", "photo", "picture") and num:
        out += [f"caption{num}", f"image_caption{num}"]
    return list(dict.fromkeys(out))


@dataclass
class ImageSlot:
    template: str
    param: str
    value: str
    caption_param: str | None
    caption: str | None


def image_slots(params: Mapping[str, str], template: str, lang: str = "en") -> list[ImageSlot]:
    """The image parameters of one template's (normalised name -> value) parameters, with their captions."""
    slots = []
    used: set[str] = set()
    images = [p for p in params if is_image_param(p, lang)]
    for i, p in enumerate(images):
        cap = next((c for c in caption_candidates(p, lang) if c in params), None)
        if cap is None and i == 0 and not re.search(r"\d$", p):
            cap = next((c for c in ("image_caption", "caption") if c in params and c not in used), None)
        if cap:
            used.add(cap)
        slots.append(ImageSlot(template, p, params[p], cap, params.get(cap) if cap else None))
    return slots


_ANY_TEMPLATE = re.compile(r"\{\{(?!\s*[#{])")


@dataclass
class Found:
    """One template call with an image parameter: its named parameters and their value offsets."""

    params: Mapping[str, str]  # normalised name -> value, read from the page only when asked
    spans: dict[str, tuple[int, int]]  # parameter -> its value's span in the page

    def offset(self, param: str | None) -> int | None:
        span = self.spans.get(param) if param else None
        return span[0] if span else None


class _Params(Mapping[str, str]):
    """A call's named parameters by normalised name (the last of equal names wins, as in MediaWiki); each value is
    read from the page when asked (stripped, as a named value is), so nested calls keep no copies of each other's
    text."""

    __slots__ = ("_keys", "_reader", "_spans")

    def __init__(self, spans: Mapping[str, tuple[int, int]], names: list[str], reader: CallReader) -> None:
        self._spans = spans
        self._reader = reader
        self._keys = {norm_param(k): k for k in names}

    def __getitem__(self, key: str) -> str:
        return self._reader.read(*self._spans[self._keys[key]]).strip()

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)


def _templates_with_images(doc: Document, section: Section, lang: str = "en") -> dict[str, list[Found]]:
    """Template name -> calls with an image parameter, in order, found with the lexical brace reader (no full
    parse; immune to unbalanced '' and deep nesting). Each call costs its own text: its values are read past the
    calls with images nested in them."""
    found: list[tuple[TemplateCall, list[str]]] = []
    for call in find_templates(doc.scan, _ANY_TEMPLATE, section.start, section.end):
        names = [k for k in call.args if not k.isdigit()]  # names first: values are read only for image templates
        if any(is_image_param(norm_param(k), lang) for k in names):
            found.append((call, names))
    reader = CallReader(doc.text, [call for call, _ in found])  # they report their own images
    out: dict[str, list[Found]] = defaultdict(list)
    for call, names in found:
        spans = {norm_param(k): _trim(doc.text, *span) for k, span in call.arg_spans.items()}
        out[normalize_title(call.name)].append(Found(_Params(call.arg_spans, names, reader), spans))
    return out


def _trim(text: str, lo: int, hi: int) -> tuple[int, int]:
    """[lo, hi) without the white space at either end (a named value is read stripped)."""
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


def check_media(ctx: CheckContext) -> list[Flag]:
    flags: list[Flag] = []
    lang = ctx.lang
    for change in ctx.changed_pairs:
        old_t = _templates_with_images(ctx.old, change.old, lang) if change.old is not None else {}
        new_t = _templates_with_images(ctx.new, change.new, lang) if change.new is not None else {}
        side = change.new or change.old
        section = side.label if side is not None else None
        for name in dict.fromkeys([*new_t, *old_t]):
            olds, news = old_t.get(name, []), new_t.get(name, [])
            for old, new in zip(olds, news, strict=False):
                flags.extend(_compare(name, old, new, section, lang))
            if change.old is None or change.new is None or len(olds) != len(news):
                # a template with images that only one side has (the section added or removed, or one more call)
                for call in news[len(olds):]:
                    flags.extend(_whole(name, call, section, lang, "image-added"))
                for call in olds[len(news):]:
                    flags.extend(_whole(name, call, section, lang, "image-removed"))
    return _drop_renamed(flags)


def _drop_renamed(flags: list[Flag]) -> list[Flag]:
    """A file removed from one template and added to another in the same section stayed where it was: the
    template (or its parameter) was renamed, e.g. {{Taxobox image}} folded into {{Taxobox}}."""
    added: dict[tuple[str | None, tuple[str, ...]], list[Flag]] = defaultdict(list)
    for f in reversed(flags):  # each list pops its first flag last
        if f.code == "image-added" and not f.fields.get("kept"):
            added[f.section, tuple(f.fields["files"])].append(f)
    gone: set[int] = set()
    for f in flags:
        twins = added.get((f.section, tuple(f.fields["files"]))) if f.code == "image-removed" else None
        if twins:
            gone.update((id(f), id(twins.pop())))
    return [f for f in flags if id(f) not in gone]


def _whole(name: str, call: Found, section: str | None, lang: str, code: str) -> list[Flag]:
    """image-added / image-removed for each filled image slot of a template only one side has."""
    side: Literal["old", "new"] = "new" if code == "image-added" else "old"
    return [_presence(code, name, slot, files_in(slot.value), [], call, side, section)
            for slot in image_slots(call.params, name, lang) if files_in(slot.value)]


def _presence(code: str, name: str, slot: ImageSlot, files: list[str], kept: list[str], call: Found,
              side: Literal["old", "new"], section: str | None) -> Flag:
    added = code == "image-added"
    shown = ", ".join(files)
    what = (f"a second file added to |{slot.param}= ({shown}, besides {', '.join(kept)})" if kept
            else f"|{slot.param}= {'added' if added else 'removed'} ({shown})")
    value = call.spans.get(slot.param)
    return Flag(
        code, "warning", f"{name}: {what}", section,
        {"template": name, "param": slot.param, ("new" if added else "old"): files[0] if len(files) == 1 else shown,
         "files": files, "kept": kept or None, "caption_param": slot.caption_param,
         "caption": norm_text(slot.caption or "") or None},
        **{f"{side}_offset": call.offset(slot.param)}, span=Span(side, *value) if value else None)


def _value_span(param: str | None, old_call: Found, new_call: Found) -> Span | None:
    """The parameter's value in the new revision, or in the old one when the edit emptied or removed it."""
    sides: tuple[tuple[Literal["new", "old"], Found], ...] = (("new", new_call), ("old", old_call))
    for side, call in sides:
        span = call.spans.get(param) if param else None
        if span and param and call.params.get(param, "").strip():
            return Span(side, *span)
    span = new_call.spans.get(param) if param else None
    return Span("new", span[0], span[0]) if span else None


def _compare(name: str, old_call: Found, new_call: Found, section: str | None, lang: str) -> list[Flag]:
    old_slots = {s.param: s for s in image_slots(old_call.params, name, lang)}
    new_slots = {s.param: s for s in image_slots(new_call.params, name, lang)}
    flags = []
    for param, gone in old_slots.items():  # image lines the edit removed
        if param not in new_slots and files_in(gone.value):
            flags.append(_presence("image-removed", name, gone, files_in(gone.value), [], old_call, "old", section))
    for slot in new_slots.values():
        old = old_slots.get(slot.param)
        if old is None:  # an image line the edit added
            if files_in(slot.value):
                flags.append(_presence("image-added", name, slot, files_in(slot.value), [], new_call, "new",
                                       section))
            continue
        old_files, new_files = files_in(old.value), files_in(slot.value)
        image_changed = old_files[:1] != new_files[:1]
        extra = [f for f in new_files if f not in old_files]
        if not image_changed and extra:
            flags.append(_presence("image-added", name, slot, extra, [f for f in new_files if f not in extra],
                                   new_call, "new", section))
        old_cap = old.caption if old.caption_param == slot.caption_param else None
        caption_changed = slot.caption_param is not None and norm_text(old_cap or "") != norm_text(slot.caption or "")
        if not (image_changed or caption_changed):
            continue
        o_img = old_files[0] if old_files else None
        n_img = new_files[0] if new_files else None
        o_cap, n_cap = norm_text(old_cap or "") or None, norm_text(slot.caption or "") or None
        base = {"template": name, "param": slot.param}
        where = slot.param if image_changed else slot.caption_param
        at: dict[str, int | None] = {"old_offset": old_call.offset(where), "new_offset": new_call.offset(where)}
        span = _value_span(where, old_call, new_call)
        if image_changed and caption_changed:
            flags.append(Flag(
                "image-caption-swap", "warning",
                f"{name}: image changed ({o_img} -> {n_img}) and its caption changed too; check they still "
                "belong to this article", section,
                {**base, "old": o_img, "new": n_img, "caption_param": slot.caption_param,
                 "old_caption": o_cap, "new_caption": n_cap}, **at, span=span))
        elif image_changed:
            flags.append(Flag(
                "image-changed", "warning",
                f"{name}: |{slot.param}= changed ({o_img} -> {n_img}) but its caption did not", section,
                {**base, "old": o_img, "new": n_img, "caption_param": slot.caption_param, "caption": n_cap},
                **at, span=span))
        else:
            flags.append(Flag(
                "caption-changed", "info",
                f"{name}: |{slot.caption_param}= changed but the image ({n_img}) did not", section,
                {"template": name, "param": slot.caption_param, "old": o_cap, "new": n_cap, "image": n_img},
                **at, span=span))
    return flags
