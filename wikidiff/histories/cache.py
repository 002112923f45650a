"""Finished audits by (old text, new text), in memory and optionally in SQLite (a run started again resumes)."""

from __future__ import annotations

import json
import sqlite3
from collections import OrderedDict
from pathlib import Path

from ..errors import InputError
from ..text.document import Document
from .defaults import CACHE_MEMORY, CACHE_SCHEMA


class AuditCache:
    """Audit results by (old text, new text): in memory (an edit war repeats pairs) and, given a path, in SQLite
    so that a run started again after an interruption reuses every audit it finished."""

    def __init__(self, path: str | Path | None = None, memory: int = CACHE_MEMORY):
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
        from .._version import __version__

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

