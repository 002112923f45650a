"""`wikidiff audit` on live revisions: a diff URL, or --site/--old/--new, or --title, fetched through the cache."""

from __future__ import annotations

import argparse
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InputError
from ..model import RevisionMeta
from .cache import RevisionCache, default_cache_path
from .url import (
    DiffTarget,
    api_url_for_site,
    normalize_site,
    parse_diff_url,
    parse_diff_value,
    parse_revision_id,
    site_from_api_url,
)

if TYPE_CHECKING:
    from .api import WikiClient

DEFAULT_SITE = "en.wikipedia.org"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options for fetching revisions, added to a sub-command's parser."""
    g = parser.add_argument_group("revisions from a wiki (one diff URL as INPUT, or --old/--new, or --title)")
    g.add_argument("--site", metavar="HOST", help=f"the wiki, e.g. de.wikipedia.org (default: the URL's, else "
                                                  f"{DEFAULT_SITE})")
    g.add_argument("--old", metavar="REVID", help="the older revision id (with --new)")
    g.add_argument("--new", metavar="REVID", help="the newer revision id, or prev/next/cur relative to --old; alone: "
                                                  "the edit that made this revision")
    g.add_argument("--title", metavar="TITLE", help="audit the latest edit of this page")
    g.add_argument("--api-url", metavar="URL", help="any MediaWiki api.php to fetch from (default: $WIKIDIFF_API_URL, "
                                                    "else https://SITE/w/api.php)")
    g.add_argument("--cache", metavar="PATH", help=f"the revision cache, a SQLite file (default: {_shown_default()})")
    g.add_argument("--offline", action="store_true", help="read revisions from the cache only; send no request")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress messages on stderr")
    g.add_argument("--user-agent", metavar="UA", help="your tool and a contact, e.g. 'mytool/1.0 (me@example.org)' "
                                                      "(default: $WIKIDIFF_USER_AGENT, else wikidiff's)")
    g.add_argument("--timeout", metavar="SECONDS", help="seconds to wait for each answer (default: 30)")


def load_pair(args: argparse.Namespace) -> tuple[str, str, RevisionMeta, RevisionMeta]:
    """(old text, new text, old meta, new meta) for the diff the arguments name; a page creation has old text ""."""
    target = _target(args)
    client = _client(args, target)
    try:
        old_id, new_id = client.resolve(target.oldid, target.diff, title=target.title, curid=target.curid)
        recs = client.records([new_id] if old_id is None else [old_id, new_id])
    finally:
        client.close()
        if client.cache is not None:
            client.cache.close()
    new = recs[-1]
    if old_id is None:
        creation = RevisionMeta(title=new.meta.title, site=client.site, source="none (page creation)")
        return "", new.text, creation, new.meta
    old = recs[0]
    if old.pageid is not None and new.pageid is not None and old.pageid != new.pageid:
        raise InputError(f"revisions {old_id} and {new_id} belong to different pages on {client.site} "
                         f"(\"{old.meta.title}\" and \"{new.meta.title}\")")
    return old.text, new.text, old.meta, new.meta


def rescue_sources(args: argparse.Namespace, new_meta: RevisionMeta, old_meta: RevisionMeta, history_limit: int):
    """(pages, history) for `wikidiff fix`: other pages' current text, and the page's revisions before the old
    one (newest first), both from the wiki the arguments name, through the cache."""
    api_url = args.api_url or os.environ.get("WIKIDIFF_API_URL")
    site_name = (normalize_site(args.site) if args.site else new_meta.site or
                 (site_from_api_url(api_url) if api_url else DEFAULT_SITE))
    client = _client(args, DiffTarget(site=site_name, api_url=api_url_for_site(site_name)))
    history = None
    if new_meta.title and (old_meta.revid or new_meta.revid):
        before = old_meta.revid or new_meta.revid

        def history():
            return client.earlier_revisions(new_meta.title, before, history_limit)

    return client.page_text, history


def _shown_default() -> str:
    try:
        return str(default_cache_path()).replace(str(Path.home()), "~", 1)
    except (RuntimeError, InputError):  # no home directory
        return "$XDG_CACHE_HOME/wikidiff/revisions.sqlite"


def _looks_like_url(value: str) -> bool:
    """A scheme ("https:", "javascript:") or a host-like start ("en.wikipedia.org/…")."""
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:|^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]+)?/", value))


def _target(args: argparse.Namespace) -> DiffTarget:
    inputs = list(getattr(args, "inputs", None) or [])
    old, new, title, site = args.old, args.new, args.title, args.site
    flags = [name for name, v in (("--old", old), ("--new", new), ("--title", title)) if v is not None]
    if inputs:
        if len(inputs) > 1:
            raise InputError(f"give one diff URL or two local files, not {len(inputs)} inputs of which one is a URL"
                             if len(inputs) == 2 else f"give one diff URL or two local files, not {len(inputs)} inputs")
        if flags:
            raise InputError(f"give either a diff URL or {'/'.join(flags)}, not both")
        value = inputs[0]
        if not _looks_like_url(value) and Path(value).exists():
            raise InputError(f"{value!r} is one file: audit two files as OLD NEW, or give one diff URL")
        target = parse_diff_url(value)
        if site and normalize_site(site) != target.site:
            raise InputError(f"--site {site} is not the wiki of the URL ({target.site})")
        return target
    if not flags:
        raise InputError("nothing to audit: give OLD NEW files, one diff URL, --old/--new revision ids or --title")
    api_url = args.api_url or os.environ.get("WIKIDIFF_API_URL")
    site_name = normalize_site(site) if site else site_from_api_url(api_url) if api_url else DEFAULT_SITE
    base = {"site": site_name, "api_url": api_url_for_site(site_name)}
    if title is not None:
        if old is not None or new is not None:
            raise InputError("--title audits the page's latest edit: use it without --old/--new")
        if not title.strip():
            raise InputError("--title is empty")
        return DiffTarget(title=title.strip(), **base)
    if new is None:
        raise InputError("--old needs --new (a revision id, or prev/next/cur)")
    if not new.strip():
        raise InputError("--new is empty")
    diff = parse_diff_value(new)
    oldid = parse_revision_id(old, "--old") if old is not None else None
    if oldid is None and isinstance(diff, str):
        raise InputError(f"--new {diff} is relative to --old: give --old too")
    return DiffTarget(oldid=oldid, diff=diff, **base)


def _client(args: argparse.Namespace, target: DiffTarget) -> WikiClient:
    from .api import WikiClient, has_contact  # mwclient and requests load only when a wiki is asked

    api_url = args.api_url or os.environ.get("WIKIDIFF_API_URL") or target.api_url
    user_agent = args.user_agent if args.user_agent is not None else os.environ.get("WIKIDIFF_USER_AGENT")
    timeout = 30.0
    if args.timeout is not None:
        try:
            timeout = float(args.timeout)
        except ValueError:
            raise InputError(f"--timeout must be a number of seconds, not {args.timeout!r}") from None
        if not 0 < timeout < float("inf"):
            raise InputError(f"--timeout must be more than 0 seconds, not {args.timeout!r}")
    cache = RevisionCache(args.cache) if args.cache else RevisionCache()
    try:
        client = WikiClient(api_url, site=target.site, user_agent=user_agent, cache=cache, offline=args.offline,
                            quiet=args.quiet, timeout=timeout)
    except BaseException:
        cache.close()
        raise
    if user_agent is not None and not has_contact(user_agent):
        client.say("warning: the User-Agent names no contact (an e-mail address or a URL), which Wikimedia's "
                   "User-Agent policy asks for")
    return client
