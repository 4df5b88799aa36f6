"""Back-office accounts for tests, and signing in as a person would."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask

from portal.accounts import create_user
from tests.helpers import Page, PageClient

PASSWORD = "a-long-test-password-123"


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    name: str
    role: str


def make_account(app: Flask, role: str, name: str | None = None) -> Account:
    name = name or f"Test {role.capitalize()}"
    email = f"{name.lower().replace(' ', '.')}@council.example"
    with app.app_context():
        user = create_user(email, name, role, PASSWORD)
        return Account(user.id, user.email, user.name, user.role)


def sign_in(client: PageClient, account: Account, password: str = PASSWORD) -> Page:
    return client.post_form("/officer/sign-in", {"email": account.email, "password": password})
