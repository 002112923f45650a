"""The web app's audit options: `verify=1` checks the Cite flags against the wiki's rendering, `restored=1` sets
apart text the edit restored from the page's earlier revisions, as `wikidiff audit --verify/--restored` do. A real
server process, the loopback MediaWiki stand-in, and Chromium for the form."""

from __future__ import annotations

import hashlib
import json
import shutil
from urllib.parse import quote, urlencode

import pytest
from mwapi_server import FIXTURES, MediaWikiStandIn
from test_browser import browser  # noqa: F401  (the Chromium fixture)
from test_web import visit
from web_server import WebServer

SITE = "en.wikipedia.org"
VERIFY_OLD, VERIFY_NEW = 900000301, 900000302  # the verify sample: refs a template defines, errors only rendered
LEAD = "'''Kestrel Falls''' is a waterfall.<ref>Atlas, p. 3.</ref>\n\n== History ==\n"
CLAIM = "The falls were a sacred site and the most famous landmark of the whole region for many centuries.\n"
TEXTS = [LEAD + CLAIM, LEAD, LEAD + CLAIM]  # the claim removed, then put back (a revert)
FIRST = 900000501


def _revision(revid: int, parentid: int, text: str) -> dict:
    return {"revid": revid, "parentid": parentid, "minor": False, "user": f"Editor {revid % 10}",
            "timestamp": f"2024-01-0{revid % 10 + 1}T00:00:00Z", "size": len(text.encode("utf-8")),
            "sha1": hashlib.sha1(text.encode("utf-8")).hexdigest(), "comment": "",
            "slots": {"main": {"contentmodel": "wikitext", "contentformat": "text/x-wiki", "content": text}}}


@pytest.fixture(scope="module")
def wiki(tmp_path_factory):
    folder = tmp_path_factory.mktemp("api")
    shutil.copytree(FIXTURES, folder, dirs_exist_ok=True)
    revisions = [_revision(FIRST + i, FIRST + i - 1 if i else 0, t) for i, t in enumerate(TEXTS)]
    page = {"pageid": 900050, "ns": 0, "title": "Kestrel Falls", "revisions": revisions}
    (folder / "pages" / "kestrel-falls.json").write_text(json.dumps(page), encoding="utf-8")
    with MediaWikiStandIn(folder) as server:
        yield server


@pytest.fixture(scope="module")
def web(wiki, tmp_path_factory):
    folder = tmp_path_factory.mktemp("web")
    with WebServer(["--api-url", wiki.api_url, "--cache", str(folder / "cache.sqlite"), "--rate-limit", "0"],
                   folder) as server:
        yield server


def _audit(web, **params: object) -> dict:
    status, body = web.get_json("/api/audit?" + urlencode({k: str(v) for k, v in params.items()}, quote_via=quote))
    assert status == 200, body
    return body


def test_verify_checks_the_flags_against_the_rendering(web, wiki):
    plain = _audit(web, wiki=SITE, old=VERIFY_OLD, new=VERIFY_NEW)
    assert plain["verification"] is None
    assert not any(r.params.get("action") == "parse" for r in wiki.requests)
    verified = _audit(web, wiki=SITE, old=VERIFY_OLD, new=VERIFY_NEW, verify=1)
    assert verified["verification"]["parser"] == "legacy"
    broken = [f for f in verified["flags"] if f["code"] == "broken-ref"]
    assert broken and all("verified" in f for f in broken)
    assert any(f.get("source") == "rendered" for f in verified["flags"])  # errors only the rendering shows


def test_restored_sets_apart_text_a_revert_put_back(web):
    old, new = FIRST + 1, FIRST + 2
    plain = _audit(web, wiki=SITE, old=old, new=new)
    assert [f["code"] for f in plain["flags"]] == ["unsourced-text"] and "restored" not in plain["flags"][0]
    assert plain["summary"]["restored"] == 0
    marked = _audit(web, wiki=SITE, old=old, new=new, restored="on")
    assert [(f["code"], f["restored"]) for f in marked["flags"]] == [("unsourced-text", True)]  # kept, marked
    assert marked["summary"]["restored"] == 1 and marked["summary"]["infos"] == 0  # and out of the counts


@pytest.mark.parametrize("value", ["maybe", "2", "<script>"])
def test_an_option_that_is_neither_yes_nor_no_is_refused(web, value):
    status, body = web.get_json("/api/audit?" + urlencode({"wiki": SITE, "new": FIRST + 2, "verify": value}))
    assert status == 400 and body["error"]["title"] == "Not an option value"


def test_the_form_asks_for_the_options_and_the_next_edits_keep_them(web, browser):  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    visit(browser, web.url("/"))
    browser.find_element(By.ID, "old").send_keys(str(FIRST + 1))
    browser.find_element(By.ID, "new").send_keys(str(FIRST + 2))
    boxes = browser.find_elements(By.CSS_SELECTOR, "input[type=checkbox][name=restored]")
    boxes[-1].click()  # the revision-id form's own box
    browser.find_element(By.ID, "new").submit()
    WebDriverWait(browser, 60).until(ec.presence_of_element_located((By.CSS_SELECTOR, ".wikidiff-report")))
    assert "restored=1" in browser.current_url
    assert browser.find_elements(By.CSS_SELECTOR, "li.wd-flag") == []  # the restored claim is not listed
    nav = browser.find_element(By.CSS_SELECTOR, "nav.wdw-auditbar")
    prev = next(a.get_attribute("href") for a in nav.find_elements(By.TAG_NAME, "a") if "previous" in a.text)
    assert "restored=1" in prev and "verify" not in prev
