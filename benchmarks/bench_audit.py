"""Time wikidiff against its closest peer, mwedittypes 3.1.0, on the same real edits.

    python benchmarks/bench_audit.py                      # all 250 pairs and the four histories, with the peer
    python benchmarks/bench_audit.py --lang en --limit 10 --repeat 3
    python benchmarks/bench_audit.py --no-peer --stress   # wikidiff only, plus hostile inputs

Two runs, each on the same inputs for both tools:
- pairs: the 250 recent-changes edit pairs of ../shared/data/wikidiff2-revs (five languages), one audit per pair;
- histories: the article histories of ../shared/data/wikiwho-histories, every consecutive pair; wikidiff parses
  each revision once and reuses it for both of its pairs (as `wikidiff history` does), the peer diffs each pair;
and with --stress, synthetic hostile inputs (deep nesting, unclosed braces, multi-megabyte pages), the peer in a
child process with a time limit. The peer is optional: without it only wikidiff's times are printed, with the
reason. Peer exceptions (its RecursionError on one ref holding the same link a thousand times, for one) are
counted per type, never fatal; its time includes them. Memoised parse trees are dropped before every timed run.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's wikidiff, also when another one is installed

from wikidiff.errors import InputError  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
PAIRS = DATA / "wikidiff2-revs" / "revs.json.gz"
HISTORIES = DATA / "wikiwho-histories"
PEER_VERSION = "3.1.0"
TARGET_RATIO = 0.5  # wikidiff should take at most this share of the peer's time

Differ = Callable[[str, str, str], object]


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="bench_audit.py",
        description="Time wikidiff and mwedittypes 3.1.0 (when installed) on the same real Wikipedia edits: the "
                    "wikidiff2 recent-changes pairs and the WikiWho article histories in ../shared/data.",
    )
    p.add_argument("--data", type=Path, default=PAIRS, metavar="PATH",
                   help="gzipped JSON {lang: [[old, new], ...]} (default: ../shared/data/wikidiff2-revs/revs.json.gz)")
    p.add_argument("--histories", type=Path, default=HISTORIES, metavar="DIR",
                   help="directory of *_revisions.json API histories (default: ../shared/data/wikiwho-histories)")
    p.add_argument("--limit", type=int, metavar="N", help="only the first N pairs of each language and history")
    p.add_argument("--lang", action="append", metavar="CODE",
                   help="only this language's pairs (repeatable, or comma-separated; default: all)")
    p.add_argument("--repeat", type=int, default=1, metavar="R", help="time each run R times, keep the best")
    p.add_argument("--no-peer", action="store_true", help="time wikidiff only")
    p.add_argument("--no-history", action="store_true", help="skip the history run")
    p.add_argument("--stress", action="store_true",
                   help="also time synthetic hostile inputs (deep nesting, unclosed braces, huge pages)")
    p.add_argument("--stress-timeout", type=float, default=60.0, metavar="S",
                   help="stop the peer after S seconds on one stress input (default: 60)")
    return p


# ---- inputs -------------------------------------------------------------------------------------------------

def load_pairs(path: Path, langs: list[str] | None, limit: int | None) -> dict[str, list[tuple[str, str]]]:
    """The benchmark pairs by language, or an InputError naming what is wrong."""
    if path.is_dir():
        path = path / "revs.json.gz"
    if not path.is_file():
        raise InputError(f"benchmark pairs not found at {path} (give --data PATH to a revs.json.gz)")
    try:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, EOFError, ValueError) as exc:
        raise InputError(f"{path}: not a gzipped JSON file of edit pairs ({exc})") from None
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise InputError(f"{path}: expected {{lang: [[old, new], ...]}}")
    if langs:
        missing = [lang for lang in langs if lang not in data]
        if missing:
            raise InputError(f"{path}: no pairs for {', '.join(missing)} (it has {', '.join(sorted(data))})")
        data = {lang: data[lang] for lang in langs}
    return {lang: [(str(o), str(n)) for o, n in pairs[:limit]] for lang, pairs in data.items()}


def load_histories(directory: Path, limit: int | None) -> dict[str, list[str]]:
    """Revision texts (oldest first) of each `<name>_revisions.json` in `directory`; {} when it is absent."""
    out = {}
    for path in sorted(directory.glob("*_revisions.json")) if directory.is_dir() else []:
        try:
            revisions = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: not a JSON list of revisions ({exc})") from None
        texts = [str(r.get("*", "")) for r in revisions if isinstance(r, dict)]
        out[path.name.removesuffix("_revisions.json")] = texts[:None if limit is None else limit + 1]
    return out


def load_peer() -> tuple[Differ | None, str]:
    """mwedittypes' structured differ as a function (old, new, lang) -> result, or None and the reason."""
    try:
        import mwedittypes
        from mwedittypes import StructuredEditTypes
    except ImportError as exc:
        return None, f"mwedittypes is not installed ({exc}); pip install mwedittypes=={PEER_VERSION} to compare"
    version = getattr(mwedittypes, "__version__", "?")

    def peer(old: str, new: str, lang: str) -> object:
        # the constructor only stores its arguments; get_diff() parses both revisions and diffs them
        return StructuredEditTypes("wikitext", old, new, lang=lang).get_diff()

    note = "" if version == PEER_VERSION else f" (the targets were set against {PEER_VERSION})"
    return peer, f"mwedittypes {version} StructuredEditTypes(...).get_diff(){note}"


# ---- timing -------------------------------------------------------------------------------------------------

@dataclass
class Timing:
    seconds: float = float("inf")
    errors: Counter = field(default_factory=Counter)

    def keep_best(self, seconds: float, errors: Counter) -> None:
        if seconds < self.seconds:
            self.seconds = seconds
        self.errors = errors


def _cold() -> None:
    from wikidiff.text.document import parse_wikicode

    parse_wikicode.cache_clear()


def _time_pairs(fn: Differ, pairs: list[tuple[str, str]], lang: str) -> tuple[float, Counter]:
    errors: Counter = Counter()
    _cold()
    start = time.perf_counter()
    for old, new in pairs:
        try:
            fn(old, new, lang)
        except Exception as exc:  # noqa: BLE001 - a peer failure is a result to count, not a crash
            errors[type(exc).__name__] += 1
    return time.perf_counter() - start, errors


def _wikidiff_pair(old: str, new: str, lang: str) -> object:
    from wikidiff.auditor import audit

    return audit(old, new, lang=lang)


def _wikidiff_history(texts: list[str]) -> tuple[float, Counter]:
    """Parse every revision once, audit each consecutive pair from the parsed documents."""
    from wikidiff.auditor import audit_documents
    from wikidiff.text.document import Document

    errors: Counter = Counter()
    _cold()
    start = time.perf_counter()
    prev = None
    for text in texts:
        doc = Document.from_text(text)
        if prev is not None:
            try:
                audit_documents(prev, doc)
            except Exception as exc:  # noqa: BLE001 - reported, like the peer's
                errors[type(exc).__name__] += 1
        prev = doc
    return time.perf_counter() - start, errors


def _peer_history(peer: Differ, texts: list[str]) -> tuple[float, Counter]:
    return _time_pairs(peer, list(zip(texts, texts[1:], strict=False)), "en")


# ---- stress inputs: hostile shapes, each timed once; the peer runs in a child process with a time limit ----------

_CN = "{{citation needed|date=May 2020}}"


def _big(paragraphs: int, section_every: int | None) -> str:
    words = ("the", "mill", "river", "council", "built", "old", "north", "market", "[[Bridge]]", "road", "in")
    out = []
    for i in range(paragraphs):
        if section_every and i % section_every == 0:
            out.append(f"== Part {i // section_every} ==\n")
        text = " ".join(words[(i * 7 + k * 3) % len(words)] for k in range(30))
        out.append(f"Paragraph {i} says {text}.{_CN if i % 10 == 0 else ''}"
                   f"<ref name=p{i}>{{{{cite news|url=https://n.example/{i}|title=Story {i}}}}}</ref>\n\n")
    return "".join(out)


def _edit_every(old: str, paragraphs: int, every: int) -> str:
    parts = old.split("\n\n")
    for i in range(0, min(paragraphs, len(parts)), every):
        parts[i] = parts[i].replace(" the ", " the new ", 1).replace(_CN, "")
    return "\n\n".join(parts)


def stress_cases() -> dict[str, tuple[str, str]]:
    """Name -> (old, new): the shapes of tests/test_robustness.py, at sizes that expose super-linear costs."""
    nest = "{{a|" * 5000 + "x" + "}}" * 5000
    links = "[[" * 5000 + "x" + "]]" * 5000
    sectioned = _big(12_000, 25)
    flat = _big(12_000, None)
    return {
        "5,000 nested templates": ("Lead.\n" + nest + "\nText.\n", "Lead.\n" + nest + "\nText." + _CN + "\n"),
        "10,000 unclosed {{": ("Intro.\n", "{{" * 10_000 + "\nText." + _CN + "\n"),
        "5,000 nested [[": (links + "\nText.\n", links + "\nText." + _CN + "\n"),
        "1,000 same links in a ref": ("Text.\n", "Text.<ref>" + "[[Mill]] " * 1000 + "</ref>\n"),
        "3 MB, 480 sections, 1% edited": (sectioned, _edit_every(sectioned, 12_000, 100)),
        "3 MB, one section, 20% edited": (flat, _edit_every(flat, 12_000, 5)),
    }


def _peer_child(old: str, new: str, conn) -> None:
    peer, _ = load_peer()
    start = time.perf_counter()
    try:
        peer(old, new, "en")
        error = ""
    except Exception as exc:  # noqa: BLE001 - reported to the parent
        error = type(exc).__name__
    conn.send((time.perf_counter() - start, error))
    conn.close()


def _peer_limited(old: str, new: str, timeout: float) -> tuple[float | None, str]:
    """The peer on one pair in a child process: (seconds, error name or "") or (None, why it has no time)."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_peer_child, args=(old, new, send), daemon=True)
    proc.start()
    send.close()
    try:
        if receive.poll(timeout):
            return receive.recv()
        return None, f"stopped after {timeout:.0f} s"
    except EOFError:
        return None, f"child died (exit {proc.exitcode})"
    finally:
        if proc.is_alive():
            proc.terminate()
        proc.join()


def _stress(peer: bool, timeout: float, out) -> None:
    from wikidiff.auditor import audit

    rows = []
    for name, (old, new) in stress_cases().items():
        _cold()
        start = time.perf_counter()
        try:
            audit(old, new)
            error = "0"
        except Exception as exc:  # noqa: BLE001 - a result of the benchmark
            error = type(exc).__name__
        ours = time.perf_counter() - start
        row = [name, _mb([old, new]), f"{ours:.2f}", error]
        if peer:
            seconds, why = _peer_limited(old, new, timeout)
            row += ["-" if seconds is None else f"{seconds:.2f}", why or "0",
                    _ratio(ours, seconds) if seconds else "-"]
        rows.append(row)
    head = ["input", "MB", "wikidiff", "errors"] + (["peer", "peer errors", "ratio"] if peer else [])
    _table("hostile inputs (one run each)", head, rows, out)


# ---- report -------------------------------------------------------------------------------------------------

def _ratio(ours: float, theirs: float | None) -> str:
    return f"{ours / theirs:.3f}" if theirs else "-"


def _errors(errors: Counter) -> str:
    return ", ".join(f"{name} x{n}" for name, n in sorted(errors.items())) or "0"


def _row(cells: list[str], widths: list[int]) -> str:
    return "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True)))


def _table(title: str, head: list[str], rows: list[list[str]], out) -> None:
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    print(title, file=out)
    print(_row(head, widths), file=out)
    for r in rows:
        print(_row(r, widths), file=out)
    print(file=out)


def _mb(texts) -> str:
    return f"{sum(len(t.encode('utf-8', 'surrogatepass')) for t in texts) / 1e6:.2f}"


def _report(title: str, kind: str, sizes: dict[str, tuple[int, str]], ours: dict[str, Timing],
            theirs: dict[str, Timing] | None, total_size: tuple[int, str], out) -> tuple[float, float | None]:
    """One table: a row per language or history, then the total; returns (wikidiff, peer) total seconds."""
    head = [kind, "n", "MB", "wikidiff", "errors"] + (["peer", "peer errors", "ratio"] if theirs else [])
    rows = []
    ours_total = sum(t.seconds for t in ours.values())
    theirs_total = sum(t.seconds for t in theirs.values()) if theirs else None
    summed = {"total": (Timing(ours_total, sum((t.errors for t in ours.values()), Counter())),
                        Timing(theirs_total or 0.0, sum((t.errors for t in theirs.values()), Counter()))
                        if theirs else None)}
    for name, (a, b) in [*((k, (ours[k], theirs[k] if theirs else None)) for k in ours), *summed.items()]:
        n, mb = sizes.get(name, total_size)
        row = [name, str(n), mb, f"{a.seconds:.2f}", _errors(a.errors)]
        if b is not None:
            row += [f"{b.seconds:.2f}", _errors(b.errors), _ratio(a.seconds, b.seconds)]
        rows.append(row)
    _table(title, head, rows, out)
    return ours_total, theirs_total


def run(args: argparse.Namespace) -> int:
    if args.repeat < 1:
        raise InputError("--repeat must be at least 1")
    if args.limit is not None and args.limit < 1:
        raise InputError("--limit must be at least 1")
    langs = [code.strip() for arg in args.lang or [] for code in arg.split(",") if code.strip()] or None
    out = sys.stdout
    pairs = load_pairs(args.data, langs, args.limit)
    histories = {} if args.no_history else load_histories(args.histories, args.limit)
    peer, about = (None, "not run (--no-peer)") if args.no_peer else load_peer()
    print(f"peer: {about}", file=out)
    if not args.no_history and not histories:
        print(f"histories: no *_revisions.json in {args.histories}, history run skipped", file=out)
    print(f"best of {args.repeat} run(s); times in seconds; ratio = wikidiff / peer "
          f"(target <= {TARGET_RATIO})\n", file=out, flush=True)

    ours = {lang: Timing() for lang in pairs}
    theirs = {lang: Timing() for lang in pairs}
    hist_ours = {name: Timing() for name in histories}
    hist_theirs = {name: Timing() for name in histories}
    for _ in range(args.repeat):
        for lang, items in pairs.items():
            ours[lang].keep_best(*_time_pairs(_wikidiff_pair, items, lang))
            if peer is not None:
                theirs[lang].keep_best(*_time_pairs(peer, items, lang))
        for name, texts in histories.items():
            hist_ours[name].keep_best(*_wikidiff_history(texts))
            if peer is not None:
                hist_theirs[name].keep_best(*_peer_history(peer, texts))

    sizes = {lang: (len(items), _mb(t for p in items for t in p)) for lang, items in pairs.items()}
    total_size = (sum(len(v) for v in pairs.values()), _mb(t for v in pairs.values() for p in v for t in p))
    ours_total, theirs_total = _report("edit pairs (one audit per pair)", "pairs", sizes, ours,
                                       theirs if peer else None, total_size, out)
    if histories:
        sizes = {name: (len(texts), _mb(texts)) for name, texts in histories.items()}
        total_size = (sum(len(t) for t in histories.values()), _mb(t for v in histories.values() for t in v))
        _report("histories (every consecutive pair; wikidiff parses each revision once)", "history", sizes,
                hist_ours, hist_theirs if peer else None, total_size, out)
    if args.stress:
        _stress(peer is not None, args.stress_timeout, out)
    if theirs_total:
        ratio = ours_total / theirs_total
        verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
        print(f"edit pairs: wikidiff takes {ratio:.3f}x the peer's time (target <= {TARGET_RATIO}: {verdict})",
              file=out)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return run(args)
    except InputError as exc:
        print(f"bench_audit.py: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
