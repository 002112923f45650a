"""Image / caption changes in any template (infoboxes above all).

An image parameter is paired with its caption parameter by rule: `image_map`/`map_image` <-> `map_caption`,
`logo` <-> `logo_caption`, `image2` <-> `caption2`, `image_X` <-> `X_caption` or `image_X_caption`, and the first
image of a template with the generic `caption` / `image_caption`. When both change: one `image-caption-swap`;
when only one does: `image-changed` or `caption-changed`. Files are compared by normalised file name, so
`[[File:A_b.jpg|300px]]` and `A b.jpg` are the same image.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Literal

from ..model import Flag, Section, SectionChange, Span
from ..text.braces import find_templates
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
    """A file name normalised like a title: `File:` dropped, `_` = space, spaces folded, first letter upper."""
    value = strip_comments(value).strip()
    m = _FILE_LINK.search(value)
    if m:
        value = m.group(1)
    value = _FILE_PREFIX.sub("", value)
    value = re.sub(r"[\s_]+", " ", value).strip()
    return value[:1].upper() + value[1:]


def norm_text(value: str) -> str:
    return " ".join(strip_comments(value).split())


def caption_candidates(param: str) -> list[str]:
    """Caption parameter names that belong to image parameter `param`, most specific first."""
    m = re.fullmatch(r"(.*?)(\d*)", param, re.DOTALL)
    stem, num = (m.group(1), m.group(2)) if m else (param, "")
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


def image_slots(params: dict[str, str], template: str) -> list[ImageSlot]:
    """The image parameters of one template's (normalised name -> value) parameters, with their captions."""
    slots = []
    used: set[str] = set()
    images = [p for p in params if _IMAGE_NAME.match(p)]
    for i, p in enumerate(images):
        cap = next((c for c in caption_candidates(p) if c in params), None)
        if cap is None and i == 0 and not re.search(r"\d$", p):
            cap = next((c for c in ("image_caption", "caption") if c in params and c not in used), None)
        if cap:
            used.add(cap)
        slots.append(ImageSlot(template, p, params[p], cap, params.get(cap) if cap else None))
    return slots


_ANY_TEMPLATE = re.compile(r"\{\{(?!\s*[#{])")


@dataclass
class Found:
    """One template call with an image parameter: its text, named parameters and their value offsets."""

    raw: str
    params: dict[str, str]
    spans: dict[str, tuple[int, int]]  # parameter -> its value's span in the page

    def offset(self, param: str | None) -> int | None:
        span = self.spans.get(param) if param else None
        return span[0] if span else None


def _templates_with_images(doc: Document, section: Section) -> dict[str, list[Found]]:
    """Template name -> calls with an image parameter, in order, found with the lexical brace reader (no full
    parse; immune to unbalanced '' and deep nesting)."""
    out: dict[str, list[Found]] = defaultdict(list)
    for call in find_templates(doc.scan, _ANY_TEMPLATE, section.start, section.end):
        params = {norm_param(k): v for k, v in call.args.items() if not k.isdigit()}
        if any(_IMAGE_NAME.match(p) for p in params):  # from the parsed names: no search through nested text
            spans = {norm_param(k): _trim(doc.text, *span) for k, span in call.arg_spans.items()}
            out[normalize_title(call.name)].append(Found(doc.text[call.start:call.end], params, spans))
    return out


def _trim(text: str, lo: int, hi: int) -> tuple[int, int]:
    """[lo, hi) without the white space at either end (a named value is read stripped)."""
    while lo < hi and text[lo].isspace():
        lo += 1
    while hi > lo and text[hi - 1].isspace():
        hi -= 1
    return lo, hi


def _same_image(a: str, b: str) -> bool:
    return norm_file(a) == norm_file(b)


def check_media(ctx: CheckContext) -> list[Flag]:
    flags: list[Flag] = []
    for change in ctx.changed_pairs:
        if change.old is None or change.new is None:
            continue
        old_t = _templates_with_images(ctx.old, change.old)
        new_t = _templates_with_images(ctx.new, change.new)
        for name, new_list in new_t.items():
            for old, new in zip(old_t.get(name, []), new_list, strict=False):
                if old.raw != new.raw:  # an unchanged template cannot have changed its image
                    flags.extend(_compare(name, old, new, change))
    return flags


def _value_span(param: str | None, old_call: Found, new_call: Found) -> Span | None:
    """The parameter's value in the new revision, or in the old one when the edit emptied or removed it."""
    sides: tuple[tuple[Literal["new", "old"], Found], ...] = (("new", new_call), ("old", old_call))
    for side, call in sides:
        span = call.spans.get(param) if param else None
        if span and param and call.params.get(param, "").strip():
            return Span(side, *span)
    span = new_call.spans.get(param) if param else None
    return Span("new", span[0], span[0]) if span else None


def _compare(name: str, old_call: Found, new_call: Found, change: SectionChange) -> list[Flag]:
    old_slots = {s.param: s for s in image_slots(old_call.params, name)}
    flags = []
    section = change.new.label if change.new else None
    for slot in image_slots(new_call.params, name):
        old = old_slots.get(slot.param)
        old_value = old.value if old else ""
        image_changed = not _same_image(old_value, slot.value)
        old_cap = old.caption if old and old.caption_param == slot.caption_param else None
        caption_changed = slot.caption_param is not None and norm_text(old_cap or "") != norm_text(slot.caption or "")
        if not (image_changed or caption_changed):
            continue
        o_img, n_img = norm_file(old_value) or None, norm_file(slot.value) or None
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
