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
from .output import check_output, write_output


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "fix", help="rescue broken named refs and write a repaired new revision",
        description="Find each broken named ref's definition (old revision, then the articles the section points "
                    "to) and write NEW with the definitions inserted at their first use.")
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="OLD.wiki NEW.wiki, or one diff URL")
    p.add_argument("-o", "--output", metavar="PATH", help="where to write the fixed revision (default: stdout); "
                                                          "exit status 1 and nothing written when nothing was "
                                                          "repaired")
    p.add_argument("--pages", metavar="DIR",
                   help="a folder of other articles' wikitext, one '<Title>.wiki' file each, to search for "
                        "definitions (offline); with a diff URL, --api-url or --site they are fetched instead")
    p.add_argument("--history-limit", type=int, default=20, metavar="N",
                   help="how many earlier revisions of the page to search, newest first (default: 20)")
    fetching.add_verify_arguments(p)
    fetching.add_arguments(p)
    return p


def folder_pages(folder: Path) -> PageSource:
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")

    def page(title: str) -> str | None:
        path = folder / (title.replace("/", "∕") + ".wiki")
        return read_wikitext(path) if path.is_file() else None

    return page


def _nothing_repaired(new: Document, not_broken: set, searched: list[tuple[str, str]], unplaced: list,
                      quiet: bool) -> int:
    from ..cite.state import ref_state

    broken = [name for key, name in ((k, k[1]) for k in ref_state(new).broken) if key not in not_broken]
    if not broken:
        print("nothing to repair: no named ref of the new revision is broken; nothing written", file=sys.stderr)
        return 1
    if not quiet:
        for place, answer in searched:
            print(f"searched {place}: {answer}", file=sys.stderr)
        for r in unplaced:
            print(f"found {r.name!r} but it is only used through templates; not inserted", file=sys.stderr)
    shown = ", ".join(repr(n) for n in broken[:10]) + (f" and {len(broken) - 10} more" if len(broken) > 10 else "")
    places = len(searched)
    print(f"nothing repaired: no definition found for {shown} in {places} place{'s' if places != 1 else ''} "
          f"searched; nothing written", file=sys.stderr)
    return 1


def rendered_verdicts(args: argparse.Namespace, pair: fetching.Pair) -> tuple[set, list[str], list[str]]:
    """With --verify: the (group, name) pairs the rendered page shows are not broken (a template defines them: no
    definition is inserted for them), the names broken only in the rendering (made by templates: nothing in the
    wikitext to repair), and notes on how it went."""
    rendered = fetching.renderings_from(args, pair)
    if rendered is None:
        return set(), [], []
    from ..auditor import audit

    try:
        checked = audit(pair.old_text, pair.new_text, old_meta=pair.old_meta, new_meta=pair.new_meta,
                        verify=rendered)
    finally:
        rendered.client.close()
    broken = [f for f in checked.flags if f.code == "broken-ref"]
    fine = {(f.fields["group"] or "", f.fields["name"]) for f in broken if f.fields.get("verified") is False}
    template_made = [f.fields["name"] for f in broken if f.fields.get("source") == "rendered"]
    verification = checked.verification or {}
    notes = [f"not verified: {verification.get('reason')}"] if verification.get("status") != "verified" else []
    return fine, template_made, notes


def run(args: argparse.Namespace) -> int:
    """Exit 0 when at least one definition was put back, 1 when nothing was repaired (nothing is written then)."""
    fetching.check_verify_arguments(args)
    if args.output:
        check_output(args.output, [*args.inputs, *([args.pages] if args.pages else [])])
    pair = fetching.load_inputs(args)
    fetching.say_notes(pair)
    not_broken, template_made, verify_notes = rendered_verdicts(args, pair)
    old, new = Document.from_text(pair.old_text), Document.from_text(pair.new_text)
    sources = RescueSources()
    if fetching.wiki_named(args, pair):  # a wiki to ask (a diff URL's, or named)
        sources = fetching.rescue_from(args, pair, args.history_limit)
    if args.pages:
        sources = RescueSources(pages=folder_pages(Path(args.pages)), history=sources.history)
    searched: list[tuple[str, str]] = []
    rescues = find_rescues(old, new, new_meta=pair.new_meta, history=sources.history, pages=sources.pages,
                           searched=searched)
    rescues = [r for r in rescues if (r.group, r.name) not in not_broken]
    fixed, unplaced = apply_rescues(new, rescues)
    if len(rescues) == len(unplaced):  # nothing put back: write nothing, say where it looked
        return _nothing_repaired(new, not_broken, searched, unplaced, args.quiet)
    if args.output:
        write_output(args.output, fixed, [*args.inputs])
    else:
        sys.stdout.write(fixed)
    if not args.quiet:
        from ..cite.state import ref_state

        broken = {key: uses for key, uses in ref_state(new).broken.items() if key not in not_broken}
        found = {(r.group, r.name) for r in rescues}
        for note in verify_notes:
            print(note, file=sys.stderr)
        for _group, name in sorted(not_broken):
            print(f"{name!r} is defined on the rendered page (by a template): left as it is", file=sys.stderr)
        for name in template_made:
            print(f"{name!r} is broken on the rendered page only (a template makes the ref): nothing to repair in "
                  f"the wikitext", file=sys.stderr)
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
