"""References as identities that live across revisions: when each was added and removed, by whom."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..cite.index import definitions
from ..codes import shorten
from ..diff.refs import normalize_url, ref_url
from ..model import RevisionMeta
from ..text.document import Document
from ..text.memo import TextMemo


@dataclass
class RefInfo:
    key: str
    name: str | None
    group: str
    content: str
    url: str | None


#: RefInfo by (group, name, squeezed content): most refs of a revision were in the one before
_infos: TextMemo[RefInfo] = TextMemo(4_000_000)


def forget() -> None:
    """Drop the remembered refs (a reference run that must compute everything)."""
    _infos.clear()


def ref_identities(doc: Document) -> dict[str, RefInfo]:
    """The refs (definitions) of a revision by identity: (group, name) when named, else (group, content)."""
    out: dict[str, RefInfo] = {}
    for r, content in definitions(doc):
        info = _infos.get((r.group, r.name, content))
        if info is None:
            key = f"{r.group}\x1fname\x1f{r.name}" if r.name else f"{r.group}\x1ftext\x1f{content}"
            info = _infos.put((r.group, r.name, content), RefInfo(key, r.name, r.group, content, ref_url(content)),
                              len(content))
        if info.key not in out:
            out[info.key] = info
    return out


def _match_refs(gone: dict[str, RefInfo], new: dict[str, RefInfo]) -> dict[str, str]:
    """Old key -> new key for refs that only changed identity (renamed, or unnamed with edited text, same URL)."""
    pairs: dict[str, str] = {}
    by_content: dict[tuple[str, str], list[str]] = {}
    for k, info in new.items():
        by_content.setdefault((info.group, info.content), []).append(k)
    for k, info in gone.items():
        bucket = by_content.get((info.group, info.content))
        if bucket:
            pairs[k] = bucket.pop(0)
    taken = set(pairs.values())
    by_url: dict[tuple[str, str], list[str]] = {}
    for k, info in new.items():
        if k not in taken and info.url:
            by_url.setdefault((info.group, normalize_url(info.url)), []).append(k)
    for k, info in gone.items():
        if k in pairs or not info.url:
            continue
        bucket = by_url.get((info.group, normalize_url(info.url)))
        if bucket:
            pairs[k] = bucket.pop(0)
    return pairs




class RefLifetimes:
    """The refs of one page followed revision by revision: one lifetime row per (ref, stretch of revisions it lived).

    A ref whose name changed, or unnamed with its text edited but the same URL, keeps its lifetime.
    """

    def __init__(self, page: dict[str, Any]):
        self.page = page
        self.prev: dict[str, RefInfo] = {}
        self.live: dict[str, dict] = {}  # ref key -> open lifetime row
        self.ended: list[dict] = []

    def add(self, doc: Document, meta: RevisionMeta, position: int, first: bool) -> int:
        """The revision at `position` (page order); returns its number of refs."""
        cur = ref_identities(doc)
        gone = {k: v for k, v in self.prev.items() if k not in cur}
        new = {k: v for k, v in cur.items() if k not in self.prev}
        for old_key, new_key in _match_refs(gone, new).items():
            life = self.live.pop(old_key, None)
            if life is not None:
                self.live[new_key] = life
            gone.pop(old_key)
            new.pop(new_key)
        for k in gone:
            life = self.live.pop(k, None)
            if life is not None:
                life.update(removed_revid=meta.revid, removed_timestamp=meta.timestamp, removed_by=meta.user,
                            _removed_pos=position)
                self.ended.append(life)
        for k, info in new.items():
            self.live[k] = {
                **self.page, "ref": f"name:{info.name}" if info.name else f"text:{shorten(info.content, 80)}",
                "name": info.name, "group": info.group or None,
                "url": info.url, "content": info.content, "added_revid": meta.revid,
                "added_timestamp": meta.timestamp, "added_by": meta.user, "_added_pos": position,
                "present_at_start": first, "removed_revid": None, "removed_timestamp": None, "removed_by": None,
            }
        for life in self.live.values():
            life["revisions"] = life.get("revisions", 0) + 1
        self.prev = cur
        return len(cur)

    def rows(self, revisions: Sequence[dict]) -> list[dict]:
        """The lifetime rows, once the page is read (`revisions`: its revision rows, with their revert columns)."""
        for life in self.ended:
            life["removal_reverted"] = bool(revisions[life.pop("_removed_pos")]["is_reverted"])
        lives = sorted(self.ended + list(self.live.values()), key=lambda r: (r["_added_pos"], r["ref"]))
        for life in lives:
            life["added_by_revert"] = bool(revisions[life.pop("_added_pos")]["is_revert"])
            life.setdefault("removal_reverted", None)
        return lives
