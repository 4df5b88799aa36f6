"""The portal under gunicorn on loopback, one headless Chromium, and a checked page per journey.

The server shares the suite's database (migrated by ``migrated_app``; each journey's ``app``
fixture empties it first) and the suite's real SMTP server, with the mail worker
(``flask outbox work``) beside it, so a journey can read the mail a resident or officer would get.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Playwright, sync_playwright

from tests.e2e.checks import AXE_SCRIPT, SCREENSHOTS, CheckedPage, Visits
from tests.processes import free_port, start_gunicorn, start_mail_worker, stop, wait_until_healthy

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


@pytest.fixture(scope="package")
def live_server(
    migrated_app: Flask, app_settings: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The portal served by gunicorn, as in production, over the suite's migrated database.

    Stopped when the browser journeys are done: its mail worker would otherwise go on sending
    the email of every test after them.
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        **app_settings,
        "PUBLIC_BASE_URL": url,
        # Journeys submit many forms quickly from one address; rate limits are tested elsewhere.
        "RATELIMIT_ENABLED": "false",
    }
    log = tmp_path_factory.mktemp("gunicorn") / "gunicorn.log"
    server = start_gunicorn(env, f"127.0.0.1:{port}", log)
    # The mail worker beside it, as in production: gunicorn's workers only queue email.
    worker = start_mail_worker(env, log.with_name("mail-worker.log"))
    try:
        wait_until_healthy(url, server, log)
        yield url
    finally:
        stop(worker)
        stop(server)


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


def open_context(
    browser: Browser, live_server: str, *, javascript: bool = True, **options: Any
) -> BrowserContext:
    """A fresh browser profile (no cookies) at desktop size; ``options`` go to Playwright.

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
        **options,
    )
    context.set_default_timeout(10_000)
    return context


class JourneyTabs:
    """Checked browser tabs for one journey, each in a fresh profile: call it for a CheckedPage."""

    def __init__(
        self, request: pytest.FixtureRequest, browser: Browser, base_url: str, visits: Visits, **options: Any
    ) -> None:
        self.name = _journey_name(request)
        self.browser, self.base_url, self.visits, self.options = browser, base_url, visits, options
        self.contexts: list[BrowserContext] = []

    def __call__(self, javascript: bool = True, who: str = "") -> CheckedPage:
        context = open_context(self.browser, self.base_url, javascript=javascript, **self.options)
        self.contexts.append(context)
        audit = None
        if not javascript:
            self.contexts.append(audit_context := open_context(self.browser, self.base_url, **self.options))
            audit = audit_context.new_page()
        label = f"{self.name}-{who}" if who else self.name
        return CheckedPage(context.new_page(), label, self.visits, audit=audit)

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(
    request: pytest.FixtureRequest, browser: Browser, live_server: str, visits: Visits
) -> Iterator[Any]:
    """Open checked browser tabs for one journey: ``journey(javascript=True)`` gives a CheckedPage."""
    tabs = JourneyTabs(request, browser, live_server, visits)
    yield tabs
    tabs.close()


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    record = config.stash.get(VISITS_KEY, None)
    if record is not None and record.pages:
        terminalreporter.write_sep("-", "pages checked in a real browser")
        for line in record.summary_lines():
            terminalreporter.write_line(line)
