"""The audit on 250 real edit pairs (wikidiff2's recent-changes sample, five languages): no exception, and every
result obeys the invariants below, checked against the revision texts themselves.

`audit_problems` is also used by test_robustness.py on synthetic inputs.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

import pytest

import wikidiff
from wikidiff.text.document import Document

ROOT = Path(__file__).resolve().parents[1]
LANGS = ("en", "hi", "ru", "th", "zh")
SEVERITIES = {"error", "warning", "info"}


def _utf8(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _partition_problems(doc: Document, side: str) -> list[str]:
    out = []
    secs = doc.sections
    if secs[0].start != 0 or secs[-1].end != len(doc.text):
        out.append(f"{side}: sections do not cover the text ({secs[0].start}..{secs[-1].end} of {len(doc.text)})")
    for a, b in zip(secs, secs[1:], strict=False):
        if a.end != b.start:
            out.append(f"{side}: gap or overlap between sections {a.index} and {b.index}")
    for s in secs:
        if not s.start <= s.body_start <= s.end:
            out.append(f"{side}: section {s.index} body outside its span")
    return out


def _op_problems(result: wikidiff.Audit) -> list[str]:
    old, new = result.old.text, result.new.text
    out = []
    for change in result.sections:
        o, n = change.old, change.new
        for op in change.ops:
            if op.op in ("equal", "delete") and old[op.old_offset:op.old_offset + len(op.text)] != op.text:
                out.append(f"{op.op} op at old {op.old_offset} does not match the old text")
            if op.op in ("equal", "insert") and new[op.new_offset:op.new_offset + len(op.text)] != op.text:
                out.append(f"{op.op} op at new {op.new_offset} does not match the new text")
        old_side = "".join(op.text for op in change.ops if op.op != "insert")
        new_side = "".join(op.text for op in change.ops if op.op != "delete")
        if o is None:
            if new_side != new[n.start:n.end]:
                out.append(f"added section {n.heading!r}: its insertion is not the section text")
        elif n is None:
            if old_side != old[o.start:o.end]:
                out.append(f"removed section {o.heading!r}: its deletion is not the section text")
        else:
            # the ops rebuild what changed: the heading line where it changed (a rename says so instead), the body
            old_head, new_head = old[o.start:o.body_start], new[n.start:n.body_start]
            old_body, new_body = old[o.body_start:o.end], new[n.body_start:n.end]
            head = old_head != new_head and not change.renamed
            body = old_body != new_body
            want_old = (old_head if head else "") + (old_body if body else "")
            want_new = (new_head if head else "") + (new_body if body else "")
            if old_side != want_old or new_side != want_new:
                out.append(f"section {n.heading!r}: the diff does not rebuild what changed in it")
            if (body or head) != change.modified:
                out.append(f"section {n.heading!r}: modified is {change.modified}, its text says otherwise")
    return out


def _summary_problems(result: wikidiff.Audit) -> list[str]:
    s = result.summary
    out = []

    def count(seq, **kw) -> int:
        return sum(1 for x in seq if all(getattr(x, k) == v for k, v in kw.items()))

    expected = {
        "sections_changed": len(result.sections),
        "sections_added": count(result.sections, change="added"),
        "sections_removed": count(result.sections, change="removed"),
        "sections_moved": count(result.sections, moved=True),
        "sections_renamed": count(result.sections, renamed=True),
        "refs_added": count(result.references, change="added"),
        "refs_removed": count(result.references, change="removed"),
        "refs_modified": count(result.references, change="modified"),
        "flags": len(result.flags),
        "errors": count(result.flags, severity="error"),
        "warnings": count(result.flags, severity="warning"),
        "infos": count(result.flags, severity="info"),
        "size_change": _utf8(result.new.text) - _utf8(result.old.text),
        "identical": result.old.text == result.new.text,
    }
    for key, value in expected.items():
        if s[key] != value:
            out.append(f"summary[{key!r}] = {s[key]!r}, the lists say {value!r}")
    # bytes: the diff's insertions and deletions and the renamed heading lines make up the whole size change
    if s["bytes_added"] - s["bytes_removed"] != s["size_change"]:
        out.append(f"bytes +{s['bytes_added']} -{s['bytes_removed']} do not add up to the size change "
                   f"{s['size_change']:+}")
    return out


def _flag_problems(result: wikidiff.Audit) -> list[str]:
    out = []
    for f in result.flags:
        if f.severity not in SEVERITIES:
            out.append(f"{f.code}: severity {f.severity!r}")
        for side, offset, doc in (("new", f.new_offset, result.new), ("old", f.old_offset, result.old)):
            if offset is None:
                continue
            if not 0 <= offset < len(doc.text):
                out.append(f"{f.code}: {side}_offset {offset} outside the {side} text ({len(doc.text)} chars)")
            elif (f.new_offset is None) != (f.old_offset is None) and f.section != doc.section_at(offset).label:
                out.append(f"{f.code}: section {f.section!r} is not the one at its {side} offset")
    return out


def _ref_problems(result: wikidiff.Audit) -> list[str]:
    out = []
    for change in result.references:
        for ref, doc in ((change.old, result.old), (change.new, result.new)):
            if ref is not None and ref.via == "tag" and doc.text[ref.start:ref.end] != ref.raw:
                out.append(f"ref {ref.name!r}: raw text is not the text at its offsets")
    for m in result.moves:
        if result.old.text[m.old_offset:m.old_offset + len(m.old_text)] != m.old_text or \
                result.new.text[m.new_offset:m.new_offset + len(m.new_text)] != m.new_text:
            out.append(f"move {m.old_offset}->{m.new_offset}: texts do not match the revisions")
    return out


def _json_problems(result: wikidiff.Audit) -> list[str]:
    try:
        data = json.loads(result.to_json())
        json.dumps(result.to_dict(), ensure_ascii=True)  # every string encodable, lone surrogates included
    except (TypeError, ValueError) as exc:
        return [f"not JSON serialisable: {exc}"]
    out = []
    missing = {"old", "new", "summary", "sections", "references", "flags"} - set(data)
    if missing:
        out.append(f"JSON lacks {sorted(missing)}")
    if len(data.get("flags", [])) != len(result.flags) or len(data.get("sections", [])) != len(result.sections):
        out.append("JSON lists differ in length from the audit's")
    for f in data.get("flags", []):
        if not {"code", "severity", "message", "section"} <= set(f):
            out.append(f"JSON flag without the contract's keys: {sorted(f)}")
    return out


def audit_problems(result: wikidiff.Audit) -> list[str]:
    """Everything about one audit that contradicts its own revision texts (an empty list when sound)."""
    problems = (_partition_problems(result.old, "old") + _partition_problems(result.new, "new")
                + _op_problems(result) + _summary_problems(result) + _flag_problems(result)
                + _ref_problems(result) + _json_problems(result))
    if result.old.text == result.new.text:
        if result.sections or result.references:
            problems.append("identical revisions with section or reference changes")
        problems += [f"identical revisions: {f.code} said to be caused by the edit" for f in result.flags
                     if f.fields.get("caused_by_edit")]
    return problems


def test_invariants_catch_a_corrupted_audit():
    """The checker itself can fail: shifted diff offsets, a flag outside the text, a stray section change."""
    old = "== A ==\nThe river is long.<ref name=r>Src</ref>\n== B ==\nText.\n"
    new = "== A ==\nThe river is very long.<ref name=r/>\n== B ==\nText.{{citation needed}}\n"
    result = wikidiff.audit(old, new)
    assert audit_problems(result) == []
    op = next(op for c in result.sections for op in c.ops if op.op == "insert")
    op.new_offset += 1
    result.flags[0].new_offset = len(new) + 5
    problems = audit_problems(result)
    assert any("does not match the new text" in p for p in problems)
    assert any("outside the new text" in p for p in problems)
    same = wikidiff.audit(old, old)
    same.sections.append(result.sections[0])
    assert any("identical revisions" in p for p in audit_problems(same))


# ---- the corpus ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pairs(shared_data: Path) -> dict[str, list[list[str]]]:
    with gzip.open(shared_data / "wikidiff2-revs" / "revs.json.gz", "rt", encoding="utf-8") as f:
        return json.load(f)


def test_corpus_shape(pairs):
    assert sorted(pairs) == sorted(LANGS)
    assert all(len(v) == 50 for v in pairs.values())


@pytest.mark.parametrize("lang", LANGS)
def test_corpus_pairs_audit_soundly(pairs, lang):
    failures = []
    for i, (old, new) in enumerate(pairs[lang]):
        try:
            result = wikidiff.audit(old, new, lang=lang)
        except Exception as exc:  # noqa: BLE001 - every failure of the 50 is reported, not just the first
            failures.append(f"{lang}[{i}]: {type(exc).__name__}: {exc}")
            continue
        failures += [f"{lang}[{i}]: {p}" for p in audit_problems(result)]
        if old == new and result.flags:
            failures.append(f"{lang}[{i}]: identical revisions flagged {[f.code for f in result.flags]}")
    assert not failures, "\n".join(failures[:30])


def test_corpus_identical_pairs_are_quiet(pairs):
    """The sample holds a few null edits (same text twice): nothing changed, nothing to flag."""
    identical = [(lang, i) for lang in LANGS for i, (o, n) in enumerate(pairs[lang]) if o == n]
    assert identical, "the sample no longer holds an identical pair"
    for lang, i in identical:
        result = wikidiff.audit(*pairs[lang][i], lang=lang)
        assert (result.sections, result.references, result.flags) == ([], [], [])
        assert result.summary["identical"] is True and result.summary["bytes_added"] == 0


def test_corpus_finds_changes(pairs):
    """Invariants alone would pass an audit that finds nothing: across 250 real edits it must find edits."""
    changed = [wikidiff.audit(o, n, lang=lang) for lang in LANGS for o, n in pairs[lang][:10] if o != n]
    assert all(r.sections for r in changed)
    assert sum(r.summary["bytes_added"] + r.summary["bytes_removed"] for r in changed) > 0


BENCH = ROOT / "benchmarks" / "bench_audit.py"


def test_bench_script_runs(shared_data):
    """`python benchmarks/bench_audit.py --limit 3` on the shared pairs and histories: exit 0 and the tables."""
    proc = subprocess.run(
        [sys.executable, str(BENCH), "--limit", "3",
         "--data", str(shared_data / "wikidiff2-revs" / "revs.json.gz"),
         "--histories", str(shared_data / "wikiwho-histories")],
        cwd=ROOT, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("peer: ")
    rows: dict[str, list[str]] = {}
    for line in lines:
        if line.split():
            rows.setdefault(line.split()[0], line.split())  # the first "total" is the pairs table's
    for lang in LANGS:
        assert rows[lang][1] == "3", lines
    assert rows["total"][1] == "15"
    assert "japan_cup" in rows


def test_bench_script_rejects_missing_data(tmp_path):
    proc = subprocess.run([sys.executable, str(BENCH), "--data", str(tmp_path / "nope.json.gz")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.startswith("bench_audit.py: error: benchmark pairs not found")
    assert "Traceback" not in proc.stderr
