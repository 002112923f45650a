"""Each consecutive pair of a page history audited, with what a history can reuse: parsed revisions (an identity
revert brings back a text parsed a few revisions ago), finished audits (an edit war repeats pairs), and the earlier
revisions that tell restored text from written text."""

from __future__ import annotations

from collections import Counter, OrderedDict, deque
from typing import Any

from ..checks import FLAG_CODES
from ..restored import RESTORABLE, Earlier, Seen, is_restored, position
from ..text.document import Document
from .cache import AuditCache
from .defaults import RADIUS
from .schema import flag_column

#: parsed revisions kept besides the revert window (texts seen again further back than the radius)
DOCUMENTS = 32


def audit_pair(old: Document, new: Document, lang: str) -> dict:
    """One audit as plain JSON-ready values: the revision-row part and the flags (fields as a dict)."""
    from ..auditor import audit_documents

    a = audit_documents(old, new, lang=lang)
    s = a.summary
    labels = []
    for c in a.sections:
        sec = c.new or c.old
        label = sec.label if sec is not None and sec.label else "(lead)"
        if label not in labels:
            labels.append(label)
    row = {
        "bytes_added": s["bytes_added"], "bytes_removed": s["bytes_removed"],
        "bytes_changed": s["bytes_added"] + s["bytes_removed"], "sections_touched": s["sections_changed"],
        "sections": "; ".join(labels) or None, "refs_added": s["refs_added"], "refs_removed": s["refs_removed"],
        "refs_modified": s["refs_modified"],
    }
    flags = [{"code": f.code, "severity": f.severity, "message": f.message, "section": f.section,
              "fields": _plain(f.fields), "old_offset": f.old_offset, "new_offset": f.new_offset,
              "span": [f.span.side, f.span.start, f.span.end] if f.span is not None else None} for f in a.flags]
    return {"row": row, "flags": flags}


def _plain(fields: dict[str, Any]) -> dict[str, Any]:
    """Flag fields as JSON values (what is not JSON becomes its text, as json.dumps(default=str) would)."""
    import json

    return json.loads(json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str))


def count_flags(flags: list[dict]) -> dict[str, int]:
    """The revisions-table counts of a pair's flags; restored ones are counted apart (`flags_restored`)."""
    kept = [f for f in flags if not f["restored"]]
    counts = Counter(f["code"] for f in kept)
    return {
        "flag_count": len(kept), "errors": sum(1 for f in kept if f["severity"] == "error"),
        "warnings": sum(1 for f in kept if f["severity"] == "warning"),
        **{flag_column(c): counts.get(c, 0) for c in FLAG_CODES},
        "flags_other": sum(n for c, n in counts.items() if c not in FLAG_CODES),
        "flags_restored": len(flags) - len(kept),
    }


class PairAuditor:
    """Documents and audits of one page history, in page order: `document(text)` for each revision, `audit(old,
    new)` for each consecutive pair, then `remember(doc)`; memory stays bounded by the radius and `DOCUMENTS`."""

    def __init__(self, lang: str, cache: AuditCache, *, radius: int = RADIUS, reuse: bool = True):
        self.lang, self.cache, self.reuse, self.radius = lang, cache, reuse, radius
        self.window: deque[Seen] = deque(maxlen=radius + 1)  # the revisions an identity revert can return to
        self.docs: OrderedDict[str, Document] = OrderedDict()
        self.parses = 0

    def document(self, text: str) -> Document:
        """The parsed revision, reused when the same text was parsed lately."""
        if not self.reuse:
            self.parses += 1
            return Document.from_text(text, self.lang)
        doc = self.docs.get(text)  # by the text itself: its hash is a pass over it, cheaper than a digest
        if doc is None:
            doc = self.docs[text] = Document.from_text(text, self.lang)
            self.parses += 1
            while len(self.docs) > self.radius + 1 + DOCUMENTS:
                self.docs.popitem(last=False)
        else:
            self.docs.move_to_end(text)
        return doc

    def remember(self, doc: Document | None) -> None:
        """The revision just handled (None: its text is hidden) joins the window of earlier revisions."""
        text = doc.text if doc is not None else None
        seen = next((s for s in self.window if text and s.text == text), None) if self.reuse else None
        self.window.append(seen or Seen(text))  # a text back in the window shares its lines

    def audit(self, old: Document, new: Document) -> tuple[dict[str, Any], list[dict]]:
        """(revision-row values, flag rows) for the pair; call before `remember(new)`."""
        key = AuditCache.key(old, new, self.lang)
        result = self.cache.get(key) if self.reuse else None
        if not self.reuse:  # nothing remembered from the pairs before
            from ..cite import index
            from ..diff import moves, rearranged, sections, words
            from ..text import document
            from . import reflife

            for module in (document, index, moves, rearranged, reflife, sections, words):
                module.forget()
        if result is None:
            result = audit_pair(old, new, self.lang)
            if self.reuse:
                self.cache.put(key, result)
        earlier = Earlier(self.window)
        flags = [self._flag(f, new, earlier) for f in result["flags"]]
        return {**result["row"], **count_flags(flags)}, flags

    def _flag(self, f: dict, new: Document, earlier: Earlier) -> dict:
        import json

        fields = dict(f["fields"])
        span = f.get("span")
        restored = False
        if f["code"] in RESTORABLE:
            at = position(new.text, tuple(span) if span else None, f["new_offset"], fields)
            if at is not None:
                restored = is_restored(new.text, earlier, at[0], at[1])
        if restored:
            fields["restored"] = True
        return {"code": f["code"], "severity": f["severity"], "message": f["message"], "section": f["section"],
                "fields": json.dumps(fields, ensure_ascii=False, sort_keys=True),
                "old_offset": f["old_offset"], "new_offset": f["new_offset"], "restored": restored}
