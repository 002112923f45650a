"""Links out to a wiki (its diff view, a page, a user's contributions) and back into this app.

Every link is built from parts that are percent-encoded here, on a host that passed `normalize_site`, with the
https (or the configured API's) scheme: a stored title, user name or wiki name can never make a link run script or
point elsewhere. Templates escape the result once more as an attribute.
"""

from __future__ import annotations

from urllib.parse import urlencode

from ..errors import InputError
from ..sources.url import is_wikimedia, normalize_site, page_url
from .settings import Settings


class WikiLinks:
    """Links for one wiki; `None` from every method when the wiki name is not a plain host."""

    def __init__(self, settings: Settings, wiki: str | None) -> None:
        self.wiki: str | None
        try:
            self.wiki = normalize_site(wiki) if wiki else None
        except InputError:
            self.wiki = None
        self.served = self.wiki is not None and settings.serves(self.wiki)
        self.index: str | None = None
        self.article = self.wiki is not None and is_wikimedia(self.wiki)  # pages at https://WIKI/wiki/Title
        if self.wiki is not None:
            self.index = settings.index_php(self.wiki) if self.served else f"https://{self.wiki}/w/index.php"

    def page(self, title: str | None) -> str | None:
        if not self.index or not title:
            return None
        if self.article and self.wiki:
            return page_url(self.wiki, title)
        return f"{self.index}?{urlencode({'title': title.replace(' ', '_')})}"

    def diff(self, old: int | None, new: int | None) -> str | None:
        if not self.index or not new:
            return None
        query = {"diff": str(new), "oldid": str(old)} if old else {"oldid": str(new), "diff": "prev"}
        return f"{self.index}?{urlencode(query)}"

    def history(self, title: str | None) -> str | None:
        if not self.index or not title:
            return None
        return f"{self.index}?{urlencode({'title': title.replace(' ', '_'), 'action': 'history'})}"

    def user(self, name: str | None) -> str | None:
        """The user's contributions (works for accounts and IP editors alike)."""
        if not name:
            return None
        return self.page(f"Special:Contributions/{name}")


def app_link(path: str, **params: object) -> str:
    """A link into this app: a fixed path and an encoded query of the given non-empty values."""
    query = {k: str(v) for k, v in params.items() if v not in (None, "")}
    return path + ("?" + urlencode(query) if query else "")
