"""wikidiff: audit Wikipedia revision diffs.

>>> import wikidiff
>>> a = wikidiff.audit("Text.<ref name=a>A</ref> More.<ref name=a/>", "Text. More.<ref name=a/>")
>>> [(f.code, f.fields["name"], f.fields["caused_by_edit"]) for f in a.flags]
[('broken-ref', 'a', True)]
"""

# ruff: noqa: E402 - the start-up interrupt handler goes in before the heavier imports

from __future__ import annotations

from ._cli_start import quiet_interrupt_while_starting

quiet_interrupt_while_starting()  # the command line only: Ctrl-C during the imports below exits 130 quietly

from typing import TYPE_CHECKING, Any

from ._version import __version__
from .auditor import Audit, audit, audit_documents
from .errors import (
    BadAnswer,
    DumpError,
    FetchError,
    HostUnreachable,
    InputError,
    PageMissing,
    RevisionHidden,
    RevisionMissing,
    Throttled,
    WikidiffError,
)
from .fetch import Pair, fetch
from .model import Flag, RevisionMeta
from .text.document import Document

if TYPE_CHECKING:
    from .histories import History


def history(source: Any = None, **options: Any) -> History:
    """Audit every consecutive pair of page histories: see `wikidiff.histories.history` (imported when called)."""
    from .histories import history as run

    return run(source, **options)


def __getattr__(name: str) -> Any:
    if name == "History":  # the tables of a history (pandas), imported when first named
        from .histories import History

        return History
    raise AttributeError(f"module 'wikidiff' has no attribute {name!r}")


def _audit_html(audit: Audit) -> str:
    """Jupyter shows an Audit as the HTML report: one scoped <div>, no script. Set here, at the top of the layers,
    because the report sits above the auditor."""
    from .report.html import fragment

    return fragment(audit)


setattr(Audit, "_repr_html_", _audit_html)  # noqa: B010  (a method added from above: mypy sees no override)

__all__ = ["Audit", "BadAnswer", "Document", "DumpError", "FetchError", "Flag", "History", "HostUnreachable",
           "InputError", "PageMissing", "Pair", "RevisionHidden", "RevisionMissing", "RevisionMeta", "Throttled",
           "WikidiffError", "audit", "audit_documents", "fetch", "history", "__version__"]
