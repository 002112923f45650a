"""Writing a command's output file safely: never over an input, never half-written, one clear line on failure.

A regular file is written to a temporary file in the same folder and renamed over the target, so a full disk or
an interruption leaves the old file (or none) instead of an empty or cut one. A missing folder is refused (not
created: a typo in a path should not grow folders). Special files (/dev/stdout, a pipe, /dev/full) are written
directly, as they cannot be replaced.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def check_output(path: str | os.PathLike, inputs: Iterable[str | os.PathLike] = ()) -> Path:
    """Refuse, before any work is done, an output that names an input, a folder, or sits in a missing folder."""
    target = Path(path)
    for given in inputs:
        if str(given) != "-" and _same_file(target, Path(given)):
            raise InputError(f"-o {target}: this is an input file; write the output somewhere else")
    if target.is_dir():
        raise InputError(f"-o {target}: is a folder; give a file name")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.exists():
        raise InputError(f"-o {target}: the folder {parent} does not exist (create it first)")
    if not parent.is_dir():
        raise InputError(f"-o {target}: {parent} is not a folder")
    return target


def write_output(path: str | os.PathLike, text: str, inputs: Iterable[str | os.PathLike] = ()) -> None:
    """Write `text` (UTF-8) to `path` whole or not at all; errors are one-line InputErrors naming the file."""
    target = check_output(path, inputs)
    data = text.encode("utf-8", "surrogateescape")
    try:
        mode = target.stat().st_mode if target.exists() else None
        if mode is not None and not stat.S_ISREG(mode):  # /dev/stdout, a pipe, /dev/full: write in place
            with open(target, "wb") as out:
                out.write(data)
            return
        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            if mode is not None:
                os.chmod(temp, stat.S_IMODE(mode))
            else:
                umask = os.umask(0)
                os.umask(umask)
                os.chmod(temp, 0o666 & ~umask)
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(temp)
            raise
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(f"cannot write {target}: {reason}") from None




def write_stdout(text: str) -> None:
    """The output on standard output, ending with a newline."""
    sys.stdout.write(text)
    if not text.endswith("\n"):
        sys.stdout.write("\n")
