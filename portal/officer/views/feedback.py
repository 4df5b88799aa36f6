"""Residents' feedback on the service, newest first, a page at a time."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from portal.accounts.roles import VIEW
from portal.feedback.operations import feedback_page
from portal.officer import bp
from portal.officer.permissions import requires


@bp.get("/feedback")
@requires(VIEW)
def feedback_list() -> Any:
    before = request.args.get("before", type=int)
    return render_template("officer/feedback.html", page=feedback_page(before), first_page=before is None)
