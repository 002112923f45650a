"""Lookup of inline maintenance templates by name, through the alias table in data/maintenance_tags.json."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources


@dataclass(frozen=True)
class TagSpec:
    canonical: str
    category: str
    reason_params: tuple[str, ...]
    date_param: str
    positional_reason: bool

    def reason(self, args: dict[str, str]) -> str | None:
        for p in self.reason_params:
            v = (args.get(p) or "").strip()
            if v:
                return v
        if self.positional_reason:
            v = (args.get("1") or "").strip()
            if v:
                return v
        return None

    def date(self, args: dict[str, str]) -> str | None:
        return (args.get(self.date_param) or "").strip() or None


def _key(name: str) -> str:
    name = re.sub(r"<!--.*?-->", "", name, flags=re.DOTALL)
    name = re.sub(r"[\s_\u00a0]+", " ", name).strip()
    name = re.sub(r"^template\s*:\s*", "", name, flags=re.IGNORECASE)
    return name[:1].lower() + name[1:]


@lru_cache(maxsize=1)
def _table() -> dict[str, TagSpec]:
    data = json.loads(resources.files("wikidiff.data").joinpath("maintenance_tags.json").read_text("utf-8"))
    table: dict[str, TagSpec] = {}
    for canonical, entry in data["tags"].items():
        spec = TagSpec(canonical, entry.get("category", ""), tuple(entry.get("reason_params", ["reason"])),
                       entry.get("date_param", "date"), bool(entry.get("positional_reason", False)))
        for name in [canonical, *entry.get("aliases", [])]:
            table[_key(name)] = spec
    return table


def lookup_tag(name: str) -> TagSpec | None:
    """The maintenance tag a template name stands for (MediaWiki title rules: first letter, `_`, prefix)."""
    return _table().get(_key(name))
