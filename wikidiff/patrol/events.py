"""EventStreams `recentchange` events: which ones a patrol keeps, as `Edit`s, and why the others were left.

An event is one JSON object (schema /mediawiki/recentchange/1.0.0). A patrol keeps `type: edit` events of the wikis
it watches (`server_name`) in the namespaces it watches; it drops canary events (`meta.domain == "canary"`, probes
the stream's operators send through production), bot edits when asked, and any edit it has already seen. An event
that is not valid JSON, not an object, or an edit without usable revision ids is *malformed*.
"""

from __future__ import annotations

import json
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from ..errors import InputError


class MalformedEvent(ValueError):
    """An event that cannot be read; the message says why."""


@dataclass(frozen=True)
class Edit:
    """One edit to audit, from a `recentchange` event."""

    wiki: str  # server_name, e.g. en.wikipedia.org
    title: str
    namespace: int
    old: int
    new: int
    user: str | None
    timestamp: str  # ISO 8601 UTC
    epoch: float  # the same instant in seconds, for lag arithmetic
    comment: str | None
    bot: bool
    server_url: str | None
    event_id: str | None  # the SSE id (Last-Event-ID) the event came with


def parse_event(data: str | bytes) -> dict[str, Any]:
    """The JSON object of one SSE `data` field; MalformedEvent when it is not one."""
    try:
        event = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedEvent(f"not JSON ({exc})") from None
    if not isinstance(event, dict):
        raise MalformedEvent(f"not a JSON object but {type(event).__name__}")
    return event


class EditFilter:
    """Turns events into Edits; `counts` says how many events were left and why.

    Reasons: "canary", "not-edit" (log, new page, categorize …), "other-wiki", "other-namespace", "bot",
    "duplicate" (an edit already seen, as a stream may resend after a reconnect), "malformed".
    """

    def __init__(self, wikis: Iterable[str] | None, namespaces: Iterable[int] | None = (0,), *,
                 exclude_bots: bool = False, remember: int = 100_000) -> None:
        self.wikis = None if wikis is None else frozenset(w.strip().lower() for w in wikis)
        self.namespaces = None if namespaces is None else frozenset(int(n) for n in namespaces)
        self.exclude_bots = exclude_bots
        self.counts: Counter[str] = Counter()
        self._seen: OrderedDict[tuple[str, int], None] = OrderedDict()
        self._remember = remember

    def edit(self, event: dict[str, Any], event_id: str | None = None) -> Edit | None:
        """The Edit this event describes, or None when it is not kept (MalformedEvent when unreadable)."""
        meta = event.get("meta")
        if isinstance(meta, dict) and meta.get("domain") == "canary":
            return self._leave("canary")
        if event.get("type") != "edit":
            return self._leave("not-edit")
        wiki = event.get("server_name")
        if not isinstance(wiki, str) or not wiki:
            raise MalformedEvent("an edit without server_name")
        if self.wikis is not None and wiki.lower() not in self.wikis:
            return self._leave("other-wiki")
        namespace = event.get("namespace")
        if not isinstance(namespace, int) or isinstance(namespace, bool):
            raise MalformedEvent(f"namespace is {namespace!r}, not a number")
        if self.namespaces is not None and namespace not in self.namespaces:
            return self._leave("other-namespace")
        bot = event.get("bot") is True
        if bot and self.exclude_bots:
            return self._leave("bot")
        edit = _edit(event, wiki.lower(), namespace, bot, event_id)
        key = (edit.wiki, edit.new)
        if key in self._seen:
            return self._leave("duplicate")
        self._seen[key] = None
        if len(self._seen) > self._remember:
            self._seen.popitem(last=False)
        self.counts["kept"] += 1
        return edit

    def _leave(self, reason: str) -> Edit | None:
        self.counts[reason] += 1
        return None


def _edit(event: dict[str, Any], wiki: str, namespace: int, bot: bool, event_id: str | None) -> Edit:
    revision = event.get("revision")
    if not isinstance(revision, dict):
        raise MalformedEvent("an edit without revision ids")
    old, new = revision.get("old"), revision.get("new")
    if not isinstance(old, int) or not isinstance(new, int) or not _revid(new) or not _revid(old):
        raise MalformedEvent(f"revision ids {old!r} → {new!r} are not positive numbers")
    title = event.get("title")
    if not isinstance(title, str) or not title:
        raise MalformedEvent("an edit without a title")
    epoch = _epoch(event)
    user, comment = event.get("user"), event.get("comment")
    server_url = event.get("server_url")
    return Edit(wiki=wiki, title=title, namespace=namespace, old=int(old), new=int(new),
                user=user if isinstance(user, str) else None, timestamp=_iso(epoch), epoch=epoch,
                comment=comment if isinstance(comment, str) else None, bot=bot,
                server_url=server_url if isinstance(server_url, str) else None, event_id=event_id)


def _revid(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _epoch(event: dict[str, Any]) -> float:
    """The edit's time: `timestamp` (Unix seconds), else `meta.dt` (ISO 8601)."""
    ts = event.get("timestamp")
    if isinstance(ts, (int, float)) and not isinstance(ts, bool) and ts > 0:
        return float(ts)
    meta = event.get("meta")
    dt = meta.get("dt") if isinstance(meta, dict) else None
    if isinstance(dt, str):
        try:
            return parse_timestamp(dt).timestamp()
        except InputError:
            pass
    raise MalformedEvent("an edit without a timestamp")


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_timestamp(value: str) -> datetime:
    """An ISO 8601 date or date-time (UTC unless it says otherwise) as an aware datetime; InputError if not one."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(f"not an ISO 8601 timestamp: {value!r} (e.g. 2026-12-01T15:00:00Z)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)
