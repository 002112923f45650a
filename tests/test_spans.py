"""Every flag carries its span, and the spanned text is what the flag names (the ref, the template, the word …).

Audited inputs: every case of tests/cases, the seed sample, and the English pairs of the real wikidiff2 corpus.
"""

from __future__ import annotations

import gzip
import html
import json
import re
from pathlib import Path

import pytest
from case_format import read_cases

import wikidiff
from wikidiff.checks.media import norm_file, norm_text

CASES = [c for f in sorted((Path(__file__).parent / "cases").glob("*.txt")) for c in read_cases(f)]
_WORD = re.compile(r"\w+")
_LINK = re.compile(r"\[\[([^|\]]*)(?:\|([^\]]*))?\]\]")  # [[target|label]] reads as its label


def _fold(text: str) -> str:
    return " ".join(html.unescape(text).split()).lower()


def span_problem(flag: dict, old: str, new: str) -> str | None:
    """Why this flag's span does not hold what it names (None when it does)."""
    span = flag.get("span")
    if span is None:
        return "no span"
    text = old if span["side"] == "old" else new
    start, end = span["start"], span["end"]
    if not 0 <= start < end <= len(text):
        return f"span {start}:{end} outside the {span['side']} text ({len(text)} chars)"
    got = text[start:end]
    code = flag["code"]
    if code in ("broken-ref", "duplicate-ref", "unused-ref", "ref-error", "empty-ref"):
        if not (got.startswith("<") or got.startswith("{{")):
            return f"not a ref tag or template: {got[:80]!r}"
        if flag.get("name") and _fold(flag["name"]) not in _fold(got):
            return f"ref name {flag['name']!r} not in {got[:120]!r}"
        if code == "empty-ref" and got != flag["wikitext"]:
            return f"{got!r} is not the empty ref {flag['wikitext']!r}"
    elif code in ("tag-added", "tag-removed"):
        if got != flag["wikitext"]:
            return f"{got!r} is not the tag {flag['wikitext']!r}"
    elif code == "citation-error":
        if flag.get("template") and _fold(flag["template"]) not in _fold(got).replace("_", " "):
            return f"template {flag['template']!r} not in {got[:120]!r}"
        if not got.lower().startswith("<ref"):
            return f"not a ref: {got[:80]!r}"
    elif code == "words-to-watch":
        if got != flag["word"]:
            return f"{got!r} is not the word {flag['word']!r}"
    elif code == "unsourced-text":
        words = _WORD.findall(flag["text"])
        if flag["text"].endswith("…"):  # clipped in the middle of a word
            words = words[:-1]
        read = re.sub(r"'{2,}", "", _LINK.sub(lambda m: m.group(2) or m.group(1), got))  # as prose reads it
        missing = set(words) - set(_WORD.findall(read))
        if missing:
            return f"words {sorted(missing)[:5]} of the flagged text not in the span {got[:120]!r}"
    elif code in ("image-changed", "image-caption-swap"):
        want = flag["new"] if span["side"] == "new" else flag["old"]
        if norm_file(got) != want:
            return f"image value {got!r} is not {want!r}"
    elif code in ("image-added", "image-removed"):
        shown = {norm_file(f"[[File:{x}]]") for x in re.findall(r"\[\[\s*(?:file|image)\s*:([^|\]]+)", got, re.I)}
        shown = shown or {norm_file(got)}
        if not set(flag["files"]) <= shown:
            return f"image value {got!r} does not show {flag['files']!r}"
    elif code == "caption-changed":
        want = flag["new"] if span["side"] == "new" else flag["old"]
        if norm_text(got) != want:
            return f"caption value {got!r} is not {want!r}"
    else:
        return f"no span rule for {code} in this test"
    return None


def _problems(old: str, new: str, flags: list[dict] | None = None, lang: str = "en") -> list[str]:
    flags = wikidiff.audit(old, new, lang=lang).to_dict()["flags"] if flags is None else flags
    return [f"{f['code']}: {why}" for f in flags if (why := span_problem(f, old, new))]


@pytest.mark.parametrize("case", CASES, ids=[f"{c.file}:{c.name}" for c in CASES])
def test_case_flags_have_spans(case):
    assert _problems(case.old, case.new, lang=case.lang) == []


def test_seed_flags_have_spans(seed_pair):
    old, new = seed_pair
    flags = wikidiff.audit(old, new).to_dict()["flags"]
    assert len({f["code"] for f in flags}) >= 4  # the seed raises several kinds of flag
    assert _problems(old, new) == []


def test_real_pairs_flags_have_spans(shared_data):
    corpus = json.loads(gzip.decompress((shared_data / "wikidiff2-revs" / "revs.json.gz").read_bytes()))
    seen: set[str] = set()
    problems = []
    for lang, pairs in corpus.items():
        for i, (old, new) in enumerate(pairs):
            flags = wikidiff.audit(old, new, lang=lang).to_dict()["flags"]
            seen |= {f["code"] for f in flags}
            problems += [f"{lang} pair {i} {p}" for p in _problems(old, new, flags)]
    assert len(seen) >= 5
    assert problems == []


def test_case_spans_cover_every_code():
    """The case files reach every flag code, so the parametrised test above checks a span for each."""
    codes = {f.code for c in CASES for f in wikidiff.audit(c.old, c.new, lang=c.lang).flags}
    assert codes == set(wikidiff.checks.FLAG_CODES)
