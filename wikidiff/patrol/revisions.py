"""Both revisions of many edits at once, through the project's polite API client and its revision cache.

The client asks for up to 50 revisions per request and caches each; an edit whose revision cannot be had
(deleted or hidden since, not wikitext, a fault that outlasted the retries) is reported on its own and does not
sink the batch it came in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..errors import WikidiffError
from ..sources.cache import StoredRevision
from ..sources.client import WikiClient
from .events import Edit

Loaded = tuple[StoredRevision, StoredRevision]


def load_edits(client: WikiClient, edits: Sequence[Edit], *,
               notify: Callable[[str], None]) -> dict[int, Loaded | str]:
    """{new revid: (old, new) revisions, or a one-line reason it could not be loaded} for each edit."""
    ids = list(dict.fromkeys(r for e in edits for r in (e.old, e.new)))
    found: dict[int, StoredRevision] = {}
    problems: dict[int, str] = {}
    try:
        found, hidden, missing = client.load_many(ids)
    except WikidiffError as exc:  # one bad revision (say, not wikitext) fails the batch: try the edits one by one
        if len(edits) == 1:
            return {edits[0].new: str(exc)}
        out: dict[int, Loaded | str] = {}
        for edit in edits:
            out.update(load_edits(client, [edit], notify=notify))
        return out
    for revid, meta in hidden.items():
        problems[revid] = f"the text of revision {revid} is hidden ({meta.source})"
    for revid in missing:
        problems[revid] = f"revision {revid} does not exist on {client.site} (deleted since?)"
    result: dict[int, Loaded | str] = {}
    for edit in edits:
        reason = problems.get(edit.old) or problems.get(edit.new)
        if reason is not None:
            result[edit.new] = reason
        elif edit.old in found and edit.new in found:
            result[edit.new] = (found[edit.old], found[edit.new])
        else:
            result[edit.new] = f"revisions {edit.old} and {edit.new} did not come back"
    return result
