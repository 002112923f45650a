"""`import wikidiff` stays light: the heavy optional machinery (pandas, the HTTP and wiki clients, Parquet, dump
reading, plotting, Dask) loads only when a feature that needs it is used. Checked in a fresh interpreter."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import ROOT

HEAVY = ("pandas", "mwclient", "requests", "pyarrow", "mwxml", "matplotlib", "dask", "numpy", "tqdm", "selenium")


def _loaded_after(code: str) -> set[str]:
    probe = f"import sys, json\n{code}\nprint(json.dumps(sorted(m.split('.')[0] for m in sys.modules)))"
    proc = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert proc.returncode == 0, proc.stderr
    return set(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_import_wikidiff_is_light():
    loaded = _loaded_after("import wikidiff")
    assert not loaded & set(HEAVY), f"import wikidiff loads {sorted(loaded & set(HEAVY))}"


def test_an_audit_and_its_reports_stay_light():
    loaded = _loaded_after(
        "import wikidiff\n"
        "from wikidiff.report import render\n"
        "a = wikidiff.audit('A.<ref name=x>X</ref> B.<ref name=x/>', 'A. B.<ref name=x/>')\n"
        "for fmt in ('text', 'json', 'markdown', 'html', 'wikitext'):\n"
        "    render(a, fmt)\n")
    assert not loaded & set(HEAVY), f"an audit loads {sorted(loaded & set(HEAVY))}"


def test_the_probe_sees_heavy_imports():
    """The check can fail: importing pandas is seen."""
    assert "pandas" in _loaded_after("import pandas")
