"""What a newcomer hits first at the command line: output files, colour, --version, plurals, standard input, empty
revisions, mistaken inputs, a fix that finds nothing, notes on how a URL was read, links to the wiki, Ctrl-C."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mwapi_server import MediaWikiStandIn
from terminal import on_terminal

import wikidiff
from wikidiff.cli import main

ROOT = Path(__file__).resolve().parent.parent
OLD = str(ROOT / "samples" / "azerbaijani-offensive" / "old.wiki")
NEW = str(ROOT / "samples" / "azerbaijani-offensive" / "new.wiki")
SITE = "en.wikipedia.org"
ESC = "\x1b["


def run(*args: str, stdin: str | None = None, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "wikidiff", *args], capture_output=True, text=True, input=stdin,
                          cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}, timeout=120, **kw)


def one_error_line(proc: subprocess.CompletedProcess, code: int = 2) -> str:
    assert proc.returncode == code, proc.stderr
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("wikidiff: error: ") and \
        "Traceback" not in proc.stderr, proc.stderr
    return proc.stderr


# -o
@pytest.mark.parametrize("command", ["audit", "fix"])
def test_output_into_a_missing_folder_is_one_line(tmp_path, command):
    target = tmp_path / "no" / "such" / "report.txt"
    err = one_error_line(run(command, OLD, NEW, "-o", str(target)))
    assert "does not exist" in err and not (tmp_path / "no").exists()


def test_output_naming_an_input_is_refused_and_the_input_kept(tmp_path):
    old = tmp_path / "old.wiki"
    old.write_text(Path(OLD).read_text(encoding="utf-8"), encoding="utf-8")
    before = old.read_bytes()
    assert "this is an input file" in one_error_line(run("audit", str(old), NEW, "-o", str(old)))
    assert "this is an input file" in one_error_line(run("fix", str(old), NEW, "-o", str(old)))
    assert old.read_bytes() == before


def test_output_a_folder_or_dev_full(tmp_path):
    assert "is a folder" in one_error_line(run("audit", OLD, NEW, "-o", str(tmp_path)))
    if Path("/dev/full").exists():
        assert "No space left on device" in one_error_line(run("audit", OLD, NEW, "-o", "/dev/full"))


def test_a_full_disk_leaves_the_old_file_and_no_empty_one(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("the previous report\n", encoding="utf-8")

    def small_files() -> None:  # a disk that takes 1 KB more: writes beyond fail with EFBIG
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (1024, 1024))

    proc = subprocess.run([sys.executable, "-m", "wikidiff", "audit", OLD, NEW, "-f", "html", "-o", str(target)],
                          capture_output=True, text=True, cwd=ROOT, preexec_fn=small_files, timeout=120,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert "cannot write" in one_error_line(proc)
    assert target.read_text(encoding="utf-8") == "the previous report\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]  # no temporary file left behind


def test_output_replaces_a_file_whole(tmp_path):
    target = tmp_path / "r.json"
    target.write_text("x" * 10_000_000, encoding="utf-8")
    assert main(["audit", OLD, NEW, "-f", "json", "-o", str(target)]) == 0
    assert target.read_text(encoding="utf-8").startswith("{")


# colour
def test_colour_only_on_a_terminal(tmp_path):
    shown = on_terminal("audit", OLD, NEW)
    assert ESC in shown
    assert ESC not in on_terminal("audit", OLD, NEW, env={"NO_COLOR": "1"})
    assert ESC not in on_terminal("audit", OLD, NEW, "--color", "never")
    report = tmp_path / "r.txt"
    on_terminal("audit", OLD, NEW, "-o", str(report))
    assert ESC not in report.read_text(encoding="utf-8")
    piped = run("audit", OLD, NEW)
    assert ESC not in piped.stdout
    assert ESC in run("audit", OLD, NEW, "--color", "always").stdout
    assert ESC in run("audit", OLD, NEW, "--color", "always", env={"NO_COLOR": "1"}).stdout  # asked for: given


# small things
def test_version():
    proc = run("--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"wikidiff {wikidiff.__version__}"


def test_plurals(tmp_path):
    (tmp_path / "a.wiki").write_text("Intro.\n\n== One ==\nA sentence.\n", encoding="utf-8")
    (tmp_path / "b.wiki").write_text("Intro.\n\n== One ==\nA sentence, longer.\n", encoding="utf-8")
    out = run("audit", str(tmp_path / "a.wiki"), str(tmp_path / "b.wiki")).stdout
    assert "1 section changed" in out and "1 sections" not in out
    assert "0 errors, 0 warnings" in out


def test_a_folder_is_not_called_one_file(tmp_path):
    err = one_error_line(run("audit", str(tmp_path)))
    assert "is a folder" in err and "one file" not in err


def test_two_revision_ids_given_as_files_hint_at_old_new(tmp_path):
    err = one_error_line(run("audit", "651986427", "651993021"))
    assert "--old 651986427 --new 651993021" in err
    assert "--new 651993021" in one_error_line(run("audit", "651993021"))


def test_standard_input(tmp_path):
    proc = run("audit", "-", NEW, "-f", "json", stdin=Path(OLD).read_text(encoding="utf-8"))
    assert proc.returncode == 0, proc.stderr
    piped = wikidiff.audit(Path(OLD).read_text(encoding="utf-8"), Path(NEW).read_text(encoding="utf-8"))
    import json

    data = json.loads(proc.stdout)
    assert data["old"]["source"] == "standard input"
    assert [f["code"] for f in data["flags"]] == [f.code for f in piped.flags]
    assert "standard input" in one_error_line(run("audit", "-", "-", stdin="x"))


def test_an_empty_revision_is_a_blanking_or_a_creation(tmp_path):
    empty = tmp_path / "empty.wiki"
    empty.write_bytes(b"")
    blank = run("audit", OLD, str(empty), "-f", "json")
    assert blank.returncode == 0, blank.stderr
    import json

    data = json.loads(blank.stdout)
    assert data["summary"]["bytes_added"] == 0 and data["summary"]["bytes_removed"] > 0
    create = run("audit", str(empty), NEW, "-f", "json")
    assert create.returncode == 0 and json.loads(create.stdout)["summary"]["bytes_removed"] == 0


# fix that finds nothing
def test_fix_that_repairs_nothing_writes_nothing_and_exits_1(tmp_path):
    (tmp_path / "old.wiki").write_text("A. {{Main|Elsewhere}}\n", encoding="utf-8")
    (tmp_path / "new.wiki").write_text("A. {{Main|Elsewhere}} B.<ref name=lost/>\n", encoding="utf-8")
    pages = tmp_path / "pages"
    pages.mkdir()
    out = tmp_path / "fixed.wiki"
    proc = run("fix", str(tmp_path / "old.wiki"), str(tmp_path / "new.wiki"), "--pages", str(pages),
               "-o", str(out))
    assert proc.returncode == 1 and not out.exists() and proc.stdout == ""
    assert "searched the old revision: no definition" in proc.stderr
    assert "searched article “Elsewhere”: missing" in proc.stderr
    assert "nothing repaired: no definition found for 'lost'" in proc.stderr
    (pages / "Elsewhere.wiki").write_text("X.<ref name=lost>one</ref> Y.<ref name=lost>two</ref>", encoding="utf-8")
    proc = run("fix", str(tmp_path / "old.wiki"), str(tmp_path / "new.wiki"), "--pages", str(pages),
               "-o", str(out))
    assert proc.returncode == 1 and not out.exists()
    assert "searched article “Elsewhere”: several different definitions of 'lost'" in proc.stderr
    (tmp_path / "clean.wiki").write_text("A.\n", encoding="utf-8")
    proc = run("fix", str(tmp_path / "clean.wiki"), str(tmp_path / "clean.wiki"))
    assert proc.returncode == 1 and "nothing to repair" in proc.stderr and proc.stdout == ""


# fetched revisions: notes, links, summary
@pytest.fixture
def wiki():
    with MediaWikiStandIn() as server:
        yield server


def fetch_cli(wiki, tmp_path, *args: str) -> list[str]:
    return ["audit", *args, "--api-url", wiki.api_url, "--cache", str(tmp_path / "c.sqlite"), "-q"]


def test_near_miss_url_keys_warn(wiki, tmp_path, capsys):
    url = "https://en.wikipedia.org/w/index.php?title=Nintendo_Switch&dif=651993021&oldid=651986427"
    assert main(fetch_cli(wiki, tmp_path, url, "-f", "json")) == 0
    err = capsys.readouterr().err
    assert "wikidiff: note: the URL has 'dif=', which MediaWiki ignores (did you mean 'diff='?)" in err
    url = "https://en.wikipedia.org/w/index.php?title=Nintendo_Switch&oldid=651993021"
    assert main(fetch_cli(wiki, tmp_path, url, "-f", "json")) == 0
    assert "names one revision (oldid=651993021, a permanent link)" in capsys.readouterr().err


def test_reversed_ids_are_swapped_with_a_note(wiki, tmp_path, capsys):
    import json

    assert main(fetch_cli(wiki, tmp_path, "--site", SITE, "--old", "651993021", "--new", "651986427",
                          "-f", "json")) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert (data["old"]["revid"], data["new"]["revid"]) == (651986427, 651993021)
    assert "revision 651993021 is newer than 651986427" in captured.err


def test_text_report_links_to_the_wiki_and_shows_the_summary(wiki, tmp_path, capsys):
    assert main(fetch_cli(wiki, tmp_path, "--site", SITE, "--old", "651986427", "--new", "651993021")) == 0
    out = capsys.readouterr().out
    assert "summary: “rv histmerge junk”" in out
    assert "diff: https://en.wikipedia.org/w/index.php?diff=651993021&oldid=651986427" in out
    assert "page: https://en.wikipedia.org/wiki/Nintendo_Switch" in out
    assert "https://en.wikipedia.org/wiki/User_talk:Anthony_Appleyard" in out
    assert "https://en.wikipedia.org/wiki/Special:Contributions/Anthony_Appleyard" in out


def test_control_characters_in_error_lines_are_made_visible(capsys):
    assert main(["audit", "https://en.wikipedia.org/wiki/Foo%1b%5b2J%0d"]) == 2
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\r" not in err and err.count("\n") == 1


# Ctrl-C
STARTER = ("import sys, runpy, importlib.util; importlib.util.find_spec('wikidiff'); "
           "sys.argv = ['wikidiff', *sys.argv[1:]]; sys.stderr.write('ready\\n'); sys.stderr.flush(); "
           "runpy.run_module('wikidiff', run_name='__main__', alter_sys=True)")


def test_interrupt_at_start_up_or_while_waiting_is_one_line(tmp_path):
    """SIGINT from the first line of Python code on: while the package is imported, while the arguments are read,
    and while waiting for a server that never answers, it ends with one line and exit status 130."""
    import socket

    with socket.socket() as listener:  # accepts, never answers
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        api = f"http://127.0.0.1:{listener.getsockname()[1]}/w/api.php"
        for delay in (0.01, 0.03, 0.08, 0.3, 1.5):
            proc = subprocess.Popen([sys.executable, "-c", STARTER, "audit", "--site", SITE, "--old", "1",
                                     "--new", "2", "--api-url", api, "--cache", str(tmp_path / "c.sqlite")],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                    env={**os.environ, "PYTHONPATH": str(ROOT)})
            assert proc.stderr is not None and proc.stderr.readline() == "ready\n"
            time.sleep(delay)
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=60)
            assert "Traceback" not in err and proc.returncode == 130, (delay, err)
            assert err.strip().endswith("wikidiff: interrupted")


def test_markdown_report_links_to_the_wiki(wiki, tmp_path, capsys):
    assert main(fetch_cli(wiki, tmp_path, "--site", SITE, "--old", "651986427", "--new", "651993021",
                          "-f", "markdown")) == 0
    out = capsys.readouterr().out
    assert "[diff](https://en.wikipedia.org/w/index.php?diff=651993021&oldid=651986427)" in out
    assert "[contributions](https://en.wikipedia.org/wiki/Special:Contributions/Anthony_Appleyard)" in out


def test_links_are_made_only_of_safe_characters():
    from wikidiff.model import RevisionMeta
    from wikidiff.sources.url import wiki_links

    links = wiki_links(RevisionMeta(revid=1, user='<img src=x onerror=alert(1)>"'),
                       RevisionMeta(revid=2, site=SITE, title="A <b>\"'` [x](y)", user="Ed"))
    assert links is not None
    flat = [url for _, url in links.pages] + [url for u in links.users for url in (u.page, u.talk, u.contributions)]
    assert [label for label, _ in links.pages] == ["diff", "old revision", "new revision", "page", "history"]
    assert all(not set(str(url)) & set('<>"` []') for url in flat), flat
