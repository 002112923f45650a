"""`wikidiff fix OLD NEW -o fixed.wiki`: put back the definitions of named refs the new revision broke."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError
from ..rescue import PageSource, RescueSources, apply_rescues, find_rescues
from ..sources.files import read_wikitext
from ..text.document import Document
from . import fetching


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "fix", help="rescue broken named refs and write a repaired new revision",
        description="Find each broken named ref's definition (old revision, then the articles the section points "
                    "to) and write NEW with the definitions inserted at their first use.")
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="OLD.wiki NEW.wiki, or one diff URL")
    p.add_argument("-o", "--output", metavar="PATH", help="where to write the fixed revision (default: stdout)")
    p.add_argument("--pages", metavar="DIR",
                   help="a folder of other articles' wikitext, one '<Title>.wiki' file each, to search for "
                        "definitions (offline); with a diff URL, --api-url or --site they are fetched instead")
    p.add_argument("--history-limit", type=int, default=20, metavar="N",
                   help="how many earlier revisions of the page to search, newest first (default: 20)")
    fetching.add_arguments(p)
    return p


def folder_pages(folder: Path) -> PageSource:
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")

    def page(title: str) -> str | None:
        path = folder / (title.replace("/", "∕") + ".wiki")
        return read_wikitext(path) if path.is_file() else None

    return page


def run(args: argparse.Namespace) -> int:
    pair = fetching.load_inputs(args)
    old, new = Document.from_text(pair.old_text), Document.from_text(pair.new_text)
    sources = RescueSources()
    if fetching.wiki_named(args, pair):  # a wiki to ask (a diff URL's, or named)
        sources = fetching.rescue_from(args, pair, args.history_limit)
    if args.pages:
        sources = RescueSources(pages=folder_pages(Path(args.pages)), history=sources.history)
    rescues = find_rescues(old, new, new_meta=pair.new_meta, history=sources.history, pages=sources.pages)
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
            where = (f"{r.found_in} {r.revid}" if r.revid else
                     f"{r.found_in} “{r.title}”" if r.title else r.found_in)
            print(f"rescued {r.name!r}{' (group ' + r.group + ')' if r.group else ''} from {where}", file=sys.stderr)
        for r in unplaced:
            print(f"found {r.name!r} but it is only used through templates; not inserted", file=sys.stderr)
        for group, name in broken:
            if (group, name) not in found:
                print(f"no definition found for {name!r}", file=sys.stderr)
        print(f"{len(rescues) - len(unplaced)} of {len(broken)} broken names repaired", file=sys.stderr)
    return 0
