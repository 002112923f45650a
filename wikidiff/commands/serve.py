"""`wikidiff serve`: the web app (wikidiff.web) on uvicorn."""

from __future__ import annotations

import argparse
import socket
import sys

from ..errors import InputError

#: Settings fields set by an option of the same name (the CLI names the option in an error about one)
SETTINGS_OPTIONS = ("wiki", "time_limit", "rate_limit", "workers", "queue", "memo", "history_limit")
#: Settings fields set by an option of another name
OTHER_OPTIONS = {"trusted_proxies": "--trusted-proxy"}
DEFAULTS = {"time_limit": 30.0, "rate_limit": 30, "workers": 4, "queue": 64, "memo": 256, "history_limit": 500}


def register(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "serve", help="serve the web app: paste a diff, see the audit; patrol findings; page histories",
        description="Serve wikidiff's web app. Only the wikis given with --wiki are fetched from (each at "
                    "https://WIKI/w/api.php, or at --api-url); any other wiki is refused before a request is sent.")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8000, help="port to listen on; 0 picks a free one (default: 8000)")
    p.add_argument("--wiki", action="append", metavar="HOST",
                   help="a wiki to serve, e.g. de.wikipedia.org (repeatable; default: en.wikipedia.org)")
    p.add_argument("--api-url", metavar="URL", help="fetch from this api.php instead (a mirror; one wiki only)")
    p.add_argument("--cache", metavar="PATH", help="the revision cache, a SQLite file (default: the user's)")
    p.add_argument("--findings", metavar="PATH", help="the findings store `wikidiff watch --out` writes, shown on "
                                                      "/patrol")
    p.add_argument("--time-limit", type=float, default=DEFAULTS["time_limit"], metavar="SECONDS",
                   help=f"give up an audit or history after this long (default: {DEFAULTS['time_limit']:g})")
    p.add_argument("--rate-limit", type=int, default=DEFAULTS["rate_limit"], metavar="N",
                   help=f"audits and histories per minute per client; 0: no limit (default: {DEFAULTS['rate_limit']})")
    p.add_argument("--workers", type=int, default=DEFAULTS["workers"], metavar="N",
                   help=f"audits run at once (default: {DEFAULTS['workers']})")
    p.add_argument("--queue", type=int, default=DEFAULTS["queue"], metavar="N",
                   help=f"audits that may wait for a worker; more are refused with 503 (default: {DEFAULTS['queue']})")
    p.add_argument("--memo", type=int, default=DEFAULTS["memo"], metavar="N",
                   help=f"finished audits kept in memory; 0: none (default: {DEFAULTS['memo']})")
    p.add_argument("--history-limit", type=int, default=DEFAULTS["history_limit"], metavar="N",
                   help=f"revisions read for a page history (default: {DEFAULTS['history_limit']})")
    p.add_argument("--trusted-proxy", action="append", dest="trusted_proxies", metavar="ADDR",
                   help="a reverse proxy in front of the app (an address or network, repeatable): requests from it "
                        "count against the client its X-Forwarded-For names (default: none; the header is ignored)")
    p.add_argument("--user-agent", metavar="UA", help="your tool and a contact, sent to the wikis (default: "
                                                      "wikidiff's)")
    p.add_argument("-q", "--quiet", action="store_true", help="no access log")
    return p


def _listen(host: str, port: int) -> socket.socket:
    if not 0 <= port <= 65535:
        raise InputError(f"--port must be 0 to 65535, not {port}")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as exc:
        raise InputError(f"--host {host!r} is not an address to listen on: {exc.strerror}") from None
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock.listen(2048)
    return sock


def run(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from ..web import Settings, create_app
    except ImportError as exc:
        raise InputError(f"the web app needs the web extra (pip install 'wikidiff[web]'): {exc.name} is missing") \
            from None
    try:
        settings = Settings(wikis=tuple(args.wiki or ("en.wikipedia.org",)), api_url=args.api_url, cache=args.cache,
                            findings=args.findings, time_limit=args.time_limit, rate_limit=args.rate_limit,
                            workers=args.workers, queue=args.queue, memo=args.memo, history_limit=args.history_limit,
                            user_agent=args.user_agent, trusted_proxies=tuple(args.trusted_proxies or ()))
    except InputError as exc:
        option = OTHER_OPTIONS.get(exc.param or "") or (
            "--" + exc.param.replace("_", "-") if exc.param in SETTINGS_OPTIONS else None)
        if option is None or option in str(exc):
            raise
        raise InputError(f"{exc} ({option})") from None
    app = create_app(settings)
    sock = _listen(args.host, args.port)
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    print(f"wikidiff: serving http://{shown}:{port}/ (wikis: {', '.join(settings.wikis)}); Ctrl-C stops",
          file=sys.stderr, flush=True)
    config = uvicorn.Config(app, log_level="warning" if args.quiet else "info", access_log=not args.quiet,
                            proxy_headers=False, server_header=False, timeout_keep_alive=5,
                            limit_concurrency=settings.workers * 64 + 64, timeout_graceful_shutdown=5)
    server = uvicorn.Server(config)
    server.run(sockets=[sock])
    return 0
