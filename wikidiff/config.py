"""The one place that reads environment variables.

WIKIDIFF_USER_AGENT  your tool and a contact, sent as the User-Agent (default: wikidiff's own)
WIKIDIFF_API_URL     an api.php to fetch from instead of the wiki a URL or site names
XDG_CACHE_HOME       where the revision cache lives ($XDG_CACHE_HOME/wikidiff/revisions.sqlite), else
HOME                 ~/.cache/wikidiff/revisions.sqlite
NO_COLOR             any non-empty value: no colour in terminal output (https://no-color.org)
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import InputError


def _get(name: str) -> str | None:
    value = os.environ.get(name)
    return value if value else None


def user_agent() -> str | None:
    """$WIKIDIFF_USER_AGENT, or None."""
    value = os.environ.get("WIKIDIFF_USER_AGENT")
    return value  # an empty value is kept: the client refuses an empty User-Agent with a clear message


def api_url() -> str | None:
    """$WIKIDIFF_API_URL, or None."""
    return _get("WIKIDIFF_API_URL")


def no_color() -> bool:
    """Whether NO_COLOR asks for no colour."""
    return bool(_get("NO_COLOR"))


def cache_path() -> Path:
    """$XDG_CACHE_HOME/wikidiff/revisions.sqlite (when absolute), else ~/.cache/wikidiff/revisions.sqlite."""
    base = _get("XDG_CACHE_HOME") or ""
    if base and Path(base).is_absolute():
        return Path(base) / "wikidiff" / "revisions.sqlite"
    try:
        home = Path.home()
    except (RuntimeError, KeyError) as exc:
        raise InputError("no home directory to keep the revision cache in: name a cache file", param="cache") \
            from exc
    return home / ".cache" / "wikidiff" / "revisions.sqlite"


def shown_cache_path() -> str:
    """The default cache path for help texts, with the home directory shown as ~."""
    try:
        return str(cache_path()).replace(str(Path.home()), "~", 1)
    except (RuntimeError, KeyError, InputError):
        return "$XDG_CACHE_HOME/wikidiff/revisions.sqlite"
