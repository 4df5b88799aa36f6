"""Administrators manage back-office accounts."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_login import current_user
from werkzeug.wrappers.response import Response

from portal import accounts
from portal.accounts.roles import ADMINISTER, ROLE_LABELS
from portal.officer import bp
from portal.officer.forms import AccountEmailForm, AccountForm, AccountStatusForm
from portal.officer.permissions import requires


def _page(form: AccountForm | None = None, problem: str | None = None, status: int = 200) -> Any:
    return (
        render_template(
            "officer/accounts.html",
            form=form or AccountForm(formdata=None),
            status_form=AccountStatusForm(formdata=None),
            reset_form=AccountEmailForm(formdata=None),
            users=accounts.all_users(),
            role_labels=ROLE_LABELS,
            problem=problem,
        ),
        status,
    )


@bp.get("/accounts")
@requires(ADMINISTER)
def account_list() -> Any:
    return _page()


@bp.post("/accounts")
@requires(ADMINISTER)
def create_account() -> Any:
    form = AccountForm()
    if not form.validate_on_submit():
        return _page(form, status=400)
    try:
        user = accounts.create_user(
            form.email.data, form.name.data, form.role.data, form.password.data, by=current_user
        )
    except accounts.AccountError as error:
        return _page(form, problem=str(error), status=400)
    flash(f"Account created for {user.name}", "success")
    return redirect(url_for("officer.account_list"))


@bp.post("/accounts/status")
@requires(ADMINISTER)
def set_account_status() -> Response | Any:
    form = AccountStatusForm()
    if not form.validate_on_submit():
        return _page(problem="Choose an account", status=400)
    try:
        change = accounts.enable_user if form.active.data == "yes" else accounts.disable_user
        user = change(form.email.data, by=current_user)
    except accounts.AccountError as error:
        return _page(problem=str(error), status=400)
    flash(f"{user.name}'s account is now {'enabled' if user.active else 'disabled'}", "success")
    return redirect(url_for("officer.account_list"))


@bp.post("/accounts/reset-password")
@requires(ADMINISTER)
def reset_account_password() -> Any:
    form = AccountEmailForm()
    if not form.validate_on_submit():
        return _page(problem="Choose an account", status=400)
    try:
        user, password = accounts.reset_password(form.email.data, by=current_user)
    except accounts.AccountError as error:
        return _page(problem=str(error), status=400)
    # Shown once, on this page only: it is never stored, emailed or put in a message for later.
    return render_template("officer/account_password_reset.html", user=user, password=password)
