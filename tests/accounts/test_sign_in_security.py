"""Officer sign-in: two-factor codes, throttling, common passwords, and no default account."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyotp
import pytest
from flask import Flask
from flask_migrate import upgrade
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from portal.accounts import AccountError, account_key, create_user, find_user
from portal.extensions import db
from portal.models import AuditEvent, User
from tests.conftest import make_app
from tests.helpers import PageClient
from tests.officers import PASSWORD, Account, fresh_code, make_account, sign_in

NEW_PASSWORD = "a-password-of-my-own-42"


def _password_step(client: PageClient, account: Account, password: str = PASSWORD) -> int:
    token = client.get("/officer/sign-in").csrf_token()
    response = client.post_raw(
        "/officer/sign-in", {"csrf_token": token, "email": account.email, "password": password}
    )
    return response.status_code


def _code_step(client: PageClient, code: str) -> tuple[int, str]:
    token = client.get("/officer/sign-in/code").csrf_token()
    response = client.post_raw("/officer/sign-in/code", {"csrf_token": token, "code": code})
    return response.status_code, response.headers.get("Location", "")


# --- Two-factor authentication ---------------------------------------------------------------


def test_the_password_alone_opens_nothing(app: Flask, client: PageClient, officer: Account) -> None:
    assert _password_step(client, officer) == 302
    response = client.get_raw("/officer/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/officer/sign-in")


def test_a_code_works_once(app: Flask, client: PageClient, officer: Account) -> None:
    code = fresh_code(app, officer)
    _password_step(client, officer)
    assert _code_step(client, code) == (302, "/officer/")

    thief = PageClient(app.test_client())
    _password_step(thief, officer)
    status, _ = _code_step(thief, code)
    assert status == 200, "the same code, replayed, is refused"
    assert thief.get_raw("/officer/").status_code == 302


def test_a_wrong_code_is_refused_with_a_clear_message(client: PageClient, officer: Account) -> None:
    _password_step(client, officer)
    token = client.get("/officer/sign-in/code").csrf_token()
    page = client.post("/officer/sign-in/code", {"csrf_token": token, "code": "000000"})
    assert page.title.startswith("Error:")
    assert page.errors == ["Enter the code your authenticator app shows now (each code works once)"]


def test_an_old_code_from_minutes_ago_is_refused(app: Flask, client: PageClient, officer: Account) -> None:
    totp = pyotp.TOTP(officer.totp_secret)
    stale = totp.generate_otp(totp.timecode(datetime.now(UTC)) - 4)
    _password_step(client, officer)
    assert _code_step(client, stale)[0] == 200


def test_the_code_page_needs_the_password_first(client: PageClient) -> None:
    response = client.get_raw("/officer/sign-in/code")
    assert response.status_code == 302 and response.headers["Location"] == "/officer/sign-in"


def test_a_new_officer_enrols_with_a_qr_code_drawn_here(app: Flask, client: PageClient) -> None:
    newcomer = make_account(app, "officer", name="New Starter", two_factor=False)
    _password_step(client, newcomer)
    page = client.get("/officer/sign-in/set-up")
    assert page.h1 == "Set up two-factor authentication"
    svg = page.soup.select_one("figure.portal-qr svg[role=img]")
    assert svg is not None and svg.find("title") is not None, "an inline, labelled SVG"
    assert page.soup.select("figure.portal-qr img") == [], "no image from a QR service elsewhere"
    key = page.soup.select_one(".portal-qr__key").get_text().replace(" ", "")

    with app.app_context():
        user = db.session.get(User, newcomer.id)
        assert user is not None and user.totp_secret is None and user.totp_pending_secret == key

    token = page.csrf_token()
    wrong = client.post("/officer/sign-in/set-up", {"csrf_token": token, "code": "123456"})
    assert wrong.errors == ["Enter the 6-digit code your authenticator app shows for this account"]

    page = client.post("/officer/sign-in/set-up", {"csrf_token": token, "code": pyotp.TOTP(key).now()})
    assert page.h1 == "Choose your own password", "the first password was someone else's"
    page = client.post(
        "/officer/sign-in/new-password",
        {"csrf_token": page.csrf_token(), "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert page.h1 == "Queue"
    with app.app_context():
        user = db.session.get(User, newcomer.id)
        assert user is not None and user.totp_secret == key and user.totp_pending_secret is None
        actions = db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.actor_id == newcomer.id)
        ).all()
        assert "two_factor_enrolled" in actions


def test_an_enrolled_officer_cannot_be_shown_a_new_secret(client: PageClient, officer: Account) -> None:
    _password_step(client, officer)
    response = client.get_raw("/officer/sign-in/set-up")
    assert response.status_code == 302 and response.headers["Location"] == "/officer/sign-in"


def test_reset_two_factor_makes_the_officer_enrol_again_and_ends_sessions(
    app: Flask, officer_client: PageClient, officer: Account
) -> None:
    result = app.test_cli_runner().invoke(args=["users", "reset-two-factor", officer.email])
    assert result.exit_code == 0, result.output
    assert "enrol again" in result.output
    assert officer_client.get_raw("/officer/").status_code == 302, "signed out everywhere"
    client = PageClient(app.test_client())
    _password_step(client, officer)
    assert client.get("/officer/sign-in/code").h1 == "Sign in to the back-office"
    assert client.get("/officer/sign-in/set-up").h1 == "Sign in to the back-office"
    _password_step(client, officer)
    assert client.get("/officer/sign-in/set-up").h1 == "Set up two-factor authentication"


def test_reset_two_factor_of_an_unknown_account_says_so(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["users", "reset-two-factor", "nobody@council.example"])
    assert result.exit_code != 0
    assert "There is no account for nobody@council.example" in result.output


# --- Throttling ------------------------------------------------------------------------------


def test_five_wrong_passwords_pause_the_account_even_with_the_right_one(
    app: Flask, client: PageClient, officer: Account
) -> None:
    for _ in range(5):
        assert _password_step(client, officer, "not-the-password-at-all") == 200
    assert _password_step(client, officer) == 429
    page = client.post_form("/officer/sign-in", {"email": officer.email, "password": PASSWORD})
    assert page.status == 429 and page.h1 == "Too many attempts in a short time"
    # From another address too: the pause is the account's.
    elsewhere = app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "203.0.113.9"
    assert _password_step(PageClient(elsewhere), officer) == 429


# Ways of writing one address that a keyboard, a paste or a crafted post can produce.
_UNSEEN = st.characters(categories=("Cc", "Cf"))  # NUL, escape, zero-width space, soft hyphen, ...
_SPACES = st.characters(categories=("Zs", "Zl", "Zp")) | st.sampled_from("\t\n\r\x0b\x0c")


def _full_width(character: str) -> str:
    """The full-width form East Asian keyboards type, which NFKC folds back to ASCII."""
    return chr(ord(character) + 0xFEE0) if "!" <= character <= "~" else character


@st.composite
def ways_of_writing(draw: st.DrawFn, email: str) -> str:
    written = [
        draw(st.sampled_from([ch, ch.upper(), _full_width(ch), _full_width(ch.upper())])) for ch in email
    ]
    for _ in range(draw(st.integers(0, 6))):
        written.insert(draw(st.integers(0, len(written))), draw(_UNSEEN | _SPACES))
    return "".join(written)


@given(st.data())
def test_every_way_of_writing_an_address_gives_the_one_account_key(data: st.DataObject) -> None:
    written = data.draw(ways_of_writing("duty.officer@council.example"))
    assert account_key(written) == "duty.officer@council.example"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.data())
def test_every_way_of_writing_an_address_finds_the_same_account(
    app: Flask, officer: Account, data: st.DataObject
) -> None:
    written = data.draw(ways_of_writing(officer.email))
    with app.app_context():
        found = find_user(written)
        assert found is not None and found.id == officer.id


def test_wrong_passwords_count_against_the_account_however_its_address_is_written(
    app: Flask, client: PageClient, officer: Account
) -> None:
    local, _, domain = officer.email.partition("@")
    writings = [
        officer.email + "\x00",  # a NUL, which the form's trimming drops before the lookup
        officer.email.upper(),
        f"  {local} @{domain}\t",
        "".join(_full_width(ch) for ch in officer.email),
        f"{local}\u200b@{domain}",  # a zero-width space
    ]
    for written in writings:
        assert _password_step(client, replace(officer, email=written), "not-the-password-at-all") == 200
    assert _password_step(client, officer) == 429


def test_another_account_is_not_paused_by_someone_else_s_mistakes(
    app: Flask, client: PageClient, officer: Account, supervisor: Account
) -> None:
    for _ in range(5):
        _password_step(client, officer, "not-the-password-at-all")
    assert sign_in(client, supervisor).h1 == "Queue"


def test_signing_in_successfully_does_not_use_up_attempts(app: Flask, officer: Account) -> None:
    for _ in range(7):
        client = PageClient(app.test_client())
        assert sign_in(client, officer).h1 == "Queue"


def test_wrong_codes_are_throttled_too(app: Flask, client: PageClient, officer: Account) -> None:
    _password_step(client, officer)
    for _ in range(5):
        assert _code_step(client, "000000")[0] == 200
    assert _code_step(client, fresh_code(app, officer))[0] == 429


def test_one_address_trying_many_accounts_is_paused(app: Flask, client: PageClient) -> None:
    app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = "8 per 10 minutes"
    try:
        for number in range(8):
            stranger = Account(0, f"guess{number}@council.example", "Guess", "officer")
            assert _password_step(client, stranger, "a-guessed-password") == 200
        stranger = Account(0, "guess-last@council.example", "Guess", "officer")
        assert _password_step(client, stranger, "a-guessed-password") == 429
    finally:
        app.config["SIGN_IN_LIMIT_PER_ADDRESS"] = "30 per 10 minutes"


# --- Passwords and accounts ------------------------------------------------------------------


@pytest.mark.parametrize("password", ["1q2w3e4r5t6y", "qwerty123456", "QWERTY123456", "123456654321"])
def test_common_passwords_are_refused(app: Flask, password: str) -> None:
    with app.app_context(), pytest.raises(AccountError, match="one of the most common passwords"):
        create_user("jo.hughes@council.example", "Jo Hughes", "officer", password)


def test_the_common_password_list_holds_ten_thousand(app: Flask) -> None:
    from portal.accounts import common_passwords

    assert len(common_passwords()) > 9_900  # a few differ only in letter case
    assert "password" in common_passwords() and "123456" in common_passwords()


def test_an_uncommon_long_password_is_accepted(app: Flask) -> None:
    with app.app_context():
        create_user("jo.hughes@council.example", "Jo Hughes", "officer", "harbour-lantern-copper-41")


def test_the_migrations_make_no_default_account(app_settings: dict[str, Any], tmp_path: Path) -> None:
    fresh = make_app({**app_settings, "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}"})
    with fresh.app_context():
        upgrade()
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
        db.session.remove()
        db.engine.dispose()


def test_production_never_makes_the_demonstration_accounts(app: Flask) -> None:
    app.config["PORTAL_ENV"] = "production"
    try:
        result = app.test_cli_runner().invoke(args=["demo", "load", "--reports", "1"])
    finally:
        app.config["PORTAL_ENV"] = "testing"
    assert result.exit_code != 0
    assert "never made in production" in result.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User)) == 0
