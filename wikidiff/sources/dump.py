"""Saved page histories: MediaWiki XML dumps (plain, .bz2, .gz, .xz/.lzma) read with mwxml, and API JSON files.

Dumps are streamed: one revision is in memory at a time, whatever the size of the file. Anything that stops the
reading (a truncated or corrupt file, bytes that are not UTF-8, broken XML) becomes a `DumpError` naming the file,
the page and the last revision read, so the caller can keep what it read before and say where it stopped.
"""

from __future__ import annotations

import bz2
import codecs
import gzip
import hashlib
import io
import json
import lzma
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from ..errors import DumpError, InputError
from ..model import RevisionMeta

#: one revision of a page: its text (None when hidden or missing) and what is known about it
Revision = tuple["str | None", RevisionMeta]

_MAGIC = (
    (b"BZh", "bz2"),
    (b"\x1f\x8b", "gz"),
    (b"\xfd7zXZ\x00", "xz"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"\x28\xb5\x2f\xfd", "zst"),
    (b"PK\x03\x04", "zip"),
)


def sha1_hex(value: str | None) -> str | None:
    """A revision SHA-1 as 40 hex digits: dumps write base 36 (31 characters), the API hex."""
    if not value:
        return None
    v = value.strip().lower()
    if len(v) == 40 and all(c in "0123456789abcdef" for c in v):
        return v
    try:
        return format(int(v, 36), "040x")
    except ValueError:
        return None


def text_sha1(text: str) -> str:
    """The SHA-1 MediaWiki stores for a revision: of its UTF-8 text, as hex."""
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


def compression(path: Path) -> str:
    """"bz2", "gz", "xz" (also legacy .lzma), or "plain", sniffed from the first bytes, then the file name."""
    try:
        with path.open("rb") as f:
            head = f.read(8)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a dump file") from None
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if path.suffix.lower() == ".lzma" or (head[:1] == b"\x5d" and head[1:5] != b"<?xm"):
        return "xz"  # LZMA-alone has no magic; its usual first byte is 0x5d
    return "plain"


class _Utf8Reader:
    """A binary stream that checks, as it passes bytes on, that they are UTF-8 (dumps always are)."""

    def __init__(self, raw: io.BufferedIOBase | BinaryIO, origin: str):
        self.raw = raw
        self.origin = origin
        self.offset = 0  # uncompressed bytes passed on
        self._failure: str | None = None
        self._decoder = codecs.getincrementaldecoder("utf-8")("strict")

    def read(self, n: int = -1) -> bytes:
        if self._failure:
            raise DumpError(self._failure)
        data = self.raw.read(n)
        pending = len(self._decoder.getstate()[0])
        try:
            self._decoder.decode(data, final=not data)
        except UnicodeDecodeError as exc:
            # pass on the valid bytes before the bad ones (the revisions they hold are read), fail on the next read
            good = max(0, exc.start - pending)
            self._failure = (f"{self.origin}: not valid UTF-8 at byte {self.offset + good} of the uncompressed "
                             f"XML (MediaWiki dumps are UTF-8)")
            data = data[:good]
            if not data:
                raise DumpError(self._failure) from None
        self.offset += len(data)
        return data

    def close(self) -> None:
        self.raw.close()


@dataclass
class DumpPage:
    """One page of a saved history; `revisions` is an iterator, oldest first, read as it is consumed."""

    title: str
    page_id: int | None
    namespace: int | None
    revisions: Iterator[Revision]
    source: str
    redirect: str | None = None
    site: str | None = None
    read: int = field(default=0)  # revisions read so far
    last_revid: int | None = None
    _keep: dict | None = field(default=None, repr=False)


class Dump:
    """A MediaWiki XML dump file; iterate it for its pages. `position` is how far the compressed file was read."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.kind = compression(self.path)
        if self.kind in ("7z", "zst", "zip"):
            raise InputError(f"{self.path}: {self.kind} archives are not supported; decompress it first "
                             f"(or recompress as .bz2, .gz or .xz)")
        self.size = self.path.stat().st_size
        self._raw: BinaryIO | None = None

    @property
    def position(self) -> int:
        """Bytes of the file (compressed) consumed so far: a measure of progress through the dump."""
        try:
            return self._raw.tell() if self._raw is not None and not self._raw.closed else self.size
        except (OSError, ValueError):
            return 0

    def _open(self) -> _Utf8Reader:
        self._raw = self.path.open("rb")
        stream: io.BufferedIOBase | BinaryIO
        if self.kind == "gz":
            stream = gzip.GzipFile(fileobj=self._raw)
        elif self.kind == "bz2":
            stream = bz2.BZ2File(self._raw)
        elif self.kind == "xz":
            stream = lzma.LZMAFile(self._raw)  # noqa: SIM115 - .xz and legacy .lzma; closed after the last page
        else:
            stream = self._raw
        return _Utf8Reader(stream, str(self.path))

    def pages(self, titles: set[str] | None = None) -> Iterator[DumpPage]:
        """The pages of the dump in file order (only those in `titles`, when given). A page's revisions need not
        be read to the end: the rest are skipped when the next page is asked for."""
        keep: dict = {}
        gen = self._pages(titles, keep)
        keep["pages"] = gen  # each DumpPage holds this, so the file stays open while its revisions are read
        return gen

    def _pages(self, titles: set[str] | None, keep: dict) -> Iterator[DumpPage]:
        import mwxml

        stream = self._open()
        state = _ReadState(str(self.path))
        try:
            try:
                dump = mwxml.Dump.from_file(stream)
            except Exception as exc:  # not a MediaWiki export at all
                raise state.error(exc, header=True) from None
            site = getattr(dump.site_info, "dbname", None) or getattr(dump.site_info, "name", None)
            pages = iter(dump)
            previous = None
            while True:
                try:
                    if previous is not None:
                        for _ in previous:  # mwxml needs each page read to its end before the next
                            pass
                    page = next(pages)
                except StopIteration:
                    return
                except Exception as exc:
                    raise state.error(exc) from None
                state.page(page.title)
                previous = iter(page)
                if titles is not None and page.title not in titles:
                    continue
                dp = DumpPage(page.title, page.id, page.namespace, iter(()), str(self.path),
                              redirect=getattr(page, "redirect", None), site=site, _keep=keep)
                dp.revisions = _revisions(previous, dp, state)
                yield dp
        finally:
            stream.close()
            if self._raw is not None:
                self._raw.close()


@dataclass
class _ReadState:
    origin: str
    title: str | None = None
    last_revid: int | None = None
    read: int = 0

    def page(self, title: str) -> None:
        self.title, self.last_revid, self.read = title, None, 0

    def error(self, exc: BaseException, header: bool = False) -> DumpError:
        if isinstance(exc, DumpError):
            reason = str(exc).split(": ", 1)[-1]
        elif isinstance(exc, EOFError):
            reason = "the file is truncated (compressed stream ended early)"
        elif isinstance(exc, ET.ParseError):
            msg = str(exc)
            if msg.startswith("no element found"):
                reason = f"the XML ends early (truncated file; {msg})"
            else:
                reason = f"malformed XML ({msg})"
        elif isinstance(exc, (OSError, lzma.LZMAError)):
            reason = f"corrupt compressed data ({exc})"
        elif isinstance(exc, AssertionError):
            reason = "unexpected XML structure"
        else:
            reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        reason = reason.split(": b'")[0].split(': b"')[0]
        if header and (isinstance(exc, (ET.ParseError, AssertionError, ValueError, KeyError, AttributeError))
                       or type(exc).__name__ == "MalformedXML"):
            return DumpError(f"{self.origin}: not a MediaWiki XML export ({reason})")
        if self.title is None:
            where = "before the first page"
        elif self.last_revid is None:
            where = f"in page {self.title!r} before its first revision"
        else:
            where = f"in page {self.title!r} after revision {self.last_revid} ({self.read} revisions of it read)"
        return DumpError(f"{self.origin}: reading stopped {where}: {reason}")


def _revisions(it, dp: DumpPage, state: _ReadState) -> Iterator[Revision]:
    while True:
        try:
            r = next(it)
        except StopIteration:
            return
        except Exception as exc:
            raise state.error(exc) from None
        text, meta = _revision(r, dp)
        state.last_revid = r.id
        state.read += 1
        dp.read, dp.last_revid = state.read, r.id
        yield text, meta


def _revision(r, dp: DumpPage) -> Revision:
    deleted = getattr(r, "deleted", None)
    text = r.text
    if text is None:
        hidden = bool(deleted and deleted.text)
        size = _int(getattr(r, "bytes", None))
        text = None if hidden or (size or 0) > 0 else ""  # mwxml gives None for an empty <text/>
    user = r.user.text if r.user is not None else None
    sha1 = sha1_hex(r.sha1) or (text_sha1(text) if text is not None else None)
    size = _int(getattr(r, "bytes", None))
    if size is None and text is not None:
        size = len(text.encode("utf-8", "surrogatepass"))
    meta = RevisionMeta(revid=r.id, parentid=_int(r.parent_id), title=dp.title,
                        timestamp=str(r.timestamp) if r.timestamp is not None else None, user=user,
                        comment=r.comment, size=size, sha1=sha1, site=dp.site, source="dump")
    return text, meta


def _int(v) -> int | None:
    try:
        return int(v) if v is not None and v != "" else None
    except (TypeError, ValueError):
        return None


# ---- API JSON ------------------------------------------------------------------------------------------------

def read_api_json(path: str | Path) -> DumpPage:
    """A page history saved from the API (`prop=revisions`, formatversion 1 or 2), oldest first.

    Accepted shapes: a list of revision objects, an object with "revisions", or a whole `action=query` answer
    with one page. Texts are under "*", "content" or "slots.main".
    """
    path = Path(path)
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not valid UTF-8 (byte offset {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply to be an API revision history") from None
    title, page_id, ns, revs = path.stem, None, None, data
    if isinstance(data, dict):
        pages = data.get("query", {}).get("pages") if "query" in data else None
        if pages is not None:
            pages = list(pages.values()) if isinstance(pages, dict) else list(pages)
            if len(pages) != 1:
                raise InputError(f"{path}: expected one page in the API answer, found {len(pages)}")
            data = pages[0]
        title = data.get("title", title)
        page_id, ns = _int(data.get("pageid")), _int(data.get("ns"))
        revs = data.get("revisions")
    if not isinstance(revs, list) or not all(isinstance(r, dict) for r in revs):
        raise InputError(f"{path}: not an API revision history (expected a list of revisions)")
    if revs and not any(k in revs[0] for k in ("revid", "timestamp")):
        raise InputError(f"{path}: not an API revision history (revisions have no revid/timestamp)")
    dp = DumpPage(title, page_id, ns, iter(()), str(path))
    dp.revisions = _api_revisions(revs, dp)
    return dp


def _api_revisions(revs: list[dict], dp: DumpPage) -> Iterator[Revision]:
    for r in revs:
        text = r.get("*", r.get("content"))
        slot = (r.get("slots") or {}).get("main")
        if text is None and isinstance(slot, dict):
            text = slot.get("content", slot.get("*"))
        if "texthidden" in r or "textmissing" in r:
            text = None
        if text is not None and not isinstance(text, str):
            raise DumpError(f"{dp.source}: revision {_int(r.get('revid'))} of \"{dp.title}\": its content is "
                            f"{type(text).__name__}, not text", path=dp.source)
        sha1 = sha1_hex(r.get("sha1")) or (text_sha1(text) if text is not None else None)
        size = _int(r.get("size"))
        if size is None and text is not None:
            size = len(text.encode("utf-8", "surrogatepass"))
        meta = RevisionMeta(revid=_int(r.get("revid")), parentid=_int(r.get("parentid")), title=dp.title,
                            timestamp=r.get("timestamp"), user=None if "userhidden" in r else r.get("user"),
                            comment=None if "commenthidden" in r else r.get("comment"), size=size, sha1=sha1,
                            source="api-json")
        dp.read, dp.last_revid = dp.read + 1, meta.revid
        yield text, meta


def open_history_file(path: str | Path) -> Dump | DumpPage:
    """A dump (XML, compressed or not) or an API JSON history, told apart by content."""
    p = Path(path)
    if p.is_dir():
        raise InputError(f"{p}: is a directory, not a dump file")
    kind = compression(p)
    if kind == "plain":
        with p.open("rb") as f:
            head = f.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
        if head[:1] in (b"[", b"{"):
            return read_api_json(p)
        if not head:
            raise InputError(f"{p}: the file is empty")
    return Dump(p)
