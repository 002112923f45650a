"""The HTML report in a real headless Chromium (Debian's chromium + chromedriver, driven by selenium).

Skipped with the reason when the browser is absent; WIKIDIFF_REQUIRE_BROWSER=1 (set by CI) turns that into a
failure. `.ci/install-browser` installs it. Screenshots go to the test's tmp dir.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import SAMPLES
from report_payloads import PAYLOADS, SCRIPT, hostile_audit

import wikidiff
from wikidiff.report import html as html_report
from wikidiff.report import render

SEED = SAMPLES / "azerbaijani-offensive"
CHROME_FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--hide-scrollbars", "--window-size=1400,1000"]

# what a payload that ran would have left behind: a global, a changed title, or a live handler/element
EXECUTED = """
const bad = [];
if (window.__pwned !== undefined) bad.push('window.__pwned=' + window.__pwned);
for (const el of document.querySelectorAll('*')) {
  for (const at of el.attributes) {
    if (at.name.startsWith('on')) bad.push('<' + el.tagName + ' ' + at.name + '>');
    if (/^\\s*javascript:/i.test(at.value)) bad.push('<' + el.tagName + ' ' + at.name + '=javascript:>');
  }
}
for (const el of document.querySelectorAll('img, iframe, svg, object, embed, link, base, form, input, textarea'))
  bad.push('<' + el.tagName.toLowerCase() + '>');
for (const a of document.querySelectorAll('a[href]'))
  if (!a.getAttribute('href').startsWith('#')) bad.push('link ' + a.getAttribute('href'));
return bad;
"""
SETTLE = "const done = arguments[arguments.length - 1]; setTimeout(() => done(true), 400);"


def _find(name: str, fallback: str) -> str | None:
    path = shutil.which(name) or fallback
    return path if os.path.exists(path) else None


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = _find("chromium", "/usr/bin/chromium")
    driver_path = _find("chromedriver", "/usr/bin/chromedriver")
    missing = []
    if not chromium:
        missing.append("chromium (Debian package chromium)")
    if not driver_path:
        missing.append("chromedriver (Debian package chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        missing.append("selenium (pip install selenium)")
    if missing:
        reason = f"browser test needs {', '.join(missing)}; .ci/install-browser installs the browser"
        if os.environ.get("WIKIDIFF_REQUIRE_BROWSER") == "1":
            pytest.fail(reason + " (WIKIDIFF_REQUIRE_BROWSER=1 makes this a failure)")
        pytest.skip(reason)
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROME_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(driver_path))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def load(driver, path: Path) -> None:
    driver.get(path.resolve().as_uri())
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(path.resolve().as_uri())
    driver.execute_async_script(SETTLE)


def screenshot(driver, path: Path) -> Path:
    assert driver.save_screenshot(str(path))
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000
    return path


def errors_logged(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_seed_report_in_chromium(browser, tmp_path):
    from selenium.webdriver.common.by import By

    out = tmp_path / "audit.html"
    proc = subprocess.run([sys.executable, "-m", "wikidiff", "audit", str(SEED / "old.wiki"), str(SEED / "new.wiki"),
                           "--format", "html", "-o", str(out)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    audit = wikidiff.audit((SEED / "old.wiki").read_text(encoding="utf-8"),
                           (SEED / "new.wiki").read_text(encoding="utf-8"))
    load(browser, out)
    assert browser.title == "wikidiff audit: old.wiki → new.wiki"
    assert errors_logged(browser) == []  # a CSP refusal of the page's own style or script would be logged here
    assert browser.execute_script(EXECUTED) == []
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    # the inline style and the script both ran under the page's Content-Security-Policy
    root = browser.find_element(By.CSS_SELECTOR, ".wikidiff-report")
    assert "wd-js" in root.get_attribute("class").split()
    assert len(browser.find_elements(By.CSS_SELECTOR, ".wd-tools button")) == 4
    first_flag = browser.find_element(By.CSS_SELECTOR, "li.wd-flag")
    assert first_flag.value_of_css_property("border-left-width") == "4px"

    items = browser.find_elements(By.CSS_SELECTOR, "li.wd-flag")
    assert len(items) == len(audit.flags)
    listed = "\n".join(i.text for i in items)
    for f in audit.flags:
        if f.code == "broken-ref":
            assert f'"{f.fields["name"]}"' in listed
    pins = browser.find_elements(By.CSS_SELECTOR, ".wd-cell.new ins a.wd-pin.error")
    assert len(pins) == sum(1 for f in audit.flags if f.code == "broken-ref")
    screenshot(browser, tmp_path / "seed-top.png")

    # collapse the section holding the broken refs, then follow a flag's "show in diff": the section opens again
    section = browser.find_element(By.CSS_SELECTOR, "details.wd-change:last-of-type")
    section.find_element(By.TAG_NAME, "summary").click()
    assert section.get_attribute("open") is None
    pin = pins[0]
    assert not pin.is_displayed()
    flag_id = pin.get_attribute("href").rsplit("#", 1)[1]
    link = browser.find_element(By.CSS_SELECTOR, f"#{flag_id} a[href='#{pin.get_attribute('id')}']")
    link.click()
    assert section.get_attribute("open") is not None
    assert pin.is_displayed()
    assert browser.execute_script("const r = arguments[0].getBoundingClientRect(); "
                                  "return r.top >= 0 && r.bottom <= innerHeight;", pin)
    screenshot(browser, tmp_path / "seed-diff.png")

    # folded unchanged context opens on a click and shows its lines
    fold = browser.find_element(By.CSS_SELECTOR, "details.wd-fold")
    hidden = fold.find_element(By.CSS_SELECTOR, ".wd-row")
    assert not hidden.is_displayed()
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", fold)
    fold.find_element(By.TAG_NAME, "summary").click()
    assert hidden.is_displayed()
    assert errors_logged(browser) == []


def test_hostile_revisions_run_no_script(browser, tmp_path):
    from selenium.webdriver.common.by import By

    audit = hostile_audit()
    page = tmp_path / "hostile.html"
    page.write_text(render(audit, "html"), encoding="utf-8")
    load(browser, page)
    assert browser.execute_script(EXECUTED) == []
    assert browser.title == f"wikidiff audit: Hostile {SCRIPT}"
    assert browser.execute_script("return document.scripts.length") == 1
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0
    text = browser.find_element(By.CSS_SELECTOR, ".wikidiff-report").get_attribute("textContent")
    assert SCRIPT in text and "onerror=" in text
    # every flag is still listed, with its hostile text shown as text
    assert len(browser.find_elements(By.CSS_SELECTOR, "li.wd-flag")) == len(audit.flags)
    screenshot(browser, tmp_path / "hostile.png")


def test_notebook_fragment_runs_no_script_without_a_policy(browser, tmp_path):
    """The fragment has no CSP of its own (a notebook shows it inside its page): escaping alone must hold."""
    audit = hostile_audit()
    fragment = html_report.fragment(audit)
    page = tmp_path / "notebook.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><title>notebook</title></head><body>"
                    f"{fragment}</body></html>", encoding="utf-8")
    load(browser, page)
    assert browser.execute_script(EXECUTED) == []
    assert browser.title == "notebook"
    # as a notebook front end does: insert the HTML into a live page
    browser.execute_script("document.body.insertAdjacentHTML('beforeend', arguments[0]);", fragment)
    browser.execute_async_script(SETTLE)
    assert browser.execute_script(EXECUTED) == []
    assert browser.title == "notebook"


def test_payloads_do_run_when_left_unescaped(browser, tmp_path):
    """The detector itself: the same payloads written raw into a page do run, so the tests above can fail."""
    page = tmp_path / "raw.html"
    page.write_text("<!DOCTYPE html><html><head><meta charset='utf-8'><title>raw</title></head><body><p>"
                    + " ".join(PAYLOADS) + "</p></body></html>", encoding="utf-8")
    load(browser, page)
    found = browser.execute_script(EXECUTED)
    assert any(f.startswith("window.__pwned=") for f in found)
    assert any(" onerror>" in f for f in found)
    assert browser.title == "PWNED"


def test_j_and_k_step_through_flags_errors_first(browser, tmp_path):
    """j walks the flags in the Flags section's order (errors, warnings, info), each at its pin where a diff shows
    it; k walks back."""
    from selenium.webdriver.common.action_chains import ActionChains

    audit = wikidiff.audit((SEED / "old.wiki").read_text(encoding="utf-8"),
                           (SEED / "new.wiki").read_text(encoding="utf-8"))
    out = tmp_path / "audit.html"
    out.write_text(render(audit, "html"), encoding="utf-8")
    load(browser, out)
    flashed = "return [...document.querySelectorAll('.wd-flash')].map(e => e.id)"
    ranks = {"error": 0, "warning": 1, "info": 2}
    expected = sorted(range(1, len(audit.flags) + 1), key=lambda n: (ranks[audit.flags[n - 1].severity], n))
    seen = []
    body = browser.find_element("css selector", "body")
    for _ in range(len(expected)):
        ActionChains(browser).send_keys_to_element(body, "j").perform()
        ids = browser.execute_script(flashed)
        browser.execute_script("document.querySelectorAll('.wd-flash').forEach(e => e.classList.remove('wd-flash'))")
        assert len(ids) == 1, ids
        seen.append(ids[0])
    numbers = [int(i.rsplit("-", 1)[1]) for i in seen]
    assert numbers == expected
    severities = [audit.flags[n - 1].severity for n in numbers]
    assert severities == sorted(severities, key=ranks.__getitem__) and severities[0] == "error"
    assert any("-spot-" in i for i in seen)  # flags shown in a diff are visited at their pin
    ActionChains(browser).send_keys_to_element(body, "k").perform()
    assert browser.execute_script(flashed) == [seen[-2]]
    assert errors_logged(browser) == []


def test_verified_report_shows_its_badges_in_chromium(browser, tmp_path):
    """`--verify` against the API stand-in, the HTML report in Chromium: each checked flag carries its badge and
    the summary says how the page was checked."""
    from mwapi_server import MediaWikiStandIn
    from selenium.webdriver.common.by import By

    from wikidiff.cli import main

    out = tmp_path / "verified.html"
    with MediaWikiStandIn() as wiki:
        code = main(["audit", "https://en.wikipedia.org/w/index.php?diff=900000302&oldid=900000301", "--verify",
                     "--quiet", "--format", "html", "-o", str(out), "--api-url", wiki.api_url, "--cache",
                     str(tmp_path / "cache.sqlite")])
    assert code == 0
    load(browser, out)
    assert errors_logged(browser) == []
    # fetched revisions link to the diff, both revisions, the page and the editors: https on their own wiki only
    own_wiki = "link https://en.wikipedia.org/"
    bad = browser.execute_script(EXECUTED)
    assert [b for b in bad if not b.startswith(own_wiki)] == [] and any(b.startswith(own_wiki) for b in bad)
    badges = {b.text: b for b in browser.find_elements(By.CSS_SELECTOR, "li.wd-flag .wd-badge")}
    assert set(badges) == {"verified on the rendered page", "not an error on the rendered page",
                           "seen only on the rendered page"}
    assert all(b.is_displayed() for b in badges.values())
    assert badges["verified on the rendered page"].value_of_css_property("border-top-style") == "solid"
    assert badges["not an error on the rendered page"].value_of_css_property("border-top-style") == "dashed"
    assert badges["verified on the rendered page"].get_attribute("title") == \
        "action=parse (legacy parser HTML, uselang=qqx)"
    summary = browser.find_element(By.CSS_SELECTOR, ".wd-verification").text
    assert summary.startswith("Checked against revision 900000302 as rendered by the wiki, revision 900000301")
    ghost = browser.find_element(By.XPATH, "//li[contains(@class,'wd-flag')][.//span[contains(., '\"ghost\"')]]")
    assert "seen only on the rendered page" in ghost.text
    screenshot(browser, tmp_path / "verified.png")
