"""`wikidiff serve` as a real process on a free 127.0.0.1 port, for the web tests and benchmarks/bench_web.py."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


class WebServer:
    """`with WebServer(["--api-url", url, ...], tmp) as web:` then `web.get("/audit?...")`; the server's stderr
    (its log) is kept in `tmp/serve-N.log` and shown by `log()`."""

    def __init__(self, args: list[str], folder: Path, *, start_timeout: float = 60.0) -> None:
        self.args = args
        self.folder = folder
        self.start_timeout = start_timeout
        self.proc: subprocess.Popen | None = None
        self.base = ""
        n = len(list(folder.glob("serve-*.log")))
        self.log_path = folder / f"serve-{n}.log"

    def start(self) -> WebServer:
        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        env.pop("WIKIDIFF_API_URL", None)
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen([sys.executable, "-m", "wikidiff", "serve", "--port", "0", "-q", *self.args],
                                     stdout=self._log, stderr=subprocess.STDOUT, env=env, cwd=str(self.folder))
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            m = re.search(r"serving (http://127\.0\.0\.1:[0-9]+)/", self.log())
            if m:
                self.base = m.group(1)
                return self
            if self.proc.poll() is not None:
                raise RuntimeError(f"wikidiff serve exited with {self.proc.returncode}:\n{self.log()}")
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"wikidiff serve did not start in {self.start_timeout:g} s:\n{self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int | None:
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=15)
        self._log.close()
        return self.proc.returncode

    def __enter__(self) -> WebServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def url(self, path: str) -> str:
        return self.base + path

    def get(self, path: str, timeout: float = 60.0,
            headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
        """(status, headers with lower-case names, body) of a GET; 4xx and 5xx answers are returned, not raised."""
        request = urllib.request.Request(self.url(path), headers={"Accept": "*/*", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as r:
                return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()

    def get_json(self, path: str, timeout: float = 60.0) -> tuple[int, dict]:
        status, _headers, body = self.get(path, timeout)
        return status, json.loads(body)
