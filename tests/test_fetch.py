"""Fetching revisions with mwclient over real HTTP from the MediaWiki API stand-in (tests/mwapi_server.py).

Nothing here reaches the internet: every client points at http://127.0.0.1:PORT/w/api.php.
"""

from __future__ import annotations

import hashlib
import io
import json
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import mwclient
import pytest
import requests
from mwapi_server import FIXTURES, MediaWikiStandIn

import wikidiff
from wikidiff.cli import main
from wikidiff.errors import FetchError, InputError
from wikidiff.sources.cache import RevisionCache
from wikidiff.sources.client import CONTENT_BATCH, WikiClient
from wikidiff.sources.http import DEFAULT_USER_AGENT, build_user_agent, retry_after_seconds
from wikidiff.sources.url import parse_api_url

SITE = "en.wikipedia.org"
PAGES = {p["title"]: p for p in (json.loads(f.read_text("utf-8")) for f in (FIXTURES / "pages").glob("*.json"))}
NS = PAGES["Nintendo Switch"]["revisions"]
SEED = PAGES["2023 Azerbaijani offensive in Nagorno-Karabakh"]["revisions"]
TEXT = {r["revid"]: r["slots"]["main"].get("content") for p in PAGES.values() for r in p["revisions"]}


@pytest.fixture
def wiki():
    with MediaWikiStandIn() as server:
        yield server


def make_client(wiki, tmp_path: Path, **kwargs) -> WikiClient:
    opts = {"site": SITE, "cache": RevisionCache(tmp_path / "cache.sqlite"), "retry_timeout": 0.01,
            "max_wait": 5.0, "quiet": True}
    opts.update(kwargs)
    return WikiClient(wiki.api_url, **opts)


def revision_requests(wiki) -> list[dict]:
    return [r.params for r in wiki.requests if r.params.get("prop") == "revisions"]


# fetching and caching
def test_pair_is_fetched_in_one_request_with_etiquette(wiki, tmp_path):
    c = make_client(wiki, tmp_path)
    (old_text, old), (new_text, new) = c.revisions([651986427, 651993021])
    assert old_text == TEXT[651986427] and new_text == TEXT[651993021]
    assert hashlib.sha1(new_text.encode()).hexdigest() == new.sha1
    assert (new.revid, new.parentid, new.title, new.user, new.comment, new.timestamp, new.size, new.site,
            new.source) == (651993021, 651992792, "Nintendo Switch", "Anthony Appleyard", "rv histmerge junk",
                            "2015-03-18T22:36:17Z", len(new_text.encode()), SITE, "api")
    assert len(wiki.requests) == 1
    sent = wiki.requests[0]
    assert sent.method == "GET" and sent.path == "/w/api.php"
    p = sent.params
    assert (p["action"], p["format"], p["formatversion"], p["maxlag"], p["rvslots"]) == ("query", "json", "2", "5",
                                                                                         "main")
    assert p["revids"] == "651986427|651993021"
    assert set(p["rvprop"].split("|")) >= {"ids", "timestamp", "user", "comment", "size", "sha1", "content"}
    ua = sent.headers["User-Agent"]
    assert ua.startswith(f"wikidiff/{wikidiff.__version__} (https://github.com/wikidiff/wikidiff; "
                         "wikidiff@users.noreply.github.com)")
    assert f"mwclient/{mwclient.__version__}" in ua


def test_second_fetch_comes_from_the_cache(wiki, tmp_path):
    make_client(wiki, tmp_path).revisions([651986427, 651993021])
    assert len(wiki.requests) == 1
    again = make_client(wiki, tmp_path).revisions([651993021, 651986427])
    assert len(wiki.requests) == 1
    assert [m.revid for _, m in again] == [651993021, 651986427]
    assert {m.source for _, m in again} == {"cache"} and again[0][0] == TEXT[651993021]
    make_client(wiki, tmp_path).revisions([651986427, 651807915])  # only the new one is asked for
    assert revision_requests(wiki)[-1]["revids"] == "651807915"


def test_offline_reads_the_cache_and_names_what_is_missing(wiki, tmp_path):
    make_client(wiki, tmp_path).revisions([651986427])
    off = make_client(wiki, tmp_path, offline=True)
    assert off.revisions([651986427])[0][0] == TEXT[651986427]
    with pytest.raises(FetchError, match=r"offline: revision 651993021 of en\.wikipedia\.org is not in the cache"):
        off.revisions([651986427, 651993021])
    with pytest.raises(FetchError, match="offline: the latest edit"):
        off.latest_edit(title="Nintendo Switch")
    assert len(wiki.requests) == 1 and off.requests_sent == 0


def test_without_a_cache_every_fetch_asks(wiki, tmp_path):
    c = make_client(wiki, tmp_path, cache=None)
    c.revisions([651986427])
    c.revisions([651986427])
    assert len(wiki.requests) == 2
    with pytest.raises(InputError, match="offline use needs a revision cache"):
        make_client(wiki, tmp_path, cache=None, offline=True)


def test_revids_continuation_is_followed(tmp_path):
    ids = [r["revid"] for r in NS[:5]]
    with MediaWikiStandIn(content_budget=2) as wiki:
        got = make_client(wiki, tmp_path).revisions(ids)
    assert [m.revid for _, m in got] == ids and [t for t, _ in got] == [TEXT[i] for i in ids]
    conts = [r.get("rvcontinue") for r in revision_requests(wiki)]
    assert conts == [None, str(ids[2]), str(ids[4])]


def test_many_revisions_go_50_per_request_with_progress(wiki, tmp_path):
    page = PAGES["Nintendo Switch"]
    assert len(page["revisions"]) < CONTENT_BATCH  # the fixture is small: ask for more than 50 with unknown ids
    ids = [r["revid"] for r in page["revisions"]]
    err = io.StringIO()
    c = make_client(wiki, tmp_path, quiet=False, stderr=err)
    with pytest.raises(FetchError, match=r"revision 1, 2, 3, 4, 5.* does not exist on en\.wikipedia\.org"):
        c.revisions(ids + list(range(1, 41)))
    sizes = [len(r["revids"].split("|")) for r in revision_requests(wiki)]
    assert sizes == [50, 20]
    assert "fetching 70 revisions" in err.getvalue() and "fetched 50 of 70 revisions" in err.getvalue()
    assert make_client(wiki, tmp_path, offline=True).revisions(ids)  # the existing ones were cached anyway


def test_quiet_prints_nothing(wiki, tmp_path, capsys):
    make_client(wiki, tmp_path, quiet=True).revisions([651986427, 651993021])
    assert capsys.readouterr().err == ""
    make_client(wiki, tmp_path, quiet=False, cache=None).revisions([651986427, 651993021])
    assert "fetching 2 revisions (651986427, 651993021)" in capsys.readouterr().err


def test_requests_are_serial_even_from_threads(wiki, tmp_path):
    c = make_client(wiki, tmp_path, cache=None)
    errors: list[BaseException] = []

    def work(ids):
        try:
            for _ in range(3):
                c.revisions(ids)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=([r["revid"]],)) for r in NS[:4]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors and len(wiki.requests) == 12 and wiki.max_in_flight == 1


# resolving prev / next / cur / latest
def test_prev_is_the_previous_revision_in_history_not_the_parent(wiki, tmp_path):
    # 651992792 (a page move after a history merge) has parentid 651906270, but in the page's history the
    # revision before it is 651986427: MediaWiki's diff=prev shows that one, and so do we
    c = make_client(wiki, tmp_path)
    assert c.resolve(651992792, "prev") == (651986427, 651992792)
    assert c.resolve(None, 651992792) == (651986427, 651992792)  # Special:Diff/NEW
    assert c.resolve(651992792) == (651986427, 651992792)  # oldid alone: the edit that made it
    listing = [r for r in revision_requests(wiki) if "rvstartid" in r]
    assert len(listing) == 1 and listing[0]["rvdir"] == "older" and listing[0]["pageids"] == "900001"
    n = len(wiki.requests)
    assert make_client(wiki, tmp_path).resolve(651992792, "prev") == (651986427, 651992792)
    assert len(wiki.requests) == n  # the neighbour is cached
    assert make_client(wiki, tmp_path, offline=True).resolve(None, 651992792) == (651986427, 651992792)


def test_prev_of_a_page_creation_is_none(wiki, tmp_path):
    c = make_client(wiki, tmp_path)
    assert c.resolve(651807915, "prev") == (None, 651807915)
    assert make_client(wiki, tmp_path, offline=True).resolve(651807915, "prev") == (None, 651807915)


def test_next_and_cur(wiki, tmp_path):
    c = make_client(wiki, tmp_path)
    assert c.resolve(651986427, "next") == (651986427, 651992792)
    assert c.resolve(651986427, "cur") == (651986427, 651993021)
    assert c.resolve(651807915, 651807958) == (651807915, 651807958)
    with pytest.raises(InputError, match="651993021 is the latest of its page"):
        c.resolve(651993021, "next")
    with pytest.raises(InputError, match="current revision of \"Nintendo Switch\""):
        c.resolve(651993021, "cur")
    with pytest.raises(FetchError, match="offline: the current revision"):
        make_client(wiki, tmp_path, offline=True).resolve(651986427, "cur")


def test_latest_edit_by_title_and_page_id(wiki, tmp_path):
    c = make_client(wiki, tmp_path)
    assert c.resolve(title="Nintendo_Switch") == (651992792, 651993021)
    assert c.resolve(curid=900003) == (900000202, 900000203)
    assert c.resolve(curid=900002) == (900000101, 900000102)
    first = [r for r in revision_requests(wiki) if r.get("titles")]
    assert first[0]["rvlimit"] == "2" and first[0]["rvdir"] == "older"
    n = len(wiki.requests)
    assert c.revisions([651992792, 651993021])[1][1].source == "cache"  # both came with that one request
    assert len(wiki.requests) == n


@pytest.mark.parametrize("call, error, message", [
    (lambda c: c.revisions([651993021, 12345]), FetchError,
     r"revision 12345 does not exist on en\.wikipedia\.org \(deleted, or never existed\)"),
    (lambda c: c.revisions([900000202]), FetchError,
     r"text of revision 900000202 of \"Damphu\".*hidden \(suppressed\)"),
    (lambda c: c.resolve(title="No such page"), FetchError, r"page \"No such page\" does not exist"),
    (lambda c: c.resolve(curid=4242), FetchError, r"page id 4242 does not exist"),
    (lambda c: c.resolve(title="Bad [[title]]"), InputError, r"invalid page title"),
    (lambda c: c.revisions([0]), InputError, r"positive number"),
])
def test_clear_errors(wiki, tmp_path, call, error, message):
    with pytest.raises(error, match=message):
        call(make_client(wiki, tmp_path))


def test_auditing_a_hidden_revision_is_refused(wiki, tmp_path):
    c = make_client(wiki, tmp_path)
    with pytest.raises(FetchError, match="hidden"):
        c.resolve(900000202, "prev")  # to audit it its text is needed: refused clearly


# histories
def test_page_history_follows_continuation_oldest_first(wiki, tmp_path):
    c = make_client(wiki, tmp_path)
    got = list(c.page_history("Nintendo Switch", batch=8))
    assert [m.revid for _, m in got] == [r["revid"] for r in NS]
    assert [t for t, _ in got] == [r["slots"]["main"]["content"] for r in NS]
    listing = [r for r in revision_requests(wiki) if r.get("titles")]
    resumes = [NS[i] for i in (8, 16, 24)]  # batches of 8: the 9th, 17th and 25th revisions start a batch
    assert [r.get("rvcontinue") for r in listing] == [None] + [
        f"{''.join(c for c in r['timestamp'] if c.isdigit())}|{r['revid']}" for r in resumes]
    assert listing[1]["rvcontinue"] == "20150318013211|651865075"
    n = len(wiki.requests)
    again = list(make_client(wiki, tmp_path).page_history("Nintendo Switch"))
    assert len(again) == 30 and len(wiki.requests) == n + 1  # only the id listing is asked again
    offline = list(make_client(wiki, tmp_path, offline=True).page_history("Nintendo Switch"))
    assert [m.revid for _, m in offline] == [r["revid"] for r in NS]


def test_page_history_since_and_limit(wiki, tmp_path):
    c = make_client(wiki, tmp_path)
    got = [m.revid for _, m in c.page_history("Nintendo Switch", since=651986427)]
    assert got == [651986427, 651992792, 651993021]
    got = [m.revid for _, m in c.page_history("Nintendo Switch", since="2015-03-18T21:41:00Z", limit=2)]
    assert got == [651986045, 651986086]
    assert list(c.page_history("Nintendo Switch", limit=0)) == []
    off = make_client(wiki, tmp_path, offline=True)
    assert [m.revid for _, m in off.page_history("Nintendo Switch", since=651992792)] == [651992792, 651993021]


def test_page_history_yields_hidden_revisions_without_text(wiki, tmp_path):
    got = list(make_client(wiki, tmp_path).page_history("Damphu"))
    assert [(t is None, m.revid, m.source) for t, m in got] == [
        (False, 900000201, "api"), (True, 900000202, "suppressed"), (False, 900000203, "api")]
    assert got[1][1].user is None and got[1][1].sha1 is None


# faults and retries
def test_503_then_success_honours_retry_after(wiki, tmp_path):
    wiki.add_fault("status", status=503, retry_after="1")
    c = make_client(wiki, tmp_path)
    assert c.revisions([651993021])[0][0] == TEXT[651993021]
    assert [r.fault for r in wiki.requests] == ["status", None]
    assert c.session.waits == [("HTTP 503", 1.0)]
    gap = wiki.requests[1].started - wiki.requests[0].started
    assert gap >= 0.9


def test_5xx_without_retry_after_backs_off_exponentially(wiki, tmp_path):
    for status in (502, 500, 504):
        wiki.add_fault("status", status=status)
    c = make_client(wiki, tmp_path, retry_timeout=0.05)
    c.revisions([651993021])
    assert c.session.waits == [("HTTP 502", 0.05), ("HTTP 500", 0.1), ("HTTP 504", 0.2)]
    assert len(wiki.requests) == 4


def test_429_is_retried_after_the_wait_it_asks(wiki, tmp_path):
    wiki.add_fault("status", status=429, retry_after="0")
    c = make_client(wiki, tmp_path)
    c.revisions([651993021])
    assert c.session.waits == [("HTTP 429", 0.0)] and len(wiki.requests) == 2


def test_maxlag_then_success(wiki, tmp_path):
    wiki.add_fault("maxlag", lag=8, retry_after="1")
    c = make_client(wiki, tmp_path)
    assert c.revisions([651993021])[0][0] == TEXT[651993021]
    assert c.session.waits == [("lagged by 8 s (maxlag)", 1.0)]
    assert all(r.params["maxlag"] == "5" for r in wiki.requests)


def test_maxlag_answer_is_the_real_shape(wiki):
    wiki.add_fault("maxlag", lag=8)
    r = requests.get(wiki.api_url, params={"action": "query", "format": "json", "maxlag": "5"}, timeout=5)
    assert r.status_code == 200 and r.headers["X-Database-Lag"] == "8" and r.headers["Retry-After"] == "5"
    assert r.headers["MediaWiki-API-Error"] == "maxlag"
    assert r.json()["error"]["code"] == "maxlag" and "8 seconds lagged" in r.json()["error"]["info"]


def test_gives_up_after_max_retries(wiki, tmp_path):
    for _ in range(10):
        wiki.add_fault("status", status=503)
    c = make_client(wiki, tmp_path, max_retries=2)
    with pytest.raises(FetchError, match=r"HTTP 503 after 3 tries; try again later"):
        c.revisions([651993021])
    assert len(wiki.requests) == 3


def test_persistent_maxlag_gives_up(wiki, tmp_path):
    for _ in range(5):
        wiki.add_fault("maxlag", lag=30, retry_after="0")
    with pytest.raises(FetchError, match=r"lagged by 30 s \(maxlag\) after 3 tries"):
        make_client(wiki, tmp_path, max_retries=2).revisions([651993021])


def test_a_retry_after_longer_than_max_wait_is_not_waited_for(wiki, tmp_path):
    wiki.add_fault("status", status=429, retry_after="3600")
    c = make_client(wiki, tmp_path, max_wait=2)
    with pytest.raises(FetchError, match=r"asks to wait 3600 s \(Retry-After\)"):
        c.revisions([651993021])
    assert len(wiki.requests) == 1 and c.session.waits == []


def test_truncated_body_then_success(wiki, tmp_path):
    wiki.add_fault("truncate")
    c = make_client(wiki, tmp_path)
    assert c.revisions([651993021])[0][0] == TEXT[651993021]
    assert [r.fault for r in wiki.requests] == ["truncate", None]
    assert c.session.waits[0][0] == "answer cut short"


def test_always_truncated_is_a_fetch_error(wiki, tmp_path):
    for _ in range(5):
        wiki.add_fault("truncate")
    with pytest.raises(FetchError, match=r"cut short \(3 tries\)"):
        make_client(wiki, tmp_path, max_retries=2).revisions([651993021])


def test_slow_answer_past_the_timeout_is_retried(wiki, tmp_path):
    wiki.add_fault("slow", delay=2.5)
    c = make_client(wiki, tmp_path, timeout=1.0)
    assert c.revisions([651993021])[0][0] == TEXT[651993021]
    assert c.session.waits[0][0] == "no answer in time" and len(wiki.requests) == 2


def test_always_slow_is_a_timeout_error(wiki, tmp_path):
    for _ in range(3):
        wiki.add_fault("slow", delay=1.0)
    with pytest.raises(FetchError, match=r"no answer from http://127\.0\.0\.1:\d+/w/api\.php within 0\.2 s \(2 tr"):
        make_client(wiki, tmp_path, timeout=0.2, max_retries=1).revisions([651993021])


def test_nothing_listening_is_a_fetch_error(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = WikiClient(f"http://127.0.0.1:{port}/w/api.php", site=SITE, max_retries=1, retry_timeout=0.01, quiet=True)
    with pytest.raises(FetchError, match=rf"cannot reach http://127\.0\.0\.1:{port}/w/api\.php \(2 tries\)"):
        c.revisions([1])


def test_not_an_api_endpoint(wiki, tmp_path):
    c = WikiClient(f"http://127.0.0.1:{wiki.port}/other/api.php", site=SITE, quiet=True, retry_timeout=0.01)
    with pytest.raises(FetchError, match="answered HTTP 404: is it a MediaWiki api.php"):
        c.revisions([651993021])


def test_api_errors_become_fetch_errors(wiki, tmp_path):
    c = make_client(wiki, tmp_path)
    with pytest.raises(FetchError, match="answered toomanyvalues"):
        c._call(prop="revisions", revids="|".join(str(i) for i in range(1, 60)))


# configuration
def test_user_agent():
    assert build_user_agent() == f"{DEFAULT_USER_AGENT} mwclient/{mwclient.__version__} " \
                                 f"(https://github.com/mwclient/mwclient)"
    assert build_user_agent(" mytool/2.0 (me@example.org) ").startswith("mytool/2.0 (me@example.org) mwclient/")
    for bad in ("", "   ", "evil\r\nX-Injected: 1"):
        with pytest.raises(InputError):
            build_user_agent(bad)


@pytest.mark.parametrize("url, parts", [
    ("https://en.wikipedia.org/w/api.php", ("https", "en.wikipedia.org", "/w/", ".php")),
    ("http://127.0.0.1:8080/api.php", ("http", "127.0.0.1:8080", "/", ".php")),
    ("https://wiki.example.org/mw/api", ("https", "wiki.example.org", "/mw/", "")),
])
def test_parse_api_url(url, parts):
    assert parse_api_url(url) == parts


@pytest.mark.parametrize("url", ["https://en.wikipedia.org/w/index.php", "file:///w/api.php", "en.wikipedia.org",
                                 "https://en.wikipedia.org/w/api.php?action=query", "https:///w/api.php"])
def test_bad_api_urls(url):
    with pytest.raises(InputError):
        parse_api_url(url)


def test_retry_after_forms():
    assert retry_after_seconds("120") == 120.0
    assert retry_after_seconds(None) is None and retry_after_seconds("soon") is None
    future = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 60))
    assert 55 <= retry_after_seconds(future) <= 61


def test_a_site_name_means_its_w_api_php():
    c = WikiClient("de.m.wikipedia.org", quiet=True)
    assert (c.api_url, c.site) == ("https://de.wikipedia.org/w/api.php", "de.wikipedia.org")
    assert c.requests_sent == 0  # nothing is sent before a revision is asked for


# the command line, end to end against the stand-in
def cli(wiki, tmp_path, *args: str) -> list[str]:
    return ["audit", *args, "--api-url", wiki.api_url, "--cache", str(tmp_path / "cache.sqlite")]


SEED_URL = ("https://en.wikipedia.org/w/index.php?title=2023_Azerbaijani_offensive_in_Nagorno-Karabakh"
            "&diff=900000102&oldid=900000101")


def test_cli_audits_a_diff_url_then_reads_it_from_the_cache(wiki, tmp_path, capsys):
    assert main(cli(wiki, tmp_path, SEED_URL, "--format", "json")) == 0
    first = capsys.readouterr()
    data = json.loads(first.out)
    assert (data["old"]["revid"], data["new"]["revid"]) == (900000101, 900000102)
    assert data["new"]["site"] == SITE and data["new"]["source"] == "api"
    assert data["new"]["comment"] == SEED[1]["comment"]
    broken = {f["name"] for f in data["flags"] if f["code"] == "broken-ref"}
    assert {":62", "Bulut", "Oltramonti", "lemkininstitute.com"} <= broken
    assert any(f["code"] == "image-caption-swap" for f in data["flags"])
    assert "fetching 2 revisions (900000101, 900000102)" in first.err
    sent = len(wiki.requests)
    # one request for both revisions; the wiki's siteinfo and its redirects to the tag templates, asked once
    asked = [r.params.get("prop") or r.params.get("meta") for r in wiki.requests]
    assert asked.count("revisions") == 1 and asked.count("siteinfo") == 1
    assert set(asked) == {"revisions", "siteinfo", "redirects"}
    assert main(cli(wiki, tmp_path, SEED_URL, "--format", "json")) == 0
    second = capsys.readouterr()
    assert len(wiki.requests) == sent  # a second audit of the same diff sends no request
    assert json.loads(second.out)["flags"] == data["flags"] and second.err == ""
    assert json.loads(second.out)["new"]["source"] == "cache"
    assert main(cli(wiki, tmp_path, SEED_URL, "--format", "json", "--offline")) == 0
    assert json.loads(capsys.readouterr().out)["summary"] == data["summary"]


def test_cli_offline_with_an_empty_cache_names_the_missing_revision(wiki, tmp_path, capsys):
    assert main(cli(wiki, tmp_path, SEED_URL, "--offline")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "offline: revision 900000101, 900000102 of en.wikipedia.org is not in the cache" in err
    assert wiki.requests == []


@pytest.mark.parametrize("args, old, new", [
    (["--site", "en.wikipedia.org", "--old", "651986427", "--new", "651993021"], 651986427, 651993021),
    (["--new", "651993021"], 651992792, 651993021),
    (["--old", "651986427", "--new", "next"], 651986427, 651992792),
    (["--title", "Nintendo Switch"], 651992792, 651993021),
    (["https://en.m.wikipedia.org/wiki/Special:Diff/651992792"], 651986427, 651992792),
    (["https://en.wikipedia.org/wiki/Special:PermanentLink/651807954"], 651807915, 651807954),
    (["https://en.wikipedia.org/w/index.php?curid=900001"], 651992792, 651993021),
    (["https://en.wikipedia.org/w/index.php?title=Nintendo_Switch&diff=cur&oldid=651986427"], 651986427, 651993021),
])
def test_cli_input_forms(wiki, tmp_path, capsys, args, old, new):
    assert main(cli(wiki, tmp_path, *args, "--format", "json", "--quiet")) == 0
    out = capsys.readouterr()
    data = json.loads(out.out)
    assert (data["old"]["revid"], data["new"]["revid"]) == (old, new) and out.err == ""
    assert data["new"]["title"] == "Nintendo Switch"


def test_cli_page_creation_audits_against_nothing(wiki, tmp_path, capsys):
    assert main(cli(wiki, tmp_path, "https://en.wikipedia.org/wiki/Special:Diff/651807915", "-f", "json")) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["old"]["revid"] is None and data["new"]["revid"] == 651807915
    assert data["summary"]["bytes_added"] > 0 and data["summary"]["bytes_removed"] == 0


@pytest.mark.parametrize("args, message", [
    (["--site", SITE, "--old", "651993021", "--new", "900000102"], "belong to different pages on en.wikipedia.org "
                                                   "(\"Nintendo Switch\" and \"2023 Azerbaijani"),
    (["--site", SITE, "--old", "651993021", "--new", "12345"], "revision 12345 does not exist on en.wikipedia.org"),
    (["--old", "900000201", "--new", "900000202"], "hidden (suppressed)"),
    (["--title", "Missing page"], "page \"Missing page\" does not exist"),
    (["--old", "12x", "--new", "5"], "--old must be a positive number"),
    (["--old", "5"], "--old needs --new"),
    (["--new", "prev"], "--new prev is relative to --old"),
    (["--title", "X", "--old", "1", "--new", "2"], "use it without --old/--new"),
    ([SEED_URL, "--old", "1"], "give either a diff URL or --old, not both"),
    ([SEED_URL, "--site", "de.wikipedia.org"], "is not the wiki of the URL"),
    ([SEED_URL, "--timeout", "soon"], "--timeout must be a number"),
    ([SEED_URL, "--timeout", "0"], "--timeout must be more than 0"),
    ([SEED_URL, "--user-agent", ""], "User-Agent is empty"),
    (["https://en.wikipedia.org/wiki/Special:Diff/651993021", SEED_URL], "give one diff URL or two local files"),
    ([], "nothing to audit"),
])
def test_cli_errors_are_one_line_exit_2(wiki, tmp_path, capsys, args, message):
    assert main(cli(wiki, tmp_path, *args, "-q")) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("wikidiff: error: ") and message in err, err


def test_cli_one_local_file_is_refused(wiki, tmp_path, capsys):
    f = tmp_path / "old.wiki"
    f.write_text("Text.", encoding="utf-8")
    assert main(cli(wiki, tmp_path, str(f))) == 2
    assert "is one file: audit two files as OLD NEW" in capsys.readouterr().err


def test_cli_environment_variables(wiki, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WIKIDIFF_API_URL", wiki.api_url)
    monkeypatch.setenv("WIKIDIFF_USER_AGENT", "auditbot/3.1 (https://example.org/auditbot; ops@example.org)")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert main(["audit", "--new", "651993021", "-q", "-f", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["new"]["revid"] == 651993021
    ua = wiki.requests[0].headers["User-Agent"]
    assert ua.startswith("auditbot/3.1 (https://example.org/auditbot; ops@example.org) mwclient/")
    assert (tmp_path / "xdg" / "wikidiff" / "revisions.sqlite").is_file()
    monkeypatch.setenv("WIKIDIFF_USER_AGENT", "anonymous-scraper")
    assert main(["audit", "--new", "651986427", "-f", "json"]) == 0
    assert "User-Agent names no contact" in capsys.readouterr().err


def test_cli_user_agent_flag_wins(wiki, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("WIKIDIFF_USER_AGENT", "from-env/1 (env@example.org)")
    assert main(cli(wiki, tmp_path, "--new", "651993021", "--user-agent", "flag/2 (flag@example.org)", "-q")) == 0
    assert wiki.requests[0].headers["User-Agent"].startswith("flag/2 (flag@example.org) mwclient/")


def test_cli_retries_show_progress_on_stderr(wiki, tmp_path, capsys):
    wiki.add_fault("status", status=503, retry_after="0")
    assert main(cli(wiki, tmp_path, SEED_URL, "-f", "json")) == 0
    err = capsys.readouterr().err
    assert "HTTP 503; retrying in 0 s (try 2 of 6)" in err


def test_cli_subprocess_against_the_stand_in(wiki, tmp_path):
    proc = subprocess.run([sys.executable, "-m", "wikidiff", *cli(wiki, tmp_path, SEED_URL, "-f", "json", "-q")],
                          capture_output=True, text=True, timeout=120, cwd=Path(__file__).resolve().parents[1])
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["new"]["revid"] == 900000102 and proc.stderr == ""
