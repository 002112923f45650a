"""What a web app serves and how much work it accepts: the wikis it may fetch from and its limits."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ..errors import InputError
from ..sources.url import api_url_for_site, is_wikimedia, normalize_site, parse_api_url, site_from_api_url

DEFAULT_WIKI = "en.wikipedia.org"
_LABELS = {"workers": "number of workers", "queue": "queue length", "rate_limit": "rate limit",
           "memo": "number of audits kept", "history_limit": "history limit"}


@dataclass(frozen=True)
class Settings:
    """The configuration of one app (see `create_app`).

    `wikis` are the only wikis fetched from; each is reached at https://WIKI/w/api.php, or at `api_url` when one is
    given (a mirror or a test stand-in: then it serves exactly one wiki). `time_limit` bounds each audit or history
    in seconds (queue wait included); `workers` run them, at most `queue` more wait; `rate_limit` is how many
    audits and histories one client may ask for per minute (0: no limit); `memo` finished pages kept in memory.
    `trusted_proxies` are the addresses or networks of reverse proxies in front of the app: a request from one
    of them counts against the client its `X-Forwarded-For` names (see `client_address`); from anyone else, that
    header is ignored.
    """

    wikis: tuple[str, ...] = (DEFAULT_WIKI,)
    api_url: str | None = None
    cache: str | None = None
    findings: str | None = None
    time_limit: float = 30.0
    workers: int = 4
    queue: int = 64
    rate_limit: int = 30
    memo: int = 256
    history_limit: int = 500
    fetch_timeout: float = 20.0
    user_agent: str | None = None
    poll_seconds: float = 5.0
    trusted_proxies: tuple[str, ...] = ()
    _proxies: list[ipaddress.IPv4Network | ipaddress.IPv6Network] = field(default_factory=list, repr=False,
                                                                          compare=False)
    _api: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        try:
            wikis = tuple(dict.fromkeys(normalize_site(w) for w in self.wikis))
        except InputError as exc:
            raise InputError(str(exc), param="wiki") from None
        if not wikis:
            raise InputError("serve at least one wiki", param="wiki")
        object.__setattr__(self, "wikis", wikis)
        if self.api_url is not None:
            parse_api_url(self.api_url)
            site_from_api_url(self.api_url)
            if len(wikis) > 1:
                raise InputError(f"one API URL serves one wiki, not {len(wikis)} ({', '.join(wikis)})",
                                 param="api_url")
        for name, value, low in (("time_limit", self.time_limit, 0.1), ("fetch_timeout", self.fetch_timeout, 0.1)):
            if not low <= value < float("inf"):
                raise InputError(f"the {name.replace('_', ' ')} must be at least {low:g} seconds, not {value:g}",
                                 param=name)
        for name, n, low in (("workers", self.workers, 1), ("queue", self.queue, 0), ("rate_limit", self.rate_limit, 0),
                             ("memo", self.memo, 0), ("history_limit", self.history_limit, 1)):
            if n < low:
                raise InputError(f"the {_LABELS[name]} must be at least {low}, not {n}", param=name)
        self._api.update({w: self.api_url or api_url_for_site(w) for w in wikis})
        for proxy in self.trusted_proxies:
            try:
                self._proxies.append(ipaddress.ip_network(proxy.strip(), strict=False))
            except ValueError:
                raise InputError(f"a trusted proxy is an IP address or network (such as 10.0.0.0/8), not "
                                 f"{proxy!r}", param="trusted_proxies") from None

    def client_address(self, peer: str, forwarded_for: str | None) -> str:
        """The client a request counts against: its peer, or, when the peer is a trusted proxy, the nearest
        address in `X-Forwarded-For` (read from the right, as each proxy appends the one it heard from) that is
        not itself a trusted proxy. Entries a client wrote itself stand further left and are never reached while
        the proxies are honest; a malformed entry ends the walk at the last address a trusted proxy vouched for."""
        client = peer
        if not forwarded_for or not self._trusted(client):
            return client
        for hop in reversed(forwarded_for.split(",")):
            hop = hop.strip()
            try:
                ipaddress.ip_address(hop)
            except ValueError:
                return client
            client = hop
            if not self._trusted(hop):
                return client
        return client

    def _trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in net for net in self._proxies)

    def api_for(self, wiki: str) -> str:
        """The API endpoint of a served wiki (KeyError for any other: callers check `serves` first)."""
        return self._api[wiki]

    def serves(self, wiki: str) -> bool:
        return wiki in self._api

    def index_php(self, wiki: str) -> str:
        """Where the wiki's own pages (diffs, histories, contributions) are read: its index.php."""
        if self.api_url is not None and not is_wikimedia(wiki) and site_from_api_url(self.api_url) == wiki:
            return self.api_url.rsplit("/", 1)[0] + "/index.php"
        return f"https://{wiki}/w/index.php"
