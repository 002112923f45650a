"""`wikidiff history`: audit every consecutive pair of page histories (dumps, API JSON, or the live API) and write
revisions, flags, reverts, ref lifetimes, mutual reverts and per-page M as tables."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import InputError
from ..histories.defaults import FORMATS, RADIUS


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "history", help="audit a page's whole history: reverts, edit wars (M), ref lifetimes, flags per edit",
        description="Audit each consecutive pair of revisions of page histories read from MediaWiki XML dumps "
                    "(plain, .bz2, .gz, .xz, .lzma), API JSON files, or fetched with --title. Writes the tables "
                    "revisions, flags, reverts, refs, mutual_reverts and pages to --out. Run the same command "
                    "again after an interruption to resume: finished audits are kept in the user's cache folder "
                    "(--no-resume: not kept).")
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
    p.add_argument("--no-resume", action="store_true",
                   help="keep no finished audits for a later run (by default they are kept in the user's cache "
                        "folder, one file per --out folder and wikidiff version, so the same command resumes)")
    p.add_argument("--quiet", "-q", action="store_true", help="no progress on stderr")
    return p


def run(args: argparse.Namespace) -> int:
    from ..histories import ApiOptions, history

    if args.limit is not None and args.limit < 1:
        raise InputError(f"--limit must be a positive number of revisions, not {args.limit}")
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
    if out is not None and not out.exists() and out.suffix.lower() in (".parquet", ".csv", ".jsonl", ".json"):
        raise InputError(f"--out {out}: looks like a file name; the six tables are written into a folder: give "
                         f"one such as --out {out.with_suffix('')}/ (and --format for csv, jsonl or parquet)")
    if args.dask and out is None:
        raise InputError("--dask writes Parquet parts: give --out DIR")
    if args.dask and args.format != "parquet":
        raise InputError("--dask writes Parquet only (drop --format or use --format parquet)")
    if not args.timeout > 0:
        raise InputError(f"--timeout must be more than 0 seconds, not {args.timeout:g}")
    api = None if args.files else ApiOptions(site=args.site, api_url=args.api_url, cache=args.cache,
                                             offline=args.offline, user_agent=args.user_agent,
                                             timeout=args.timeout, quiet=args.quiet)
    try:
        history(args.files or None, title=args.title, api=api, since=args.since, limit=args.limit,
                audit=not args.no_audit, radius=args.radius, lang=args.lang, progress=not args.quiet, out=out,
                format=args.format, resume=not args.no_resume, dask=args.dask, workers=args.workers,
                partitions=args.partitions,
                on_page=_print_summary, notice=lambda line: print(line, file=sys.stderr))
    except KeyboardInterrupt:
        if out:
            again = ("run the same command again to resume (finished audits are cached)" if not args.no_resume
                     else "run it again without --no-resume to keep finished audits next time")
            print(f"wikidiff: kept what was done in {out}; {again}", file=sys.stderr)
        raise
    if out:
        print(f"wrote revisions, flags, reverts, refs, mutual_reverts and pages ({args.format}) to {out}")
    else:
        print("(no --out given: nothing written; add --out DIR to keep the tables)", file=sys.stderr)
    return 0


def _print_summary(s: dict) -> None:
    state = "" if s["complete"] else " (incomplete)"
    print(f"{s['title']}{state}: {s['revisions']} revisions, {s['audited']} audited, {s['flag_count']} flags; "
          f"{s['reverts']} reverts of {s['reverted_revisions']} revisions ({s['self_reverts']} self-reverts); "
          f"{s['mutual_pairs']} mutually reverting pairs, {s['mutual_editors']} editors, M = {s['M']}; "
          f"{s['refs_final']} refs at the end, {s['ref_lifetimes']} ref lifetimes", flush=True)
