"""The portal's own processes, started as a deployment starts them: ``flask outbox work`` and others."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from portal.config import PROJECT_ROOT

FLASK = str(Path(sys.executable).with_name("flask"))
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def portal_env(settings: dict[str, Any], **more: str) -> dict[str, str]:
    """The environment a portal process gets: the machine's, then the suite's settings."""
    return {**os.environ, **{k: str(v) for k, v in settings.items()}, **more}


def start_mail_worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """``flask --app wsgi outbox work``, its output in ``log``."""
    with log.open("ab") as output:
        return subprocess.Popen(
            [FLASK, "--app", "wsgi", "outbox", "work"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def stop(process: subprocess.Popen[bytes], timeout: float = 30) -> int:
    """SIGTERM, as systemd stops a service; SIGKILL only if it does not stop in time."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return process.returncode


def start_gunicorn(
    env: dict[str, str], bind: str, log: Path, workers: int = 2, timeout: int = 60
) -> subprocess.Popen[bytes]:
    """The portal under gunicorn with gunicorn.conf.py, as the web service runs it."""
    with log.open("ab") as output:
        return subprocess.Popen(
            [GUNICORN, "--bind", bind, "--workers", str(workers), "--timeout", str(timeout), "wsgi:app"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


def wait_until_healthy(url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the portal stopped (exit {server.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the portal did not answer /healthz within {timeout} seconds:\n{log.read_text()}")


@contextmanager
def web_host(env: dict[str, str], log: Path, workers: int = 2) -> Iterator[str]:
    """A gunicorn host on a free loopback port: its URL, while it runs."""
    port = free_port()
    server = start_gunicorn(env, f"127.0.0.1:{port}", log, workers=workers)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server, log)
        yield url
    finally:
        stop(server)


class Browser:
    """Just enough of a browser for a portal behind a TLS proxy: cookies, the CSRF token, Origin.

    It talks plain HTTP on loopback and says ``X-Forwarded-Proto: https``, as the proxy would; it
    keeps every cookie, Secure ones included, as a browser on HTTPS does.
    """

    def __init__(self, url: str) -> None:
        self.url = url
        self.cookies: dict[str, str] = {}
        self.origin = "https://" + urllib.parse.urlsplit(url).netloc

    def _open(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, dict[str, str]]:
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            headers.update(Origin=self.origin, Referer=self.origin + path)
        request = urllib.request.Request(self.url + path, data=body, headers=headers)  # noqa: S310
        opener = urllib.request.build_opener(_NoRedirects)
        try:
            response = opener.open(request, timeout=30)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.read().decode("utf-8", "replace"), dict(response.headers)

    def get(self, path: str) -> tuple[int, str]:
        status, html, _ = self._open(path)
        return status, html

    def post_form(self, path: str, data: dict[str, str]) -> tuple[int, str]:
        """Post ``data`` with the CSRF token of the page at ``path``."""
        _, page = self.get(path)
        found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        assert found, f"no CSRF token on {path}"
        status, html, _ = self._open(path, {"csrf_token": found.group(1), **data})
        return status, html


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@contextmanager
def mail_worker(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    process = start_mail_worker(env, log)
    try:
        yield process
    finally:
        stop(process)


def wait_for(condition: Callable[[], Any], timeout: float = 10.0, interval: float = 0.1) -> Any:
    """Poll ``condition`` until it returns something truthy, or give up and return that."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)
