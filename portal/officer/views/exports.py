"""Exports and the record of them: the queue as a CSV file, and, for supervisors, every evidence
file and CSV file that has left the back-office."""

from __future__ import annotations

from typing import Any

from flask import render_template, request
from flask_login import current_user

from portal.accounts.roles import SUPERVISE, VIEW
from portal.cases import downloads
from portal.cases.queue import Filters, all_rows
from portal.models import Report
from portal.models.report import STATUS_LABELS
from portal.officer import bp
from portal.officer.permissions import requires
from portal.reports.triage_policy import flag_labels
from portal.text.csv_safe import csv_response
from portal.text.labels import KIND_TITLES, ROUTE_LABELS
from portal.triage.calendar import LONDON, london_today

QUEUE_CSV_HEADER = (
    "Reference",
    "Submitted",
    "Kind",
    "Route",
    "Status",
    "Risk level",
    "Risk score",
    "Flags",
    "Due by",
    "First contact",
    "Ward",
    "Postcode",
    "Officer",
)


def _queue_row(report: Report, flag_labels: dict[str, str]) -> list[object]:
    """What the export holds of a case: never the resident's description, name or contact details."""
    return [
        report.reference,
        report.submitted_at.astimezone(LONDON).replace(tzinfo=None),
        KIND_TITLES.get(report.kind, report.kind),
        ROUTE_LABELS.get(report.current_route, report.current_route),
        STATUS_LABELS.get(report.status, report.status),
        report.risk_level,
        report.risk_score,
        "; ".join(flag_labels.get(flag, flag) for flag in report.flags),
        report.due_by,
        report.first_contact_on,
        report.ward,
        report.postcode,
        report.assignee.name if report.assignee is not None else "Unassigned",
    ]


@bp.get("/queue.csv")
@requires(VIEW)
def queue_csv() -> Any:
    """The filtered queue, every page of it, in queue order: the same filters as the queue page."""
    filters = Filters.from_args(request.args)
    rows = all_rows(filters, current_user.id, london_today())
    downloads.record_queue_export(current_user, filters, len(rows))
    labels = flag_labels()
    return csv_response(
        (_queue_row(report, labels) for report in rows),
        QUEUE_CSV_HEADER,
        f"queue-{filters.tab.replace('_', '-')}-{london_today().isoformat()}.csv",
    )


@bp.get("/downloads")
@requires(SUPERVISE)
def downloads_and_exports() -> Any:
    return render_template(
        "officer/downloads.html",
        entries=downloads.recent_downloads_and_exports(),
        limit=downloads.RECENT_LIMIT,
    )
