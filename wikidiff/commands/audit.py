"""`wikidiff audit`: audit two revisions given as files, a diff URL or revision ids."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError
from ..model import SEVERITY_RANK, RevisionMeta
from ..textio import read_wikitext

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
    p.add_argument("--fail-on", choices=("error", "warning", "info"),
                   help="exit 1 when a flag of this severity or worse fired")
    p.add_argument("--lang", default=None,
                   help="wiki language code (default: the wiki's for fetched revisions, else en)")
    try:
        from ..sources import live
    except ImportError:  # pragma: no cover - the live sources are optional at build time
        live = None
    if live is not None:
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


def run(args: argparse.Namespace) -> int:
    from ..auditor import audit
    from ..report import render

    old_text, new_text, old_meta, new_meta = load_inputs(args)
    lang = args.lang or _site_lang(new_meta.site) or "en"
    result = audit(old_text, new_text, old_meta=old_meta, new_meta=new_meta, lang=lang)
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
