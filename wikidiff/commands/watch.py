"""`wikidiff watch`: audit a wiki's edits as they happen (EventStreams) and report the ones that break things."""

from __future__ import annotations

import argparse
import json
import signal
import sys
from contextlib import closing
from typing import Any, TextIO

from ..codes import SEVERITIES, shorten
from ..config import shown_cache_path
from ..errors import InputError

FORMATS = ("text", "jsonl")


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "watch",
        help="audit a wiki's edits live, from Wikimedia's recentchange stream",
        description="Read the recentchange stream, audit each edit of the wikis and namespaces asked for, and "
                    "print one finding per edit whose flags reach --min-severity. Ctrl-C stops (exit status 130) "
                    "with everything handled so far stored in --out.",
    )
    p.add_argument("--wiki", action="append", metavar="HOST",
                   help="a wiki's server name (repeat for several; default: en.wikipedia.org)")
    p.add_argument("--namespace", action="append", metavar="N",
                   help="a namespace number to watch (repeat for several; default: 0, articles; 'all' for every one)")
    p.add_argument("--exclude-bots", action="store_true", help="leave edits flagged as bot edits alone")
    p.add_argument("--min-severity", choices=SEVERITIES, default="warning",
                   help="report an edit when a flag of this severity or worse fires (default: warning)")
    p.add_argument("--codes", metavar="CODE,…", help="only these flag codes (comma-separated, e.g. broken-ref)")
    p.add_argument("--format", "-f", choices=FORMATS, default="text",
                   help="text (title, diff link, user, flags) or jsonl (one JSON object per finding)")
    p.add_argument("--out", metavar="PATH", help="also store findings and the stream position in this SQLite file")
    p.add_argument("--limit", type=_positive, metavar="N", help="stop after N audited edits")
    start = p.add_mutually_exclusive_group()
    start.add_argument("--since", metavar="TIMESTAMP",
                       help="start from this time (ISO 8601, e.g. 2026-12-01T15:00:00Z; the stream keeps a few days)")
    start.add_argument("--resume", action="store_true",
                       help="continue after the last event handled, as stored in --out")
    p.add_argument("--stream-url", metavar="URL", help="the EventStreams recentchange URL (default: Wikimedia's)")
    p.add_argument("--api-url", metavar="URL", help="the api.php to fetch revisions from (one --wiki only; default: "
                                                    "https://WIKI/w/api.php)")
    p.add_argument("--cache", metavar="PATH", help=f"the revision cache, a SQLite file (default: {shown_cache_path()})")
    p.add_argument("--verify", action="store_true",
                   help="check the flags of each reported edit on the page as the wiki renders it (a parse "
                        "request or two per reported edit); a broken ref the page does not show drops to info")
    p.add_argument("--user-agent", metavar="UA", help="your tool and a contact, e.g. 'mytool/1.0 (me@example.org)'")
    p.add_argument("--queue", type=_positive, default=1000, metavar="N",
                   help="edits waiting at most; when full, a live patrol skips the oldest (counted) and a "
                        "--since/--resume catch-up waits (default: 1000)")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress or warnings on stderr")
    return p


def _positive(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {value!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {n}")
    return n


def _namespaces(values: list[str] | None) -> list[int] | None:
    if not values:
        return [0]
    if any(v.strip().lower() == "all" for v in values):
        return None
    out = []
    for v in values:
        try:
            out.append(int(v))
        except ValueError:
            raise InputError(f"--namespace takes a namespace number or 'all', not {v!r}") from None
    return out


def _codes(value: str | None) -> list[str] | None:
    if value is None:
        return None
    codes = [c.strip() for c in value.split(",") if c.strip()]
    if not codes:
        raise InputError("--codes is empty: give flag codes such as broken-ref,tag-removed")
    return codes


def format_text(finding: Any) -> str:
    """Title, diff link, user and each flag on its own line (control characters from the stream shown as �)."""
    who = f" by {_one_line(finding.user)}" if finding.user else ""
    head = f"{finding.timestamp or ''} {finding.wiki} \"{_one_line(finding.title)}\"{who}".strip()
    lines = [head, f"  {_one_line(finding.diff_url)}"]
    for flag in finding.flags:
        lines.append(f"  {flag['severity']:<7} {flag['code']}: {_one_line(str(flag.get('message') or ''))}")
    return "\n".join(lines) + "\n"


def _one_line(text: str, width: int = 200) -> str:
    """One line without terminal control characters (an escape sequence in a title or name stays text)."""
    return shorten("".join("\ufffd" if ord(c) < 32 and c not in "\t\n" or 127 <= ord(c) < 160 else c
                           for c in text), width)


def run(args: argparse.Namespace) -> int:
    from ..patrol.engine import watch
    from ..patrol.stream import DEFAULT_STREAM_URL

    err: TextIO = sys.stderr
    quiet = args.quiet

    def notify(message: str) -> None:
        if not quiet:
            print(f"wikidiff: watch: {message}", file=err, flush=True)

    if args.resume and not args.out:
        raise InputError("--resume continues from the position stored in --out: give --out PATH")
    patrol = watch(wikis=args.wiki or ["en.wikipedia.org"], namespaces=_namespaces(args.namespace),
                   exclude_bots=args.exclude_bots, min_severity=args.min_severity, codes=_codes(args.codes),
                   store=args.out, limit=args.limit, since=args.since, resume=args.resume,
                   stream_url=args.stream_url or DEFAULT_STREAM_URL, api_url=args.api_url, cache=args.cache,
                   user_agent=args.user_agent, verify=args.verify, queue_size=args.queue, notify=notify)
    if patrol.store is not None and not (args.resume or args.since) and patrol.store.last_event_id():
        notify(f"{args.out} holds the position of an earlier patrol; starting from now (--resume continues "
               f"from there)")
    interrupted = False

    def on_sigint(signum: int, frame: Any) -> None:
        nonlocal interrupted
        if interrupted:  # a second Ctrl-C: stop now (what was handled is stored on the way out)
            raise KeyboardInterrupt
        interrupted = True
        notify("stopping (Ctrl-C again to stop at once)")
        patrol.stop()

    previous = signal.signal(signal.SIGINT, on_sigint)
    out = sys.stdout
    try:
        with closing(iter(patrol)) as findings:  # closing: the position is stored even if printing fails
            for finding in findings:
                if args.format == "jsonl":
                    out.write(json.dumps(finding.to_dict(), ensure_ascii=False) + "\n")
                else:
                    out.write(format_text(finding))
                out.flush()
    finally:
        signal.signal(signal.SIGINT, previous)
        notify(patrol.stats.summary())
    return 130 if interrupted else 0
