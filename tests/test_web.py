"""The web app (`wikidiff serve`) as a real uvicorn process on 127.0.0.1, fetching from the MediaWiki API stand-in,
driven over HTTP and in headless Chromium (the browser fixture of test_browser.py)."""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, urlencode

import pytest
from mwapi_server import FIXTURES, MediaWikiStandIn
from report_payloads import IMG, NEW, NEW_META, OLD, OLD_META, SCRIPT
from test_browser import browser, errors_logged  # noqa: F401  (the Chromium fixture)
from web_server import WebServer

import wikidiff
from wikidiff.model import RevisionMeta

SITE = "en.wikipedia.org"
PAGES = {p["title"]: p for p in (json.loads(f.read_text("utf-8")) for f in (FIXTURES / "pages").glob("*.json"))}
SEED = PAGES["2023 Azerbaijani offensive in Nagorno-Karabakh"]["revisions"]
NS = PAGES["Nintendo Switch"]["revisions"]
HOSTILE_IDS = (900000901, 900000902)


def diff_url(old: int, new: int, host: str = SITE) -> str:
    return f"https://{host}/w/index.php?diff={new}&oldid={old}"


def q(**params: object) -> str:
    return urlencode({k: str(v) for k, v in params.items()}, quote_via=quote)


def _revision(revid: int, parentid: int, meta: RevisionMeta, text: str) -> dict:
    return {"revid": revid, "parentid": parentid, "minor": False, "user": meta.user, "timestamp": meta.timestamp,
            "size": len(text.encode("utf-8")), "sha1": hashlib.sha1(text.encode("utf-8")).hexdigest(),
            "comment": meta.comment,
            "slots": {"main": {"contentmodel": "wikitext", "contentformat": "text/x-wiki", "content": text}}}


@pytest.fixture(scope="module")
def fixtures(tmp_path_factory):
    """The recorded API fixtures plus one hostile page (report_payloads: script in text, title and user names)."""
    folder = tmp_path_factory.mktemp("api")
    shutil.copytree(FIXTURES, folder, dirs_exist_ok=True)
    old_id, new_id = HOSTILE_IDS
    page = {"pageid": 900009, "ns": 0, "title": OLD_META.title,
            "revisions": [_revision(old_id, 0, OLD_META, OLD), _revision(new_id, old_id, NEW_META, NEW)]}
    (folder / "pages" / "hostile.json").write_text(json.dumps(page), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def wiki(fixtures):
    with MediaWikiStandIn(fixtures) as server:
        yield server


def serve(wiki, folder, *extra: str) -> WebServer:
    return WebServer(["--api-url", wiki.api_url, "--cache", str(folder / "cache.sqlite"),
                      "--findings", str(folder / "findings.sqlite"), *extra], folder)


@pytest.fixture(scope="module")
def web(wiki, tmp_path_factory):
    with serve(wiki, tmp_path_factory.mktemp("web"), "--rate-limit", "0") as server:
        yield server


def expected(revs: list[dict], old: int, new: int, title: str) -> dict:
    """The JSON contract of an audit of two fixture revisions, computed here, metadata left out."""
    by_id = {r["revid"]: r for r in revs}
    result = wikidiff.audit(by_id[old]["slots"]["main"]["content"], by_id[new]["slots"]["main"]["content"])
    d = result.to_dict()
    del d["old"], d["new"]
    return d


def contract_without_meta(d: dict) -> dict:
    return {k: v for k, v in d.items() if k not in ("old", "new")}


# --- pages and the JSON API -----------------------------------------------------------------------------------

def test_api_audit_returns_the_json_contract(web):
    old, new = SEED[0]["revid"], SEED[1]["revid"]
    status, body = web.get_json("/api/audit?" + q(url=diff_url(old, new)))
    assert status == 200
    assert body["old"]["revid"] == old and body["new"]["revid"] == new
    assert body["new"]["user"] == SEED[1]["user"] and body["new"]["site"] == SITE
    assert contract_without_meta(body) == expected(SEED, old, new, "seed")
    assert [f["name"] for f in body["flags"] if f["code"] == "broken-ref"]
    # the same diff named by wiki and revision ids, and as "the edit that made NEW"
    for query in (q(wiki=SITE, old=old, new=new), q(new=new), q(wiki=SITE, old=old, new="next")):
        status, again = web.get_json("/api/audit?" + query)
        assert status == 200, again
        assert contract_without_meta(again) == contract_without_meta(body)


def test_bad_requests_get_one_clear_line(web):
    cases = [
        (q(wiki=SITE, new="abc"), 400, "revision number"),
        (q(wiki=SITE, old=NS[0]["revid"], new="prev1"), 400, "revision number"),
        (q(new="next"), 400, "relative"),
        (q(url="not a url"), 400, "not a URL"),
        (q(url="https://en.wikipedia.org/wiki/Main_Page"), 400, "no revision"),
        (q(url=diff_url(1, 2), old=1), 400, "not both"),
    ]
    for query, status, words in cases:
        got, headers, body = web.get("/api/audit?" + query)
        assert got == status, (query, body)
        assert headers["content-type"].startswith("application/json")
        assert words.lower() in json.loads(body)["error"]["detail"].lower(), (query, body)
        got, headers, page = web.get("/audit?" + query)
        assert got == status and b"wdw-problem" in page and b"Traceback" not in page
    # what the wiki answers, by error class: a missing revision, a hidden one, a missing page
    for query, status, title in ((q(wiki=SITE, old=NS[0]["revid"], new=123), 404, "No such revision"),
                                 (q(wiki=SITE, old=900000201, new=900000202), 403, "Revision hidden"),
                                 (q(wiki=SITE, title="No such page here"), 404, "No such page")):
        got, body = web.get_json("/api/audit?" + query)
        assert (got, body["error"]["title"]) == (status, title), body
    status, _h, page = web.get("/no/such/page")
    assert status == 404 and b"no such page" in page
    status, _h, page = web.get("/audit")
    assert status == 200 and b'action="/audit"' in page  # an empty query goes back to the form


def test_only_served_wikis_are_fetched(web, wiki, fixtures):
    """URLs for any other host, scheme or port are refused with 403/400 before a request is sent anywhere."""
    with MediaWikiStandIn(fixtures) as other:
        host = f"127.0.0.1:{other.port}"
        before = len(wiki.requests)
        urls = [
            diff_url(SEED[0]["revid"], SEED[1]["revid"], host),
            f"http://{host}/w/index.php?diff=900000102&oldid=900000101",
            f"http://localhost:{other.port}/w/api.php?diff=900000102",
            f"https://{SITE}@{host}/w/index.php?diff=900000102",
            f"https://{SITE}.{host}/w/index.php?diff=900000102",
            "https://de.wikipedia.org/w/index.php?diff=900000102&oldid=900000101",
            f"http://[::1]:{other.port}/w/index.php?diff=900000102",
            "http://169.254.169.254/latest/meta-data/?diff=1",
            "file:///etc/passwd?diff=1",
            "javascript:alert(1)//?diff=1",
        ]
        for url in urls:
            status, body = web.get_json("/api/audit?" + q(url=url))
            assert status in (400, 403), (url, status, body)
        for query in (q(wiki=host, new=900000102), q(wiki="de.wikipedia.org", new=900000102),
                      q(wiki="127.0.0.1", old=1, new=2)):
            status, body = web.get_json("/api/audit?" + query)
            assert status == 403 and "fetches only from en.wikipedia.org" in body["error"]["detail"], body
        status, page = web.get("/audit?" + q(url=urls[0]))[::2]
        assert status == 403 and b"Wiki not served here" in page
        assert other.requests == []
        assert len(wiki.requests) == before


def test_security_headers_and_policy(web):
    status, headers, _ = web.get("/")
    assert status == 200
    csp = headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"
    status, headers, page = web.get("/audit?" + q(url=diff_url(SEED[0]["revid"], SEED[1]["revid"])))
    assert status == 200
    csp = headers["content-security-policy"]
    assert "'unsafe-inline'" not in csp and "'sha256-" in csp.split("script-src")[1].split(";")[0]
    assert b"http-equiv=\"Content-Security-Policy\"" not in page  # one policy: the header's


# --- in the browser ---------------------------------------------------------------------------------------------

# what hostile revision text or metadata would leave behind if it ran or loaded something
EXECUTED = """
const bad = [];
if (window.__pwned !== undefined) bad.push('window.__pwned=' + window.__pwned);
if (document.title === 'PWNED') bad.push('title');
for (const el of document.querySelectorAll('*')) {
  for (const at of el.attributes) {
    if (at.name.startsWith('on')) bad.push('<' + el.tagName + ' ' + at.name + '>');
    if (/^\\s*javascript:/i.test(at.value)) bad.push('<' + el.tagName + ' ' + at.name + '=javascript:>');
  }
}
for (const el of document.querySelectorAll('img, iframe, svg, object, embed, base, textarea, meta[http-equiv]'))
  bad.push('<' + el.tagName.toLowerCase() + '>');
for (const el of document.querySelectorAll('link'))
  if (el.getAttribute('rel') !== 'stylesheet' || el.getAttribute('href') !== '/static/web.css') bad.push('link');
for (const a of document.querySelectorAll('a[href]')) {
  const u = new URL(a.href, location.href);
  if (!(u.origin === location.origin || (u.protocol === 'https:' && /^[a-z-]+\\.wikipedia\\.org$/.test(u.host))))
    bad.push('link ' + a.getAttribute('href'));
}
return bad;
"""


def visit(driver, url: str) -> None:
    driver.get("about:blank")  # stop an earlier page (the patrol page polls)
    driver.get_log("browser")  # and drop what it logged
    driver.get(url)


def _wait(driver, css: str, timeout: float = 60):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def test_paste_a_diff_url_in_the_browser(web, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    old, new = SEED[0]["revid"], SEED[1]["revid"]
    visit(browser, web.url("/"))
    field = browser.find_element(By.ID, "url")
    field.send_keys(diff_url(old, new))
    field.submit()
    report = _wait(browser, ".wikidiff-report")
    assert browser.current_url.startswith(web.url("/audit?url="))
    assert "wd-js" in report.get_attribute("class").split()  # the report's script ran under the app's policy
    assert errors_logged(browser) == []  # no refused style or script
    flags = browser.find_elements(By.CSS_SELECTOR, "li.wd-flag")
    broken = [f for f in expected(SEED, old, new, "seed")["flags"] if f["code"] == "broken-ref"]
    assert broken and len(flags) == len(expected(SEED, old, new, "seed")["flags"])
    listed = "\n".join(f.text for f in flags)
    for f in broken:
        assert f'"{f["name"]}"' in listed
    nav = browser.find_element(By.CSS_SELECTOR, "nav.wdw-auditbar")
    hrefs = {a.text: a.get_attribute("href") for a in nav.find_elements(By.TAG_NAME, "a")}
    assert hrefs["diff on the wiki"] == f"https://{SITE}/w/index.php?diff={new}&oldid={old}"
    assert hrefs[SEED[1]["user"]] == f"https://{SITE}/wiki/Special:Contributions/{SEED[1]['user'].replace(' ', '_')}"
    assert hrefs["← previous edit"] == web.url(f"/audit?wiki={SITE}&new={old}")
    assert browser.execute_script(EXECUTED) == []
    # the form by revision ids gives the same report
    visit(browser, web.url("/"))
    browser.find_element(By.ID, "old").send_keys(str(old))
    browser.find_element(By.ID, "new").send_keys(str(new))
    browser.find_element(By.ID, "new").submit()
    _wait(browser, ".wikidiff-report")
    assert len(browser.find_elements(By.CSS_SELECTOR, "li.wd-flag")) == len(flags)


def test_hostile_wikitext_and_user_names_run_nothing(web, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    old, new = HOSTILE_IDS
    visit(browser, web.url("/audit?" + q(wiki=SITE, old=old, new=new)))
    _wait(browser, ".wikidiff-report")
    browser.execute_async_script("const done = arguments[arguments.length - 1]; setTimeout(() => done(true), 400);")
    assert browser.execute_script(EXECUTED) == []
    assert errors_logged(browser) == []
    nav = browser.find_element(By.CSS_SELECTOR, "nav.wdw-auditbar").text
    assert IMG in nav and SCRIPT in nav  # shown as text
    assert browser.title == f"wikidiff audit: {OLD_META.title}"
    # the error page echoes nothing it could run either
    visit(browser, web.url("/audit?" + q(url=f"https://{SCRIPT}.example/w/index.php?diff=1")))
    _wait(browser, ".wdw-problem")
    assert browser.execute_script(EXECUTED) == []


# --- bounded work -----------------------------------------------------------------------------------------------

def test_time_limit_answers_with_a_clear_page(wiki, tmp_path):
    with serve(wiki, tmp_path, "--time-limit", "2", "--rate-limit", "0") as web:
        old, new = NS[3]["revid"], NS[4]["revid"]
        wiki.add_fault("slow", delay=6.0, when=lambda p: str(new) in p.get("revids", ""))
        t0 = time.monotonic()
        status, headers, page = web.get("/audit?" + q(wiki=SITE, old=old, new=new))
        took = time.monotonic() - t0
        assert status == 504 and took < 5, (status, took)
        assert b"Time limit reached" in page and b"limit of 2 s" in page and headers["retry-after"] == "30"
        status, body = web.get_json("/api/audit?" + q(wiki=SITE, old=old, new=new))
        assert status in (200, 504)  # the slow fetch may have finished and filled the cache meanwhile
        assert web.get("/")[0] == 200  # the server still answers


def test_busy_server_refuses_at_once(wiki, tmp_path):
    """With every worker busy and no queue, a request is refused (503, Retry-After) instead of waiting."""
    with serve(wiki, tmp_path, "--workers", "1", "--queue", "0", "--time-limit", "20", "--rate-limit", "0") as web:
        old, new = NS[5]["revid"], NS[6]["revid"]
        wiki.add_fault("slow", delay=3.0, when=lambda p: str(new) in p.get("revids", ""))
        with ThreadPoolExecutor(1) as pool:
            slow = pool.submit(web.get_json, "/api/audit?" + q(wiki=SITE, old=old, new=new))
            deadline = time.monotonic() + 10
            while not any(str(new) in r.params.get("revids", "") for r in wiki.requests):
                assert time.monotonic() < deadline
                time.sleep(0.02)
            t0 = time.monotonic()
            status, headers, body = web.get("/api/audit?" + q(wiki=SITE, old=NS[7]["revid"], new=NS[8]["revid"]))
            assert status == 503 and headers["retry-after"] == "10" and time.monotonic() - t0 < 2
            assert json.loads(body)["error"]["title"] == "Server busy"
            assert slow.result()[0] == 200  # the one that was running finished normally


def test_rate_limit_per_client(wiki, tmp_path):
    with serve(wiki, tmp_path, "--rate-limit", "3") as web:
        path = "/api/audit?" + q(wiki=SITE, old=NS[0]["revid"], new=NS[1]["revid"])
        assert [web.get(path)[0] for _ in range(3)] == [200, 200, 200]
        status, headers, body = web.get(path)
        assert status == 429 and 1 <= int(headers["retry-after"]) <= 20
        assert "try again in" in json.loads(body)["error"]["detail"]
        status, headers, page = web.get("/audit?" + q(wiki=SITE, old=NS[0]["revid"], new=NS[1]["revid"]))
        assert status == 429 and b"Too many requests" in page and "retry-after" in headers
        assert web.get("/")[0] == 200  # the form and the static files are not limited
        assert web.get("/static/web.css")[0] == 200


def test_rate_limit_behind_a_trusted_proxy_counts_each_forwarded_client(wiki, tmp_path):
    """The test client is the proxy (127.0.0.1): each address it forwards for has its own limit; what a client
    wrote into the header itself (left of what the proxy appended) changes nothing."""
    with serve(wiki, tmp_path, "--rate-limit", "2", "--trusted-proxy", "127.0.0.0/8") as web:
        path = "/api/audit?" + q(wiki=SITE, old=NS[0]["revid"], new=NS[1]["revid"])

        def status(forwarded: str) -> int:
            return web.get(path, headers={"X-Forwarded-For": forwarded})[0]

        assert [status("203.0.113.7") for _ in range(2)] == [200, 200]
        assert status("203.0.113.7") == 429
        assert status("198.51.100.4") == 200  # another client, its own limit
        assert status("198.51.100.99, 203.0.113.7") == 429  # a forged entry before the real one is not read
        assert status("203.0.113.7, 127.0.0.2") == 429  # past a second trusted proxy: the same client


def test_forwarded_for_is_ignored_without_a_trusted_proxy(wiki, tmp_path):
    with serve(wiki, tmp_path, "--rate-limit", "2") as web:
        path = "/api/audit?" + q(wiki=SITE, old=NS[0]["revid"], new=NS[1]["revid"])
        got = [web.get(path, headers={"X-Forwarded-For": f"203.0.113.{i}"})[0] for i in range(3)]
        assert got == [200, 200, 429]  # one client (the connection), whatever the header says


def test_fifty_concurrent_audits(wiki, tmp_path):
    """50 audits at once against an empty cache: every one answered, each with its own right contract."""
    pairs = [(NS[i]["revid"], NS[i + 1]["revid"]) for i in range(len(NS) - 1)]
    jobs = [(pairs[k % len(pairs)], k % 3) for k in range(49)] + [((SEED[0]["revid"], SEED[1]["revid"]), 0)]
    want = {p: expected(NS + SEED, *p, "") for p in {p for p, _ in jobs}}
    with serve(wiki, tmp_path, "--rate-limit", "0", "--memo", "0", "--workers", "4") as web:
        def one(job):
            (old, new), form = job
            query = [q(url=diff_url(old, new)), q(wiki=SITE, old=old, new=new), q(new=new)][form]
            return job, *web.get_json("/api/audit?" + query, timeout=120)

        t0 = time.monotonic()
        with ThreadPoolExecutor(50) as pool:
            answers = list(pool.map(one, jobs))
        took = time.monotonic() - t0
        assert len(answers) == 50 and took < 90
        for ((old, new), _form), status, body in answers:
            assert status == 200, body
            assert (body["old"]["revid"], body["new"]["revid"]) == (old, new)
            assert contract_without_meta(body) == want[(old, new)]
        # afterwards every revision is in the cache once, readable, with its text intact
        import sqlite3

        with sqlite3.connect(tmp_path / "cache.sqlite") as db:
            rows = dict(db.execute("SELECT revid, text FROM revisions").fetchall())
        texts = {r["revid"]: r["slots"]["main"]["content"] for r in NS + SEED}
        assert {r for p, _ in jobs for r in p} <= set(rows)
        assert all(rows[r] == texts[r] for r in rows)


# --- patrol and history -------------------------------------------------------------------------------------------

def _finding(new: int, *, title: str = "Nintendo Switch", user: str = "Bussta33", code: str = "broken-ref",
             severity: str = "error", comment: str = "copyedit", wiki: str = SITE):
    from wikidiff.patrol.findings import Finding

    return Finding(wiki=wiki, title=title, old=new - 1, new=new, user=user, timestamp="2026-12-01T12:00:00Z",
                   comment=comment, flags=[{"code": code, "severity": severity, "message": f"{code} here"}])


@pytest.fixture
def patrol_web(wiki, tmp_path):
    from wikidiff.patrol.findings import FindingsStore

    store = FindingsStore(tmp_path / "findings.sqlite")
    store.add_many([_finding(100 + i, code=("broken-ref", "tag-removed", "words-to-watch")[i % 3],
                             severity=("error", "warning", "info")[i % 3], wiki=(SITE, "de.wikipedia.org")[i % 2])
                    for i in range(6)])
    store.add(_finding(200, title=f"Hostile {SCRIPT}", user=IMG, comment=f"{SCRIPT} [javascript:x y]"))
    with serve(wiki, tmp_path, "--rate-limit", "0") as web:
        web.poll_store = store
        yield web
    store.close()


def test_findings_api_filters_newest_first(patrol_web):
    status, body = patrol_web.get_json("/api/findings")
    assert status == 200
    ids = [f["id"] for f in body["findings"]]
    assert ids == sorted(ids, reverse=True) and len(ids) == 7
    assert body["findings"][0]["user"] == IMG  # data as stored; escaping is the page's job
    status, body = patrol_web.get_json("/api/findings?" + q(wiki="de.wikipedia.org"))
    assert {f["wiki"] for f in body["findings"]} == {"de.wikipedia.org"} and len(body["findings"]) == 3
    assert all(f["links"]["audit"] is None for f in body["findings"])  # not a served wiki: no audit link
    status, body = patrol_web.get_json("/api/findings?" + q(severity="warning"))
    assert {f["severity"] for f in body["findings"]} == {"error", "warning"}
    status, body = patrol_web.get_json("/api/findings?" + q(code="tag-removed"))
    assert [f["codes"] for f in body["findings"]] == [["tag-removed"], ["tag-removed"]]
    newest = max(ids)
    status, body = patrol_web.get_json("/api/findings?" + q(after_id=newest))
    assert status == 200 and body["findings"] == [] and body["newest_id"] == newest
    status, body = patrol_web.get_json("/api/findings?" + q(limit=2))
    status, older = patrol_web.get_json("/api/findings?" + q(limit=2, before_id=body["oldest_id"]))
    assert [f["id"] for f in body["findings"] + older["findings"]] == ids[:4]
    for bad in (q(code="nope"), q(severity="fatal"), q(limit=0), q(after_id="-1"), q(before_id="x")):
        status, body = patrol_web.get_json("/api/findings?" + bad)
        assert status == 400 and body["error"]["title"] == "Bad filter", bad


def test_patrol_page_lists_findings_and_updates_live(patrol_web, browser):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    visit(browser, patrol_web.url("/patrol"))
    rows = browser.find_elements(By.CSS_SELECTOR, "#wdw-findings tbody tr")
    assert len(rows) == 7
    assert rows[0].find_elements(By.TAG_NAME, "td")[4].text == IMG  # the hostile user name, as text
    assert browser.execute_script(EXECUTED) == []
    assert errors_logged(browser) == []
    # filtered without script: the form is a plain GET
    visit(browser, patrol_web.url("/patrol?" + q(severity="error", wiki=SITE)))
    shown = [r.get_attribute("data-id") for r in browser.find_elements(By.CSS_SELECTOR, "#wdw-findings tbody tr")]
    assert len(shown) == 2
    # a new finding stored by the patrol appears on top without a reload; one outside the filter does not
    browser.execute_script("window.__marker = 1;")
    patrol_web.poll_store.add(_finding(300, severity="info", code="words-to-watch"))
    new_id = patrol_web.poll_store.add(_finding(301, title="Freshly broken"))
    WebDriverWait(browser, 20).until(
        lambda d: d.find_element(By.CSS_SELECTOR, "#wdw-findings tbody tr").get_attribute("data-id") == str(new_id))
    first = browser.find_element(By.CSS_SELECTOR, "#wdw-findings tbody tr")
    assert "Freshly broken" in first.text
    assert browser.execute_script("return window.__marker") == 1  # the same page: no reload
    ids = [r.get_attribute("data-id") for r in browser.find_elements(By.CSS_SELECTOR, "#wdw-findings tbody tr")]
    assert ids == [str(new_id), *shown]
    assert browser.execute_script(EXECUTED) == []
    assert errors_logged(browser) == []
    browser.get("about:blank")  # before the server stops


def test_history_page_with_plots(web, browser):  # noqa: F811
    from selenium.webdriver.common.by import By

    visit(browser, web.url("/history?" + q(wiki=SITE, title="Nintendo Switch")))
    _wait(browser, "#wdw-summary", 120)
    h = wikidiff.history([(r["slots"]["main"]["content"], RevisionMeta(
        revid=r["revid"], parentid=r["parentid"], user=r.get("user"), timestamp=r["timestamp"], sha1=r["sha1"]))
        for r in NS], page_title="Nintendo Switch", audit=False)
    assert browser.find_element(By.ID, "wdw-m").text == str(h.M())
    reverts = browser.find_elements(By.CSS_SELECTOR, "#wdw-reverts tbody tr")
    assert len(reverts) == len(h.reverts) > 0
    images = browser.find_elements(By.CSS_SELECTOR, "img.wdw-plot")
    assert len(images) == 3
    for img in images:
        assert img.get_attribute("src").startswith("data:image/png;base64,")
        assert browser.execute_script("return arguments[0].complete && arguments[0].naturalWidth", img) > 100
    assert errors_logged(browser) == []
    status, _h, page = web.get("/history?" + q(wiki="de.wikipedia.org", title="Nintendo Switch"))
    assert status == 403
    status, _h, page = web.get("/history?" + q(wiki=SITE, title="Nintendo Switch", since="yesterday"))
    assert status == 400 and b"not an ISO 8601 date" in page
    # from a later start: only the revisions since then are read
    since = NS[20]["timestamp"]
    visit(browser, web.url("/history?" + q(wiki=SITE, title="Nintendo Switch", since=since)))
    _wait(browser, "#wdw-summary", 120)
    assert browser.find_element(By.CSS_SELECTOR, "#wdw-summary td.num").text == str(len(NS) - 20)
