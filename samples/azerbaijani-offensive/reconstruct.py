"""Rebuild old.wiki and new.wiki from the seed diff page (../shared/seeds/001_*.txt).

The diff page lists, for each hunk, the old line followed by the new line beside it (unchanged lines twice, lines on
one side once). Which side a one-sided line belongs to was read off the rendered new revision under the diff; the
line numbers below are 1-based lines of the seed file. The infobox lines are wrapped in the template call they sit in
({{Infobox military conflict … }}), which the hunk itself does not show. Run: python reconstruct.py SEED_FILE
"""

import sys
from pathlib import Path

INFOBOX_OLD = [10, 12, 14, 16, 18, 20, 22]
INFOBOX_NEW = [11, 13, 15, 17, 19, 21, 23]
BACKGROUND_OLD = [25, 27, 29, 31, 34, 35, 38, 39, 42, 44, 47, 48, 51, 52, 55, 56, 58]
BACKGROUND_NEW = [26, 28, 30, 32, 33, 36, 37, 40, 41, 43, 45, 46, 49, 50, 53, 54, 57, 59]


def build(lines: list[str], infobox: list[int], background: list[int]) -> str:
    pick = [lines[n - 1] for n in infobox]
    body = [lines[n - 1] for n in background]
    return "{{Infobox military conflict\n" + "\n".join(pick) + "\n}}\n\n" + "\n".join(body) + "\n"


def main() -> None:
    seed = Path(sys.argv[1])
    lines = seed.read_text(encoding="utf-8").split("\n")
    here = Path(__file__).parent
    (here / "old.wiki").write_text(build(lines, INFOBOX_OLD, BACKGROUND_OLD), encoding="utf-8")
    (here / "new.wiki").write_text(build(lines, INFOBOX_NEW, BACKGROUND_NEW), encoding="utf-8")


if __name__ == "__main__":
    main()
