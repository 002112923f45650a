"""The command line: formats, exit codes, and one clear line for bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import SAMPLES

from wikidiff.cli import main

OLD = str(SAMPLES / "azerbaijani-offensive" / "old.wiki")
NEW = str(SAMPLES / "azerbaijani-offensive" / "new.wiki")


def test_text_report(capsys):
    assert main(["audit", OLD, NEW]) == 0
    out = capsys.readouterr().out
    assert "== Prelude ==" in out and "broken-ref" in out and "image-caption-swap" in out


def test_json_contract(capsys):
    assert main(["audit", OLD, NEW, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {"old", "new", "summary", "sections", "references", "flags"} <= set(data)
    for key in ("bytes_added", "bytes_removed", "sections_changed", "refs_added"):
        assert isinstance(data["summary"][key], int)
    for f in data["flags"]:
        assert {"code", "severity", "message", "section"} <= set(f)
        assert f["severity"] in ("error", "warning", "info")
    broken = [f for f in data["flags"] if f["code"] == "broken-ref"]
    assert all({"name", "group", "uses", "caused_by_edit", "suggestion"} <= set(f) for f in broken)
    for s in data["sections"]:
        assert s["change"] in ("added", "removed", "modified", "moved", "renamed")
    for r in data["references"]:
        assert r["change"] in ("added", "removed", "modified")


def test_fail_on(tmp_path):
    assert main(["audit", OLD, NEW, "--fail-on", "error", "-o", str(tmp_path / "r.txt")]) == 1
    assert main(["audit", OLD, OLD, "--fail-on", "info", "-o", str(tmp_path / "r.txt")]) == 0
    assert (tmp_path / "r.txt").read_text(encoding="utf-8").startswith("wikidiff audit")


@pytest.mark.parametrize("content, message", [  # (an empty file is a blanked page: see test_cli_edges.py)
    (b"caf\xe9 latin-1 text", "not valid UTF-8"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "binary"),
])
def test_bad_files_exit_2_with_one_line(tmp_path, content, message):
    bad = tmp_path / "bad.wiki"
    bad.write_bytes(content)
    proc = subprocess.run([sys.executable, "-m", "wikidiff", "audit", OLD, str(bad)], capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr


def test_missing_file_and_usage(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "wikidiff", "audit", OLD, str(tmp_path / "nope.wiki")],
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "no such file" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "wikidiff", "audit", "--format", "pdf", OLD, NEW],
                          capture_output=True, text=True)
    assert proc.returncode == 2


def test_crlf_and_bom_are_read_as_wikitext(tmp_path, capsys):
    a, b = tmp_path / "a.wiki", tmp_path / "b.wiki"
    a.write_bytes("\ufeffText.<ref name=x>X</ref>\r\nMore.<ref name=x/>\r\n".encode())
    b.write_bytes(b"Text.\r\nMore.<ref name=x/>\r\n")
    assert main(["audit", str(a), str(b), "--format", "json"]) == 0
    flags = json.loads(capsys.readouterr().out)["flags"]
    assert [f["name"] for f in flags if f["code"] == "broken-ref"] == ["x"]
