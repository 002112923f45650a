"""`wikidiff watch` as a user runs it: a real process against the loopback SSE and API stand-ins; Ctrl-C is a
real SIGINT, and --resume picks up where it stopped."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mwapi_server import MediaWikiStandIn
from sse_server import StreamStandIn, offset_of
from test_watch import expected_edits, expected_findings, fetchable

from wikidiff.patrol.findings import FindingsStore

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}
TOTAL = sum(fetchable(n) for n in expected_edits())


def command(stream, wiki, tmp_path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "wikidiff", "watch", "--stream-url", stream.url, "--api-url", wiki.api_url,
            "--cache", str(tmp_path / "cache.sqlite"), *extra]


def audited(stderr: str) -> int:
    m = re.search(r"(\d+) edits audited", stderr)
    assert m, stderr
    return int(m.group(1))


@pytest.fixture
def wiki():
    with MediaWikiStandIn() as server:
        yield server


def test_text_output_names_title_link_user_and_flags(wiki, tmp_path):
    with StreamStandIn() as stream:
        r = subprocess.run(command(stream, wiki, tmp_path, "--limit", str(TOTAL)), capture_output=True, text=True,
                           env=ENV, timeout=60)
    assert r.returncode == 0, r.stderr
    assert ('"Anwar Kamal Khan" by Example trimmer\n  https://en.wikipedia.org/w/index.php?diff=900000402&oldid='
            '900000401\n  error   broken-ref: named reference "DAWN"') in r.stdout
    assert r.stdout.count("https://en.wikipedia.org/w/index.php?diff=") == len(expected_findings("warning"))
    assert f"{TOTAL} edits audited" in r.stderr and "3 malformed" in r.stderr
    assert "Traceback" not in r.stderr


def test_jsonl_and_store(wiki, tmp_path):
    out = tmp_path / "findings.sqlite"
    with StreamStandIn() as stream:
        r = subprocess.run(command(stream, wiki, tmp_path, "--limit", str(TOTAL), "--format", "jsonl",
                                   "--codes", "broken-ref", "--min-severity", "error", "--out", str(out), "-q"),
                           capture_output=True, text=True, env=ENV, timeout=60)
    assert r.returncode == 0 and r.stderr == ""
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert {row["new"]: row["codes"] for row in rows} == expected_findings("error", {"broken-ref"})
    for row in rows:
        assert {"wiki", "title", "old", "new", "user", "timestamp", "comment", "flags"} <= set(row)
        assert row["wiki"] == "en.wikipedia.org" and all(f["code"] == "broken-ref" for f in row["flags"])
    with FindingsStore(out) as store:
        stored = store.query(limit=None)
    assert [s["new"] for s in reversed(stored)] == [row["new"] for row in rows]
    assert [s["flags"] for s in reversed(stored)] == [row["flags"] for row in rows]


@pytest.mark.parametrize("args, message", [
    (["--resume"], "--resume continues from the position stored in --out"),
    (["--since", "last tuesday"], "not an ISO 8601 timestamp"),
    (["--codes", "broken-ref,no-such-code"], "unknown flag code no-such-code"),
    (["--namespace", "Talk"], "--namespace takes a namespace number or 'all'"),
    (["--wiki", "en.wikipedia.org", "--wiki", "de.wikipedia.org"], "an API URL serves one wiki"),
])
def test_bad_options_are_one_line(wiki, tmp_path, args, message):
    with StreamStandIn() as stream:
        r = subprocess.run(command(stream, wiki, tmp_path, *args), capture_output=True, text=True, env=ENV,
                           timeout=60)
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1 and message in r.stderr and r.stderr.startswith("wikidiff: error: ")


def test_a_stream_that_is_not_one_is_one_line(wiki, tmp_path):
    with StreamStandIn(faults=[("status", 404)]) as stream:
        r = subprocess.run(command(stream, wiki, tmp_path), capture_output=True, text=True, env=ENV, timeout=60)
    assert r.returncode == 2 and "answered HTTP 404" in r.stderr and "Traceback" not in r.stderr


def test_ctrl_c_stores_what_was_handled_and_resume_goes_on(wiki, tmp_path):
    out = tmp_path / "findings.sqlite"
    with StreamStandIn(pace=0.04) as stream:
        proc = subprocess.Popen(command(stream, wiki, tmp_path, "--format", "jsonl", "--min-severity", "info",
                                        "--out", str(out)),
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        first = []
        assert proc.stdout is not None
        for line in proc.stdout:  # wait for two findings, then press Ctrl-C
            first.append(json.loads(line))
            if len(first) == 2:
                proc.send_signal(signal.SIGINT)
                break
        rest, err = proc.communicate(timeout=30)
        first += [json.loads(line) for line in rest.splitlines()]
        assert proc.returncode == 130, err
        assert "stopping" in err and "Traceback" not in err
        done = audited(err)
        assert 0 < done < TOTAL
        with FindingsStore(out) as store:
            assert [r["new"] for r in reversed(store.query(limit=None))] == [f["new"] for f in first]
            position = store.last_event_id()
        assert offset_of(position) is not None

        started = time.monotonic()
        r = subprocess.run(command(stream, wiki, tmp_path, "--format", "jsonl", "--min-severity", "info",
                                   "--out", str(out), "--resume", "--limit", str(TOTAL - done)),
                           capture_output=True, text=True, env=ENV, timeout=60)
        assert r.returncode == 0, r.stderr
        assert time.monotonic() - started < 30
        assert stream.requests[-1]["headers"]["Last-Event-Id"] == position
    second = [json.loads(line) for line in r.stdout.splitlines()]
    news = [f["new"] for f in first + second]
    assert len(news) == len(set(news))  # nothing twice
    assert {f["new"]: f["codes"] for f in first + second} == expected_findings("info")  # nothing lost
    with FindingsStore(out) as store:
        assert store.count() == len(news)


def test_text_output_shows_control_characters_as_text():
    from wikidiff.commands.watch import format_text
    from wikidiff.patrol.findings import Finding

    f = Finding(wiki="en.wikipedia.org", title="Evil\x1b]0;pwned\x07 title", new=2, old=1, user="User\x1b[31mRed",
                flags=[{"code": "broken-ref", "severity": "error", "message": "named reference \x1b[2J x"}])
    text = format_text(f)
    assert "\x1b" not in text and "\x07" not in text
    assert '"Evil\ufffd]0;pwned\ufffd title" by User\ufffd[31mRed' in text
    assert text.count("\n") == 3
