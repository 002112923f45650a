"""A reader for MediaWiki's parserTests format and for the Cite errors its expected HTML shows.

A file holds blocks that start with a `!! word` line: `!! test` … `!! end` (sections `wikitext`, `html/php`,
`html/parsoid`, `html`, `options`, `config`, …), `!! article` … `!! endarticle` (pages the tests may transclude)
and `!! hooks` … `!! endhooks`. A test's first section, right after `!! test`, is its name.

The expected HTML states Cite errors three ways: Parsoid's `data-mw` attribute (`"errors":[{"key":…,"params":[…]}]`,
also nested inside a `body.html`), Parsoid's `data-mw-i18n` (`cite_error` wrapping the real key), and the legacy
parser's English text ("Cite error: … no text was provided for refs named "x"."). `cite_errors` reads all three
into one set of (key, first parameter or None).
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

_Q = r'(?:"|&quot;)'
_NAME = _Q + r"(?P<p>.*?)" + _Q
#: the legacy parser's English messages for the Cite errors a test may compare; group `p` is the ref name
LEGACY_MESSAGES = {
    "cite_error_references_no_text": r"Invalid <code>&lt;ref&gt;</code> tag; no text was provided for refs named "
                                     + _NAME + r"\.",
    "cite_error_references_duplicate_key": r"Invalid <code>&lt;ref&gt;</code> tag; name " + _NAME
                                           + r" defined multiple times with different content\.",
    "cite_error_ref_no_input": r"Invalid <code>&lt;ref&gt;</code> tag; refs with no name must have content\.",
    "cite_error_ref_no_key": r"The opening <code>&lt;ref&gt;</code> tag is malformed or has a bad name\.",
    "cite_error_references_missing_key": r"<code>&lt;ref&gt;</code> tag with name " + _NAME
                                         + r" defined in <code>&lt;references&gt;</code> is not used in prior text\.",
    "cite_error_ref_numeric_key": r"Invalid <code>&lt;ref&gt;</code> tag; name cannot be a simple integer\.",
    "cite_error_ref_follow_conflicts": r"A <code>&lt;ref follow=" + _Q + "…" + _Q + r"&gt;</code> tag that is the "
                                       r"continuation of a previous one cannot be named individually",
    "cite_error_references_no_key": r"<code>&lt;ref&gt;</code> tag defined in <code>&lt;references&gt;</code> has "
                                    r"no name attribute\.",
    "cite_error_empty_references_define": r"<code>&lt;ref&gt;</code> tag with name " + _NAME + r" defined in "
                                          r"<code>&lt;references&gt;</code> group " + _Q + ".*?" + _Q
                                          + r" has no content\.",
    "cite_error_details_missing_parent": r"A <code>&lt;ref&gt;</code> tag with details must contain content or point "
                                         r"to a parent reference by name\.",
}
#: the legacy parser's other Cite errors (not compared), so that no message goes unrecognised
OTHER_LEGACY_MESSAGES = [
    r"Invalid parameter " + _Q, r"Invalid <code>dir=", r"One of the <code>&lt;ref&gt;</code> tags with the name ",
    r"<code>&lt;ref&gt;</code> tag in <code>&lt;references&gt;</code> has conflicting group attribute",
    r"<code>&lt;ref&gt;</code> tags exist for a group named", r"Closing tag missing for <code>&lt;references&gt;",
    r"<code>&lt;ref&gt;</code> tag with name " + _NAME + r" cannot use details when inside",
    r"Invalid <code>&lt;ref&gt;</code> tag; missing name attribute\. A name attribute must be provided along with",
]
_LEGACY = [(key, re.compile(r"Cite error: " + rx)) for key, rx in LEGACY_MESSAGES.items()]
_LEGACY_OTHER = re.compile(r"Cite error: (?:" + "|".join(OTHER_LEGACY_MESSAGES) + ")")
_LEGACY_ANY = re.compile(r"Cite error: ")
_DATA_MW = re.compile(r"""\sdata-mw(?P<i18n>-i18n)?=(?:'(?P<sq>[^']*)'|"(?P<dq>[^"]*)")""")


@dataclass
class ParserTest:
    """One `!! test` block."""

    name: str
    line: int
    sections: dict[str, str] = field(default_factory=dict)  # "wikitext", "html/php", "options", …

    @property
    def wikitext(self) -> str:
        return self.sections.get("wikitext", "")

    @property
    def options(self) -> str:
        return self.sections.get("options", "")

    def output(self, parser: str) -> str | None:
        """The HTML the "php" (legacy) or "parsoid" parser must make of the wikitext, if the test says.

        A plain `html` section serves both parsers; Parsoid's may also be `html/parsoid+integrated`. Parsoid's
        HTML does not count when the options limit Parsoid to modes other than wikitext-to-HTML."""
        if parser == "php":
            return self.sections.get("html/php", self.sections.get("html"))
        if not self._parsoid_reads_wikitext():
            return None
        for section in ("html/parsoid", "html/parsoid+integrated", "html"):
            if section in self.sections:
                return self.sections[section]
        return None

    def _parsoid_reads_wikitext(self) -> bool:
        m = re.search(r"parsoid\s*=\s*(\{.*|\S+)", self.options, re.DOTALL)
        if m is None:
            return True
        spec = m.group(1)
        if spec.startswith("{"):
            modes = re.search(r'"modes"\s*:\s*\[([^\]]*)\]', spec)
            return modes is None or "wt2html" in modes.group(1)
        return "wt2html" in spec.strip('"').split(",")


def read_parser_tests(path: Path) -> list[ParserTest]:
    """Every `!! test` of a parserTests file, in file order (articles and hooks are skipped)."""
    tests: list[ParserTest] = []
    current: ParserTest | None = None
    section: str | None = None
    buf: list[str] = []
    skipping = False

    def close_section() -> None:
        if current is not None and section is not None:
            current.sections[section] = "\n".join(buf)

    for number, line in enumerate(path.read_text(encoding="utf-8").split("\n"), start=1):
        head = re.match(r"!!\s*(\S+)\s*$", line)
        if head is None:
            if current is not None and section is not None:
                buf.append(line)
            continue
        word = head.group(1).lower()
        if skipping:
            skipping = word not in ("endarticle", "endhooks", "endfunctionhooks", "end")
            continue
        if word in ("article", "hooks", "functionhooks"):
            skipping = True
        elif word == "test":
            current, section, buf = ParserTest("", number), "name", []
        elif word == "end":
            close_section()
            if current is not None:
                current.name = current.sections.pop("name", "").strip()
                tests.append(current)
            current, section = None, None
        elif current is not None:
            close_section()
            section, buf = word, []
    return tests


def cite_errors(html_text: str, *, legacy: bool = True) -> set[tuple[str, str | None]]:
    """The Cite errors an expected output shows, as (key, first parameter or None); with `legacy` False only those
    stated by key (Parsoid's attributes), not those recognised by their English text."""
    found: set[tuple[str, str | None]] = set()
    for m in _DATA_MW.finditer(html_text):
        raw = html.unescape(m.group("sq") if m.group("sq") is not None else m.group("dq"))
        try:
            data = json.loads(raw)
        except json.JSONDecodeError:
            continue
        if m.group("i18n"):
            _i18n_errors(data, found)
        else:
            _data_mw_errors(data, found)
    for key, rx in _LEGACY if legacy else ():
        for m in rx.finditer(html_text):
            param = m.groupdict().get("p")
            found.add((key, html.unescape(param) if param is not None else None))
    return found


def unrecognised_legacy_errors(html_text: str) -> list[str]:
    """The legacy parser's error messages in `html_text` that neither LEGACY_MESSAGES nor OTHER_LEGACY_MESSAGES
    describe (each as the text that follows "Cite error: ")."""
    known = {m.start() for _, rx in _LEGACY for m in rx.finditer(html_text)}
    known |= {m.start() for m in _LEGACY_OTHER.finditer(html_text)}
    return [html_text[m.end():m.end() + 80] for m in _LEGACY_ANY.finditer(html_text) if m.start() not in known]


def _first_param(params) -> str | None:
    if not params:
        return None
    first = params[0]
    return first if isinstance(first, str) else None


def _data_mw_errors(data, found: set) -> None:
    """Collect `errors` entries, recursing into nested structures and into HTML strings (a `body.html`)."""
    if isinstance(data, dict):
        for err in data.get("errors") or []:
            if isinstance(err, dict) and "key" in err:
                found.add((err["key"], _first_param(err.get("params"))))
        for value in data.values():
            _data_mw_errors(value, found)
    elif isinstance(data, list):
        for value in data:
            _data_mw_errors(value, found)
    elif isinstance(data, str) and "data-mw" in data:
        found |= cite_errors(data)


def _i18n_errors(data, found: set) -> None:
    for value in (data.values() if isinstance(data, dict) else []):
        if not isinstance(value, dict):
            continue
        for param in value.get("params") or []:
            text = param.get("text") if isinstance(param, dict) else None
            if isinstance(text, dict) and "key" in text:
                found.add((text["key"], _first_param(text.get("params"))))
