"""The findings store: schema, filters and paging, stream position stored with the rows, several processes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import wikidiff
from wikidiff.errors import InputError
from wikidiff.patrol.findings import Finding, FindingsStore
from wikidiff.sources.cache import RevisionCache

ROOT = Path(__file__).resolve().parents[1]

BROKEN = "Text.<ref name=a>A</ref> More.<ref name=a/>"


def flags_of(old: str, new: str) -> list:
    return wikidiff.audit(old, new).flags


def finding(new: int, *, wiki: str = "en.wikipedia.org", flags: list | None = None, **kw) -> Finding:
    return Finding(wiki=wiki, title=kw.pop("title", f"Page {new}"), new=new, old=kw.pop("old", new - 1),
                   namespace=0, user="Example", timestamp="2026-12-01T15:00:00Z", comment="c",
                   flags=flags if flags is not None else [{"code": "maintenance-tag-added", "severity": "info",
                                                           "message": "m"}], **kw)


def test_schema_has_the_agreed_columns_and_wal(tmp_path):
    path = tmp_path / "f.sqlite"
    with FindingsStore(path, timeout=7) as store:
        assert store._db.execute("PRAGMA busy_timeout").fetchone()[0] == 7000
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    cols = {r[1]: (r[2], r[3]) for r in db.execute("PRAGMA table_info(findings)")}
    for name, typ, notnull in [("id", "INTEGER", 0), ("event_id", "TEXT", 0), ("wiki", "TEXT", 1),
                               ("title", "TEXT", 1), ("namespace", "INTEGER", 0), ("old", "INTEGER", 0),
                               ("new", "INTEGER", 1), ("user", "TEXT", 0), ("timestamp", "TEXT", 0),
                               ("comment", "TEXT", 0), ("severity", "TEXT", 1), ("codes", "TEXT", 1),
                               ("flags", "TEXT", 1), ("audited_at", "TEXT", 1)]:
        assert cols[name] == (typ, notnull), name
    assert {r[1] for r in db.execute("PRAGMA table_info(stream_state)")} == {"key", "value"}
    db.close()


def test_a_real_audit_round_trips(tmp_path):
    flags = flags_of(BROKEN, "Text. More.<ref name=a/>")
    with FindingsStore(tmp_path / "f.sqlite") as store:
        fid = store.add(finding(1002, flags=flags, title="Zürich <b>", event_id='[{"topic":"t","offset":5}]'))
        assert store.count() == 1
        row = store.get(fid)
    assert row is not None
    assert row["severity"] == "error" and row["codes"] == ["broken-ref"]
    assert row["flags"] == [f.to_dict() for f in flags]
    assert row["title"] == "Zürich <b>" and row["old"] == 1001 and row["new"] == 1002
    assert row["diff_url"] == "https://en.wikipedia.org/w/index.php?diff=1002&oldid=1001"
    assert row["audited_at"].endswith("Z") and row["event_id"] == '[{"topic":"t","offset":5}]'
    raw = sqlite3.connect(tmp_path / "f.sqlite").execute("SELECT severity, codes FROM findings").fetchone()
    assert raw == ("error", "broken-ref")


def test_severity_is_the_worst_and_codes_are_distinct():
    f = finding(5, flags=[{"code": "words-to-watch", "severity": "info", "message": ""},
                          {"code": "tag-removed", "severity": "warning", "message": ""},
                          {"code": "words-to-watch", "severity": "info", "message": ""}])
    assert f.severity == "warning" and f.codes == ["words-to-watch", "tag-removed"]
    assert finding(6, old=None).diff_url == "https://en.wikipedia.org/w/index.php?oldid=6"


def test_query_filters_newest_first_and_pages(tmp_path):
    info = [{"code": "words-to-watch", "severity": "info", "message": ""}]
    warn = [{"code": "tag-removed", "severity": "warning", "message": ""}]
    err = [{"code": "broken-ref", "severity": "error", "message": ""},
           {"code": "words-to-watch", "severity": "info", "message": ""}]
    with FindingsStore(tmp_path / "f.sqlite") as store:
        ids = [store.add(finding(10, flags=info)), store.add(finding(11, flags=warn)),
               store.add(finding(12, flags=err, wiki="de.wikipedia.org")), store.add(finding(13, flags=err))]
        assert [r["new"] for r in store.query()] == [13, 12, 11, 10]
        assert [r["new"] for r in store.query(wiki="en.wikipedia.org")] == [13, 11, 10]
        assert [r["new"] for r in store.query(wiki=["de.wikipedia.org", "fr.wikipedia.org"])] == [12]
        assert [r["new"] for r in store.query(severity="warning")] == [13, 12, 11]
        assert [r["new"] for r in store.query(severity="error")] == [13, 12]
        assert [r["new"] for r in store.query(severity="info")] == [13, 12, 11, 10]
        assert [r["new"] for r in store.query(code="words-to-watch")] == [13, 12, 10]
        assert [r["new"] for r in store.query(code="words")] == []  # a whole code, not a prefix
        assert [r["new"] for r in store.query(code=["tag-removed", "broken-ref"], wiki="en.wikipedia.org")] \
            == [13, 11]
        assert [r["new"] for r in store.query(limit=2)] == [13, 12]
        assert [r["new"] for r in store.query(limit=2, before_id=ids[2])] == [11, 10]
        assert [r["new"] for r in store.query(after_id=ids[1])] == [13, 12]
        with pytest.raises(InputError, match="unknown severity"):
            store.query(severity="fatal")


def test_an_edit_is_stored_once(tmp_path):
    with FindingsStore(tmp_path / "f.sqlite") as store:
        a = store.add(finding(20))
        assert store.add(finding(20)) == a
        assert store.add(finding(20, wiki="de.wikipedia.org")) != a
        assert store.count() == 2 and store.count("en.wikipedia.org") == 1


def test_findings_and_position_land_together(tmp_path):
    with FindingsStore(tmp_path / "f.sqlite") as store:
        assert store.last_event_id() is None
        store.add_many([finding(30), finding(31)], last_event_id='[{"offset":31}]')
        assert store.last_event_id() == '[{"offset":31}]' and store.count() == 2
        with pytest.raises(InputError):  # a bad row rolls back the whole batch, position included
            store.add_many([finding(32), {"wiki": "en.wikipedia.org"}], last_event_id='[{"offset":33}]')
        with pytest.raises(sqlite3.IntegrityError):
            store.add_many([finding(32), Finding(wiki="en.wikipedia.org", title=None, new=33)],  # type: ignore
                           last_event_id='[{"offset":33}]')
        assert store.last_event_id() == '[{"offset":31}]' and store.count() == 2
        store.set_last_event_id('[{"offset":40}]')
        store.set_state("stream_url", "http://127.0.0.1:1/v2/stream/recentchange")
    with FindingsStore(tmp_path / "f.sqlite") as store:
        assert store.last_event_id() == '[{"offset":40}]'
        assert store.state("stream_url") == "http://127.0.0.1:1/v2/stream/recentchange"


def test_bad_paths_are_input_errors(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        FindingsStore(tmp_path)
    with pytest.raises(InputError, match="no findings store"):
        FindingsStore(tmp_path / "missing.sqlite", create=False)
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(InputError, match="not a usable wikidiff findings store"):
        FindingsStore(tmp_path / "junk.sqlite")
    RevisionCache(tmp_path / "cache.sqlite").close()
    with pytest.raises(InputError, match="not a usable wikidiff findings store"):
        FindingsStore(tmp_path / "cache.sqlite")


WRITER = textwrap.dedent("""
    import sys
    from wikidiff.patrol.findings import Finding, FindingsStore
    base = int(sys.argv[2])
    with FindingsStore(sys.argv[1]) as store:
        for i in range(40):
            store.add_many([Finding(wiki="en.wikipedia.org", title="P", new=base + i, old=base + i - 1,
                                    flags=[{"code": "broken-ref", "severity": "error", "message": ""}])],
                           last_event_id=str(base + i))
""")


def test_two_writer_processes_and_a_reader(tmp_path):
    path = tmp_path / "f.sqlite"
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(base)], env=env)
             for base in (1000, 2000)]
    seen = 0
    with FindingsStore(path) as reader:
        while any(p.poll() is None for p in procs):
            rows = reader.query(limit=None)
            assert all(r["codes"] == ["broken-ref"] for r in rows)
            seen = max(seen, len(rows))
    assert [p.wait() for p in procs] == [0, 0]
    with FindingsStore(path) as store:
        assert store.count() == 80
        assert sorted(r["new"] for r in store.query(limit=None)) == list(range(1000, 1040)) + list(range(2000, 2040))
        assert store.last_event_id() in {"1039", "2039"}
