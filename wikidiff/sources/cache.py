"""The revision cache: every fetched revision in an embedded SQLite database, keyed by (site, revid).

Revisions never change once saved, so a revision is fetched once per wiki and read from here afterwards (and
offline use reads nothing else). The database runs in WAL mode with a busy timeout, and every write is one
`BEGIN IMMEDIATE` transaction, so two wikidiff processes can share one cache file: a reader never sees half a
batch, and a second writer waits for the first instead of failing.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from ..errors import InputError
from ..model import RevisionMeta
from .sqlite import use_wal

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS revisions (
    site TEXT NOT NULL,
    revid INTEGER NOT NULL,
    pageid INTEGER,
    parentid INTEGER,
    title TEXT,
    timestamp TEXT,
    user TEXT,
    comment TEXT,
    size INTEGER,
    sha1 TEXT,
    text TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (site, revid)
);
CREATE INDEX IF NOT EXISTS revisions_by_parent ON revisions (site, parentid);
CREATE INDEX IF NOT EXISTS revisions_by_page ON revisions (site, pageid, timestamp, revid);
CREATE TABLE IF NOT EXISTS neighbours (
    site TEXT NOT NULL,
    revid INTEGER NOT NULL,
    relation TEXT NOT NULL CHECK (relation IN ('prev', 'next')),
    other INTEGER NOT NULL,
    PRIMARY KEY (site, revid, relation)
);
CREATE TABLE IF NOT EXISTS site_facts (
    site TEXT NOT NULL,
    kind TEXT NOT NULL,
    body TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (site, kind)
);
CREATE TABLE IF NOT EXISTS renderings (
    site TEXT NOT NULL,
    revid INTEGER NOT NULL,
    variant TEXT NOT NULL,
    html TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    PRIMARY KEY (site, revid, variant)
);
"""

_COLUMNS = "revid, pageid, parentid, title, timestamp, user, comment, size, sha1, text"


@dataclass(frozen=True)
class StoredRevision:
    """One revision's text, what is known about it, and the id of its page."""

    text: str
    meta: RevisionMeta
    pageid: int | None = None


def default_cache_path() -> Path:
    """$XDG_CACHE_HOME/wikidiff/revisions.sqlite, else ~/.cache/wikidiff/revisions.sqlite (see wikidiff.config)."""
    from ..config import cache_path

    return cache_path()


class RevisionCache:
    """A SQLite file of revisions; use as a context manager or call close()."""

    def __init__(self, path: str | os.PathLike | None = None, *, timeout: float = 30.0,
                 read_only: bool = False) -> None:
        self.path = Path(path) if path is not None else default_cache_path()
        self.damaged: set[tuple[str, int]] = set()  # (site, revid) of rows that could not be read
        self.write_error: str | None = None  # why the last write did not happen (a full disk …), if one failed
        if self.path.is_dir():
            raise InputError(f"cache path {self.path} is a directory; give a file name such as "
                             f"{self.path / 'revisions.sqlite'}", param="cache")
        exists = self.path.exists()
        # an existing cache that cannot be written (or was asked for reading only) is read without a write
        self.read_only = exists and (read_only or not os.access(self.path, os.W_OK)
                                     or not os.access(self.path.parent, os.W_OK))
        if self.read_only:
            self._db = self._open_read_only(timeout)
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise InputError(f"cannot create the cache directory {self.path.parent}: {exc.strerror or exc}; name "
                             f"another cache file", param="cache") from exc
        try:
            self._db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self._db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
        except sqlite3.Error as exc:
            raise InputError(f"cannot open the revision cache {self.path}: {exc}", param="cache") from exc
        try:
            self._init_schema(timeout)
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise InputError(f"{self.path} is not a usable wikidiff revision cache ({exc}): move it away or delete "
                             f"it to start a new one", param="cache") from exc

    def _open_read_only(self, timeout: float) -> sqlite3.Connection:
        """Open without writing: mode=ro, else (a WAL file whose -shm cannot be made) immutable=1."""
        uri = self.path.resolve().as_uri()
        last: Exception | None = None
        for mode in ("mode=ro", "immutable=1"):
            try:
                db = sqlite3.connect(f"{uri}?{mode}", uri=True, timeout=timeout, isolation_level=None)
                version = db.execute("PRAGMA user_version").fetchone()[0]
                names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            except sqlite3.Error as exc:
                last = exc
                continue
            if version > SCHEMA_VERSION or "revisions" not in names:
                db.close()
                raise InputError(f"{self.path} is not a usable wikidiff revision cache (schema {version}): move it "
                                 f"away or name another cache file", param="cache")
            return db
        raise InputError(f"cannot read the revision cache {self.path} ({last}): move it away or name another cache "
                         f"file", param="cache")

    def _init_schema(self, timeout: float) -> None:
        use_wal(self._db, timeout)
        with self._transaction():
            version = self._db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise sqlite3.DatabaseError(f"made by a newer wikidiff (schema {version}, this one reads "
                                            f"{SCHEMA_VERSION})")
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self._db.execute(statement)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    class _Txn:
        def __init__(self, db: sqlite3.Connection) -> None:
            self.db = db

        def __enter__(self) -> sqlite3.Connection:
            self.db.execute("BEGIN IMMEDIATE")
            return self.db

        def __exit__(self, exc_type, exc, tb) -> None:
            self.db.execute("ROLLBACK" if exc_type else "COMMIT")

    def _transaction(self) -> RevisionCache._Txn:
        return RevisionCache._Txn(self._db)

    # reading
    def get(self, site: str, revid: int) -> StoredRevision | None:
        return self.get_many(site, [revid]).get(revid)

    def get_many(self, site: str, revids: Iterable[int]) -> dict[int, StoredRevision]:
        ids = sorted({int(r) for r in revids})
        found: dict[int, StoredRevision] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start:start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._read(f"SELECT {_COLUMNS} FROM revisions WHERE site = ? AND revid IN ({marks})",
                              [site, *chunk])
            for row in rows:
                rec = self._row(site, row)
                if rec is not None:
                    found[row[0]] = rec
        return found

    def _read(self, sql: str, args: Iterable) -> list[tuple]:
        """Rows of a query; a damaged database file is one InputError naming it and what to do."""
        try:
            return self._db.execute(sql, list(args)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise InputError(f"the revision cache {self.path} is damaged ({exc}): move it away or delete it to "
                             f"start a new one", param="cache") from None

    def _row(self, site: str, row: tuple) -> StoredRevision | None:
        """A stored revision, or None (noted in `damaged`) when the row holds what no wikidiff wrote."""
        rec = _stored(site, row)
        if rec is None:
            self.damaged.add((site, row[0] if isinstance(row[0], int) else -1))
        return rec

    def __contains__(self, key: tuple[str, int]) -> bool:
        site, revid = key
        return self._db.execute("SELECT 1 FROM revisions WHERE site = ? AND revid = ?", (site, revid)).fetchone() \
            is not None

    def count(self, site: str | None = None) -> int:
        if site is None:
            return self._db.execute("SELECT COUNT(*) FROM revisions").fetchone()[0]
        return self._db.execute("SELECT COUNT(*) FROM revisions WHERE site = ?", (site,)).fetchone()[0]

    def neighbour(self, site: str, revid: int, relation: str) -> int | None:
        """The revision before ("prev") or after ("next") revid in its page's history, as last seen; 0 = none."""
        rows = self._read("SELECT other FROM neighbours WHERE site = ? AND revid = ? AND relation = ?",
                          (site, revid, relation))
        return rows[0][0] if rows and isinstance(rows[0][0], int) and rows[0][0] >= 0 else None

    def page_revisions(self, site: str, *, pageid: int | None = None, title: str | None = None,
                       ) -> Iterator[StoredRevision]:
        """The cached revisions of one page (by id, else by title), oldest first."""
        arg: int | str
        if pageid is not None:
            where, arg = "pageid = ?", pageid
        elif title is not None:
            where, arg = "title = ?", title
        else:
            raise ValueError("page_revisions needs a pageid or a title")
        rows = self._read(f"SELECT {_COLUMNS} FROM revisions WHERE site = ? AND {where} "
                          f"ORDER BY timestamp, revid", (site, arg))
        for row in rows:
            rec = self._row(site, row)
            if rec is not None:
                yield rec

    # writing
    def put_many(self, site: str, revisions: Iterable[StoredRevision]) -> int:
        """Store revisions in one transaction (all or none); returns how many were written."""
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        rows = [(site, r.meta.revid, r.pageid, r.meta.parentid, r.meta.title, r.meta.timestamp, r.meta.user,
                 r.meta.comment, r.meta.size, r.meta.sha1, r.text, now) for r in revisions]
        if any(row[1] is None for row in rows):
            raise ValueError("a revision without a revid cannot be cached")
        if not rows or self.read_only:
            return 0
        try:
            self._write_many(rows)
        except (sqlite3.OperationalError, UnicodeEncodeError) as exc:  # a full disk, a file made read-only meanwhile
            self.write_error = f"{self.path}: {exc}"
            return 0
        return len(rows)

    def _write_many(self, rows: list[tuple]) -> None:
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO revisions (site, revid, pageid, parentid, title, timestamp, user, comment, size, sha1, "
                "text, fetched_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (site, revid) DO UPDATE SET pageid = excluded.pageid, parentid = excluded.parentid, "
                "title = excluded.title, timestamp = excluded.timestamp, user = excluded.user, "
                "comment = excluded.comment, size = excluded.size, sha1 = excluded.sha1, text = excluded.text, "
                "fetched_at = excluded.fetched_at",
                rows,
            )

    def put(self, site: str, revision: StoredRevision) -> None:
        self.put_many(site, [revision])

    def set_neighbour(self, site: str, revid: int, relation: str, other: int) -> None:
        if self.read_only:
            return
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO neighbours (site, revid, relation, other) VALUES (?, ?, ?, ?)",
                       (site, revid, relation, other))

    # renderings (wikidiff.verify): a revision's HTML as the wiki rendered it, per variant ("legacy", "parsoid")
    def get_rendering(self, site: str, revid: int, variant: str, max_age_days: float | None = None) -> str | None:
        """The cached HTML, unless older than `max_age_days` (a revision renders anew when its templates change)."""
        try:
            rows = self._read("SELECT html, fetched_at FROM renderings WHERE site = ? AND revid = ? AND variant = ?",
                              (site, revid, variant))
        except InputError:
            if self.read_only:  # a cache from before renderings were kept
                return None
            raise
        if not rows or not isinstance(rows[0][0], str) or _older(rows[0][1], max_age_days):
            return None
        return rows[0][0]

    def put_rendering(self, site: str, revid: int, variant: str, html: str) -> None:
        if self.read_only:
            return
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO renderings (site, revid, variant, html, fetched_at) "
                       "VALUES (?, ?, ?, ?, ?)", (site, revid, variant, html, now))

    def get_fact(self, site: str, kind: str, max_age_days: float | None = None) -> str | None:
        """A fact about a wiki kept as text (its siteinfo answer, the redirects to some templates), unless older
        than `max_age_days`; None when absent (or in a cache made before such facts were kept)."""
        try:
            rows = self._read("SELECT body, fetched_at FROM site_facts WHERE site = ? AND kind = ?", (site, kind))
        except InputError:
            if self.read_only:  # a cache from before site facts were kept
                return None
            raise
        if not rows:
            return None
        row = rows[0]
        return None if _older(row[1], max_age_days) else str(row[0])

    def put_fact(self, site: str, kind: str, body: str) -> None:
        if self.read_only:
            return
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO site_facts (site, kind, body, fetched_at) VALUES (?, ?, ?, ?)",
                       (site, kind, body, now))

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> RevisionCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RevisionCache({str(self.path)!r})"


def _stored(site: str, row: tuple) -> StoredRevision | None:
    """The revision in a row, or None when a column holds the wrong type (a damaged or foreign row)."""
    revid, pageid, parentid, title, timestamp, user, comment, size, sha1, text = row
    ints, texts = (revid, pageid, parentid, size), (title, timestamp, user, comment, sha1)
    if not isinstance(text, str) or not isinstance(revid, int) or \
            not all(v is None or (isinstance(v, int) and not isinstance(v, bool)) for v in ints) or \
            not all(v is None or isinstance(v, str) for v in texts):
        return None
    meta = RevisionMeta(revid=revid, parentid=parentid, title=title, timestamp=timestamp, user=user,
                        comment=comment, size=size, sha1=sha1, site=site, source="cache")
    return StoredRevision(text=text, meta=meta, pageid=pageid)


def _older(fetched_at: object, max_age_days: float | None) -> bool:
    """Whether a row fetched at `fetched_at` is past `max_age_days` (never, without one; always, when the time
    cannot be read)."""
    if max_age_days is None:
        return False
    try:
        fetched = datetime.strptime(str(fetched_at), "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except ValueError:
        return True
    return (datetime.now(timezone.utc) - fetched).total_seconds() > max_age_days * 86400
