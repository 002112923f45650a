"""Ctrl-C while the command line is still starting (importing the package) ends it quietly, exit status 130.

Python turns SIGINT into KeyboardInterrupt, which during `import wikidiff` prints a traceback before the CLI's own
handler exists. Only when this process is the `wikidiff` command (the console script, or `python -m wikidiff`) is a
handler installed for the start-up; `wikidiff.cli.main` puts Python's default back as soon as it runs. Library
users (a notebook, a script) are never affected.
"""

from __future__ import annotations

import os
import signal
import sys
import threading


def _started_as_cli() -> bool:
    argv0 = sys.argv[0] if sys.argv else ""
    return os.path.basename(argv0) in ("wikidiff", "wikidiff.exe") or argv0 == "-m"  # "-m": runpy is finding it


def _interrupted(signum: int, frame: object) -> None:
    os.write(2, b"wikidiff: interrupted\n")
    os._exit(130)


def quiet_interrupt_while_starting() -> None:
    if _started_as_cli() and threading.current_thread() is threading.main_thread() and \
            signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _interrupted)


def restore_interrupt() -> None:
    """Back to KeyboardInterrupt (so that clean-up code runs) once the CLI's own handler is in place."""
    if threading.current_thread() is threading.main_thread() and signal.getsignal(signal.SIGINT) is _interrupted:
        signal.signal(signal.SIGINT, signal.default_int_handler)
