"""What the checks need to know about a wiki: its language, namespace names and aliases, magic words and the
prefixes of interlanguage links.

The wiki's own `action=query&meta=siteinfo&siprop=general|namespaces|namespacealiases|magicwords|interwikimap`
answer is read by `SiteInfo.from_api` (fetched once per wiki and kept in the revision cache: see `fetch_site_info`);
without it `SiteInfo.shipped(lang)` gives the fallback shipped in data/siteinfo.json for the largest Wikipedias
(English canonical names only for any other wiki).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

FILE_NS, TEMPLATE_NS, CATEGORY_NS = 6, 10, 14


def _key(name: str) -> str:
    """Namespace names compare case-insensitively, with `_` as a space."""
    return " ".join(name.replace("_", " ").split()).casefold()


@dataclass(frozen=True)
class SiteInfo:
    """One wiki's names. `namespaces` maps a namespace id to every name that reaches it (canonical, local,
    aliases); `magic_words` a magic word's id to its aliases; `interlanguage` the interlanguage link prefixes."""

    lang: str
    namespaces: Mapping[int, tuple[str, ...]]
    magic_words: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    interlanguage: frozenset[str] = frozenset()
    source: str = "shipped"  # "api" (the wiki's own answer), "shipped" (data/siteinfo.json) or "default"

    def names(self, ns: int) -> tuple[str, ...]:
        return self.namespaces.get(ns, ())

    def namespace_of(self, prefix: str) -> int | None:
        """The namespace id a title prefix (`Kategorie`, `file`, `Bild`) names, or None."""
        return self._by_name.get(_key(prefix))

    def is_interlanguage(self, prefix: str) -> bool:
        return prefix.strip().lower() in self.interlanguage

    @property
    def _by_name(self) -> dict[str, int]:
        cached = self.__dict__.get("_names")
        if cached is None:
            cached = {_key(n): ns for ns, names in self.namespaces.items() for n in names}
            object.__setattr__(self, "_names", cached)
        return cached

    @classmethod
    def shipped(cls, lang: str) -> SiteInfo:
        """The fallback for `lang` from data/siteinfo.json (English canonical names for a wiki it does not list)."""
        return _shipped(lang)

    @classmethod
    def from_api(cls, answer: Mapping[str, Any], lang: str | None = None) -> SiteInfo:
        """Read a meta=siteinfo answer (formatversion 1 or 2): the `query` object or the whole answer."""
        query = answer.get("query", answer)
        general = query.get("general") or {}
        lang = lang or general.get("lang") or "en"
        names: dict[int, list[str]] = {}
        spaces = query.get("namespaces") or {}
        for ns in (spaces.values() if isinstance(spaces, Mapping) else spaces):
            if not isinstance(ns, Mapping) or "id" not in ns:
                continue
            local = ns.get("name", ns.get("*"))
            names.setdefault(int(ns["id"]), []).extend(x for x in (ns.get("canonical"), local) if x)
        for alias in query.get("namespacealiases") or []:
            if isinstance(alias, Mapping) and "id" in alias:
                names.setdefault(int(alias["id"]), []).append(alias.get("alias", alias.get("*", "")))
        magic: dict[str, tuple[str, ...]] = {}
        for word in query.get("magicwords") or []:
            if isinstance(word, Mapping) and word.get("name"):
                magic[word["name"]] = tuple(str(a) for a in word.get("aliases") or ())
        inter = frozenset(str(iw["prefix"]).lower() for iw in query.get("interwikimap") or []
                          if isinstance(iw, Mapping) and iw.get("prefix") and "language" in iw)
        return cls(lang, {k: tuple(dict.fromkeys(n for n in v if n)) for k, v in names.items()}, magic,
                   inter or _shipped(lang).interlanguage, "api")

    def to_api(self) -> dict[str, Any]:
        """The shape from_api reads (what the cache keeps)."""
        return {"query": {
            "general": {"lang": self.lang},
            "namespaces": {str(k): {"id": k, "name": v[0]} for k, v in self.namespaces.items() if v},
            "namespacealiases": [{"id": k, "alias": n} for k, v in self.namespaces.items() for n in v[1:]],
            "magicwords": [{"name": k, "aliases": list(v)} for k, v in self.magic_words.items()],
            "interwikimap": [{"prefix": p, "language": p} for p in sorted(self.interlanguage)],
        }}


@lru_cache(maxsize=1)
def _data() -> dict[str, Any]:
    return json.loads(resources.files("wikidiff.data").joinpath("siteinfo.json").read_text("utf-8"))


@lru_cache(maxsize=64)
def _shipped(lang: str) -> SiteInfo:
    data = _data()
    entry = data["wikis"].get(lang)
    names: dict[int, list[str]] = {int(k): list(v) for k, v in data["canonical"].items()}
    if entry:
        for k, v in entry["namespaces"].items():
            names[int(k)] = [*v, *names.get(int(k), [])]
    magic = {k: tuple(v) for k, v in (entry or {}).get("magicwords", {"redirect": ["#REDIRECT"]}).items()}
    return SiteInfo(lang, {k: tuple(dict.fromkeys(v)) for k, v in names.items()}, magic,
                    frozenset(data["interlanguage"]), "shipped" if entry else "default")


def shipped_languages() -> Iterable[str]:
    return sorted(_data()["wikis"])


_LINK_PREFIX = re.compile(r"\[\[\s*([^\[\]|:#]+?)\s*:")


def link_prefix(text: str) -> str | None:
    """The prefix of a `[[prefix:…]]` link at the start of `text` (None when there is none)."""
    m = _LINK_PREFIX.match(text)
    return m.group(1) if m else None


#: how long a wiki's siteinfo and template redirects are kept before they are asked for again
FACTS_MAX_AGE_DAYS = 30
SITEINFO_PROPS = "general|namespaces|namespacealiases|magicwords|interwikimap"


def fetch_site_info(client: Any) -> SiteInfo:
    """The wiki's own siteinfo through a WikiClient (wikidiff.sources.client.open_client): read from the cache when
    kept there within FACTS_MAX_AGE_DAYS, else asked once (meta=siteinfo) and kept. Offline without it in the cache:
    the shipped fallback for the wiki's language."""
    cache = client.cache
    body = cache.get_fact(client.site, "siteinfo", FACTS_MAX_AGE_DAYS) if cache is not None else None
    if body is None:
        if client.offline:
            return SiteInfo.shipped(_lang_of(client.site))
        answer = client.api("query", meta="siteinfo", siprop=SITEINFO_PROPS, sifilteriw="local")
        body = json.dumps({"query": answer.get("query", {})}, ensure_ascii=False)
        if cache is not None:
            cache.put_fact(client.site, "siteinfo", body)
    return SiteInfo.from_api(json.loads(body), None)


def fetch_redirects(client: Any, titles: Iterable[str], namespace: int = TEMPLATE_NS) -> dict[str, list[str]]:
    """Title -> the titles of the wiki's redirects to it (prop=redirects, 50 titles a request, `continue`
    followed), without the namespace prefix; kept in the cache. Offline and not in the cache: {}."""
    wanted = sorted(set(titles))
    kind = f"redirects:{namespace}:" + hashlib.sha1("\n".join(wanted).encode("utf-8")).hexdigest()
    cache = client.cache
    body = cache.get_fact(client.site, kind, FACTS_MAX_AGE_DAYS) if cache is not None else None
    if body is not None:
        return dict(json.loads(body))
    if client.offline:
        return {}
    site = fetch_site_info(client)
    prefix = (site.names(namespace) or ("Template",))[0]
    out: dict[str, list[str]] = {t: [] for t in wanted}
    asked = {f"{prefix}:{t}": t for t in wanted}
    keys = list(asked)
    for i in range(0, len(keys), 50):
        batch = keys[i:i + 50]
        for answer in client._query_all(titles="|".join(batch), prop="redirects", rdlimit="max",
                                        rdnamespace=str(namespace)):
            query = answer.get("query") or {}
            names = {n.get("to"): n.get("from") for n in query.get("normalized") or []}
            for page in query.get("pages") or []:
                title = page.get("title", "")
                own = asked.get(title) or asked.get(names.get(title, ""))
                if own is None:
                    continue
                for r in page.get("redirects") or []:
                    out[own].append(_strip_ns(str(r.get("title", "")), site, namespace))
    if cache is not None:
        cache.put_fact(client.site, kind, json.dumps(out, ensure_ascii=False))
    return out


def _strip_ns(title: str, site: SiteInfo, namespace: int) -> str:
    prefix, sep, rest = title.partition(":")
    return rest if sep and site.namespace_of(prefix) == namespace else title


def _lang_of(site: str) -> str:
    first = site.split(".")[0].lower()
    return first if first in _data()["wikis"] else "en"
