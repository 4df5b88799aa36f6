"""Form posts over HTTPS in production: a browser's own posts are taken, another site's are refused.

Flask-WTF's strict HTTPS check wants a ``Referer`` on every post; a ``no-referrer`` policy makes a
browser send none, and then every form in the portal failed over HTTPS. The client here posts as a
browser does under the policy the page sent (tests/helpers.py, ``browser_headers``), so a policy
that withholds what the origin check reads fails these tests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask

from portal.extensions import db, limiter
from portal.models import Report
from tests.conftest import make_app
from tests.helpers import PageClient, browser_headers
from tests.journey import choose, submit
from tests.officers import Account, make_account, sign_in

SITE = "https://report.example.org"


@pytest.fixture
def production(app: Flask, app_settings: dict[str, Any]) -> Iterator[Flask]:
    """The portal as deployed: production settings, behind TLS, over the suite's database."""
    production = make_app(
        {
            **app_settings,
            "PORTAL_ENV": "production",
            "SECRET_KEY": "s" * 40,
            "RATELIMIT_STORAGE_URI": "memory://",
            "PUBLIC_BASE_URL": SITE,
        }
    )
    with production.app_context():
        limiter.reset()
    yield production
    with production.app_context():
        db.session.remove()


def browser(app: Flask) -> PageClient:
    return PageClient(app.test_client(), base_url=SITE)


@pytest.mark.parametrize("kind", ["asb", "neighbour_dispute", "safety_concern"])
def test_a_resident_sends_each_kind_of_report_over_https(production: Flask, kind: str) -> None:
    page = submit(browser(production), kind)
    assert page.h1 == "Report sent", page.errors
    with production.app_context():
        assert db.session.query(Report).count() == 1


def test_an_officer_signs_in_over_https(production: Flask) -> None:
    account: Account = make_account(production, "officer")
    page = sign_in(browser(production), account)
    assert page.path.startswith("/officer") and page.path != "/officer/sign-in", page.errors


def test_the_referrer_policy_lets_a_browser_s_own_posts_name_the_site(production: Flask) -> None:
    policy = browser(production).get_raw("/report").headers["Referrer-Policy"]
    headers = browser_headers(policy, f"{SITE}/report", f"{SITE}/report")
    assert headers["Origin"] == SITE
    # ... and tells another site nothing, not even that someone came from the portal.
    away = browser_headers(policy, f"{SITE}/report/what", "https://www.bbc.co.uk/weather")
    assert "Referer" not in away


def _post_with(production: Flask, headers: dict[str, str]) -> int:
    client = browser(production)
    token = client.get("/report").csrf_token()
    response = client.client.post(
        "/report", data={"csrf_token": token, "kind": "asb"}, base_url=SITE, headers=headers
    )
    return response.status_code


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Origin": "https://attacker.example"}, id="another-site-s-origin"),
        pytest.param({"Origin": "http://report.example.org"}, id="the-site-over-plain-http"),
        pytest.param({"Origin": "https://report.example.org.attacker.example"}, id="a-look-alike-host"),
        pytest.param({"Origin": "null"}, id="a-hidden-origin"),
        pytest.param({"Referer": "https://attacker.example/report"}, id="another-site-s-referrer"),
        pytest.param({"Referer": "not a url"}, id="a-malformed-referrer"),
        pytest.param({}, id="neither-origin-nor-referrer"),
    ],
)
def test_a_post_from_anywhere_but_the_portal_is_refused(production: Flask, headers: dict[str, str]) -> None:
    assert _post_with(production, headers) == 400


@pytest.mark.parametrize(
    "headers",
    [
        pytest.param({"Origin": SITE}, id="origin"),
        pytest.param({"Referer": f"{SITE}/report"}, id="referrer-alone"),
    ],
)
def test_a_post_from_the_portal_s_own_page_is_taken(production: Flask, headers: dict[str, str]) -> None:
    assert _post_with(production, headers) == 302


def test_the_right_origin_does_not_stand_in_for_the_token(production: Flask) -> None:
    client = browser(production)
    choose(client, "asb")  # a session with a token of its own
    response = client.client.post(
        "/report", data={"kind": "asb"}, base_url=SITE, headers={"Origin": SITE, "Referer": f"{SITE}/report"}
    )
    assert response.status_code == 400
