"""Reading a MediaWiki API answer: its shape, its `error` member as a typed error, and each revision's fields.

A wiki, a proxy or a broken mirror can answer anything; every member wikidiff uses is checked for the type a
formatversion=2 answer gives it, and a revision's text against its SHA-1 and MediaWiki's largest page size.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from ..errors import BadAnswer, FetchError, InputError, PageMissing, RevisionHidden, RevisionMissing, Throttled
from ..model import RevisionMeta
from .cache import StoredRevision

#: the largest revision text accepted: twice MediaWiki's $wgMaxArticleSize default (2 MiB)
MAX_REVISION_BYTES = 4 * 1024 * 1024


class AnswerReader:
    """Checks the answers of one API (named in its messages) and reads revisions out of them."""

    def __init__(self, api_url: str, site: str, host: str) -> None:
        self.api_url = api_url
        self.site = site
        self.where: dict[str, Any] = {"site": site, "host": host}

    def checked(self, result: Any) -> dict:
        """The answer, if it has the shape of a formatversion=2 query answer; else BadAnswer (or the API error)."""
        if not isinstance(result, dict):
            raise BadAnswer(f"{self.api_url} answered JSON that is not an object ({type(result).__name__})",
                            **self.where)
        if "error" in result:
            raise self.api_error(result["error"])
        query = result.get("query", {})
        if not isinstance(query, dict):
            raise BadAnswer(f"{self.api_url} answered a 'query' that is not an object", **self.where)
        if not isinstance(query.get("pages", []), list):
            raise BadAnswer(f"{self.api_url} answered 'pages' that is not a list (not formatversion=2)",
                            **self.where)
        if not all(isinstance(p, dict) for p in query.get("pages", [])):
            raise BadAnswer(f"{self.api_url} answered pages that are not objects", **self.where)
        if not isinstance(result.get("continue", {}), dict):
            raise BadAnswer(f"{self.api_url} answered a 'continue' that is not an object", **self.where)
        return result

    def api_error(self, error: Any) -> FetchError:
        """The typed error for an API `error` member (an object with code and info, or whatever a server sent)."""
        if isinstance(error, dict):
            code = one_line(error.get("code")) or "an error"
            info = one_line(error.get("info") or error.get("*")) or "(no explanation given)"
        else:
            code, info = "an error", one_line(error) or "(no explanation given)"
        message = f"{self.api_url} answered {code}: {info}"
        if code in ("maxlag", "ratelimited", "readonly", "internal_api_error_DBConnectionError"):
            return Throttled(message, **self.where)
        if code in ("nosuchrevid",):
            return RevisionMissing(message, **self.where)
        if code == "permissiondenied":  # action=parse of a revision whose text is deleted
            return RevisionHidden(message, **self.where)
        if code in ("missingtitle", "invalidtitle", "nosuchpageid"):
            return PageMissing(message, **self.where)
        return BadAnswer(message, **self.where)

    def stored(self, page: dict, rev: dict) -> StoredRevision | RevisionMeta:
        """A StoredRevision from one formatversion=2 revision; its RevisionMeta alone when the text is hidden.

        Every field is checked for its type; the text is checked against the SHA-1 the API gives and against
        MediaWiki's largest page size; a text with unpaired surrogates (not Unicode) is refused."""
        revid = self.field(rev, "revid", int, required=True)
        slots = self.field(rev, "slots", dict) or {}
        slot = slots.get("main") or {}
        if not isinstance(slot, dict):
            raise BadAnswer(f"{self.api_url} sent revision {revid} with a main slot that is not an object",
                            revid=revid, **self.where)
        text = slot.get("content", rev.get("content"))
        meta = RevisionMeta(
            revid=revid, parentid=self.field(rev, "parentid", int), title=self.field(page, "title", str),
            timestamp=self.field(rev, "timestamp", str), user=self.field(rev, "user", str),
            comment=self.field(rev, "comment", str), size=self.field(rev, "size", int),
            sha1=self.field(rev, "sha1", str) or None, site=self.site, source="api")
        if text is None or slot.get("texthidden") or rev.get("texthidden"):
            if slot.get("texthidden") or rev.get("texthidden") or rev.get("sha1hidden"):
                return RevisionMeta(**{**meta.to_dict(), "source": "suppressed" if rev.get("suppressed")
                                       else "hidden"})
            raise BadAnswer(f"{self.api_url} sent revision {meta.revid} without its text", revid=meta.revid,
                            **self.where)
        if not isinstance(text, str):
            raise BadAnswer(f"{self.api_url} sent revision {revid} with content that is not text "
                            f"({type(text).__name__})", revid=revid, **self.where)
        model = slot.get("contentmodel", rev.get("contentmodel", "wikitext"))
        if model != "wikitext":
            raise InputError(f"revision {meta.revid} of \"{meta.title}\" holds {one_line(model, 40)} content, "
                             f"not wikitext")
        try:
            data = text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise BadAnswer(f"{self.api_url} sent revision {revid} with text that is not Unicode (an unpaired "
                            f"surrogate at character {exc.start})", revid=revid, **self.where) from None
        if len(data) > MAX_REVISION_BYTES:
            raise BadAnswer(f"{self.api_url} sent revision {revid} with {len(data) // 1024 // 1024} MiB of text, "
                            f"more than a wiki page can hold ({MAX_REVISION_BYTES // 1024 // 1024} MiB); refused",
                            revid=revid, **self.where)
        expected = slot.get("sha1") if isinstance(slot.get("sha1"), str) else meta.sha1
        if expected and re.fullmatch(r"[0-9a-f]{40}", expected) and hashlib.sha1(data).hexdigest() != expected:
            raise BadAnswer(f"{self.api_url} sent revision {revid} with text that does not match its SHA-1 (the "
                            f"server sent other text); not used and not cached", revid=revid, **self.where)
        pageid = self.field(page, "pageid", int)
        return StoredRevision(text=text, meta=meta, pageid=pageid)

    def field(self, obj: dict, key: str, kind: type, *, required: bool = False) -> Any:
        """obj[key] if it has the type a MediaWiki API gives it (None when absent); else BadAnswer."""
        value = obj.get(key)
        if value is None and not required:
            return None
        if (not isinstance(value, kind) or isinstance(value, bool)
                or (isinstance(value, int) and not 0 <= value < 2 ** 63)):
            wanted = {int: "a number", str: "text"}.get(kind, "an object")
            raise BadAnswer(f"{self.api_url} sent a revision whose '{key}' is {one_line(value, 40) or 'missing'} "
                            f"({type(value).__name__}), not {wanted}", **self.where)
        return value

    def revs(self, page: dict) -> list[dict]:
        """The revisions of a page in an answer, each an object with a numeric revid."""
        revs = page.get("revisions", [])
        if not isinstance(revs, list) or not all(isinstance(r, dict) for r in revs):
            raise BadAnswer(f"{self.api_url} answered 'revisions' that are not a list of objects", **self.where)
        for r in revs:
            self.field(r, "revid", int, required=True)
        return revs

    # resolving prev / next / cur / latest (wikidiff.sources.resolve)


def badrevids(query: dict) -> list[int]:
    """The ids in `badrevids` (an object keyed by id; a list of {revid} objects, should a server send one)."""
    bad = query.get("badrevids") or {}
    keys = list(bad.keys()) if isinstance(bad, dict) else \
        [b.get("revid") for b in bad if isinstance(b, dict)] if isinstance(bad, list) else None
    if keys is None or not all(isinstance(k, (int, str)) and str(k).isdigit() and int(k) < 2 ** 63 for k in keys):
        raise ValueError("badrevids")
    return [int(str(k)) for k in keys]


def one_line(value: Any, limit: int = 300) -> str:
    """A value from an answer, fit for one line of a message."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    text = "".join(c if c.isprintable() else " " for c in text)
    return " ".join(text.split())[:limit]
