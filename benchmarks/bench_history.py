"""Revisions per second of `wikidiff history`: one process vs Dask with 1, 2, ... workers (LocalClusters on
loopback), to see the speed per worker and how it scales with workers.

    python benchmarks/bench_history.py          # the 500-revision Anarchism excerpt in ../shared/data, as 8 pages
    python benchmarks/bench_history.py FILE ... [--no-audit] [--workers 1,2] [--repeat N]

Pages are Dask's unit of work, so the default input cuts the Anarchism excerpt (one page, 500 revisions of
~68 kB) into dump files of consecutive revisions (8 by default), each a page of its own ("Anarchism (1/8)", ...):
real text, tasks of similar size; not of equal cost, as some stretches of a history are harder to audit.
Each mode audits every consecutive pair from scratch (no audit cache on disk) and writes the tables as Parquet
to a temporary folder, as `wikidiff history FILES --out DIR` does. The Dask time excludes starting the cluster
and a warm-up task, reported on their own line; the one-process time excludes the same warm-up, run first in
the process.
"""

from __future__ import annotations

import argparse
import lzma
import os
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wikidiff.histories import AuditCache, Options, file_pages, run_pages  # noqa: E402
from wikidiff.histories.dask import run_dask  # noqa: E402
from wikidiff.histories.tables import FileSink  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
EXCERPT = DATA / "anarchism-history" / "anarchism-500.xml.xz"
WARM_UP = DATA / "pywikibot-xml" / "article-pyrus.xml"


def split_excerpt(folder: Path, parts: int = 8) -> list[str]:
    """The Anarchism excerpt as `parts` dump files, each one page of consecutive revisions."""
    with lzma.open(EXCERPT) as f:
        xml = f.read()
    head = xml[: xml.index(b"<revision>")]
    revisions = re.findall(rb"<revision>.*?</revision>", xml, re.DOTALL)
    size = -(-len(revisions) // parts)
    files = []
    for k in range(parts):
        page_head = head.replace(b"<title>Anarchism</title>", f"<title>Anarchism ({k + 1}/{parts})</title>".encode())
        path = folder / f"anarchism-part{k + 1}.xml"
        path.write_bytes(page_head + b"\n".join(revisions[k * size:(k + 1) * size]) + b"\n</page>\n</mediawiki>\n")
        files.append(str(path))
    return files


def single(files: list[str], opt: Options) -> tuple[int, float]:
    """`wikidiff history FILES --out DIR` in this process: the tables written as Parquet, as the Dask tasks do."""
    with tempfile.TemporaryDirectory() as out:
        t = time.perf_counter()
        sink = FileSink(out, "parquet")
        try:
            stats = run_pages((p for f in files for p in file_pages(f)), sink, options=opt, cache=AuditCache())
        finally:
            sink.close()
        return stats.revisions, time.perf_counter() - t


def on_dask(files: list[str], opt: Options, client) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as out:
        t = time.perf_counter()
        summaries = run_dask(files, out, client=client, options=opt, partitions=1)
        elapsed = time.perf_counter() - t
    return sum(s["revisions"] for s in summaries), elapsed


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("files", nargs="*", help="dump or API JSON files (default: the Anarchism excerpt in pages)")
    ap.add_argument("--no-audit", action="store_true", help="reverts, M and refs only")
    ap.add_argument("--workers", default="1,2", help="worker counts to time, comma-separated (default: 1,2)")
    ap.add_argument("--repeat", type=int, default=1, help="best of N runs per mode")
    ap.add_argument("--pages", type=int, default=8, help="pages to cut the default excerpt into (default: 8)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        if not args.files:
            if not EXCERPT.is_file():
                print(f"bench_history: {EXCERPT} not found (clone the project beside ../shared)", file=sys.stderr)
                return 2
            args.files = split_excerpt(Path(tmp), args.pages)
        missing = [f for f in args.files if not Path(f).is_file()]
        if missing:
            print(f"bench_history: no such file: {', '.join(missing)}", file=sys.stderr)
            return 2
        return bench(args)


def bench(args) -> int:
    opt = Options(audit=not args.no_audit)
    counts = [int(w) for w in str(args.workers).split(",") if w.strip()]
    single([str(WARM_UP)], opt)  # imports and first-use costs, as the Dask warm-up task pays them (not counted)
    n, t1 = min((single(args.files, opt) for _ in range(args.repeat)), key=lambda r: r[1])
    what = "reverts/M/refs only" if args.no_audit else "every consecutive pair audited"
    print(f"{len(args.files)} files, {n} revisions ({what}); {os.cpu_count()} CPUs")
    print(f"{'mode':<24}{'seconds':>10}{'rev/s':>10}{'per worker':>12}{'speed-up':>10}")
    print(f"{'one process':<24}{t1:>10.2f}{n / t1:>10.1f}{n / t1:>12.1f}{1.0:>10.2f}")
    for workers in counts:
        m, t2, startup, warm = dask_run(args, opt, workers)
        assert m == n, f"Dask processed {m} revisions, one process {n}"
        print(f"{f'Dask, {workers} workers':<24}{t2:>10.2f}{n / t2:>10.1f}{n / t2 / workers:>12.1f}{t1 / t2:>10.2f}"
              f"   (not counted: cluster start {startup:.2f} s, warm-up {warm:.2f} s)")
    return 0


def dask_run(args, opt: Options, workers: int) -> tuple[int, float, float, float]:
    from dask.distributed import Client, LocalCluster

    t = time.perf_counter()
    cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                           dashboard_address=None)
    client = Client(cluster)
    startup = time.perf_counter() - t
    try:
        t = time.perf_counter()
        on_dask([str(WARM_UP)] * workers, opt, client)  # each worker imports wikidiff once
        warm = time.perf_counter() - t
        m, t2 = min((on_dask(args.files, opt, client) for _ in range(args.repeat)), key=lambda r: r[1])
    finally:
        client.close()
        cluster.close()
    return m, t2, startup, warm


if __name__ == "__main__":
    sys.exit(main())
