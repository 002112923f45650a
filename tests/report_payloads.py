"""Hostile revisions for the report tests: every payload would run code, load something or change the page if a
report let it through unescaped. Each sets window.__pwned (or document.title) so a browser can tell."""

from __future__ import annotations

import wikidiff
from wikidiff.model import RevisionMeta

SCRIPT = "<script>window.__pwned='script';document.title='PWNED'</script>"
IMG = "<img src=x onerror=\"window.__pwned='onerror'\">"
JS_LINK = "[javascript:window.__pwned='extlink' click me]"
JS_ANCHOR = "<a href=\"javascript:window.__pwned='anchor'\">anchor</a>"
TEXTAREA = "</textarea></style></title><script>window.__pwned='textarea'</script>"
SVG = "<svg onload=\"window.__pwned='svg'\"></svg>"
IFRAME = "<iframe srcdoc=\"<script>parent.__pwned='iframe'</script>\"></iframe>"
META = "<meta http-equiv=\"refresh\" content=\"0;url=javascript:window.__pwned='meta'\">"
ATTR = "\" autofocus onfocus=\"window.__pwned='attr'\" x=\""
NETWORK = "<link rel=\"stylesheet\" href=\"http://127.0.0.1:9/x.css\"><base href=\"http://127.0.0.1:9/\">"
PAYLOADS = [SCRIPT, IMG, JS_LINK, JS_ANCHOR, TEXTAREA, SVG, IFRAME, META, ATTR, NETWORK]

OLD = f"""{{{{Infobox military conflict
| conflict = Test conflict
| image = Safe map.png
| caption = The situation in 2023
}}}}
'''Hostile''' is a test page.<ref name="keep">A kept source.</ref>

== History ==
The first claim was disputed.{{{{citation needed|reason={IMG} {SCRIPT}|date=May 2024}}}} It stayed for years.\
<ref name="gone">The old source {TEXTAREA}</ref>

Context paragraph one stays the same.

Context paragraph two stays the same.

Context paragraph three stays the same.

Context paragraph four stays the same.

The last paragraph changes one word: old.
"""

NEW = f"""{{{{Infobox military conflict
| conflict = Test conflict
| image = {SCRIPT}.png
| caption = {TEXTAREA}
}}}}
'''Hostile''' is a test page.<ref name="keep">A kept source.</ref>

== History ==
New text {SCRIPT} and {IMG} and {JS_LINK} and {JS_ANCHOR}.<ref name="gone"/><ref name="{SCRIPT}"/>
{SVG} {IFRAME} {META} {NETWORK} {ATTR} regime

Context paragraph one stays the same.

Context paragraph two stays the same.

Context paragraph three stays the same.

Context paragraph four stays the same.

The last paragraph changes one word: new.

== {SCRIPT} Aftermath ==
Added section {IMG} with a claim that is entirely unsourced and long enough to count as a new paragraph of prose.
"""

OLD_META = RevisionMeta(revid=100, title=f"Hostile {SCRIPT}", user=f"{ATTR}{IMG}", comment=TEXTAREA,
                        timestamp="2024-05-01T00:00:00Z", source="old.wiki")
NEW_META = RevisionMeta(revid=101, parentid=100, title=f"Hostile {SCRIPT}", user=IMG, comment=f"{SCRIPT} {JS_LINK}",
                        timestamp="2024-05-02T00:00:00Z", source="new.wiki")


def hostile_audit() -> wikidiff.Audit:
    return wikidiff.audit(OLD, NEW, old_meta=OLD_META, new_meta=NEW_META)
