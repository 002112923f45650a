"""What goes wrong in a request, as an HTTP status, a short title and one clear line for the reader.

Library errors (`wikidiff.errors`) map to statuses by class: bad input 400, a revision or page that does not exist
404, a hidden revision 403, the wiki throttling 503 (with its Retry-After), the wiki unreachable or answering
nonsense 502. Anything else is a 500 whose details go to the server log only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .. import errors


@dataclass
class Problem(Exception):
    """An answer other than 200: `status`, a `title`, the `detail` line, extra response headers."""

    status: int
    title: str
    detail: str
    headers: dict[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.status} {self.title}: {self.detail}"


#: (error class, status, title), most specific first
_BY_CLASS: tuple[tuple[type[errors.WikidiffError], int, str], ...] = (
    (errors.RevisionHidden, 403, "Revision hidden"),
    (errors.RevisionMissing, 404, "No such revision"),
    (errors.PageMissing, 404, "No such page"),
    (errors.Throttled, 503, "The wiki asks us to slow down"),
    (errors.HostUnreachable, 502, "The wiki cannot be reached"),
    (errors.BadAnswer, 502, "The wiki's answer cannot be read"),
    (errors.FetchError, 502, "Fetching the revisions failed"),
    (errors.DumpError, 400, "Unreadable input"),
    (errors.InputError, 400, "Cannot audit that"),
)


def from_error(exc: errors.WikidiffError) -> Problem:
    """The Problem a library error stands for (its message is the detail line)."""
    for cls, status, title in _BY_CLASS:
        if isinstance(exc, cls):
            headers = {}
            if isinstance(exc, errors.Throttled):
                retry = exc.retry_after
                headers["Retry-After"] = str(max(1, round(retry))) if retry is not None else "60"
            return Problem(status, title, str(exc), headers)
    return Problem(500, "Error", str(exc))


def refused(wiki: str, served: tuple[str, ...]) -> Problem:
    return Problem(403, "Wiki not served here",
                   f"this server fetches only from {', '.join(served)}; {wiki} was not asked")


def too_many(retry_after: int) -> Problem:
    return Problem(429, "Too many requests",
                   f"this server limits how many audits one client may ask for; try again in {retry_after} s",
                   {"Retry-After": str(retry_after)})


def time_limit(seconds: float) -> Problem:
    return Problem(504, "Time limit reached",
                   f"the work took longer than this server's limit of {seconds:g} s and was given up; "
                   "a very large page or a slow wiki can do that; try again later or use the wikidiff command",
                   {"Retry-After": "30"})


def busy(waiting: int) -> Problem:
    return Problem(503, "Server busy",
                   f"{waiting} requests are already waiting; try again in a little while", {"Retry-After": "10"})
