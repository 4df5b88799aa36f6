"""Passwords: one-time at first, the officer's own after, changed with proof, reset by an administrator.

Whoever chose an account's first password (an administrator, or whoever ran the command) must not
be able to sign in as that officer later, nor keep a copy of the two-factor secret it enrols with.
"""

from __future__ import annotations

import pyotp
import pytest
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import AuditEvent, User
from tests.helpers import Page, PageClient
from tests.officers import PASSWORD, Account, fresh_code, make_account, sign_in

FIRST_PASSWORD = "chosen-by-the-admin-2026"
OWN_PASSWORD = "only-jo-knows-this-one-7"


def _password_step(client: PageClient, email: str, password: str) -> Page:
    return client.post_form("/officer/sign-in", {"email": email, "password": password})


def _enrol(client: PageClient) -> tuple[Page, str]:
    """On the set-up page: read the key shown, and confirm it with a code. The page after, and the key."""
    page = client.get("/officer/sign-in/set-up")
    assert page.h1 == "Set up two-factor authentication"
    key = page.soup.select_one(".portal-qr__key").get_text().replace(" ", "")
    return client.post_form("/officer/sign-in/set-up", {"code": pyotp.TOTP(key).now()}), key


def _choose(client: PageClient, password: str, again: str | None = None) -> Page:
    return client.post_form(
        "/officer/sign-in/new-password", {"new_password": password, "confirm_password": again or password}
    )


def _actions(app: Flask, email: str) -> list[tuple[str, int | None]]:
    """The account's audit entries: each action and who did it."""
    with app.app_context():
        rows = db.session.execute(
            select(AuditEvent.action, AuditEvent.actor_id)
            .where(AuditEvent.detail == email)
            .order_by(AuditEvent.id)
        ).all()
    return [(action, actor) for action, actor in rows]


def _user(app: Flask, email: str) -> User:
    with app.app_context():
        user = db.session.scalars(select(User).where(User.email == email)).one()
        db.session.expunge(user)
    return user


@pytest.fixture
def admin_client(app: Flask) -> tuple[Account, PageClient]:
    admin = make_account(app, "admin")
    client = PageClient(app.test_client())
    assert sign_in(client, admin).h1 == "Queue"
    return admin, client


def _made_by_an_administrator(app: Flask, admin_client: tuple[Account, PageClient]) -> None:
    _admin, client = admin_client
    added = client.post_form(
        "/officer/accounts",
        {
            "name": "Jo Hughes",
            "email": "jo.hughes@council.example",
            "role": "officer",
            "password": FIRST_PASSWORD,
        },
    )
    assert "Account created for Jo Hughes" in added.text()
    assert "One-time password" in added.text(), "the accounts page shows the password is not Jo's own yet"


def _made_at_the_command_line(app: Flask, admin_client: tuple[Account, PageClient]) -> None:
    result = app.test_cli_runner().invoke(
        args=["users", "create", "jo.hughes@council.example", "--name", "Jo Hughes", "--role", "officer"],
        input=FIRST_PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "works once" in result.output


@pytest.mark.parametrize("made", [_made_by_an_administrator, _made_at_the_command_line])
def test_a_new_account_s_first_password_works_once_and_the_officer_chooses_their_own(
    app: Flask, admin_client: tuple[Account, PageClient], made: object
) -> None:
    made(app, admin_client)  # type: ignore[operator]
    jo = PageClient(app.test_client())
    assert (
        _password_step(jo, "jo.hughes@council.example", FIRST_PASSWORD).h1
        == "Set up two-factor authentication"
    )
    page, _key = _enrol(jo)
    assert page.h1 == "Choose your own password"
    assert jo.get_raw("/officer/").status_code == 302, "not signed in until the password is Jo's own"

    assert _choose(jo, FIRST_PASSWORD).errors == ["Choose a new password, not the one you signed in with"]
    assert _choose(jo, "password1234").errors == [
        "That password is one of the most common passwords: choose another"
    ]
    assert _choose(jo, OWN_PASSWORD, "only-jo-knows-this-one-8").errors == [
        "The passwords do not match: enter the same one twice"
    ]
    assert _choose(jo, OWN_PASSWORD).h1 == "Queue"

    assert _password_step(
        PageClient(app.test_client()), "jo.hughes@council.example", FIRST_PASSWORD
    ).errors == ["Enter a correct email address and password"], (
        "the one-time password no longer opens the account"
    )
    assert _user(app, "jo.hughes@council.example").password_must_change is False
    jo_id = _user(app, "jo.hughes@council.example").id
    assert [a for a in _actions(app, "jo.hughes@council.example") if a[1] == jo_id] == [
        ("two_factor_enrolled", jo_id),
        ("password_changed", jo_id),
    ]


def test_the_choose_a_password_page_needs_the_code_first(app: Flask) -> None:
    newcomer = make_account(app, "officer", name="New Starter", two_factor=False)
    client = PageClient(app.test_client())
    _password_step(client, newcomer.email, PASSWORD)
    response = client.get_raw("/officer/sign-in/new-password")
    assert response.status_code == 302 and response.headers["Location"] == "/officer/sign-in"


def test_the_two_factor_secret_is_new_at_each_sign_in_and_only_its_own_browser_can_confirm_it(
    app: Flask,
) -> None:
    newcomer = make_account(app, "officer", name="New Starter", two_factor=False)
    # Whoever chose the first password passes the password step, and notes the key shown.
    chooser = PageClient(app.test_client())
    _password_step(chooser, newcomer.email, PASSWORD)
    seen_by_chooser = chooser.get("/officer/sign-in/set-up").soup.select_one(".portal-qr__key").get_text()
    chooser_token = chooser.get("/officer/sign-in/set-up").csrf_token()

    # The officer signs in: a different key, which the chooser's browser cannot confirm.
    officer = PageClient(app.test_client())
    _password_step(officer, newcomer.email, PASSWORD)
    page = officer.get("/officer/sign-in/set-up")
    key = page.soup.select_one(".portal-qr__key").get_text().replace(" ", "")
    assert key != seen_by_chooser.replace(" ", "")
    stolen = chooser.client.post(
        "/officer/sign-in/set-up", data={"csrf_token": chooser_token, "code": pyotp.TOTP(key).now()}
    )
    assert stolen.status_code == 302 and stolen.headers["Location"] == "/officer/sign-in"
    old = chooser.client.post(
        "/officer/sign-in/set-up",
        data={"csrf_token": chooser_token, "code": pyotp.TOTP(seen_by_chooser.replace(" ", "")).now()},
    )
    assert old.status_code == 302 and old.headers["Location"] == "/officer/sign-in"

    confirmed = officer.post(
        "/officer/sign-in/set-up", {"csrf_token": page.csrf_token(), "code": pyotp.TOTP(key).now()}
    )
    assert confirmed.h1 == "Choose your own password"
    with app.app_context():
        user = db.session.get(User, newcomer.id)
        assert user is not None and user.totp_secret == key


def test_an_officer_changes_their_own_password_with_the_current_one_and_a_code(
    app: Flask, officer: Account
) -> None:
    here, elsewhere = PageClient(app.test_client()), PageClient(app.test_client())
    sign_in(here, officer)
    sign_in(elsewhere, officer)
    page = here.get("/officer/account/password")
    assert page.h1 == "Change your password"

    def change(current: str, new: str, code: str) -> Page:
        return here.post_form(
            "/officer/account/password",
            {"current_password": current, "new_password": new, "confirm_password": new, "code": code},
        )

    assert change("not-my-password-at-all", OWN_PASSWORD, fresh_code(app, officer)).errors == [
        "The current password is not right"
    ]
    assert change(PASSWORD, OWN_PASSWORD, "000000").errors == [
        "Enter the code your authenticator app shows now (each code works once)"
    ]
    assert change(PASSWORD, "short", fresh_code(app, officer)).errors == [
        "The password must be at least 12 characters"
    ]
    changed = change(PASSWORD, OWN_PASSWORD, fresh_code(app, officer))
    assert changed.h1 == "Change your password" and not changed.errors
    assert "Your password has been changed" in changed.text()
    assert here.get_raw("/officer/").status_code == 200, "this session goes on"
    assert elsewhere.get_raw("/officer/").status_code == 302, "every other session has ended"
    assert sign_in(PageClient(app.test_client()), officer).errors == [
        "Enter a correct email address and password"
    ]
    assert sign_in(PageClient(app.test_client()), officer, OWN_PASSWORD).h1 == "Queue"
    assert ("password_changed", officer.id) in _actions(app, officer.email)


def test_an_administrator_s_reset_gives_a_one_time_password_and_ends_the_account_s_sessions(
    app: Flask, admin_client: tuple[Account, PageClient], officer: Account, officer_client: PageClient
) -> None:
    admin, client = admin_client
    token = client.get("/officer/accounts").csrf_token()
    page = client.post("/officer/accounts/reset-password", {"csrf_token": token, "email": officer.email})
    assert page.h1 == f"{officer.name}'s password has been reset"
    one_time = page.soup.select_one(".portal-one-time-password").get_text(strip=True)
    assert len(one_time) >= 16

    assert officer_client.get_raw("/officer/").status_code == 302, "signed out everywhere"
    assert sign_in(PageClient(app.test_client()), officer).errors == [
        "Enter a correct email address and password"
    ]
    browser = PageClient(app.test_client())
    assert sign_in(browser, officer, one_time).h1 == "Choose your own password"
    assert _choose(browser, OWN_PASSWORD).h1 == "Queue"
    assert ("password_reset", admin.id) in _actions(app, officer.email)

    itself = client.post("/officer/accounts/reset-password", {"csrf_token": token, "email": admin.email})
    assert itself.errors == ["You cannot reset your own password: change it from your account instead"]


def test_a_password_reset_at_the_command_line_prints_a_one_time_password(
    app: Flask, officer: Account
) -> None:
    result = app.test_cli_runner().invoke(args=["users", "reset-password", officer.email])
    assert result.exit_code == 0, result.output
    one_time = result.output.split(": ", 1)[1].split()[0]
    assert sign_in(PageClient(app.test_client()), officer, one_time).h1 == "Choose your own password"
    unknown = app.test_cli_runner().invoke(args=["users", "reset-password", "nobody@council.example"])
    assert unknown.exit_code != 0 and "There is no account for nobody@council.example" in unknown.output
