"""Signing an officer in to the back-office in the browser, as they would."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from tests.e2e.checks import CheckedPage
from tests.e2e.forms import answer
from tests.officers import PASSWORD, Account, fresh_code


def signed_in(
    journey: Callable[..., CheckedPage], app: Flask, account: Account, **options: bool
) -> CheckedPage:
    """A checked tab of a new browser profile, signed in with the password and a fresh code."""
    tab = journey(who=account.role, **options)
    tab.goto("/officer/")
    answer(tab.page, {"email": account.email, "password": PASSWORD})
    tab.button("Sign in")
    answer(tab.page, {"code": fresh_code(app, account)})
    tab.button("Continue")
    assert tab.path == "/officer/"
    return tab
