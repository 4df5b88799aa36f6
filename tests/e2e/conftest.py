"""The portal under gunicorn on loopback, one headless Chromium, and a checked page per journey.

The server shares the suite's database (migrated by ``migrated_app``; each journey's ``app``
fixture empties it first) and the suite's real SMTP server, so a journey can read the mail a
resident or officer would get.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from tests.e2e.checks import AXE_SCRIPT, SCREENSHOTS, CheckedPage, Visits

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, headless. This closed network refuses Chromium's own background
# connections (updates, sync, field trials), so they are switched off.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_until_healthy(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn stopped (exit {server.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the portal did not answer /healthz within 30 seconds:\n{log.read_text()}")


@pytest.fixture(scope="session")
def live_server(
    migrated_app: Flask, app_settings: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The portal served by gunicorn, as in production, over the suite's migrated database."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        **app_settings,
        "PUBLIC_BASE_URL": url,
        # Journeys submit many forms quickly from one address; rate limits are tested elsewhere.
        "RATELIMIT_ENABLED": "false",
    }
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
                "--timeout",
                "60",
                "wsgi:app",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_healthy(url, server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    """One headless Chromium for the whole run; each journey gets its own context."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package (see the README)")
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run `make assets`")
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def visits(request: pytest.FixtureRequest) -> Iterator[Visits]:
    """Every page checked in this run; written out for reviewers at the end."""
    shutil.rmtree(SCREENSHOTS, ignore_errors=True)
    SCREENSHOTS.mkdir(parents=True)
    record = Visits()
    yield record
    record.write_summary(SCREENSHOTS / "summary.md")
    request.config.stash[VISITS_KEY] = record


VISITS_KEY = pytest.StashKey[Visits]()
E2E_DIR = Path(__file__).resolve().parent


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test in this folder drives the browser: marked so that `make test-fast` leaves it out."""
    for item in items:
        if item.path.is_relative_to(E2E_DIR):
            item.add_marker(pytest.mark.browser)


def _journey_name(request: pytest.FixtureRequest) -> str:
    name = request.node.name.removeprefix("test_")
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name).strip("-")


def open_context(browser: Browser, live_server: str, *, javascript: bool = True) -> BrowserContext:
    """A fresh browser profile (no cookies) at desktop size.

    The portal's Content Security Policy stays on: axe is evaluated through the DevTools protocol,
    which the page's policy does not govern, so the journeys also prove the site's own scripts
    run under it.
    """
    context = browser.new_context(
        base_url=live_server,
        java_script_enabled=javascript,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
        timezone_id="Europe/London",
    )
    context.set_default_timeout(10_000)
    return context


@pytest.fixture
def journey(
    request: pytest.FixtureRequest, browser: Browser, live_server: str, visits: Visits
) -> Iterator[Any]:
    """Open checked browser tabs for one journey: ``journey(javascript=True)`` gives a CheckedPage."""
    contexts: list[BrowserContext] = []
    name = _journey_name(request)

    def open_page(javascript: bool = True, who: str = "") -> CheckedPage:
        context = open_context(browser, live_server, javascript=javascript)
        contexts.append(context)
        audit = None
        if not javascript:
            contexts.append(audit_context := open_context(browser, live_server))
            audit = audit_context.new_page()
        label = f"{name}-{who}" if who else name
        return CheckedPage(context.new_page(), label, visits, audit=audit)

    yield open_page
    for context in contexts:
        context.close()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    record = config.stash.get(VISITS_KEY, None)
    if record is not None and record.pages:
        terminalreporter.write_sep("-", "pages checked in a real browser")
        for line in record.summary_lines():
            terminalreporter.write_line(line)
