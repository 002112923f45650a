"""The command-line options for revisions from a wiki (a diff URL, --site/--old/--new, --title), shared by
`audit` and `fix`, and their translation into calls of the library (wikidiff.fetch)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from .. import config
from ..codes import visible
from ..errors import InputError
from ..fetch import Pair, fetch, renderings, rescue_sources
from ..model import RevisionMeta
from ..rescue import RescueSources
from ..sources.files import read_wikitext
from ..sources.renderings import Renderings

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
    g.add_argument("--cache", metavar="PATH", help=f"the revision cache, a SQLite file (default: "
                                                   f"{config.shown_cache_path()})")
    g.add_argument("--offline", action="store_true", help="read revisions from the cache only; send no request")
    g.add_argument("-q", "--quiet", action="store_true", help="no progress messages on stderr")
    g.add_argument("--user-agent", metavar="UA", help="your tool and a contact, e.g. 'mytool/1.0 (me@example.org)' "
                                                      "(default: $WIKIDIFF_USER_AGENT, else wikidiff's)")
    g.add_argument("--timeout", metavar="SECONDS", help="seconds to wait for each answer (default: 30)")


def add_verify_arguments(parser: argparse.ArgumentParser) -> None:
    """--verify and --parsoid, for the commands that can check their flags against the rendered page."""
    parser.add_argument("--verify", action="store_true",
                        help="check the Cite flags against the wiki's own rendering of the revisions (action=parse): "
                             "confirm or downgrade each broken ref, add the errors only templates make")
    parser.add_argument("--parsoid", action="store_true",
                        help="with --verify, read Parsoid's HTML (where the wiki serves it) instead of the legacy "
                             "parser's")


def check_verify_arguments(args: argparse.Namespace) -> None:
    if args.parsoid and not args.verify:
        raise InputError("--parsoid goes with --verify")


def renderings_from(args: argparse.Namespace, pair: Pair) -> Renderings | None:
    """What --verify asks: the wiki of the revisions, through the cache; None without --verify."""
    check_verify_arguments(args)
    if not args.verify:
        return None
    if pair.new_meta.revid is None:
        raise InputError("--verify needs revisions from a wiki (a diff URL, --old/--new or --title), not local files")
    return renderings(site=args.site or pair.new_meta.site, parser="parsoid" if args.parsoid else "legacy",
                      **_client_options(args))


def knowledge_from(args: argparse.Namespace, pair: Pair) -> tuple[Any, Any]:
    """For revisions from a wiki: its siteinfo and the tag table with its own redirects (asked once, then read
    from the cache; offline, what the cache has); (None, None) for local files."""
    if pair.new_meta.revid is None or not (args.site or pair.new_meta.site):
        return None, None
    from ..fetch import site_knowledge

    return site_knowledge(site=args.site or pair.new_meta.site, **_client_options(args))


def _timeout(args: argparse.Namespace) -> float:
    if args.timeout is None:
        return 30.0
    try:
        timeout = float(args.timeout)
    except ValueError:
        raise InputError(f"--timeout must be a number of seconds, not {args.timeout!r}") from None
    if not 0 < timeout < float("inf"):
        raise InputError(f"--timeout must be more than 0 seconds, not {args.timeout!r}")
    return timeout


def _client_options(args: argparse.Namespace) -> dict:
    return {"api_url": args.api_url, "cache": args.cache, "offline": args.offline, "user_agent": args.user_agent,
            "timeout": _timeout(args), "quiet": args.quiet}


def _looks_like_url(value: str) -> bool:
    """A scheme ("https:", "javascript:") or a host-like start ("en.wikipedia.org/…")."""
    return bool(re.match(r"^[A-Za-z][A-Za-z0-9+.-]*:|^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(:[0-9]+)?/", value))


def load_inputs(args: argparse.Namespace) -> Pair:
    """Two local files, or the pair a diff URL, --old/--new or --title names, fetched."""
    inputs = list(args.inputs)
    if len(inputs) == 2 and not any(i.startswith(("http://", "https://")) for i in inputs):
        if inputs == ["-", "-"]:
            raise InputError("only one of OLD and NEW can be read from standard input (-)")
        missing = [i for i in inputs if i != "-" and not Path(i).exists()]
        if missing and all(re.fullmatch(r"[0-9]+", i) for i in inputs):
            raise InputError(f"{missing[0]}: no such file; to audit revisions {inputs[0]} and {inputs[1]} of a wiki, "
                             f"use --old {inputs[0]} --new {inputs[1]} (with --site or a diff URL's wiki)")
        old_path, new_path = (Path(i) for i in inputs)
        return Pair(read_wikitext(old_path), read_wikitext(new_path),
                    RevisionMeta(source=_source(old_path)), RevisionMeta(source=_source(new_path)))
    named = [name for name, v in (("--old", args.old), ("--new", args.new), ("--title", args.title)) if v is not None]
    url = None
    if inputs:
        if len(inputs) > 1:
            raise InputError(f"give one diff URL or two local files, not {len(inputs)} inputs of which one is a URL"
                             if len(inputs) == 2 else f"give one diff URL or two local files, not {len(inputs)} inputs")
        if named:
            raise InputError(f"give either a diff URL or {'/'.join(named)}, not both")
        url = inputs[0]
        if url == "-" or (not _looks_like_url(url) and Path(url).exists()):
            kind = "a folder" if Path(url).is_dir() else "standard input" if url == "-" else "one file"
            raise InputError(f"{url!r} is {kind}: audit two files as OLD NEW, or give one diff URL")
        if re.fullmatch(r"[0-9]+", url):
            raise InputError(f"{url!r} is neither a file nor a diff URL; to audit the edit that made revision {url}, "
                             f"use --new {url}")
    elif not named:
        raise InputError("nothing to audit: give OLD NEW files, one diff URL, --old/--new revision ids or --title")
    else:
        _check_ids(args)
    return fetch(url, site=args.site, old=args.old, new=args.new, title=args.title, **_client_options(args))


def _source(path: Path) -> str:
    return "standard input" if str(path) == "-" else str(path)


def say_notes(pair: Pair) -> None:
    """What was read differently from how it was given (near-miss URL keys, swapped ids), on stderr."""
    for note in pair.notes:
        print(f"wikidiff: note: {visible(note)}", file=sys.stderr)


def add_color_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--color", "--colour", choices=("auto", "always", "never"), default="auto",
                        help="colour the text report: auto (default) only on a terminal and when NO_COLOR is not "
                             "set, always, or never")


def use_color(args: argparse.Namespace, *, to_file: bool) -> bool | None:
    """--color: always/never, else colour only when writing to a terminal (never into an -o file)."""
    choice = getattr(args, "color", "auto")
    if choice == "always":
        return True
    if choice == "never" or to_file:
        return False
    return None  # the text report decides: a terminal, and no NO_COLOR


def _check_ids(args: argparse.Namespace) -> None:
    """The option combinations the library would refuse, said in the command line's terms."""
    from ..sources.url import parse_diff_value, parse_revision_id

    if args.title is not None:
        if args.old is not None or args.new is not None:
            raise InputError("--title audits the page's latest edit: use it without --old/--new")
        return
    if args.new is None:
        raise InputError("--old needs --new (a revision id, or prev/next/cur)")
    if not args.new.strip():
        raise InputError("--new is empty")
    diff = parse_diff_value(args.new)
    if args.old is not None:
        parse_revision_id(args.old, "--old")
    elif isinstance(diff, str):
        raise InputError(f"--new {diff} is relative to --old: give --old too")


def wiki_named(args: argparse.Namespace, pair: Pair) -> bool:
    """Whether there is a wiki to ask: the fetched revisions', or one named with --api-url or --site."""
    return bool(args.api_url or args.site or pair.new_meta.site)


def earlier_from(args: argparse.Namespace, pair: Pair) -> list[str] | None:
    """For fetched revisions, the old text and the page's 15 revisions before it (restored text is told by them);
    None for local files."""
    from ..fetch import restoration_texts

    if pair.new_meta.revid is None or pair.old_meta.revid is None:
        return None
    return restoration_texts(pair.old_text, pair.new_meta, pair.old_meta, site=args.site or pair.new_meta.site,
                             **_client_options(args))


def rescue_from(args: argparse.Namespace, pair: Pair, history_limit: int = 20) -> RescueSources:
    """Where `--rescue` and `fix` look: the wiki of the revisions (or the one named), through the cache."""
    site = args.site or pair.new_meta.site
    return rescue_sources(pair.new_meta, pair.old_meta, site=site, history_limit=history_limit,
                          **_client_options(args))
