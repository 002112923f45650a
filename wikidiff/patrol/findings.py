"""The findings store: every finding of a patrol as one row of a SQLite file, plus the stream position.

`watch --out` writes here and the web app's patrol page reads it, often from another process at the same time. The
database runs in WAL mode (readers never block the writer) with a busy timeout, and every write is one
`BEGIN IMMEDIATE` transaction, so a batch of findings and the id of the last event handled land together or not
at all: a patrol stopped at any moment resumes from a position that matches the rows it stored.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..codes import SEVERITY_RANK, worst
from ..errors import InputError
from ..model import Flag
from ..sources.sqlite import use_wal

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS findings (
    id INTEGER PRIMARY KEY,
    event_id TEXT,
    wiki TEXT NOT NULL,
    title TEXT NOT NULL,
    namespace INTEGER,
    old INTEGER,
    new INTEGER NOT NULL,
    user TEXT,
    timestamp TEXT,
    comment TEXT,
    severity TEXT NOT NULL,
    codes TEXT NOT NULL,
    flags TEXT NOT NULL,
    audited_at TEXT NOT NULL,
    severity_rank INTEGER NOT NULL DEFAULT 0,
    server_url TEXT
);
CREATE INDEX IF NOT EXISTS findings_by_wiki ON findings (wiki, id);
CREATE INDEX IF NOT EXISTS findings_by_rank ON findings (severity_rank, id);
CREATE UNIQUE INDEX IF NOT EXISTS findings_once ON findings (wiki, new);
CREATE TABLE IF NOT EXISTS stream_state (
    key TEXT PRIMARY KEY,
    value TEXT
);
"""

_COLUMNS = ("id", "event_id", "wiki", "title", "namespace", "old", "new", "user", "timestamp", "comment", "severity",
            "codes", "flags", "audited_at", "server_url")


def worst_severity(flags: Iterable[Mapping[str, Any]]) -> str:
    """The highest severity among flags ("info" when there are none)."""
    return worst(str(f["severity"]) for f in flags if f.get("severity") in SEVERITY_RANK) or "info"


@dataclass
class Finding:
    """One audited edit whose flags met the patrol's threshold.

    `wiki` is the server name (en.wikipedia.org); `timestamp` is the edit's time in ISO 8601 UTC;
    `flags` holds the flags as their `to_dict()` form (Flag objects are converted on the way in).
    """

    wiki: str
    title: str
    new: int
    old: int | None = None
    namespace: int | None = None
    user: str | None = None
    timestamp: str | None = None
    comment: str | None = None
    flags: list[dict[str, Any]] = field(default_factory=list)
    event_id: str | None = None
    server_url: str | None = None

    def __post_init__(self) -> None:
        self.flags = [f.to_dict() if isinstance(f, Flag) else dict(f) for f in self.flags]

    @property
    def severity(self) -> str:
        return worst_severity(self.flags)

    @property
    def codes(self) -> list[str]:
        """The distinct flag codes, in the order they first appear."""
        return list(dict.fromkeys(str(f["code"]) for f in self.flags))

    @property
    def diff_url(self) -> str:
        return diff_url(self.wiki, self.old, self.new, self.server_url)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-lines form: wiki, title, old, new, user, timestamp, comment, flags, and the rest."""
        return {"wiki": self.wiki, "title": self.title, "old": self.old, "new": self.new, "user": self.user,
                "timestamp": self.timestamp, "comment": self.comment, "namespace": self.namespace,
                "severity": self.severity, "codes": self.codes, "diff_url": self.diff_url,
                "event_id": self.event_id, "flags": self.flags}


def diff_url(wiki: str, old: int | None, new: int, server_url: str | None = None) -> str:
    """The wiki's diff view of an edit (its first revision when old is None or 0)."""
    base = (server_url or f"https://{wiki}").rstrip("/")
    if not old:
        return f"{base}/w/index.php?oldid={new}"
    return f"{base}/w/index.php?diff={new}&oldid={old}"


def page_url(wiki: str, title: str, server_url: str | None = None) -> str:
    base = (server_url or f"https://{wiki}").rstrip("/")
    return f"{base}/wiki/{quote(title.replace(' ', '_'), safe='/:()!,*')}"


class FindingsStore:
    """A SQLite file of findings; use as a context manager or call close(). Safe to share between threads.

    With `create=False` a missing file is an InputError instead of a new empty store (for readers).
    """

    def __init__(self, path: str | os.PathLike, *, timeout: float = 30.0, create: bool = True) -> None:
        self.path = Path(path)
        if self.path.is_dir():
            raise InputError(f"findings path {self.path} is a directory; give a file name such as "
                             f"{self.path / 'findings.sqlite'}")
        if not create and not self.path.exists():
            raise InputError(f"no findings store at {self.path}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create the directory {self.path.parent}: {exc.strerror}") from exc
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as exc:
            raise InputError(f"cannot open the findings store {self.path}: {exc}") from exc
        self._db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        try:
            self._init_schema(timeout)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise InputError(f"{self.path} is not a usable wikidiff findings store: {exc}") from exc

    def _init_schema(self, timeout: float) -> None:
        use_wal(self._db, timeout)
        with self._transaction() as db:
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"made by a newer wikidiff (schema {version}, this one reads "
                                            f"{SCHEMA_VERSION})")
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if tables - {"findings", "stream_state"} and "findings" not in tables:
                raise sqlite3.DatabaseError("it holds other tables and no findings")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # writing
    def add(self, finding: Finding | Mapping[str, Any]) -> int:
        """Store one finding; returns its row id (the existing id when this edit was stored before)."""
        return self.add_many([finding])[0]

    def add_many(self, findings: Iterable[Finding | Mapping[str, Any]], *, last_event_id: str | None = None,
                 ) -> list[int]:
        """Store findings and, when given, the stream position, in one transaction; returns their row ids.

        An edit (wiki, new revision) is stored once: adding it again returns the first row's id.
        """
        items = [f if isinstance(f, Finding) else _finding(f) for f in findings]
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        ids: list[int] = []
        with self._transaction() as db:
            for f in items:
                row = db.execute(
                    "INSERT INTO findings (event_id, wiki, title, namespace, old, new, user, timestamp, comment, "
                    "severity, codes, flags, audited_at, severity_rank, server_url) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (wiki, new) DO NOTHING RETURNING id",
                    (f.event_id, f.wiki, f.title, f.namespace, f.old, f.new, f.user, f.timestamp, f.comment,
                     f.severity, ",".join(f.codes), json.dumps(f.flags, ensure_ascii=False), now,
                     SEVERITY_RANK.get(f.severity, 0), f.server_url)).fetchone()
                if row is None:
                    row = db.execute("SELECT id FROM findings WHERE wiki = ? AND new = ?", (f.wiki, f.new)).fetchone()
                ids.append(int(row[0]))
            if last_event_id is not None:
                _set_state(db, "last_event_id", last_event_id)
        return ids

    def set_last_event_id(self, event_id: str) -> None:
        with self._transaction() as db:
            _set_state(db, "last_event_id", event_id)

    def set_state(self, key: str, value: str | None) -> None:
        with self._transaction() as db:
            _set_state(db, key, value)

    # reading
    def last_event_id(self) -> str | None:
        """The id (an SSE Last-Event-ID, JSON text) of the last stream event the patrol handled, if any."""
        return self.state("last_event_id")

    def state(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM stream_state WHERE key = ?", (key,)).fetchone()
        return None if row is None else row[0]

    def count(self, wiki: str | None = None) -> int:
        with self._lock:
            if wiki is None:
                return int(self._db.execute("SELECT COUNT(*) FROM findings").fetchone()[0])
            return int(self._db.execute("SELECT COUNT(*) FROM findings WHERE wiki = ?", (wiki,)).fetchone()[0])

    def get(self, finding_id: int) -> dict[str, Any] | None:
        with self._lock:
            row = self._db.execute(f"SELECT {', '.join(_COLUMNS)} FROM findings WHERE id = ?",
                                   (finding_id,)).fetchone()
        return None if row is None else _row_dict(row)

    def query(self, wiki: str | Sequence[str] | None = None, code: str | Sequence[str] | None = None,
              severity: str | None = None, limit: int | None = 100, before_id: int | None = None,
              after_id: int | None = None) -> list[dict[str, Any]]:
        """Findings, newest first, filtered by wiki(s), flag code(s) (any of them), severity at or above the one
        given, and id bounds (before_id for the next page back, after_id for what arrived since a poll).

        Each row is a dict of the columns, with `codes` as a list, `flags` as the list of flag dicts, and
        `diff_url` added.
        """
        where: list[str] = []
        args: list[Any] = []
        if wiki:
            wikis = [wiki] if isinstance(wiki, str) else list(wiki)
            where.append(f"wiki IN ({','.join('?' * len(wikis))})")
            args += wikis
        if code:
            codes = [code] if isinstance(code, str) else list(code)
            where.append("(" + " OR ".join(["(',' || codes || ',') LIKE ? ESCAPE '\\'"] * len(codes)) + ")")
            args += ["%," + c.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + ",%" for c in codes]
        if severity is not None:
            if severity not in SEVERITY_RANK:
                raise InputError(f"unknown severity {severity!r} (choose from {', '.join(SEVERITY_RANK)})")
            where.append("severity_rank >= ?")
            args.append(SEVERITY_RANK[severity])
        if before_id is not None:
            where.append("id < ?")
            args.append(int(before_id))
        if after_id is not None:
            where.append("id > ?")
            args.append(int(after_id))
        sql = f"SELECT {', '.join(_COLUMNS)} FROM findings"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            args.append(max(0, int(limit)))
        with self._lock:
            rows = self._db.execute(sql, args).fetchall()
        return [_row_dict(r) for r in rows]

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> FindingsStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"FindingsStore({str(self.path)!r})"


def _set_state(db: sqlite3.Connection, key: str, value: str | None) -> None:
    db.execute("INSERT INTO stream_state (key, value) VALUES (?, ?) "
               "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (key, value))


def _finding(d: Mapping[str, Any]) -> Finding:
    try:
        return Finding(wiki=d["wiki"], title=d["title"], new=int(d["new"]),
                       old=None if d.get("old") is None else int(d["old"]), namespace=d.get("namespace"),
                       user=d.get("user"), timestamp=d.get("timestamp"), comment=d.get("comment"),
                       flags=list(d.get("flags") or []), event_id=d.get("event_id"), server_url=d.get("server_url"))
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError(f"not a finding: {exc}") from exc


def _row_dict(row: Sequence[Any]) -> dict[str, Any]:
    d = dict(zip(_COLUMNS, row, strict=True))
    d["codes"] = [c for c in str(d["codes"]).split(",") if c]
    d["flags"] = json.loads(d["flags"])
    d["diff_url"] = diff_url(d["wiki"], d["old"], d["new"], d.get("server_url"))
    return d
