"""The SQLite revision cache: round trips, WAL and busy timeout, all-or-nothing writes, two processes at once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from wikidiff.errors import InputError
from wikidiff.model import RevisionMeta
from wikidiff.sources.cache import RevisionCache, StoredRevision, default_cache_path

ROOT = Path(__file__).resolve().parents[1]
SITE = "en.wikipedia.org"


def rev(revid: int, text: str = "Text.", *, pageid: int = 1, parentid: int = 0, ts: str = "2015-03-17T17:45:52Z",
        title: str = "Nintendo Switch") -> StoredRevision:
    meta = RevisionMeta(revid=revid, parentid=parentid, title=title, timestamp=ts, user="Bussta33",
                        comment="[[WP:AES|←]]Created page", size=len(text.encode()), sha1="ab" * 20, site=SITE,
                        source="api")
    return StoredRevision(text=text, meta=meta, pageid=pageid)


def test_round_trip_keeps_text_and_meta(tmp_path):
    text = "'''Nintendo NX''' is a [[video game console]].<ref name=\"a\">Ref — ünïcode ✓</ref>\n"
    with RevisionCache(tmp_path / "c.sqlite") as cache:
        assert cache.get(SITE, 651807915) is None
        cache.put(SITE, rev(651807915, text, pageid=900001))
    with RevisionCache(tmp_path / "c.sqlite") as cache:  # a second process would see the same
        got = cache.get(SITE, 651807915)
    assert got is not None and got.text == text and got.pageid == 900001
    assert got.meta == RevisionMeta(revid=651807915, parentid=0, title="Nintendo Switch",
                                    timestamp="2015-03-17T17:45:52Z", user="Bussta33",
                                    comment="[[WP:AES|←]]Created page", size=len(text.encode()), sha1="ab" * 20,
                                    site=SITE, source="cache")


def test_keyed_by_site_and_revid(tmp_path):
    with RevisionCache(tmp_path / "c.sqlite") as cache:
        cache.put_many(SITE, [rev(1, "en one"), rev(2, "en two")])
        cache.put("de.wikipedia.org", rev(1, "de eins"))
        assert cache.get(SITE, 1).text == "en one"
        assert cache.get("de.wikipedia.org", 1).text == "de eins"
        assert cache.get("de.wikipedia.org", 2) is None
        assert set(cache.get_many(SITE, [1, 2, 3])) == {1, 2}
        assert (SITE, 2) in cache and ("fr.wikipedia.org", 2) not in cache
        assert cache.count() == 3 and cache.count(SITE) == 2
        cache.put(SITE, rev(1, "en one", title="Moved title"))  # a page move updates the stored title
        assert cache.get(SITE, 1).meta.title == "Moved title" and cache.count(SITE) == 2


def test_wal_mode_and_busy_timeout(tmp_path):
    path = tmp_path / "c.sqlite"
    with RevisionCache(path, timeout=7) as cache:
        cache.put(SITE, rev(1))
        assert cache._db.execute("PRAGMA busy_timeout").fetchone()[0] == 7000
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1
    db.close()


def test_a_batch_is_written_whole_or_not_at_all(tmp_path):
    with RevisionCache(tmp_path / "c.sqlite") as cache:
        broken = StoredRevision(text=None, meta=rev(3).meta, pageid=1)  # type: ignore[arg-type]  # NOT NULL text
        with pytest.raises(sqlite3.IntegrityError):
            cache.put_many(SITE, [rev(1), rev(2), broken, rev(4)])
        assert cache.count() == 0
        cache.put_many(SITE, [rev(1), rev(2)])
        assert cache.count() == 2
        with pytest.raises(ValueError):
            cache.put(SITE, StoredRevision(text="x", meta=RevisionMeta(title="no id")))
        assert cache.count() == 2


def test_neighbours_and_page_order(tmp_path):
    with RevisionCache(tmp_path / "c.sqlite") as cache:
        cache.put_many(SITE, [rev(30, ts="2015-03-18T22:34:15Z"), rev(10, ts="2015-03-17T17:45:52Z"),
                              rev(20, ts="2015-03-18T21:44:49Z"), rev(99, pageid=2, title="Other")])
        assert [r.meta.revid for r in cache.page_revisions(SITE, pageid=1)] == [10, 20, 30]
        assert [r.meta.revid for r in cache.page_revisions(SITE, title="Other")] == [99]
        assert cache.neighbour(SITE, 30, "prev") is None
        cache.set_neighbour(SITE, 30, "prev", 20)
        cache.set_neighbour(SITE, 10, "prev", 0)  # 0: the page's first revision
        assert cache.neighbour(SITE, 30, "prev") == 20 and cache.neighbour(SITE, 10, "prev") == 0
        assert cache.neighbour(SITE, 30, "next") is None
        with pytest.raises(sqlite3.IntegrityError):
            cache.set_neighbour(SITE, 30, "sideways", 1)


def test_default_path_under_the_user_cache_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_path() == tmp_path / "xdg" / "wikidiff" / "revisions.sqlite"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/ignored")  # the XDG spec says relative paths are invalid
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_cache_path() == tmp_path / "home" / ".cache" / "wikidiff" / "revisions.sqlite"
    monkeypatch.delenv("XDG_CACHE_HOME")
    with RevisionCache() as cache:
        cache.put(SITE, rev(1))
    assert (tmp_path / "home" / ".cache" / "wikidiff" / "revisions.sqlite").is_file()


@pytest.mark.parametrize("setup, message", [
    (lambda p: p.write_bytes(b"this is not a database, it is a text file" * 50), "not a usable wikidiff revision"),
    (lambda p: p.mkdir(), "is a directory"),
])
def test_unusable_cache_path_is_one_clear_error(tmp_path, setup, message):
    path = tmp_path / "cache.sqlite"
    setup(path)
    with pytest.raises(InputError, match=message):
        RevisionCache(path)


def test_cache_from_a_newer_wikidiff_is_refused(tmp_path):
    path = tmp_path / "c.sqlite"
    RevisionCache(path).close()
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.commit()
    db.close()
    with pytest.raises(InputError, match="newer wikidiff"):
        RevisionCache(path)


WRITER = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from wikidiff.model import RevisionMeta
    from wikidiff.sources.cache import RevisionCache, StoredRevision
    path, first, batches, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    cache = RevisionCache(path, timeout=60)
    for b in range(batches):
        batch = []
        for i in range(size):
            revid = first + b * size + i
            meta = RevisionMeta(revid=revid, title="T", timestamp="2020-01-01T00:00:00Z", site="s", source="api")
            batch.append(StoredRevision(text="x" * 2000 + str(revid), meta=meta, pageid=1))
        cache.put_many("s", batch)
    cache.close()
""")

READER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from wikidiff.sources.cache import RevisionCache
    path, total, size = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    cache = RevisionCache(path, timeout=60)
    seen, deadline = set(), time.monotonic() + 60
    while time.monotonic() < deadline:
        n = cache.count("s")
        if n % size:
            sys.exit(f"saw {{n}} rows: half a batch")
        seen.add(n)
        if n == total:
            break
    cache.close()
    print(len(seen))
""")


def test_two_processes_share_one_cache(tmp_path):
    """Two writers and a reader on one fresh file: nobody fails on a lock, no half batch is ever visible."""
    path = str(tmp_path / "shared.sqlite")
    batches, size = 25, 8
    writer = WRITER.format(root=str(ROOT))
    reader = READER.format(root=str(ROOT))
    procs = [subprocess.Popen([sys.executable, "-c", writer, path, str(first), str(batches), str(size)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for first in (1, 1_000_000)]
    read = subprocess.Popen([sys.executable, "-c", reader, path, str(2 * batches * size), str(size)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for p in [*procs, read]:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    with RevisionCache(path) as cache:
        assert cache.count("s") == 2 * batches * size
        assert cache.get("s", 1_000_000 + batches * size - 1).text.endswith(str(1_000_000 + batches * size - 1))
        assert cache._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
