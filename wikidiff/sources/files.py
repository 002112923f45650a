"""Reading wikitext files with clear errors for what cannot be wikitext."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import BinaryIO

from ..errors import InputError

#: Refuse files beyond this size: the largest English Wikipedia pages are ~2 MB of wikitext.
MAX_BYTES = 50 * 1024 * 1024


def decode_wikitext(data: bytes, origin: str) -> str:
    """UTF-8 bytes -> text; a BOM is dropped, CRLF becomes LF; anything else is an InputError.

    An empty file is an empty revision (a blanked page, or as the old side, a page not yet created)."""
    if b"\x00" in data[:8192]:
        raise InputError(f"{origin}: this is a binary file, not wikitext")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{origin}: not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "MediaWiki stores wikitext as UTF-8"
        ) from None
    return text.removeprefix("\ufeff").replace("\r\n", "\n")


def read_wikitext(path: Path, stdin: BinaryIO | None = None) -> str:
    """Read one wikitext file (`-`: standard input), or raise InputError with one clear line."""
    if str(path) == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        data = stream.read(MAX_BYTES + 1)
        if len(data) > MAX_BYTES:
            raise InputError(f"standard input: larger than the {MAX_BYTES} byte limit for one revision")
        return decode_wikitext(data, "standard input")
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError(f"{path}: is a directory, not a wikitext file")
        if size > MAX_BYTES:
            raise InputError(f"{path}: {size} bytes is larger than the {MAX_BYTES} byte limit for one revision")
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a wikitext file") from None
    return decode_wikitext(data, str(path))
