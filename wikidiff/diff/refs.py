"""Reference changes between two revisions, and the project's one ref-URL normaliser.

Named definitions are matched by (group, name); the rest by content, then by the URL they cite (`ref_url`), so a
ref whose citation was reworded but still points to the same page is "modified", not "removed" plus "added".
`ref_url` and `url_key` are the one place that reads a ref's URL (histories use them for ref lifetimes).
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urlsplit

from ..cite.index import definitions
from ..model import Ref, RefChange
from ..text.document import Document

_URL = re.compile(r"(?:https?:|(?<=\[))//[^\s|\]}<>\"'{]+", re.IGNORECASE)
_URL_PARAM = re.compile(r"\|\s*url\s*=\s*((?:https?:)?//[^\s|\]}<>\"'{]+)", re.IGNORECASE)
_ARCHIVE_HOSTS = ("web.archive.org", "archive.org", "archive.today", "archive.ph", "archive.is", "webcitation.org",
                  "wayback.archive-it.org")


def normalize_url(url: str) -> str:
    """One URL as a comparable key: scheme dropped (http and https name the same page), host lower-cased without
    "www.", fragment dropped, trailing punctuation and slash stripped."""
    url = url.strip().rstrip(".,;:)")
    try:
        parts = urlsplit(url if url.startswith("//") or "://" in url else "//" + url)
    except ValueError:  # a malformed host (an unclosed IPv6 bracket …): compare the text as written
        return url.lower()
    host = parts.netloc.lower()
    host = host[4:] if host.startswith("www.") else host
    path = parts.path.rstrip("/")
    return f"//{host}{path}" + (f"?{parts.query}" if parts.query else "")


def ref_url(content: str | None) -> str | None:
    """The URL a ref cites, as written: a citation template's `url=` first, else the first URL that is not an
    archive copy, else the first URL; None when the ref has none. Compare URLs with `url_key`."""
    text = content or ""
    m = _URL_PARAM.search(text)
    if m:
        return _trim(m.group(1))
    urls = [u.group() for u in _URL.finditer(text)]
    if not urls:
        return None
    live = [u for u in urls if not _is_archive(u)]
    return _trim((live or urls)[0])


def url_key(content: str | None) -> str | None:
    """The comparable form (`normalize_url`) of the URL a ref cites, or None."""
    url = ref_url(content)
    return normalize_url(url) if url else None


def _trim(url: str) -> str:
    return url.strip().rstrip(".,;:")


def _is_archive(url: str) -> bool:
    host = normalize_url(url)[2:].split("/", 1)[0]
    return any(host == h or host.endswith("." + h) for h in _ARCHIVE_HOSTS)


def _named(doc: Document) -> dict[tuple[str, str | None], tuple[Ref, str]]:
    """(group, name) -> the first named definition of that name and its squeezed content; once per Document."""
    found = doc.memo.get("diff_refs.named")
    if found is None:
        found = doc.memo["diff_refs.named"] = {(r.group, r.name): (r, c) for r, c in reversed(definitions(doc))
                                                if r.name}
    return found


def diff_refs(old: Document, new: Document) -> list[RefChange]:
    """Reference definitions added, removed or modified; named ones matched by (group, name), others by URL or
    content. Invocations are not changes of their own (their loss shows up as a broken-ref flag)."""
    old_defs, new_defs = definitions(old), definitions(new)
    changes: list[RefChange] = []
    old_named, new_named = _named(old), _named(new)
    for key, (n, n_content) in new_named.items():
        o_pair = old_named.get(key)
        if o_pair is not None and o_pair[1] != n_content:
            changes.append(RefChange("modified", n.name, n.group, o_pair[0], n, matched_by="name"))
    rest_old = [d for d in old_defs if not (d[0].name and (d[0].group, d[0].name) in new_named)]
    rest_new = [d for d in new_defs if not (d[0].name and (d[0].group, d[0].name) in old_named)]
    # the same content on both sides (a named ref that lost or changed its name, or an unnamed one) is no change
    old_by_content: dict[str, list[Ref]] = defaultdict(list)
    for r, squeezed in rest_old:
        old_by_content[squeezed].append(r)
    unmatched_new = []
    for r, squeezed in rest_new:
        bucket = old_by_content.get(squeezed)
        if bucket:
            o = bucket.pop(0)
            if o.name != r.name:
                changes.append(RefChange("modified", r.name, r.group, o, r, matched_by="content"))
        else:
            unmatched_new.append(r)
    unmatched_old = [r for bucket in old_by_content.values() for r in bucket]
    old_by_url: dict[str, list[Ref]] = defaultdict(list)
    for r in unmatched_old:
        u = url_key(r.content)
        if u:
            old_by_url[u].append(r)
    paired_old: set[int] = set()
    for r in unmatched_new:
        u = url_key(r.content)
        bucket = old_by_url.get(u) if u else None
        if bucket:
            o = bucket.pop(0)
            paired_old.add(id(o))
            changes.append(RefChange("modified", r.name or o.name, r.group, o, r, matched_by="url"))
        else:
            changes.append(RefChange("added", r.name, r.group, None, r))
    for r in unmatched_old:
        if id(r) not in paired_old:
            changes.append(RefChange("removed", r.name, r.group, r, None))
    for c in changes:
        ref, doc = (c.new, new) if c.new is not None else (c.old, old)
        if ref is not None:
            c.section = doc.section_at(ref.start).label
    changes.sort(key=lambda c: (c.new.start if c.new else float("inf"), c.old.start if c.old else 0))
    return changes
