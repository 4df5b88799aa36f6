"""Back-office accounts: who can sign in, and the commands that manage them."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.accounts import authenticate, create_user
from portal.extensions import db
from portal.models import AuditEvent, User
from tests.conftest import make_app
from tests.helpers import PageClient
from tests.officers import PASSWORD, Account, fresh_code, make_account, sign_in


def test_an_officer_signs_in_and_lands_on_the_queue(client: PageClient, officer: Account) -> None:
    page = sign_in(client, officer)
    assert page.h1 == "Queue"


def test_an_unknown_account_and_a_wrong_password_get_the_same_answer(
    client: PageClient, officer: Account
) -> None:
    wrong = sign_in(client, officer, password="not-the-password-at-all")
    unknown = sign_in(client, Account(0, "nobody@council.example", "Nobody", "officer"))
    assert wrong.errors == unknown.errors == ["Enter a correct email address and password"]
    assert wrong.title.startswith("Error:")


def test_signing_out_ends_the_session(client: PageClient, officer: Account) -> None:
    sign_in(client, officer)
    token = client.get("/officer/").csrf_token()
    page = client.post("/officer/sign-out", {"csrf_token": token})
    assert page.h1 == "Sign in to the back-office"
    assert client.get("/officer/").h1 == "Sign in to the back-office"


def test_a_disabled_account_cannot_sign_in_and_its_session_stops(
    app: Flask, client: PageClient, officer: Account
) -> None:
    sign_in(client, officer)
    result = app.test_cli_runner().invoke(args=["users", "disable", officer.email])
    assert result.exit_code == 0 and "Disabled" in result.output
    assert client.get("/officer/").h1 == "Sign in to the back-office"
    assert sign_in(PageClient(app.test_client()), officer).errors == [
        "Enter a correct email address and password"
    ]


def test_users_create_reads_the_password_from_standard_input(app: Flask, client: PageClient) -> None:
    result = app.test_cli_runner().invoke(
        args=[
            "users",
            "create",
            "New.Officer@Council.example",
            "--name",
            "New Officer",
            "--role",
            "supervisor",
        ],
        input="a-sufficiently-long-password\n",
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == "new.officer@council.example")).one()
        assert user.role == "supervisor"
        assert user.password_hash.startswith("scrypt:"), "a strong, slow hash"
        assert "a-sufficiently-long-password" not in user.password_hash
    page = sign_in(
        client,
        Account(user.id, "new.officer@council.example", "New Officer", "supervisor"),
        "a-sufficiently-long-password",
    )
    assert page.h1 == "Set up two-factor authentication", "a new account enrols before anything else"


def test_the_portal_itself_stores_passwords_at_werkzeug_s_full_scrypt_cost(
    app: Flask, app_settings: dict[str, Any]
) -> None:
    # The suite hashes cheaply (PASSWORD_HASH_METHOD in tests/conftest.py); the portal, unset, does not.
    settings = {name: value for name, value in app_settings.items() if name != "PASSWORD_HASH_METHOD"}
    portal = make_app({**settings, "PORTAL_ENV": "development"})
    try:
        with portal.app_context():
            user = create_user("strong@council.example", "Strong Hash", "officer", PASSWORD)
            assert user.password_hash.startswith("scrypt:32768:8:1$")
            assert authenticate("strong@council.example", PASSWORD) == user
            assert authenticate("strong@council.example", "not-the-password-at-all") is None
    finally:
        with portal.app_context():
            db.session.remove()
            db.engine.dispose()


def test_passwords_must_be_at_least_12_characters(app: Flask) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "short@council.example", "--name", "Short", "--role", "officer"],
        input="elevenchars\n",
    )
    assert result.exit_code == 1
    assert "at least 12 characters" in result.output


def test_bad_account_requests_say_what_to_fix(app: Flask, officer: Account) -> None:
    runner = app.test_cli_runner()
    taken = runner.invoke(
        args=["users", "create", officer.email, "--name", "X", "--role", "officer"], input=PASSWORD + "\n"
    )
    assert "There is already an account" in taken.output
    role = runner.invoke(
        args=["users", "create", "a@council.example", "--name", "X", "--role", "boss"], input=PASSWORD + "\n"
    )
    assert role.exit_code == 2 and "Invalid value for '--role'" in role.output
    missing = runner.invoke(args=["users", "disable", "ghost@council.example"])
    assert missing.exit_code == 1 and "There is no account for ghost@council.example" in missing.output


def test_after_sign_in_only_a_path_on_this_site_is_followed(client: PageClient, officer: Account) -> None:
    token = client.get("/officer/sign-in").csrf_token()
    response = client.post_raw(
        "/officer/sign-in?next=https://evil.example/phish",
        {"csrf_token": token, "email": officer.email, "password": PASSWORD},
    )
    assert response.status_code == 302 and response.headers["Location"] == "/officer/sign-in/code"
    token = client.get("/officer/sign-in/code").csrf_token()
    response = client.post_raw(
        "/officer/sign-in/code", {"csrf_token": token, "code": fresh_code(client.app, officer)}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/officer/"


def test_an_administrator_adds_and_disables_accounts(app: Flask) -> None:
    admin = make_account(app, "admin")
    browser = PageClient(app.test_client())
    sign_in(browser, admin)
    page = browser.get("/officer/accounts")
    assert page.h1 == "Accounts"
    added = browser.post_form(
        "/officer/accounts",
        {"name": "Jo Hughes", "email": "Jo.Hughes@council.example", "role": "officer", "password": PASSWORD},
    )
    assert "Account created for Jo Hughes" in added.text()
    short = browser.post_form(
        "/officer/accounts",
        {"name": "X", "email": "x@council.example", "role": "officer", "password": "short"},
    )
    assert short.status == 400 and short.errors == ["The password must be at least 12 characters"]
    token = browser.get("/officer/accounts").csrf_token()
    disabled = browser.post(
        "/officer/accounts/status",
        {"csrf_token": token, "email": "jo.hughes@council.example", "active": "no"},
    )
    assert "Jo Hughes's account is now disabled" in disabled.text()
    jo = Account(0, "jo.hughes@council.example", "Jo Hughes", "officer")
    assert sign_in(PageClient(app.test_client()), jo).errors == ["Enter a correct email address and password"]
    itself = browser.post(
        "/officer/accounts/status", {"csrf_token": token, "email": admin.email, "active": "no"}
    )
    assert itself.errors == ["You cannot disable your own account"]
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == admin.id)).all()
    assert actions == ["two_factor_enrolled", "password_changed", "account_created", "account_disabled"]


def test_officers_do_not_see_the_accounts_page(officer_client: PageClient) -> None:
    assert officer_client.get_raw("/officer/accounts").status_code == 403
    assert officer_client.get("/officer/").soup.find("a", string="Accounts") is None


# Every control and format character, and a backslash, which browsers read as a slash.
UNSAFE_IN_NEXT = [chr(c) for c in range(0x20)] + [
    "\x7f",
    "\x85",
    "\u200b",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\\",
]


@pytest.mark.parametrize("character", UNSAFE_IN_NEXT, ids=lambda c: f"U+{ord(c):04X}")
def test_a_next_with_a_control_character_falls_back_to_the_queue(
    client: PageClient, officer: Account, character: str
) -> None:
    token = client.get("/officer/sign-in").csrf_token()
    response = client.client.post(
        "/officer/sign-in",
        query_string={"next": f"/officer/{character}Set-Cookie: x=1"},
        data={"csrf_token": token, "email": officer.email, "password": PASSWORD},
    )
    assert response.status_code == 302
    token = client.get("/officer/sign-in/code").csrf_token()
    response = client.post_raw(
        "/officer/sign-in/code", {"csrf_token": token, "code": fresh_code(client.app, officer)}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/officer/"
