"""The library under the CLI: wikidiff.fetch over real HTTP from the API stand-in, typed errors with fields and exit
codes, rescue as an audit option, and the house rules (argparse only in the CLI, environment read in one place)."""

from __future__ import annotations

import ast
import json
import socket
from pathlib import Path

import pytest
from mwapi_server import FIXTURES, MediaWikiStandIn

import wikidiff
from wikidiff import errors
from wikidiff.cli import error_line, main
from wikidiff.sources.client import open_client

PACKAGE = Path(wikidiff.__file__).parent
SITE = "en.wikipedia.org"
PAGES = {p["title"]: p for p in (json.loads(f.read_text("utf-8")) for f in (FIXTURES / "pages").glob("*.json"))}
TEXT = {r["revid"]: r["slots"]["main"].get("content") for p in PAGES.values() for r in p["revisions"]}
SEED_URL = ("https://en.wikipedia.org/w/index.php?title=2023_Azerbaijani_offensive_in_Nagorno-Karabakh"
            "&diff=900000102&oldid=900000101")


@pytest.fixture
def wiki():
    with MediaWikiStandIn() as server:
        yield server


def test_fetch_a_diff_url(wiki, tmp_path):
    pair = wikidiff.fetch(SEED_URL, api_url=wiki.api_url, cache=tmp_path / "c.sqlite")
    assert (pair.old_text, pair.new_text) == (TEXT[900000101], TEXT[900000102])
    assert (pair.old_meta.revid, pair.new_meta.revid, pair.new_meta.site) == (900000101, 900000102, SITE)
    # the link is to the wiki the URL names, not to the API answering for it
    assert pair.diff_url == "https://en.wikipedia.org/w/index.php?diff=900000102&oldid=900000101"
    own = wikidiff.fetch(old=900000101, new=900000102, api_url=wiki.api_url, cache=tmp_path / "c.sqlite")
    assert own.diff_url == f"http://127.0.0.1:{wiki.port}/w/index.php?diff=900000102&oldid=900000101"
    old_text, new_text, old_meta, new_meta = pair  # unpacks like the old 4-tuple
    assert new_meta == pair.new_meta
    # the same edit by ids, offline from the cache the first call filled: nothing sent
    sent = len(wiki.requests)
    again = wikidiff.fetch(site=SITE, old=900000101, new="900000102", api_url=wiki.api_url,
                           cache=tmp_path / "c.sqlite", offline=True)
    assert (again.old_text, again.new_text) == (old_text, new_text) and len(wiki.requests) == sent


def test_fetch_relative_and_creation(wiki, tmp_path):
    opts = {"api_url": wiki.api_url, "cache": tmp_path / "c.sqlite", "site": SITE}
    ns = [r["revid"] for r in PAGES["Nintendo Switch"]["revisions"]]
    pair = wikidiff.fetch(old=ns[1], new="prev", **opts)
    assert (pair.old_meta.revid, pair.new_meta.revid) == (ns[0], ns[1])
    first = wikidiff.fetch(new=ns[0], **opts)  # the edit that made the page's first stored revision
    assert first.old_text == "" and first.old_meta.revid is None and "creation" in first.old_meta.source


@pytest.mark.parametrize("kwargs, param", [
    ({"new": "prev"}, "old"),
    ({"old": 5}, "new"),
    ({"title": "X", "old": 1, "new": 2}, "title"),
    ({"old": "12x", "new": 5}, None),
    ({}, None),
])
def test_fetch_input_errors_name_parameters_not_options(tmp_path, kwargs, param):
    with pytest.raises(errors.InputError) as err:
        wikidiff.fetch(**kwargs, cache=tmp_path / "c.sqlite")
    assert "--" not in str(err.value)
    if param:
        assert err.value.param == param and f"--{param}" in error_line(err.value)


def test_typed_fetch_errors_carry_fields(wiki, tmp_path):
    opts = {"api_url": wiki.api_url, "cache": tmp_path / "c.sqlite", "site": SITE}
    with pytest.raises(errors.RevisionMissing) as missing:
        wikidiff.fetch(old=651993021, new=12345, **opts)
    assert (missing.value.revids, missing.value.site, missing.value.host) == ((12345,), SITE,
                                                                             f"127.0.0.1:{wiki.port}")
    with pytest.raises(errors.RevisionHidden) as hidden:
        wikidiff.fetch(old=900000201, new=900000202, **opts)
    assert hidden.value.suppressed and hidden.value.revid in (900000201, 900000202)
    with pytest.raises(errors.PageMissing) as page:
        wikidiff.fetch(title="Missing page", **opts)
    assert page.value.title == "Missing page"


def test_unreachable_host_is_typed(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = open_client(api_url=f"http://127.0.0.1:{port}/w/api.php", cache=tmp_path / "c.sqlite",
                         max_retries=1, retry_timeout=0.01)
    with client, pytest.raises(errors.HostUnreachable) as err:
        client.revisions([1])
    assert err.value.host == f"127.0.0.1:{port}" and isinstance(err.value, errors.FetchError)


def test_error_family_and_exit_codes():
    fetch_kinds = (errors.RevisionMissing, errors.RevisionHidden, errors.PageMissing, errors.Throttled,
                   errors.HostUnreachable, errors.BadAnswer)
    assert all(issubclass(k, errors.FetchError) for k in fetch_kinds)
    assert issubclass(errors.InputError, errors.WikidiffError) and issubclass(errors.DumpError, errors.InputError)
    assert {k.exit_code for k in (errors.WikidiffError, errors.InputError, errors.DumpError, *fetch_kinds)} == {2}


def test_cli_maps_typed_errors_to_one_line(wiki, tmp_path, capsys):
    code = main(["audit", "--site", SITE, "--old", "651993021", "--new", "12345", "--api-url", wiki.api_url,
                 "--cache", str(tmp_path / "c.sqlite"), "-q"])
    err = capsys.readouterr().err
    assert code == errors.RevisionMissing.exit_code and err.count("\n") == 1
    assert err.startswith("wikidiff: error: revision 12345 does not exist")


def test_rescue_is_an_audit_option():
    old = "A.<ref name=gone>{{cite web |title=Gone |url=https://example.org/g}}</ref> B.<ref name=gone/>"
    new = "A. B.<ref name=gone/> C.<ref name=never/>"
    plain = wikidiff.audit(old, new)
    assert all("rescue" not in f.fields for f in plain.flags)
    found = {f.fields["name"]: f.fields["rescue"] for f in wikidiff.audit(old, new, rescue=True).flags
             if f.code == "broken-ref"}
    assert found["gone"]["found_in"] == "old revision" and found["never"] is None
    from wikidiff.rescue import RescueSources

    pages = RescueSources(pages={"Elsewhere": "<ref name=never>Found elsewhere.</ref>"}.get)
    new2 = "{{main|Elsewhere}}\n" + new
    found = {f.fields["name"]: f.fields["rescue"] for f in wikidiff.audit(old, new2, rescue=pages).flags
             if f.code == "broken-ref"}
    assert (found["never"]["found_in"], found["never"]["title"]) == ("article", "Elsewhere")


def _modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def test_argparse_only_at_the_edge():
    users = set()
    for name, tree in _modules():
        for node in ast.walk(tree):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            if any(n.split(".")[0] == "argparse" for n in names):
                users.add(name)
    assert users and all(n == "cli.py" or n.startswith("commands/") for n in users), users


def test_environment_is_read_in_config_only():
    readers = set()
    for name, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and \
                    isinstance(node.value, ast.Name) and node.value.id == "os":
                readers.add(name)
    assert readers == {"config.py"}, readers
