"""Officers' sessions end after 30 minutes without activity, and 12 hours after signing in."""

from __future__ import annotations

import time
from typing import Any

from flask import current_app, flash, redirect, request, session, url_for
from flask_login import current_user, logout_user

SIGNED_IN_AT = "officer_signed_in_at"
SEEN_AT = "officer_seen_at"


def started() -> None:
    now = int(time.time())
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def enforce_limits() -> Any:
    """Before each back-office request: sign out a session past either limit, else note activity."""
    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    idle = current_app.config["OFFICER_IDLE_MINUTES"] * 60
    absolute = current_app.config["OFFICER_SESSION_HOURS"] * 3600
    signed_in_at = session.get(SIGNED_IN_AT, 0)
    seen_at = session.get(SEEN_AT, 0)
    if now - seen_at > idle or now - signed_in_at > absolute:
        logout_user()
        session.clear()
        flash("You were signed out to keep cases safe. Sign in again to carry on.", "info")
        return redirect(url_for("officer.sign_in", next=request.full_path.rstrip("?")))
    session[SEEN_AT] = now
    return None
