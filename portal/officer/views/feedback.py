"""Residents' feedback on the service, newest first, a page at a time, and how satisfied residents
whose cases were closed in a year said they were."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from portal.accounts.roles import VIEW
from portal.cases.satisfaction import counts_for_year
from portal.feedback.operations import feedback_page
from portal.models.types import utcnow
from portal.officer import bp
from portal.officer.permissions import requires
from portal.triage.calendar import london_date
from portal.web.paging import row_id

# The years the satisfaction counts can be asked for: a year outside them is the current year.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


@bp.get("/feedback")
@requires(VIEW)
def feedback_list() -> Any:
    # As in the queue, a page link that does not hold a row id the database can compare (too long,
    # negative, not digits) shows the first page rather than failing in the query.
    before = row_id(request.args.get("before", ""))
    year_text = request.args.get("year", "")
    year = london_date(utcnow()).year
    if year_text.isascii() and year_text.isdigit() and EARLIEST_YEAR <= int(year_text) <= LATEST_YEAR:
        year = int(year_text)
    return render_template(
        "officer/feedback.html",
        page=feedback_page(before),
        first_page=before is None,
        year=year,
        satisfaction=counts_for_year(year),
    )
