"""Reports that a hostile edit cannot steer (issue 16 items 5–7, issue 14's report bullets): terminal control
characters are shown, never sent; talk-page links cannot categorise, embed or interlink; Markdown neither links
bare addresses nor lets raw HTML in; the text report opens with what to fix first and `--brief` stops there."""

from __future__ import annotations

import re
import subprocess
import sys

import mwparserfromhell
import pytest
from conftest import ROOT
from report_payloads import NETWORK

import wikidiff
from wikidiff.codes import visible
from wikidiff.model import RevisionMeta
from wikidiff.report import render

#: what a terminal acts on: ESC (and so CSI/OSC sequences), BEL, CR, BS, other C0, DEL, C1, bidi controls
CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
TERMINAL_PAYLOADS = ["\x1b]0;PWNED\x07", "\x1b[2J\x1b[H", "\rOVERWRITTEN", "ab\x08\x08XY", "\x9b31m",
                     "\u202egnp.exe", "\u2066isolated\u2069", "\x00nul"]


def _hostile_terminal_audit() -> wikidiff.Audit:
    bad = "".join(TERMINAL_PAYLOADS)
    old = f"Intro.<ref name=a>Old {bad}</ref>\n\n== History ==\nOld text stays.{{{{citation needed|reason={bad}}}}}\n"
    new = (f"Intro.<ref name=b>New {bad}</ref>\n\n== History {bad} ==\nOld text stays. He is a terrorist {bad}.\n"
           f"<ref name=\"{bad}\"/><ref name=a/>\n")
    meta = RevisionMeta(revid=7, title=f"Page {bad}", user=f"User {bad}", comment=bad, timestamp=bad, source=bad)
    return wikidiff.audit(old, new, old_meta=meta, new_meta=meta)


def test_visible_writes_controls_out():
    assert visible("a\x1b[2Jb\x07\r\x08\x9b\u202e") == "a\\x1b[2Jb\\x07\\r\\x08\\x9b\\u202e"
    assert visible("line\nnext", keep="\n") == "line\nnext"
    assert visible("plain – text ✓") == "plain – text ✓"


def test_text_report_sends_no_control_character():
    audit = _hostile_terminal_audit()
    assert audit.flags  # the payloads reached flags, sections, refs and metadata
    for brief in (False, True):
        out = render(audit, "text", brief=brief)
        assert not CONTROL.search(out), repr(CONTROL.search(out))
        assert "\\x1b]0;PWNED\\x07" in out  # shown, as an escape


def test_cli_error_line_sends_no_control_character(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "wikidiff", "audit", "old\x1b]0;PWNED\x07.wiki", "new\r.wiki"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and proc.stderr.startswith("wikidiff: error:")
    assert not CONTROL.search(proc.stderr.rstrip("\n")), repr(proc.stderr)
    assert "\\x1b" in proc.stderr


# --- the text report: what to fix first ------------------------------------------------------------------------

def test_text_report_opens_with_errors_then_warnings(seed_pair):
    audit = wikidiff.audit(*seed_pair)
    out = render(audit, "text")
    head, _, rest = out.partition("Fix first:\n")
    assert rest, out[:500]
    fix_first = rest.split("\n\n", 1)[0].splitlines()
    urgent = [f for f in audit.flags if f.severity in ("error", "warning")]
    assert len(fix_first) == len(urgent)
    severities = [line.split()[1] for line in fix_first]
    assert severities == sorted(severities, key=("error", "warning").index)  # errors, then warnings
    assert "info" not in severities
    assert out.index("Fix first:") < out.index("\n== ")  # before the per-section detail
    brief = render(audit, "text", brief=True)
    assert "Fix first:" in brief and "\n== " not in brief and brief == out[: len(brief) - 1] + "\n"


def test_text_report_says_when_nothing_needs_fixing():
    out = render(wikidiff.audit("Text.\n", "Text. More text here.\n"), "text", brief=True)
    assert "nothing to fix" in out and "Fix first" not in out


def test_brief_is_a_cli_option(tmp_path):
    from conftest import SAMPLES

    seed = SAMPLES / "azerbaijani-offensive"
    proc = subprocess.run([sys.executable, "-m", "wikidiff", "audit", str(seed / "old.wiki"), str(seed / "new.wiki"),
                           "--brief"], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "NO_COLOR": "1"})
    assert proc.returncode == 0, proc.stderr
    assert "Fix first:" in proc.stdout and "\n== " not in proc.stdout
    with pytest.raises(wikidiff.InputError):
        render(wikidiff.audit("a", "b"), "json", brief=True)


# --- the talk-page wikitext ------------------------------------------------------------------------------------

@pytest.mark.parametrize("title", ["Category:Living people", "File:Example.jpg", "fr:Paris", "Cat%65gory:Foo",
                                   "Image:Example.png", ":Category:Already", "Template:Citation needed"])
def test_wikitext_links_cannot_categorise_embed_or_interlink(title):
    meta_old = RevisionMeta(revid=None, title=title)
    meta_new = RevisionMeta(revid=None, title=title)
    audit = wikidiff.audit("== History ==\nOld.<ref name=a>A</ref>\n", "== History ==\nNew.<ref name=a/>\n",
                           old_meta=meta_old, new_meta=meta_new)
    wt = render(audit, "wikitext")
    code = mwparserfromhell.parse(wt)
    for link in code.filter_wikilinks(recursive=True):
        assert str(link.title).startswith(":"), str(link)  # a leading colon: a plain link, whatever the namespace
    assert not code.filter_templates(recursive=True)


def test_wikitext_plain_text_never_becomes_a_link():
    for text in ("call tel:5551234 now", "see news:comp.lang.python", "mail mailto:a@example.org",
                 "from //evil.example/x", "ISBN 0-306-40615-2", "irc:channel"):
        audit = wikidiff.audit("Old.\n", "Old.\n")
        audit.flags.append(wikidiff.Flag("words-to-watch", "info", text, None, {"context": text}))
        wt = render(audit, "wikitext")
        assert f"<nowiki>{text}</nowiki>" in wt, wt
        assert not mwparserfromhell.parse(wt).filter_external_links(recursive=True), text


# --- Markdown --------------------------------------------------------------------------------------------------

def _gfm(source: str) -> str:
    markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py renders the Markdown report in tests")
    pytest.importorskip("linkify_it", reason="linkify-it-py finds bare links as GFM renderers do")
    md = markdown_it.MarkdownIt("gfm-like", {"linkify": True, "html": True})
    md.linkify.set({"fuzzy_link": True, "fuzzy_email": True})
    return md.render(source)


def test_markdown_links_no_bare_address():
    text = "see https://evil.example/x and www.evil.example or write to a.b@evil.example (tel:5551234)"
    meta = RevisionMeta(revid=5, title=f"T {text}", user=f"U {text}", comment=text)
    audit = wikidiff.audit("Old.\n", "Old. He is a terrorist, see www.evil.example.\n", old_meta=meta, new_meta=meta)
    out = render(audit, "markdown")
    assert "<a " not in _gfm(out)
    assert "`https://evil.example/x`" in out and "`www.evil.example`" in out and "`a.b@evil.example`" in out
    # the check can fail: the same text unescaped is linked
    assert "<a " in _gfm(text)


def test_markdown_lets_no_raw_html_in():
    meta = RevisionMeta(revid=5, title=f"T {NETWORK}", user=NETWORK, comment=NETWORK)
    audit = wikidiff.audit(f"Old.<ref name=x>{NETWORK}</ref>\n", f"Old {NETWORK}. He is a terrorist.<ref name=x/>\n",
                           old_meta=meta, new_meta=meta)
    html = _gfm(render(audit, "markdown"))
    assert "<base" not in html and "<link" not in html
    assert "<base" in _gfm(NETWORK)  # the renderer used here does pass raw HTML
