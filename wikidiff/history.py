"""Page histories -> tables: every consecutive pair audited, identity reverts, mutual reverts, Sumi et al.'s M,
reference lifetimes.

Data flows one way: revisions (text, RevisionMeta), oldest first -> `PageRun` (parses each revision once, audits
each consecutive pair, detects reverts, follows refs) -> rows -> a sink (pandas DataFrames in memory, or Parquet /
CSV / JSON Lines files written as the run goes, so an interrupted run keeps what it did).

Definitions (see DOMAIN.md):
- identity revert (as in mwreverts): a revision whose SHA-1 equals that of one of the `radius` + 1 revisions before
  it reverts every revision after the latest such one; a revision identical to its predecessor reverts nothing;
- self-revert: a revert all of whose reverted revisions were made by the reverting editor;
- editor A reverted editor B when a revert by A reverted a revision by B (A != B; hidden users are left out);
  a mutually reverting pair reverted each other at least once each way;
- M (Sumi, Yasseri, Rung, Kornai, Kertész 2011, "Edit wars in Wikipedia"): for each mutually reverting pair,
  min(N_a, N_b) with N the editor's number of edits to the page; sum over all pairs but the one with the largest
  value; times E, the number of editors in mutually reverting pairs.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import sys
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from .checks import FLAG_CODES
from .errors import InputError
from .model import RevisionMeta
from .sources.dump import sha1_hex, text_sha1
from .text.document import Document

RADIUS = 15
#: flag codes counted in their own revisions column (`flags_<code>`); any other code goes to `flags_other`
FORMATS = ("parquet", "csv", "jsonl")
#: bump when the cached audit row changes shape
CACHE_SCHEMA = 1


def flag_column(code: str) -> str:
    return "flags_" + code.replace("-", "_")


# ---- table schemas: column -> kind (int, str, bool, float, ts) ------------------------------------------------

_PAGE = [("page_id", "int"), ("title", "str")]
TABLES: dict[str, list[tuple[str, str]]] = {
    "revisions": _PAGE + [
        ("namespace", "int"), ("revid", "int"), ("parent", "int"), ("prev_revid", "int"), ("timestamp", "ts"),
        ("user", "str"), ("anon", "bool"), ("comment", "str"), ("size", "int"), ("sha1", "str"),
        ("text_hidden", "bool"), ("audited", "bool"), ("identical", "bool"),
        ("bytes_added", "int"), ("bytes_removed", "int"), ("bytes_changed", "int"), ("size_change", "int"),
        ("sections_touched", "int"), ("sections", "str"),
        ("refs", "int"), ("refs_added", "int"), ("refs_removed", "int"), ("refs_modified", "int"),
        ("flag_count", "int"), ("errors", "int"), ("warnings", "int"),
        *[(flag_column(c), "int") for c in FLAG_CODES], ("flags_other", "int"),
        ("is_revert", "bool"), ("reverted_to", "int"), ("reverted_count", "int"), ("self_revert", "bool"),
        ("is_reverted", "bool"), ("reverted_by", "int"), ("source", "str"),
    ],
    "flags": _PAGE + [
        ("revid", "int"), ("prev_revid", "int"), ("timestamp", "ts"), ("user", "str"), ("code", "str"),
        ("severity", "str"), ("message", "str"), ("section", "str"), ("fields", "str"), ("old_offset", "int"),
        ("new_offset", "int"),
    ],
    "reverts": _PAGE + [
        ("reverting", "int"), ("reverted_to", "int"), ("reverted", "int"), ("distance", "int"), ("timestamp", "ts"),
        ("reverting_user", "str"), ("reverted_user", "str"), ("self_revert", "bool"),
    ],
    "refs": _PAGE + [
        ("ref", "str"), ("name", "str"), ("group", "str"), ("url", "str"), ("content", "str"),
        ("added_revid", "int"), ("added_timestamp", "ts"), ("added_by", "str"), ("added_by_revert", "bool"),
        ("present_at_start", "bool"), ("removed_revid", "int"), ("removed_timestamp", "ts"), ("removed_by", "str"),
        ("removal_reverted", "bool"), ("revisions", "int"),
    ],
    "mutual_reverts": _PAGE + [
        ("editor_a", "str"), ("editor_b", "str"), ("a_reverted_b", "int"), ("b_reverted_a", "int"),
        ("edits_a", "int"), ("edits_b", "int"), ("weight", "int"), ("topmost", "bool"),
    ],
    "pages": _PAGE + [
        ("namespace", "int"), ("source", "str"), ("complete", "bool"), ("revisions", "int"),
        ("first_timestamp", "ts"), ("last_timestamp", "ts"), ("editors", "int"), ("anon_edits", "int"),
        ("audited", "int"), ("flag_count", "int"), ("reverts", "int"), ("reverted_revisions", "int"),
        ("self_reverts", "int"), ("mutual_pairs", "int"), ("mutual_editors", "int"), ("M", "int"),
        ("refs_final", "int"), ("ref_lifetimes", "int"),
    ],
}


# ---- identity reverts -----------------------------------------------------------------------------------------

@dataclass
class Revert:
    reverting: int  # positions in the page's revision sequence
    reverted_to: int
    reverteds: list[int]  # newest first


class RevertDetector:
    """Identity reverts by checksum within `radius` revisions, one revision at a time (mwreverts' definition)."""

    def __init__(self, radius: int = RADIUS):
        if radius < 1:
            raise InputError(f"revert radius must be a positive integer, not {radius}")
        self.radius = radius
        self._window: list[tuple[object, int]] = []  # (checksum, position), oldest first, at most radius + 1

    def process(self, checksum: str | None, position: int) -> Revert | None:
        key: object = checksum if checksum is not None else object()  # an unknown checksum matches nothing
        revert = None
        for i in range(len(self._window) - 1, -1, -1):
            if self._window[i][0] == key:
                reverteds = [p for _, p in reversed(self._window[i + 1:])]
                if reverteds:
                    revert = Revert(position, self._window[i][1], reverteds)
                break
        self._window.append((key, position))
        if len(self._window) > self.radius + 1:
            del self._window[0]
        return revert


# ---- mutual reverts and M --------------------------------------------------------------------------------------

def mutual_pairs(reverts: Iterable[tuple[str | None, str | None]], edits: dict[str, int]) -> list[dict[str, Any]]:
    """Editor pairs that reverted each other at least once each way.

    `reverts` holds one (reverting user, reverted user) per reverted revision; `edits` each editor's number of
    edits to the page. Each pair comes out once (editor_a < editor_b) with its revert counts, edits, weight =
    min(edits_a, edits_b), and `topmost` marking the one pair (largest weight) that M leaves out.
    """
    directed = Counter((a, b) for a, b in reverts if a is not None and b is not None and a != b)
    pairs = []
    for (a, b), n in directed.items():
        if a < b and (b, a) in directed:
            ea, eb = edits.get(a, 0), edits.get(b, 0)
            pairs.append({"editor_a": a, "editor_b": b, "a_reverted_b": n, "b_reverted_a": directed[(b, a)],
                          "edits_a": ea, "edits_b": eb, "weight": min(ea, eb), "topmost": False})
    pairs.sort(key=lambda p: (-p["weight"], p["editor_a"], p["editor_b"]))
    if pairs:
        pairs[0]["topmost"] = True
    return pairs


def controversy(pairs: list[dict[str, Any]]) -> tuple[int, int]:
    """(M, E) from `mutual_pairs`: E editors in mutual reverts times the sum of the pairs' weights, topmost left out."""
    editors = {p["editor_a"] for p in pairs} | {p["editor_b"] for p in pairs}
    total = sum(p["weight"] for p in pairs if not p["topmost"])
    return len(editors) * total, len(editors)


# ---- refs as identities that live across revisions -------------------------------------------------------------

_URL = re.compile(r"https?://[^\s|\]}<>\"']+", re.IGNORECASE)


@dataclass
class _RefInfo:
    key: str
    name: str | None
    group: str
    content: str
    url: str | None


def ref_identities(doc: Document) -> dict[str, _RefInfo]:
    """The refs (definitions) of a revision by identity: (group, name) when named, else (group, content)."""
    out: dict[str, _RefInfo] = {}
    for r in doc.refs:
        if r.kind != "definition" or r.content is None:
            continue
        content = " ".join(r.content.split())
        key = f"{r.group}\x1fname\x1f{r.name}" if r.name else f"{r.group}\x1ftext\x1f{content}"
        if key not in out:
            m = _URL.search(content)
            out[key] = _RefInfo(key, r.name, r.group, content, m.group().rstrip(".,;") if m else None)
    return out


def _short(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[:n - 1] + "…"


def _match_refs(gone: dict[str, _RefInfo], new: dict[str, _RefInfo]) -> dict[str, str]:
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
            by_url.setdefault((info.group, info.url), []).append(k)
    for k, info in gone.items():
        if k in pairs or not info.url:
            continue
        bucket = by_url.get((info.group, info.url))
        if bucket:
            pairs[k] = bucket.pop(0)
    return pairs


# ---- audit cache -------------------------------------------------------------------------------------------------

class AuditCache:
    """Audit results by (old text, new text): in memory (an edit war repeats pairs) and, given a path, in SQLite
    so that a run started again after an interruption reuses every audit it finished."""

    def __init__(self, path: str | Path | None = None, memory: int = 512):
        self._mem: OrderedDict[str, dict] = OrderedDict()
        self._size = memory
        self._db: sqlite3.Connection | None = None
        self._pending = 0
        self.hits = 0
        self.path = Path(path) if path else None
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                self._db = sqlite3.connect(self.path)
                self._db.execute("CREATE TABLE IF NOT EXISTS audits (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            except sqlite3.DatabaseError as exc:
                raise InputError(f"{self.path}: not a usable audit cache ({exc})") from None

    def __len__(self) -> int:
        if self._db is None:
            return len(self._mem)
        return self._db.execute("SELECT COUNT(*) FROM audits").fetchone()[0]

    @staticmethod
    def key(old: Document, new: Document, lang: str) -> str:
        from ._version import __version__

        return f"{CACHE_SCHEMA}|{__version__}|{lang}|{old.digest}|{new.digest}"

    def get(self, key: str) -> dict | None:
        hit = self._mem.get(key)
        if hit is None and self._db is not None:
            row = self._db.execute("SELECT value FROM audits WHERE key = ?", (key,)).fetchone()
            hit = json.loads(row[0]) if row else None
        if hit is not None:
            self.hits += 1
            self._remember(key, hit)
        return hit

    def put(self, key: str, value: dict) -> None:
        self._remember(key, value)
        if self._db is not None:
            self._db.execute("INSERT OR REPLACE INTO audits VALUES (?, ?)", (key, json.dumps(value)))
            self._pending += 1
            if self._pending >= 20:
                self.commit()

    def _remember(self, key: str, value: dict) -> None:
        self._mem[key] = value
        self._mem.move_to_end(key)
        while len(self._mem) > self._size:
            self._mem.popitem(last=False)

    def commit(self) -> None:
        if self._db is not None and self._pending:
            self._db.commit()
            self._pending = 0

    def close(self) -> None:
        if self._db is not None:
            self.commit()
            self._db.close()
            self._db = None


def audit_pair(old: Document, new: Document, lang: str) -> dict:
    """The revision-row part of one audit, plus its flags, as plain JSON-ready values."""
    from .auditor import audit_documents

    a = audit_documents(old, new, lang=lang)
    s = a.summary
    labels = []
    for c in a.sections:
        sec = c.new or c.old
        label = sec.label if sec is not None and sec.label else "(lead)"
        if label not in labels:
            labels.append(label)
    counts = Counter(f.code for f in a.flags)
    row = {
        "bytes_added": s["bytes_added"], "bytes_removed": s["bytes_removed"],
        "bytes_changed": s["bytes_added"] + s["bytes_removed"], "sections_touched": s["sections_changed"],
        "sections": "; ".join(labels) or None, "refs_added": s["refs_added"], "refs_removed": s["refs_removed"],
        "refs_modified": s["refs_modified"], "flag_count": s["flags"], "errors": s["errors"], "warnings": s["warnings"],
        **{flag_column(c): counts.get(c, 0) for c in FLAG_CODES},
        "flags_other": sum(n for c, n in counts.items() if c not in FLAG_CODES),
    }
    flags = [{"code": f.code, "severity": f.severity, "message": f.message, "section": f.section,
              "fields": json.dumps(f.fields, ensure_ascii=False, sort_keys=True, default=str),
              "old_offset": f.old_offset, "new_offset": f.new_offset} for f in a.flags]
    return {"row": row, "flags": flags}


# ---- one page ---------------------------------------------------------------------------------------------------

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
            raise InputError(f"--since {since!r}: not an ISO 8601 date or time (e.g. 2005-07-22 or "
                             f"2005-07-22T04:54:41Z)") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class PageRun:
    """Everything about one page, built one revision at a time; `finish()` emits the page-level tables."""

    def __init__(self, title: str, page_id: int | None, namespace: int | None, source: str | None,
                 emit: Callable[[str, list[dict]], None], options: Options, cache: AuditCache):
        self.page = {"page_id": page_id, "title": title}
        self.namespace, self.source = namespace, source
        self.emit, self.opt, self.cache = emit, options, cache
        self.rows: list[dict] = []
        self.revert_rows: list[dict] = []
        self.detector = RevertDetector(options.radius)
        self.prev_doc: Document | None = None
        self.prev_refs: dict[str, _RefInfo] = {}
        self.live: dict[str, dict] = {}  # ref key -> open lifetime row
        self.lifetimes: list[dict] = []
        self.parses = 0
        self.audits = 0
        self._flags_out: list[dict] = []

    def add(self, text: str | None, meta: RevisionMeta) -> None:
        """One revision (the next in page order)."""
        pos = len(self.rows)
        if pos == 0 and meta.title and self.page["title"] != meta.title:
            self.page["title"] = meta.title  # as the wiki spells it (the API normalises a title asked for)
        doc = None
        if text is not None:
            doc = Document.from_text(text, self.opt.lang)
            self.parses += 1
        prev = self.rows[-1] if self.rows else None
        sha1 = sha1_hex(meta.sha1) or (text_sha1(text) if text is not None else None)
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
        if doc is not None and self.prev_doc is not None and self.opt.audit:
            self._audit(row, self.prev_doc, doc, meta)
        self.rows.append(row)
        self._reverts(row, pos)
        if doc is not None:
            self._refs(row, doc, meta, first=prev is None)
        self.prev_doc = doc

    def _audit(self, row: dict, old: Document, new: Document, meta: RevisionMeta) -> None:
        key = AuditCache.key(old, new, self.opt.lang)
        result = self.cache.get(key)
        if result is None:
            result = audit_pair(old, new, self.opt.lang)
            self.cache.put(key, result)
        self.audits += 1
        row.update(result["row"])
        row["audited"] = True
        if result["flags"]:
            base = {**self.page, "revid": meta.revid, "prev_revid": row["prev_revid"], "timestamp": meta.timestamp,
                    "user": meta.user}
            self._flags_out.extend({**base, **f} for f in result["flags"])
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

    def _refs(self, row: dict, doc: Document, meta: RevisionMeta, first: bool) -> None:
        cur = ref_identities(doc)
        row["refs"] = len(cur)
        gone = {k: v for k, v in self.prev_refs.items() if k not in cur}
        new = {k: v for k, v in cur.items() if k not in self.prev_refs}
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
                            _removed_pos=len(self.rows) - 1)
                self.lifetimes.append(life)
        for k, info in new.items():
            self.live[k] = {
                **self.page, "ref": f"name:{info.name}" if info.name else f"text:{_short(info.content)}",
                "name": info.name, "group": info.group or None,
                "url": info.url, "content": info.content, "added_revid": meta.revid,
                "added_timestamp": meta.timestamp, "added_by": meta.user, "_added_pos": len(self.rows) - 1,
                "present_at_start": first, "removed_revid": None, "removed_timestamp": None, "removed_by": None,
            }
        for life in self.live.values():
            life["revisions"] = life.get("revisions", 0) + 1
        self.prev_refs = cur

    def finish(self, complete: bool) -> dict:
        """Emit this page's revisions, reverts, refs, mutual reverts and summary; returns the summary row."""
        self.flush_flags()
        for life in self.lifetimes:
            life["removal_reverted"] = bool(self.rows[life.pop("_removed_pos")]["is_reverted"])
        lives = sorted(self.lifetimes + list(self.live.values()), key=lambda r: (r["_added_pos"], r["ref"]))
        for life in lives:
            life["added_by_revert"] = bool(self.rows[life.pop("_added_pos")]["is_revert"])
            life.setdefault("removal_reverted", None)
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
            "refs_final": len(self.live), "ref_lifetimes": len(lives),
        }
        self.emit("revisions", self.rows)
        self.emit("reverts", self.revert_rows)
        self.emit("refs", lives)
        self.emit("mutual_reverts", [{**self.page, **p} for p in pairs])
        self.emit("pages", [summary])
        return summary


# ---- running over pages --------------------------------------------------------------------------------------------

@dataclass
class PageSource:
    """One page's revisions, oldest first, with what identifies the page."""

    title: str
    revisions: Iterable[tuple[str | None, RevisionMeta]]
    page_id: int | None = None
    namespace: int | None = None
    source: str | None = None


@dataclass
class RunStats:
    pages: int = 0
    revisions: int = 0
    parses: int = 0
    audits: int = 0
    cached_audits: int = 0
    complete: bool = True
    summaries: list[dict] = field(default_factory=list)


def _filtered(revisions: Iterable, opt: Options) -> Iterator:
    n = 0
    for text, meta in revisions:
        if opt.limit is not None and n >= opt.limit:
            return
        if opt.since and (meta.timestamp or "") < opt.since:
            continue
        n += 1
        yield text, meta


def run_pages(pages: Iterable[PageSource], emit: Callable[[str, list[dict]], None], *, options: Options,
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


# ---- sinks -------------------------------------------------------------------------------------------------------

def frame(table: str, rows: list[dict]):
    """Rows -> a pandas DataFrame with the table's columns and dtypes (nullable ints, UTC timestamps)."""
    import pandas as pd

    cols = TABLES[table]
    df = pd.DataFrame(rows, columns=[c for c, _ in cols])
    return coerce(table, df)


def coerce(table: str, df):
    import pandas as pd

    kinds = {"int": "Int64", "bool": "boolean", "float": "float64", "str": "string"}
    for col, kind in TABLES[table]:
        if col not in df.columns:
            df[col] = None
        if kind == "ts":
            df[col] = pd.to_datetime(df[col], utc=True, format="ISO8601").astype("datetime64[s, UTC]")
        else:
            df[col] = df[col].astype(kinds[kind])
    return df[[c for c, _ in TABLES[table]]]


def arrow_schema(table: str):
    import pyarrow as pa

    types = {"int": pa.int64(), "bool": pa.bool_(), "float": pa.float64(), "str": pa.string(),
             "ts": pa.timestamp("s", tz="UTC")}
    return pa.schema([(c, types[k]) for c, k in TABLES[table]])


class MemorySink:
    """Collects rows; `frames()` makes the DataFrames."""

    def __init__(self):
        self.rows: dict[str, list[dict]] = {t: [] for t in TABLES}

    def __call__(self, table: str, rows: list[dict]) -> None:
        self.rows[table].extend(rows)

    def frames(self) -> dict[str, Any]:
        return {t: frame(t, rows) for t, rows in self.rows.items()}

    def close(self) -> None:
        pass


def table_paths(out: Path, table: str, fmt: str) -> list[Path]:
    """Where a table lives in an output folder: one file, or part files (a Dask run) in a sub-folder."""
    single = out / f"{table}.{fmt}"
    if single.exists():
        return [single]
    folder = out / table
    return sorted(folder.glob(f"*.{fmt}")) if folder.is_dir() else []


def clear_output(out: Path) -> None:
    """Remove the tables of an earlier run (ours only) from an output folder."""
    for table in TABLES:
        for fmt in FORMATS:
            (out / f"{table}.{fmt}").unlink(missing_ok=True)
        folder = out / table
        if folder.is_dir():
            for p in folder.iterdir():
                if p.suffix.lstrip(".") in FORMATS or (p.name.startswith(".") and p.name.endswith(".tmp")):
                    p.unlink()
            if not any(folder.iterdir()):
                folder.rmdir()


class FileSink:
    """Writes each table as rows arrive: `<out>/<table>.<fmt>`, or `<out>/<table>/<part>.parquet` for a part.

    Rows are buffered and written in batches (a Parquet row group each); `close()` writes the rest and makes every
    file complete, so an interrupted or failed run leaves readable tables holding all it processed.
    """

    def __init__(self, out: str | Path, fmt: str = "parquet", part: str | None = None, batch: int = 5000):
        if fmt not in FORMATS:
            raise InputError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")
        self.out, self.fmt, self.part, self.batch = Path(out), fmt, part, batch
        self.out.mkdir(parents=True, exist_ok=True)
        self._buf: dict[str, list[dict]] = {t: [] for t in TABLES}
        self._writers: dict[str, Any] = {}
        self._started: set[str] = set()
        self.written: Counter = Counter()
        self._closed = False
        if part is None:
            clear_output(self.out)

    def path(self, table: str, final: bool = False) -> Path:
        if self.part is None:
            return self.out / f"{table}.{self.fmt}"
        (self.out / table).mkdir(exist_ok=True)
        name = f"{self.part}.{self.fmt}"
        return self.out / table / (name if final else f".{name}.tmp")

    def __call__(self, table: str, rows: list[dict]) -> None:
        buf = self._buf[table]
        buf.extend(rows)
        if len(buf) >= self.batch or table == "pages":
            self._write(table)

    def _write(self, table: str) -> None:
        rows, self._buf[table] = self._buf[table], []
        if not rows and table in self._started:
            return
        df = frame(table, rows)
        path = self.path(table)
        if self.fmt == "parquet":
            import pyarrow as pa
            import pyarrow.parquet as pq

            writer = self._writers.get(table)
            if writer is None:
                writer = self._writers[table] = pq.ParquetWriter(path, arrow_schema(table))
            writer.write_table(pa.Table.from_pandas(df, schema=arrow_schema(table), preserve_index=False))
        elif self.fmt == "csv":
            df.to_csv(path, mode="a" if table in self._started else "w", header=table not in self._started,
                      index=False, date_format="%Y-%m-%dT%H:%M:%SZ")
        else:
            text = df.to_json(orient="records", lines=True, date_format="iso", date_unit="s", force_ascii=False)
            with path.open("a" if table in self._started else "w", encoding="utf-8") as f:
                if text.strip():
                    f.write(text if text.endswith("\n") else text + "\n")
        self._started.add(table)
        self.written[table] += len(rows)

    def flush(self) -> None:
        for table in TABLES:
            if self._buf[table]:
                self._write(table)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        for table in TABLES:
            self._write(table)  # the rest, or an empty table with its columns
        for w in self._writers.values():
            w.close()
        self._writers.clear()
        if self.part is not None:  # a part appears only once complete (a killed worker leaves none)
            for table in TABLES:
                self.path(table).replace(self.path(table, final=True))


def read_table(out: str | Path, table: str):
    """One table of an output folder (whatever its format, one file or Dask parts) as a DataFrame."""
    import pandas as pd

    out = Path(out)
    for fmt in FORMATS:
        paths = table_paths(out, table, fmt)
        if not paths:
            continue
        if fmt == "parquet":
            df = pd.concat([pd.read_parquet(p) for p in paths], ignore_index=True)
        elif fmt == "csv":
            df = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False, na_values=[""]) for p in paths],
                           ignore_index=True)
            df = _from_text(table, df)
        else:
            rows = []
            for p in paths:
                with p.open(encoding="utf-8") as f:
                    rows.extend(json.loads(line) for line in f if line.strip())
            df = pd.DataFrame(rows, columns=[c for c, _ in TABLES[table]])
        return coerce(table, df)
    raise InputError(f"{out}: no {table} table here (expected {table}.parquet, .csv or .jsonl)")


def _from_text(table: str, df):
    for col, kind in TABLES[table]:
        if col in df.columns and kind == "bool":
            df[col] = df[col].map({"True": True, "False": False, "true": True, "false": False})
        elif col in df.columns and kind == "int":
            df[col] = df[col].astype("Float64").astype("Int64")
    return df


# ---- progress ------------------------------------------------------------------------------------------------

class Progress:
    """Revisions done, rate and ETA on stderr (tqdm); silent when disabled or stderr is not a terminal.

    With `total_bytes` (a dump file) the bar follows the bytes of the file read, which gives an ETA even when the
    number of revisions is unknown; otherwise it counts revisions against `total` (may be None).
    """

    def __init__(self, enabled: bool = True, total: int | None = None, total_bytes: int | None = None,
                 desc: str | None = None):
        self.enabled = enabled and _stderr_is_terminal()
        self.bar = None
        self.bytes_mode = total_bytes is not None
        self.revisions = 0
        if self.enabled:
            from tqdm import tqdm

            try:
                width = os.get_terminal_size(sys.stderr.fileno()).columns or 100
            except OSError:
                width = 100
            if self.bytes_mode:
                self.bar = tqdm(total=total_bytes, unit="B", unit_scale=True, file=sys.stderr, desc=desc,
                                ncols=width)
            else:
                self.bar = tqdm(total=total, unit="rev", file=sys.stderr, desc=desc, ncols=width)
        self._last = 0.0

    def update(self, revisions: int, position: int | None = None) -> None:
        self.revisions = revisions
        if self.bar is None:
            return
        if self.bytes_mode:
            if position is not None:
                self.bar.update(max(0, position - self.bar.n))
            elapsed = self.bar.format_dict.get("elapsed") or 0
            if elapsed - self._last >= 0.5:
                self._last = elapsed
                self._postfix(elapsed)
        else:
            self.bar.update(revisions - self.bar.n)

    def _postfix(self, elapsed: float) -> None:
        rate = self.revisions / elapsed if elapsed else 0.0
        self.bar.set_postfix_str(f"{self.revisions} revisions, {rate:.1f} rev/s", refresh=False)

    def close(self, finished: bool = False) -> None:
        """Stop the bar; `finished` when the input was read to its end (the bar then shows 100%)."""
        if self.bar is None:
            return
        if self.bytes_mode:
            if finished and self.bar.total:
                self.bar.update(self.bar.total - self.bar.n)
            self._postfix(self.bar.format_dict.get("elapsed") or 0)
        self.bar.close()
        self.bar = None


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


# ---- sources -> PageSource ---------------------------------------------------------------------------------------

def file_pages(path: str | Path, titles: set[str] | None = None, *, keep: Callable[[str], bool] | None = None,
               watch: Callable[[Any], None] | None = None) -> Iterator[PageSource]:
    """The pages of a dump or API JSON file, read as they are consumed (`keep` selects pages by title)."""
    from .sources.dump import Dump, open_history_file

    src = open_history_file(path)
    if watch is not None:
        watch(src)
    dumps = src.pages(titles) if isinstance(src, Dump) else iter([src])
    for dp in dumps:
        if titles is not None and dp.title not in titles:
            continue
        if keep is not None and not keep(dp.title):
            continue
        yield PageSource(dp.title, dp.revisions, dp.page_id, dp.namespace, str(Path(dp.source).resolve()))


@dataclass
class ApiOptions:
    """How to reach a wiki's API (see wikidiff.sources.api.WikiClient); `cache` is the revision cache file."""

    site: str | None = None  # a host such as en.wikipedia.org
    api_url: str | None = None  # any api.php (default: $WIKIDIFF_API_URL, else https://SITE/w/api.php)
    cache: str | None = None  # default: the user's revision cache
    offline: bool = False
    user_agent: str | None = None  # default: $WIKIDIFF_USER_AGENT, else wikidiff's
    timeout: float = 30.0
    quiet: bool = True


def api_client(api: ApiOptions):
    """A WikiClient reading through the revision cache (the caller closes it and its cache)."""
    try:
        from .sources.api import WikiClient
        from .sources.cache import RevisionCache
    except ImportError as exc:
        raise InputError("fetching histories needs the live API client (wikidiff.sources.api), which is not "
                         "available in this installation") from exc
    target = api.api_url or os.environ.get("WIKIDIFF_API_URL") or api.site or "en.wikipedia.org"
    user_agent = api.user_agent if api.user_agent is not None else os.environ.get("WIKIDIFF_USER_AGENT")
    cache = RevisionCache(api.cache) if api.cache else RevisionCache()
    try:
        return WikiClient(target, site=api.site, user_agent=user_agent, cache=cache, offline=api.offline,
                          quiet=api.quiet, timeout=api.timeout)
    except BaseException:
        cache.close()
        raise


def api_pages(titles: Iterable[str], api: ApiOptions, *, since: str | None = None,
              limit: int | None = None) -> Iterator[PageSource]:
    """Page histories fetched one request at a time; every revision goes through the revision cache, so a run
    started again fetches only what it did not get before."""
    client = api_client(api)
    try:
        for title in titles:
            yield PageSource(title, client.page_history(title, since=since, limit=limit),
                             source=f"api:{client.site}")
    finally:
        client.close()
        if client.cache is not None:
            client.cache.close()


# ---- the result ----------------------------------------------------------------------------------------------------

@dataclass
class History:
    """A history (one page or many) as pandas DataFrames: `revisions`, `flags`, `reverts`, `refs` (lifetimes),
    `mutual_reverts` and `pages` (one row per page with its M)."""

    revisions: Any
    flags: Any
    reverts: Any
    refs: Any
    mutual_reverts: Any
    pages: Any
    stats: RunStats | None = None

    @classmethod
    def from_frames(cls, frames: dict[str, Any], stats: RunStats | None = None) -> History:
        return cls(frames["revisions"], frames["flags"], frames["reverts"], frames["refs"],
                   frames["mutual_reverts"], frames["pages"], stats)

    @classmethod
    def load(cls, out: str | Path) -> History:
        """Read the tables a run wrote to an output folder (any format; single run or Dask parts)."""
        return cls.from_frames({t: read_table(out, t) for t in TABLES})

    def M(self, title: str | None = None) -> int:
        """The controversy measure M of a page (the only page when there is one)."""
        pages = self.pages if title is None else self.pages[self.pages["title"] == title]
        if len(pages) != 1:
            raise InputError(f"{len(pages)} pages match; name one: {', '.join(map(str, self.pages['title']))}")
        return int(pages["M"].iloc[0])

    def to_files(self, out: str | Path, fmt: str = "parquet") -> None:
        sink = FileSink(out, fmt)
        for t in TABLES:
            df = getattr(self, t)
            sink(t, df.astype(object).where(df.notna(), None).to_dict("records"))
        sink.close()

    def plot_activity(self, **kw):
        from .plots import plot_activity

        return plot_activity(self.revisions, **kw)

    def plot_refs(self, **kw):
        from .plots import plot_refs

        return plot_refs(self.revisions, **kw)

    def plot_revert_graph(self, **kw):
        from .plots import plot_revert_graph

        return plot_revert_graph(self.reverts, self.revisions, **kw)

    def __repr__(self) -> str:
        return (f"<History {len(self.pages)} pages, {len(self.revisions)} revisions, {len(self.flags)} flags, "
                f"{len(self.reverts)} reverted revisions, {len(self.refs)} ref lifetimes>")


def history(source: Any = None, *, title: str | Iterable[str] | None = None, site: str | None = None,
            since: str | datetime | None = None, limit: int | None = None, audit: bool = True,
            radius: int = RADIUS, lang: str = "en", progress: bool = False, audit_cache: str | Path | None = None,
            page_title: str | None = None, api: ApiOptions | None = None) -> History:
    """Audit every consecutive pair of a page history and measure its reverts and edit wars.

    `source`: a dump (XML, .bz2, .gz, .xz/.lzma) or API JSON file, a list of them, or an iterable of
    (text, RevisionMeta) oldest first (one page, named `page_title`). Without a source, `title` (one or several)
    is fetched from `site` (or `api`: API URL, revision cache, offline, ...) with the live API client; with a
    source, `title` keeps only those pages of the files. `since` (ISO date/time) and `limit` (revisions per page)
    cut each history; `audit=False` skips the audits (reverts, M and refs only); `audit_cache` is a SQLite file
    that keeps finished audits across runs.
    """
    opt = Options(audit=audit, radius=radius, lang=lang, since=normalise_since(since), limit=_limit(limit))
    titles = [title] if isinstance(title, str) else (list(title) if title is not None else None)
    if source is None:
        if not titles:
            raise InputError("give a dump or JSON file, or a page title to fetch")
        api = api or ApiOptions(site=site, quiet=not progress)
        pages = api_pages(titles, api, since=opt.since, limit=opt.limit)
    else:
        pages = _sources(source, set(titles) if titles else None, page_title=page_title)
    sink = MemorySink()
    audit_cache = AuditCache(audit_cache)
    bar = Progress(progress, total=None)
    try:
        stats = run_pages(pages, sink, options=opt, cache=audit_cache,
                          on_revision=lambda s: bar.update(s.revisions))
    finally:
        bar.close()
        audit_cache.close()
    return History.from_frames(sink.frames(), stats)


def _limit(limit: int | None) -> int | None:
    if limit is None:
        return None
    if int(limit) < 1:
        raise InputError(f"--limit must be a positive number of revisions, not {limit}")
    return int(limit)


def _sources(source: Any, titles: set[str] | None, *, page_title: str | None = None) -> Iterator[PageSource]:
    if isinstance(source, (str, Path)):
        return file_pages(source, titles)
    if isinstance(source, (list, tuple)) and source and all(isinstance(s, (str, Path)) for s in source):
        return (p for s in source for p in file_pages(s, titles))
    return iter([PageSource(page_title or "(revisions)", source)])
