"""The HTML report: one self-contained page (inline CSS, optional inline JS, nothing fetched).

`render(audit)` gives the whole page; `fragment(audit)` gives its body, one `<div class="wikidiff-report">` root
with a scoped `<style>` and no script, which is what `Audit._repr_html_` shows in Jupyter. Every piece of text from
the revisions is escaped (text and attributes alike), links point only at anchors in the page, and the page's
Content-Security-Policy allows only its own inline style and script (by hash) as a second line of defence. The page
reads fully without JS; the script only adds buttons, keys (j/k) and opens folded parts.

Parts: `common` (escaping, anchors, where flags sit), `page` (head, contents, summary), `flags`, `diff` (the
section diffs), `tables` (references, moves, notes).
"""

from __future__ import annotations

from .common import Page
from .page import fragment, render

__all__ = ["Page", "fragment", "render"]
