"""Accuracy over the shared real data: flags per code and moves, with move precision from a judged sample.

    python -m benchmarks.accuracy                     # everything (about two minutes)
    python -m benchmarks.accuracy --limit 20          # the first 20 pairs of each language / history
    python -m benchmarks.accuracy --corpus pairs      # only the 250 wikidiff2 pairs
    python -m benchmarks.accuracy --unjudged 10       # show 10 reported moves nobody judged yet, in context
    python -m benchmarks.accuracy --verify            # broken-ref verdicts against rendered HTML (verify.py)

Inputs (../shared/data, see corpus.py): the 250 wikidiff2 recent-changes pairs ("pairs") and every consecutive pair
of the Anarchism excerpt and the four WikiWho histories ("histories"). Each pair is audited once; each measure is a
function of the audited records (add one to MEASURES for a new row).

Move precision: benchmarks/accuracy/moves_judged.json holds moves read by a person in both revisions and judged
"moved" (the paragraph left its place among the paragraphs around it), "in place" (it did not) or "with section"
(it moved only because its whole section did). A reported move that matches a judged one (same pair, same offsets)
counts; precision is moved / judged among the reported moves, with a 95% Wilson interval. Judged "moved" entries
that are no longer reported are listed as possibly missed (one side of a swap may legitimately be reported instead).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import wikidiff  # noqa: E402
from benchmarks.accuracy.corpus import DATA, Pair, history_pairs, real_pairs  # noqa: E402

JUDGED = Path(__file__).with_name("moves_judged.json")


@dataclass
class Record:
    """What one audited pair leaves for the measures."""

    pair: Pair
    flags: list[dict[str, Any]]
    moves: list[dict[str, Any]]


@dataclass
class Row:
    measure: str
    label: str
    values: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # printed under the table


Measure = Callable[[list[Record]], list[Row]]


def audit_all(pairs: Iterable[Pair]) -> list[Record]:
    records = []
    for p in pairs:
        result = wikidiff.audit(p.old, p.new, lang=p.lang)
        records.append(Record(p, [f.to_dict() for f in result.flags], [m.to_dict() for m in result.moves]))
    return records


def _by_corpus(records: list[Record]) -> dict[str, list[Record]]:
    out: dict[str, list[Record]] = {}
    for r in records:
        out.setdefault(r.pair.corpus, []).append(r)
    return out


# ---- measures: each is records -> rows ----------------------------------------------------------------------------

def flag_counts(records: list[Record]) -> list[Row]:
    """How many flags of each code, per corpus (and how many pairs raised at least one)."""
    rows = []
    groups = _by_corpus(records)
    codes = sorted({f["code"] for r in records for f in r.flags})
    for code in codes:
        values: dict[str, Any] = {}
        for corpus, recs in groups.items():
            values[f"{corpus}: flags"] = sum(1 for r in recs for f in r.flags if f["code"] == code)
            values[f"{corpus}: edits"] = sum(1 for r in recs if any(f["code"] == code for f in r.flags))
        rows.append(Row("flags", code, values))
    return rows


def move_counts(records: list[Record]) -> list[Row]:
    """Reported moves per corpus: how many, in how many pairs, the most in one pair."""
    rows = []
    for corpus, recs in _by_corpus(records).items():
        per_pair = [len(r.moves) for r in recs]
        rows.append(Row("moves", corpus, {"pairs": len(recs), "moves": sum(per_pair),
                                          "pairs with moves": sum(1 for n in per_pair if n),
                                          "most in one pair": max(per_pair, default=0)}))
    return rows


def load_judged(path: Path = JUDGED) -> dict[tuple[str, int, int], dict[str, Any]]:
    entries = json.loads(path.read_text("utf-8"))["moves"]
    return {(e["pair"], e["old_offset"], e["new_offset"]): e for e in entries}


def move_precision(records: list[Record], judged: dict[tuple[str, int, int], dict[str, Any]] | None = None
                   ) -> list[Row]:
    """Precision of the reported moves over the judged sample (moved / judged), and judged moves not reported."""
    judged = load_judged() if judged is None else judged
    reported = {(r.pair.ident, m["old_offset"], m["new_offset"]) for r in records for m in r.moves}
    audited = {r.pair.ident for r in records}
    hits = [judged[k] for k in reported if k in judged]
    good = sum(1 for e in hits if e["verdict"] == "moved")
    lo, hi = wilson(good, len(hits))
    missed = [e for k, e in judged.items() if e["verdict"] == "moved" and k[0] in audited and k not in reported]
    return [Row("move precision", "judged sample", {
        "reported": len(reported), "judged": len(hits), "moved": good, "not moved": len(hits) - good,
        "precision": _pct(good, len(hits)), "95% interval": f"{lo:.0%}-{hi:.0%}" if hits else "n/a",
        "judged moves not reported": len(missed)},
        [f"judged moved, not reported: {e['pair']} {e['old_offset']}->{e['new_offset']} {e['text'][:60]!r} "
         f"({e['note']})" for e in missed])]


#: finer rows for what issue 10 changed: each a flag code and a test on its fields
DETAILS: list[tuple[str, str, Callable[[dict[str, Any]], bool]]] = [
    ("broken-ref, defined by a template (info)", "broken-ref", lambda f: bool(f.get("template_defined"))),
    ("broken-ref, error or warning", "broken-ref", lambda f: not f.get("template_defined")),
    ("tag-removed, resolved by a citation", "tag-removed", lambda f: bool(f.get("resolved_by_citation"))),
    ("image-added, a second file in the same value", "image-added", lambda f: bool(f.get("kept"))),
    ("unsourced-text, paragraph", "unsourced-text", lambda f: f.get("scope") == "paragraph"),
    ("unsourced-text, sentence after a citation", "unsourced-text", lambda f: f.get("scope") == "sentence"),
    ("words-to-watch, claim (said-words)", "words-to-watch", lambda f: f.get("category") == "claim"),
]


def detail_counts(records: list[Record]) -> list[Row]:
    """The rows of DETAILS, per corpus; unsourced-text also per wiki language of the pairs."""
    rows = []
    groups = _by_corpus(records)
    for label, code, test in DETAILS:
        values: dict[str, Any] = {}
        for corpus, recs in groups.items():
            values[corpus] = sum(1 for r in recs for f in r.flags if f["code"] == code and test(f))
        rows.append(Row("details", label, values))
    langs = sorted({r.pair.lang for r in records})
    for lang in langs:
        recs = [r for r in records if r.pair.lang == lang]
        rows.append(Row("details", f"unsourced-text, {lang} wiki", {
            corpus: sum(1 for r in recs if r.pair.corpus == corpus for f in r.flags if f["code"] == "unsourced-text")
            for corpus in groups}))
    return rows


MEASURES: list[Measure] = [flag_counts, detail_counts, move_counts, move_precision]


# ---- helpers -------------------------------------------------------------------------------------------------------

def wilson(k: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of a proportion k/n."""
    if not n:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def _pct(a: int, b: int) -> str:
    return f"{a / b:.1%}" if b else "n/a"


def print_rows(rows: list[Row]) -> None:
    """Each measure as one Markdown table (its rows' keys are the columns)."""
    measures: dict[str, list[Row]] = {}
    for row in rows:
        measures.setdefault(row.measure, []).append(row)
    for measure, group in measures.items():
        columns = list(dict.fromkeys(k for row in group for k in row.values))
        print(f"\n{measure}\n\n| | " + " | ".join(columns) + " |")
        print("|---|" + "---:|" * len(columns))
        for row in group:
            print(f"| {row.label} | " + " | ".join(str(row.values.get(c, "")) for c in columns) + " |")
        for row in group:
            for note in row.notes:
                print(f"  {note}")


def show_unjudged(records: list[Record], n: int, judged: dict[tuple[str, int, int], dict[str, Any]],
                  seed: int = 0) -> None:
    """Print a random sample (seeded) of n reported moves not judged yet, with their neighbours in both revisions."""
    import random

    todo = [(r, m) for r in records for m in r.moves if (r.pair.ident, m["old_offset"], m["new_offset"]) not in judged]
    for r, m in sorted(random.Random(seed).sample(todo, min(n, len(todo))), key=lambda t: t[0].pair.ident):
        print(f"\n{r.pair.ident} old_offset={m['old_offset']} new_offset={m['new_offset']} "
              f"{m['old_section']} -> {m['new_section']} similarity={m['similarity']}")
        print(" old:\n" + context(r.pair.old, m["old_offset"]))
        print(" new:\n" + context(r.pair.new, m["new_offset"]))


def context(text: str, offset: int, around: int = 3, width: int = 50) -> str:
    """The line at `offset` (marked >) with `around` non-blank lines before and after it."""
    start = text.rfind("\n", 0, offset) + 1
    before = [ln for ln in text[:start].split("\n") if ln.strip()][-around:]
    line, _, rest = text[start:].partition("\n")
    after = [ln for ln in rest.split("\n") if ln.strip()][:around]
    return "\n".join([*("   " + ln[:width] for ln in before), " > " + line[:width],
                      *("   " + ln[:width] for ln in after)])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DATA, help="the shared data folder")
    ap.add_argument("--limit", type=int, help="at most N pairs per language and per history")
    ap.add_argument("--corpus", choices=("pairs", "histories", "all"), default="all")
    ap.add_argument("--unjudged", type=int, default=0, metavar="N", help="show N reported moves not judged yet")
    ap.add_argument("--verify", action="store_true",
                    help="instead: wikidiff's broken-ref verdicts against the rendered HTML of every case that has "
                         "both (Cite's parser tests; see verify.py)")
    ap.add_argument("--seed", type=int, default=0, help="which random sample --unjudged shows")
    args = ap.parse_args(argv)
    if args.verify:
        from benchmarks.accuracy.verify import main as verify_main

        return verify_main(["--data", str(args.data)])
    if not (args.data / "wikidiff2-revs").is_dir():
        print(f"accuracy: no shared data under {args.data}", file=sys.stderr)
        return 2
    pairs: list[Pair] = []
    if args.corpus in ("pairs", "all"):
        pairs += real_pairs(args.data, args.limit)
    if args.corpus in ("histories", "all"):
        pairs += history_pairs(args.data, args.limit)
    t0 = time.perf_counter()
    records = audit_all(pairs)
    print(f"audited {len(records)} pairs in {time.perf_counter() - t0:.1f} s "
          f"({Counter(p.corpus for p in pairs)})")
    rows = [row for measure in MEASURES for row in measure(records)]
    print_rows(rows)
    if args.unjudged:
        show_unjudged(records, args.unjudged, load_judged(), args.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
