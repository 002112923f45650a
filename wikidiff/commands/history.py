"""`wikidiff history`: audit every consecutive pair of page histories (dumps, API JSON, or the live API) and write
revisions, flags, reverts, ref lifetimes, mutual reverts and per-page M as tables."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError, WikidiffError
from ..history import FORMATS, RADIUS


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "history", help="audit a page's whole history: reverts, edit wars (M), ref lifetimes, flags per edit",
        description="Audit each consecutive pair of revisions of page histories read from MediaWiki XML dumps "
                    "(plain, .bz2, .gz, .xz, .lzma), API JSON files, or fetched with --title. Writes the tables "
                    "revisions, flags, reverts, refs, mutual_reverts and pages to --out. Run the same command "
                    "again after an interruption to resume: finished audits are cached in the output folder.")
    p.add_argument("files", nargs="*", metavar="FILE", help="dump or API JSON files")
    p.add_argument("--title", action="append", metavar="TITLE",
                   help="a page to fetch from the API (repeatable); with FILEs, keep only these pages")
    p.add_argument("--site", metavar="HOST", help="wiki to fetch from (default: en.wikipedia.org)")
    p.add_argument("--api-url", metavar="URL", help="any MediaWiki api.php to fetch from (default: "
                                                    "$WIKIDIFF_API_URL, else https://SITE/w/api.php)")
    p.add_argument("--cache", metavar="PATH", help="the revision cache (SQLite) fetched revisions go to and are "
                                                   "read from (default: the user's wikidiff cache)")
    p.add_argument("--offline", action="store_true", help="read revisions from the cache only; send no request")
    p.add_argument("--user-agent", metavar="UA", help="your tool and a contact (default: $WIKIDIFF_USER_AGENT, "
                                                      "else wikidiff's)")
    p.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                   help="seconds to wait for each API answer (default: 30)")
    p.add_argument("--since", metavar="TIME", help="only revisions at or after this ISO 8601 date/time (UTC)")
    p.add_argument("--limit", type=int, metavar="N", help="at most N revisions per page (the oldest ones)")
    p.add_argument("--out", "-o", metavar="DIR", help="write the tables to this folder")
    p.add_argument("--format", "-f", choices=FORMATS, default="parquet", help="table format (default: parquet)")
    p.add_argument("--no-audit", action="store_true", help="skip the audits: reverts, M and ref lifetimes only")
    p.add_argument("--radius", type=int, default=RADIUS, help=f"identity-revert radius (default: {RADIUS})")
    p.add_argument("--lang", default="en", help="wiki language code (default: en)")
    p.add_argument("--dask", nargs="?", const="local", metavar="SCHEDULER_ADDRESS",
                   help="run on Dask: a local cluster, or the scheduler at this tcp:// address (needs --out)")
    p.add_argument("--workers", type=int, default=2, help="workers of the local Dask cluster (default: 2)")
    p.add_argument("--partitions", type=int, metavar="N",
                   help="Dask tasks per dump file, pages split by title (default: one per worker)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    return p


def run(args: argparse.Namespace) -> int:
    h = _history_module()
    opt = h.Options(audit=not args.no_audit, radius=args.radius, lang=args.lang,
                    since=h.normalise_since(args.since), limit=h._limit(args.limit))
    if args.radius < 1:
        raise InputError(f"--radius must be a positive integer, not {args.radius}")
    if args.dask and args.dask != "local" and "://" not in args.dask:
        if not Path(args.dask).exists():
            raise InputError(f"--dask {args.dask}: a scheduler address looks like tcp://HOST:8786")
        args.files.insert(0, args.dask)  # `--dask FILE ...`: the option took the first file
        args.dask = "local"
    if not args.files and not args.title:
        raise InputError("give dump or API JSON files, or --title TITLE to fetch a page history")
    for f in args.files:
        if not Path(f).exists():
            raise InputError(f"{f}: no such file (use --title to fetch a page by its title)")
    out = Path(args.out) if args.out else None
    if out is not None and out.exists() and not out.is_dir():
        raise InputError(f"--out {out}: exists and is not a folder")
    if args.dask:
        return _run_dask(args, opt, out)

    sink = h.FileSink(out, args.format) if out else h.MemorySink()
    cache = h.AuditCache(out / ".audit-cache.sqlite" if out else None)
    reused = len(cache) if out else 0
    if reused and not args.quiet:
        print(f"resuming: {reused} audits cached in {cache.path} will be reused", file=sys.stderr)
    groups, bar, watch = _page_groups(args, opt)
    stats = h.RunStats()
    errors: list[str] = []
    try:
        for pages in groups:  # one file after the other: one that cannot be read to its end stops only itself
            try:
                h.run_pages(pages, sink, options=opt, cache=cache, on_revision=watch, stats=stats)
            except WikidiffError as exc:
                errors.append(str(exc))
        bar.close(finished=not errors)
    except KeyboardInterrupt:
        bar.close()
        sink.close()
        cache.close()
        if out:
            print(f"wikidiff: kept what was done in {out}; run the same command again to resume "
                  f"(finished audits are cached)", file=sys.stderr)
        raise
    finally:
        bar.close()
        sink.close()
        cache.close()
    _print_summary(stats.summaries, out, args.format)
    if errors:
        kept = f"; the {stats.revisions} revisions read were written to {out}" if out else ""
        raise InputError("; ".join(errors) + kept)
    if not out:
        print("(no --out given: nothing written; add --out DIR to keep the tables)", file=sys.stderr)
    return 0


def _page_groups(args, opt):
    """The pages to run over (one group per file, or one for the API), a progress bar, and the per-revision
    callback that drives it."""
    h = _history_module()
    titles = set(args.title) if args.title else None
    enabled = not args.quiet
    if args.files:
        from ..sources.dump import Dump

        total = sum(Path(f).stat().st_size for f in args.files)
        bar = h.Progress(enabled, total_bytes=total, desc="history")
        state = {"done": 0, "current": None, "size": 0}

        def watch_file(src) -> None:
            state["done"] += state["size"]
            state["current"] = src
            state["size"] = src.size if isinstance(src, Dump) else Path(src.source).stat().st_size

        def on_revision(stats) -> None:
            cur = state["current"]
            pos = cur.position if isinstance(cur, Dump) else state["size"]
            bar.update(stats.revisions, state["done"] + pos)

        return [h.file_pages(f, titles, watch=watch_file) for f in args.files], bar, on_revision
    bar = h.Progress(enabled, total=(opt.limit * len(args.title)) if opt.limit else None, desc="history")
    pages = h.api_pages(args.title, api_options(args), since=opt.since, limit=opt.limit)
    return [pages], bar, lambda stats: bar.update(stats.revisions)


def api_options(args):
    from ..history import ApiOptions

    if not args.timeout > 0:
        raise InputError(f"--timeout must be more than 0 seconds, not {args.timeout:g}")
    return ApiOptions(site=args.site, api_url=args.api_url, cache=args.cache, offline=args.offline,
                      user_agent=args.user_agent, timeout=args.timeout, quiet=args.quiet)


def _history_module():
    """wikidiff/history.py (imported by name: the package exposes a function `history` too)."""
    import importlib

    return importlib.import_module("wikidiff.history")


def _print_summary(summaries: list[dict], out: Path | None, fmt: str) -> None:
    for s in summaries:
        state = "" if s["complete"] else " (incomplete)"
        print(f"{s['title']}{state}: {s['revisions']} revisions, {s['audited']} audited, {s['flag_count']} flags; "
              f"{s['reverts']} reverts of {s['reverted_revisions']} revisions ({s['self_reverts']} self-reverts); "
              f"{s['mutual_pairs']} mutually reverting pairs, {s['mutual_editors']} editors, M = {s['M']}; "
              f"{s['refs_final']} refs at the end, {s['ref_lifetimes']} ref lifetimes")
    if out:
        print(f"wrote revisions, flags, reverts, refs, mutual_reverts and pages ({fmt}) to {out}")


def _run_dask(args, opt, out: Path | None) -> int:
    from ..scale import run_dask

    if out is None:
        raise InputError("--dask writes Parquet parts: give --out DIR")
    if args.format != "parquet":
        raise InputError("--dask writes Parquet only (drop --format or use --format parquet)")
    address = None if args.dask == "local" else args.dask
    summaries = run_dask(args.files, out, titles=args.title, api=api_options(args) if not args.files else None,
                         options=opt, scheduler=address, workers=args.workers, partitions=args.partitions,
                         quiet=args.quiet)
    _print_summary(summaries, out, "parquet")
    return 0
