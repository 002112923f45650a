"""The web app: `wikidiff serve`, or `create_app(...)` for any ASGI server (needs the `web` extra).

Pages: `/` (paste a diff), `/audit` (the HTML report), `/patrol` (stored findings), `/history` (a page's reverts
and refs); JSON: `/api/audit`, `/api/findings`. Only the configured wikis are ever fetched from.
"""

from __future__ import annotations

from .app import create_app
from .settings import Settings

__all__ = ["Settings", "create_app"]
