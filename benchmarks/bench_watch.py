"""Audited edits per second of `wikidiff watch`, replaying a few thousand recentchange events on loopback.

    python benchmarks/bench_watch.py [--noise 3] [--no-anarchism] [--batch 25]

The stream is the SSE stand-in (tests/sse_server.py) sending as fast as the socket takes; revisions come from the
MediaWiki API stand-in (tests/mwapi_server.py) serving real histories from ../shared/data: the four WikiWho
article histories (471 revisions) and the 500-revision Anarchism excerpt (~68 kB a revision). Each consecutive
pair becomes an en.wikipedia.org article edit event; between edits come `--noise` events a patrol leaves alone
(other wikis, log, categorize, talk pages, canary, page creations), as on the real stream, where article edits of
one wiki are a small share of all events.

Measured, in one run:
- baseline: `wikidiff.audit` over the same pairs in this process (texts in memory: the audit alone);
- patrol, cold cache: the whole path (SSE read, JSON parse, filter, queue, batched fetch of 50 revisions a
  request over HTTP, SQLite cache write, audit, findings store write);
- patrol, warm cache: the same edits again with every revision already cached (stream + audit + store);
- filter only: events per second read and dropped when none is for the watched wiki (what keeping up with the
  whole stream costs).
The memoised section trees are dropped before each timed run. The stand-ins run in this process, so their JSON
encoding competes with the patrol for the interpreter: a remote wiki would cost latency instead.

English Wikipedia's article edit rate is not looked up here (no network); the comparison uses an estimate, see
ENWIKI_NS0_EDITS_PER_S.
"""

from __future__ import annotations

import argparse
import json
import lzma
import re
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "api"))
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "events"))

from build_events import noise  # noqa: E402
from build_fixtures import revision  # noqa: E402
from mwapi_server import FIXTURES, MediaWikiStandIn  # noqa: E402
from sse_server import StreamStandIn, edit_event  # noqa: E402

import wikidiff  # noqa: E402
from wikidiff.patrol.engine import watch  # noqa: E402
from wikidiff.patrol.findings import FindingsStore  # noqa: E402
from wikidiff.sources.cache import RevisionCache  # noqa: E402
from wikidiff.text.document import parse_wikicode  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
SITE = "en.wikipedia.org"
#: An estimate, not a looked-up figure: English Wikipedia gets on the order of 4 million edits a month to its
#: content (article) pages, i.e. about 1.5 a second on average (Wikimedia Statistics, "edits" for en.wikipedia,
#: content pages, recalled for 2023-24; not checked from this machine, which has no internet). Peaks are a few
#: times the average, so PEAK_FACTOR times it is printed too.
ENWIKI_NS0_EDITS_PER_S = 1.5
PEAK_FACTOR = 4


def wikiwho_pages() -> list[dict]:
    pages = []
    for k, path in enumerate(sorted((DATA / "wikiwho-histories").glob("*_revisions.json"))):
        revs = json.loads(path.read_text("utf-8"))
        title = path.name.replace("_revisions.json", "").replace("_", " ").title()
        pages.append({"pageid": 910001 + k, "ns": 0, "title": title, "revisions": [
            revision(r["revid"], r["parentid"], r["timestamp"], r.get("user", ""), r.get("comment", ""), r["*"],
                     userid=r.get("userid", 0)) for r in revs]})
    return pages


def anarchism_page() -> dict:
    with lzma.open(DATA / "anarchism-history" / "anarchism-500.xml.xz") as f:
        xml = f.read().decode("utf-8")
    revs, parent = [], 0
    for block in re.findall(r"<revision>(.*?)</revision>", xml, re.DOTALL):
        revid = int(re.search(r"<id>(\d+)</id>", block).group(1))
        ts = re.search(r"<timestamp>([^<]+)</timestamp>", block).group(1)
        user = re.search(r"<(?:username|ip)>([^<]*)</", block)
        comment = re.search(r"<comment>([^<]*)</comment>", block)
        text = re.search(r"<text[^>]*>(.*?)</text>|<text[^>]*/>", block, re.DOTALL)
        body = _unescape(text.group(1) or "") if text else ""
        revs.append(revision(revid, parent, ts, _unescape(user.group(1)) if user else "",
                             _unescape(comment.group(1)) if comment else "", body))
        parent = revid
    return {"pageid": 919999, "ns": 0, "title": "Anarchism", "revisions": revs}


def _unescape(s: str) -> str:
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def build(folder: Path, pages: list[dict], noise_per_edit: int) -> tuple[list[str], list[tuple[str, str]]]:
    """The API fixture folder, the stream's events and the (old, new) texts of each edit, in stream order."""
    (folder / "pages").mkdir(parents=True)
    for name in ("errors.json", "503.html"):
        shutil.copy(FIXTURES / name, folder / name)
    edits = []
    for page in pages:
        (folder / "pages" / f"{page['pageid']}.json").write_text(json.dumps(page), "utf-8")
        revs = page["revisions"]
        edits += [(new["timestamp"], page, old, new) for old, new in zip(revs, revs[1:], strict=False)]
    edits.sort(key=lambda e: (e[0], e[3]["revid"]))
    events, texts, n = [], [], 0
    for k, (ts, page, old, new) in enumerate(edits):
        n += 1
        events.append(json.dumps(edit_event(n, wiki=SITE, title=page["title"], old=old["revid"], new=new["revid"],
                                            user=new.get("user", ""), timestamp=ts,
                                            comment=new.get("comment", ""))))
        texts.append((old["slots"]["main"]["content"], new["slots"]["main"]["content"]))
        for j in range(noise_per_edit):
            n += 1
            events.append(noise(n, k * noise_per_edit + j, ts))
    return events, texts


def baseline(texts: list[tuple[str, str]]) -> float:
    parse_wikicode.cache_clear()
    t0 = time.perf_counter()
    for old, new in texts:
        wikidiff.audit(old, new)
    return time.perf_counter() - t0


def patrol(events: list[str], fixtures: Path, cache: Path, store: Path, edits: int, batch: int):
    parse_wikicode.cache_clear()  # every run parses from scratch, as the baseline does
    with StreamStandIn(events) as stream, MediaWikiStandIn(fixtures) as wiki:
        t0 = time.perf_counter()
        p = watch(stream_url=stream.url, api_url=wiki.api_url, cache=RevisionCache(cache), store=store,
                  min_severity="info", limit=edits, batch_size=batch, skip_when_behind=False)
        findings = sum(1 for _ in p)
        seconds = time.perf_counter() - t0
        asked = sum(1 for r in wiki.requests if "revids" in r.params)
    p.cache.close() if p.cache else None
    return seconds, p.stats, findings, asked


def filter_only(events: list[str]) -> tuple[float, int]:
    """Seconds to read and drop every event when the patrol watches a wiki none of them is for."""
    with StreamStandIn(events) as stream:
        p = watch(wikis=["xx.wikipedia.org"], stream_url=stream.url, skip_when_behind=False)
        t0 = time.perf_counter()
        done = threading.Event()

        def stop_when_read() -> None:
            while p.stats.events < len(events):
                time.sleep(0.001)
            done.set()
            p.stop()

        threading.Thread(target=stop_when_read, daemon=True).start()
        list(p)
        return time.perf_counter() - t0, p.stats.events


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--noise", type=int, default=3, help="events left alone per edit event (default 3)")
    ap.add_argument("--no-anarchism", action="store_true", help="only the WikiWho histories (small pages)")
    ap.add_argument("--batch", type=int, default=25, help="edits per fetch batch (default 25 = 50 revisions)")
    args = ap.parse_args()
    if not DATA.is_dir():
        print(f"no shared data at {DATA}", file=sys.stderr)
        return 2
    pages = wikiwho_pages() + ([] if args.no_anarchism else [anarchism_page()])
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        events, texts = build(folder / "api", pages, args.noise)
        mb = sum(len(a.encode()) + len(b.encode()) for a, b in texts) / 1e6
        print(f"{len(events)} events, {len(texts)} article edits on {SITE} ({len(pages)} pages, {mb:.0f} MB of "
              f"revision text per pass), batch {args.batch}")
        base = baseline(texts)
        cold = patrol(events, folder / "api", folder / "cache.sqlite", folder / "f1.sqlite", len(texts), args.batch)
        warm = patrol(events, folder / "api", folder / "cache.sqlite", folder / "f2.sqlite", len(texts), args.batch)
        only_noise = [e for e in events if '"server_name": "en.wikipedia.org"' not in e or '"type": "edit"' not in e]
        f_seconds, f_events = filter_only(only_noise * 4)
        with FindingsStore(folder / "f1.sqlite") as s:
            stored = s.count()
    rows = [("baseline: wikidiff.audit in memory", base, len(texts), None),
            ("patrol, cold cache (fetch + audit)", cold[0], cold[1].audited, cold),
            ("patrol, warm cache (audit)", warm[0], warm[1].audited, warm)]
    print(f"\n{'run':<38} {'edits':>6} {'s':>7} {'edits/s':>8} {'x baseline':>10} {'requests':>8} {'findings':>8}")
    for name, seconds, n, run in rows:
        extra = f"{run[3]:>8} {run[2]:>8}" if run else f"{'':>8} {'':>8}"
        print(f"{name:<38} {n:>6} {seconds:>7.2f} {n / seconds:>8.1f} {base / seconds * n / len(texts):>10.2f} "
              f"{extra}")
    print(f"{'filter only (events read and dropped)':<38} {f_events:>6} {f_seconds:>7.2f} "
          f"{f_events / f_seconds:>8.0f} events/s")
    rate = cold[1].audited / cold[0]
    print(f"\nfindings stored: {stored}; English Wikipedia article edits: ~{ENWIKI_NS0_EDITS_PER_S} /s on average "
          f"(an estimate, see ENWIKI_NS0_EDITS_PER_S), ~{ENWIKI_NS0_EDITS_PER_S * PEAK_FACTOR:g} /s at peaks")
    print(f"cold-cache patrol: {rate / ENWIKI_NS0_EDITS_PER_S:.0f}x the average rate, "
          f"{rate / (ENWIKI_NS0_EDITS_PER_S * PEAK_FACTOR):.0f}x the peak (here the wiki answers on loopback; "
          f"from Wikimedia each batch request adds its round trip and server time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
