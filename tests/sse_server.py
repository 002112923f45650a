"""An EventStreams stand-in for tests: real server-sent events over HTTP/1.1 on 127.0.0.1.

It replays a list of `recentchange` events (each item is the text of one SSE `data` field, so a malformed one is
sent as it is) at `/v2/stream/recentchange`, the way Wikimedia's EventStreams service sends them: `Content-Type:
text/event-stream`, chunked transfer, a `:ok` comment first, then per event `event: message`, `id: [...]` (a JSON
list of Kafka topic/partition/offset positions, as EventStreams sends) and `data: {...}`. A client resumes with the
`Last-Event-ID` header (the server continues after that offset) or starts at a time with `?since=` (ISO 8601 or
milliseconds since the epoch; the first event whose `meta.dt` is at or after it). After the last event the
connection stays open, sending a `:` heartbeat comment now and then, until the server stops.

Faults, per connection in order (`faults` list, one entry per connection, None for none): `("drop", n)` closes
the connection after n events and half of the next one's bytes; `("status", code)` answers with that HTTP status;
`("wrong-type", 0)` answers 200 with text/html. Every request is logged in `requests` (path, query, headers).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

EVENTS = Path(__file__).resolve().parent / "fixtures" / "events" / "recentchange.jsonl"
STREAM_PATH = "/v2/stream/recentchange"
TOPIC = "eqiad.mediawiki.recentchange"


def load_events(path: Path = EVENTS) -> list[str]:
    """The recorded events, one SSE data text per line (a malformed line is kept as it is)."""
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def event_id(offset: int) -> str:
    return json.dumps([{"topic": TOPIC, "partition": 0, "offset": offset},
                       {"topic": "codfw.mediawiki.recentchange", "partition": 0, "offset": -1}],
                      separators=(",", ":"))


def offset_of(last_event_id: str) -> int | None:
    try:
        for pos in json.loads(last_event_id):
            if pos.get("topic") == TOPIC and "offset" in pos:
                return int(pos["offset"])
    except (ValueError, TypeError, AttributeError):
        return None
    return None


class StreamStandIn:
    """`with StreamStandIn(events) as stream:`; point clients at `stream.url`."""

    def __init__(self, events: Iterable[str] | None = None, *, faults: Iterable[tuple[str, int] | None] = (),
                 heartbeat: float = 0.2, pace: float = 0.0) -> None:
        self.events = list(load_events() if events is None else events)
        self.faults = list(faults)
        self.heartbeat = heartbeat
        self.pace = pace  # seconds between events (0: as fast as the socket takes them)
        self.requests: list[dict[str, Any]] = []
        self.sent = 0  # events written, over all connections
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._httpd: ThreadingHTTPServer | None = None

    def start(self) -> StreamStandIn:
        standin = self

        class Handler(_Handler):
            server_side = standin

        self._httpd = _Server(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> StreamStandIn:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._httpd is not None, "start() the server first"
        return f"http://127.0.0.1:{self._httpd.server_address[1]}{STREAM_PATH}"

    def first_offset(self, query: dict[str, str], headers: dict[str, str]) -> int:
        last = headers.get("Last-Event-ID") or headers.get("Last-Event-Id")
        if last:
            offset = offset_of(last)
            return 0 if offset is None else offset + 1
        since = query.get("since")
        if since:
            when = _since(since)
            for i, data in enumerate(self.events):
                dt = _dt(data)
                if dt is not None and dt >= when:
                    return i
            return len(self.events)
        return 0

    def fault(self) -> tuple[str, int] | None:
        with self._lock:
            n = len(self.requests) - 1
            return self.faults[n] if n < len(self.faults) else None


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        # a client that hangs up (a patrol stopping) is normal here; anything else is printed as usual
        import sys

        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server_side: StreamStandIn
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        side = self.server_side
        parts = urlsplit(self.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        headers = dict(self.headers.items())
        with side._lock:
            side.requests.append({"path": parts.path, "query": query, "headers": headers})
        if parts.path != STREAM_PATH:
            self._plain(404, b"Not found")
            return
        fault = side.fault()
        if fault is not None and fault[0] == "status":
            self._plain(fault[1], b"<!DOCTYPE html><title>Service unavailable</title>")
            return
        if fault is not None and fault[0] == "wrong-type":
            self._plain(200, b"<!DOCTYPE html><title>Not a stream</title>")
            return
        drop_after = fault[1] if fault is not None and fault[0] == "drop" else None
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            self._chunk(b":ok\n\n")
            offset, sent = side.first_offset(query, headers), 0
            quiet_since = time.monotonic()
            while not side._stopping.is_set():
                if offset < len(side.events):
                    data = side.events[offset].encode("utf-8")
                    message = b"event: message\nid: " + event_id(offset).encode() + b"\ndata: " + data + b"\n\n"
                    if drop_after is not None and sent >= drop_after:
                        self._chunk(message[: len(message) // 2])
                        self.close_connection = True
                        return
                    self._chunk(message)
                    with side._lock:
                        side.sent += 1
                    offset += 1
                    sent += 1
                    if side.pace:
                        time.sleep(side.pace)
                    continue
                if time.monotonic() - quiet_since >= side.heartbeat:
                    self._chunk(b":\n\n")
                    quiet_since = time.monotonic()
                time.sleep(0.02)
        except (BrokenPipeError, ConnectionResetError):
            pass
        self.close_connection = True

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _plain(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _since(value: str) -> datetime:
    if value.isdigit():
        return datetime.fromtimestamp(int(value) / 1000, timezone.utc)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _dt(data: str) -> datetime | None:
    try:
        return datetime.fromisoformat(json.loads(data)["meta"]["dt"].replace("Z", "+00:00"))
    except (ValueError, KeyError, TypeError):
        return None


# events in the recorded shape (schema /mediawiki/recentchange/1.0.0)
def _meta(domain: str, dt: str, uri: str, n: int) -> dict[str, Any]:
    return {"uri": uri, "request_id": f"{n:08x}-0000-4000-8000-{n:012x}", "id": f"{n:08x}-1111-4111-8111-{n:012x}",
            "dt": dt, "domain": domain, "stream": "mediawiki.recentchange", "topic": TOPIC, "partition": 0,
            "offset": 5_000_000_000 + n}


def edit_event(n: int, *, wiki: str, title: str, old: int, new: int, user: str, timestamp: str,
               comment: str = "", namespace: int = 0, bot: bool = False, minor: bool = False,
               length: tuple[int, int] = (0, 0), domain: str | None = None, kind: str = "edit") -> dict[str, Any]:
    """One recentchange event of an edit (kind "edit") or a page creation (kind "new", old ignored)."""
    epoch = int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp())
    server_url = f"https://{wiki}"
    title_url = f"{server_url}/wiki/{title.replace(' ', '_')}"
    dbname = wiki.split(".")[0] + ("wiki" if wiki.endswith("wikipedia.org") else wiki.split(".")[1])
    event: dict[str, Any] = {
        "$schema": "/mediawiki/recentchange/1.0.0",
        "meta": _meta(domain or wiki, timestamp, title_url, n),
        "id": 1_700_000_000 + n, "type": kind, "namespace": namespace, "title": title, "title_url": title_url,
        "comment": comment, "timestamp": epoch, "user": user, "bot": bot,
        "notify_url": f"{server_url}/w/index.php?diff={new}&oldid={old}",
        "minor": minor, "patrolled": False,
        "length": {"old": length[0], "new": length[1]} if kind == "edit" else {"new": length[1]},
        "revision": {"old": old, "new": new} if kind == "edit" else {"new": new},
        "server_url": server_url, "server_name": wiki, "server_script_path": "/w", "wiki": dbname,
        "parsedcomment": comment.replace("&", "&amp;").replace("<", "&lt;"),
    }
    return event


def log_event(n: int, *, wiki: str, title: str, user: str, timestamp: str, log_type: str = "patrol",
              action: str = "patrol", namespace: int = 0) -> dict[str, Any]:
    epoch = int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp())
    server_url = f"https://{wiki}"
    title_url = f"{server_url}/wiki/{title.replace(' ', '_')}"
    return {
        "$schema": "/mediawiki/recentchange/1.0.0", "meta": _meta(wiki, timestamp, title_url, n),
        "id": 1_700_000_000 + n, "type": "log", "namespace": namespace, "title": title, "title_url": title_url,
        "comment": "", "timestamp": epoch, "user": user, "bot": False, "log_id": 160_000_000 + n,
        "log_type": log_type, "log_action": action, "log_params": {"curid": 1, "previd": 2, "auto": True},
        "log_action_comment": f"marked a revision of [[{title}]] patrolled", "server_url": server_url,
        "server_name": wiki, "server_script_path": "/w", "wiki": "enwiki", "parsedcomment": "",
    }


def categorize_event(n: int, *, wiki: str, category: str, page: str, timestamp: str) -> dict[str, Any]:
    epoch = int(datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp())
    server_url = f"https://{wiki}"
    title = f"Category:{category}"
    title_url = f"{server_url}/wiki/{title.replace(' ', '_')}"
    return {
        "$schema": "/mediawiki/recentchange/1.0.0", "meta": _meta(wiki, timestamp, title_url, n),
        "id": 1_700_000_000 + n, "type": "categorize", "namespace": 14, "title": title, "title_url": title_url,
        "comment": f"[[:{page}]] added to category", "timestamp": epoch, "user": "Example editor", "bot": False,
        "server_url": server_url, "server_name": wiki, "server_script_path": "/w", "wiki": "enwiki",
        "parsedcomment": "",
    }
