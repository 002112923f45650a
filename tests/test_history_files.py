"""`history` over several files: a file that fails in any way is named, the others still run."""

from __future__ import annotations

import json

import pytest

from wikidiff.cli import main


def _history(path, texts) -> None:
    path.write_text(json.dumps([{"revid": i + 1, "timestamp": f"2020-01-0{i + 1}T00:00:00Z", "content": t}
                                for i, t in enumerate(texts)]), encoding="utf-8")


@pytest.mark.parametrize("bad, message", [
    (["A.", ["not", "text"]], "bad.json: revision 2 of \"bad\": its content is list, not text"),
    (["A.", {"x": 1}], "its content is dict, not text"),
])
def test_a_file_that_fails_is_named_and_the_others_run(tmp_path, capsys, bad, message):
    _history(tmp_path / "bad.json", bad)
    _history(tmp_path / "good.json", ["A.", "A. B."])
    assert main(["history", str(tmp_path / "bad.json"), str(tmp_path / "good.json"), "-q"]) == 2
    captured = capsys.readouterr()
    assert "good: 2 revisions, 1 audited" in captured.out  # the readable file was still run
    assert captured.err.count("\n") == 1 and message in captured.err and "Traceback" not in captured.err


def test_json_nested_without_end_is_one_line(tmp_path, capsys):
    deep = tmp_path / "deep.json"
    deep.write_text('{"revisions": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    assert main(["history", str(deep), "-q"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "deep.json: JSON nested too deeply" in err
