"""A page's history for the web: reverts, mutual reverts, M and refs over time as plain rows, and the plots as
PNG data: URIs (the page policy allows images from data: only besides its own files)."""

from __future__ import annotations

import base64
import io
import math
import threading
from dataclasses import dataclass, field
from typing import Any

#: rows of each table shown on the page (newest first); the JSON of `wikidiff history` has them all
SHOWN = 200
_PLOT_LOCK = threading.Lock()  # matplotlib's shared state (font cache, converters) is not thread-safe


@dataclass
class HistoryView:
    wiki: str
    title: str
    summary: dict[str, Any]
    reverts: list[dict[str, Any]]
    mutual: list[dict[str, Any]]
    refs: list[dict[str, Any]]
    plots: list[tuple[str, str]] = field(default_factory=list)  # (caption, data: URI)
    notes: list[str] = field(default_factory=list)
    limit: int = 0


def _plain(value: Any) -> Any:
    """A table cell as a plain value: None for missing, ISO text for times, int for whole numbers."""
    if value is None:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        import pandas as pd

        if value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, pd.Timestamp):
            return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    except ImportError:  # pragma: no cover
        pass
    if hasattr(value, "item"):
        return value.item()
    return value


def _records(df: Any, columns: list[str], sort: str | None = None, limit: int = SHOWN) -> list[dict[str, Any]]:
    if df is None or len(df) == 0:
        return []
    if sort is not None:
        df = df.sort_values(sort, ascending=False, kind="stable")
    return [{c: _plain(r[c]) for c in columns} for r in df.head(limit).to_dict("records")]


def build(history: Any, wiki: str, title: str, limit: int, since: str | None = None,
          plots: bool = True) -> HistoryView:
    pages = history.pages
    summary = {k: _plain(v) for k, v in pages.iloc[0].to_dict().items()} if len(pages) else {}
    view = HistoryView(
        wiki=wiki, title=title, summary=summary, limit=limit,
        reverts=_records(history.reverts, ["timestamp", "reverting", "reverting_user", "reverted", "reverted_user",
                                           "reverted_to", "distance", "self_revert"], sort="timestamp"),
        mutual=_records(history.mutual_reverts, ["editor_a", "editor_b", "a_reverted_b", "b_reverted_a", "edits_a",
                                                 "edits_b", "weight", "topmost"], sort="weight"),
        refs=_records(history.refs, ["name", "url", "content", "added_revid", "added_timestamp", "added_by",
                                     "removed_revid", "removed_timestamp", "removed_by", "removal_reverted",
                                     "revisions"], sort="added_timestamp"),
    )
    if summary.get("revisions") and summary["revisions"] >= limit:
        start = f"from {since}" if since else "of the page"
        view.notes.append(f"Only the first {limit} revisions {start} were read (this server's limit); give a later "
                          f"start date to see later ones.")
    if plots:
        view.plots, note = _plots(history)
        if note:
            view.notes.append(note)
    return view


def _plots(history: Any) -> tuple[list[tuple[str, str]], str | None]:
    try:
        from matplotlib.figure import Figure
    except ImportError:
        return [], "Plots need matplotlib (pip install 'wikidiff[plots]'), which this server lacks."
    from ..histories import plots

    out = []
    with _PLOT_LOCK:
        for caption, draw, size in (
            ("Edits, reverts and reverted edits over time", lambda ax: plots.plot_activity(history.revisions, ax=ax),
             (9, 3.5)),
            ("References in each revision", lambda ax: plots.plot_refs(history.revisions, ax=ax), (9, 3.5)),
            ("Who reverts whom", lambda ax: plots.plot_revert_graph(history.reverts, history.revisions, ax=ax),
             (7, 7)),
        ):
            fig = Figure(figsize=size, dpi=96)
            draw(fig.subplots())
            buf = io.BytesIO()
            fig.savefig(buf, format="png", bbox_inches="tight")
            out.append((caption, "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode("ascii")))
    return out, None
