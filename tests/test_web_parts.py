"""The web app's parts on their own: the rate limit, the settings, the guard against fetching elsewhere, links,
the report's policy, the memo and the error mapping (the whole app runs in tests/test_web.py)."""

from __future__ import annotations

import pytest
from report_payloads import IMG, SCRIPT, hostile_audit

from wikidiff import errors
from wikidiff.model import RevisionMeta
from wikidiff.report import render
from wikidiff.web import problems
from wikidiff.web.guard import diff_target, history_target
from wikidiff.web.links import WikiLinks, app_link
from wikidiff.web.pages import report_page
from wikidiff.web.ratelimit import RateLimiter
from wikidiff.web.settings import Settings
from wikidiff.web.work import Memo, Rendered

STANDIN = "http://127.0.0.1:8765/w/api.php"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limit_token_bucket():
    clock = Clock()
    limiter = RateLimiter(6, clock=clock)  # one token every 10 s, a burst of 6
    assert [limiter.take("a") for _ in range(6)] == [0] * 6
    assert limiter.take("a") == 10
    assert limiter.take("b") == 0  # per client
    clock.now += 5
    assert limiter.take("a") == 5
    clock.now += 5
    assert limiter.take("a") == 0 and limiter.take("a") == 10
    clock.now += 3600
    assert [limiter.take("a") for _ in range(7)] == [0] * 6 + [10]  # refilled to the burst, no more
    assert RateLimiter(0).take("a") == 0  # off
    assert limiter.refused == 4


def test_rate_limit_forgets_quiet_clients():
    clock = Clock()
    limiter = RateLimiter(60, clock=clock, max_clients=10)
    for i in range(10):
        limiter.take(f"c{i}")
    clock.now += 120
    limiter.take("new")
    assert len(limiter._buckets) == 1


def test_settings_checks():
    s = Settings(wikis=("EN.wikipedia.org", "de.m.wikipedia.org", "en.wikipedia.org"))
    assert s.wikis == ("en.wikipedia.org", "de.wikipedia.org")
    assert s.api_for("de.wikipedia.org") == "https://de.wikipedia.org/w/api.php"
    assert Settings(api_url=STANDIN).api_for("en.wikipedia.org") == STANDIN
    for bad in ({"wikis": ()}, {"wikis": ("en.wikipedia.org", "de.wikipedia.org"), "api_url": STANDIN},
                {"api_url": "ftp://x/api.php"}, {"api_url": "http://x/index.php"}, {"wikis": ("no host/",)},
                {"time_limit": 0}, {"workers": 0}, {"rate_limit": -1}):
        with pytest.raises(errors.InputError):
            Settings(**bad)


@pytest.mark.parametrize("peer, forwarded, client", [
    ("10.0.0.5", "203.0.113.7", "203.0.113.7"),  # from the proxy: the client it names
    ("10.0.0.5", "198.51.100.1, 203.0.113.7", "203.0.113.7"),  # the rightmost untrusted one, not a forged entry
    ("10.0.0.5", "203.0.113.7, 10.0.0.9", "203.0.113.7"),  # through two proxies
    ("10.0.0.5", "10.0.0.8, 10.0.0.9", "10.0.0.8"),  # all proxies: the farthest one
    ("10.0.0.5", "bogus, 203.0.113.7", "203.0.113.7"),
    ("10.0.0.5", "203.0.113.7, bogus", "10.0.0.5"),  # a malformed hop: the last address vouched for
    ("10.0.0.5", "", "10.0.0.5"),
    ("10.0.0.5", None, "10.0.0.5"),
    ("192.0.2.1", "203.0.113.7", "192.0.2.1"),  # not from a proxy: the header is the client's own word
    ("2001:db8::1", "203.0.113.7", "203.0.113.7"),
])
def test_client_address_behind_trusted_proxies(peer, forwarded, client):
    s = Settings(trusted_proxies=("10.0.0.0/8", "2001:db8::/32"))
    assert s.client_address(peer, forwarded) == client
    assert Settings().client_address(peer, forwarded) == peer  # no proxy trusted: always the connection


def test_a_trusted_proxy_must_be_an_address():
    with pytest.raises(errors.InputError, match="not 'proxy.example'") as exc:
        Settings(trusted_proxies=("proxy.example",))
    assert exc.value.param == "trusted_proxies"


@pytest.mark.parametrize("url", [
    "http://127.0.0.1:8765/w/index.php?diff=2&oldid=1",
    "https://en.wikipedia.org.attacker.example/w/index.php?diff=2",
    "https://en.wikipedia.org@attacker.example/w/index.php?diff=2",
    "https://de.wikipedia.org/w/index.php?diff=2",
    "http://[::1]/w/index.php?diff=2",
    "http://2130706433/w/index.php?diff=2",
    "https://169.254.169.254/w/index.php?diff=2",
])
def test_other_hosts_are_refused(url):
    with pytest.raises(problems.Problem) as info:
        diff_target({"url": url}, Settings())
    assert info.value.status in (400, 403)


def test_served_urls_go_to_the_configured_api_only():
    s = Settings(api_url=STANDIN)
    for url in ("https://en.wikipedia.org/w/index.php?diff=2&oldid=1", "http://en.m.wikipedia.org/wiki/Special:Diff/1/2"):
        target = diff_target({"url": url}, s)
        assert (target.site, target.api_url, target.oldid, target.diff) == ("en.wikipedia.org", STANDIN, 1, 2)
    target = diff_target({"new": "5"}, s)  # the only wiki is the default
    assert (target.site, target.api_url, target.oldid, target.diff) == ("en.wikipedia.org", STANDIN, None, 5)
    with pytest.raises(problems.Problem) as info:
        diff_target({"new": "5"}, Settings(wikis=("en.wikipedia.org", "de.wikipedia.org")))
    assert info.value.title == "Which wiki?"
    assert history_target({"title": "Foo_bar"}, s) == ("en.wikipedia.org", "Foo bar", None)
    assert history_target({"title": "X", "since": "2024-01-02"}, s)[2] == "2024-01-02T00:00:00Z"
    for title in ("", "a|b", "x" * 256, "<script>"):
        with pytest.raises(problems.Problem):
            history_target({"title": title}, s)


def test_links_are_encoded_and_stay_on_the_wiki():
    links = WikiLinks(Settings(), "en.wikipedia.org")
    assert links.user(IMG) == ("https://en.wikipedia.org/wiki/Special:Contributions/"
                               "%3Cimg_src%3Dx_onerror%3D%22window.__pwned%3D'onerror'%22%3E")
    assert links.page("A&B?c#d") == "https://en.wikipedia.org/wiki/A%26B%3Fc%23d"
    assert links.diff(1, 2) == "https://en.wikipedia.org/w/index.php?diff=2&oldid=1"
    assert links.diff(None, 2) == "https://en.wikipedia.org/w/index.php?oldid=2&diff=prev"
    for bad in ("javascript:alert(1)", "evil.example/path", SCRIPT):
        none = WikiLinks(Settings(), bad)
        assert (none.page("T"), none.user("U"), none.diff(1, 2)) == (None, None, None)
    other = WikiLinks(Settings(), "de.wikipedia.org")
    assert not other.served and other.page("T") == "https://de.wikipedia.org/wiki/T"
    assert app_link("/audit", wiki="en.wikipedia.org", old=None, new="next") == "/audit?wiki=en.wikipedia.org&new=next"


def test_report_served_with_its_own_hashes_only():
    report = render(hostile_audit(), "html")
    response = report_page(report, "<nav>x</nav>")
    csp = response.headers["content-security-policy"]
    body = response.body.decode("utf-8")
    assert "http-equiv=\"Content-Security-Policy\"" not in body and "<nav>x</nav>" in body
    script_src = csp.split("script-src ")[1].split(";")[0].split()
    style_src = csp.split("style-src ")[1].split(";")[0].split()
    assert script_src[0] == "'self'" and len(script_src) == 2 and script_src[1].startswith("'sha256-")
    assert style_src[0] == "'self'" and len(style_src) == 2
    assert script_src[1].strip("'") in report and style_src[1].strip("'") in report  # what the renderer vouched for
    with pytest.raises(RuntimeError):
        report_page("<!DOCTYPE html><html><head></head><body>\n</body></html>", "")


def test_memo_is_bounded():
    memo = Memo(entries=2, max_bytes=400)
    meta = RevisionMeta()
    for i in range(3):
        memo.put(("w", i), Rendered("x" * 50, meta, meta, 0))
    assert memo.get(("w", 0)) is None and memo.get(("w", 2)) is not None
    memo.put(("w", 9), Rendered("y" * 101, meta, meta, 0))  # more than a quarter of the bytes: not kept
    assert memo.get(("w", 9)) is None
    assert Memo(entries=0).entries == 0


def test_library_errors_map_to_statuses():
    cases = [
        (errors.RevisionMissing("r"), 404), (errors.RevisionHidden("h"), 403), (errors.PageMissing("p"), 404),
        (errors.HostUnreachable("u"), 502), (errors.BadAnswer("b"), 502), (errors.FetchError("f"), 502),
        (errors.InputError("i"), 400), (errors.DumpError("d"), 400), (errors.WikidiffError("w"), 500),
    ]
    for exc, status in cases:
        assert problems.from_error(exc).status == status, exc
    throttled = problems.from_error(errors.Throttled("t", retry_after=12.4))
    assert throttled.status == 503 and throttled.headers == {"Retry-After": "12"}
    assert problems.from_error(errors.Throttled("t")).headers == {"Retry-After": "60"}


def test_serve_refuses_bad_options_in_one_line(capsys):
    import socket

    from wikidiff.cli import main

    cases = [(["--time-limit", "0"], "--time-limit"), (["--wiki", "a b"], "--wiki"), (["--workers", "0"], "--workers"),
             (["--api-url", "ftp://x/api.php"], "--api-url"), (["--port", "70000"], "--port"),
             (["--api-url", STANDIN, "--wiki", "a.org", "--wiki", "b.org"], "--api-url"),
             (["--host", "no such host.invalid"], "--host")]
    for argv, option in cases:
        assert main(["serve", *argv]) == 2, argv
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("wikidiff: error: ") and option in err, err
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        assert main(["serve", "--port", str(taken.getsockname()[1])]) == 2
        assert "cannot listen on 127.0.0.1:" in capsys.readouterr().err
