"""Size sweeps for the shapes a hostile or pathological edit can take: time and peak memory per size.

Each (shape, size) runs in a fresh interpreter, so the peak resident memory it reports is that run's alone. Run
from the checkout: `python3 benchmarks/size_sweep.py [--shapes nesting,renamed …] [--sizes 1000,2000,4000]`.
Linear cost shows as time and memory that double when the size doubles (the `×` columns); a quadratic shape shows
4×. `÷ read` is the time over that of reading the input in the same run (both revisions scanned and cut into
sections, the first thing every audit does). The first line is an empty run's memory: the interpreter and
wikidiff's imports.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: shape -> (what it is, code building OLD and NEW from n, what is timed: "audit", or "audit+<format>")
SHAPES: dict[str, tuple[str, str, str]] = {
    "nesting": ("templates nested n deep ({{a|{{a|…x…}}}})",
                "old = '{{a|' * n + 'x' + '}}' * n\nnew = old + ' y.'", "audit"),
    "nested-images": ("image templates nested n deep ({{Infobox|image={{Infobox|image=…x.jpg}}}}), HTML report",
                      "old = '{{Infobox|image=' * n + 'x.jpg' + '}}' * n\nnew = old.replace('x.jpg', 'y.jpg')",
                      "audit+html"),
    "nested-notes": ("notes nested n deep ({{efn|{{efn|…x}}}}), HTML report",
                     "old = 'Text ' + '{{efn|' * n + 'x' + '}}' * n + '\\n{{notelist}}\\n'\n"
                     "new = old.replace('x}', 'y}')", "audit+html"),
    "nested-ref-tags": ("n <ref> tags opened and none closed but the last (<ref><ref>…x</ref>)",
                        "old = 'Text ' + '<ref>' * n + 'x' + '</ref>' * n + '\\n'\nnew = old.replace('x<', 'y<')",
                        "audit+html"),
    "nested-cites": ("citation templates nested n deep in a ref's title",
                     "old = 'Text.<ref>' + '{{cite web|url=http://a.org|title=' * n + 'x' + '}}' * n + '</ref>\\n'\n"
                     "new = old.replace('x}', 'y}')", "audit+html"),
    "nested-r": ("{{r}} nested n deep, added", "old = 'Text.\\n'\nnew = 'Text.' + '{{r|' * n + 'y' + '}}' * n + '\\n'",
                 "audit+html"),
    "nested-tags": ("n maintenance tags nested in each other's reason, added",
                    "old = 'Text\\n'\nnew = 'Text ' + '{{citation needed|reason=' * n + 'x' + '}}' * n + '\\n'",
                    "audit+html"),
    "refs-and-notes": ("n list-defined refs, n notes and n uses",
                       "old = '<references>\\n' + ''.join(f'<ref name=a{i}>x</ref>\\n' for i in range(n)) + "
                       "'</references>\\n' + ''.join(f'T{{{{efn|x{i}}}}}\\n' for i in range(n)) + "
                       "''.join(f'U<ref name=a{i}/>\\n' for i in range(n))\nnew = old.replace('>x<', '>y<')",
                       "audit+html"),
    "renamed": ("n sections, every heading renamed",
                "old = ''.join(f'== S{i} ==\\nText {i} here.\\n' for i in range(n))\n"
                "new = ''.join(f'== T{i} ==\\nText {i} here.\\n' for i in range(n))", "audit"),
    "renamed-edited": ("n sections, every heading renamed and every body edited",
                       "old = ''.join(f'== Old {i} ==\\nSection {i} tells of topic{i} and place{i} in detail.\\n' "
                       "for i in range(n))\n"
                       "new = ''.join(f'== New {i} ==\\nSection {i} tells of topic{i} and place{i} in more detail.\\n' "
                       "for i in range(n))", "audit"),
    "same-named": ("n sections of one name, order reversed",
                   "secs = [f'== Notes ==\\nBody {i} of the notes.\\n' for i in range(n)]\n"
                   "old = ''.join(secs)\nnew = ''.join(reversed(secs))", "audit"),
    "refs-line": ("n <ref name=x/> on one line, HTML report",
                  "old = 'A.<ref name=x>X</ref>\\n'\nnew = 'A.' + '<ref name=x/>' * n + '\\n'", "audit+html"),
    "flags": ("n words-to-watch flags, HTML report",
              "old = 'Start.\\n'\nnew = 'Start. ' + ' '.join('He is a terrorist.' for _ in range(n)) + '\\n'",
              "audit+html"),
    "blank-lines": ("n empty lines added, HTML report", "old = 'A.\\n'\nnew = 'A.\\n' + '\\n' * n + 'B.\\n'",
                    "audit+html"),
    "one-char-lines": ("n one-character lines all changed",
                       "old = 'a\\n' * n\nnew = 'b\\n' * n", "audit+html"),
}

CHILD = r"""
import json, resource, sys, time
n = int(sys.argv[1])
{build}
import wikidiff
from wikidiff.report import render
from wikidiff.text.document import Document
t0 = time.perf_counter()
Document.from_text(old), Document.from_text(new)  # reading the input: scanned and cut into sections
read = time.perf_counter() - t0
t0 = time.perf_counter()
what = {what!r}
if what != "none":
    a = wikidiff.audit(old, new)
    if "+" in what:
        out = render(a, what.split("+")[1])
took = time.perf_counter() - t0
print(json.dumps({{"seconds": took, "read": read, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "input_kb": (len(old) + len(new)) / 1024}}))
"""


def run(shape: str, n: int, timeout: float) -> dict | None:
    _, build, what = SHAPES.get(shape, ("", "old = new = ''", "none"))
    code = CHILD.format(build=build, what=what)
    try:
        proc = subprocess.run([sys.executable, "-c", code, str(n)], capture_output=True, text=True,
                              timeout=timeout, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode:
        return {"error": proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else f"exit {proc.returncode}"}
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shapes", default=",".join(SHAPES))
    ap.add_argument("--sizes", default="2500,5000,10000,20000")
    ap.add_argument("--timeout", type=float, default=300)
    args = ap.parse_args()
    base = run("", 0, args.timeout) or {}
    print(f"empty run: {base.get('peak_mb', 0):.0f} MB")
    for shape in args.shapes.split(","):
        print(f"\n{shape}: {SHAPES[shape][0]}")
        print(f"{'n':>8} {'input KB':>9} {'seconds':>9} {'×':>5} {'÷ read':>7} {'peak MB':>8} {'×':>5}")
        prev = None
        for n in (int(x) for x in args.sizes.split(",")):
            r = run(shape, n, args.timeout)
            if r is None or "error" in r:
                print(f"{n:>8} {'':>9} {'timeout' if r is None else r['error'][:60]}")
                break
            extra = r["peak_mb"] - base.get("peak_mb", 0)
            tx = f"{r['seconds'] / prev[0]:.1f}" if prev and prev[0] > 0.01 else ""
            mx = f"{extra / prev[1]:.1f}" if prev and prev[1] > 1 else ""
            per_read = f"{r['seconds'] / r['read']:.0f}" if r["read"] > 0 else ""
            print(f"{n:>8} {r['input_kb']:>9.0f} {r['seconds']:>9.2f} {tx:>5} {per_read:>7} {extra:>8.0f} {mx:>5}")
            prev = (r["seconds"], extra)


if __name__ == "__main__":
    main()
