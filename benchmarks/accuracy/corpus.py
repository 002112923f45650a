"""The shared real data as edit pairs: the 250 wikidiff2 recent-changes pairs and consecutive revisions of the
Anarchism excerpt (500 revisions) and the four WikiWho histories."""

from __future__ import annotations

import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
WIKIWHO = ("adam_himebauch", "american_goldfinch", "japan_cup", "nintendo_switch")


@dataclass(frozen=True)
class Pair:
    """One edit: `corpus` ("pairs" or "histories"), `source` (a file), `key` (stable within the source)."""

    corpus: str
    source: str
    key: str
    old: str
    new: str
    lang: str = "en"

    @property
    def ident(self) -> str:
        return f"{self.source}:{self.key}"


def real_pairs(data: Path = DATA, limit: int | None = None) -> Iterator[Pair]:
    corpus = json.loads(gzip.decompress((data / "wikidiff2-revs" / "revs.json.gz").read_bytes()))
    for lang, pairs in corpus.items():
        for i, (old, new) in enumerate(pairs[:limit]):
            yield Pair("pairs", "wikidiff2-revs", f"{lang}/{i}", old, new, lang)


def history_pairs(data: Path = DATA, limit: int | None = None) -> Iterator[Pair]:
    """Consecutive revisions (parent -> child, as the file orders them); identical texts are skipped."""
    for name in WIKIWHO:
        revs = json.loads((data / "wikiwho-histories" / f"{name}_revisions.json").read_text("utf-8"))
        texts = [(str(r["revid"]), r.get("*", "")) for r in revs]
        yield from _consecutive("wikiwho-histories", name, texts, limit)
    import lzma
    import xml.etree.ElementTree as ET

    texts = []
    with lzma.open(data / "anarchism-history" / "anarchism-500.xml.xz") as fh:
        for _, el in ET.iterparse(fh):
            if el.tag.endswith("}revision"):
                ns = el.tag[:-len("revision")]
                texts.append((el.findtext(f"{ns}id") or "", el.findtext(f"{ns}text") or ""))
                el.clear()
    yield from _consecutive("anarchism-history", "anarchism-500", texts, limit)


def _consecutive(source: str, page: str, texts: list[tuple[str, str]], limit: int | None) -> Iterator[Pair]:
    n = 0
    for (_, old), (revid, new) in zip(texts, texts[1:], strict=False):
        if old == new:
            continue
        yield Pair("histories", source, f"{page}/{revid}", old, new)
        n += 1
        if limit is not None and n >= limit:
            return
