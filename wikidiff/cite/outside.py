"""Why a name the wikitext never defines may still be defined on the rendered page.

Templates can define named refs in their own output, which wikitext alone does not show. Two signs are read:
- a comment at a use of the name (only space between) that says so: it mentions a template (`{{…}}`,
  `Template:`) or that the ref is defined elsewhere ("defined by", "defined in" …);
- the page transcludes a template the wiki's table (data/ref_templates.json, `defines_refs`) lists as defining
  refs.
Either makes a broken-ref an info with the reason, not an error: the editor should look, not revert.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..model import Ref
from ..text.braces import all_calls
from ..text.document import Document
from ..text.titles import canonical_key
from .index import ref_templates

#: a comment that says where the ref comes from (English and the words other wikis use for "template")
_SAYS_DEFINED = re.compile(
    r"\{\{|\b(?:template|vorlage|modèle|modele|plantilla|predefinição|szablon|sjabloon|шаблон|模板|テンプレート)\b"
    r"|\bdefined\b|\bdefinition\b|\bdéfini|\bdefinie|\bdefinid|\bопредел",
    re.IGNORECASE,
)
_SPACE = re.compile(r"[ \t]*")


def defined_outside(doc: Document, uses: Iterable[Ref]) -> str | None:
    """The reason to think a template defines the name these uses invoke, or None."""
    for use in uses:
        comment = _adjacent_comment(doc, use)
        if comment is not None and _SAYS_DEFINED.search(comment):
            return f"a comment at its use says: {_clip(comment)}"
    return _transcludes_definer(doc)


def _transcludes_definer(doc: Document) -> str | None:
    """The reason when the page transcludes a template listed as defining refs (asked once per page: a page with
    thousands of broken names reads its calls once)."""
    if "transcludes_definer" not in doc.memo:
        listed = ref_templates(doc.lang)["defines_refs"]
        doc.memo["transcludes_definer"] = next(
            (f"the page transcludes {{{{{call.name.strip()}}}}}, which defines refs"
             for call in (all_calls(doc.scan).values() if listed else ()) if canonical_key(call.name) in listed),
            None)
    reason: str | None = doc.memo["transcludes_definer"]
    return reason


def _adjacent_comment(doc: Document, ref: Ref) -> str | None:
    """The text of a comment right after (or else right before) the ref, with only spaces between."""
    text = doc.text
    spaces = _SPACE.match(text, ref.end)
    after = spaces.end() if spaces else ref.end
    if text.startswith("<!--", after):
        close = text.find("-->", after + 4)
        return text[after + 4:close if close >= 0 else len(text)].strip()
    before = text[:ref.start].rstrip(" \t")
    if before.endswith("-->"):
        opened = before.rfind("<!--")
        if opened >= 0:
            return before[opened + 4:-3].strip()
    return None


def _clip(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
