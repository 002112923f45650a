"""Diff URLs -> DiffTarget, and one clear line (exit 2) for URLs that name no revision of a wiki."""

from __future__ import annotations

import pytest

from wikidiff.cli import error_line, main
from wikidiff.errors import InputError
from wikidiff.sources.url import api_url_for_site, normalize_site, parse_diff_url, site_from_api_url, site_lang

EN = "https://en.wikipedia.org/w/api.php"


@pytest.mark.parametrize("url, expected", [
    ("https://en.wikipedia.org/w/index.php?title=Nintendo_Switch&diff=651993021&oldid=651986427",
     dict(site="en.wikipedia.org", api_url=EN, title="Nintendo Switch", oldid=651986427, diff=651993021)),
    ("https://en.wikipedia.org/w/index.php?title=Nintendo_Switch&diff=prev&oldid=651993021",
     dict(title="Nintendo Switch", oldid=651993021, diff="prev")),
    ("https://en.wikipedia.org/w/index.php?title=X&diff=next&oldid=5", dict(oldid=5, diff="next")),
    ("https://en.wikipedia.org/w/index.php?title=X&diff=cur&oldid=5", dict(oldid=5, diff="cur")),
    ("https://en.wikipedia.org/w/index.php?title=X&diff=&oldid=5", dict(oldid=5, diff="cur")),
    ("https://en.wikipedia.org/w/index.php?title=X&diff=0&oldid=5", dict(oldid=5, diff="cur")),
    ("https://en.wikipedia.org/w/index.php?diff=651993021", dict(title=None, oldid=None, diff=651993021)),
    ("https://en.wikipedia.org/w/index.php?title=X&oldid=651986427", dict(title="X", oldid=651986427, diff=None)),
    ("https://en.wikipedia.org/w/index.php?curid=900001", dict(curid=900001, oldid=None, diff=None)),
    ("https://en.wikipedia.org/w/index.php?title=X&curid=900001&diff=cur", dict(curid=900001, diff="cur")),
    ("https://en.wikipedia.org/wiki/Special:Diff/651986427/651993021", dict(title=None, oldid=651986427,
                                                                            diff=651993021)),
    ("https://en.wikipedia.org/wiki/Special:Diff/651993021", dict(oldid=None, diff=651993021)),
    ("https://en.wikipedia.org/wiki/Special:Diff/651993021/prev", dict(oldid=651993021, diff="prev")),
    ("https://en.wikipedia.org/wiki/Special:PermanentLink/651986427", dict(oldid=651986427, diff=None)),
    ("https://en.wikipedia.org/wiki/Special:Permalink/651986427", dict(oldid=651986427, diff=None)),
    ("https://en.wikipedia.org/wiki/special:diff/7", dict(diff=7)),
    ("https://en.wikipedia.org/wiki/Special%3ADiff%2F651993021", dict(diff=651993021)),
    ("https://en.wikipedia.org/w/index.php?title=Special:Diff/651993021", dict(diff=651993021)),
    ("https://en.m.wikipedia.org/w/index.php?title=X&diff=2&oldid=1", dict(site="en.wikipedia.org", api_url=EN)),
    ("https://en.m.wikipedia.org/wiki/Special:MobileDiff/651993021", dict(site="en.wikipedia.org", diff=651993021)),
    ("https://en.m.wikipedia.org/wiki/Special:MobileDiff/651986427...651993021", dict(oldid=651986427,
                                                                                       diff=651993021)),
    ("https://de.wikipedia.org/wiki/Spezial:Diff/123/456",
     dict(site="de.wikipedia.org", api_url="https://de.wikipedia.org/w/api.php", oldid=123, diff=456)),
    ("https://fr.m.wiktionary.org/wiki/Spécial:PermanentLink/9", dict(site="fr.wiktionary.org", oldid=9)),
    ("https://m.wikidata.org/wiki/Special:Diff/3", dict(site="www.wikidata.org",
                                                        api_url="https://www.wikidata.org/w/api.php")),
    ("https://commons.m.wikimedia.org/w/index.php?oldid=4", dict(site="commons.wikimedia.org")),
    ("http://en.wikipedia.org/wiki/Special:Diff/3", dict(api_url=EN)),  # Wikimedia wikis are HTTPS only
    ("en.wikipedia.org/wiki/Special:Diff/3", dict(site="en.wikipedia.org", diff=3)),
    ("  https://en.wikipedia.org/wiki/Special:Diff/3  ", dict(diff=3)),
    ("http://wiki.example.org:8080/index.php?title=Main_Page&diff=12&oldid=11",
     dict(site="wiki.example.org:8080", api_url="http://wiki.example.org:8080/api.php", title="Main Page")),
    ("https://wiki.example.org/mw/index.php?oldid=11", dict(api_url="https://wiki.example.org/mw/api.php")),
    ("https://WIKI.Example.ORG/w/index.php?oldid=11", dict(site="wiki.example.org")),
])
def test_diff_urls(url, expected):
    target = parse_diff_url(url)
    for key, value in expected.items():
        assert getattr(target, key) == value, key
    assert target.url == url.strip()


@pytest.mark.parametrize("url, message", [
    ("javascript:alert(document.cookie)", "unsupported URL scheme 'javascript:'"),
    ("JAVASCRIPT:alert(1)", "unsupported URL scheme 'javascript:'"),
    ("file:///etc/passwd", "unsupported URL scheme 'file:'"),
    ("ftp://en.wikipedia.org/wiki/Special:Diff/1", "unsupported URL scheme 'ftp:'"),
    ("data:text/html,<script>alert(1)</script>", "unsupported URL scheme 'data:'"),
    ("just some words", "not a URL"),
    ("", "empty URL"),
    ("https://example.com/some/page?q=diff", "not a MediaWiki diff URL"),
    ("https://www.google.com/search?q=x&diff=1", "not a MediaWiki diff URL"),
    ("https://en.wikipedia.org/wiki/Nintendo_Switch", "no revision in URL"),
    ("https://en.wikipedia.org/w/index.php?title=Nintendo_Switch", "no revision in URL"),
    ("https://en.wikipedia.org/w/index.php?title=Nintendo_Switch&action=history", "no revision in URL"),
    ("https://en.wikipedia.org/wiki/Special:Diff", "no revision in URL"),
    ("https://en.wikipedia.org/wiki/Special:Diff/1/2/3", "no revision in URL"),
    ("https://en.wikipedia.org/wiki/Special:RecentChanges", "not a diff or permanent link"),
    ("https://en.wikipedia.org/w/index.php?title=X&diff=abc&oldid=1", "diff must be a revision number"),
    ("https://en.wikipedia.org/w/index.php?title=X&diff=2&oldid=1e5", "oldid must be a positive number"),
    ("https://en.wikipedia.org/w/index.php?title=X&diff=2&oldid=-1", "oldid must be a positive number"),
    ("https://en.wikipedia.org/w/index.php?curid=abc", "curid must be a positive number"),
    ("https://en.wikipedia.org/wiki/Special:Diff/abc", "must be a positive number"),
    ("https://en.wikipedia.org/wiki/Special:Diff/١٢٣", "must be a positive number"),  # Arabic-Indic digits
    ("https://en.wikipedia.org/wiki/Special:PermanentLink/0", "must be a positive number"),
    ("https://en.wikipedia.org/w/index.php?diff=next", "diff=next needs an oldid"),
    ("https://en.wikipedia.org/w/index.php?diff=prev", "needs an oldid, a title or a curid"),
    ("https://en.wikipedia.org:99999/wiki/Special:Diff/1", "bad port"),
    ("https://en.wikipedia.org/w/index.php?oldid=1\n2", "control characters"),
])
def test_bad_urls(url, message):
    with pytest.raises(InputError) as err:
        parse_diff_url(url)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_a_bare_article_url_suggests_title():
    with pytest.raises(InputError) as err:
        parse_diff_url("https://en.wikipedia.org/wiki/Nintendo_Switch")
    assert (err.value.param, err.value.hint) == ("title", "Nintendo Switch")
    assert "--" not in str(err.value)  # the library names no command-line option; the CLI adds it
    assert "use --title 'Nintendo Switch'" in error_line(err.value)


@pytest.mark.parametrize("host, site", [
    ("en.m.wikipedia.org", "en.wikipedia.org"),
    ("EN.Wikipedia.org.", "en.wikipedia.org"),
    ("m.mediawiki.org", "www.mediawiki.org"),
    ("de.m.wikivoyage.org", "de.wikivoyage.org"),
    ("en.m.example.org", "en.m.example.org"),  # the .m. rule is Wikimedia's, not everyone's
    ("127.0.0.1:8080", "127.0.0.1:8080"),
])
def test_normalize_site(host, site):
    assert normalize_site(host) == site


def test_site_helpers():
    assert api_url_for_site("en.wikipedia.org", "http") == EN
    assert api_url_for_site("wiki.example.org", "http", "/") == "http://wiki.example.org/api.php"
    assert site_from_api_url("http://127.0.0.1:5000/w/api.php") == "127.0.0.1:5000"
    assert site_from_api_url("https://en.m.wikipedia.org/w/api.php") == "en.wikipedia.org"
    assert site_lang("de.wikipedia.org") == "de" and site_lang("commons.wikimedia.org") is None
    assert site_lang("wiki.example.org") is None
    assert parse_diff_url("https://fr.m.wikipedia.org/wiki/Spécial:Diff/1").lang == "fr"
    with pytest.raises(InputError):
        site_from_api_url("ftp://x.org/api.php")
    with pytest.raises(InputError):
        normalize_site("bad host!")


@pytest.mark.parametrize("url, message", [
    ("javascript:alert(1)", "unsupported URL scheme"),
    ("file:///etc/passwd", "unsupported URL scheme"),
    ("https://example.com/", "not a MediaWiki diff URL"),
    ("https://en.wikipedia.org/wiki/Nintendo_Switch", "no revision in URL"),
    ("https://en.wikipedia.org/w/index.php?title=X&diff=12a&oldid=1", "diff must be a revision number"),
])
def test_cli_bad_url_exits_2_with_one_line(url, message, capsys, tmp_path):
    code = main(["audit", url, "--cache", str(tmp_path / "c.sqlite"), "--offline"])
    err = capsys.readouterr().err
    assert code == 2
    assert err.count("\n") == 1 and err.startswith("wikidiff: error: ") and message in err
    assert not (tmp_path / "c.sqlite").exists()  # a bad URL is refused before the cache is opened
