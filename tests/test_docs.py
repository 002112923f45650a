"""The docs cannot drift from the code: every `wikidiff …` command line in the README parses with the real argument
parser, every `--option` the README names exists, the README's flag table lists exactly the codes of
wikidiff/codes.py with their severities, and docs/flags.md is what codes.py generates."""

from __future__ import annotations

import argparse
import re
import shlex

import pytest
from conftest import ROOT

from wikidiff.cli import build_parser
from wikidiff.codes import CODES, SEVERITIES, reference_markdown

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _shell_blocks(text: str) -> list[str]:
    return re.findall(r"```(?:bash|sh|console)\n(.*?)```", text, re.DOTALL)


def readme_commands() -> list[list[str]]:
    """The argument lists of every `wikidiff …` command in the README's shell blocks (also after `&&`)."""
    out = []
    for block in _shell_blocks(README):
        for line in block.splitlines():
            for part in re.split(r"&&|\|\||;", line):
                words = shlex.split(part, comments=True)
                if words and words[0] == "wikidiff":
                    out.append(words[1:])
    return out


def _all_options(parser: argparse.ArgumentParser) -> set[str]:
    found = set(parser._option_string_actions)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                found |= _all_options(sub)
    return found


def test_readme_has_commands():
    commands = readme_commands()
    assert len(commands) >= 5
    assert {c[0] for c in commands} >= {"audit", "history", "fix"}


@pytest.mark.parametrize("argv", readme_commands(), ids=lambda argv: " ".join(argv)[:60])
def test_readme_command_parses(argv, capsys):
    parser = build_parser()
    try:
        parser.parse_args(argv)
    except SystemExit as exc:
        pytest.fail(f"`wikidiff {' '.join(argv)}` does not parse (exit {exc.code}): {capsys.readouterr().err}")


def readme_options() -> set[str]:
    """Options the README gives wikidiff: in its `wikidiff …` commands, and in code spans that are an option alone
    (`--cache PATH`); other tools' options (`dask worker … --nthreads 1`) are left out."""
    named = {w.split("=")[0] for argv in readme_commands() for w in argv if w.startswith("--")}
    for span in re.findall(r"`([^`\n]+)`", README):
        if span.startswith("--") or span.startswith("wikidiff "):
            named |= set(re.findall(r"(?<![\w-])(--[a-z][a-z0-9-]*)", span))
    return named


def test_readme_options_exist():
    named = readme_options()
    assert {"--format", "--offline", "--cache"} <= named
    missing = named - _all_options(build_parser())
    assert not missing, f"the README names options the CLI does not have: {sorted(missing)}"


def readme_flag_table() -> dict[str, str]:
    """README flag table: code -> the severity cell of its row."""
    start = README.index("| flag | fires when | severity |")
    rows = {}
    for line in README[start:].splitlines()[2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip("|").split("|")]
        for code in re.findall(r"`([a-z-]+)`", cells[0]):
            rows[code] = cells[-1]
    return rows


def test_readme_flag_table_lists_every_code():
    table = readme_flag_table()
    assert set(table) == set(CODES), (f"README only: {sorted(set(table) - set(CODES))}; "
                                      f"codes.py only: {sorted(set(CODES) - set(table))}")


def test_readme_flag_table_gives_each_codes_severities():
    """The README names each code's default severity and no severity the code cannot have (a row may name two
    codes); the rarer ones (with verify, for instance) are in docs/flags.md."""
    table = readme_flag_table()
    for code, cell in table.items():
        named = set(re.findall(r"\b(?:error|warning|info)\b", cell))
        row_codes = [c for c, other in table.items() if other == cell]
        possible = {s for c in row_codes for s in CODES[c].severities}
        assert CODES[code].default_severity in named, f"{code}: the README does not name its default severity"
        assert named <= possible, f"{code}: the README names {sorted(named - possible)}, which codes.py does not allow"
        assert set(CODES[code].severities) <= set(SEVERITIES)


def test_flag_reference_is_generated_from_codes():
    path = ROOT / "docs" / "flags.md"
    assert path.read_text(encoding="utf-8") == reference_markdown(), (
        "docs/flags.md is out of date: python3 -c 'from wikidiff.codes import reference_markdown as r; "
        "open(\"docs/flags.md\", \"w\").write(r())'")
    for code in CODES:
        assert f"## `{code}`" in path.read_text(encoding="utf-8")


def test_readme_states_the_limits_the_code_has():
    """The limits the README names are the ones the code applies."""
    from wikidiff.checks.tags import SHOWN_CHARS
    from wikidiff.diff.words import AUDIT_BUDGET_S, FOLD_LINES
    from wikidiff.report.html.common import FLAGS_LISTED
    from wikidiff.report.html.diff import ROWS_MAX
    from wikidiff.sources.answers import MAX_REVISION_BYTES
    from wikidiff.sources.files import MAX_BYTES
    from wikidiff.sources.http import MAX_ANSWER_BYTES
    from wikidiff.sources.renderings import RENDERING_MAX_AGE_DAYS

    text = " ".join(README.split())
    mib = 1024 * 1024
    for phrase in (f"one {AUDIT_BUDGET_S:g} s diff budget per audit", f"of over {FOLD_LINES:,} lines",
                   f"past {FOLD_LINES:,} changed lines", f"after {ROWS_MAX:,} lines", f"at most {FLAGS_LISTED} flags",
                   f"capped at {MAX_ANSWER_BYTES // mib} MiB decoded", f"revisions at {MAX_REVISION_BYTES // mib} MiB",
                   f"files at {MAX_BYTES // mib} MiB", f"at most {SHOWN_CHARS} characters of its wikitext",
                   f"cached like revisions, for {RENDERING_MAX_AGE_DAYS} days"):
        assert phrase in text, phrase
