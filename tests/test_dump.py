"""Reading saved histories: MediaWiki XML dumps (plain, bz2, gz, xz, lzma) and API JSON, with clear errors where a
file is truncated, corrupt, not UTF-8, or not a dump at all."""

from __future__ import annotations

import bz2
import functools
import gzip
import hashlib
import json
import lzma
import re
from pathlib import Path

import pytest

from wikidiff.cli import main
from wikidiff.errors import InputError
from wikidiff.histories import History
from wikidiff.sources.dump import Dump, DumpError, open_history_file, read_api_json, sha1_hex

_PAGE = re.compile(rb"<page>.*?</page>", re.DOTALL)


@functools.lru_cache(maxsize=1)
def _anarchism_xml(path: Path) -> bytes:
    with lzma.open(path) as f:
        return f.read()


def anarchism_head(shared_data: Path, revisions: int) -> bytes:
    """The 500-revision Anarchism excerpt cut after `revisions` revisions, closed into a valid document."""
    data = _anarchism_xml(shared_data / "anarchism-history" / "anarchism-500.xml.xz")
    end = 0
    for _ in range(revisions):
        end = data.index(b"</revision>", end) + len(b"</revision>")
    return data[:end] + b"\n  </page>\n</mediawiki>\n"


def multi_page_dump(shared_data: Path, anarchism_revisions: int = 12) -> bytes:
    """One export with three real pages: Pyrus and Pear (pywikibot) and the start of the Anarchism excerpt."""
    pyrus = (shared_data / "pywikibot-xml" / "article-pyrus.xml").read_bytes()
    pear = (shared_data / "pywikibot-xml" / "article-pear.xml").read_bytes()
    anarchism = anarchism_head(shared_data, anarchism_revisions)
    head = pyrus[: pyrus.index(b"</siteinfo>") + len(b"</siteinfo>")]
    pages = [_PAGE.search(x).group() for x in (pyrus, pear, anarchism)]
    return head + b"\n  " + b"\n  ".join(pages) + b"\n</mediawiki>\n"


def read_all(path) -> list[tuple[str, int, str | None, str | None]]:
    src = open_history_file(path)
    pages = src.pages() if isinstance(src, Dump) else [src]
    return [(p.title, m.revid, m.sha1, t) for p in pages for t, m in p.revisions]


@pytest.fixture(scope="module")
def dump_bytes(shared_data) -> bytes:
    return multi_page_dump(shared_data)


@pytest.mark.parametrize("suffix, compress", [
    (".xml", lambda b: b), (".xml.bz2", bz2.compress), (".xml.gz", gzip.compress), (".xml.xz", lzma.compress),
    (".xml.lzma", lambda b: lzma.compress(b, format=lzma.FORMAT_ALONE)),
    (".dat", bz2.compress),  # told by its first bytes, not its name
])
def test_every_compression_reads_the_same_pages(tmp_path, dump_bytes, suffix, compress):
    path = tmp_path / f"history{suffix}"
    path.write_bytes(compress(dump_bytes))
    revs = read_all(path)
    assert [t for t, *_ in revs] == ["Pyrus"] * 6 + ["Pear"] * 4 + ["Anarchism"] * 12
    assert revs[0][1] == 104997415 and revs[6][0] == "Pear"
    # no <sha1> in these exports: the SHA-1 of the text, as MediaWiki computes it
    assert all(sha == hashlib.sha1(text.encode()).hexdigest() for _, _, sha, text in revs)


def test_pages_are_streamed_lazily(tmp_path, dump_bytes):
    """The first page comes out before the (broken) rest of the file is read."""
    path = tmp_path / "broken.xml"
    path.write_bytes(dump_bytes[: dump_bytes.index(b"<title>Anarchism</title>") + 600])
    pages = Dump(path).pages()
    first = next(pages)
    assert first.title == "Pyrus" and len(list(first.revisions)) == 6
    assert next(pages).title == "Pear"


def test_base36_sha1_of_dumps_becomes_hex(shared_data):
    revs = read_all(shared_data / "dewiktionary-history" / "familia.xml")
    assert len(revs) == 80
    assert all(sha == hashlib.sha1(text.encode()).hexdigest() for _, _, sha, text in revs)
    assert sha1_hex("p1eqg4adf19blx1o9pr7wuhslyprfuw") == format(int("p1eqg4adf19blx1o9pr7wuhslyprfuw", 36), "040x")
    assert sha1_hex("a" * 40) == "a" * 40
    assert sha1_hex("") is None and sha1_hex("not base 36!") is None


def test_revision_metadata_from_a_modern_export(shared_data):
    src = Dump(shared_data / "dewiktionary-history" / "familia.xml")
    page = next(src.pages())
    revs = list(page.revisions)
    assert page.title == "familia" and page.site == "dewiktionary"
    _, second = revs[1]
    assert second.parentid == revs[0][1].revid and second.user and second.timestamp.endswith("Z")
    assert second.size == len(revs[1][0].encode())


def test_title_filter_skips_other_pages(tmp_path, dump_bytes):
    path = tmp_path / "h.xml"
    path.write_bytes(dump_bytes)
    got = [(p.title, len(list(p.revisions))) for p in Dump(path).pages(titles={"Pear", "Anarchism"})]
    assert got == [("Pear", 4), ("Anarchism", 12)]


def test_a_page_read_in_part_does_not_disturb_the_next(tmp_path, dump_bytes):
    path = tmp_path / "h.xml"
    path.write_bytes(dump_bytes)
    got = []
    for page in Dump(path).pages():
        first = next(page.revisions)  # one revision of each page only
        got.append((page.title, first[1].revid))
    assert got == [("Pyrus", 104997415), ("Pear", 185185), ("Anarchism", 19353512)]


# ---- broken input ------------------------------------------------------------------------------------------------

def _expect_stop(path, page: str, after: int, read: int, reason: str) -> None:
    got = []
    with pytest.raises(DumpError) as err:
        for title, revid, _, _ in _iter(path):
            got.append((title, revid))
    msg = str(err.value)
    assert str(path) in msg and f"page {page!r}" in msg and f"after revision {after}" in msg, msg
    assert f"({read} revisions of it read)" in msg and reason in msg, msg
    assert got[-1] == (page, after)


def _iter(path):
    src = open_history_file(path)
    for p in src.pages():
        for _, m in p.revisions:
            yield p.title, m.revid, None, None


@pytest.mark.parametrize("compress, cut", [
    (lambda b: b, lambda n: n * 55 // 100),
    (lambda b: bz2.compress(b, compresslevel=1), lambda n: n - 400),  # 100 kB blocks: the last one is lost
    (gzip.compress, lambda n: n - 400),
    (lzma.compress, lambda n: n - 400),
], ids=["xml", "bz2", "gz", "xz"])
def test_truncated_dump_names_page_and_last_revision(tmp_path, shared_data, compress, cut):
    data = compress(anarchism_head(shared_data, 10))
    path = tmp_path / "cut.xml"
    path.write_bytes(data[: cut(len(data))])
    got = list(_safe_iter(path))
    assert 2 <= len(got) < 10 and all(t == "Anarchism" for t, _ in got)
    _expect_stop(path, "Anarchism", got[-1][1], len(got), "truncated")


def test_truncated_before_any_page(tmp_path, shared_data):
    data = gzip.compress(anarchism_head(shared_data, 2))
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(data[:200])
    with pytest.raises(DumpError, match=r"cut\.xml\.gz: reading stopped before the first page: the file is truncated"):
        list(_iter(path))


def _safe_iter(path):
    try:
        yield from ((t, r) for t, r, _, _ in _iter(path))
    except DumpError:
        return


def test_bytes_that_are_not_utf8(tmp_path, shared_data):
    data = anarchism_head(shared_data, 6)
    at = data.index(b"'''Anarchism'''", data.index(b"<id>19357928</id>"))  # inside the third revision's text
    path = tmp_path / "latin1.xml"
    path.write_bytes(data[:at] + "Ånarchism".encode("latin-1") + data[at:])
    _expect_stop(path, "Anarchism", 19354470, 2, "not valid UTF-8 at byte")


def test_malformed_xml(tmp_path, shared_data):
    data = anarchism_head(shared_data, 6)
    at = data.index(b"<timestamp>", data.index(b"<id>19357928</id>"))
    path = tmp_path / "bad.xml"
    path.write_bytes(data[:at] + b"<timestamp<" + data[at + 11:])
    _expect_stop(path, "Anarchism", 19354470, 2, "malformed XML")


@pytest.mark.parametrize("content, message", [
    (b"", "the file is empty"),
    (b"<html><body>Not found</body></html>", "not a MediaWiki XML export"),
    (b"just some text\n", "not a MediaWiki XML export"),
    (b"7z\xbc\xaf\x27\x1c\x00\x04rest", "7z archives are not supported"),
    (b"[{\"revid\": 1,", "not valid JSON"),
    (b"{\"hello\": \"world\"}", "not an API revision history"),
])
def test_not_a_history(tmp_path, content, message):
    path = tmp_path / "input.bin"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message):
        list(_iter(path))


def test_corrupt_dump_on_the_command_line_keeps_what_was_read(tmp_path, shared_data, capsys):
    data = gzip.compress(anarchism_head(shared_data, 10))
    path = tmp_path / "cut.xml.gz"
    path.write_bytes(data[:-400])
    read = [r for _, r in _safe_iter(path)]
    assert 0 < len(read) < 10
    good = shared_data / "pywikibot-xml" / "article-pyrus.xml"  # a readable file after the broken one
    out = tmp_path / "out"
    assert main(["history", str(path), str(good), "--out", str(out), "--quiet"]) == 2
    captured = capsys.readouterr()
    err = captured.err.strip()
    assert err.count("\n") == 0 and err.startswith("wikidiff: error: ")
    assert f"after revision {read[-1]}" in err and f"the {len(read) + 6} revisions read were written to {out}" in err
    assert "Anarchism (incomplete): " in captured.out and "Pyrus: 6 revisions" in captured.out
    h = History.load(out)
    assert list(h.revisions["revid"])[: len(read)] == read and len(h.revisions) == len(read) + 6
    assert h.pages.set_index("title")["complete"].to_dict() == {"Anarchism": False, "Pyrus": True}
    assert h.revisions["audited"].sum() == len(read) - 1 + 5


# ---- API JSON -------------------------------------------------------------------------------------------------

def test_api_json_formatversion_1_and_2_agree(tmp_path, shared_data):
    fv1 = shared_data / "wikiwho-histories" / "nintendo_switch_revisions.json"
    revs = json.loads(fv1.read_text(encoding="utf-8"))
    fv2 = {"batchcomplete": True, "query": {"pages": [{"pageid": 45917036, "ns": 0, "title": "Nintendo Switch",
           "revisions": [{**{k: v for k, v in r.items() if k != "*"},
                          "slots": {"main": {"contentmodel": "wikitext", "content": r["*"]}}} for r in revs]}]}}
    p2 = tmp_path / "fv2.json"
    p2.write_text(json.dumps(fv2), encoding="utf-8")
    a, b = read_api_json(fv1), read_api_json(p2)
    ra, rb = list(a.revisions), list(b.revisions)
    assert b.title == "Nintendo Switch" and b.page_id == 45917036 and a.title == "nintendo_switch_revisions"
    assert [(t, m.revid, m.sha1, m.user, m.timestamp) for t, m in ra] == \
           [(t, m.revid, m.sha1, m.user, m.timestamp) for t, m in rb]
    assert len(ra) == 30 and all(m.sha1 == hashlib.sha1(t.encode()).hexdigest() for t, m in ra)
