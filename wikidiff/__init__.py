"""wikidiff: audit Wikipedia revision diffs.

>>> import wikidiff
>>> a = wikidiff.audit("Text.<ref name=a>A</ref> More.<ref name=a/>", "Text. More.<ref name=a/>")
>>> [(f.code, f.fields["name"], f.fields["caused_by_edit"]) for f in a.flags]
[('broken-ref', 'a', True)]
"""

from .auditor import Audit, audit, audit_documents
from .errors import FetchError, InputError, WikidiffError
from .history import History, history
from .model import Flag, RevisionMeta
from .parse import Document

__version__ = "0.1.0"

__all__ = ["Audit", "Document", "FetchError", "Flag", "History", "InputError", "RevisionMeta", "WikidiffError",
           "audit", "audit_documents", "history", "__version__"]
