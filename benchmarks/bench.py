"""wikidiff vs mwedittypes 3.1.0 on the same real edits: the script form of `wikidiff bench`.

    python benchmarks/bench.py                      # all 250 pairs and the four histories, with the peer
    python benchmarks/bench.py --lang en --limit 10 --repeat 3
    python benchmarks/bench.py --no-peer            # wikidiff only

Options and output are those of `wikidiff bench` (wikidiff/commands/bench.py); results are in benchmarks/README.md.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wikidiff.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
