"""wikidiff: audit Wikipedia revision diffs.

>>> import wikidiff
>>> a = wikidiff.audit("Text.<ref name=a>A</ref> More.<ref name=a/>", "Text. More.<ref name=a/>")
>>> [(f.code, f.fields["name"], f.fields["caused_by_edit"]) for f in a.flags]
[('broken-ref', 'a', True)]
"""

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
from .history import History, history
from .model import Flag, RevisionMeta
from .text.document import Document

__all__ = ["Audit", "BadAnswer", "Document", "DumpError", "FetchError", "Flag", "History", "HostUnreachable",
           "InputError", "PageMissing", "Pair", "RevisionHidden", "RevisionMissing", "RevisionMeta", "Throttled",
           "WikidiffError", "audit", "audit_documents", "fetch", "history", "__version__"]
