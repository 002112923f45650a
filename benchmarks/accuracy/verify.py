"""Accuracy of wikidiff's broken-ref verdicts against the wiki's own rendering, on every case that has both.

    python benchmarks/accuracy/verify.py                 # Cite's parser tests, legacy and Parsoid HTML
    python benchmarks/accuracy/verify.py --data PATH     # another ../shared/data
    python benchmarks/accuracy/verify.py --show          # list each disagreement

The cases are MediaWiki Cite's parser tests (../shared/data/cite-parsertests): each has the wikitext and the HTML
the legacy parser and/or Parsoid must make of it. For each case wikidiff audits the wikitext (as a page created from
nothing) and its broken-ref flags give a set of (name, group); the rendered-HTML reader (wikidiff.sources.rendered)
gives the names the rendering shows invoked but never defined. A case agrees when the two sets are equal; over all
(case, name) pairs, "precision" is the share of wikidiff's broken names the rendering confirms and "recall" the
share of the rendering's broken names wikidiff found. Groups count where both sides know them (the legacy HTML
states a name's group by its list; a Parsoid error names the group of its ref).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import wikidiff  # noqa: E402
from wikidiff.sources.rendered import read_rendering, ref_key  # noqa: E402

FILES = ("citeParserTests.txt", "subReferencingTests.txt")


def wikidiff_broken(wikitext: str) -> set[tuple[str, str]]:
    return {(ref_key(f.fields["name"]), f.fields["group"] or "") for f in wikidiff.audit("", wikitext).flags
            if f.code == "broken-ref"}


def rendered_broken(html: str) -> set[tuple[str, str | None]]:
    return read_rendering(html).broken_names()


def _matches(ours: set[tuple[str, str]], theirs: set[tuple[str, str | None]]) -> tuple[int, int, int]:
    """(both, wikidiff only, rendering only); a rendered name of unknown group matches any group."""
    left = set(ours)
    both = 0
    for name, group in theirs:
        hit = next((o for o in sorted(left) if o[0] == name and (group is None or o[1] == group)), None)
        if hit is not None:
            left.discard(hit)
            both += 1
    return both, len(left), len(theirs) - both


def run(data: Path, show: bool = False) -> list[dict]:
    from cite_parsertests import read_parser_tests

    rows = []
    for file in FILES:
        tests = read_parser_tests(data / "cite-parsertests" / file)
        for parser in ("php", "parsoid"):
            row = {"file": file, "parser": "legacy" if parser == "php" else "parsoid", "cases": 0, "agree": 0,
                   "with_broken": 0, "both": 0, "wikidiff_only": 0, "rendered_only": 0}
            for test in tests:
                html = test.output(parser)
                if html is None:
                    continue
                ours, theirs = wikidiff_broken(test.wikitext), rendered_broken(html)
                both, only_ours, only_theirs = _matches(ours, theirs)
                row["cases"] += 1
                row["with_broken"] += bool(ours or theirs)
                row["agree"] += not only_ours and not only_theirs
                row["both"] += both
                row["wikidiff_only"] += only_ours
                row["rendered_only"] += only_theirs
                if show and (only_ours or only_theirs):
                    print(f"  {file}:{test.line} [{row['parser']}] {test.name}: wikidiff {sorted(ours)}, "
                          f"rendered {sorted(theirs, key=str)}")
            rows.append(row)
    return rows


def _ratio(a: int, b: int) -> str:
    return f"{a / b:.3f}" if b else "n/a"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data", help="the shared data folder")
    ap.add_argument("--show", action="store_true", help="list each case where the verdicts differ")
    args = ap.parse_args(argv)
    if not (args.data / "cite-parsertests").is_dir():
        print(f"verify accuracy: no cite-parsertests under {args.data}", file=sys.stderr)
        return 2
    rows = run(args.data, args.show)
    print("| file | HTML | cases | agree | cases with a broken name | names both | wikidiff only | rendered only "
          "| precision | recall |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['file']} | {r['parser']} | {r['cases']} | {r['agree']} | {r['with_broken']} | {r['both']} | "
              f"{r['wikidiff_only']} | {r['rendered_only']} | {_ratio(r['both'], r['both'] + r['wikidiff_only'])} | "
              f"{_ratio(r['both'], r['both'] + r['rendered_only'])} |")
    total = {k: sum(r[k] for r in rows) for k in ("cases", "agree", "both", "wikidiff_only", "rendered_only")}
    print(f"\nbroken-ref verdicts agree with the rendering in {total['agree']}/{total['cases']} cases; precision "
          f"{_ratio(total['both'], total['both'] + total['wikidiff_only'])}, recall "
          f"{_ratio(total['both'], total['both'] + total['rendered_only'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
