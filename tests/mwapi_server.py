"""A MediaWiki API stand-in for tests: real HTTP on 127.0.0.1, answers built from recorded API JSON.

`tests/fixtures/api/pages/*.json` hold pages exactly as `action=query&prop=revisions&rvslots=main&formatversion=2`
returns them (every revision, oldest first, with all properties; revision-deleted ones as an anonymous reader sees
them); `errors.json` holds recorded error bodies. From these the server answers the three ways prop=revisions is
used: revids=A|B (with `badrevids` for unknown ids and `rvcontinue` when more revisions with content were asked than
`content_budget` allows in one answer), titles/pageids alone (the latest revision), and one page with
rvlimit/rvdir/rvstartid/rvstart/rvcontinue (enumeration with `continue`). Only the rvprop values asked for are sent.

`action=parse&oldid=N&prop=text&formatversion=2` answers `{"parse": {"title", "pageid", "revid", "text"}}` with the
rendering recorded in `fixtures/api/parse/N.legacy.html` (the legacy parser's HTML, rendered with uselang=qqx) or,
when `parsoid=1` is asked and `N.parsoid.html` exists, Parsoid's HTML; `parsoid=1` without a Parsoid recording gets
the legacy HTML and the warning an older MediaWiki gives for a parameter it does not know. `N.error.json` holds a
recorded error answer for that revision (a parse that failed on the server). A revision without a recording is
rendered as a wiki without Cite or templates would show it (its wikitext escaped, in one paragraph); a revision
whose text is hidden gets `permissiondenied`, an unknown one `nosuchrevid`.

Faults for the next matching requests are queued with `add_fault`: an HTTP status (503, 429, with or without
Retry-After), a maxlag answer (HTTP 200 with X-Database-Lag and Retry-After headers and the recorded error body;
retry_after="" leaves the header out), a body cut short (Content-Length says more than is sent), a slow answer,
and what a broken or hostile server sends: "raw" (any status, body and headers), "mutate" (the real answer passed
through a function first), "gzip" (a body sent with Content-Encoding: gzip, e.g. a compression bomb), "trickle"
(headers, then one byte every `delay` seconds, forever) and "redirect" (302 to `location`). Every request is
logged in `requests` (method, params, headers), and `max_in_flight` records the most requests ever handled at once.
"""

from __future__ import annotations

import html
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "api"
API_PATH = "/w/api.php"
ENUM_PARAMS = ("rvlimit", "rvstartid", "rvendid", "rvstart", "rvend", "rvdir", "rvcontinue")
ANON = {"id": 0, "name": "127.0.0.1", "anon": True}
#: redirects per prop=redirects answer (small, so that tests follow `continue` as with rdlimit=max on a big wiki)
REDIRECTS_PER_ANSWER = 3


@dataclass
class Fault:
    """One injected failure. kind: "status", "maxlag", "truncate" or "slow"."""

    kind: str
    status: int = 503
    retry_after: str | None = None
    lag: int = 7
    delay: float = 0.0
    when: Callable[[dict[str, str]], bool] | None = None
    body: bytes = b""
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    mutate: Callable[[dict], Any] | None = None
    location: str = ""


@dataclass
class LoggedRequest:
    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]
    fault: str | None = None
    started: float = field(default_factory=time.monotonic)


class MediaWikiStandIn:
    """Start with `with MediaWikiStandIn() as wiki:`; point clients at `wiki.api_url`."""

    def __init__(self, fixtures: Path = FIXTURES, *, content_budget: int = 50, host: str = "127.0.0.1") -> None:
        self.host = host
        self.fixtures = fixtures
        self.pages: list[dict] = []
        for path in sorted((fixtures / "pages").glob("*.json")):
            self.pages.append(json.loads(path.read_text(encoding="utf-8")))
        self.errors: dict[str, dict] = json.loads((fixtures / "errors.json").read_text(encoding="utf-8"))
        self.error_page = (fixtures / "503.html").read_bytes()
        # a fixtures folder of a test's own may leave these out: the recorded ones are used then
        self.siteinfo: dict = json.loads(_own_or_default(fixtures, "siteinfo.json").read_text(encoding="utf-8"))
        self.redirects: dict[str, list[str]] = json.loads(
            _own_or_default(fixtures, "redirects.json").read_text(encoding="utf-8"))
        self.revs: dict[int, tuple[dict, dict]] = {}
        for page in self.pages:
            for rev in page["revisions"]:
                self.revs[rev["revid"]] = (page, rev)
        self.content_budget = content_budget
        self.requests: list[LoggedRequest] = []
        self.faults: deque[Fault] = deque()
        self.in_flight = 0
        self.max_in_flight = 0
        self._lock = threading.Lock()
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle
    def start(self) -> MediaWikiStandIn:
        standin = self

        class Handler(_Handler):
            server_side = standin

        self._httpd = ThreadingHTTPServer((self.host, 0), Handler)
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> MediaWikiStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._httpd is not None, "start() the server first"
        return self._httpd.server_address[1]

    @property
    def api_url(self) -> str:
        return f"http://{self.host}:{self.port}{API_PATH}"

    # test hooks
    def add_fault(self, kind: str, **kwargs: Any) -> None:
        self.faults.append(Fault(kind, **kwargs))

    def take_fault(self, params: dict[str, str]) -> Fault | None:
        with self._lock:
            for fault in list(self.faults):
                if fault.when is None or fault.when(params):
                    self.faults.remove(fault)
                    return fault
        return None

    def log(self, entry: LoggedRequest) -> None:
        with self._lock:
            self.requests.append(entry)
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def done(self) -> None:
        with self._lock:
            self.in_flight -= 1

    # answers
    def error(self, code: str, **fmt: Any) -> dict:
        body = json.loads(json.dumps(self.errors[code]))
        body["error"]["info"] = body["error"]["info"].format(**fmt)
        return body

    def answer(self, params: dict[str, str]) -> dict:
        """The JSON the API gives for these parameters."""
        action = params.get("action")
        if action == "parse":
            try:
                return self._parse(params)
            except _ApiError as exc:
                return self.error(exc.code, **exc.fmt)
        if action != "query":
            return self.error("badvalue", value=action or "")
        if params.get("format") != "json":
            return self.error("badvalue", value=params.get("format", ""))
        query: dict[str, Any] = {}
        result: dict[str, Any] = {}
        if params.get("prop") == "revisions":
            try:
                self._revisions(params, query, result)
            except _ApiError as exc:
                return self.error(exc.code, **exc.fmt)
        elif params.get("prop") == "redirects":
            self._redirects(params, query, result)
        elif params.get("prop"):
            return self.error("badvalue", value=params["prop"])
        if "siteinfo" in params.get("meta", "").split("|"):
            wanted = params.get("siprop", "general").split("|")
            query.update({k: v for k, v in self.siteinfo["query"].items() if k in wanted})
        if "userinfo" in params.get("meta", "").split("|"):
            query["userinfo"] = dict(ANON)
        if "continue" not in result:
            result = {"batchcomplete": True, **result}
        result["query"] = query
        return result

    def _redirects(self, p: dict[str, str], query: dict, result: dict) -> None:
        """prop=redirects for `titles` (formatversion 2), from fixtures/api/redirects.json; `rdlimit` and
        `rdcontinue` page through a title's redirects ("PAGEINDEX|OFFSET")."""
        titles = [t for t in p.get("titles", "").split("|") if t]
        limit = REDIRECTS_PER_ANSWER if p.get("rdlimit", "max") == "max" else int(p["rdlimit"])
        start_page, start_at = (int(x) for x in p.get("rdcontinue", "0|0").split("|"))
        pages, left = [], limit
        for i, title in enumerate(titles):
            page: dict[str, Any] = {"ns": 10, "title": title}
            known = self.redirects.get(title)
            if known is None:
                page["missing"] = True
            elif i >= start_page and left > 0:
                at = start_at if i == start_page else 0
                chunk = known[at:at + left]
                if chunk:
                    page["redirects"] = [{"ns": 10, "title": r} for r in chunk]
                left -= len(chunk)
                if at + len(chunk) < len(known):
                    result["continue"] = {"rdcontinue": f"{i}|{at + len(chunk)}", "continue": "||"}
                    left = 0
            pages.append(page)
        query["pages"] = pages

    def _revisions(self, p: dict[str, str], query: dict, result: dict) -> None:
        props = set(p.get("rvprop", "ids|timestamp|flags|comment|user").split("|"))
        slots = p.get("rvslots")
        if slots is not None and slots not in ("main", "*"):
            raise _ApiError("badvalue", value=slots)
        content = "content" in props
        if "revids" in p:
            if any(k in p for k in ENUM_PARAMS if k != "rvcontinue"):
                raise _ApiError("revids")
            ids = _ints(p["revids"], "revids")
            if len(ids) > 50:
                raise _ApiError("toomanyvalues", name="revids", limit=50)
            start = int(p.get("rvcontinue", "0") or 0)
            known = sorted(i for i in set(ids) if i in self.revs and i >= start)
            budget = self.content_budget if content else 500
            take, rest = known[:budget], known[budget:]
            bad = [i for i in ids if i not in self.revs]
            if bad and not start:
                query["badrevids"] = {str(i): {"revid": i, "missing": True} for i in bad}
            pages: dict[int, dict] = {}
            for i in take:
                page, rev = self.revs[i]
                entry = pages.setdefault(page["pageid"], _page_head(page))
                entry.setdefault("revisions", []).append(_shape(rev, props, slots))
            query["pages"] = [pages[k] for k in sorted(pages)]
            if rest:
                result["continue"] = {"rvcontinue": str(rest[0]), "continue": "||"}
            return
        enum = any(k in p for k in ENUM_PARAMS)
        specs: list[tuple[str, str]] = [("title", t) for t in p["titles"].split("|")] if p.get("titles") else []
        specs += [("pageid", s) for s in p["pageids"].split("|")] if p.get("pageids") else []
        if not specs:
            return
        if enum and len(specs) > 1:
            raise _ApiError("multpages")
        pages_out, normalized = [], []
        for kind, value in specs:
            if kind == "pageid":
                pid = _ints(value, "pageids")[0]
                page = next((pg for pg in self.pages if pg["pageid"] == pid), None)
                if page is None:
                    pages_out.append({"pageid": pid, "missing": True})
                    continue
            else:
                bad_char = next((c for c in value if c in "<>[]{}|#"), None)
                if bad_char or not value.strip():
                    reason = (f'The requested page title contains invalid characters: "{bad_char}".' if bad_char
                              else "The requested page title is empty or contains only the name of a namespace.")
                    pages_out.append({"title": value, "invalidreason": reason, "invalid": True})
                    continue
                norm = _normalize_title(value)
                if norm != value:
                    normalized.append({"fromencoded": False, "from": value, "to": norm})
                page = next((pg for pg in self.pages if pg["title"] == norm), None)
                if page is None:
                    pages_out.append({"ns": 0, "title": norm, "missing": True})
                    continue
            entry = _page_head(page)
            revs = self._enumerate(page, p, content, result) if enum else [page["revisions"][-1]]
            entry["revisions"] = [_shape(r, props, slots) for r in revs]
            pages_out.append(entry)
        if normalized:
            query["normalized"] = normalized
        query["pages"] = pages_out

    def _enumerate(self, page: dict, p: dict[str, str], content: bool, result: dict) -> list[dict]:
        newer = p.get("rvdir", "older") == "newer"
        revs = sorted(page["revisions"], key=_order, reverse=not newer)

        def after(key: tuple[str, int]) -> list[dict]:
            return [r for r in revs if (_order(r) >= key if newer else _order(r) <= key)]

        if "rvstartid" in p:
            sid = _ints(p["rvstartid"], "rvstartid")[0]
            if sid not in self.revs:
                raise _ApiError("nosuchrevid", revid=sid)
            revs = after(_order(self.revs[sid][1]))
        if "rvstart" in p:
            revs = after((_iso(p["rvstart"]), 0 if newer else 2**63))
        if "rvcontinue" in p:
            ts, _, rid = p["rvcontinue"].partition("|")
            revs = after((_iso(ts), int(rid)))
        cap = 50 if content else 500
        raw = p.get("rvlimit", "10")  # the API default
        limit = cap if raw == "max" else min(_ints(raw, "rvlimit")[0], cap)
        if len(revs) > limit:
            nxt = revs[limit]
            result["continue"] = {"rvcontinue": f"{_mw_ts(nxt['timestamp'])}|{nxt['revid']}", "continue": "||"}
        return revs[:limit]


    def _parse(self, p: dict[str, str]) -> dict:
        if p.get("format") != "json":
            raise _ApiError("badvalue", value=p.get("format", ""))
        ids = _ints(p.get("oldid", ""), "oldid")
        if len(ids) != 1:
            raise _ApiError("badinteger", name="oldid", value=p.get("oldid", ""))
        revid = ids[0]
        if revid not in self.revs:
            raise _ApiError("nosuchrevid", revid=revid)
        page, rev = self.revs[revid]
        if rev["slots"]["main"].get("texthidden"):
            raise _ApiError("permissiondenied")
        recorded = self.fixtures / "parse" / f"{revid}"
        error = recorded.with_name(f"{revid}.error.json")
        if error.exists():
            return json.loads(error.read_text(encoding="utf-8"))
        answer: dict[str, Any] = {}
        parsoid = recorded.with_name(f"{revid}.parsoid.html")
        legacy = recorded.with_name(f"{revid}.legacy.html")
        if p.get("parsoid") not in (None, "", "0", "false") and parsoid.exists():
            text = parsoid.read_text(encoding="utf-8")
        else:
            if p.get("parsoid") is not None:
                answer["warnings"] = {"main": {"warnings": "Unrecognized parameter: parsoid."}}
            if legacy.exists():
                text = legacy.read_text(encoding="utf-8")
            else:
                escaped = html.escape(rev["slots"]["main"]["content"], quote=False)
                text = f'<div class="mw-content-ltr mw-parser-output" lang="en" dir="ltr"><p>{escaped}\n</p></div>'
        answer["parse"] = {"title": page["title"], "pageid": page["pageid"], "revid": revid, "text": text}
        return answer


class _ApiError(Exception):
    def __init__(self, code: str, **fmt: Any) -> None:
        super().__init__(code)
        self.code, self.fmt = code, fmt


class _Handler(BaseHTTPRequestHandler):
    server_side: MediaWikiStandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self._serve(dict(parse_qsl(urlsplit(self.path).query, keep_blank_values=True)))

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        self._serve(dict(parse_qsl(body, keep_blank_values=True)))

    def _serve(self, params: dict[str, str]) -> None:
        wiki = self.server_side
        entry = LoggedRequest(self.command, urlsplit(self.path).path, params, dict(self.headers.items()))
        wiki.log(entry)
        try:
            if entry.path != API_PATH:
                self._send(404, b"<!DOCTYPE html><title>Not Found</title>", "text/html; charset=utf-8")
                return
            fault = wiki.take_fault(params)
            entry.fault = fault.kind if fault else None
            if fault is not None and fault.kind == "status":
                headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                self._send(fault.status, wiki.error_page, "text/html; charset=utf-8", headers)
                return
            if fault is not None and fault.kind == "maxlag":
                body = wiki.error("maxlag", lag=fault.lag)
                body["error"]["lag"] = fault.lag
                retry = fault.retry_after if fault.retry_after is not None else str(max(int(params.get("maxlag", 0)),
                                                                                        5))
                self._send_json(body, {"X-Database-Lag": str(fault.lag), **({"Retry-After": retry} if retry else {})})
                return
            if fault is not None and fault.kind in ("raw", "gzip"):
                headers = dict(fault.headers)
                if fault.kind == "gzip":
                    headers["Content-Encoding"] = "gzip"
                self._send(fault.status if fault.kind == "raw" else 200, fault.body, fault.content_type, headers)
                return
            if fault is not None and fault.kind == "redirect":
                self._send(302, b"", "text/html", {"Location": fault.location})
                return
            if fault is not None and fault.kind == "trickle":
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "100000000")
                self.end_headers()
                self.wfile.write(b"{")
                for _ in range(100000):
                    time.sleep(fault.delay)
                    self.wfile.write(b" ")
                    self.wfile.flush()
                return
            if fault is not None and fault.kind == "slow":
                time.sleep(fault.delay)
            body = wiki.answer(params)
            if fault is not None and fault.kind == "mutate" and fault.mutate is not None:
                body = fault.mutate(body)
                self._send(200, json.dumps(body).encode("utf-8"), "application/json; charset=utf-8")
                return
            if fault is not None and fault.kind == "truncate":
                data = json.dumps(body).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self._send_json(body)
        except (BrokenPipeError, ConnectionResetError, OSError):  # the client gave up (a timeout test)
            self.close_connection = True
        finally:
            wiki.done()

    def _send_json(self, body: dict, headers: dict[str, str] | None = None) -> None:
        headers = dict(headers or {})
        if "error" in body:
            headers["MediaWiki-API-Error"] = body["error"]["code"]
        self._send(200, json.dumps(body).encode("utf-8"), "application/json; charset=utf-8", headers)

    def _send(self, status: int, data: bytes, ctype: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)


def _own_or_default(fixtures: Path, name: str) -> Path:
    own = fixtures / name
    return own if own.exists() else FIXTURES / name


def _page_head(page: dict) -> dict:
    return {"pageid": page["pageid"], "ns": page["ns"], "title": page["title"]}


def _shape(rev: dict, props: set[str], slots: str | None) -> dict:
    """One revision with only the asked properties, as formatversion=2 sends it."""
    out: dict[str, Any] = {}
    if "ids" in props:
        out["revid"] = rev["revid"]
        out["parentid"] = rev["parentid"]
    if "flags" in props:
        out["minor"] = rev.get("minor", False)
    if ("user" in props or "userid" in props) and rev.get("userhidden"):
        out["userhidden"] = True
    elif "user" in props or "userid" in props:
        if "user" in props:
            out["user"] = rev["user"]
        if rev.get("anon"):
            out["anon"] = True
        if "userid" in props:
            out["userid"] = rev.get("userid", 0)
    if "timestamp" in props:
        out["timestamp"] = rev["timestamp"]
    if "size" in props:
        out["size"] = rev["size"]
    if "sha1" in props:
        if rev.get("sha1hidden"):
            out["sha1hidden"] = True
        else:
            out["sha1"] = rev["sha1"]
    if "content" in props:
        main = rev["slots"]["main"]
        if slots is not None:
            out["slots"] = {"main": dict(main)}
        elif main.get("texthidden"):
            out["texthidden"] = True
        else:
            out.update({"contentformat": main["contentformat"], "contentmodel": main["contentmodel"],
                        "content": main["content"]})
    if "comment" in props:
        if rev.get("commenthidden"):
            out["commenthidden"] = True
        else:
            out["comment"] = rev["comment"]
    if rev.get("suppressed") and any(k.endswith("hidden") for k in out):
        out["suppressed"] = True
    return out


def _order(rev: dict) -> tuple[str, int]:
    return rev["timestamp"], rev["revid"]


def _mw_ts(iso: str) -> str:
    """2015-03-17T17:45:52Z -> 20150317174552 (MediaWiki's TS_MW, used in rvcontinue)."""
    return "".join(c for c in iso if c.isdigit())


def _iso(ts: str) -> str:
    digits = "".join(c for c in ts if c.isdigit())
    if len(digits) != 14:
        raise _ApiError("badtimestamp", value=ts)
    return f"{digits[:4]}-{digits[4:6]}-{digits[6:8]}T{digits[8:10]}:{digits[10:12]}:{digits[12:]}Z"


def _normalize_title(title: str) -> str:
    t = " ".join(title.replace("_", " ").split())
    return t[:1].upper() + t[1:]


def _ints(value: str, name: str) -> list[int]:
    try:
        return [int(v) for v in value.split("|") if v != ""]
    except ValueError:
        raise _ApiError("badinteger", name=name, value=value) from None
