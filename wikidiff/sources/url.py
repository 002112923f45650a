"""Diff URLs -> what they name: the wiki, its API endpoint, and the revisions or page to compare.

Understood forms (on any host; `.m.` mobile hosts map to the same wiki):
`/w/index.php?title=T&diff=NEW&oldid=OLD`, `diff=prev|next|cur` relative to `oldid`, `oldid` alone (a permanent
link: the edit that made it), `curid=PAGEID` (the page's latest edit), `/wiki/Special:Diff/OLD/NEW`,
`/wiki/Special:Diff/NEW`, `/wiki/Special:PermanentLink/N`, and the mobile `Special:MobileDiff/NEW` and
`Special:MobileDiff/OLD...NEW`. Anything else raises `InputError` with one line saying why.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import SplitResult, parse_qs, quote, unquote, urlsplit

from ..errors import InputError

#: relative revision keywords of `diff=` (MediaWiki also reads an empty value and 0 as "cur")
KEYWORDS = ("prev", "next", "cur")

#: registrable domains of Wikimedia wikis: HTTPS only, `/w/api.php`, and `xx.m.` / `m.` mobile hosts
WIKIMEDIA_DOMAINS = (
    "wikipedia.org", "wiktionary.org", "wikibooks.org", "wikinews.org", "wikiquote.org", "wikisource.org",
    "wikiversity.org", "wikivoyage.org", "wikimedia.org", "wikidata.org", "mediawiki.org", "wikifunctions.org",
)

#: the Special namespace as written in URLs: the canonical name works on every wiki; a few common local names
SPECIAL_NAMESPACES = frozenset({
    "special", "spezial", "spécial", "especial", "speciale", "speciaal", "specjalna", "служебная", "特別",
})

_DIGITS = re.compile(r"[0-9]+")
#: the largest id a wiki (and the SQLite cache) can hold
MAX_ID = 2 ** 63 - 1
_HOST = re.compile(r"^[a-z0-9.-]+(:[0-9]+)?$")


@dataclass(frozen=True)
class DiffTarget:
    """What a diff URL (or a site with old/new revision ids, or a title) asks for.

    `diff` is the newer revision: an id or one of "prev", "next", "cur" relative to `oldid`. With `oldid` alone the
    audit is of the edit that made `oldid`; with only `title` or `curid`, of the page's latest edit.
    """

    site: str
    api_url: str
    title: str | None = None
    oldid: int | None = None
    diff: int | str | None = None
    curid: int | None = None
    url: str | None = None
    notes: tuple[str, ...] = ()  # what the caller should hear: near-miss keys, a permanent link read as an edit

    @property
    def lang(self) -> str | None:
        """The language code of a Wikimedia language wiki ("de" for de.wikipedia.org), else None."""
        return site_lang(self.site)


def site_lang(site: str) -> str | None:
    """'de' for de.wikipedia.org and other language subdomains of Wikimedia projects; None elsewhere."""
    labels = site.split(":")[0].split(".")
    if len(labels) == 3 and ".".join(labels[1:]) in WIKIMEDIA_DOMAINS and labels[0] not in ("www", "commons",
                                                                                           "meta", "species"):
        return labels[0]
    return None


def is_wikimedia(host: str) -> bool:
    host = host.split(":")[0]
    return any(host == d or host.endswith("." + d) for d in WIKIMEDIA_DOMAINS)


def normalize_site(host: str) -> str:
    """The wiki a host serves: lower case, mobile `xx.m.` / `m.` labels of Wikimedia hosts folded away."""
    host = host.strip().lower().rstrip(".")
    if not host or not _HOST.match(host):
        raise InputError(f"not a wiki host name: {host!r}")
    if is_wikimedia(host):
        name, _, port = host.partition(":")
        labels = name.split(".")
        if len(labels) >= 4 and labels[1] == "m":  # en.m.wikipedia.org
            labels = labels[:1] + labels[2:]
        elif len(labels) == 3 and labels[0] == "m":  # m.wikidata.org, m.mediawiki.org
            labels = ["www"] + labels[1:]
        host = ".".join(labels) + (":" + port if port else "")
    return host


def api_url_for_site(site: str, scheme: str = "https", script_path: str = "/w/") -> str:
    """The API endpoint of a wiki: https://SITE/w/api.php for Wikimedia wikis (and by default elsewhere)."""
    if is_wikimedia(site):
        scheme, script_path = "https", "/w/"
    return f"{scheme}://{site}{script_path}api.php"


def split_url(url: str, what: str = "URL", param: str | None = None) -> SplitResult:
    """urlsplit, refusing what makes the host a reader sees differ from the host contacted: user-info
    (`en.wikipedia.org@127.0.0.1`), backslashes, control characters, malformed IPv6 brackets, and numeric hosts
    written in other forms than a dotted quad (`2130706433`, `0x7f.1`)."""
    shown = _shown_url(url)
    if any(ord(c) < 32 or ord(c) == 127 for c in url):
        raise InputError(f"the {what} contains control characters: {shown}", param=param)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        raise InputError(f"malformed {what} ({exc}): {shown}", param=param) from None
    authority_and_path = url.split("?", 1)[0].split("#", 1)[0]
    if "\\" in authority_and_path:
        raise InputError(f"the {what} contains a backslash, which browsers and libraries read differently: {shown}",
                         param=param)
    if "@" in parts.netloc:
        raise InputError(f"the {what} names a user before its host ({parts.netloc.rpartition('@')[0]}@…), which "
                         f"hides the host that would be contacted ({parts.hostname}): {shown}", param=param)
    host = parts.hostname or ""
    address = _numeric_host(host)
    if address is not None:
        raise InputError(f"the {what}'s host {host} is the IP address {address} written as a number; write "
                         f"{address} if that is the host meant: {shown}", param=param)
    return parts


def _numeric_host(host: str) -> str | None:
    """The dotted-quad address a numeric host in another form stands for (None for names and dotted quads)."""
    labels = host.split(".")
    if not host or not all(re.fullmatch(r"0[xX][0-9a-fA-F]*|[0-9]+", label) for label in labels):
        return None
    if len(labels) == 4 and all(re.fullmatch(r"0|[1-9][0-9]{0,2}", label) and int(label) < 256 for label in labels):
        return None  # an ordinary dotted quad
    try:
        values = [int(label, 16) if label[:2].lower() == "0x" else int(label, 8) if len(label) > 1 and
                  label.startswith("0") else int(label) for label in labels]
        *head, last = values
        number = sum(v << (8 * (3 - i)) for i, v in enumerate(head)) + last
        return str(ipaddress.IPv4Address(number)) if len(values) <= 4 else "an invalid address"
    except ValueError:
        return "an invalid address"


def _shown_url(url: str) -> str:
    """A URL for one line of a message: control characters made visible, at most 200 characters."""
    text = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in url)
    return text if len(text) <= 200 else text[:199] + "…"


def site_from_api_url(api_url: str) -> str:
    """The cache key of the wiki behind an API URL: its host (and port), mobile hosts folded."""
    parts = split_url(api_url, "API URL", "api_url")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError(f"not an http(s) API URL: {api_url!r}", param="api_url")
    return normalize_site(parts.netloc)


def parse_api_url(api_url: str) -> tuple[str, str, str, str]:
    """(scheme, host[:port], script path with trailing slash, extension) of an API URL such as …/w/api.php."""
    parts = split_url(api_url.strip(), "API URL", "api_url")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"the API URL must be an http(s) URL of api.php, not {api_url!r}", param="api_url")
    try:
        port = parts.port
    except ValueError as exc:
        raise InputError(f"bad port in API URL {api_url!r}", param="api_url") from exc
    directory, _, script = parts.path.rpartition("/")
    if not script.startswith("api") or not re.fullmatch(r"api(\.[a-z0-9]+)?", script):
        raise InputError(f"the API URL must point at the wiki's api.php (e.g. https://en.wikipedia.org/w/api.php), "
                         f"not {api_url!r}", param="api_url")
    if parts.query or parts.fragment:
        raise InputError(f"the API URL takes no query string: {api_url!r}", param="api_url")
    host = parts.hostname + (f":{port}" if port else "")
    return parts.scheme, host, directory + "/", script[3:]


def parse_revision_id(value: str, what: str) -> int:
    """A revision or page id from a URL or the command line: digits only, greater than zero."""
    v = value.strip()
    if not _DIGITS.fullmatch(v) or int(v) == 0:
        raise InputError(f"{what} must be a positive number, not {value!r}")
    if int(v) > MAX_ID:
        raise InputError(f"{what} {v[:30]}{'…' if len(v) > 30 else ''} is too large to be a revision or page id")
    return int(v)


def parse_diff_value(value: str) -> int | str:
    """The `diff=` value: a revision id, or "prev" / "next" / "cur" (empty and 0 mean "cur", as in MediaWiki)."""
    v = value.strip()
    if v in ("", "0"):
        return "cur"
    if v.lower() in KEYWORDS:
        return v.lower()
    if _DIGITS.fullmatch(v):
        if int(v) > MAX_ID:
            raise InputError(f"diff {v[:30]}{'…' if len(v) > 30 else ''} is too large to be a revision id")
        return int(v)
    raise InputError(f"diff must be a revision number or prev/next/cur, not {value!r}")


def _title(raw: str) -> str:
    return re.sub(r"[ _]+", " ", unquote(raw)).strip()


def _special(title: str) -> tuple[str, list[str]] | None:
    """('diff', ['OLD', 'NEW']) for Special:Diff/OLD/NEW and the like; None when the title is not a special page."""
    ns, colon, rest = title.partition(":")
    if not colon or ns.strip().lower() not in SPECIAL_NAMESPACES:
        return None
    name, _, sub = rest.partition("/")
    key = name.strip().lower().replace(" ", "")
    return key, [p.strip() for p in sub.split("/")] if sub.strip() else []


def _from_special(key: str, parts: list[str], url: str) -> dict:
    if key == "diff":
        if len(parts) == 1:
            return {"diff": parse_revision_id(parts[0], "the revision in Special:Diff")}
        if len(parts) == 2:
            return {"oldid": parse_revision_id(parts[0], "the old revision in Special:Diff"),
                    "diff": parse_diff_value(parts[1])}
        raise InputError(f"no revision in URL: Special:Diff needs /NEW or /OLD/NEW ({url})")
    if key in ("permanentlink", "permalink"):
        if len(parts) != 1:
            raise InputError(f"no revision in URL: Special:PermanentLink needs /REVISION ({url})")
        return {"oldid": parse_revision_id(parts[0], "the revision in Special:PermanentLink")}
    if key == "mobilediff":
        if len(parts) != 1:
            raise InputError(f"no revision in URL: Special:MobileDiff needs /NEW or /OLD...NEW ({url})")
        old, sep, new = parts[0].partition("...")
        if sep:
            return {"oldid": parse_revision_id(old, "the old revision in Special:MobileDiff"),
                    "diff": parse_revision_id(new, "the new revision in Special:MobileDiff")}
        return {"diff": parse_revision_id(parts[0], "the revision in Special:MobileDiff")}
    raise InputError(f"not a diff or permanent link: Special:{key} ({url})")


def parse_diff_url(url: str) -> DiffTarget:
    """Read a diff URL, permanent link or curid URL; raise InputError (one line) for anything else."""
    raw = given = url.strip()
    if not raw:
        raise InputError("empty URL")
    if any(ord(c) < 32 or ord(c) == 127 for c in raw):
        raise InputError(f"URL contains control characters: {_shown_url(raw)}")
    if re.match(r"^[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:[0-9]+)?/", raw) and "://" not in raw:  # en.wikipedia.org/wiki/…
        raw = "https://" + raw
    try:
        port_of = urlsplit(raw)
        port_of.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError as exc:
        if "port" in str(exc).lower():
            raise InputError(f"bad port in URL: {_shown_url(raw)}") from None
    parts = split_url(raw)
    scheme = parts.scheme.lower()
    if not scheme:
        raise InputError(f"not a URL: {raw[:80]!r} (give an http(s) diff URL)")
    if scheme not in ("http", "https"):
        raise InputError(f"unsupported URL scheme '{scheme}:' in {raw[:80]!r}: give an http(s) diff URL")
    host = parts.hostname or ""
    if not host:
        raise InputError(f"no host in URL: {raw}")
    port = parts.port
    site = normalize_site((f"[{host}]" if ":" in host else host) + (f":{port}" if port else ""))
    query = {k: v[0] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    path = unquote(parts.path)

    title: str | None
    if path.endswith("index.php"):
        script_path = path[: -len("index.php")] or "/"
        title = _title(query["title"]) if query.get("title") else None
    elif "/wiki/" in path:
        script_path = "/w/"
        title = _title(path.split("/wiki/", 1)[1]) or None
        if query.get("title"):
            title = _title(query["title"])
    elif path in ("", "/") and {"diff", "oldid", "curid"} & set(query):
        script_path, title = "/w/", _title(query["title"]) if query.get("title") else None
    else:
        raise InputError(f"not a MediaWiki diff URL (expected /w/index.php?… or /wiki/…): {raw}")
    api_url = api_url_for_site(site, scheme, script_path)

    fields: dict = {}
    special = _special(title) if title else None
    if special is not None:
        fields = _from_special(*special, raw)
        title = None
    if "oldid" in query and query["oldid"].strip():
        fields["oldid"] = parse_revision_id(query["oldid"], "oldid")
    if "diff" in query:
        fields["diff"] = parse_diff_value(query["diff"])
    if "curid" in query and query["curid"].strip():
        fields["curid"] = parse_revision_id(query["curid"], "curid")

    oldid, diff, curid = fields.get("oldid"), fields.get("diff"), fields.get("curid")
    notes = _near_misses(query)
    if oldid is not None and "diff" not in query and special is None and not notes:
        notes.append(f"the URL names one revision (oldid={oldid}, a permanent link): auditing the edit that made it")
    if oldid is None and diff is None and curid is None:
        more = "; the page's latest edit can be audited by its title" if title else ""
        raise InputError(f"no revision in URL: {raw} (expected diff=, oldid=, curid=, Special:Diff/… or "
                         f"Special:PermanentLink/…){more}", param="title" if title else None, hint=title)
    if oldid is None and diff == "next":
        raise InputError(f"diff=next needs an oldid to be the next revision of: {raw}")
    if oldid is None and isinstance(diff, str) and title is None and curid is None:
        raise InputError(f"diff={diff} needs an oldid, a title or a curid: {raw}")
    return DiffTarget(site=site, api_url=api_url, title=title, oldid=oldid, diff=diff, curid=curid, url=given,
                      notes=tuple(notes))


#: query keys of index.php that do not change which revisions a diff shows
_OTHER_KEYS = frozenset({"title", "action", "direction", "diffonly", "unhide", "uselang", "useskin", "variant",
                         "redirect", "printable", "safemode", "debug", "type", "veaction", "section", "rcid",
                         "markasreviewed", "ilshowall", "dir", "diffmode", "wprov", "useformat", "mobileaction"})


def _near_misses(query: dict[str, str]) -> list[str]:
    """Warnings for keys that look like diff=/oldid=/curid= but are not (MediaWiki ignores them silently)."""
    notes = []
    for key in query:
        if key in ("diff", "oldid", "curid") or key.lower() in _OTHER_KEYS:
            continue
        close = difflib.get_close_matches(key.lower(), ["diff", "oldid", "curid"], n=1, cutoff=0.6)
        if close:
            shown = "".join(c if c.isprintable() else "?" for c in key)[:40]
            notes.append(f"the URL has '{shown}=', which MediaWiki ignores (did you mean '{close[0]}='?); "
                         f"auditing what the rest of the URL names")
    return notes



def page_url(site: str, title: str) -> str:
    """https://SITE/wiki/Title (spaces as underscores, the rest percent-encoded as MediaWiki writes links)."""
    return f"https://{site}/wiki/" + quote(title.replace(" ", "_"), safe=":/()!,'*;@$~-._")


@dataclass(frozen=True)
class UserLinks:
    """An editor's pages on the wiki."""

    name: str
    page: str
    talk: str
    contributions: str


@dataclass(frozen=True)
class EditLinks:
    """Links to an edit on its wiki, in the order reports show them: `pages` as (label, url) (the diff, each
    revision, the page and its history), then each editor's user page, talk page and contributions."""

    pages: tuple[tuple[str, str], ...]
    users: tuple[UserLinks, ...]


def wiki_links(old_meta: object, new_meta: object) -> EditLinks | None:
    """Links to an edit on its wiki, for reports; None when the revisions were not fetched from a wiki (no site or
    ids)."""
    site = getattr(new_meta, "site", None)
    new = getattr(new_meta, "revid", None)
    if not site or not new:
        return None
    old = getattr(old_meta, "revid", None)
    index = f"https://{site}/w/index.php"
    pages = [("diff", f"{index}?diff={new}" + (f"&oldid={old}" if old else ""))]
    if old:
        pages.append(("old revision", f"{index}?oldid={old}"))
    pages.append(("new revision", f"{index}?oldid={new}"))
    title = getattr(new_meta, "title", None)
    if title:
        pages += [("page", page_url(site, title)),
                  ("history", f"{index}?title={quote(title.replace(' ', '_'), safe=':/')}&action=history")]
    users: list[UserLinks] = []
    for meta in (old_meta, new_meta):
        user = getattr(meta, "user", None)
        if user and user not in [u.name for u in users]:
            users.append(UserLinks(user, page_url(site, f"User:{user}"), page_url(site, f"User talk:{user}"),
                                   page_url(site, f"Special:Contributions/{user}")))
    return EditLinks(tuple(pages), tuple(users))
