"""The portal's own processes, started as a deployment starts them: ``flask outbox work`` and others."""

from __future__ import annotations

import os
import re
import signal
import socket
import ssl
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


# The suite hashes passwords cheaply (PORTAL_ENV=testing allows it); production refuses to.
SUITE_PASSWORD_HASH = "scrypt:256:8:1"


def as_configured(settings: dict[str, Any]) -> dict[str, Any]:
    """``settings`` for the environment they name: outside testing, without the suite's cheap hash,
    so that an app or process made as production hashes passwords as production does."""
    if (
        settings.get("PORTAL_ENV") != "testing"
        and settings.get("PASSWORD_HASH_METHOD") == SUITE_PASSWORD_HASH
    ):
        return {name: value for name, value in settings.items() if name != "PASSWORD_HASH_METHOD"}
    return settings


def portal_env(settings: dict[str, Any], **more: str) -> dict[str, str]:
    """The environment a portal process gets: the machine's, then the suite's settings."""
    return as_configured({**os.environ, **{k: str(v) for k, v in settings.items()}, **more})


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


def wait_until_healthy(
    url: str, server: subprocess.Popen[bytes], log: Path, timeout: float = 30, cafile: Path | None = None
) -> None:
    """Wait for ``url``/healthz to answer 200 (over HTTPS trusting ``cafile``), while ``server`` runs."""
    context = ssl.create_default_context(cafile=cafile) if cafile is not None else None
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(
                f"{server.args[0]} stopped (exit {server.returncode}):\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2, context=context) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url}/healthz did not answer within {timeout} seconds:\n{log.read_text()[-3000:]}")


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
    """Just enough of a browser for the portal as deployed: cookies, the CSRF token, Origin.

    Over HTTPS (``cafile`` trusts the proxy's certificate) it talks to the proxy as a resident's
    browser does. Over plain HTTP it stands in for the proxy too: it says
    ``X-Forwarded-Proto: https`` and keeps Secure cookies, as a browser on HTTPS does.
    """

    def __init__(self, url: str, cafile: Path | None = None, forwarded: bool = True) -> None:
        self.url = url
        self.cookies: dict[str, str] = {}
        parts = urllib.parse.urlsplit(url)
        # ``forwarded=False``: a client that reaches gunicorn straight, as nobody but the proxy should.
        self.proxied = parts.scheme == "http" and forwarded
        self.origin = ("https://" if self.proxied else f"{parts.scheme}://") + parts.netloc
        handlers: list[Any] = [_NoRedirects]
        if cafile is not None:
            handlers.append(urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=cafile)))
        self.opener = urllib.request.build_opener(*handlers)

    def open(
        self, path: str, body: bytes | None = None, content_type: str | None = None
    ) -> tuple[int, str, Any]:
        """One request: its status, page and headers (redirects are not followed)."""
        headers = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.7"} if self.proxied else {}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers.update(Origin=self.origin, Referer=self.origin + path)
            headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
        request = urllib.request.Request(self.url + path, data=body, headers=headers)  # noqa: S310
        try:
            response = self.opener.open(request, timeout=60)
        except urllib.error.HTTPError as error:
            response = error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.read().decode("utf-8", "replace"), response.headers

    def get(self, path: str) -> tuple[int, str]:
        status, html, _ = self.open(path)
        return status, html

    def token(self, path: str) -> str:
        """The CSRF token of the form at ``path``; ``PageFailed`` if the page itself failed, and
        ``PageMoved`` if the portal sent the browser on instead of showing the form."""
        status, page, headers = self.open(path)
        if status >= 500:
            raise PageFailed(status, path)
        if 300 <= status < 400:
            raise PageMoved(status, path, headers.get("Location", ""))
        found = CSRF_TOKEN.search(page)
        assert found, f"no CSRF token on {path} ({status})"
        return found.group(1)

    def post_form(self, path: str, data: dict[str, Any]) -> tuple[int, str]:
        """Post ``data`` (a list value is a set of checkboxes) with the token of the page at ``path``."""
        body = urllib.parse.urlencode({"csrf_token": self.token(path), **data}, doseq=True).encode()
        status, html, _ = self.open(path, body)
        return status, html

    def post_files(
        self, path: str, data: dict[str, str], files: list[tuple[str, str, bytes]]
    ) -> tuple[int, str]:
        """Post a multipart form: ``files`` are (field, file name, content)."""
        boundary = "----portal-test-" + os.urandom(12).hex()
        parts = []
        for name, value in {"csrf_token": self.token(path), **data}.items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
            )
        for field, filename, content in files:
            head = (
                f'--{boundary}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            )
            parts.append(head.encode() + content + b"\r\n")
        body = b"".join(parts) + f"--{boundary}--\r\n".encode()
        status, html, _ = self.open(path, body, f"multipart/form-data; boundary={boundary}")
        return status, html


class PageFailed(Exception):
    """The page a form is on answered with a server error, so the form cannot be filled in."""

    def __init__(self, status: int, path: str) -> None:
        super().__init__(f"{path} answered {status}")
        self.status = status


class PageMoved(Exception):
    """The page a form was on sent the browser elsewhere: what the form did has been done."""

    def __init__(self, status: int, path: str, location: str) -> None:
        super().__init__(f"{path} answered {status}, to {location}")
        self.status = status
        self.location = location


CSRF_TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


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
