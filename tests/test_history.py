"""Histories: one audit per consecutive pair, identity reverts (checked against mwreverts' answers), mutual reverts,
the controversy measure M worked by hand, ref lifetimes, the tables on disk, interruption and progress."""

from __future__ import annotations

import hashlib
import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from terminal import on_terminal

from wikidiff.cli import main
from wikidiff.histories import (
    TABLES,
    History,
    RevertDetector,
    controversy,
    history,
    mutual_pairs,
)
from wikidiff.model import RevisionMeta
from wikidiff.text.document import Document

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def user_cache(tmp_path, monkeypatch) -> Path:
    """The user's cache folder (where resumable runs keep finished audits), here a temporary one."""
    folder = tmp_path / "user-cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(folder))
    return folder


def revisions(edits: list[tuple[str, str]], start: int = 1000) -> list[tuple[str, RevisionMeta]]:
    """(user, text) -> (text, RevisionMeta) with revids from `start` and one edit a minute."""
    out = []
    for i, (user, text) in enumerate(edits):
        ts = pd.Timestamp("2011-03-01T12:00:00Z") + pd.Timedelta(minutes=i)
        out.append((text, RevisionMeta(revid=start + i, title="War", user=user, comment=f"edit {i + 1}",
                                       timestamp=ts.strftime("%Y-%m-%dT%H:%M:%SZ"))))
    return out


def version(n: int) -> str:
    return (f"'''War''' is a contested article, version {n}.<ref>Source number {n}.</ref>\n\n"
            f"== History ==\nWhat happened, told the {n}th way.\n")


# ---- identity reverts, mutual reverts and M -------------------------------------------------------------------

# Fifteen edits by A..E; X0..X6 are texts. Reverts (mwreverts' rule): 3 A reverts B(2); 4 B reverts A(3);
# 6 D reverts C(5); 7 C reverts D(6); 10 A reverts E(9, 8); 12 C reverts C(11): a self-revert; 14 D reverts B(13);
# 15 B reverts D(14); 16 is a null edit (same text as 15) and reverts nothing.
WAR = [("A", 0), ("B", 1), ("A", 0), ("B", 1), ("C", 2), ("D", 1), ("C", 2), ("E", 3), ("E", 4), ("A", 2),
       ("C", 5), ("C", 2), ("B", 6), ("D", 2), ("B", 6), ("B", 6)]


@pytest.fixture(scope="module")
def war() -> History:
    return history(revisions([(u, version(x)) for u, x in WAR]), audit=False, page_title="War")


def test_M_worked_by_hand(war):
    # Edits: A 3 (1, 3, 10), B 5 (2, 4, 13, 15, 16), C 4 (5, 7, 11, 12), D 2 (6, 14), E 2 (8, 9).
    # Pairs that reverted each other: A-B min(3, 5) = 3, C-D min(4, 2) = 2, B-D min(5, 2) = 2; A reverted E but E
    # never reverted A, and C's self-revert is no pair. Leave out the topmost pair (A-B, 3): 2 + 2 = 4.
    # E = 4 editors (A, B, C, D) in mutual reverts. M = 4 * 4 = 16.
    assert war.M() == 16
    page = war.pages.iloc[0]
    assert (page["mutual_pairs"], page["mutual_editors"], page["reverts"], page["self_reverts"]) == (3, 4, 8, 1)
    pairs = war.mutual_reverts.set_index(["editor_a", "editor_b"])
    assert sorted(pairs.index) == [("A", "B"), ("B", "D"), ("C", "D")]
    assert pairs.loc[("A", "B"), ["edits_a", "edits_b", "weight", "topmost"]].tolist() == [3, 5, 3, True]
    assert pairs.loc[("B", "D"), ["a_reverted_b", "b_reverted_a", "weight", "topmost"]].tolist() == [1, 1, 2, False]


def test_M_of_a_two_person_feud_is_zero():
    """One mutually reverting pair is the topmost pair: M leaves it out."""
    h = history(revisions([("A", version(0)), ("B", version(1)), ("A", version(0)), ("B", version(1))]),
                audit=False)
    assert len(h.mutual_reverts) == 1 and h.M() == 0


def test_M_functions_directly():
    edits = {"A": 10, "B": 7, "C": 3, "D": 1}
    reverts = [("A", "B"), ("B", "A"), ("A", "C"), ("C", "A"), ("C", "A"), ("D", "A"), ("A", "A"), (None, "A")]
    pairs = mutual_pairs(reverts, edits)
    assert [(p["editor_a"], p["editor_b"], p["weight"], p["topmost"]) for p in pairs] == \
           [("A", "B", 7, True), ("A", "C", 3, False)]
    assert controversy(pairs) == (3 * 3, 3)
    assert controversy([]) == (0, 0)


def test_revert_columns(war):
    r = war.revisions.set_index(war.revisions["revid"] - 999)  # edit number 1..16
    assert list(r.index[r["is_revert"]]) == [3, 4, 6, 7, 10, 12, 14, 15]
    assert r.loc[10, ["reverted_to", "reverted_count", "self_revert"]].tolist() == [1006, 2, False]
    assert r.loc[12, "self_revert"] and not r.loc[7, "self_revert"]
    assert r.loc[8, "reverted_by"] == r.loc[9, "reverted_by"] == 1009
    assert r.loc[3, "is_revert"] and r.loc[3, "is_reverted"] and r.loc[3, "reverted_by"] == 1003
    assert r.loc[16, "identical"] and not r.loc[16, "is_revert"] and not r.loc[15, "is_reverted"]
    rv = war.reverts
    assert rv[rv["reverting"] == 1009]["reverted"].tolist() == [1008, 1007]  # newest first, as mwreverts
    assert rv[rv["reverting"] == 1009]["distance"].tolist() == [1, 2]


@pytest.mark.parametrize("radius, reverts", [(3, True), (2, False)])
def test_revert_radius(radius, reverts):
    """Edit 5 restores edit 1 across three edits: within radius 3, beyond radius 2."""
    h = history(revisions([("A", version(0)), ("B", version(1)), ("C", version(2)), ("D", version(3)),
                           ("A", version(0))]), audit=False, radius=radius)
    assert bool(h.revisions["is_revert"].iloc[-1]) is reverts
    assert len(h.reverts) == (3 if reverts else 0)


def test_detector_ignores_unknown_checksums():
    d = RevertDetector(2)
    assert [d.process(c, i) for i, c in enumerate([None, "x", None])] == [None, None, None]


def _answers(path: Path) -> dict:
    name = path.name.replace("_revisions.json", ".reverts.json").replace(".xml.xz", ".reverts.json")
    return json.loads((path.parent / name.replace(".xml", ".reverts.json")).read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", [
    "anarchism-history/anarchism-500.xml.xz", "pywikibot-xml/article-pyrus.xml", "pywikibot-xml/article-pear.xml",
    "dewiktionary-history/familia.xml", "wikiwho-histories/japan_cup_revisions.json",
    "wikiwho-histories/adam_himebauch_revisions.json", "wikiwho-histories/american_goldfinch_revisions.json",
    "wikiwho-histories/nintendo_switch_revisions.json",
])
def test_identity_reverts_match_mwreverts(shared_data, name):
    path = shared_data / name
    answers = _answers(path)
    h = history(path, audit=False)
    mine = {}
    for r in h.reverts.itertuples():
        mine.setdefault((r.reverting, r.reverted_to), []).append(r.reverted)
    theirs = {(a["reverting"], a["reverted_to"]): a["reverteds"] for a in answers["reverts"]}
    assert mine == theirs
    page = h.pages.iloc[0]
    assert page["revisions"] == answers["revisions"]
    assert page["reverts"] == answers["revert_count"]
    assert page["reverted_revisions"] == answers["reverted_revision_count"]
    assert page["mutual_pairs"] == answers["mutually_reverting_editor_pairs"]
    assert h.revisions["sha1"].nunique() == answers["distinct_texts"]


# ---- audits ----------------------------------------------------------------------------------------------------

REF_EDITS = [
    ("Ann", "'''Pear''' trees bear fruit.<ref name=\"smith\">Smith, ''Pears'', 2001.</ref>\n\n"
            "== Uses ==\nPears are eaten raw.<ref name=\"smith\"/>\n"),
    ("Bob", "'''Pear''' trees bear fruit.\n\n== Uses ==\nPears are eaten raw.<ref name=\"smith\"/>\n"),
    ("Cy", "'''Pear''' trees bear fruit.\n\n== Uses ==\nPears are eaten raw.<ref name=\"smith\"/> "
           "They keep for months.{{citation needed|date=March 2011}}\n"),
    ("Ann", "'''Pear''' trees bear fruit.<ref name=\"smith\">Smith, ''Pears'', 2001.</ref>\n\n"
            "== Uses ==\nPears are eaten raw.<ref name=\"smith\"/> "
            "They keep for months.{{citation needed|date=March 2011}}\n"),
]


@pytest.fixture(scope="module")
def refs_history() -> History:
    return history(revisions(REF_EDITS), page_title="Pear")


def test_each_pair_is_audited_and_flags_are_tabled(refs_history):
    r = refs_history.revisions
    assert r["audited"].tolist() == [False, True, True, True]
    assert r["flags_broken_ref"].tolist()[1:] == [1, 1, 0] and pd.isna(r["flags_broken_ref"].iloc[0])
    assert r["flags_tag_added"].tolist()[1:] == [0, 1, 0]
    assert r["refs_removed"].tolist()[1:] == [1, 0, 0] and r["refs_added"].tolist()[1:] == [0, 0, 1]
    assert r["sections"].tolist()[1:] == ["(lead)", "Uses", "(lead)"]
    sizes = [len(text.encode()) for _, text in REF_EDITS]
    assert r["size"].tolist() == sizes
    assert r["size_change"].tolist()[1:] == [b - a for a, b in zip(sizes, sizes[1:], strict=False)]
    assert (r["bytes_changed"].iloc[1:] > 0).all()
    f = refs_history.flags
    broken = f[f["code"] == "broken-ref"]
    assert broken["revid"].tolist() == [1001, 1002]
    assert [json.loads(x)["caused_by_edit"] for x in broken["fields"]] == [True, False]
    assert f[f["code"] == "tag-added"]["revid"].tolist() == [1002]
    assert r["flag_count"].iloc[1:].tolist() == [len(f[f["revid"] == i]) for i in (1001, 1002, 1003)]


def test_each_distinct_text_is_parsed_once(shared_data, monkeypatch):
    """Each revision is parsed at most once, and a text seen again (an identity revert) is not parsed again."""
    calls = []
    real = Document.from_text.__func__

    def counting(cls, text, *args, **kwargs):
        calls.append(len(text))
        return real(cls, text, *args, **kwargs)

    monkeypatch.setattr(Document, "from_text", classmethod(counting))
    h = history(shared_data / "wikiwho-histories" / "nintendo_switch_revisions.json")
    assert len(h.revisions) == 30 and h.revisions["audited"].sum() == 29
    distinct = h.revisions["sha1"].nunique()
    assert distinct < 30 and len(calls) == distinct


def test_hidden_text_is_not_audited_but_its_sha1_still_counts():
    revs = revisions([("A", version(0)), ("B", version(1)), ("C", version(2)), ("D", version(1))])
    text, meta = revs[1]  # its text hidden (revision deletion); the dump still gives its SHA-1
    revs[1] = (None, RevisionMeta(**{**meta.to_dict(), "sha1": hashlib.sha1(text.encode()).hexdigest()}))
    h = history(revs)
    r = h.revisions
    assert r["text_hidden"].tolist() == [False, True, False, False]
    assert r["audited"].tolist() == [False, False, False, True]
    assert r["is_revert"].tolist() == [False, False, False, True] and r["reverted_to"].iloc[-1] == 1001


# ---- reference lifetimes ---------------------------------------------------------------------------------------

def test_ref_lifetimes():
    a = "<ref name=\"a\">Alpha, ''Book'', 1999.</ref>"
    b = "<ref>{{cite web |url=https://example.org/pears |title=Pears}}</ref>"
    b2 = "<ref>{{cite web |url=https://example.org/pears |title=Pears and apples}}</ref>"
    body = "'''Pear''' is a fruit.{} It grows on trees.{}\n"
    h = history(revisions([
        ("A", body.format(a, "")),  # 1000: a present at start
        ("B", body.format(a, b)),  # 1001: b added
        ("C", body.format("", b)),  # 1002: a removed
        ("V", "PEARS ARE BAD"),  # 1003: b removed (vandalism)
        ("D", body.format("", b)),  # 1004: revert restores b
        ("E", body.format("", b2)),  # 1005: b's title edited, same URL: the same ref
    ]), audit=False)
    refs = h.refs
    got = [(r.ref.split(":")[0], r.added_revid, r.present_at_start, r.added_by_revert,
            None if pd.isna(r.removed_revid) else r.removed_revid,
            None if pd.isna(r.removal_reverted) else r.removal_reverted, r.revisions) for r in refs.itertuples()]
    assert got == [
        ("name", 1000, True, False, 1002, False, 2),
        ("text", 1001, False, False, 1003, True, 2),
        ("text", 1004, False, True, None, None, 2),
    ]
    assert refs["url"].fillna("-").tolist() == ["-", "https://example.org/pears", "https://example.org/pears"]
    assert h.revisions["refs"].tolist() == [1, 2, 1, 0, 1, 1]
    assert h.pages[["refs_final", "ref_lifetimes"]].iloc[0].tolist() == [1, 3]


# ---- slices, files, command line ------------------------------------------------------------------------------

def test_since_and_limit(shared_data):
    path = shared_data / "anarchism-history" / "anarchism-500.xml.xz"
    h = history(path, audit=False, since="2005-08-01", limit=25)
    ts = h.revisions["timestamp"]
    assert len(h.revisions) == 25 and ts.min() >= pd.Timestamp("2005-08-01", tz="UTC")
    everything = history(path, audit=False, since="2005-08-01T00:00:00+00:00")
    assert everything.revisions["revid"].tolist()[:25] == h.revisions["revid"].tolist()


@pytest.mark.parametrize("fmt", ["parquet", "csv", "jsonl"])
def test_tables_on_disk(tmp_path, shared_data, fmt, capsys):
    files = [str(shared_data / "pywikibot-xml" / "article-pyrus.xml"),
             str(shared_data / "wikiwho-histories" / "nintendo_switch_revisions.json")]
    out = tmp_path / "out"
    assert main(["history", *files, "--out", str(out), "--format", fmt, "--quiet"]) == 0
    stdout = capsys.readouterr().out
    assert "Pyrus: 6 revisions, 5 audited" in stdout and "nintendo_switch_revisions: 30 revisions" in stdout
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == \
           sorted(f"{t}.{fmt}" for t in TABLES)
    disk = History.load(out)
    mem = history(files)
    for table in TABLES:
        a, b = getattr(mem, table), getattr(disk, table)
        assert list(a.columns) == list(b.columns) and len(a) == len(b)
        if fmt == "csv":  # CSV cannot tell an empty string from a missing value
            a, b = a.replace("", pd.NA), b.replace("", pd.NA)
        pd.testing.assert_frame_equal(a, b, check_dtype=fmt == "parquet")


@pytest.mark.parametrize("args, message", [
    ([], "give dump or API JSON files, or --title"),
    (["no/such/dump.xml.bz2"], "no/such/dump.xml.bz2: no such file"),
    (["{pyrus}", "--since", "last tuesday"], "not an ISO 8601 date"),
    (["{pyrus}", "--limit", "0"], "--limit must be a positive number"),
    (["{pyrus}", "--radius", "0"], "radius must be a positive integer"),
    (["{pyrus}", "--dask"], "--dask writes Parquet parts: give --out DIR"),
    (["--dask", "{pyrus}"], "--dask writes Parquet parts: give --out DIR"),  # the file is a file, not an address
    (["{pyrus}", "--out", "x", "--dask", "my-scheduler"], "a scheduler address looks like tcp://HOST:8786"),
    (["{pyrus}", "--out", "x", "--dask", "--format", "csv"], "--dask writes Parquet only"),
])
def test_command_line_errors(shared_data, capsys, args, message):
    args = [a.replace("{pyrus}", str(shared_data / "pywikibot-xml" / "article-pyrus.xml")) for a in args]
    assert main(["history", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wikidiff: error: ") and message in err and err.count("\n") == 1


def _cache_count(db: Path) -> int:
    try:
        with sqlite3.connect(db) as con:
            return con.execute("SELECT COUNT(*) FROM audits").fetchone()[0]
    except sqlite3.Error:
        return 0


def test_interrupted_run_keeps_its_tables_and_resumes(tmp_path, shared_data, user_cache):
    from wikidiff.histories.facade import resume_cache

    dump = shared_data / "anarchism-history" / "anarchism-500.xml.xz"
    out = tmp_path / "out"
    cache = resume_cache(out)
    assert cache.is_relative_to(user_cache) and not cache.is_relative_to(out)  # not beside the tables
    cmd = [sys.executable, "-m", "wikidiff", "history", str(dump), "--limit", "100", "--out", str(out)]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    deadline = time.time() + 60
    while _cache_count(cache) < 40 and proc.poll() is None and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "kept what was done in" in err and "wikidiff: interrupted" in err
    kept = History.load(out)
    n = len(kept.revisions)
    assert 40 <= n < 100 and kept.pages["complete"].tolist() == [False]
    cached = _cache_count(cache)
    assert cached >= 40

    again = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert again.returncode == 0, again.stderr
    assert f"resuming: {cached} audits cached" in again.stderr
    done = History.load(out)
    assert len(done.revisions) == 100 and done.pages["complete"].tolist() == [True]
    assert done.revisions["revid"].tolist()[:n] == kept.revisions["revid"].tolist()


def test_progress_on_a_terminal_only(shared_data):
    dump = str(shared_data / "anarchism-history" / "anarchism-500.xml.xz")
    shown = on_terminal("history", dump, "--no-audit", stream="stderr")
    assert "500 revisions" in shown and "rev/s" in shown and "100%" in shown
    assert on_terminal("history", dump, "--no-audit", "--quiet", stream="stderr").strip() == \
           "(no --out given: nothing written; add --out DIR to keep the tables)"
    piped = subprocess.run([sys.executable, "-m", "wikidiff", "history", dump, "--no-audit"], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
    assert "rev/s" not in piped.stderr and "%" not in piped.stderr


# ---- plots -------------------------------------------------------------------------------------------------------

def test_plots(war):
    import matplotlib

    matplotlib.use("Agg")
    from wikidiff.histories.plots import activity, revert_edges

    ax = war.plot_activity(freq="5min")
    act = activity(war.revisions, "5min")
    assert [b.get_height() for b in ax.patches] == act["edits"].tolist() == [5, 5, 5, 1]
    assert act["reverts"].tolist() == [2, 3, 3, 0] and act["reverted"].sum() == 9
    ax = war.plot_refs()
    assert list(ax.lines[0].get_ydata()) == war.revisions["refs"].tolist()
    ax = war.plot_revert_graph()
    edges = revert_edges(war.reverts)
    assert len(edges) == 7  # A>B, B>A, D>C, C>D, A>E, D>B, B>D: each (reverter, reverted) once, no self-revert
    assert {t.get_text() for t in ax.texts if t.get_text()} == {"A", "B", "C", "D", "E"}
    arrows = [t for t in ax.texts if not t.get_text()]
    assert len(arrows) == len(edges)
    red = [a for a in arrows if a.arrow_patch.get_edgecolor()[:3] == matplotlib.colors.to_rgb("#c0392b")]
    assert len(red) == 6  # the three mutual pairs, both ways


# ---- from the API (real HTTP to the MediaWiki stand-in on 127.0.0.1, through the revision cache) -----------------

def _content_revids(wiki, since: int = 0) -> set[int]:
    got = set()
    for r in wiki.requests[since:]:
        if r.params.get("prop") == "revisions" and "content" in r.params.get("rvprop", "") and "revids" in r.params:
            got |= {int(x) for x in r.params["revids"].split("|")}
    return got


def test_history_from_the_api_matches_the_saved_one_and_resumes_from_the_cache(tmp_path, shared_data, capsys):
    from mwapi_server import MediaWikiStandIn

    cache = tmp_path / "revisions.sqlite"
    with MediaWikiStandIn() as wiki:
        api = ["--title", "Nintendo Switch", "--api-url", wiki.api_url, "--cache", str(cache), "--quiet"]
        assert main(["history", *api, "--limit", "12", "--out", str(tmp_path / "first")]) == 0
        first = History.load(tmp_path / "first")
        assert len(first.revisions) == 12
        before = len(wiki.requests)
        assert main(["history", *api, "--out", str(tmp_path / "all")]) == 0
        again = _content_revids(wiki, before)
        assert again and not again & set(first.revisions["revid"])  # what the first run fetched comes from the cache
        before = len(wiki.requests)
        assert main(["history", *api, "--offline", "--out", str(tmp_path / "offline")]) == 0
        assert len(wiki.requests) == before
    assert "Nintendo Switch: 30 revisions, 29 audited" in capsys.readouterr().out
    live, offline = History.load(tmp_path / "all"), History.load(tmp_path / "offline")
    pd.testing.assert_frame_equal(live.revisions, offline.revisions)
    saved = history(shared_data / "wikiwho-histories" / "nintendo_switch_revisions.json")
    cols = ["revid", "parent", "timestamp", "user", "comment", "size", "sha1", "bytes_changed", "refs", "flag_count",
            "is_revert", "reverted_to", "is_reverted", "reverted_by"]
    pd.testing.assert_frame_equal(live.revisions[cols], saved.revisions[cols])
    assert live.pages["title"].tolist() == ["Nintendo Switch"]
    assert live.pages["source"].iloc[0].startswith("api:127.0.0.1:")  # the wiki as the cache names it


def test_api_revision_with_hidden_text(tmp_path):
    from mwapi_server import MediaWikiStandIn

    from wikidiff.histories import ApiOptions

    with MediaWikiStandIn() as wiki:
        h = history(title="Damphu", api=ApiOptions(api_url=wiki.api_url, cache=str(tmp_path / "c.sqlite")))
    r = h.revisions
    assert r["text_hidden"].tolist() == [False, True, False]
    assert r["audited"].tolist() == [False, False, False]  # the hidden text has no pair on either side
    assert r["user"].isna().tolist() == [False, True, False]


# ---- tables for researchers: plain readers get the dtypes, files and folders are told apart -----------------------

def test_plain_pandas_reads_the_dtypes_and_jsonl_holds_fields_as_objects(tmp_path, shared_data):
    src = shared_data / "wikiwho-histories" / "nintendo_switch_revisions.json"
    history(src, out=tmp_path / "p")
    revisions = pd.read_parquet(tmp_path / "p" / "revisions.parquet")  # no wikidiff on the reading side
    assert str(revisions["revid"].dtype) == "Int64" and str(revisions["is_revert"].dtype) == "boolean"
    assert str(revisions["refs_added"].dtype) == "Int64"  # missing on the first revision: not float64
    flags = pd.read_parquet(tmp_path / "p" / "flags.parquet")
    assert len(flags) and flags["code"].dtype == "category" and flags["severity"].dtype == "category"
    assert list(flags["severity"].cat.categories[:3]) == ["error", "warning", "info"]
    history(src, out=tmp_path / "j", format="jsonl")
    lines = [json.loads(x) for x in (tmp_path / "j" / "flags.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == len(flags) and all(isinstance(x["fields"], dict) for x in lines)
    loaded = History.load(tmp_path / "j").flags
    assert loaded["fields"].tolist() == flags["fields"].tolist()  # read back as the same JSON text


@pytest.mark.parametrize("name, looks", [("README.md", "Markdown or plain text"),
                                         ("samples/azerbaijani-offensive/old.wiki", "wikitext of one revision")])
def test_a_file_that_is_not_a_dump_fails_before_the_output_folder(tmp_path, capsys, name, looks):
    out = tmp_path / "tables"
    assert main(["history", str(ROOT / name), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("wikidiff: error: ") and "not a MediaWiki XML dump" in err and looks in err
    assert not out.exists()


def test_out_named_like_a_file_is_refused(tmp_path, shared_data, capsys):
    pyrus = str(shared_data / "pywikibot-xml" / "article-pyrus.xml")
    assert main(["history", pyrus, "--out", str(tmp_path / "tables.csv"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "looks like a file name" in err and f"--out {tmp_path / 'tables'}/" in err
    assert not (tmp_path / "tables.csv").exists()


def test_no_resume_keeps_no_audits(tmp_path, shared_data, user_cache):
    pyrus = str(shared_data / "pywikibot-xml" / "article-pyrus.xml")
    assert main(["history", pyrus, "--out", str(tmp_path / "a"), "--quiet", "--no-resume"]) == 0
    assert not (user_cache / "wikidiff" / "histories").exists()
    assert main(["history", pyrus, "--out", str(tmp_path / "b"), "--quiet"]) == 0
    assert [p.suffix for p in (user_cache / "wikidiff" / "histories").iterdir()] == [".sqlite"]
    assert not [p for p in (tmp_path / "b").iterdir() if p.suffix == ".sqlite"]  # not among the tables


def test_repr_counts_reverted_revisions(war):
    reverts, reverted = int(war.revisions["is_revert"].sum()), int(war.revisions["is_reverted"].sum())
    assert (reverts, reverted) == (8, 9)  # the eight reverts of WAR above undo nine revisions
    assert f"16 revisions, 0 flags, {reverts} reverts, {reverted} reverted revisions" in repr(war)
