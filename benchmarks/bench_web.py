"""Requests per second and latency of the web app (`wikidiff serve`) for cached audits, on loopback.

    python benchmarks/bench_web.py [--requests 400] [--clients 8] [--workers 4]

A real `wikidiff serve` process fetches from the MediaWiki API stand-in (tests/mwapi_server.py, recorded
Nintendo Switch history); every revision is fetched once in a warm-up, so the timed requests send nothing to the
wiki. Two servers are measured, each with `--clients` keep-alive connections asking `/api/audit` at once:

- "memo": the same diff asked again and again; the server answers from its memo of finished audits (what a busy
  page, e.g. a diff linked from a noticeboard, costs);
- "cache only" (`--memo 0`): the 29 consecutive edits of the page in turn, each read from the SQLite revision cache
  and audited and rendered anew.

The baseline, measured in the same run, is the same 29 audits done in this process (`wikidiff.audit` + the JSON
renderer, no HTTP): the "cache only" ratio shows what HTTP, the worker pool and the cache reads add.
"""

from __future__ import annotations

import argparse
import http.client
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from mwapi_server import FIXTURES, MediaWikiStandIn  # noqa: E402
from web_server import WebServer  # noqa: E402

import wikidiff  # noqa: E402
from wikidiff.report import render  # noqa: E402

SITE = "en.wikipedia.org"


def pairs(name: str) -> tuple[list[tuple[int, int]], dict[int, str]]:
    page = json.loads((FIXTURES / "pages" / name).read_text(encoding="utf-8"))
    revs = page["revisions"]
    texts = {r["revid"]: r["slots"]["main"]["content"] for r in revs}
    return [(revs[i]["revid"], revs[i + 1]["revid"]) for i in range(len(revs) - 1)], texts


def in_process(edits: list[tuple[int, int]], texts: dict[int, str], repeat: int = 3) -> float:
    """Seconds per audit + JSON render in this process (best of `repeat` warm passes)."""
    best = float("inf")
    for _ in range(repeat + 1):
        t0 = time.perf_counter()
        for old, new in edits:
            render(wikidiff.audit(texts[old], texts[new]), "json")
        best = min(best, (time.perf_counter() - t0) / len(edits))
    return best


def hammer(base: str, paths: list[str], clients: int) -> tuple[float, list[float], int]:
    """(seconds, latencies, failures) of asking every path once, `clients` keep-alive connections at once."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    todo = list(reversed(paths))

    def client() -> None:
        nonlocal failures
        conn = http.client.HTTPConnection(host, int(port), timeout=60)
        while True:
            with lock:
                if not todo:
                    break
                path = todo.pop()
            t0 = time.perf_counter()
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            took = time.perf_counter() - t0
            with lock:
                latencies.append(took)
                if response.status != 200 or not body.startswith(b"{"):
                    failures += 1
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, latencies, failures


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] if len(values) > 1 else values[0]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--requests", type=int, default=400, help="requests per measurement (default: 400)")
    ap.add_argument("--clients", type=int, default=8, help="connections asking at once (default: 8)")
    ap.add_argument("--workers", type=int, default=4, help="the server's audit workers (default: 4)")
    args = ap.parse_args()
    edits, texts = pairs("nintendo-switch.json")
    seed, seed_texts = pairs("azerbaijani-offensive.json")
    paths = [f"/api/audit?wiki={SITE}&old={old}&new={new}" for old, new in edits]
    seed_path = f"/api/audit?wiki={SITE}&old={seed[0][0]}&new={seed[0][1]}"
    n = args.requests
    plans = [  # label, server options, paths asked, in-process seconds per audit of the same diffs
        ("memo, same diff", [], [paths[10]] * n, in_process(edits[10:11], texts)),
        ("cache only, 29 diffs", ["--memo", "0"], [paths[i % len(paths)] for i in range(n)],
         in_process(edits, texts)),
        ("cache only, seed diff", ["--memo", "0"], [seed_path] * (n // 4), in_process(seed, seed_texts)),
    ]
    rows = []
    with tempfile.TemporaryDirectory() as tmp, MediaWikiStandIn() as wiki:
        folder = Path(tmp)
        common = ["--api-url", wiki.api_url, "--cache", str(folder / "cache.sqlite"), "--rate-limit", "0",
                  "--workers", str(args.workers)]
        for label, extra, asked, baseline in plans:
            with WebServer(common + extra, folder) as web:
                hammer(web.base, [*paths, seed_path], 1)  # warm-up: every revision fetched and cached
                sent = len(wiki.requests)
                seconds, latencies, failures = hammer(web.base, asked, args.clients)
                if len(wiki.requests) != sent:
                    print(f"warning: {len(wiki.requests) - sent} requests reached the wiki during the timed run")
                rows.append((label, len(latencies), failures, len(latencies) / seconds,
                             statistics.median(latencies), p95(latencies), baseline))

    print(f"wikidiff serve on loopback: {args.clients} clients, {args.workers} workers; Nintendo Switch edits "
          f"(0.9-3.6 kB pages), the seed edit (16 kB -> 37 kB)")
    print(f"{'measurement':<22} {'requests':>8} {'failed':>6} {'req/s':>8} {'p50 ms':>7} {'p95 ms':>7} "
          f"{'in-process/s':>12} {'ratio':>6}")
    for label, count, failed, rps, p50, p95_, baseline in rows:
        print(f"{label:<22} {count:>8} {failed:>6} {rps:>8.1f} {p50 * 1000:>7.1f} {p95_ * 1000:>7.1f} "
              f"{1 / baseline:>12.1f} {rps * baseline:>6.2f}")
    print("in-process/s: the same audits + JSON render in this process on one core, no HTTP (the baseline); "
          "ratio: req/s over it")
    return 1 if any(r[2] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
