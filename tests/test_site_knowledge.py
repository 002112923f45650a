"""The wiki's own siteinfo and template redirects, read through the real client from the loopback API stand-in
(tests/mwapi_server.py, recorded-shape answers in tests/fixtures/api), kept in the SQLite cache, and used by the
checks: namespaces and interlanguage prefixes by unsourced-text, redirects by the tag flags."""

from __future__ import annotations

from pathlib import Path

import pytest
from mwapi_server import MediaWikiStandIn

import wikidiff
from wikidiff.fetch import site_knowledge
from wikidiff.sources.cache import RevisionCache
from wikidiff.sources.client import open_client
from wikidiff.sources.siteinfo import SiteInfo, fetch_redirects, fetch_site_info

SITE = "en.wikipedia.org"


@pytest.fixture
def wiki():
    with MediaWikiStandIn() as server:
        yield server


def _client(wiki, cache: RevisionCache, offline: bool = False):
    return open_client(site=SITE, api_url=None if offline else wiki.api_url, cache=cache, offline=offline,
                       user_agent="wikidiff-tests/1 (test@example.org)", retry_timeout=0.01)


def _asked(wiki, what: str) -> int:
    return sum(1 for r in wiki.requests if what in (r.params.get("meta", ""), r.params.get("prop", "")))


def test_siteinfo_is_read_from_the_wiki_once_and_then_from_the_cache(wiki, tmp_path: Path):
    cache = RevisionCache(tmp_path / "cache.sqlite")
    with _client(wiki, cache) as client:
        info = fetch_site_info(client)
        again = fetch_site_info(client)
    assert info.source == "api" and info.lang == "en"
    assert info.namespace_of("Cat") == 14 and info.namespace_of("image") == 6  # aliases from namespacealiases
    assert info.is_interlanguage("xqz") and not info.is_interlanguage("wikt")  # only prefixes with a language
    assert info.magic_words["defaultsort"][0] == "DEFAULTSORT:"
    assert again == info and _asked(wiki, "siteinfo") == 1
    # offline, the cache answers; a cache without it gives the shipped fallback
    with _client(wiki, RevisionCache(tmp_path / "cache.sqlite", read_only=True), offline=True) as client:
        assert fetch_site_info(client).is_interlanguage("xqz")
    with _client(wiki, RevisionCache(tmp_path / "other.sqlite"), offline=True) as client:
        fallback = fetch_site_info(client)
    assert fallback.source == "shipped" and not fallback.is_interlanguage("xqz")
    assert _asked(wiki, "siteinfo") == 1


def test_redirects_follow_continue_and_are_cached(wiki, tmp_path: Path):
    cache = RevisionCache(tmp_path / "cache.sqlite")
    with _client(wiki, cache) as client:
        got = fetch_redirects(client, ["Citation needed", "Clarification needed", "No such tag"])
        assert fetch_redirects(client, ["No such tag", "Clarification needed", "Citation needed"]) == got
    assert got["Citation needed"] == ["Cn", "Fact", "Citation-needed", "Stand-in only redirect", "Clarify"]
    assert got["Clarification needed"] == ["Clarify"] and got["No such tag"] == []
    asks = [r.params for r in wiki.requests if r.params.get("prop") == "redirects"]
    assert len(asks) == 2 and asks[1].get("rdcontinue") == "0|3"  # 5 redirects, 3 an answer: one continuation


def test_a_redirect_only_the_wiki_knows_is_a_tag(wiki, tmp_path: Path):
    old = "The bridge opened in 1932. It is still in use.\n"
    new = "The bridge opened in 1932.{{Stand-in only redirect|date=May 2020}} It is still in use.\n"
    assert [f.code for f in wikidiff.audit(old, new).flags] == []  # the shipped table does not know it
    info, table = site_knowledge(site=SITE, api_url=wiki.api_url, cache=RevisionCache(tmp_path / "c.sqlite"),
                                 user_agent="wikidiff-tests/1 (test@example.org)")
    flags = wikidiff.audit(old, new, site=info, tags=table).flags
    assert [(f.code, f.fields["tag"]) for f in flags] == [("tag-added", "citation needed")]
    assert table.lookup("Clarify").canonical == "clarification needed"  # a name another tag has stays there


def test_interlanguage_prefixes_of_the_wiki_are_not_prose(wiki, tmp_path: Path):
    old = "The Governor is the head of a state.<ref>Constitution</ref>\n"
    new = old + ("\n[[xqz:Governor of a state in the test language with a long title that has many words "
                 "in it]]\n")
    assert [f.code for f in wikidiff.audit(old, new).flags] == ["unsourced-text"]  # xqz: not a known language
    with _client(wiki, RevisionCache(tmp_path / "cache.sqlite")) as client:
        info = fetch_site_info(client)
    assert wikidiff.audit(old, new, site=info).flags == []


def test_siteinfo_answer_round_trips():
    info = SiteInfo.shipped("de")
    assert SiteInfo.from_api(info.to_api()).namespace_of("Bild") == 6
