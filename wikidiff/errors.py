"""The errors wikidiff raises: one typed family, each class with the exit status the CLI gives it.

    WikidiffError (exit 2)
    ├── InputError          the input cannot be read or understood (file, URL, ids, options of a call)
    │   └── DumpError       a dump or exported history cannot be read (a dump is an input, so InputError too)
    └── FetchError          a revision could not be fetched from a wiki
        ├── RevisionMissing     the wiki has no such revision (deleted, or never existed)
        ├── RevisionHidden      the revision exists but its text is hidden (revision-deleted or suppressed)
        ├── PageMissing         no such page, or an invalid title
        ├── Throttled           the wiki keeps answering 429/5xx/maxlag, or asks to wait longer than allowed
        ├── HostUnreachable     the host does not resolve, refuses, or does not answer in time
        └── BadAnswer           the answer is not what a MediaWiki API sends (not JSON, wrong shape, wrong text)

Library messages name what went wrong in the caller's terms (parameters such as `api_url`, never a command-line
`--option`); `param` names the parameter at fault and `hint` a value to try for it, which the CLI turns into its
own option spelling. `exit_code` is a class attribute, as click's exceptions carry theirs.
"""

from __future__ import annotations


class WikidiffError(Exception):
    """Base class of every error wikidiff raises on purpose; the CLI prints one line and exits with `exit_code`."""

    exit_code = 2

    def __init__(self, message: str, *, param: str | None = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param  # the library parameter at fault ("old", "api_url", "cache" …), if one is
        self.hint = hint  # a value to give that parameter instead, if one is known


class InputError(WikidiffError):
    """The input cannot be read or understood (bad file, bad encoding, bad URL, bad ids, bad option value)."""


class DumpError(InputError):
    """A dump or exported history cannot be read (cut short, not XML, not a MediaWiki export)."""

    def __init__(self, message: str, *, path: str | None = None, **kw: str | None) -> None:
        super().__init__(message, **kw)
        self.path = path


class FetchError(WikidiffError):
    """A revision or page could not be fetched from a wiki. `site` is the wiki, `host` the host contacted."""

    def __init__(self, message: str, *, site: str | None = None, host: str | None = None,
                 revid: int | None = None, title: str | None = None, **kw: str | None) -> None:
        super().__init__(message, **kw)
        self.site = site
        self.host = host
        self.revid = revid
        self.title = title


class RevisionMissing(FetchError):
    """The wiki has no revision with that id (deleted, or never existed); `revids` lists all that were missing."""

    def __init__(self, message: str, *, revids: tuple[int, ...] = (), **kw) -> None:
        super().__init__(message, **kw)
        self.revids = revids


class RevisionHidden(FetchError):
    """The revision exists but its text is hidden; `suppressed` when oversight hid it."""

    def __init__(self, message: str, *, suppressed: bool = False, **kw) -> None:
        super().__init__(message, **kw)
        self.suppressed = suppressed


class PageMissing(FetchError):
    """No such page on the wiki (or the title is invalid there)."""


class Throttled(FetchError):
    """The wiki keeps refusing (429, 5xx, maxlag) or asks to wait longer than allowed; `retry_after` in seconds."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kw) -> None:
        super().__init__(message, **kw)
        self.retry_after = retry_after


class HostUnreachable(FetchError):
    """The host cannot be reached: its name does not resolve, it refuses connections, or it does not answer."""


class BadAnswer(FetchError):
    """The answer is not what a MediaWiki API sends: not JSON, an unexpected shape, too large, or the wrong text."""


__all__ = ["BadAnswer", "DumpError", "FetchError", "HostUnreachable", "InputError", "PageMissing",
           "RevisionHidden", "RevisionMissing", "Throttled", "WikidiffError"]
