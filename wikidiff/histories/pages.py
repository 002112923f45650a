"""Where page histories come from: dump and API JSON files, or the live API through the revision cache."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..model import RevisionMeta
from .run import PageSource


def file_pages(path: str | Path, titles: set[str] | None = None, *, keep: Callable[[str], bool] | None = None,
               watch: Callable[[Any], None] | None = None) -> Iterator[PageSource]:
    """The pages of a dump or API JSON file, read as they are consumed (`keep` selects pages by title)."""
    from ..sources.dump import Dump, open_history_file

    src = open_history_file(path)
    if watch is not None:
        watch(src)
    dumps = src.pages(titles) if isinstance(src, Dump) else iter([src])
    for dp in dumps:
        if titles is not None and dp.title not in titles:
            continue
        if keep is not None and not keep(dp.title):
            continue
        yield PageSource(dp.title, dp.revisions, dp.page_id, dp.namespace, str(Path(dp.source).resolve()))


def sniff(path: str | Path) -> None:
    """Refuse, before anything is written, a file that is neither a MediaWiki XML dump nor an API JSON history,
    saying what it looks like."""
    from ..sources.dump import compression

    p = Path(path)
    kind = compression(p)
    try:
        head = _head(p, kind)
    except (OSError, EOFError, ValueError) as exc:
        raise InputError(f"{p}: cannot read it as a {kind} file ({exc})") from None
    text = head.decode("utf-8", "replace").lstrip("\ufeff \t\r\n")
    if not text:
        raise InputError(f"{p}: the file is empty, not a dump")
    if re.match(r"(\{\s*[\"}]|\[\s*[{\]])", text):  # JSON (not a {{template}} nor a [[link]])
        if kind == "plain":
            from ..sources.dump import read_api_json

            read_api_json(p)  # a clear error now when it is not an API revision history
        return
    low = text[:4096].lower()
    if "<mediawiki" in low or (low.startswith("<?xml") and len(head) >= 4096 and "<html" not in low):
        return
    raise InputError(f"{p}: not a MediaWiki XML dump or API JSON history; it looks like {_looks_like(text)}")


def _head(p: Path, kind: str, n: int = 4096) -> bytes:
    import bz2
    import gzip
    import lzma

    opener: Any = {"gz": gzip.open, "bz2": bz2.open, "xz": lzma.open}.get(kind, open)
    with opener(p, "rb") as f:
        return bytes(f.read(n))


def _looks_like(text: str) -> str:
    """A few words on what the start of a text file looks like."""
    low = text[:2000].lower()
    if low.startswith(("<!doctype html", "<html")) or "<body" in low:
        return "an HTML page"
    if text.startswith("<"):
        return f"another XML document (it starts with {text.split('>', 1)[0][:60]}>)"
    if (text.startswith("# ") or "```" in text) and not low.startswith("#redirect"):
        return "Markdown or plain text"
    if "{{" in text or "[[" in text or "'''" in text or text.startswith("==") or low.startswith("#redirect"):
        return "wikitext of one revision (to audit two revisions: wikidiff audit OLD NEW)"
    return "plain text"


@dataclass
class ApiOptions:
    """How to reach a wiki's API (see wikidiff.sources.client.open_client); `cache` is the revision cache file."""

    site: str | None = None  # a host such as en.wikipedia.org
    api_url: str | None = None  # any api.php (default: $WIKIDIFF_API_URL, else https://SITE/w/api.php)
    cache: str | None = None  # default: the user's revision cache
    offline: bool = False
    user_agent: str | None = None  # default: $WIKIDIFF_USER_AGENT, else wikidiff's
    timeout: float = 30.0
    quiet: bool = True


def api_client(api: ApiOptions) -> Any:
    """A WikiClient reading through the revision cache (closing it closes the cache too)."""
    try:
        from ..sources.client import open_client
    except ImportError as exc:
        raise InputError("fetching histories needs the live API client (wikidiff.sources.client), which is not "
                         "available in this installation") from exc
    return open_client(site=api.site, api_url=api.api_url, cache=api.cache, offline=api.offline,
                       user_agent=api.user_agent, quiet=api.quiet, timeout=api.timeout)


def api_pages(titles: Iterable[str], api: ApiOptions, *, since: str | None = None,
              limit: int | None = None) -> Iterator[PageSource]:
    """Page histories fetched one request at a time; every revision goes through the revision cache, so a run
    started again fetches only what it did not get before."""
    client = api_client(api)
    try:
        for title in titles:
            yield PageSource(title, client.page_history(title, since=since, limit=limit),
                             source=f"api:{client.site}")
    finally:
        client.close()
        if client.cache is not None:
            client.cache.close()



def sources(source: Any, titles: set[str] | None, *, page_title: str | None = None) -> Iterator[PageSource]:
    """Pages from a file, a list of files, or an iterable of (text, RevisionMeta) oldest first (one page)."""
    if isinstance(source, (str, Path)):
        return file_pages(source, titles)
    if isinstance(source, (list, tuple)) and source and all(isinstance(s, (str, Path)) for s in source):
        return (p for s in source for p in file_pages(s, titles))
    revisions: Iterable[tuple[str | None, RevisionMeta]] = source
    return iter([PageSource(page_title or "(revisions)", revisions)])
