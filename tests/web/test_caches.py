"""The caches change how fast a page comes, never what it says: every page is the same with them
on and off (``CACHES``), but for the two values each response has of its own."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from flask import Flask

from portal.config import ConfigError, load_config
from portal.public.journey import PAGES
from portal.web import caches
from tests.helpers import Page, PageClient
from tests.journey import fill_until

KINDS = ("asb", "neighbour_dispute", "safety_concern")
INFORMATION_PAGES = ("/", "/accessibility", "/privacy", "/cookies", "/report", "/officer/sign-in")


def _nonce(page: Page) -> str:
    return page.response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]


def _as_seen(page: Page) -> str:
    """The page, with this response's own nonce and CSRF token written as placeholders."""
    html = page.html.replace(_nonce(page), "NONCE")
    tokens = page.soup.select('input[name="csrf_token"]')
    for token in {str(t.get("value")) for t in tokens}:
        html = html.replace(token, "TOKEN")
    return html


def _every_page(app: Flask) -> dict[str, str]:
    """Each information page, and each question page of each kind before it is answered, twice over
    (the second time from the caches, when they are on)."""
    seen: dict[str, str] = {}
    addresses = itertools.count(1)
    for _time in range(2):
        for url in INFORMATION_PAGES:
            seen[url] = _as_seen(PageClient(app.test_client()).get(url))
        for kind in KINDS:
            for page in PAGES:
                # Each resident from an address of their own: the form posts' limit counts per address.
                browser = app.test_client()
                browser.environ_base["REMOTE_ADDR"] = f"198.51.100.{next(addresses)}"
                resident = PageClient(browser)
                fill_until(resident, kind, stop_before=page.slug)
                url = f"/report/{page.slug}"
                seen[f"{kind} {url}"] = _as_seen(resident.get(url))
    return seen


def test_every_page_is_the_same_with_the_caches_on_and_off(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    caches.clear(app)
    with_caches = _every_page(app)
    with app.app_context():
        kept = caches.named("pages")
        assert kept is not None and len(kept) > 0, "the caches were used"

    monkeypatch.setitem(app.config, "CACHES_ENABLED", False)
    caches.clear(app)
    without = _every_page(app)

    assert app.extensions.get("portal_caches") is None, "nothing is kept while the caches are off"
    assert without.keys() == with_caches.keys()
    differing = [url for url in with_caches if with_caches[url] != without[url]]
    assert differing == []


def test_caches_are_turned_off_by_one_setting(tmp_path: Path) -> None:
    assert load_config({"CACHES": "off"}, tmp_path)["CACHES_ENABLED"] is False
    assert load_config({}, tmp_path)["CACHES_ENABLED"] is True
    with pytest.raises(ConfigError, match="CACHES must be true or false"):
        load_config({"CACHES": "sometimes"}, tmp_path)
