"""`wikidiff audit`: audit two revisions given as files, a diff URL or revision ids."""

from __future__ import annotations

import argparse

from ..codes import SEVERITIES, SEVERITY_RANK
from . import fetching
from .output import check_output, write_output, write_stdout

FORMATS = ("text", "json", "markdown", "html", "wikitext")


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "audit",
        help="audit the change between two revisions",
        description="Audit OLD.wiki NEW.wiki, a diff URL, or --site/--old/--new revision ids.",
    )
    p.add_argument("inputs", nargs="*", metavar="INPUT", help="OLD.wiki NEW.wiki (either may be - for standard "
                                                              "input; an empty file is a blanked or new page), or "
                                                              "one diff URL")
    p.add_argument("--format", "-f", choices=FORMATS, default="text", help="report format (default: text)")
    p.add_argument("-o", "--output", metavar="PATH", help="write the report here instead of stdout")
    p.add_argument("--brief", action="store_true",
                   help="text report: only the summary and what to fix first (errors, then warnings)")
    p.add_argument("--fail-on", choices=SEVERITIES,
                   help="exit 1 when a flag of this severity or worse fired")
    p.add_argument("--lang", default=None,
                   help="wiki language code (default: the wiki's for fetched revisions, else en)")
    p.add_argument("--rescue", action="store_true",
                   help="for each broken named ref, look for its definition (old revision; for fetched revisions "
                        "also earlier revisions and the articles the section points to) and add where it was found")
    p.add_argument("--restored", action="store_true",
                   help="for fetched revisions, read the page's 15 revisions before OLD (one more request, texts "
                        "through the cache) and leave out of the report the flags on text the edit restored from "
                        "them (a revert); the JSON keeps them with restored: true")
    fetching.add_color_argument(p)
    fetching.add_verify_arguments(p)
    fetching.add_arguments(p)
    return p


def _site_lang(site: str | None) -> str | None:
    if not site:
        return None
    from ..sources.url import site_lang

    return site_lang(site)


def run(args: argparse.Namespace) -> int:
    from ..auditor import audit
    from ..report import render

    fetching.check_verify_arguments(args)
    if args.output:
        check_output(args.output, args.inputs)
    pair = fetching.load_inputs(args)
    fetching.say_notes(pair)
    lang = args.lang or _site_lang(pair.new_meta.site) or "en"
    rescue = (fetching.rescue_from(args, pair) if pair.new_meta.site else True) if args.rescue else False
    earlier = fetching.earlier_from(args, pair) if args.restored else None
    rendered = fetching.renderings_from(args, pair)
    site, tags = fetching.knowledge_from(args, pair)
    try:
        result = audit(pair.old_text, pair.new_text, old_meta=pair.old_meta, new_meta=pair.new_meta, lang=lang,
                       rescue=rescue, verify=rendered or False, site=site, tags=tags, earlier=earlier)
    finally:
        if rendered is not None:
            rendered.client.close()
    out = render(result, args.format, color=fetching.use_color(args, to_file=bool(args.output)),
                 brief=args.brief)
    if args.output:
        write_output(args.output, out, args.inputs)
    else:
        write_stdout(out)
    if args.fail_on:
        threshold = SEVERITY_RANK[args.fail_on]
        if any(SEVERITY_RANK[f.severity] >= threshold for f in result.flags):
            return 1
    return 0
