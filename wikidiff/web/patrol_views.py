"""`/patrol` (the findings `wikidiff watch --out` stores, newest first, filterable; new ones appear without a reload
where scripts run) and `/api/findings` (the same rows as JSON; `after_id` gives what arrived since a poll)."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..codes import SEVERITIES, SEVERITY_RANK, shorten
from . import problems
from .handling import guarded, state
from .links import WikiLinks, app_link
from .pages import page
from .settings import Settings

PAGE_SIZE = 50
MAX_LIMIT = 500
COMMENT_MAX = 200


def flag_codes() -> tuple[str, ...]:
    from ..codes import FLAG_CODES

    return FLAG_CODES


class Findings:
    """The app's read-only view of the findings store, opened at first use (watch may create it later)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._store: Any = None
        self._lock = threading.Lock()

    def store(self) -> Any:
        """The store, or None while there is none (not configured, or not yet written by `watch`)."""
        from pathlib import Path

        from ..patrol.findings import FindingsStore

        with self._lock:
            if self._store is None and self.path and Path(self.path).is_file():
                self._store = FindingsStore(self.path, create=False)
            return self._store

    def query(self, **filters: Any) -> list[dict[str, Any]]:
        store = self.store()
        return store.query(**filters) if store is not None else []


def _int(params: Mapping[str, str], name: str, low: int = 0, high: int | None = None) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < low or (high is not None and int(raw) > high):
        limits = f"{low} to {high}" if high is not None else f"at least {low}"
        raise problems.Problem(400, "Bad filter", f"{name} must be a whole number {limits}, not {raw[:40]!r}")
    return int(raw)


def filters(params: Mapping[str, str]) -> dict[str, Any]:
    """The store query a request asks for; a 400 Problem for a filter that cannot be right."""
    wiki = (params.get("wiki") or "").strip().lower()
    code = (params.get("code") or "").strip()
    severity = (params.get("severity") or "").strip()
    if code and code not in flag_codes():
        raise problems.Problem(400, "Bad filter", f"unknown flag code {code[:60]!r}")
    if severity and severity not in SEVERITY_RANK:
        raise problems.Problem(400, "Bad filter", f"severity must be one of {', '.join(SEVERITY_RANK)}")
    return {"wiki": wiki or None, "code": code or None, "severity": severity or None,
            "limit": _int(params, "limit", 1, MAX_LIMIT) or PAGE_SIZE,
            "before_id": _int(params, "before_id"), "after_id": _int(params, "after_id")}


def row(settings: Settings, f: Mapping[str, Any]) -> dict[str, Any]:
    """A stored finding for a page or JSON: its fields, and links built here (never from stored URLs)."""
    links = WikiLinks(settings, str(f.get("wiki") or ""))
    return {
        "id": f["id"], "wiki": f["wiki"], "title": f["title"], "namespace": f.get("namespace"), "old": f.get("old"),
        "new": f["new"], "user": f.get("user"), "timestamp": f.get("timestamp"), "severity": f["severity"],
        "codes": list(f.get("codes") or []), "comment": shorten(f.get("comment"), COMMENT_MAX),
        "flags": f.get("flags") or [], "audited_at": f.get("audited_at"),
        "links": {
            "diff": links.diff(f.get("old"), f["new"]), "page": links.page(f["title"]),
            "user": links.user(f.get("user")),
            "audit": app_link("/audit", wiki=links.wiki, old=f.get("old") or None, new=f["new"]) if links.served
            else None,
        },
    }


async def _rows(request: Request) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    asked = filters(request.query_params)
    found = await run_in_threadpool(state(request).findings.query, **asked)
    settings = state(request).settings
    return asked, [row(settings, f) for f in found]


@guarded(as_json=True)
async def findings_json(request: Request) -> Response:
    if not state(request).settings.findings:
        raise problems.Problem(404, "No findings", "this server was started without a findings store")
    asked, rows = await _rows(request)
    return JSONResponse({"findings": rows, "newest_id": rows[0]["id"] if rows else asked["after_id"],
                         "oldest_id": rows[-1]["id"] if rows else None})


@guarded(as_json=False)
async def patrol_page(request: Request) -> Response:
    settings = state(request).settings
    asked, rows = await _rows(request)
    shown = {k: asked[k] for k in ("wiki", "code", "severity")}
    older = (app_link("/patrol", **shown, before_id=rows[-1]["id"]) if len(rows) == asked["limit"] else None)
    newest = rows[0]["id"] if rows else (asked["before_id"] - 1 if asked["before_id"] else 0)
    return page("patrol.html", title="Patrol findings", wikis=settings.wikis, rows=rows, shown=shown,
                codes=flag_codes(), severities=SEVERITIES, older=older,
                configured=bool(settings.findings), live=asked["before_id"] is None, newest=newest,
                poll_ms=int(settings.poll_seconds * 1000))
