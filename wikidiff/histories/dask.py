"""Histories on Dask: many pages or dump files, partitioned by page, each partition writing its own Parquet parts.

A task reads one file and keeps the pages whose title hashes to its partition (reading a dump is cheap next to
auditing it), so nothing but file names and small summaries travel between the client and the workers; with a
remote scheduler the files and the output folder must be at the same paths on every worker. Pages fetched from
the API are one task each. Each partition appears in `<out>/<table>/<part>.parquet` once complete and keeps its
finished audits in `<caches>/<part>.sqlite` (given by the caller: the user's cache folder for `wikidiff history`),
so a run started again resumes.
"""

from __future__ import annotations

import sys
import zlib
from pathlib import Path
from typing import Any

from ..errors import InputError, WikidiffError
from .cache import AuditCache
from .pages import ApiOptions, api_client, api_pages, file_pages
from .progress import Progress
from .run import Options, run_pages
from .tables import FileSink, clear_output


def page_partition(title: str, partitions: int) -> int:
    """The partition of a page: a stable hash of its title (the same in every process and run)."""
    return zlib.crc32(title.encode("utf-8", "surrogatepass")) % partitions


def run_partition(spec: dict[str, Any]) -> dict[str, Any]:
    """One task: run the pages of one partition and write its parts. Errors come back as text (the parts keep
    what was read before them)."""
    opt = Options(**spec["options"])
    out = Path(spec["out"])
    sink = FileSink(out, "parquet", part=spec["part"])
    cache = AuditCache(Path(spec["caches"]) / f"{spec['part']}.sqlite" if spec.get("caches") else None)
    error = None
    stats = None
    try:
        if spec["kind"] == "file":
            k, n = spec["index"], spec["partitions"]
            titles = set(spec["titles"]) if spec.get("titles") else None
            pages = file_pages(spec["path"], titles, keep=lambda t: page_partition(t, n) == k)
        else:
            pages = api_pages([spec["title"]], ApiOptions(**spec["api"]), since=opt.since, limit=opt.limit)
        stats = run_pages(pages, sink, options=opt, cache=cache)
    except WikidiffError as exc:
        error = str(exc)
    finally:
        sink.close()
        cache.close()
    return {"part": spec["part"], "error": error, "revisions": sink.written["revisions"],
            "summaries": stats.summaries if stats else [], "audits": stats.audits if stats else 0}


def plan(files: list[str], titles: list[str] | None, *, api: ApiOptions | None, options: Options, out: Path,
         partitions: int) -> list[dict[str, Any]]:
    """The task specs: `partitions` per file (pages split by title hash), or one per title to fetch."""
    opt = {"audit": options.audit, "radius": options.radius, "lang": options.lang, "since": options.since,
           "limit": options.limit}
    specs: list[dict[str, Any]] = []
    for i, f in enumerate(files):
        for k in range(partitions):
            specs.append({"kind": "file", "path": str(Path(f).resolve()), "path_given": f, "index": k,
                          "partitions": partitions, "titles": titles, "options": opt, "out": str(out),
                          "part": f"f{i:04d}-p{k:04d}"})
    # biggest files first: the long tasks start early instead of running alone at the end
    sizes = {f: Path(f).stat().st_size for f in files}
    specs.sort(key=lambda s: -sizes.get(str(s.get("path_given", "")), 0))
    if not files:
        for i, t in enumerate(titles or []):
            specs.append({"kind": "api", "title": t, "api": dict(vars(api or ApiOptions())), "options": opt,
                          "out": str(out), "part": f"t{i:04d}"})
    return specs


def connect(scheduler: str | None, workers: int) -> tuple[Any, Any]:
    """A Dask client: to `scheduler` (tcp://host:port), or to a new local cluster on the loopback interface."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError as exc:
        raise InputError("running on Dask needs dask.distributed: pip install 'dask[distributed]'") from exc
    if scheduler:
        try:
            return Client(scheduler, timeout="10s"), None
        except (OSError, TimeoutError) as exc:
            raise InputError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
    if workers < 1:
        raise InputError(f"a local Dask cluster needs at least 1 worker, not {workers}")
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None)
    return Client(cluster), cluster


def prefetch(titles: list[str], api: ApiOptions, options: Options) -> ApiOptions:
    """Fetch the histories into the revision cache here, one request at a time as Wikimedia's API etiquette asks
    (Dask workers would fetch in parallel); the workers then read them from the cache, offline."""
    if not api.offline:
        client = api_client(api)
        try:
            for title in titles:
                for _ in client.page_history(title, since=options.since, limit=options.limit):
                    pass
        finally:
            client.close()
            if client.cache is not None:
                client.cache.close()
    if api.cache is None:
        from ..sources.cache import default_cache_path

        api = ApiOptions(**{**vars(api), "cache": str(default_cache_path())})
    return ApiOptions(**{**vars(api), "offline": True})


def run_dask(files: list[str], out: str | Path, *, titles: list[str] | None = None, api: ApiOptions | None = None,
             options: Options | None = None, scheduler: str | None = None, workers: int = 2,
             partitions: int | None = None, quiet: bool = True, client: Any = None,
             caches: str | Path | None = None) -> list[dict[str, Any]]:
    """Run histories on Dask and write `<out>/<table>/*.parquet`; returns the page summaries.

    `files` are dumps or API JSON files (`titles` then keeps only those pages); without files, `titles` are
    fetched with `api` first (serially, into the revision cache), then audited on the workers.
    Pass a `client` to use an existing one; otherwise one is made (see `connect`) and closed at the end.
    A file that cannot be read to its end is reported after every other task finished, as an InputError.
    `caches`: a folder where each partition keeps its finished audits (one SQLite file each; None: no resume).
    """
    from dask.distributed import as_completed

    options = options or Options()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if not files and titles:
        api = prefetch(list(titles), api or ApiOptions(), options)
    own = client is None
    cluster = None
    if own:
        client, cluster = connect(scheduler, workers)
    try:
        n_workers = max(1, len(client.scheduler_info(n_workers=-1).get("workers", {})) or workers)
        parts = partitions or (n_workers if len(files) < n_workers else 1)
        if parts < 1:
            raise InputError(f"Dask partitions must be at least 1, not {parts}")
        for f in files:
            if not Path(f).is_file():
                raise InputError(f"{f}: no such file")
        specs = plan(list(files), titles, api=api, options=options, out=out, partitions=parts)
        for spec in specs:
            spec["caches"] = str(caches) if caches is not None else None
        clear_output(out)
        bar = Progress(not quiet, total=None, desc=f"history on Dask ({len(specs)} tasks)")
        futures = client.map(run_partition, specs, pure=False)
        results, done = [], 0
        try:
            for fut in as_completed(futures):
                r = fut.result()
                results.append(r)
                done += r["revisions"]
                bar.update(done)
        except KeyboardInterrupt:
            client.cancel(futures)
            print(f"wikidiff: finished partitions were kept in {out}; run again to resume", file=sys.stderr)
            raise
        finally:
            bar.close()
    finally:
        if own:
            client.close()
            if cluster is not None:
                cluster.close()
    errors = [r["error"] for r in sorted(results, key=lambda r: r["part"]) if r["error"]]
    if errors:
        raise InputError("; ".join(dict.fromkeys(errors)) + f" (what was read before was written to {out})")
    summaries = [s for r in sorted(results, key=lambda r: r["part"]) for s in r["summaries"]]
    return sorted(summaries, key=lambda s: (str(s["source"]), s["title"]))
