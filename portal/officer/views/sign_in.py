"""Signing in and out of the back-office: a password, then a code from an authenticator app.

The password step remembers only who is part-way through signing in (their account's number and
session token) for a few minutes; nothing in the back-office opens until the code step succeeds.
Failed attempts are throttled per account, and every attempt per address.
"""

from __future__ import annotations

import functools
import time
import unicodedata
from typing import Any
from urllib.parse import urlsplit

import segno
from flask import current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from markupsafe import Markup

from portal.accounts import (
    AccountError,
    account_key,
    authenticate,
    change_password,
    confirm_two_factor,
    enrolment_secret,
    set_first_password,
    sign_out_everywhere,
    start_enrolment,
    two_factor_uri,
    verify_two_factor,
)
from portal.accounts.roles import VIEW
from portal.extensions import db, limiter
from portal.logs import security_event
from portal.models import User
from portal.officer import bp, sessions
from portal.officer.forms import ChangePasswordForm, NewPasswordForm, SignInForm, TwoFactorForm
from portal.officer.permissions import public_view, requires

PENDING = "sign_in_pending"
# Between the password and the code: long enough to open an authenticator app, no longer.
PENDING_SECONDS = 5 * 60


def _safe_next(target: str | None) -> str:
    """Only a path on this site: never an address elsewhere (no open redirect), and nothing a
    browser or a header could read otherwise: no control or format character, no line or
    paragraph separator, no space but the plain one, no backslash (browsers read it as a slash)."""
    if (
        target
        and target.startswith("/")
        and not target.startswith("//")
        and not urlsplit(target).netloc
        and "\\" not in target
        and all(_plain_in_a_path(character) for character in target)
    ):
        return target
    return url_for("officer.queue")


def _plain_in_a_path(character: str) -> bool:
    return character == " " or unicodedata.category(character)[0] not in ("C", "Z")


def _account_key() -> str:
    return "sign-in:" + account_key(request.form.get("email", ""))


def _pending_key() -> str:
    pending = session.get(PENDING) or {}
    return f"sign-in-code:{pending.get('user', request.remote_addr)}"


def _failed(response: Any) -> bool:
    """Only failures count against an account: a page shown again, not a redirect onwards."""
    return bool(response.status_code == 200 and request.method == "POST")


def _address_limit() -> str:
    return str(current_app.config["SIGN_IN_LIMIT_PER_ADDRESS"])


def _account_limit() -> str:
    return str(current_app.config["SIGN_IN_LIMIT_PER_ACCOUNT"])


def _pending_user() -> User | None:
    """The account that gave its password in this browser a moment ago, if it still may go on."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        return None
    user = db.session.get(User, pending.get("user"))
    if user is None or not user.active or user.session_token != pending.get("token"):
        return None
    return user


def _counting_attempts(view: Any) -> Any:
    """Sign-in fails closed: while attempts cannot be counted, nobody signs in.

    Without a working store the per-account lockout would count nothing, so a password could be
    guessed at full speed. The store is asked before anything the officer sent is checked.
    """

    @functools.wraps(view)
    def checked(*args: Any, **kwargs: Any) -> Any:
        if (
            request.method == "POST"
            and current_app.config["RATELIMIT_ENABLED"]
            and not limiter.storage.check()
        ):
            security_event("sign_in", outcome="refused", reason="rate-limit store unavailable")
            return render_template("officer/sign_in_unavailable.html"), 503
        return view(*args, **kwargs)

    return checked


def _second_factor_proved(user: User) -> Any:
    """Past the code: signed in, or first asked for a password of their own in place of a one-time one."""
    if not user.password_must_change:
        return _signed_in(user)
    pending = dict(session[PENDING])
    pending.update(proved=True, at=int(time.time()))
    session[PENDING] = pending
    return redirect(url_for("officer.sign_in_new_password"))


def _signed_in(user: User) -> Any:
    target = session.get(PENDING, {}).get("next") or url_for("officer.queue")
    session.clear()  # a new session at sign-in: nothing from before it carries over
    login_user(user)
    sessions.started()
    security_event("sign_in", outcome="succeeded", account=user.id)
    return redirect(target)


@bp.route("/sign-in", methods=["GET", "POST"])
@public_view
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_account_key, methods=["POST"], deduct_when=_failed)
@_counting_attempts
def sign_in() -> Any:
    form = SignInForm()
    failed = False
    if form.validate_on_submit():
        user = authenticate(form.email.data or "", form.password.data or "")
        if user is not None:
            session.clear()
            session[PENDING] = {
                "user": user.id,
                "token": user.session_token,
                "at": int(time.time()),
                "next": _safe_next(request.args.get("next")),
            }
            security_event("sign_in_password", outcome="accepted", account=user.id)
            step = "officer.sign_in_code" if user.has_two_factor else "officer.sign_in_set_up"
            return redirect(url_for(step))
        security_event("sign_in_password", outcome="refused")
        failed = True
    return render_template("officer/sign_in.html", form=form, failed=failed)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public_view
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_pending_key, methods=["POST"], deduct_when=_failed)
@_counting_attempts
def sign_in_code() -> Any:
    user = _pending_user()
    if user is None or not user.has_two_factor:
        return _start_again()
    form = TwoFactorForm()
    if form.validate_on_submit():
        if verify_two_factor(user, form.code.data or ""):
            return _second_factor_proved(user)
        security_event("sign_in_code", outcome="refused", account=user.id)
        form.code.errors = ["Enter the code your authenticator app shows now (each code works once)"]
    return render_template("officer/sign_in_code.html", form=form)


@bp.route("/sign-in/set-up", methods=["GET", "POST"])
@public_view
@limiter.limit(_address_limit, methods=["POST"])
@limiter.limit(_account_limit, key_func=_pending_key, methods=["POST"], deduct_when=_failed)
@_counting_attempts
def sign_in_set_up() -> Any:
    user = _pending_user()
    if user is None or user.has_two_factor:
        return _start_again()
    pending = session[PENDING]
    if "enrolment" not in pending:
        # A secret for this sign-in alone: one seen at an earlier sign-in (by whoever else knew
        # the first password) is replaced, and only this browser can confirm this one.
        session[PENDING] = pending = {**pending, "enrolment": start_enrolment(user)}
    secret = enrolment_secret(user, pending["enrolment"])
    if secret is None:  # a sign-in elsewhere has started an enrolment of its own since
        return _start_again()
    form = TwoFactorForm()
    if form.validate_on_submit():
        if confirm_two_factor(user, form.code.data or "", pending["enrolment"]):
            security_event("two_factor_enrolled", outcome="succeeded", account=user.id)
            return _second_factor_proved(user)
        security_event("two_factor_enrolment", outcome="refused", account=user.id)
        form.code.errors = ["Enter the 6-digit code your authenticator app shows for this account"]
    uri = two_factor_uri(user, secret, current_app.config["COUNCIL_NAME"])
    # Drawn here, as SVG: the secret never goes to a third-party QR service.
    svg = segno.make(uri, error="m").svg_inline(
        scale=5, dark="#0b0c0c", light="#ffffff", title="QR code to scan with your authenticator app"
    )
    labelled = svg.replace("<svg ", '<svg role="img" ', 1)
    qr = Markup(labelled)  # noqa: S704  # nosec B704  (drawn here, with no input in it)
    return render_template(
        "officer/sign_in_set_up.html",
        form=form,
        qr=qr,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
    )


@bp.route("/sign-in/new-password", methods=["GET", "POST"])
@public_view
@limiter.limit(_address_limit, methods=["POST"])
def sign_in_new_password() -> Any:
    user = _pending_user()
    if user is None or not user.password_must_change or not session[PENDING].get("proved"):
        return _start_again()
    form = NewPasswordForm()
    if form.validate_on_submit():
        try:
            set_first_password(user, form.new_password.data or "")
        except AccountError as error:
            form[error.field or "new_password"].errors = [str(error)]
        else:
            security_event("password_changed", outcome="succeeded", account=user.id)
            return _signed_in(user)
    return render_template("officer/sign_in_new_password.html", form=form)


def _start_again() -> Any:
    session.pop(PENDING, None)
    return redirect(url_for("officer.sign_in"))


@bp.post("/sign-out")
@public_view
def sign_out() -> Any:
    if current_user.is_authenticated:
        security_event("sign_out", outcome="succeeded", account=current_user.id)
        sign_out_everywhere(current_user)
    logout_user()
    session.clear()
    return redirect(url_for("officer.sign_in"))


def _password_change_key() -> str:
    return f"password-change:{current_user.id}"


@bp.route("/account/password", methods=["GET", "POST"])
@requires(VIEW)
@limiter.limit(_account_limit, key_func=_password_change_key, methods=["POST"], deduct_when=_failed)
def change_own_password() -> Any:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = current_user._get_current_object()
        try:
            change_password(
                user, form.current_password.data or "", form.new_password.data or "", form.code.data or ""
            )
        except AccountError as error:
            security_event("password_change", outcome="refused", account=user.id)
            form[error.field or "current_password"].errors = [str(error)]
        else:
            # Every other session ended with the old password; this one goes on, as the new one.
            login_user(user)
            security_event("password_changed", outcome="succeeded", account=user.id)
            flash(
                "Your password has been changed. Anywhere else you were signed in, you have been signed out.",
                "success",
            )
            return redirect(url_for("officer.change_own_password"))
    return render_template("officer/change_password.html", form=form)
