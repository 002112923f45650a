"""What every SQLite store of wikidiff (the revision cache, the findings store) does on opening a file."""

from __future__ import annotations

import sqlite3
import time


def use_wal(db: sqlite3.Connection, timeout: float) -> None:
    """Put the database in WAL mode (readers never block the one writer), waiting up to `timeout` seconds while
    another process is switching it; synchronous=NORMAL, which WAL makes safe against corruption."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            break
        except sqlite3.OperationalError as exc:  # another process is switching the journal mode right now
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.05)
    if str(mode).lower() != "wal":
        raise sqlite3.DatabaseError(f"could not switch to WAL mode (journal mode is {mode})")
    db.execute("PRAGMA synchronous = NORMAL")
