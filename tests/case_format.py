"""The flag case format: MediaWiki parserTests-like text files under tests/cases/, one per rule.

    !! codes broken-ref duplicate-ref        (once per file: the flag codes its cases check)
    !! case a use whose definition the edit removed
    !! lang ru                                (optional: the wiki's language, default en)
    !! old
    wikitext…
    !! new
    wikitext…
    !! expect
    broken-ref name=a uses=1 caused_by_edit=true suggestion="<ref name=a>A</ref>"
    !! end

Every `expect` line must match one flag (the fields it names must be equal) and no other flag of the file's codes
may fire. An empty `expect` asserts that none fires.

The diff cases under tests/cases/diff/ use the same format for what the diff layer finds; their "codes" are kinds
of item (`section`, `move`, `ref`) and an expect line names one item by the fields of its JSON form:

    !! codes section move
    section change=renamed old_heading="Early life" new_heading=Childhood
    move old_section=A new_section=B edited=false

Every section change, move or ref change of the named kinds must be expected, and nothing else may appear.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Case:
    file: str
    name: str
    codes: tuple[str, ...]
    old: str = ""
    new: str = ""
    expect: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    lang: str = "en"


def _value(raw: str) -> Any:
    if raw in ("true", "false"):
        return raw == "true"
    if raw == "null":
        return None
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)
    return raw


def parse_expect(line: str) -> tuple[str, dict[str, Any]]:
    parts = shlex.split(line)
    fields = {}
    for p in parts[1:]:
        key, _, raw = p.partition("=")
        fields[key] = _value(raw)
    return parts[0], fields


def diff_items(result: Any) -> list[dict[str, Any]]:
    """An Audit's section changes, moves and ref changes as dicts, each with its kind under "code"."""
    return ([{"code": "section", **s.to_dict()} for s in result.sections]
            + [{"code": "move", **m.to_dict()} for m in result.moves]
            + [{"code": "ref", **r.to_dict()} for r in result.references])


def read_cases(path: Path) -> list[Case]:
    cases: list[Case] = []
    codes: tuple[str, ...] = ()
    current: Case | None = None
    part = None
    buf: list[str] = []

    def close_part() -> None:
        if current is None or part is None:
            return
        text = "\n".join(buf)
        if part == "expect":
            current.expect = [parse_expect(ln) for ln in buf if ln.strip() and not ln.startswith("#")]
        else:
            setattr(current, part, text + "\n" if text else "")

    for line in path.read_text(encoding="utf-8").split("\n"):
        if line.startswith("!! "):
            close_part()
            buf = []
            word, _, rest = line[3:].partition(" ")
            if word == "codes":
                codes = tuple(rest.split())
                part = None
            elif word == "case":
                current = Case(path.name, rest.strip(), codes)
                part = None
            elif word == "lang" and current is not None:
                current.lang = rest.strip()
                part = None
            elif word in ("old", "new", "expect"):
                part = word
            elif word == "end":
                cases.append(current)
                current, part = None, None
            else:
                raise ValueError(f"{path}: unknown directive {line!r}")
        elif part is not None:
            buf.append(line)
    return cases
