"""The patrol engine against loopback stand-ins: a real SSE server (tests/sse_server.py) replaying recorded-shape
`recentchange` events, and the MediaWiki API stand-in (tests/mwapi_server.py) for the revisions.

Expectations are worked out here from the event file and the API fixtures (plain JSON reading and
`wikidiff.audit` on the fixture texts), not copied from a run of the patrol.
"""

from __future__ import annotations

import json

import pytest
from mwapi_server import FIXTURES, MediaWikiStandIn
from sse_server import StreamStandIn, event_id, load_events, offset_of

import wikidiff
from wikidiff.codes import SEVERITY_RANK
from wikidiff.errors import FetchError, InputError
from wikidiff.patrol.engine import watch
from wikidiff.patrol.events import EditFilter, MalformedEvent, parse_event
from wikidiff.patrol.findings import FindingsStore
from wikidiff.sources.cache import RevisionCache

EN = "en.wikipedia.org"
EVENTS = load_events()
PAGES = [json.loads(p.read_text("utf-8")) for p in sorted((FIXTURES / "pages").glob("*.json"))]
TEXT = {r["revid"]: r["slots"]["main"].get("content") for p in PAGES for r in p["revisions"]}


def decoded() -> list[tuple[int, dict | None]]:
    out = []
    for i, line in enumerate(EVENTS):
        try:
            ev = json.loads(line)
        except ValueError:
            ev = None
        out.append((i, ev if isinstance(ev, dict) else None))
    return out


def expected_edits(*, bots: bool = True, since: str | None = None) -> list[int]:
    """New revids of the en.wikipedia.org article edits in the stream, in stream order."""
    out = []
    for _, ev in decoded():
        if ev is None or ev.get("type") != "edit" or ev["meta"]["domain"] == "canary":
            continue
        if ev.get("server_name") != EN or ev.get("namespace") != 0 or "revision" not in ev:
            continue
        if (not bots and ev["bot"]) or (since and ev["meta"]["dt"] < since):
            continue
        out.append(ev["revision"]["new"])
    return out


def old_of(new: int) -> int:
    return next(ev["revision"]["old"] for _, ev in decoded() if ev and ev.get("revision", {}).get("new") == new)


def fetchable(new: int) -> bool:
    return TEXT.get(old_of(new)) is not None and TEXT.get(new) is not None


def expected_findings(min_severity: str, codes: set[str] | None = None, **kw) -> dict[int, list[str]]:
    out = {}
    for new in expected_edits(**kw):
        if not fetchable(new):
            continue
        flags = wikidiff.audit(TEXT[old_of(new)], TEXT[new]).flags
        kept = [f.code for f in flags if SEVERITY_RANK[f.severity] >= SEVERITY_RANK[min_severity]
                and (codes is None or f.code in codes)]
        if kept:
            out[new] = list(dict.fromkeys(kept))
    return out


@pytest.fixture
def wiki():
    with MediaWikiStandIn() as server:
        yield server


def run(stream, wiki, tmp_path, **kw):
    seen: list[tuple[int, str]] = []
    notes: list[str] = []
    opts = {"stream_url": stream.url, "api_url": wiki.api_url, "cache": RevisionCache(tmp_path / "cache.sqlite"),
            "retry_wait": 0.01, "max_retry_wait": 0.05, "notify": notes.append,
            "observe": lambda edit, status: seen.append((edit.new, status))}
    opts.update(kw)
    patrol = watch(**opts)
    findings = list(patrol)
    opts["cache"].close()
    return patrol, findings, seen, notes


def test_fixture_events_have_the_real_field_names():
    ev = next(ev for _, ev in decoded() if ev and ev["type"] == "edit")
    assert {"$schema", "meta", "id", "type", "namespace", "title", "title_url", "comment", "timestamp", "user",
            "bot", "minor", "patrolled", "server_name", "server_url", "server_script_path", "wiki", "parsedcomment",
            "length", "revision"} <= set(ev)
    assert {"domain", "dt", "id", "uri", "request_id", "stream", "topic", "partition", "offset"} <= set(ev["meta"])
    kinds = {(ev["type"], ev["meta"]["domain"] == "canary") for _, ev in decoded() if ev}
    assert {("edit", False), ("edit", True), ("log", False), ("categorize", False), ("new", False)} <= kinds
    assert sum(ev is None for _, ev in decoded()) == 2  # invalid JSON, and a list


def test_filter_keeps_article_edits_of_the_asked_wikis():
    f = EditFilter([EN], [0])
    kept, malformed = [], 0
    for i, line in enumerate(EVENTS):
        try:
            edit = f.edit(parse_event(line), event_id(i))
        except MalformedEvent:
            malformed += 1
            continue
        if edit is not None:
            kept.append(edit)
    assert [e.new for e in kept] == expected_edits()
    assert malformed == 3
    assert f.counts["canary"] == sum(1 for _, ev in decoded() if ev and ev["meta"]["domain"] == "canary")
    assert f.counts["other-wiki"] == sum(1 for _, ev in decoded() if ev and ev.get("type") == "edit"
                                         and ev["meta"]["domain"] != "canary" and ev["server_name"] != EN)
    first = kept[0]
    raw = json.loads(EVENTS[0])
    assert (first.title, first.old, first.new, first.user, first.comment) == (
        raw["title"], raw["revision"]["old"], raw["revision"]["new"], raw["user"], raw["comment"])
    assert first.timestamp == raw["meta"]["dt"] and offset_of(first.event_id) == 0
    assert f.edit(json.loads(EVENTS[0])) is None and f.counts["duplicate"] == 1  # seen before
    bots = EditFilter([EN], [0], exclude_bots=True)
    wellformed = [ev for _, ev in decoded() if ev and (ev.get("type") != "edit" or "revision" in ev)]
    assert [e.new for e in map(bots.edit, wellformed) if e] == expected_edits(bots=False)
    assert bots.counts["bot"] == 1
    every = EditFilter([EN], None)
    talk = [json.loads(x) for x in EVENTS if '"namespace": 1,' in x]
    assert talk and all(every.edit(ev) is not None for ev in talk)


def test_malformed_events_say_why():
    with pytest.raises(MalformedEvent, match="not JSON"):
        parse_event('{"type": "edit"')
    with pytest.raises(MalformedEvent, match="not a JSON object"):
        parse_event("[1]")
    ev = json.loads(EVENTS[0])
    for broken, why in [({"revision": {"old": 1, "new": "2"}}, "not positive numbers"),
                        ({"namespace": "0"}, "namespace"), ({"title": ""}, "title"), ({"server_name": None}, "server")]:
        with pytest.raises(MalformedEvent, match=why):
            EditFilter(None, None).edit({**ev, **broken})


def test_patrol_audits_every_edit_once_and_finds_what_audit_finds(wiki, tmp_path):
    with StreamStandIn() as stream:
        total = sum(fetchable(n) for n in expected_edits())
        patrol, findings, seen, notes = run(stream, wiki, tmp_path, min_severity="info", limit=total,
                                            store=tmp_path / "f.sqlite")
    assert [n for n, status in seen if status == "audited"] == [n for n in expected_edits() if fetchable(n)]
    assert [n for n, status in seen if status == "unfetchable"] == [n for n in expected_edits() if not fetchable(n)]
    assert {f.new: f.codes for f in findings} == expected_findings("info")
    assert len(findings) == len({f.new for f in findings})
    assert patrol.stats.audited == total and patrol.stats.malformed == 3 and patrol.stats.findings == len(findings)
    assert sum("malformed" in n for n in notes) == 3 and any("hidden" in n for n in notes)
    anwar = next(f for f in findings if f.title == "Anwar Kamal Khan")
    assert anwar.severity == "error" and anwar.codes == ["broken-ref"] and anwar.flags[0]["name"] == "DAWN"
    assert anwar.diff_url == "https://en.wikipedia.org/w/index.php?diff=900000402&oldid=900000401"
    assert (anwar.user, anwar.timestamp, anwar.comment) == ("Example trimmer", "2026-12-01T14:00:05Z", "trim lead")
    # batched: several revisions per request, never one request per revision
    asked = [len(r.params["revids"].split("|")) for r in wiki.requests if "revids" in r.params]
    assert max(asked) > 2 and sum(asked) <= 2 * (len(expected_edits()) + 1)
    assert all("wikidiff" in r.headers["User-Agent"] for r in wiki.requests)
    assert "wikidiff" in stream.requests[0]["headers"]["User-Agent"]
    with FindingsStore(tmp_path / "f.sqlite") as store:
        rows = store.query(limit=None)
        assert [r["new"] for r in rows] == [f.new for f in reversed(findings)]
        last = max(i for i, ev in decoded() if ev and ev.get("revision", {}).get("new") == seen[-1][0])
        assert offset_of(store.last_event_id()) == last  # the last edit handled


def test_threshold_and_codes(wiki, tmp_path):
    total = sum(fetchable(n) for n in expected_edits())
    with StreamStandIn() as stream:
        _, errors, _, _ = run(stream, wiki, tmp_path, min_severity="error", limit=total)
    assert {f.new: f.codes for f in errors} == expected_findings("error")
    assert all(fl["severity"] == "error" for f in errors for fl in f.flags)
    with StreamStandIn() as stream:
        _, tags, _, _ = run(stream, wiki, tmp_path, min_severity="info", codes=["tag-added"], limit=total)
    assert {f.new: f.codes for f in tags} == expected_findings("info", {"tag-added"})
    with pytest.raises(InputError, match="unknown flag code no-such-code"):
        watch(codes=["no-such-code"])
    with pytest.raises(InputError, match="unknown severity"):
        watch(min_severity="fatal")


def test_exclude_bots(wiki, tmp_path):
    with StreamStandIn() as stream:
        patrol, findings, seen, _ = run(stream, wiki, tmp_path, exclude_bots=True,
                                        limit=sum(fetchable(n) for n in expected_edits(bots=False)))
    assert [n for n, _ in seen] == expected_edits(bots=False)
    assert patrol.stats.left["bot"] == 1
    assert {f.new: f.codes for f in findings} == expected_findings("warning", bots=False)


def test_dropped_connections_resume_with_last_event_id(wiki, tmp_path):
    total = sum(fetchable(n) for n in expected_edits())
    faults = [("drop", 7), ("drop", 11), ("status", 503), ("status", 429), None]
    with StreamStandIn(faults=faults) as stream:
        patrol, findings, seen, notes = run(stream, wiki, tmp_path, min_severity="info", limit=total)
        requests = stream.requests
    assert [n for n, _ in seen] == expected_edits()  # nothing lost, nothing twice, in order
    assert {f.new: f.codes for f in findings} == expected_findings("info")
    assert len(requests) == 5
    assert "Last-Event-ID" not in requests[0]["headers"] and "Last-Event-Id" not in requests[0]["headers"]
    ids = [r["headers"].get("Last-Event-Id") for r in requests[1:]]
    assert offset_of(ids[0]) == 6  # the last whole event of the first connection (the 8th was cut in half)
    assert offset_of(ids[1]) == 6 + 11 and offset_of(ids[2]) == offset_of(ids[3]) == offset_of(ids[1])
    assert patrol.stats.reconnects == 2
    assert sum("reconnecting" in n for n in notes) == 4 and any("HTTP 503" in n for n in notes)


def test_since_starts_at_a_time(wiki, tmp_path):
    since = "2023-01-01T00:00:00Z"
    with StreamStandIn() as stream:
        _, findings, seen, _ = run(stream, wiki, tmp_path, since="2023-01-01",
                                   limit=sum(fetchable(n) for n in expected_edits(since=since)))
        first = stream.requests[0]
    assert first["query"] == {"since": since}
    assert [n for n, _ in seen] == expected_edits(since=since)
    assert {f.new: f.codes for f in findings} == expected_findings("warning", since=since)


def test_resume_from_the_store_continues_where_it_stopped(wiki, tmp_path):
    store = tmp_path / "f.sqlite"
    edits = expected_edits()
    with StreamStandIn() as stream:
        url = stream.url
        _, first, seen1, _ = run(stream, wiki, tmp_path, store=store, limit=10, min_severity="info")
        with FindingsStore(store) as s:
            position = s.last_event_id()
        audited2 = sum(fetchable(n) for n in edits) - 10
        _, second, seen2, _ = run(stream, wiki, tmp_path, store=store, resume=True, limit=audited2,
                                  min_severity="info")
        assert stream.requests[-1]["headers"]["Last-Event-Id"] == position
    handled = [n for n, _ in seen1 + seen2]
    assert handled == edits
    assert {f.new: f.codes for f in first + second} == expected_findings("info")
    with FindingsStore(store) as s:
        assert s.count() == len(first) + len(second)
        assert s.state("stream_url") == url
    with pytest.raises(InputError, match="holds a position in"):
        watch(store=store, resume=True, stream_url="http://127.0.0.1:9/other")
    with pytest.raises(InputError, match="nothing to resume"):
        watch(store=tmp_path / "empty.sqlite", resume=True)
    with pytest.raises(InputError, match="not both"):
        watch(store=store, resume=True, since="2020-01-01")


def test_a_full_queue_skips_the_oldest_and_says_so(wiki, tmp_path):
    import threading
    import time

    def slow(edit, status):
        time.sleep(0.03)  # an audit slower than the stream

    notes: list[str] = []
    with StreamStandIn(pace=0.002) as stream:
        patrol = watch(stream_url=stream.url, api_url=wiki.api_url, queue_size=2, batch_size=1,
                       skip_when_behind=True, lag_notice=0.0, notify=notes.append, observe=slow,
                       cache=tmp_path / "cache.sqlite")

        def stop_when_all_handled() -> None:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                s = patrol.stats
                if stream.sent == len(EVENTS) and s.audited + s.unfetchable + patrol.backlog.skipped == \
                        len(expected_edits()):
                    break
                time.sleep(0.01)
            patrol.stop()

        threading.Thread(target=stop_when_all_handled, daemon=True).start()
        list(patrol)
    assert patrol.stats.skipped > 0
    assert patrol.stats.audited + patrol.stats.unfetchable + patrol.stats.skipped == len(expected_edits())
    assert any("behind the stream by" in n and "skipped so far" in n for n in notes)


def test_stream_errors_are_one_line(wiki, tmp_path):
    for fault, message in [(("status", 404), "answered HTTP 404"),
                           (("wrong-type", 0), "did not answer with an event stream")]:
        with StreamStandIn(faults=[fault]) as stream, pytest.raises(FetchError, match=message):
            list(watch(stream_url=stream.url, api_url=wiki.api_url))
    with pytest.raises(InputError, match="stream URL"):
        watch(stream_url="ftp://example.org/stream")
    with pytest.raises(InputError, match="one wiki"):
        watch(wikis=[EN, "de.wikipedia.org"], api_url=wiki.api_url)
    with pytest.raises(InputError, match="ISO 8601"):
        watch(since="yesterday")


def test_verify_checks_reported_edits_on_the_rendered_page(wiki, tmp_path):
    total = sum(fetchable(n) for n in expected_edits())
    with StreamStandIn() as stream:
        _, findings, _, _ = run(stream, wiki, tmp_path, min_severity="info", limit=total, verify=True)
    parsed = {int(r.params["oldid"]) for r in wiki.requests if r.params.get("action") == "parse"}
    assert parsed and parsed <= {n for n in expected_findings("info")} | {old_of(n) for n in expected_findings("info")}
    kestrel = next(f for f in findings if f.title == "Kestrel Tower")
    refs = [f for f in kestrel.flags if f["code"] == "broken-ref"]
    assert {f["verified"] for f in refs} == {True, False}
    assert all(f["severity"] == "info" for f in refs if f["verified"] is False)
    assert any(f["source"] == "rendered" for f in kestrel.flags)
    with StreamStandIn() as stream:  # at warning, the broken ref the rendered page does not show is left out
        _, warned, _, _ = run(stream, wiki, tmp_path, limit=total, verify=True)
    kestrel = next(f for f in warned if f.title == "Kestrel Tower")
    assert all(f["verified"] is not False for f in kestrel.flags if f["code"] == "broken-ref")
