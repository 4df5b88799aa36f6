"""A report's earlier reports, from indexed queries on normalised email, phone and postcode."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, literal, or_, select, union_all

from portal.extensions import db
from portal.models import Incident, Report
from portal.triage.contract import Report as ReportAnswers
from portal.triage.history import Earlier, window
from portal.triage.policy import Policy

# The newest reports read per reporter key or place. Policy counts are compared with small
# thresholds (the policy check refuses any above MAX_COUNT_THRESHOLD), so a resident with
# hundreds of reports cannot make deciding their next one slow, and no decision changes.
HISTORY_ROWS_PER_KEY = 500

REPORT, INCIDENT = "report", "incident"  # where a history row comes from
_REPORT_COLUMNS = (
    Report.id,
    Report.kind,
    Report.submitted_at,
    Report.email_key,
    Report.phone_key,
    Report.postcode,
)


def incident_rows(
    match: ColumnElement[bool], start: datetime, end: datetime, *narrower: ColumnElement[bool]
) -> Select[Any]:
    """The incidents added in ``start`` to ``end`` to the cases ``match`` picks (a test of a reporter
    key or the postcode on ``Report``), newest first: each incident's id, its case's id (``case_id``),
    and the columns of an earlier report, its moment (``at``) the moment it was added.

    The cases come from their key's index, their incidents from (report_id, created_at): never a scan.
    """
    return (
        select(
            Incident.id.label("id"),
            Incident.report_id.label("case_id"),
            Report.kind,
            Incident.created_at.label("at"),
            Report.email_key,
            Report.phone_key,
            Report.postcode,
        )
        .join(Report, Report.id == Incident.report_id)
        .where(match, *narrower, Incident.created_at >= start, Incident.created_at <= end)
        .order_by(Incident.created_at.desc())
        .limit(HISTORY_ROWS_PER_KEY)
    )


def incident_entries(
    match: ColumnElement[bool], start: datetime, end: datetime, *narrower: ColumnElement[bool]
) -> Iterator[tuple[int, int, Earlier]]:
    """``incident_rows`` read: each incident's id, its case's id, and it as an ``Earlier`` report."""
    for row in db.session.execute(incident_rows(match, start, end, *narrower)):
        yield row.id, row.case_id, Earlier(row.kind, row.at, row.email_key, row.phone_key, row.postcode, True)


def history_for(report: ReportAnswers, policy: Policy, leaving_out: int | None = None) -> list[Earlier]:
    """Stored reports in the window by the same reporter or about the same place, and, when the
    policy counts them as reports, the incidents residents added to them in the window.

    One query per key, each answered from its (key, submitted_at) index, never a scan (with the
    key's incidents read in the same query). ``leaving_out`` is a case not to count, nor its
    incidents: the one being assessed again.
    """
    start, end = window(report.submitted_at, policy.history_months)
    # At a place only named reporters' ASB reports count, so only they fill the place's rows.
    place_filter = (Report.kind.in_(policy.asb_kinds), or_(Report.email_key != "", Report.phone_key != ""))
    keys = (
        (Report.email_key == report.reporter.email_key, report.reporter.email_key, ()),
        (Report.phone_key == report.reporter.phone_key, report.reporter.phone_key, ()),
        (Report.postcode == report.location.postcode, report.location.postcode, place_filter),
    )
    found: dict[tuple[str, int], Earlier] = {}
    for match, value, narrower in keys:
        if not value:
            continue
        reports = (
            select(
                Report.id.label("id"),
                Report.id.label("case_id"),
                Report.kind,
                Report.submitted_at.label("at"),
                Report.email_key,
                Report.phone_key,
                Report.postcode,
            )
            .where(match, *narrower, Report.submitted_at >= start, Report.submitted_at <= end)
            .order_by(Report.submitted_at.desc())
            .limit(HISTORY_ROWS_PER_KEY)
        )
        parts = [(REPORT, reports)]
        if policy.incidents.counts_as_report:
            parts.append((INCIDENT, incident_rows(match, start, end, *narrower)))
        query = union_all(
            *(select(literal(source).label("source"), part.subquery()) for source, part in parts)
        )
        for row in db.session.execute(query):
            if row.case_id != leaving_out:
                found[(row.source, row.id)] = Earlier(
                    row.kind, row.at, row.email_key, row.phone_key, row.postcode, row.source == INCIDENT
                )
    return list(found.values())


def case_review_history(
    email_key: str, phone_key: str, postcode: str, start: datetime, end: datetime, policy: Policy
) -> list[Earlier]:
    """The portal's ASB reports from ``start`` to ``end`` by the applicant's keys or at the postcode,
    for an ASB Case Review's threshold (docs/policy.md section 10), with the incidents residents added
    to them in that time when the policy counts an incident as a report (section 11). Oldest first.

    One query per key, each answered from its (key, submitted_at) index, as ``history_for``'s are.
    """
    kinds = Report.kind.in_(tuple(policy.asb_kinds))
    named = or_(Report.email_key != "", Report.phone_key != "")
    keys = (
        (Report.email_key == email_key, email_key),
        (Report.phone_key == phone_key, phone_key),
        (Report.postcode == postcode, postcode),
    )
    found: dict[tuple[str, int], Earlier] = {}
    for match, value in keys:
        if not value:
            continue
        rows = db.session.execute(
            select(
                Report.id,
                Report.kind,
                Report.submitted_at,
                Report.email_key,
                Report.phone_key,
                Report.postcode,
            )
            .where(match, kinds, named, Report.submitted_at >= start, Report.submitted_at <= end)
            .order_by(Report.submitted_at.desc())
            .limit(HISTORY_ROWS_PER_KEY)
        )
        for row in rows:
            found[(REPORT, row.id)] = Earlier(
                row.kind, row.submitted_at, row.email_key, row.phone_key, row.postcode
            )
        if policy.incidents.counts_as_report:
            for incident_id, _case_id, earlier in incident_entries(match, start, end, kinds, named):
                found[(INCIDENT, incident_id)] = earlier
    return sorted(found.values(), key=lambda earlier: earlier.submitted_at)
