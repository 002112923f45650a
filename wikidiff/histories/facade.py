"""`history(...)`: the library call behind `wikidiff history` (dumps, API JSON files, or the live API; in memory,
to an output folder, or on Dask)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from ..errors import InputError, WikidiffError
from .cache import AuditCache
from .defaults import FORMATS, RADIUS
from .pages import ApiOptions, api_pages, file_pages, sniff, sources
from .progress import Progress
from .run import Options, PageSource, check_limit, normalise_since, run_pages
from .schema import RunStats
from .tables import FileSink, History, MemorySink

#: table file endings: an output "folder" named like this is a file name given by mistake
_FILE_ENDINGS = (".parquet", ".csv", ".jsonl", ".json", ".tsv", ".txt")


def resume_cache(out: str | Path) -> Path:
    """Where a run writing to `out` keeps its finished audits: the user's cache folder (see wikidiff.config), one
    file per output folder and code version, so a run started again resumes and a new version starts afresh."""
    import hashlib

    from .._version import __version__
    from ..config import cache_path

    key = hashlib.blake2b(str(Path(out).resolve()).encode("utf-8", "surrogatepass"), digest_size=8).hexdigest()
    return cache_path().parent / "histories" / f"{key}-{__version__}.sqlite"


def history(source: Any = None, *, title: str | Iterable[str] | None = None, site: str | None = None,
            api_url: str | None = None, api: ApiOptions | None = None, since: str | datetime | None = None,
            limit: int | None = None, audit: bool = True, radius: int = RADIUS, lang: str = "en",
            progress: bool = False, audit_cache: str | Path | None = None, page_title: str | None = None,
            out: str | Path | None = None, format: str = "parquet", resume: bool = True,
            dask: str | bool | None = None,
            workers: int = 2, partitions: int | None = None, reuse: bool = True,
            on_page: Callable[[dict], None] | None = None, notice: Callable[[str], None] | None = None) -> History:
    """Audit every consecutive pair of page histories and measure their reverts and edit wars.

    `source`: a dump (XML, .bz2, .gz, .xz/.lzma) or API JSON file, a list of them, or an iterable of
    (text, RevisionMeta) oldest first (one page, named `page_title`). Without a source, `title` (one or several)
    is fetched from `site` or `api_url` (or `api`: revision cache, offline, user agent ...) with the live API
    client; with a source, `title` keeps only those pages of the files. `since` (ISO date/time) and `limit`
    (revisions per page) cut each history; `audit=False` skips the audits (reverts, M and refs only);
    `audit_cache` is a SQLite file that keeps finished audits across runs.

    With `out` (a folder) the tables are written there as they are made (`format`: parquet, csv or jsonl) and
    the History returned reads them from it; with `resume`, finished audits are kept in the user's cache folder
    (`resume_cache(out)`) so that the same run started again resumes. `dask` (True or "local" for a local
    cluster of `workers`, or a scheduler address tcp://HOST:PORT) runs the pages on Dask, `partitions` tasks per
    file; it needs `out` and writes Parquet.
    `reuse=False` audits every pair from scratch (no parsed revision, audit or diff reused: the reference the
    benchmarks compare with). `on_page` gets each page's summary row when the page is done; `notice` gets
    one-line remarks for the user.
    A file that cannot be read to its end stops only itself: the others are run, then an InputError says what
    failed (what was read before was written).
    """
    needs("pandas", "pyarrow", *(["mwxml"] if source is not None else []))
    opt = Options(audit=audit, radius=radius, lang=lang, since=normalise_since(since), limit=check_limit(limit),
                  reuse=reuse)
    if radius < 1:
        raise InputError(f"revert radius must be a positive integer, not {radius}")
    titles = [title] if isinstance(title, str) else (list(title) if title is not None else None)
    if api is None and (site is not None or api_url is not None):
        api = ApiOptions(site=site, api_url=api_url, quiet=not progress)
    files = _files(source)
    if source is None and not titles:
        raise InputError("give a dump or JSON file, or a page title to fetch")
    if format not in FORMATS:
        raise InputError(f"unknown output format {format!r} (choose from {', '.join(FORMATS)})")
    folder = Path(out) if out is not None else None
    if folder is not None:
        check_folder(folder)
    for f in files or []:
        sniff(f)
    if dask:
        return _on_dask(files, titles, api, opt, folder, format, dask, workers, partitions, progress, on_page,
                        resume)

    if files is not None:
        groups, bar, on_revision = _file_groups(files, set(titles) if titles else None, progress)
    else:
        if source is None:
            pages: Iterator[PageSource] = api_pages(titles or [], api or ApiOptions(quiet=not progress),
                                                    since=opt.since, limit=opt.limit)
        else:
            pages = sources(source, set(titles) if titles else None, page_title=page_title)
        total = opt.limit * len(titles) if opt.limit and titles and source is None else None
        bar = Progress(progress, total=total, desc="history")
        groups = [pages]

        def on_revision(stats: RunStats) -> None:
            bar.update(stats.revisions)

    sink: FileSink | MemorySink = FileSink(folder, format) if folder is not None else MemorySink()
    if audit_cache is None and folder is not None and resume:
        audit_cache = resume_cache(folder)
    cache = AuditCache(audit_cache)
    if folder is not None and notice is not None and len(cache):
        notice(f"resuming: {len(cache)} audits cached in {cache.path} will be reused")
    stats = RunStats()
    errors: list[str] = []
    done = 0
    try:
        labels = [str(f) for f in files] if files is not None and len(files) == len(groups) else \
            ["the pages fetched"] * len(groups)
        for label, pages in zip(labels, groups, strict=True):  # one file after another: a failure stops only it
            try:
                run_pages(pages, sink, options=opt, cache=cache, on_revision=on_revision, stats=stats)
            except WikidiffError as exc:
                errors.append(str(exc))
            except Exception as exc:  # noqa: BLE001 - MemoryError, RecursionError, a bug: name the file, go on
                detail = " ".join(str(exc).split())[:200]
                errors.append(f"{label}: stopped by {type(exc).__name__}{': ' + detail if detail else ''}")
            finally:
                if on_page is not None:
                    for summary in stats.summaries[done:]:
                        on_page(summary)
                done = len(stats.summaries)
        bar.close(finished=not errors)
    finally:
        bar.close()
        sink.close()
        cache.close()
    if errors:
        kept = f"; the {stats.revisions} revisions read were written to {folder}" if folder is not None else ""
        raise InputError("; ".join(errors) + kept)
    if isinstance(sink, MemorySink):
        return History.from_frames(sink.frames(), stats)
    assert folder is not None
    return History.load(folder, stats)


def needs(*modules: str) -> None:
    """InputError naming the `history` extra when a module histories need is not installed."""
    from importlib.util import find_spec

    missing = [m for m in modules if find_spec(m) is None]
    if missing:
        raise InputError(f"histories need {', '.join(missing)}, which this installation lacks: "
                         f"pip install 'wikidiff[history]'")


def check_folder(folder: Path) -> None:
    """An output folder: refused when it is a file, or named like one (the tables are several files)."""
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: exists and is not a folder (the tables revisions, flags, reverts, refs, "
                         f"mutual_reverts and pages go into a folder)")
    if not folder.exists() and folder.suffix.lower() in _FILE_ENDINGS:
        raise InputError(f"{folder}: looks like a file name, but the tables (revisions, flags, reverts, refs, "
                         f"mutual_reverts, pages) are written as files in a folder: name a folder such as "
                         f"{folder.with_suffix('')}/")


def _files(source: Any) -> list[str] | None:
    """The files of a source given as files (checked to exist), or None for revisions given in memory."""
    if isinstance(source, (str, Path)):
        paths = [source]
    elif isinstance(source, (list, tuple)) and source and all(isinstance(s, (str, Path)) for s in source):
        paths = list(source)
    else:
        return None
    for p in paths:
        if not Path(p).exists():
            raise InputError(f"{p}: no such file")
        if Path(p).is_dir():
            raise InputError(f"{p}: a folder, not a dump or API JSON file")
    return [str(p) for p in paths]


def _file_groups(files: list[str], titles: set[str] | None,
                 enabled: bool) -> tuple[list[Iterator[PageSource]], Progress, Callable[[RunStats], None]]:
    """The pages of each file (one group per file), a progress bar over the bytes read, and the per-revision
    callback that drives it."""
    from ..sources.dump import Dump

    total = sum(Path(f).stat().st_size for f in files)
    bar = Progress(enabled, total_bytes=total, desc="history")
    state: dict[str, Any] = {"done": 0, "current": None, "size": 0}

    def watch_file(src: Any) -> None:
        state["done"] += state["size"]
        state["current"] = src
        state["size"] = src.size if isinstance(src, Dump) else Path(src.source).stat().st_size

    def on_revision(stats: RunStats) -> None:
        cur = state["current"]
        pos = cur.position if isinstance(cur, Dump) else state["size"]
        bar.update(stats.revisions, state["done"] + pos)

    return [file_pages(f, titles, watch=watch_file) for f in files], bar, on_revision


def _on_dask(files: list[str] | None, titles: list[str] | None, api: ApiOptions | None, opt: Options,
             folder: Path | None, fmt: str, dask: str | bool, workers: int, partitions: int | None,
             progress: bool, on_page: Callable[[dict], None] | None, resume: bool) -> History:
    from .dask import run_dask

    if folder is None:
        raise InputError("a run on Dask writes Parquet parts: give an output folder")
    if fmt != "parquet":
        raise InputError("a run on Dask writes Parquet only")
    address = None if dask is True or dask == "local" else str(dask)
    summaries = run_dask(files or [], folder, titles=titles, api=api if not files else None, options=opt,
                         scheduler=address, workers=workers, partitions=partitions, quiet=not progress,
                         caches=resume_cache(folder).with_suffix("") if resume else None)
    if on_page is not None:
        for s in summaries:
            on_page(s)
    return History.load(folder)
