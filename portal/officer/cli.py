"""``flask --app wsgi users …``: back-office accounts from the command line."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from portal.accounts import AccountError, create_user, disable_user, reset_password, reset_two_factor
from portal.accounts.roles import ROLES

users_group = AppGroup("users", help="Back-office accounts.")


def _read_password() -> str:
    """On a terminal, prompt twice without echoing; otherwise read one line from standard input."""
    if sys.stdin.isatty():
        return str(click.prompt("Password", hide_input=True, confirmation_prompt=True))
    line = sys.stdin.readline()
    return line.rstrip("\r\n")


@users_group.command("create", help="Create an account. The password is read from standard input.")
@click.argument("email")
@click.option("--name", required=True, help="The person's full name.")
@click.option("--role", required=True, type=click.Choice(ROLES), help="What they may do.")
def create(email: str, name: str, role: str) -> None:
    try:
        user = create_user(email, name, role, _read_password())
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Created {user.role} account for {user.name} <{user.email}>. The password works once: "
        "they choose their own when they first sign in."
    )


@users_group.command("disable", help="Disable an account: it can no longer sign in, and its sessions end.")
@click.argument("email")
def disable(email: str) -> None:
    try:
        user = disable_user(email)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Disabled the account of {user.name} <{user.email}>.")


@users_group.command(
    "reset-two-factor",
    help="For a lost phone: the account sets up two-factor authentication again at its next sign-in.",
)
@click.argument("email")
def reset_two_factor_command(email: str) -> None:
    try:
        user = reset_two_factor(email)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"Two-factor authentication reset for {user.name} <{user.email}>: their sessions have ended, "
        "and they will enrol again when they next sign in."
    )


@users_group.command(
    "reset-password",
    help="For a forgotten password: prints a new one-time password, and ends their sessions.",
)
@click.argument("email")
def reset_password_command(email: str) -> None:
    try:
        user, password = reset_password(email)
    except AccountError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"One-time password for {user.name} <{user.email}>: {password}")
    click.echo(
        "Give it to them in person or by phone, never by email. They choose their own when they next "
        "sign in; their sessions have ended."
    )
