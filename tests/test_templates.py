"""Template-name normalisation (MediaWiki title rules) and the maintenance-tag alias table."""

from __future__ import annotations

import json

import mwparserfromhell
import pytest

from wikidiff.errors import InputError
from wikidiff.text.titles import MaintenanceTags, canonical_key, normalize_title

TAGS = MaintenanceTags.default()


def parse_templates(text: str):
    return mwparserfromhell.parse(text, skip_style_tags=True).filter_templates(recursive=True)


# (as written between the braces, the title MediaWiki resolves it to without "Template:")
NORMALISED = [
    ("Citation_needed", "Citation needed"),
    (" citation  needed ", "Citation needed"),
    ("citation__needed", "Citation needed"),
    ("Template:Cn", "Cn"),
    ("template : fact", "Fact"),
    (" TEMPLATE:fact", "Fact"),
    ("Template_:_Citation needed", "Citation needed"),
    ("CN", "CN"),  # only the first letter's case is folded
    ("cN", "CN"),
    ("citation\u00a0needed", "Citation needed"),  # no-break space
    ("citation\u2003needed", "Citation needed"),  # em space
    ("citation\u3000needed", "Citation needed"),  # ideographic space
    ("\u200ecitation needed\u200f", "Citation needed"),  # LRM/RLM are stripped
    ("citation\u202aneeded", "Citationneeded"),  # embedding marks vanish, they are not spaces
    ("cn<!-- tagged by bot -->", "Cn"),
    ("cita<!--\nx\n-->tion needed", "Citation needed"),
    ("Citation&nbsp;needed", "Citation needed"),
    ("Citation&#32;needed", "Citation needed"),
    ("cn#reason", "Cn"),  # a fragment is not part of the title
    ("citation needed\n", "Citation needed"),
    ("Unreliable source?", "Unreliable source?"),
    ("Template:User:Foo", "User:Foo"),  # after the Template: prefix no namespace is split again
    ("Citation needed: x", "Citation needed: x"),  # not a namespace, so part of the title
    ("#if:x", "#if:x"),  # parser functions are left alone
    ("", ""),
]

# names that do not call a page in the Template namespace: a leading ":" that no template title can have
NOT_TEMPLATES = [
    (":Citation needed", ":Citation needed"),
    (" : fact", ":Fact"),
    ("User:Cn", ":User:Cn"),
    ("user talk : Example", ":User talk:Example"),
    ("Wikipedia:Citation needed", ":Wikipedia:Citation needed"),
    ("WP:CN", ":WP:CN"),
]


@pytest.mark.parametrize(("written", "title"), NORMALISED + NOT_TEMPLATES)
def test_normalize_title(written, title):
    assert normalize_title(written) == title


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Citation needed", "citation_needed"),
        ("Template:cn", " Cn "),
        ("FV", "fV"),
        ("Who?", "who?"),
    ],
)
def test_same_page_same_key(a, b):
    assert canonical_key(a) == canonical_key(b)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("CN", "Cn"),  # two different pages
        ("OR", "Or"),
        ("Citation needed", "Citation Needed"),
        ("Cn", ":Cn"),  # the article Cn, not the template
        ("As of", "As of?"),
    ],
)
def test_different_pages_different_keys(a, b):
    assert canonical_key(a) != canonical_key(b)


def test_canonical_key_lower_cases_only_the_first_letter():
    assert canonical_key("Template:POV statement") == "pOV statement"
    assert canonical_key("citation needed") == "citation needed"


# template name as written -> the tag it is
HITS = [
    ("citation needed", "citation needed"),
    ("Citation_needed", "citation needed"),
    ("cn", "citation needed"),
    ("Template:Cn", "citation needed"),
    ("template : fact", "citation needed"),
    ("CN", "citation needed"),  # CN is a redirect of its own (as is FACT)
    ("FACT", "citation needed"),
    ("Needs citation", "citation needed"),
    ("clarification", "clarification needed"),
    ("Clarify", "clarification needed"),
    ("whom", "whom"),
    ("Who?", "who"),
    ("Weasel-name", "who"),
    ("As of?", "when"),
    ("failed verification", "failed verification"),
    ("Not in citation given", "failed verification"),
    ("FV", "failed verification"),
    ("fv", "failed verification"),
    ("Better source", "better source needed"),
    ("Verification needed", "verify source"),
    ("Verify credibility", "unreliable source?"),
    ("Disputed-inline", "disputed inline"),
    ("POV statement", "pov statement"),
    ("POV-statement", "pov statement"),
    ("FixPOV", "pov statement"),
    ("Peacock inline", "peacock term"),
    ("Weasel-inline", "weasel inline"),
    ("dead link", "dead link"),
    ("Dl", "dead link"),
    ("404", "dead link"),
    ("Or", "original research inline"),
    ("Doubtful", "dubious"),
    ("According to whom", "according to whom"),
    ("by whom", "by whom"),
    ("which", "which"),
    ("vague", "vague"),
    ("Page needed", "page needed"),
    ("Full citation needed", "full citation needed"),
    ("Non sequitur", "non sequitur"),
    ("Attribution needed", "attribution needed"),
    ("Year needed", "year needed"),
    ("specify", "specify"),
]

MISSES = [
    "cite web",
    "Cite news",
    "citation",  # {{citation}} is a citation template, not "citation needed"
    "Main article",
    "Citation needed span",  # a different template
    "Clarification needed span",
    "As of",  # {{As of}} marks dated statements; {{As of?}} is the tag
    "OR",  # not {{Or}}
    "Citation needed/doc",
    "Cn/sandbox",  # a sandbox redirect, left out of the table
    "pov statement",  # "Pov statement" is not among the recorded pages
    ":Citation needed",  # the article, not the template
    "User:Cn",
    "Reflist",
    "#if:x",
    "",
]


@pytest.mark.parametrize(("name", "tag"), HITS)
def test_lookup_hits(name, tag):
    spec = TAGS.lookup(name)
    assert spec is not None, name
    assert spec.canonical == tag
    assert name in TAGS


@pytest.mark.parametrize("name", MISSES)
def test_lookup_misses(name):
    assert TAGS.lookup(name) is None
    assert name not in TAGS


def test_every_entry_reaches_itself_and_carries_its_sources():
    assert len(TAGS) >= 25
    for spec in TAGS:
        assert spec.sources, spec.canonical
        assert spec.category, spec.canonical
        assert TAGS.lookup(spec.title) is spec
        assert spec.canonical == spec.title.lower()
        for alias in spec.aliases:
            assert "_" not in alias
            assert TAGS.lookup(alias) is spec, alias
            assert TAGS.lookup("Template:" + alias.replace(" ", "_")) is spec, alias
        assert TAGS[spec.canonical] is spec


# real-shaped wikitext -> (tag, name as written, reason, date) for each maintenance tag in it, in order
EXTRACTION = [
    ("The river floods every year.{{cn|date=May 2024}} It is long.", [("citation needed", "cn", None, "May 2024")]),
    (
        'The army was the largest.{{citation needed|reason=No source for "largest"|date=September 2023}}',
        [("citation needed", "citation needed", 'No source for "largest"', "September 2023")],
    ),
    (
        "Claim.{{fact|please give a reliable source for this assertion}}",  # the old dummy positional reason
        [("citation needed", "fact", "please give a reliable source for this assertion", None)],
    ),
    (
        "Claim.{{Citation needed| reason = has a comment<!-- hidden --> | date = }}",
        [("citation needed", "Citation needed", "has a comment", None)],
    ),
    (
        "Claim.{{cn|date=May 2020|date=June 2021}}",  # MediaWiki reads the last duplicate
        [("citation needed", "cn", None, "June 2021")],
    ),
    (
        "Claim.{{cn|reason=see {{lang|fr|le texte}}|date=May 2024}}",
        [("citation needed", "cn", "see {{lang|fr|le texte}}", "May 2024")],
    ),
    (
        "It is the oldest bridge.{{dubious|Age of the bridge|date=March 2020}}",  # 1= is a talk section
        [("dubious", "dubious", None, "March 2020")],
    ),
    (
        "It is the oldest bridge.{{dubious|reason=Two sources disagree}}",
        [("dubious", "dubious", "Two sources disagree", None)],
    ),
    (
        "Experts{{who|date=July 2022}} agree.{{Clarify|reason=Which experts?}}",
        [("who", "who", None, "July 2022"), ("clarification needed", "Clarify", "Which experts?", None)],
    ),
    (
        "<ref>{{cite web |url=http://example.org |title=T}} {{Dead link|date=April 2005|bot=InternetArchiveBot}}</ref>",
        [("dead link", "Dead link", None, "April 2005")],
    ),
    ("Plain {{cite web|url=http://example.org|title=T}} and {{citation|title=T}} and ''{{Main article|X}}''.", []),
]


@pytest.mark.parametrize(("text", "expected"), EXTRACTION)
def test_reason_and_date_from_parsed_wikitext(text, expected):
    found = []
    for tpl in parse_templates(text):
        spec = TAGS.lookup(str(tpl.name))
        if spec is not None:
            found.append((spec.canonical, str(tpl.name).strip(), spec.reason(tpl), spec.date(tpl)))
    assert found == expected


def test_reason_and_date_from_an_argument_mapping():
    spec = TAGS.lookup("cn")
    assert spec.reason({"reason": "  why  ", "date": "May 2024"}) == "why"
    assert spec.date({"reason": "why", "date": " May 2024 "}) == "May 2024"
    assert spec.reason({"1": "old-style reason"}) == "old-style reason"
    assert spec.reason({"date": "May 2024"}) is None
    assert TAGS.lookup("dubious").reason({"1": "Talk section"}) is None


def test_the_seed_revision_tags(seed_pair):
    old, new = seed_pair
    found = []
    for tpl in parse_templates(old):
        spec = TAGS.lookup(str(tpl.name))
        if spec is not None:
            found.append((spec.canonical, str(tpl.name).strip(), spec.reason(tpl)))
    assert found == [
        ("clarification needed", "clarification", "Who lost/regained those territories?"),
        (
            "whom",
            "whom",
            'Al Jazeera source mentions the Armenian branch of the Red Cross and "Yerevan" while '
            "France24 clarifies the latter as coming from the Armenian Prime Minister Nikol Pashinyan",
        ),
        (
            "citation needed",
            "citation needed",
            "France24 citation in the next sentence only reports this being claimed by the Azerbaijani government",
        ),
        ("failed verification", "failed verification", "Last source mentions Azerbaijan resuming aid supplies"),
    ]
    assert not [t for t in parse_templates(new) if TAGS.lookup(str(t.name))]


def test_a_table_that_gives_one_name_to_two_tags_is_refused():
    data = {"tags": {"a": {"title": "A", "aliases": ["X"]}, "b": {"title": "B", "aliases": ["x"]}}}
    with pytest.raises(InputError, match="'x' is listed for both 'a' and 'b'"):
        MaintenanceTags(data)
    ok = {"tags": {"a": {"title": "A", "aliases": ["X"]}, "b": {"title": "B", "aliases": ["XY"]}}}
    assert MaintenanceTags(ok).lookup("xY").canonical == "b"


def test_from_file(tmp_path):
    good = tmp_path / "tags.json"
    good.write_text(json.dumps({"tags": {"citation needed": {"aliases": ["Cn"]}}}), encoding="utf-8")
    table = MaintenanceTags.from_file(good)
    assert table.lookup("template:cn").canonical == "citation needed"
    assert table.lookup("cn").reason_params == ("reason",)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError, match="cannot read maintenance tag table"):
        MaintenanceTags.from_file(bad)
    with pytest.raises(InputError, match="no 'tags' object"):
        MaintenanceTags({"about": "x"})
    with pytest.raises(InputError, match="cannot read"):
        MaintenanceTags.from_file(tmp_path / "missing.json")
