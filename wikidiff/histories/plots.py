"""Plots of a history for notebooks (matplotlib): activity and reverts over time, refs over time, who reverts whom.

Each function takes the tables of `wikidiff.history(...)` (or `History.load(folder)`), draws on `ax` (a new
figure when None) and returns the Axes.
"""

from __future__ import annotations

import math
from typing import Any


def _axes(ax: Any, figsize: tuple[float, float] = (9, 3.5)) -> Any:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


#: the period a resampling frequency stands for, in axis labels
_UNITS = {"h": "hour", "D": "day", "W": "week", "MS": "month", "YS": "year", "min": "minute", "5min": "5 minutes"}


def _auto_freq(ts: Any) -> str:
    span = (ts.max() - ts.min()).total_seconds() if len(ts) else 0
    day = 86400
    for limit, freq in ((3 * day, "h"), (120 * day, "D"), (3 * 365 * day, "W"), (30 * 365 * day, "MS")):
        if span <= limit:
            return freq
    return "YS"


def activity(revisions: Any, freq: str | None = None) -> Any:
    """Edits, reverts and reverted edits per period (a DataFrame indexed by period start)."""
    import pandas as pd

    df = revisions.dropna(subset=["timestamp"])
    if df.empty:
        return pd.DataFrame(columns=["edits", "reverts", "reverted"])
    freq = freq or _auto_freq(df["timestamp"])
    g = df.set_index("timestamp").resample(freq)
    return pd.DataFrame({
        "edits": g["revid"].count(),
        "reverts": g["is_revert"].sum().astype(int),
        "reverted": g["is_reverted"].sum().astype(int),
    })


def plot_activity(revisions: Any, ax: Any = None, freq: str | None = None, title: str | None = None) -> Any:
    """Edits per period as bars, with reverts and reverted edits as lines."""
    ax = _axes(ax)
    act = activity(revisions, freq)
    if not act.empty:
        x = act.index
        width = (x[1] - x[0]) * 0.8 if len(x) > 1 else 0.8
        ax.bar(x, act["edits"], width=width, color="#9fb7d9", label="edits", align="edge")
        ax.plot(x, act["reverts"], color="#c0392b", marker=".", label="reverts")
        ax.plot(x, act["reverted"], color="#e67e22", linestyle="--", label="reverted edits")
    ax.set_ylabel(f"revisions per {_UNITS.get(freq or _auto_freq(revisions['timestamp'].dropna()), 'period')}")
    ax.set_xlabel("date (UTC)")
    ax.set_title(title or _title(revisions, "activity and reverts"))
    ax.legend(loc="upper left", frameon=False)
    ax.figure.autofmt_xdate()
    return ax


def plot_refs(revisions: Any, ax: Any = None, title: str | None = None) -> Any:
    """The number of references (distinct definitions) in each revision over time; reverted revisions marked."""
    ax = _axes(ax)
    df = revisions.dropna(subset=["timestamp", "refs"]).sort_values("timestamp")
    if not df.empty:
        ax.step(df["timestamp"], df["refs"].astype(int), where="post", color="#2c3e50", label="refs")
        rev = df[df["is_reverted"].fillna(False).astype(bool)]
        if not rev.empty:
            ax.scatter(rev["timestamp"], rev["refs"].astype(int), s=10, color="#e67e22", zorder=3,
                       label="reverted revisions")
    ax.set_ylabel("references (distinct definitions)")
    ax.set_xlabel("date (UTC)")
    ax.set_title(title or _title(revisions, "references over time"))
    ax.legend(loc="upper left", frameon=False)
    ax.figure.autofmt_xdate()
    return ax


def revert_edges(reverts: Any) -> Any:
    """Who reverted whom: one row per (reverting_user, reverted_user) with the count (self-reverts left out)."""
    df = reverts.dropna(subset=["reverting_user", "reverted_user"])
    df = df[df["reverting_user"] != df["reverted_user"]]
    return (df.groupby(["reverting_user", "reverted_user"]).size().rename("reverts").reset_index()
            .sort_values("reverts", ascending=False, kind="stable"))


def plot_revert_graph(reverts: Any, revisions: Any = None, ax: Any = None, top: int = 20,
                      title: str | None = None) -> Any:
    """Editors on a circle (the `top` most involved in reverts), an arrow from reverter to reverted, thicker for
    more reverts, red where the pair reverted each other; node size grows with the editor's edits."""
    ax = _axes(ax, figsize=(7, 7))
    edges = revert_edges(reverts)
    involvement: dict[str, int] = {}
    for r in edges.itertuples():
        involvement[r.reverting_user] = involvement.get(r.reverting_user, 0) + r.reverts
        involvement[r.reverted_user] = involvement.get(r.reverted_user, 0) + r.reverts
    names = sorted(involvement, key=lambda u: (-involvement[u], u))[:top]
    keep = set(names)
    edges = edges[edges["reverting_user"].isin(keep) & edges["reverted_user"].isin(keep)]
    pos = {u: (math.cos(2 * math.pi * i / max(len(names), 1)), math.sin(2 * math.pi * i / max(len(names), 1)))
           for i, u in enumerate(names)}
    pairs = set(zip(edges["reverting_user"], edges["reverted_user"], strict=True))
    most = max(edges["reverts"].max(), 1) if len(edges) else 1
    for r in edges.itertuples():
        mutual = (r.reverted_user, r.reverting_user) in pairs
        ax.annotate("", xy=pos[r.reverted_user], xytext=pos[r.reverting_user],
                    arrowprops={"arrowstyle": "-|>", "color": "#c0392b" if mutual else "#7f8c8d",
                                "lw": 0.6 + 3.0 * r.reverts / most, "alpha": 0.75, "shrinkA": 8, "shrinkB": 8,
                                "connectionstyle": "arc3,rad=0.12"})
    edits = {}
    if revisions is not None and len(revisions):
        edits = revisions["user"].value_counts().to_dict()
    for u in names:
        x, y = pos[u]
        ax.scatter([x], [y], s=30 + 8 * math.sqrt(edits.get(u, 1)) * 4, color="#34495e", zorder=3)
        ax.annotate(u, (x, y), xytext=(1.2 * x, 1.2 * y), ha="center", va="center", fontsize=8)
    ax.set_xlim(-1.5, 1.5)
    ax.set_ylim(-1.4, 1.4)
    ax.set_aspect("equal")
    ax.axis("off")
    from matplotlib.lines import Line2D

    ax.legend(handles=[Line2D([], [], color="#c0392b", lw=2, label="reverted each other"),
                       Line2D([], [], color="#7f8c8d", lw=2, label="one way (thicker: more revisions reverted)"),
                       Line2D([], [], color="#34495e", marker="o", lw=0, label="editor (size: edits to the page)")],
              loc="lower center", bbox_to_anchor=(0.5, -0.12), frameon=False, fontsize=8, ncol=1)
    ax.set_title(title or _title(revisions if revisions is not None else reverts, "who reverts whom"))
    return ax


def _title(df: Any, what: str) -> str:
    if df is not None and "title" in df.columns:
        titles = df["title"].dropna().unique()
        if len(titles) == 1:
            return f"{titles[0]}: {what}"
    return what
