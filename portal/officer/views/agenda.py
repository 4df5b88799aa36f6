"""The tasking meeting agenda: a printable page, and the same agenda as a CSV file."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import render_template, request
from flask_login import current_user

from portal.accounts.roles import VIEW
from portal.cases import downloads
from portal.cases.agenda import (
    AGENDA_CSV_HEADER,
    AGENDA_PAGE_SIZE,
    AgendaCursor,
    InvalidMeetingDate,
    agenda_csv_rows,
    agenda_total,
    build_agenda,
    every_agenda_item,
    parse_date_parts,
    parse_iso_date,
)
from portal.models.report import STATUS_LABELS
from portal.officer import bp
from portal.officer.permissions import requires
from portal.reports.triage_policy import flag_labels
from portal.text.csv_safe import csv_response
from portal.text.labels import KIND_TITLES
from portal.triage.calendar import london_today

DATE_PARTS = ("day", "month", "year")
INVALID_DATE = "Enter a real meeting date"


def _meeting_date() -> tuple[date | None, dict[str, str]]:
    """The meeting asked for (``None`` if it is not a real date) and what to show in the date boxes.

    The date input's three boxes win over ``?date=YYYY-MM-DD``; with neither, the meeting is today.
    """
    typed = {part: request.args.get(part, "")[:10] for part in DATE_PARTS}
    try:
        if any(part in request.args for part in DATE_PARTS):
            meeting = parse_date_parts(typed["day"], typed["month"], typed["year"])
        elif "date" in request.args:
            meeting = parse_iso_date(request.args.get("date", "")[:20])
        else:
            meeting = london_today()
    except InvalidMeetingDate:
        shown = typed if any(typed.values()) else dict.fromkeys(DATE_PARTS, "")
        return None, shown
    return meeting, {"day": str(meeting.day), "month": str(meeting.month), "year": str(meeting.year)}


def _invalid_date_page(typed: dict[str, str]) -> Any:
    return render_template("officer/agenda.html", agenda=None, problem=INVALID_DATE, typed=typed), 400


@bp.get("/agenda")
@requires(VIEW)
def agenda() -> Any:
    meeting, typed = _meeting_date()
    if meeting is None:
        return _invalid_date_page(typed)
    return render_template(
        "officer/agenda.html",
        agenda=build_agenda(meeting, london_today(), AgendaCursor.decode(request.args.get("after"))),
        page_size=AGENDA_PAGE_SIZE,
        problem=None,
        typed=typed,
        flag_labels=flag_labels(),
        kind_titles=KIND_TITLES,
        status_labels=STATUS_LABELS,
        today=london_today(),
    )


@bp.get("/agenda.csv")
@requires(VIEW)
def agenda_csv() -> Any:
    meeting, typed = _meeting_date()
    if meeting is None:
        return _invalid_date_page(typed)
    downloads.record_agenda_export(current_user, meeting, agenda_total(meeting))
    rows = agenda_csv_rows(every_agenda_item(meeting, london_today()), flag_labels())
    return csv_response(rows, AGENDA_CSV_HEADER, f"tasking-agenda-{meeting.isoformat()}.csv")
