"""audit(): two revisions in, one Audit out. The pipeline is parse -> diff -> checks, in one direction."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .checks import run_checks
from .checks.base import CheckContext
from .cite.index import ref_index
from .codes import SEVERITIES
from .diff import Move, diff_refs, diff_sections, paragraph_map
from .diff.words import FOLD_LINES, diff_budget, folded_lines
from .model import Flag as Flag
from .model import RefChange, RevisionMeta, SectionChange
from .rescue import RescueSources, attach_rescues
from .restored import mark_restored
from .sources.siteinfo import SiteInfo
from .text.document import Document
from .text.titles import MaintenanceTags

if TYPE_CHECKING:
    from .sources.renderings import Renderings

SCHEMA_VERSION = 1


@dataclass
class Audit:
    """The result of auditing one edit: what changed and what an editor should review."""

    old_meta: RevisionMeta
    new_meta: RevisionMeta
    old: Document
    new: Document
    sections: list[SectionChange]
    references: list[RefChange]
    flags: list[Flag]
    notes: list[str] = field(default_factory=list)
    moves: list[Move] = field(default_factory=list)
    verification: dict[str, Any] | None = None  # set by wikidiff.verify: how the flags were checked on the rendering
    #: flags on text the edit restored from an earlier revision (see wikidiff.restored): out of `flags`, the
    #: counts and the text/HTML reports; in the JSON's flags with `restored: true`
    restored: list[Flag] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, Any]:
        def count(kind: str) -> int:
            return sum(1 for s in self.sections if s.change == kind)

        added = sum(len(o.text.encode("utf-8", "surrogatepass")) for s in self.sections for o in s.ops
                    if o.op == "insert")
        removed = sum(len(o.text.encode("utf-8", "surrogatepass")) for s in self.sections for o in s.ops
                      if o.op == "delete")
        for s in self.sections:  # a rename replaces the heading line: its bytes count too, so the sums add up
            if s.renamed and s.old is not None and s.new is not None:
                removed += len(self.old.text[s.old.start:s.old.body_start].encode("utf-8", "surrogatepass"))
                added += len(self.new.text[s.new.start:s.new.body_start].encode("utf-8", "surrogatepass"))
        sev = dict.fromkeys(SEVERITIES, 0)
        for f in self.flags:
            sev[f.severity] += 1
        return {
            "bytes_added": added,
            "bytes_removed": removed,
            "size_change": _bytes(self.new) - _bytes(self.old),
            "sections_changed": len(self.sections),
            "sections_added": count("added"),
            "sections_removed": count("removed"),
            "sections_modified": sum(1 for s in self.sections if s.modified and s.old and s.new),
            "sections_moved": sum(1 for s in self.sections if s.moved),
            "sections_renamed": sum(1 for s in self.sections if s.renamed),
            "refs_added": sum(1 for r in self.references if r.change == "added"),
            "refs_removed": sum(1 for r in self.references if r.change == "removed"),
            "refs_modified": sum(1 for r in self.references if r.change == "modified"),
            "paragraphs_moved": len(self.moves),
            "flags": len(self.flags),
            "errors": sev["error"],
            "warnings": sev["warning"],
            "infos": sev["info"],
            "restored": len(self.restored),
            "identical": self.old.digest == self.new.digest,
        }

    def to_dict(self) -> dict[str, Any]:
        """The stable JSON contract (see DESIGN.md "Output contract")."""
        return {
            "schema": SCHEMA_VERSION,
            "old": self.old_meta.to_dict(),
            "new": self.new_meta.to_dict(),
            "summary": self.summary,
            "sections": [s.to_dict() for s in self.sections],
            "references": [r.to_dict() for r in self.references],
            "flags": [f.to_dict() for f in [*self.flags, *self.restored]],
            "moves": [m.to_dict() for m in self.moves],
            "notes": list(self.notes),
            "verification": self.verification,
        }

    def to_json(self, indent: int | None = 2) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def flags_frame(self):
        """Flags as a pandas DataFrame, one row per flag (code-specific fields as columns)."""
        import pandas as pd

        return pd.DataFrame([f.to_dict() for f in self.flags],
                            columns=None if self.flags else ["code", "severity", "message", "section"])

    def references_frame(self):
        import pandas as pd

        rows = [r.to_dict() for r in self.references]
        return pd.DataFrame(rows, columns=None if rows else ["change", "name", "group", "old", "new"])

    def sections_frame(self):
        import pandas as pd

        rows = [{k: v for k, v in s.to_dict().items() if k != "diff"} for s in self.sections]
        return pd.DataFrame(rows, columns=None if rows else ["change", "old_heading", "new_heading"])

    def __repr__(self) -> str:
        s = self.summary
        return (f"<Audit {s['sections_changed']} sections changed, refs +{s['refs_added']}/-{s['refs_removed']}"
                f"/~{s['refs_modified']}, {s['errors']} errors, {s['warnings']} warnings, {s['infos']} info>")


def _bytes(doc: Document) -> int:
    """The revision's size in bytes (UTF-8), counted once per parsed revision."""
    n = doc.memo.get("auditor.bytes")
    if n is None:
        n = doc.memo["auditor.bytes"] = len(doc.text.encode("utf-8", "surrogatepass"))
    return n


def audit_documents(old: Document, new: Document, *, old_meta: RevisionMeta | None = None,
                    new_meta: RevisionMeta | None = None, lang: str = "en",
                    rescue: bool | RescueSources = False, site: SiteInfo | None = None,
                    tags: MaintenanceTags | None = None, earlier: Iterable[str] | None = None) -> Audit:
    """Audit two already parsed revisions (a history parses each revision once and reuses it).

    `lang` is the wiki's language; `site` its own siteinfo when fetched (wikidiff.sources.siteinfo), else the
    shipped fallback for `lang` is used; `tags` the maintenance-tag table with the wiki's own redirects
    (wikidiff.fetch.site_knowledge), else the shipped one.

    With `rescue`, each broken-ref flag gets a `rescue` field saying where its definition was found (the old
    revision; with RescueSources also the page's earlier revisions and other articles), or None.
    With `earlier` (the texts of the page's revisions before the edit, the old one included), flags on text the
    edit restored from them move to `Audit.restored` (see wikidiff.restored)."""
    with diff_budget():  # one time budget for all the audit's diffs, however many sections changed
        sections = diff_sections(old, new)
        references = diff_refs(old, new)
        paragraphs = paragraph_map(old, new, sections)
        moves = paragraphs.moves
        ctx = CheckContext(old, new, sections, lang, moves=moves, kept=paragraphs.kept, site_info=site,
                           tag_table=tags)
        flags = run_checks(ctx)
    notes = list(ctx.notes)
    removed, added = folded_lines()
    if removed or added:
        notes.append(f"{removed:,} removed and {added:,} added lines were shown whole, not compared line by line "
                     f"(over {FOLD_LINES:,} in one block): added text there may include text only reworded")
    if paragraphs.unsearched:
        notes.append(f"moves were not searched: the edit changes {paragraphs.unsearched:,} lines (over "
                     f"{FOLD_LINES:,}), so text moved within it shows as removed and added")
    unanalysed = ref_index(new).unanalysed
    if unanalysed:
        made = ", ".join(f"{{{{{name}}}}} x{n}" for name, n in sorted(unanalysed.items()))
        notes.append(f"refs made by templates were not analysed (their names and content exist only after "
                     f"expansion): {made}")
    if rescue:
        attach_rescues(flags, old, new, new_meta=new_meta,
                       sources=rescue if isinstance(rescue, RescueSources) else None)
    restored: list[Flag] = []
    if earlier is not None and mark_restored(flags, new.text, earlier):
        restored = [f for f in flags if f.fields.get("restored")]
        flags = [f for f in flags if not f.fields.get("restored")]
    return Audit(old_meta or RevisionMeta(), new_meta or RevisionMeta(), old, new, sections, references, flags,
                 notes, moves, restored=restored)


def audit(old_text: str, new_text: str, *, old_meta: RevisionMeta | None = None,
          new_meta: RevisionMeta | None = None, lang: str = "en", rescue: bool | RescueSources = False,
          verify: bool | Renderings = False, site: SiteInfo | None = None,
          tags: MaintenanceTags | None = None, earlier: Iterable[str] | None = None) -> Audit:
    """Audit the edit that turned `old_text` into `new_text` (both whole revisions, not diff hunks).

    `rescue=True` looks for each broken named ref's definition in the old revision; a RescueSources (see
    wikidiff.fetch.rescue_sources) also searches the page's earlier revisions and the articles it points to.
    `verify=True` checks the Cite flags against the wiki's rendering of the revisions (the wiki of `new_meta.site`,
    its revision ids; see wikidiff.verify); a Renderings (wikidiff.fetch.renderings) names the wiki and how to ask.
    `earlier`: the texts of the page's revisions before the edit (wikidiff.fetch.earlier_texts gets them): flags
    on text restored from them go to `Audit.restored` (wikidiff.restored).
    """
    result = audit_documents(Document.from_text(old_text, lang), Document.from_text(new_text, lang),
                             old_meta=old_meta, new_meta=new_meta, lang=lang, rescue=rescue, site=site,
                             tags=tags, earlier=earlier)
    if verify is False:
        return result
    from .verify import verify_audit

    if verify is True:
        return verify_audit(result, None)
    return verify_audit(result, verify)
