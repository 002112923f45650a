"""One page run: each revision in page order, each consecutive pair audited, reverts detected, refs followed.

Data flows one way: revisions (text, RevisionMeta), oldest first -> `PageRun` (parses each revision once, audits
each consecutive pair, detects reverts, follows refs) -> rows -> a sink (see tables.py).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..errors import InputError
from ..model import RevisionMeta
from ..sources.dump import sha1_hex, text_sha1
from ..text.document import Document
from .cache import AuditCache
from .defaults import RADIUS
from .detector import Detector
from .mutual import controversy, mutual_pairs
from .pair import PairAuditor
from .reflife import RefLifetimes
from .schema import RunStats

Emit = Callable[[str, list[dict]], None]

_IPV4 = re.compile(r"^\d{1,3}(\.\d{1,3}){3}$")
_IPV6 = re.compile(r"^[0-9A-Fa-f]{0,4}(:[0-9A-Fa-f]{0,4}){2,7}$")


def is_anonymous(user: str | None) -> bool | None:
    """Whether a contributor is an IP address (an edit by a logged-out editor); None when hidden."""
    if user is None:
        return None
    return bool(_IPV4.match(user) or _IPV6.match(user))


@dataclass
class Options:
    audit: bool = True
    radius: int = RADIUS
    lang: str = "en"
    since: str | None = None  # normalised "YYYY-MM-DDTHH:MM:SSZ"
    limit: int | None = None  # revisions per page
    reuse: bool = True  # reuse parsed revisions and audits within a page (False: each pair from scratch)


def normalise_since(since: str | datetime | None) -> str | None:
    """An ISO 8601 date or time as the 'YYYY-MM-DDTHH:MM:SSZ' MediaWiki writes (UTC), or InputError."""
    if since is None or since == "":
        return None
    if isinstance(since, datetime):
        dt = since
    else:
        try:
            dt = datetime.fromisoformat(str(since).strip().replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"since {since!r}: not an ISO 8601 date or time (e.g. 2005-07-22 or "
                             f"2005-07-22T04:54:41Z)") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def check_limit(limit: int | None) -> int | None:
    """A number of revisions per page (positive), or InputError."""
    if limit is None:
        return None
    if int(limit) < 1:
        raise InputError(f"limit must be a positive number of revisions, not {limit}")
    return int(limit)


class PageRun:
    """Everything about one page, built one revision at a time; `finish()` emits the page-level tables."""

    def __init__(self, title: str, page_id: int | None, namespace: int | None, source: str | None,
                 emit: Emit, options: Options, cache: AuditCache):
        self.page = {"page_id": page_id, "title": title}
        self.namespace, self.source = namespace, source
        self.emit, self.opt, self.cache = emit, options, cache
        self.rows: list[dict] = []
        self.revert_rows: list[dict] = []
        self.detector: Detector[int] = Detector(options.radius)
        self.prev_doc: Document | None = None
        self.refs = RefLifetimes(self.page)
        self.pairs = PairAuditor(options.lang, cache, radius=options.radius, reuse=options.reuse)
        self.audits = 0
        self._flags_out: list[dict] = []

    def add(self, text: str | None, meta: RevisionMeta) -> None:
        """One revision (the next in page order)."""
        pos = len(self.rows)
        if pos == 0 and meta.title and self.page["title"] != meta.title:
            self.page["title"] = meta.title  # as the wiki spells it (the API normalises a title asked for)
        prev = self.rows[-1] if self.rows else None
        sha1 = sha1_hex(meta.sha1) or (text_sha1(text) if text is not None else None)
        doc = self.pairs.document(text) if text is not None else None
        size = meta.size if meta.size is not None or text is None else len(text.encode("utf-8", "surrogatepass"))
        parent = meta.parentid if meta.parentid else (prev["revid"] if prev else None)
        row: dict[str, Any] = {
            **self.page, "namespace": self.namespace, "revid": meta.revid, "parent": parent,
            "prev_revid": prev["revid"] if prev else None, "timestamp": meta.timestamp, "user": meta.user,
            "anon": is_anonymous(meta.user), "comment": meta.comment, "size": size, "sha1": sha1,
            "text_hidden": text is None, "audited": False,
            "identical": sha1 is not None and prev is not None and prev["sha1"] == sha1,
            "size_change": (size - prev["size"]) if prev and prev["size"] is not None and size is not None else None,
            "refs": None, "is_revert": False, "reverted_to": None, "reverted_count": 0, "self_revert": False,
            "is_reverted": False, "reverted_by": None, "source": self.source,
        }
        self.rows.append(row)
        self._reverts(row, pos)
        if doc is not None and self.prev_doc is not None and self.opt.audit:
            self._audit(row, self.prev_doc, doc, meta)
        if doc is not None:
            row["refs"] = self.refs.add(doc, meta, pos, first=prev is None)
        self.pairs.remember(doc)
        self.prev_doc = doc

    @property
    def parses(self) -> int:
        return self.pairs.parses

    def _audit(self, row: dict, old: Document, new: Document, meta: RevisionMeta) -> None:
        result, flags = self.pairs.audit(old, new)
        self.audits += 1
        row.update(result)
        row["audited"] = True
        if flags:
            base = {**self.page, "revid": meta.revid, "prev_revid": row["prev_revid"], "timestamp": meta.timestamp,
                    "user": meta.user, "is_revert": row["is_revert"]}
            self._flags_out.extend({**base, **f} for f in flags)
            if len(self._flags_out) >= 2000:
                self.flush_flags()

    def flush_flags(self) -> None:
        if self._flags_out:
            self.emit("flags", self._flags_out)
            self._flags_out = []

    def _reverts(self, row: dict, pos: int) -> None:
        rev = self.detector.process(row["sha1"], pos)
        if rev is None:
            return
        user = row["user"]
        reverted_rows = [self.rows[p] for p in rev.reverteds]
        row.update(is_revert=True, reverted_to=self.rows[rev.reverted_to]["revid"],
                   reverted_count=len(reverted_rows),
                   self_revert=user is not None and all(r["user"] == user for r in reverted_rows))
        for p, r in zip(rev.reverteds, reverted_rows, strict=True):
            r["is_reverted"] = True
            if r["reverted_by"] is None:
                r["reverted_by"] = row["revid"]
            self.revert_rows.append({
                **self.page, "reverting": row["revid"], "reverted_to": row["reverted_to"], "reverted": r["revid"],
                "distance": pos - p, "timestamp": row["timestamp"], "reverting_user": user,
                "reverted_user": r["user"], "self_revert": user is not None and r["user"] == user,
            })

    def finish(self, complete: bool) -> dict:
        """Emit this page's revisions, reverts, refs, mutual reverts and summary; returns the summary row."""
        self.flush_flags()
        lives = self.refs.rows(self.rows)
        edits = Counter(r["user"] for r in self.rows if r["user"] is not None)
        pairs = mutual_pairs(((r["reverting_user"], r["reverted_user"]) for r in self.revert_rows), edits)
        m, e = controversy(pairs)
        summary = {
            **self.page, "namespace": self.namespace, "source": self.source, "complete": complete,
            "revisions": len(self.rows),
            "first_timestamp": self.rows[0]["timestamp"] if self.rows else None,
            "last_timestamp": self.rows[-1]["timestamp"] if self.rows else None,
            "editors": len(edits), "anon_edits": sum(1 for r in self.rows if r["anon"]),
            "audited": sum(1 for r in self.rows if r["audited"]),
            "flag_count": sum(r.get("flag_count") or 0 for r in self.rows),
            "reverts": sum(1 for r in self.rows if r["is_revert"]),
            "reverted_revisions": sum(1 for r in self.rows if r["is_reverted"]),
            "self_reverts": sum(1 for r in self.rows if r["self_revert"]),
            "mutual_pairs": len(pairs), "mutual_editors": e, "M": m,
            "refs_final": len(self.refs.live), "ref_lifetimes": len(lives),
        }
        self.emit("revisions", self.rows)
        self.emit("reverts", self.revert_rows)
        self.emit("refs", lives)
        self.emit("mutual_reverts", [{**self.page, **p} for p in pairs])
        self.emit("pages", [summary])
        return summary


@dataclass
class PageSource:
    """One page's revisions, oldest first, with what identifies the page."""

    title: str
    revisions: Iterable[tuple[str | None, RevisionMeta]]
    page_id: int | None = None
    namespace: int | None = None
    source: str | None = None


def _filtered(revisions: Iterable, opt: Options) -> Iterator:
    n = 0
    for text, meta in revisions:
        if opt.limit is not None and n >= opt.limit:
            return
        if opt.since and (meta.timestamp or "") < opt.since:
            continue
        n += 1
        yield text, meta


def run_pages(pages: Iterable[PageSource], emit: Emit, *, options: Options,
              cache: AuditCache | None = None, on_revision: Callable[[RunStats], None] | None = None,
              stats: RunStats | None = None) -> RunStats:
    """Process pages one after the other; whatever stops the run, the page in progress is emitted as it stands
    (its summary says complete=False) before the error goes on. Pass `stats` to add to it (it keeps the
    summaries of what was done when an error stops the run)."""
    cache = cache if cache is not None else AuditCache()
    stats = stats if stats is not None else RunStats()
    for ps in pages:
        run = PageRun(ps.title, ps.page_id, ps.namespace, ps.source, emit, options, cache)
        complete = False
        try:
            for text, meta in _filtered(ps.revisions, options):
                run.add(text, meta)
                stats.revisions += 1
                if on_revision is not None:
                    on_revision(stats)
            complete = True
        finally:
            stats.pages += 1
            stats.parses += run.parses
            stats.audits += run.audits
            stats.cached_audits = cache.hits
            stats.complete = stats.complete and complete
            stats.summaries.append(run.finish(complete))
            cache.commit()
    return stats

