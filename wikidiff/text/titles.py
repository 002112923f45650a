"""Template names as MediaWiki resolves them, and the table of inline maintenance tags (data/maintenance_tags.json).

`{{Citation_needed}}`, `{{ citation  needed }}` and `{{Template:Citation needed}}` call one page; `{{cn}}` calls a
redirect to it. Names are normalised the way MediaWiki's title codec does for English Wikipedia, then compared with
the first letter lower-cased (`canonical_key`), because only the first letter's case is folded.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from ..errors import InputError

__all__ = ["MaintenanceTags", "TagSpec", "canonical_key", "normalize_title"]

# Characters MediaWikiTitleCodec::splitTitleString strips (LRM, RLM, LRE..RLO) and those it treats as a space.
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e]")
_SPACES = re.compile("[ _\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_COMMENT = re.compile(r"<!--.*?(?:-->|$)", re.DOTALL)
_PREFIX = re.compile(r"^(.+?) *: *(.*)$", re.DOTALL)
# English Wikipedia namespaces (canonical names, local names and aliases), lower case; "template" is the default.
_SUBJECT_NS = (
    "user",
    "wikipedia",
    "project",
    "file",
    "image",
    "mediawiki",
    "help",
    "category",
    "portal",
    "draft",
    "timedtext",
    "module",
)
_NAMESPACES = frozenset(
    {*_SUBJECT_NS, *(ns + " talk" for ns in _SUBJECT_NS), "media", "special", "talk", "template talk", "wp", "wt"}
)


def _ucfirst(s: str) -> str:
    up = s[:1].upper()
    return (up if len(up) == 1 else s[:1]) + s[1:]


def normalize_title(name: str) -> str:
    """The title of the page `{{name}}` transcludes, without the `Template:` prefix.

    Comments are dropped, HTML entities decoded (NFC), bidi marks removed, runs of spaces, underscores and the
    other spaces MediaWiki folds become one space, the ends are trimmed, a `Template:` prefix (any case, spaces
    around the colon allowed) and a `#fragment` are dropped, and the first letter is upper-cased.

    A name that does not call a template page (`{{:Foo}}` calls the article Foo, `{{User:Foo}}` a user page) is
    returned with a leading ":" (":Foo", ":User:Foo"); no title begins with a colon, so it matches no template.
    Parser functions and modifiers (`#if:`, `subst:`, magic words) are not interpreted.
    """
    text = _COMMENT.sub("", name)
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFC", _BIDI.sub("", text))
    text = _SPACES.sub(" ", text).strip()
    if text.startswith(":"):
        return ":" + _ucfirst(_drop_fragment(text[1:].strip()))
    m = _PREFIX.match(text)
    if m:
        ns = m.group(1).lower()
        if ns == "template":
            text = m.group(2)
        elif ns in _NAMESPACES:
            return ":" + _ucfirst(m.group(1)) + ":" + _ucfirst(_drop_fragment(m.group(2)))
    return _ucfirst(_drop_fragment(text))


def _drop_fragment(title: str) -> str:
    if title.startswith("#"):  # a parser function, not a fragment
        return title
    return title.split("#", 1)[0].rstrip()


def canonical_key(name: str) -> str:
    """`normalize_title(name)` with its first letter lower-cased: equal keys mean the same page."""
    title = normalize_title(name)
    return title[:1].lower() + title[1:]


def _value(template: Any, name: str) -> str | None:
    """The trimmed value of parameter `name` of a mwparserfromhell Template or of an argument mapping."""
    if hasattr(template, "params"):
        if not template.has(name):
            return None
        raw = str(template.get(name).value)
    else:
        raw = template.get(name)
        if raw is None:
            return None
    value = _COMMENT.sub("", str(raw)).strip()
    return value or None


@dataclass(frozen=True)
class TagSpec:
    """One maintenance tag: its reported name, the page it lives on, its redirects and how to read it."""

    canonical: str
    title: str
    category: str
    aliases: tuple[str, ...]
    reason_params: tuple[str, ...]
    date_param: str
    positional_reason: bool
    sources: str

    def reason(self, template: Any) -> str | None:
        """The reason given in a call (a mwparserfromhell Template or a mapping of argument name to value)."""
        for name in self.reason_params:
            value = _value(template, name)
            if value:
                return value
        return _value(template, "1") if self.positional_reason else None

    def date(self, template: Any) -> str | None:
        """The date parameter's value, e.g. "May 2024"."""
        return _value(template, self.date_param)


class MaintenanceTags:
    """The alias table: `lookup(name)` gives the TagSpec a template name stands for, or None."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        tags = data.get("tags") if isinstance(data, Mapping) else None
        if not isinstance(tags, Mapping) or not tags:
            raise InputError("maintenance tag table: no 'tags' object")
        self._specs: dict[str, TagSpec] = {}
        self._by_key: dict[str, TagSpec] = {}
        for canonical, entry in tags.items():
            spec = TagSpec(
                canonical=canonical,
                title=entry.get("title", canonical),
                category=entry.get("category", ""),
                aliases=tuple(entry.get("aliases", ())),
                reason_params=tuple(entry.get("reason_params", ("reason",))),
                date_param=entry.get("date_param", "date"),
                positional_reason=bool(entry.get("positional_reason", False)),
                sources=entry.get("sources", ""),
            )
            self._specs[canonical] = spec
            for name in (spec.title, *spec.aliases):  # the lower-cased canonical name is not itself a page
                key = canonical_key(name)
                other = self._by_key.setdefault(key, spec)
                if other is not spec:
                    raise InputError(
                        f"maintenance tag table: {name!r} is listed for both {other.canonical!r} and {canonical!r}"
                    )

    @classmethod
    def from_file(cls, path: str | Path) -> MaintenanceTags:
        """Read a table in the format of data/maintenance_tags.json."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as e:
            raise InputError(f"cannot read maintenance tag table {path}: {e}") from None
        return cls(data)

    def with_redirects(self, redirects: Mapping[str, Iterable[str]]) -> MaintenanceTags:
        """This table plus the wiki's own redirects (page title -> redirect titles, as
        wikidiff.sources.siteinfo.fetch_redirects reads them); a name already listed for another tag is left out."""
        tags: dict[str, Any] = {}
        for spec in self:
            known = set(spec.aliases)
            extra = [r for r in redirects.get(spec.title, ()) if r not in known and r != spec.title
                     and self.lookup(r) in (None, spec)]
            tags[spec.canonical] = {
                "title": spec.title, "category": spec.category, "aliases": [*spec.aliases, *extra],
                "reason_params": list(spec.reason_params), "date_param": spec.date_param,
                "positional_reason": spec.positional_reason, "sources": spec.sources,
            }
        return MaintenanceTags({"tags": tags})

    def titles(self) -> list[str]:
        """The tag pages' titles (without the Template: prefix)."""
        return [spec.title for spec in self]

    @classmethod
    def default(cls) -> MaintenanceTags:
        """The table shipped with wikidiff (read once)."""
        return _default()

    def lookup(self, template_name: str) -> TagSpec | None:
        """The tag `{{template_name}}` is, after MediaWiki title normalisation; None for any other template."""
        return self._by_key.get(canonical_key(template_name))

    def __getitem__(self, canonical: str) -> TagSpec:
        return self._specs[canonical]

    def __contains__(self, template_name: object) -> bool:
        return isinstance(template_name, str) and self.lookup(template_name) is not None

    def __iter__(self) -> Iterator[TagSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)


@lru_cache(maxsize=1)
def _default() -> MaintenanceTags:
    text = resources.files("wikidiff.data").joinpath("maintenance_tags.json").read_text("utf-8")
    return MaintenanceTags(json.loads(text))
