"""Signing in and out of the back-office."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from portal.accounts import authenticate, sign_out_everywhere
from portal.officer import bp, sessions
from portal.officer.forms import SignInForm
from portal.officer.permissions import public_view


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an address elsewhere (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("officer.queue")


@bp.route("/sign-in", methods=["GET", "POST"])
@public_view
def sign_in() -> Any:
    form = SignInForm()
    failed = False
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            target = _safe_next(request.args.get("next"))
            session.clear()  # a new session at sign-in: nothing from before it carries over
            login_user(user)
            sessions.started()
            return redirect(target)
        failed = True
    return render_template("officer/sign_in.html", form=form, failed=failed)


@bp.post("/sign-out")
@public_view
def sign_out() -> Any:
    if current_user.is_authenticated:
        sign_out_everywhere(current_user)
    logout_user()
    session.clear()
    return redirect(url_for("officer.sign_in"))
