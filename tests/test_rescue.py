"""Rescue of broken named refs, and `wikidiff fix`: definitions found, put back, and the re-audit is clean."""

from __future__ import annotations

import hashlib

import wikidiff
from wikidiff.cite.index import refs_of
from wikidiff.cli import main
from wikidiff.model import RevisionMeta
from wikidiff.rescue import apply_rescues, find_rescues, pointed_articles
from wikidiff.text.document import Document

SOURCE = "Blockade of the Republic of Artsakh (2022–present)"
SOURCE_TEXT = (
    "The blockade began.<ref name=\":62\">{{cite web |title=Sixty-two |url=https://example.org/62}}</ref>\n"
    "Later.<ref name='Bulut'>{{cite journal |last=Bulut |title=Karabakh |journal=J |year=2023}}</ref>\n"
)


def test_old_revision_first(seed_pair):
    old = "A.<ref name=gone>{{cite web |title=Gone |url=https://example.org/g}}</ref> B.<ref name=gone/>"
    new = "A. B.<ref name=gone/>"
    (rescue,) = find_rescues(Document.from_text(old), Document.from_text(new))
    assert (rescue.name, rescue.found_in) == ("gone", "old revision")
    fixed, unplaced = apply_rescues(Document.from_text(new), [rescue])
    assert fixed == "A. B.<ref name=\"gone\">{{cite web |title=Gone |url=https://example.org/g}}</ref>"
    assert not unplaced
    assert not [f for f in wikidiff.audit(new, fixed).flags if f.code == "broken-ref"]


def test_articles_the_section_points_to(seed_pair):
    old, new = seed_pair
    doc = Document.from_text(new)
    first_use = next(r for r in refs_of(doc) if r.name == ":62")
    titles = pointed_articles(doc, first_use.start)
    assert titles[0] == "Second Nagorno-Karabakh War" and SOURCE in titles
    rescues = find_rescues(Document.from_text(old), doc, pages={SOURCE: SOURCE_TEXT}.get)
    found = {(r.name, r.found_in, r.title) for r in rescues}
    assert found == {(":62", "article", SOURCE), ("Bulut", "article", SOURCE)}


def test_earlier_revisions_newest_first():
    old = "A. B."
    new = "A. B.<ref name=h/>"
    history = [("X.<ref name=h>newer</ref>", RevisionMeta(revid=9)),
               ("X.<ref name=h>older</ref>", RevisionMeta(revid=3))]
    (rescue,) = find_rescues(Document.from_text(old), Document.from_text(new), history=lambda: history)
    assert (rescue.content, rescue.revid, rescue.found_in) == ("newer", 9, "earlier revision")


def test_edit_summary_links():
    new = "A.<ref name=s/>"
    meta = RevisionMeta(comment="copied from [[Source page|there]] and [[Other]]")
    (rescue,) = find_rescues(Document.from_text(""), Document.from_text(new), new_meta=meta,
                             pages={"Source page": "<ref name=s>From the summary's page.</ref>"}.get)
    assert (rescue.title, rescue.content) == ("Source page", "From the summary's page.")


def test_nothing_to_rescue_when_nothing_is_broken():
    doc = Document.from_text("A.<ref name=a>x</ref><ref name=a/>")
    assert find_rescues(doc, doc, pages=lambda t: "<ref name=a>y</ref>") == []


def test_fix_command_end_to_end(seed_pair, tmp_path, capsys):
    old, new = seed_pair
    (tmp_path / "old.wiki").write_text(old, encoding="utf-8")
    (tmp_path / "new.wiki").write_text(new, encoding="utf-8")
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / f"{SOURCE}.wiki").write_text(SOURCE_TEXT, encoding="utf-8")
    fixed = tmp_path / "fixed.wiki"
    assert main(["fix", str(tmp_path / "old.wiki"), str(tmp_path / "new.wiki"), "-o", str(fixed),
                 "--pages", str(pages)]) == 0
    err = capsys.readouterr().err
    assert "2 of 15 broken names repaired" in err and "no definition found for 'Hill'" in err
    still = {f.fields["name"] for f in wikidiff.audit(new, fixed.read_text(encoding="utf-8")).flags
             if f.code == "broken-ref"}
    assert len(still) == 13 and not still & {":62", "Bulut"}


def test_fix_fetches_the_pointed_article_from_the_wiki(seed_pair, tmp_path, capsys):
    """The source article comes over HTTP from the MediaWiki API stand-in; the second run uses the cache."""
    import json
    import shutil

    from mwapi_server import FIXTURES, MediaWikiStandIn

    fixtures = tmp_path / "api"
    shutil.copytree(FIXTURES, fixtures)
    page = {"pageid": 990001, "ns": 0, "title": SOURCE, "revisions": [{
        "revid": 990101, "parentid": 0, "minor": False, "user": "Editor", "userid": 1,
        "timestamp": "2023-09-18T10:00:00Z", "size": len(SOURCE_TEXT.encode()), "comment": "sources",
        "sha1": hashlib.sha1(SOURCE_TEXT.encode()).hexdigest(),
        "slots": {"main": {"contentmodel": "wikitext", "contentformat": "text/x-wiki", "content": SOURCE_TEXT}}}]}
    (fixtures / "pages" / "source-article.json").write_text(json.dumps(page), encoding="utf-8")
    old, new = seed_pair
    (tmp_path / "old.wiki").write_text(old, encoding="utf-8")
    (tmp_path / "new.wiki").write_text(new, encoding="utf-8")
    fixed = tmp_path / "fixed.wiki"
    with MediaWikiStandIn(fixtures) as wiki:
        args = ["fix", str(tmp_path / "old.wiki"), str(tmp_path / "new.wiki"), "-o", str(fixed),
                "--api-url", wiki.api_url, "--cache", str(tmp_path / "cache.sqlite")]
        assert main(args) == 0
        asked = [r.params.get("titles") for r in wiki.requests]
    assert SOURCE in asked
    assert "2 of 15 broken names repaired" in capsys.readouterr().err
    still = {f.fields["name"] for f in wikidiff.audit(new, fixed.read_text(encoding="utf-8")).flags
             if f.code == "broken-ref"}
    assert not still & {":62", "Bulut"}
    # offline, with the wiki gone, the article comes from the cache
    assert main([*args, "--offline"]) == 0
    assert "2 of 15 broken names repaired" in capsys.readouterr().err


def test_fix_a_diff_url_uses_the_page_history(tmp_path, capsys):
    """A name already broken before the edit is rescued from an earlier revision fetched over HTTP."""
    import json
    import shutil

    from mwapi_server import FIXTURES, MediaWikiStandIn

    def rev(revid, parent, text, ts):
        return {"revid": revid, "parentid": parent, "minor": False, "user": "Ed", "userid": 1, "timestamp": ts,
                "size": len(text.encode()), "comment": "edit", "sha1": hashlib.sha1(text.encode()).hexdigest(),
                "slots": {"main": {"contentmodel": "wikitext", "contentformat": "text/x-wiki", "content": text}}}

    texts = ["Bridge.<ref name=\"age\">{{cite book |title=Old bridges |year=1990}}</ref> Old.<ref name=\"age\"/>",
             "Bridge. Old.<ref name=\"age\"/>",
             "Bridge. Very old.<ref name=\"age\"/>"]
    page = {"pageid": 990002, "ns": 0, "title": "Old Bridge",
            "revisions": [rev(990201 + i, 990200 + i if i else 0, t, f"2024-01-0{i + 1}T00:00:00Z")
                          for i, t in enumerate(texts)]}
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "old-bridge.json").write_text(json.dumps(page), encoding="utf-8")
    for name in ("errors.json", "503.html"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    fixed = tmp_path / "fixed.wiki"
    with MediaWikiStandIn(tmp_path) as wiki:
        url = "http://en.wikipedia.org/w/index.php?title=Old_Bridge&diff=990203&oldid=990202"
        assert main(["fix", url, "--api-url", wiki.api_url, "--cache", str(tmp_path / "c.sqlite"),
                     "-o", str(fixed)]) == 0
    err = capsys.readouterr().err
    assert "rescued 'age' from earlier revision 990201" in err
    assert fixed.read_text(encoding="utf-8") == (
        "Bridge. Very old.<ref name=\"age\">{{cite book |title=Old bridges |year=1990}}</ref>")


def test_audit_rescue_says_where_each_definition_was_found(tmp_path, capsys):
    import json

    old = "A.<ref name=gone>{{cite web |title=Gone |url=https://example.org/g}}</ref> B.<ref name=gone/>"
    new = "A. B.<ref name=gone/> C.<ref name=never/>"
    (tmp_path / "o.wiki").write_text(old, encoding="utf-8")
    (tmp_path / "n.wiki").write_text(new, encoding="utf-8")
    assert main(["audit", str(tmp_path / "o.wiki"), str(tmp_path / "n.wiki"), "--format", "json", "--rescue"]) == 0
    flags = {f["name"]: f for f in json.loads(capsys.readouterr().out)["flags"] if f["code"] == "broken-ref"}
    assert flags["gone"]["rescue"]["found_in"] == "old revision"
    assert flags["never"]["rescue"] is None
