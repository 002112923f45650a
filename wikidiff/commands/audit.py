"""`wikidiff audit`: audit two revisions given as files, a diff URL or revision ids."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..codes import SEVERITIES, SEVERITY_RANK
from ..errors import InputError
from ..model import RevisionMeta
from ..sources.files import read_wikitext

FORMATS = ("text", "json", "markdown", "html", "wikitext")


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "audit",
        help="audit the change between two revisions",
        description="Audit OLD.wiki NEW.wiki, a diff URL, or --site/--old/--new revision ids.",
    )
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="OLD.wiki NEW.wiki, or one diff URL")
    p.add_argument("--format", "-f", choices=FORMATS, default="text", help="report format (default: text)")
    p.add_argument("-o", "--output", metavar="PATH", help="write the report here instead of stdout")
    p.add_argument("--fail-on", choices=SEVERITIES,
                   help="exit 1 when a flag of this severity or worse fired")
    p.add_argument("--lang", default=None,
                   help="wiki language code (default: the wiki's for fetched revisions, else en)")
    p.add_argument("--rescue", action="store_true",
                   help="for each broken named ref, look for its definition (old revision; for fetched revisions "
                        "also earlier revisions and the articles the section points to) and add where it was found")
    from ..sources import live

    live.add_arguments(p)
    return p


def load_inputs(args: argparse.Namespace) -> tuple[str, str, RevisionMeta, RevisionMeta]:
    """Two local files, or whatever the live sources make of a URL or ids."""
    inputs = list(args.inputs)
    if len(inputs) == 2 and not any(i.startswith(("http://", "https://")) for i in inputs):
        old_path, new_path = (Path(i) for i in inputs)
        return (read_wikitext(old_path), read_wikitext(new_path),
                RevisionMeta(source=str(old_path)), RevisionMeta(source=str(new_path)))
    try:
        from ..sources import live
    except ImportError as exc:  # pragma: no cover
        raise InputError("fetching revisions needs the live sources (wikidiff.sources.live)") from exc
    return live.load_pair(args)


def _site_lang(site: str | None) -> str | None:
    if not site:
        return None
    from ..sources.url import site_lang

    return site_lang(site)


def _add_rescues(result, args: argparse.Namespace) -> None:
    """Attach to each broken-ref flag a `rescue` field saying where its definition was found (or null)."""
    from ..rescue import find_rescues
    from ..sources import live

    pages = history = None
    if result.new_meta.site:
        pages, history = live.rescue_sources(args, result.new_meta, result.old_meta, 20)
    found = {(r.group, r.name): r for r in find_rescues(result.old, result.new, new_meta=result.new_meta,
                                                          history=history, pages=pages)}
    for flag in result.flags:
        if flag.code == "broken-ref":
            r = found.get((flag.fields["group"] or "", flag.fields["name"]))
            flag.fields["rescue"] = r.to_dict() if r else None


def run(args: argparse.Namespace) -> int:
    from ..auditor import audit
    from ..report import render

    old_text, new_text, old_meta, new_meta = load_inputs(args)
    lang = args.lang or _site_lang(new_meta.site) or "en"
    result = audit(old_text, new_text, old_meta=old_meta, new_meta=new_meta, lang=lang)
    if args.rescue:
        _add_rescues(result, args)
    out = render(result, args.format)
    if args.output:
        Path(args.output).write_text(out, encoding="utf-8")
    else:
        sys.stdout.write(out)
        if not out.endswith("\n"):
            sys.stdout.write("\n")
    if args.fail_on:
        threshold = SEVERITY_RANK[args.fail_on]
        if any(SEVERITY_RANK[f.severity] >= threshold for f in result.flags):
            return 1
    return 0
