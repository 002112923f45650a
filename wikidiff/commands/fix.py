"""`wikidiff fix OLD NEW -o fixed.wiki`: put back the definitions of named refs the new revision broke."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError
from ..parse import Document
from ..rescue import PageSource, apply_rescues, find_rescues
from ..textio import read_wikitext


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "fix", help="rescue broken named refs and write a repaired new revision",
        description="Find each broken named ref's definition (old revision, then the articles the section points "
                    "to) and write NEW with the definitions inserted at their first use.")
    p.add_argument("old", metavar="OLD.wiki")
    p.add_argument("new", metavar="NEW.wiki")
    p.add_argument("-o", "--output", metavar="PATH", help="where to write the fixed revision (default: stdout)")
    p.add_argument("--pages", metavar="DIR",
                   help="a folder of other articles' wikitext, one '<Title>.wiki' file each, to search for "
                        "definitions (offline); with --api-url or --site they are fetched instead")
    p.add_argument("--api-url", help="fetch the articles the sections point to from this MediaWiki API")
    p.add_argument("--site", help="fetch them from this wiki (e.g. en.wikipedia.org)")
    p.add_argument("--cache", help="revision cache database (see `wikidiff audit --help`)")
    p.add_argument("--offline", action="store_true", help="read fetched articles only from the cache")
    p.add_argument("--user-agent", help="your tool and a contact (default: $WIKIDIFF_USER_AGENT, else wikidiff's)")
    p.add_argument("--timeout", help="seconds to wait for each answer (default: 30)")
    p.add_argument("--quiet", "-q", action="store_true", help="no report on stderr")
    return p


def folder_pages(folder: Path) -> PageSource:
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")

    def page(title: str) -> str | None:
        path = folder / (title.replace("/", "∕") + ".wiki")
        return read_wikitext(path) if path.is_file() else None

    return page


def _live_pages(args: argparse.Namespace) -> PageSource | None:
    if not (args.api_url or args.site):
        return None
    from ..sources import live

    return live.page_source(args)


def run(args: argparse.Namespace) -> int:
    old = Document.from_text(read_wikitext(Path(args.old)))
    new = Document.from_text(read_wikitext(Path(args.new)))
    pages = folder_pages(Path(args.pages)) if args.pages else _live_pages(args)
    rescues = find_rescues(old, new, pages=pages)
    fixed, unplaced = apply_rescues(new, rescues)
    if args.output:
        Path(args.output).write_text(fixed, encoding="utf-8")
    else:
        sys.stdout.write(fixed)
    if not args.quiet:
        from ..checks.refs import ref_state

        broken = ref_state(new).broken
        found = {(r.group, r.name) for r in rescues}
        for r in rescues:
            where = f"{r.found_in} “{r.title}”" if r.title else r.found_in
            print(f"rescued {r.name!r}{' (group ' + r.group + ')' if r.group else ''} from {where}", file=sys.stderr)
        for r in unplaced:
            print(f"found {r.name!r} but it is only used through templates; not inserted", file=sys.stderr)
        for group, name in broken:
            if (group, name) not in found:
                print(f"no definition found for {name!r}", file=sys.stderr)
        print(f"{len(rescues) - len(unplaced)} of {len(broken)} broken names repaired", file=sys.stderr)
    return 0
