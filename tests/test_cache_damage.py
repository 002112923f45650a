"""The revision cache when it is damaged, read-only or has nowhere to live: read-only use works, damage is one
line naming the file and what to do, a damaged row is fetched again."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from mwapi_server import MediaWikiStandIn

from wikidiff import errors
from wikidiff.cli import main
from wikidiff.sources.cache import RevisionCache
from wikidiff.sources.client import open_client

ROOT = Path(__file__).resolve().parent.parent
SITE = "en.wikipedia.org"
IDS = ("651986427", "651993021")


@pytest.fixture
def wiki():
    with MediaWikiStandIn() as server:
        yield server


def audit(wiki, cache: Path, *extra: str) -> list[str]:
    return ["audit", "--site", SITE, "--old", IDS[0], "--new", IDS[1], "--api-url", wiki.api_url, "--cache",
            str(cache), "-q", "-f", "json", *extra]


def filled(wiki, tmp_path) -> Path:
    cache = tmp_path / "cache.sqlite"
    assert main(audit(wiki, cache)) == 0
    return cache


@pytest.mark.parametrize("damage", [
    "UPDATE revisions SET text = X'00ff10' WHERE revid = 651993021",  # bytes where text was
    "UPDATE revisions SET size = 'big' WHERE revid = 651993021",  # a wrong type
    "UPDATE revisions SET user = X'01' WHERE revid = 651993021",
])
def test_a_damaged_row_is_fetched_again_and_offline_names_the_file(wiki, tmp_path, capsys, damage):
    cache = filled(wiki, tmp_path)
    with sqlite3.connect(cache) as db:
        db.execute(damage)
    capsys.readouterr()
    assert main(audit(wiki, cache, "--offline")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"is damaged in the cache {cache}" in err and "Traceback" not in err
    before = len(wiki.requests)
    with open_client(site=SITE, api_url=wiki.api_url, cache=cache, quiet=False) as client:
        assert client.revisions([int(IDS[1])])[0][1].revid == int(IDS[1])
    assert len(wiki.requests) == before + 1 and "is damaged; fetching it again" in capsys.readouterr().err
    capsys.readouterr()
    assert main(audit(wiki, cache, "--offline")) == 0  # repaired by the fetch


def test_a_file_that_is_not_a_cache_is_one_line(tmp_path, capsys):
    bad = tmp_path / "cache.sqlite"
    bad.write_bytes(b"this is not a database, just some text" * 100)
    assert main(["audit", "--site", SITE, "--old", "1", "--new", "2", "--cache", str(bad), "--offline"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(bad) in err and "move it away" in err


def test_offline_reads_without_writing(wiki, tmp_path):
    cache = filled(wiki, tmp_path)
    with sqlite3.connect(cache) as db:  # fold the WAL in: the file alone holds everything
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("PRAGMA journal_mode = DELETE")
    files = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert main(audit(wiki, cache, "--offline")) == 0
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == files  # not a byte written, no -wal/-shm


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only files")
def test_a_read_only_cache_is_usable(wiki, tmp_path, capsys):
    cache = filled(wiki, tmp_path)
    cache.chmod(0o444)
    tmp_path.chmod(0o555)
    try:
        assert main(audit(wiki, cache, "--offline")) == 0
        capsys.readouterr()
        assert main(["audit", "--site", SITE, "--old", IDS[1], "--new", "prev", "--api-url", wiki.api_url,
                     "--cache", str(cache), "-f", "json"]) == 0
        assert "not kept in" in capsys.readouterr().err
    finally:
        tmp_path.chmod(0o755)
        cache.chmod(0o644)


def test_a_read_only_cache_through_the_library(wiki, tmp_path):
    cache = filled(wiki, tmp_path)
    store = RevisionCache(cache, read_only=True)
    assert store.read_only and store.put_many(SITE, []) == 0
    with open_client(site=SITE, api_url=wiki.api_url, cache=store) as client:
        assert client.revisions([int(IDS[0])])[0][1].source == "cache"
        with pytest.raises(errors.FetchError):  # nothing in the cache for it, and nothing gets written
            client.offline = True
            client.revisions([651992792])
    store.close()


@pytest.mark.parametrize("env", [
    {"HOME": "/dev/null", "XDG_CACHE_HOME": ""},  # a home that is not a folder
    {"HOME": "/proc/1/no-such-home", "XDG_CACHE_HOME": "relative/path"},  # a home where nothing can be made, and
    # an XDG path that must be absolute
])
def test_no_usable_home_is_one_line(tmp_path, env):
    proc = subprocess.run([sys.executable, "-m", "wikidiff", "audit", "--site", SITE, "--old", "1", "--new", "2",
                           "--offline"], capture_output=True, text=True, cwd=tmp_path, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT), **env})
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr, proc.stderr
    assert "--cache" in proc.stderr
