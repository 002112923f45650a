"""Command-line entry point: argument handling only; each sub-command lives in wikidiff/commands/."""

from __future__ import annotations

import argparse
import importlib
import shlex
import sys

from ._cli_start import restore_interrupt
from .codes import visible
from .errors import WikidiffError

#: library parameter (WikidiffError.param) -> the option that sets it
OPTIONS = {"old": "--old", "new": "--new", "title": "--title", "site": "--site", "api_url": "--api-url",
           "cache": "--cache", "offline": "--offline", "user_agent": "--user-agent", "timeout": "--timeout",
           "output": "--output", "since": "--since", "stream_url": "--stream-url", "codes": "--codes",
           "min_severity": "--min-severity", "store": "--out", "limit": "--limit", "brief": "--brief"}

#: sub-command name -> module under wikidiff.commands exposing register(subparsers) and run(args) -> int
COMMANDS = ("audit", "history", "fix", "watch", "serve")


def build_parser() -> argparse.ArgumentParser:
    from ._version import __version__

    parser = argparse.ArgumentParser(prog="wikidiff", description="Audit Wikipedia revision diffs.",
                                     epilog="Exit status: 0 done, 1 flags at --fail-on's level fired (audit) or "
                                            "nothing repaired (fix), 2 bad input or a fetch that failed, 130 "
                                            "interrupted.")
    parser.add_argument("--version", action="version", version=f"wikidiff {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"wikidiff.commands.{name}")
        except ModuleNotFoundError as exc:  # a command still being built
            if exc.name != f"wikidiff.commands.{name}":
                raise
            continue
        p = module.register(sub)
        p.set_defaults(_run=module.run)
    return parser


def error_line(exc: WikidiffError) -> str:
    """The one line a library error becomes: its message, and the option to use when it names a parameter."""
    message = " ".join(str(exc).splitlines())
    option = OPTIONS.get(exc.param or "")
    if option and exc.hint is not None:
        message = f"{message} (use {option} {shlex.quote(exc.hint)})"
    elif option and option not in message:
        message = f"{message} ({option})"
    return visible(message)


def main(argv: list[str] | None = None) -> int:
    """Run one command; library errors become one line on stderr and their exit status, Ctrl-C exits 130."""
    try:
        restore_interrupt()
        parser = build_parser()
        args = parser.parse_args(argv)
        return int(args._run(args) or 0)
    except WikidiffError as exc:
        print(f"wikidiff: error: {error_line(exc)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("wikidiff: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
