"""Residents' feedback on the service, newest first, a page at a time."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from portal.accounts.roles import VIEW
from portal.feedback.operations import feedback_page
from portal.officer import bp
from portal.officer.permissions import requires
from portal.web.paging import row_id


@bp.get("/feedback")
@requires(VIEW)
def feedback_list() -> Any:
    # As in the queue, a page link that does not hold a row id the database can compare (too long,
    # negative, not digits) shows the first page rather than failing in the query.
    before = row_id(request.args.get("before", ""))
    return render_template("officer/feedback.html", page=feedback_page(before), first_page=before is None)
