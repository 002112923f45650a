"""Reconcile an audit with the wiki's own rendering of the revisions (`verify`).

Wikitext alone cannot see refs that templates make or define; the rendered page shows every Cite error. Given the
errors read from the new revision's rendering (and the old one's, which decides `caused_by_edit` when it is there):

- each `broken-ref` gets `verified: true` when the rendering shows that name invoked but never defined, and
  `verified: false` — severity `info`, no longer an error — when the rendering shows Cite's markup but no such
  error (a template defines the name, or the use is not rendered); with no Cite markup at all the rendering proves
  nothing and the flag keeps `verified: null`;
- the other Cite flags (`duplicate-ref`, `unused-ref`, `empty-ref`, `ref-error`) are verified the same way by key
  (and name); where the rendering does not name its keys (legacy HTML without uselang=qqx) an error shown on the
  same ref still verifies them, and absence proves nothing;
- a name broken only in the rendering (made by a template) is added as `broken-ref` with `source: "rendered"`;
  every other rendered Cite error, and each CS1 error (`cs1-visible-error`/`cs1-hidden-error`) and new CS1
  maintenance message (`cs1-maint`), comes through as `citation-error` with `source: "rendered"`; wikitext
  `citation-error` flags whose CS1 error the rendering shows are verified;
- with the old rendering, an error it shows too is `caused_by_edit: false` (severity lowered), one it does not show is
  `caused_by_edit: true`; without it, rendered-only errors say `caused_by_edit: null`.

`reconcile` is pure: the Audit in is not changed, a new one comes out with `verification` describing what was done.
`verify_audit` fetches the renderings (wikidiff.sources.renderings) and reconciles; a rendering that cannot be had
(a hidden or missing revision, a parse that failed on the server, no revision id) gives an audit whose
`verification` says so and whose Cite flags say `verified: null`, never an exception.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from .errors import FetchError, WikidiffError
from .model import Flag, Severity
from .sources.rendered import NAMED_KEYS, NO_TEXT, RenderedError, Rendering, read_rendering, ref_key

if TYPE_CHECKING:
    from .auditor import Audit
    from .sources.client import WikiClient
    from .sources.renderings import Renderings, Variant

#: the wikitext flag codes that stand for a Cite error, and the key each stands for (None: in the flag's fields)
CITE_FLAGS: dict[str, str | None] = {
    "broken-ref": NO_TEXT,
    "duplicate-ref": "cite_error_references_duplicate_key",
    "unused-ref": "cite_error_references_missing_key",
    "empty-ref": None,
    "ref-error": None,
}
#: wikitext citation-error kinds and the CS1 error (its help anchor) each renders as
CS1_ANCHORS = {
    "missing-title": "citation_missing_title",
    "archive-url-without-date": "archive_missing_date",
    "access-date-without-url": "accessdate_missing_url",
    "missing-url": "cite_web_url",
}
Status = Literal["verified", "no-cite-markup", "unavailable"]


@dataclass
class Verification:
    """What verification did for one audit: the audit-level record (`Audit.verification`)."""

    status: Status
    how: str  # e.g. "action=parse, legacy parser HTML (uselang=qqx)"
    parser: str | None = None
    new_revid: int | None = None
    old_revid: int | None = None  # the old revision's rendering, when it was used
    reason: str | None = None  # why verification is unavailable or partial
    counts: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def verify_audit(audit: Audit, renderings: Renderings | None = None) -> Audit:
    """The audit reconciled with its wiki's rendering of the new revision, and of the old one when the new
    rendering shows an error (to tell whether the edit caused it). Without `renderings`, the wiki of the new
    revision (`new_meta.site`) is asked through the default client and the user's cache."""
    from .sources.renderings import describe

    how = describe(renderings.variant if renderings is not None else "legacy")
    new_revid, old_revid = audit.new_meta.revid, audit.old_meta.revid
    if new_revid is None:
        return unavailable(audit, how, "the new revision has no revision id (it was not read from a wiki)")
    if renderings is None:
        if not audit.new_meta.site:
            return unavailable(audit, how, "the new revision names no wiki to ask", new_revid=new_revid)
        from .fetch import renderings as open_renderings

        try:
            own = open_renderings(site=audit.new_meta.site)
        except WikidiffError as exc:
            return unavailable(audit, how, str(exc), new_revid=new_revid)
        try:
            return verify_audit(audit, own)
        finally:
            own.client.close()
    try:
        new = renderings.get(new_revid)
    except FetchError as exc:
        return unavailable(audit, how, f"revision {new_revid}: {exc}", new_revid=new_revid)
    new_rendering = read_rendering(new.html)
    notes = list(new.notes)
    if renderings.variant == "parsoid" and new_rendering.parser != "parsoid" and not notes:
        notes.append(f"the rendering of revision {new_revid} is not Parsoid HTML: it was read as the legacy "
                     f"parser's")
    old_rendering = None
    if old_revid is None and not audit.old.text:  # a page creation: nothing was shown before this edit
        old_rendering = Rendering(new_rendering.parser, cite_markup=True, keys_known=True)
    elif old_revid is not None and new_rendering.errors:
        try:
            old_rendering = read_rendering(renderings.get(old_revid).html)
        except FetchError as exc:
            notes.append(f"caused_by_edit is not read from the rendering of revision {old_revid}: {exc}")
    out = reconcile(audit, new_rendering, old_rendering, how=new.how, new_revid=new_revid, old_revid=old_revid)
    out.notes.extend(notes)
    return out


def verify_flags(audit: Audit, *, client: WikiClient, parser: Variant = "legacy") -> list[Flag]:
    """The audit's flags checked against the rendering, asked through an open `client` (for callers that keep one
    client per wiki, as `watch` does); the flags carry `verified` and `source` as in verify_audit."""
    from .sources.renderings import Renderings

    return verify_audit(audit, Renderings(client, variant=parser)).flags


def unavailable(audit: Audit, how: str, reason: str, *, new_revid: int | None = None) -> Audit:
    """The audit unchanged but for `verified: null` on its Cite flags and a record saying why."""
    flags = [_with(f, verified=None, verified_by=None) if f.code in CITE_FLAGS else f for f in audit.flags]
    record = Verification("unavailable", how, new_revid=new_revid, reason=reason)
    return dataclasses.replace(audit, flags=flags, notes=[*audit.notes, f"not verified against the rendered page: "
                                                          f"{reason}"], verification=record.to_dict())


def reconcile(audit: Audit, new: Rendering, old: Rendering | None = None, *, how: str = "rendered HTML",
              new_revid: int | None = None, old_revid: int | None = None) -> Audit:
    """The audit reconciled with the rendering of its new revision (and of its old one, when given)."""
    r = _Reconciler(new, old if old is not None and old.cite_markup else None, how, _section_labels(audit))
    flags = [r.flag(f) for f in audit.flags]
    flags += r.rendered_only()
    status: Status = "verified" if new.cite_markup else "no-cite-markup"
    notes = list(audit.notes)
    reason = None
    if not new.cite_markup:
        reason = "the rendered page shows no reference markup (no Cite on this wiki, or an answer without it)"
        notes.append(f"not verified against the rendered page: {reason}")
    elif not new.keys_known:
        reason = ("the rendering names no error keys (legacy HTML read by structure): only invoked-but-undefined "
                  "names can be told apart from other Cite errors")
    record = Verification(status, how, new.parser, new_revid, old_revid if r.old is not None else None, reason,
                          dict(r.counts))
    return dataclasses.replace(audit, flags=flags, notes=notes, verification=record.to_dict())


def _section_labels(audit: Audit) -> dict[str, str | None]:
    """The new revision's section labels by heading as the page shows it (markup-free headings only)."""
    labels: dict[str, str | None] = {}
    for s in audit.new.sections:
        if s.heading:
            labels.setdefault(" ".join(s.heading.split()), s.label)
    return labels


def _with(flag: Flag, *, severity: Severity | None = None, message: str | None = None, **fields: Any) -> Flag:
    return dataclasses.replace(flag, severity=severity or flag.severity, message=message or flag.message,
                               fields={**flag.fields, **fields})


def _same_name(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and ref_key(a) == ref_key(b)


def _same_group(flag_group: str | None, error_group: str | None) -> bool:
    return error_group is None or (flag_group or "") == error_group


class _Reconciler:
    def __init__(self, new: Rendering, old: Rendering | None, how: str, labels: dict[str, str | None]) -> None:
        self.new, self.old, self.how, self.labels = new, old, how, labels
        self.unclaimed = list(new.errors)  # rendered errors no wikitext flag accounts for (yet)
        self.counts: Counter[str] = Counter()

    def _claim(self, match) -> RenderedError | None:
        for e in self.unclaimed:
            if match(e):
                self.unclaimed.remove(e)
                return e
        return None

    def _in_old(self, e: RenderedError) -> bool | None:
        """Whether the old rendering shows the same error (None: no old rendering to ask)."""
        if self.old is None:
            return None
        return any(o.family == e.family and o.key == e.key and (o.name is None or e.name is None
                                                                or _same_name(o.name, e.name))
                   and o.template == e.template for o in self.old.errors)

    def flag(self, f: Flag) -> Flag:
        if f.code in CITE_FLAGS:
            return self._cite_flag(f)
        if f.code == "citation-error" and f.fields.get("source") != "rendered":
            return self._citation_flag(f)
        return f

    def _cite_flag(self, f: Flag) -> Flag:
        key = CITE_FLAGS[f.code] or f.fields.get("cite_error")
        name, group = f.fields.get("name"), f.fields.get("group")
        named = key in NAMED_KEYS

        def same(e: RenderedError) -> bool:
            return (e.family == "cite" and e.key == key and _same_group(group, e.group)
                    and (not named or _same_name(e.name, name)))

        def same_ref(e: RenderedError) -> bool:  # an error of unknown key shown on this ref
            return e.family == "cite" and e.key is None and _same_name(e.name, name) and _same_group(group, e.group)

        shown = self._claim(same) or (self._claim(same_ref) if name is not None else None)
        if shown is None and f.code == "empty-ref":
            shown = self._claim(lambda e: e.family == "cite" and e.key is None and e.name is None)
        if shown is not None:
            self.counts["confirmed"] += 1
            out = _with(f, verified=True, verified_by=self.how, source="wikitext")
            was = self._in_old(shown)
            if was is not None and f.fields.get("caused_by_edit") != (not was):
                out = _with(out, severity="warning" if was else "error", caused_by_edit=not was,
                            caused_by_edit_from="rendering")
            return out
        if not self.new.cite_markup or (not self.new.keys_known and f.code != "broken-ref"):
            self.counts["unverifiable"] += 1
            return _with(f, verified=None, verified_by=None, source="wikitext")
        self.counts["downgraded"] += 1
        return _with(f, severity="info", verified=False, verified_by=self.how, source="wikitext",
                     message=f"{f.message} — not an error in the rendered page (a template defines or makes it, or "
                             f"the wikitext is not rendered)")

    def _citation_flag(self, f: Flag) -> Flag:
        anchor = CS1_ANCHORS.get(str(f.fields.get("kind")))
        if anchor is None:
            return f
        shown = self._claim(lambda e: e.family == "cs1" and e.key == anchor and e.severity == "error")
        if shown is not None:
            self.counts["confirmed"] += 1
            return _with(f, verified=True, verified_by=self.how, source="wikitext")
        if self.new.citations == 0:
            self.counts["unverifiable"] += 1
            return _with(f, verified=None, verified_by=None, source="wikitext")
        self.counts["downgraded"] += 1
        return _with(f, severity="info", verified=False, verified_by=self.how, source="wikitext",
                     message=f"{f.message} — the rendered citation shows no such error")

    def rendered_only(self) -> list[Flag]:
        flags = []
        for e in self.unclaimed:
            was = self._in_old(e)
            caused = None if was is None else not was
            if e.family == "cs1" and e.severity == "maint" and caused is not True:
                continue  # maintenance messages: only those this edit brought are worth an editor's time
            self.counts["added"] += 1
            flags.append(self._added(e, caused))
        return flags

    def _section(self, e: RenderedError) -> str | None:
        """The section of the ref's first mark on the rendered page, when its heading is one of the wikitext's."""
        heading = self.new.ref_headings.get(ref_key(e.name)) if e.name else None
        return self.labels.get(heading) if heading else None

    def _added(self, e: RenderedError, caused: bool | None) -> Flag:
        section = self._section(e)
        common = {"source": "rendered", "verified": True, "verified_by": self.how, "caused_by_edit": caused}
        where = f' in ref "{e.name}"' if e.name else ""
        if e.family == "cite" and e.key == NO_TEXT and e.name is not None:
            severity: Severity = "error" if caused else "warning"
            group = f' (group "{e.group}")' if e.group else ""
            return Flag("broken-ref", severity,
                        f'named reference "{e.name}"{group} is invoked but never defined in the rendered page '
                        f"(made by a template: not visible in the wikitext)",
                        section, {"name": e.name, "group": e.group or None, "uses": None, **common,
                               "suggestion": None, "suggestion_source": None, "anchor": e.anchor})
        if e.family == "cite":
            what = e.key or "a Cite error (its key is not in the rendering)"
            return Flag("citation-error", "error" if caused else "warning",
                        f"the rendered page shows {what}{where}", section,
                        {"kind": e.key or "cite-error", "cite_error": e.key, "name": e.name, "group": e.group or None,
                         "where": e.where, "anchor": e.anchor, **common})
        cs1_severity: Severity = "info" if e.severity == "maint" or caused is False else "warning"
        template = f"{{{{{e.template}}}}}" if e.template else "a citation"
        label = "maintenance message" if e.severity == "maint" else "error"
        return Flag("citation-error", cs1_severity, f"{template} shows the CS1 {label} {e.key}{where}", section,
                    {"kind": e.key, "cs1": e.severity, "template": e.template, "name": e.name,
                     "hidden": e.hidden, "anchor": e.anchor, **common})


# how reports say it (one wording for every renderer)
BADGES = {
    "confirmed": "verified on the rendered page",
    "not-shown": "not an error on the rendered page",
    "rendered": "seen only on the rendered page",
    "unverified": "not verified",
}


def badge(flag: Flag) -> str | None:
    """The verification state of a flag, as a key of BADGES; None when verification did not look at it."""
    fields = flag.fields
    if fields.get("source") == "rendered":
        return "rendered"
    if "verified" not in fields:
        return None
    return {True: "confirmed", False: "not-shown"}.get(fields["verified"], "unverified")


def summary(verification: dict[str, Any] | None) -> str | None:
    """One sentence on what verification did for an audit (None when it was not asked)."""
    if not verification:
        return None
    if verification["status"] == "verified":
        counts = verification.get("counts") or {}
        done = ", ".join(f"{counts[k]} {word}" for k, word in (("confirmed", "confirmed"),
                                                              ("downgraded", "not shown as errors"),
                                                              ("added", "added from the page"),
                                                              ("unverifiable", "not verifiable"))
                         if counts.get(k)) or "no Cite or CS1 error to compare"
        old = f", revision {verification['old_revid']} for what the edit caused" if verification.get("old_revid") \
            else ""
        return f"Checked against revision {verification['new_revid']} as rendered by the wiki{old} " \
               f"({verification['how']}): {done}."
    return f"Not verified against the rendered page: {verification.get('reason')}."
