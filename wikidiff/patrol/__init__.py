"""Live patrol: audit a wiki's edits as they happen (EventStreams) and keep the findings in a SQLite store.

`watch(...)` returns a `Patrol`; iterate over it for its `Finding`s. Importing this package stays light: the
stream client, mwclient and the auditor load when a patrol is made.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .findings import Finding, FindingsStore

if TYPE_CHECKING:
    from .engine import Patrol

__all__ = ["Finding", "FindingsStore", "Patrol", "watch"]


def watch(**options: Any) -> Patrol:
    """A patrol of live edits; see `wikidiff.patrol.engine.watch` for the options."""
    from .engine import watch as make

    return make(**options)


def __getattr__(name: str) -> Any:
    if name == "Patrol":
        from .engine import Patrol

        return Patrol
    raise AttributeError(name)
