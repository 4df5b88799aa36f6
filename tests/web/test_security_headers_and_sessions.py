"""Security headers on every response, and officers' sessions that really end."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask

from portal.officer.sessions import SEEN_AT, SIGNED_IN_AT
from tests.conftest import make_app
from tests.helpers import PageClient
from tests.journey import choose
from tests.officers import Account, sign_in


@pytest.mark.parametrize("path", ["/", "/report", "/privacy", "/officer/sign-in", "/healthz", "/nowhere"])
def test_every_response_carries_the_security_headers(client: PageClient, path: str) -> None:
    response = client.get_raw(path)
    policy = response.headers["Content-Security-Policy"]
    for directive in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "form-action 'self'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "geolocation=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers, "HSTS only in production"


def test_the_only_inline_script_carries_this_response_s_nonce(client: PageClient) -> None:
    first, second = client.get("/"), client.get("/")
    for page in (first, second):
        nonce = page.response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
        inline = [s for s in page.soup.find_all("script") if not s.get("src")]
        assert len(inline) == 1 and inline[0]["nonce"] == nonce
    assert (
        first.response.headers["Content-Security-Policy"]
        != second.response.headers["Content-Security-Policy"]
    )


def test_pages_with_a_resident_s_answers_and_the_back_office_are_never_stored(client: PageClient) -> None:
    choose(client, "asb")
    for path in ("/report/what", "/report/check", "/officer/sign-in"):
        assert client.get_raw(path).headers["Cache-Control"] == "no-store", path


def test_production_uses_a_host_only_secure_cookie_and_hsts(
    app_settings: dict[str, Any], redis_server: str
) -> None:
    production = make_app(
        {
            **app_settings,
            "PORTAL_ENV": "production",
            "SECRET_KEY": "s" * 40,
            "RATELIMIT_STORAGE_URI": redis_server,
        }
    )
    response = production.test_client().get("/report", base_url="https://report.example.org")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert "Domain=" not in cookie
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_signing_in_starts_a_new_session(app: Flask, client: PageClient, officer: Account) -> None:
    choose(client, "asb")  # something in the session before signing in
    with client.client.session_transaction() as before:
        assert "draft_id" in before
        old_token = before.get("csrf_token")
    sign_in(client, officer)
    with client.client.session_transaction() as after:
        assert "draft_id" not in after
        assert after.get("csrf_token") != old_token


def test_a_copy_of_the_cookie_is_useless_after_signing_out(app: Flask, officer: Account) -> None:
    browser = PageClient(app.test_client())
    sign_in(browser, officer)
    stolen = browser.client.get_cookie("session")
    assert stolen is not None
    token = browser.get("/officer/").csrf_token()
    browser.post("/officer/sign-out", {"csrf_token": token})

    thief = PageClient(app.test_client())
    thief.client.set_cookie("session", stolen.value)
    assert thief.get("/officer/").h1 == "Sign in to the back-office"


@pytest.mark.parametrize(
    ("key", "seconds_ago"),
    [(SEEN_AT, 31 * 60), (SIGNED_IN_AT, 12 * 3600 + 60)],
    ids=["30 minutes idle", "12 hours after signing in"],
)
def test_officers_are_signed_out_after_the_limits(
    officer_client: PageClient, key: str, seconds_ago: int
) -> None:
    assert officer_client.get("/officer/").h1 == "Queue"
    with officer_client.client.session_transaction() as session:
        session[key] = int(time.time()) - seconds_ago
    page = officer_client.get("/officer/")
    assert page.h1 == "Sign in to the back-office"
    assert "You were signed out to keep cases safe" in page.text()
    assert officer_client.get("/officer/").h1 == "Sign in to the back-office", "and stays signed out"


def test_activity_keeps_an_officer_signed_in(officer_client: PageClient) -> None:
    with officer_client.client.session_transaction() as session:
        session[SEEN_AT] = int(time.time()) - 29 * 60
    assert officer_client.get("/officer/").h1 == "Queue"
    with officer_client.client.session_transaction() as session:
        assert int(time.time()) - session[SEEN_AT] < 5
