"""A revision as its wiki renders it, fetched once and kept in the revision cache (for wikidiff.verify).

Asked with `action=parse&oldid=REVID&prop=text&formatversion=2` (plus `disablelimitreport` and
`disableeditsection`, which only drop markup verify does not read) and `uselang=qqx`: Cite writes its errors in the
reader's interface language, and in the pseudo-language qqx every message is its key, `(cite_error:
(cite_error_references_no_text: NAME))`, so each error is read by key on any wiki whatever its local rewording.
The price is that such a parse is not served from the parser cache: only the revisions verify needs are asked for,
one request each, in series, through the client's polite session (User-Agent, maxlag, retries with back-off), and
the answer is cached by (site, revid, variant), so nothing is fetched twice.

The "parsoid" variant adds `parsoid=1` (MediaWiki 1.41 and later; Wikimedia wikis serve it), whose HTML states
each error's key in `data-mw`. A wiki that does not know the parameter answers with the legacy HTML and a warning;
that answer is used and said so. The REST endpoint (/w/rest.php/v1/revision/ID/html) serves the same Parsoid HTML
but is not used: it would be a second API with its own politeness and error shapes, for no more information.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from ..errors import BadAnswer, FetchError, InputError

if TYPE_CHECKING:
    from .client import WikiClient

Variant = Literal["legacy", "parsoid"]
VARIANTS: tuple[Variant, ...] = ("legacy", "parsoid")
#: the cache's name for each variant (the request that made it)
CACHE_KEYS = {"legacy": "parse-qqx", "parsoid": "parse-parsoid-qqx"}


@dataclass(frozen=True)
class RenderedRevision:
    """One revision's rendered HTML and how it was obtained."""

    revid: int
    variant: Variant
    html: str
    source: Literal["api", "cache"]
    notes: tuple[str, ...] = field(default=())

    @property
    def how(self) -> str:
        return describe(self.variant)


def describe(variant: Variant) -> str:
    """How a variant is asked for, as the reports say it."""
    shape = "Parsoid HTML" if variant == "parsoid" else "legacy parser HTML"
    return f"action=parse ({shape}, uselang=qqx)"


def parse_params(revid: int, variant: Variant) -> dict[str, str]:
    """The action=parse parameters for one revision (formatversion 2 and maxlag are added by the client)."""
    params = {"oldid": str(revid), "prop": "text", "uselang": "qqx", "disablelimitreport": "1",
              "disableeditsection": "1"}
    if variant == "parsoid":
        params["parsoid"] = "1"
    return params


#: how long a cached rendering is used before it is asked for again (offline: any age): a revision's HTML
#: changes when a template it uses is edited, and the wiki itself renders a page anew within weeks
RENDERING_MAX_AGE_DAYS = 7


class Renderings:
    """Rendered revisions of one wiki, read through `client` (its cache, its politeness, its offline mode)."""

    def __init__(self, client: WikiClient, *, variant: Variant = "legacy") -> None:
        if variant not in VARIANTS:
            raise InputError(f"the rendering must be one of {', '.join(VARIANTS)}, not {variant!r}", param="parser")
        self.client = client
        self.variant = variant

    @property
    def site(self) -> str:
        return self.client.site

    def get(self, revid: int) -> RenderedRevision:
        """The revision's HTML: from the cache when there and younger than RENDERING_MAX_AGE_DAYS (offline: of any
        age), else asked of the wiki (and then cached).

        Raises the client's typed FetchErrors: RevisionMissing, RevisionHidden (its text is deleted), BadAnswer
        (an answer without HTML, or an error such as a parse that timed out on the server)."""
        client, key = self.client, CACHE_KEYS[self.variant]
        cache = client.cache
        if cache is not None:
            html = cache.get_rendering(client.site, revid, key, None if client.offline else RENDERING_MAX_AGE_DAYS)
            if html is not None:
                return RenderedRevision(revid, self.variant, html, "cache")
        if client.offline:
            raise FetchError(f"offline: the rendering of revision {revid} of {client.site} is not in the cache",
                             site=client.site, revid=revid)
        client.say(f"fetching the rendering of revision {revid} ({self.variant})")
        answer = client.api("parse", **parse_params(revid, self.variant))
        html = _text(answer, revid, client.api_url)
        notes: tuple[str, ...] = ()
        if self.variant == "parsoid" and "parsoid" in _warnings(answer):
            notes = (f"{client.site} does not serve Parsoid HTML through action=parse: its legacy parser HTML "
                     f"was read instead",)
        if cache is not None:
            cache.put_rendering(client.site, revid, key, html)
        return RenderedRevision(revid, self.variant, html, "api", notes)


def _text(answer: dict[str, Any], revid: int, api_url: str) -> str:
    parse = answer.get("parse")
    text = parse.get("text") if isinstance(parse, dict) else None
    if isinstance(text, dict):  # formatversion=1 shape, should a wiki ignore formatversion=2
        text = text.get("*")
    if not isinstance(text, str):
        raise BadAnswer(f"{api_url} answered action=parse for revision {revid} without the page's HTML",
                        revid=revid)
    got = parse.get("revid") if isinstance(parse, dict) else None
    if got is not None and got != revid:
        raise BadAnswer(f"{api_url} rendered revision {got} when revision {revid} was asked", revid=revid)
    return text


def _warnings(answer: dict[str, Any]) -> str:
    warnings = answer.get("warnings")
    if not isinstance(warnings, dict):
        return ""
    parts = []
    for value in warnings.values():
        if isinstance(value, dict):
            parts += [str(v) for v in value.values()]
        else:
            parts.append(str(value))
    return " ".join(parts)
