"""Live patrol: audit a wiki's edits as they happen (EventStreams) and keep the findings in a SQLite store."""

from .findings import Finding, FindingsStore

__all__ = ["Finding", "FindingsStore"]
