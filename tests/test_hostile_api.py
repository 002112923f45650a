"""A faulty or hostile API, through the loopback stand-in: what a broken MediaWiki, a proxy or a mirror may send.

Each case ends in one typed error (and, on the command line, one line on stderr and exit 2), never a traceback,
never a wrong revision in the cache."""

from __future__ import annotations

import copy
import gzip
import json
import socket
import time
from email.utils import formatdate
from pathlib import Path

import pytest
from mwapi_server import FIXTURES, MediaWikiStandIn

from wikidiff import errors
from wikidiff.cli import main
from wikidiff.sources.cache import RevisionCache
from wikidiff.sources.client import WikiClient

SITE = "en.wikipedia.org"
REVID = 651993021
PAGES = {p["title"]: p for p in (json.loads(f.read_text("utf-8")) for f in (FIXTURES / "pages").glob("*.json"))}
TEXT = {r["revid"]: r["slots"]["main"].get("content") for p in PAGES.values() for r in p["revisions"]}


def revisions(params: dict) -> bool:
    return params.get("prop") == "revisions"


@pytest.fixture
def wiki():
    with MediaWikiStandIn() as server:
        yield server


def client(wiki, tmp_path: Path, **kwargs) -> WikiClient:
    opts = {"site": SITE, "cache": RevisionCache(tmp_path / "cache.sqlite"), "retry_timeout": 0.01,
            "max_wait": 5.0, "quiet": True, "max_retries": 2}
    opts.update(kwargs)
    return WikiClient(wiki.api_url, **opts)


def cli_line(wiki, tmp_path, capsys, *extra: str) -> str:
    code = main(["audit", "--site", SITE, "--old", "651986427", "--new", str(REVID), "--api-url", wiki.api_url,
                 "--cache", str(tmp_path / "cli.sqlite"), "-q", *extra])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1 and err.startswith("wikidiff: error: ") and "Traceback" not in err, err
    return err


def first_rev(body: dict) -> dict:
    return body["query"]["pages"][0]["revisions"][0]


def set_in_rev(key: str, value):
    def mutate(body: dict) -> dict:
        body = copy.deepcopy(body)
        first_rev(body)[key] = value
        return body
    return mutate


# errors in odd shapes
@pytest.mark.parametrize("error, shown", [
    ("text", "answered an error: text"),
    ({"code": "weird"}, "answered weird: (no explanation given)"),
    ({"code": "x\x1b[2Jy", "info": "line\nbreak"}, "answered x [2Jy: line break"),
    ({"info": "only info"}, "answered an error: only info"),
])
def test_odd_error_members(wiki, tmp_path, capsys, error, shown):
    wiki.add_fault("mutate", mutate=lambda body: {"error": error}, when=revisions)
    with pytest.raises(errors.BadAnswer, match=shown.replace("[", r"\[").replace("(", r"\(").replace(")", r"\)")):
        client(wiki, tmp_path).revisions([REVID])
    wiki.add_fault("mutate", mutate=lambda body: {"error": error}, when=revisions)
    assert shown.split(": ")[-1] in cli_line(wiki, tmp_path, capsys)


def test_an_api_maxlag_error_is_throttling(wiki, tmp_path):
    wiki.add_fault("mutate", mutate=lambda body: {"error": {"code": "maxlag", "info": "lagged"}}, when=revisions)
    with pytest.raises(errors.Throttled):
        client(wiki, tmp_path).revisions([REVID])


@pytest.mark.parametrize("retry_after, wait", [
    ("", 0.01),  # missing: back off
    ("soon", 0.01),  # unreadable: back off
    ("0.2", 0.2),  # a fraction of a second
    (formatdate(time.time() - 60, usegmt=True), 0.0),  # an HTTP date in the past: no wait
])
def test_maxlag_retry_after_forms(wiki, tmp_path, retry_after, wait):
    wiki.add_fault("maxlag", lag=9, retry_after=retry_after)
    c = client(wiki, tmp_path)
    assert c.revisions([REVID])[0][0] == TEXT[REVID]
    assert c.session.waits == [("lagged by 9 s (maxlag)", wait)]


def test_an_http_date_in_the_future_is_waited_for(wiki, tmp_path):
    waited = []
    wiki.add_fault("status", status=503, retry_after=formatdate(time.time() + 30, usegmt=True))
    c = client(wiki, tmp_path, max_wait=60, sleep=waited.append)
    c.revisions([REVID])
    assert len(waited) == 1 and 25 <= waited[0] <= 31


def test_maxlag_that_never_ends_with_no_retry_after(wiki, tmp_path):
    for _ in range(10):
        wiki.add_fault("maxlag", lag=30, retry_after="")
    with pytest.raises(errors.Throttled, match=r"lagged by 30 s \(maxlag\) after 3 tries"):
        client(wiki, tmp_path).revisions([REVID])


def test_html_error_page_with_status_200(wiki, tmp_path, capsys):
    page = (FIXTURES / "503.html").read_bytes()
    wiki.add_fault("raw", status=200, body=page, content_type="text/html; charset=utf-8")
    with pytest.raises(errors.BadAnswer, match="did not answer with JSON"):
        client(wiki, tmp_path).revisions([REVID])
    wiki.add_fault("raw", status=200, body=page, content_type="text/html; charset=utf-8")
    assert "did not answer with JSON" in cli_line(wiki, tmp_path, capsys)


def test_lone_surrogate_in_revision_text(wiki, tmp_path, capsys):
    wiki.add_fault("mutate", mutate=set_in_rev("slots", {"main": {"contentmodel": "wikitext",
                                                                   "content": "a\ud800b"}}), when=revisions)
    c = client(wiki, tmp_path)
    with pytest.raises(errors.BadAnswer, match="not Unicode"):
        c.revisions([REVID])
    assert c.cache.count() == 0


def test_a_server_that_trickles_bytes_meets_the_total_deadline(wiki, tmp_path):
    wiki.add_fault("trickle", delay=0.1)
    c = client(wiki, tmp_path, timeout=0.5, deadline=1.0, max_retries=0)
    start = time.monotonic()
    with pytest.raises(errors.HostUnreachable, match=r"no complete answer from .* within 1 s"):
        c.revisions([REVID])
    assert time.monotonic() - start < 5


def test_a_different_revision_than_asked(wiki, tmp_path):
    other = next(r for r in PAGES["Nintendo Switch"]["revisions"] if r["revid"] != REVID and "slots" in r)
    wiki.add_fault("mutate", mutate=set_in_rev("revid", other["revid"]), when=revisions)
    c = client(wiki, tmp_path)
    with pytest.raises(errors.BadAnswer, match=f"returned no revision {REVID}"):
        c.revisions([REVID])
    assert c.cache.count() == 0


def test_swapped_text_fails_the_sha1_and_is_never_cached(wiki, tmp_path, capsys):
    swap = set_in_rev("slots", {"main": {"contentmodel": "wikitext", "content": "Vandal text."}})
    wiki.add_fault("mutate", mutate=swap, when=revisions)
    c = client(wiki, tmp_path)
    with pytest.raises(errors.BadAnswer, match="does not match its SHA-1"):
        c.revisions([REVID])
    assert c.cache.count() == 0
    assert c.revisions([REVID])[0][0] == TEXT[REVID]  # the honest answer afterwards is taken and cached
    assert c.cache.count() == 1


# malformed answers
@pytest.mark.parametrize("mutate, shown", [
    (lambda b: [b], "not an object (list)"),
    (lambda b: {**b, "query": [1]}, "'query' that is not an object"),
    (lambda b: {**b, "query": {**b["query"], "pages": "x"}}, "'pages' that is not a list"),
    (lambda b: {**b, "query": {**b["query"], "badrevids": "12"}}, "'badrevids' in a shape"),
    (set_in_rev("timestamp", ["2015"]), "'timestamp' is"),
    (set_in_rev("user", {"name": "x"}), "'user' is"),
    (set_in_rev("size", "12"), "'size' is"),
    (set_in_rev("revid", 2 ** 70), "'revid' is"),
    (set_in_rev("slots", {"main": {"contentmodel": "wikitext", "content": 12}}), "content that is not text"),
    (lambda b: {**b, "continue": "more"}, "'continue' that is not an object"),
])
def test_malformed_answers_are_one_line(wiki, tmp_path, capsys, mutate, shown):
    wiki.add_fault("mutate", mutate=mutate, when=revisions)
    with pytest.raises(errors.BadAnswer) as err:
        client(wiki, tmp_path).revisions([REVID])
    assert shown in str(err.value)
    wiki.add_fault("mutate", mutate=mutate, when=revisions)
    assert shown in cli_line(wiki, tmp_path, capsys)


def test_continuations_are_capped(wiki, tmp_path):
    count = iter(range(10 ** 6))
    for _ in range(20):
        wiki.add_fault("mutate", mutate=lambda b: {**b, "continue": {"rvcontinue": str(next(count) + 1),
                                                                     "continue": "||"}}, when=revisions)
    c = client(wiki, tmp_path, max_continuations=5)
    with pytest.raises(errors.BadAnswer, match="continue more than 5 times"):
        c.revisions([REVID])
    assert len(wiki.requests) == 6


def test_a_compression_bomb_is_refused(wiki, tmp_path):
    bomb = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 1024 * 1024
    wiki.add_fault("gzip", body=bomb)
    c = client(wiki, tmp_path, max_answer_bytes=8 * 1024 * 1024)
    with pytest.raises(errors.BadAnswer, match="larger than 8 MiB once decoded"):
        c.revisions([REVID])


def test_gzip_answers_are_read(wiki, tmp_path):
    body = json.dumps(wiki.answer({"action": "query", "format": "json", "prop": "revisions", "revids": str(REVID),
                                   "rvprop": "ids|timestamp|user|size|sha1|comment|content", "rvslots": "main",
                                   "formatversion": "2"})).encode()
    wiki.add_fault("gzip", body=gzip.compress(body))
    assert client(wiki, tmp_path).revisions([REVID])[0][0] == TEXT[REVID]


# redirects
def test_no_redirect_to_another_host_and_nothing_cached(wiki, tmp_path, capsys):
    with MediaWikiStandIn(host="127.0.0.2") as other:
        for _ in range(2):
            wiki.add_fault("redirect", location=f"{other.api_url}?action=query&format=json&prop=revisions"
                                                f"&revids={REVID}&rvslots=main&rvprop=content|ids")
        c = client(wiki, tmp_path)
        with pytest.raises(errors.BadAnswer, match=rf"redirected to 127\.0\.0\.2:{other.port}.*not followed"):
            c.revisions([REVID])
        assert other.requests == [] and c.cache.count() == 0
        assert "not followed" in cli_line(wiki, tmp_path, capsys)


def test_a_redirect_on_the_same_host_is_followed(wiki, tmp_path):
    wiki.add_fault("redirect", location=f"/w/api.php?action=query&format=json&formatversion=2&prop=revisions"
                                        f"&revids={REVID}&rvslots=main&rvprop=ids|timestamp|user|size|sha1|content")
    assert client(wiki, tmp_path).revisions([REVID])[0][0] == TEXT[REVID]
    assert [r.fault for r in wiki.requests] == ["redirect", None]


# hosts that cannot be reached
def test_an_unknown_host_is_not_retried_and_is_named(tmp_path, capsys):
    start = time.monotonic()
    code = main(["audit", "--site", SITE, "--old", "1", "--new", "2", "--api-url",
                 "http://no-such-host.invalid/w/api.php", "--cache", str(tmp_path / "c.sqlite"), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and err.count("\n") == 1
    assert "host no-such-host.invalid not found: its name does not resolve" in err
    assert time.monotonic() - start < 10
    c = WikiClient("http://no-such-host.invalid/w/api.php", quiet=True, retry_timeout=1)
    with pytest.raises(errors.HostUnreachable):
        c.revisions([1])
    assert c.session.sent == 1 and c.session.waits == []


def test_a_refused_connection_is_retried_once(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    c = WikiClient(f"http://127.0.0.1:{port}/w/api.php", quiet=True, max_retries=5, retry_timeout=0.01)
    with pytest.raises(errors.HostUnreachable, match=r"\(2 tries\)"):
        c.revisions([1])
    assert c.session.sent == 2


def test_the_total_wait_is_capped(wiki, tmp_path):
    for _ in range(10):
        wiki.add_fault("status", status=503)
    c = client(wiki, tmp_path, max_retries=8, retry_timeout=0.1, max_total_wait=0.35)
    with pytest.raises(errors.Throttled):
        c.revisions([REVID])
    assert sum(w for _, w in c.session.waits) <= 0.35 and len(wiki.requests) == 3  # waits 0.1 + 0.2, then stop


def test_a_revision_larger_than_any_wiki_page_is_refused(wiki, tmp_path):
    huge = "x" * (5 * 1024 * 1024)
    wiki.add_fault("mutate", mutate=set_in_rev("slots", {"main": {"contentmodel": "wikitext", "content": huge}}),
                   when=revisions)
    c = client(wiki, tmp_path)
    with pytest.raises(errors.BadAnswer, match="more than a wiki page can hold"):
        c.revisions([REVID])
    assert c.cache.count() == 0


# URLs whose host is not what it seems
@pytest.mark.parametrize("url, shown", [
    ("https://en.wikipedia.org@127.0.0.1/w/index.php?diff=2&oldid=1", "names a user before its host"),
    ("https://en.wikipedia.org\\@127.0.0.1/w/index.php?diff=2&oldid=1", "backslash"),
    ("https://127.0.0.1\\en.wikipedia.org/w/index.php?diff=2&oldid=1", "backslash"),
    ("http://2130706433/w/index.php?diff=2&oldid=1", "is the IP address 127.0.0.1 written as a number"),
    ("http://0x7f.1/w/index.php?diff=2&oldid=1", "is the IP address 127.0.0.1 written as a number"),
    ("http://[::1/w/index.php?diff=2&oldid=1", "malformed URL"),
    ("https://en.wikipedia.org/w/index.php?diff=99999999999999999999999&oldid=1", "too large"),
])
def test_urls_that_hide_the_host_are_refused(url, shown, capsys):
    assert main(["audit", url, "--cache", "/nonexistent/never-opened.sqlite"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and shown in err and "Traceback" not in err, err


@pytest.mark.parametrize("api_url", ["http://user@127.0.0.1:1/w/api.php", "http://127.0.0.1:1\\/w/api.php",
                                     "http://017700000001/w/api.php"])
def test_api_urls_that_hide_the_host_are_refused(api_url, capsys):
    assert main(["audit", "--site", SITE, "--old", "1", "--new", "2", "--api-url", api_url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--api-url" in err and "Traceback" not in err, err


def test_progress_names_the_host_contacted_when_it_is_not_the_wiki(wiki, tmp_path, capsys):
    assert main(["audit", "--site", SITE, "--old", "651986427", "--new", str(REVID), "--api-url", wiki.api_url,
                 "--cache", str(tmp_path / "c.sqlite"), "-f", "json"]) == 0
    assert f"wikidiff: {SITE} (via 127.0.0.1:{wiki.port}): fetching 2 revisions" in capsys.readouterr().err


def test_an_id_too_large_for_the_cache(capsys):
    assert main(["audit", "--site", SITE, "--old", "1", "--new", str(2 ** 64)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "too large" in err
