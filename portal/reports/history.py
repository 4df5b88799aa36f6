"""A report's earlier reports, from indexed queries on normalised email, phone and postcode."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import or_, select

from portal.extensions import db
from portal.models import Report
from portal.triage.contract import Report as ReportAnswers
from portal.triage.history import Earlier, window
from portal.triage.policy import Policy

# The newest reports read per reporter key or place. Policy counts are compared with small
# thresholds (the policy check refuses any above MAX_COUNT_THRESHOLD), so a resident with
# hundreds of reports cannot make deciding their next one slow, and no decision changes.
HISTORY_ROWS_PER_KEY = 500

_COLUMNS = (Report.id, Report.kind, Report.submitted_at, Report.email_key, Report.phone_key, Report.postcode)


def history_for(report: ReportAnswers, policy: Policy) -> list[Earlier]:
    """Stored reports in the window by the same reporter or about the same place.

    One query per key, each answered from its (key, submitted_at) index, never a scan.
    """
    start, end = window(report.submitted_at, policy.history_months)
    # At a place only named reporters' ASB reports count, so only they fill the place's rows.
    place_filter = (Report.kind.in_(policy.asb_kinds), or_(Report.email_key != "", Report.phone_key != ""))
    keys = (
        (Report.email_key == report.reporter.email_key, report.reporter.email_key, ()),
        (Report.phone_key == report.reporter.phone_key, report.reporter.phone_key, ()),
        (Report.postcode == report.location.postcode, report.location.postcode, place_filter),
    )
    found: dict[int, Earlier] = {}
    for match, value, narrower in keys:
        if not value:
            continue
        rows = db.session.execute(
            select(*_COLUMNS)
            .where(match, *narrower, Report.submitted_at >= start, Report.submitted_at <= end)
            .order_by(Report.submitted_at.desc())
            .limit(HISTORY_ROWS_PER_KEY)
        )
        for row in rows:
            found[row.id] = Earlier(row.kind, row.submitted_at, row.email_key, row.phone_key, row.postcode)
    return list(found.values())


def case_review_history(
    email_key: str, phone_key: str, postcode: str, start: datetime, end: datetime, asb_kinds: Iterable[str]
) -> list[Earlier]:
    """The portal's ASB reports from ``start`` to ``end`` by the applicant's keys or at the postcode,
    for an ASB Case Review's threshold (docs/policy.md section 10).

    One query per key, each answered from its (key, submitted_at) index, as ``history_for``'s are.
    """
    kinds = Report.kind.in_(tuple(asb_kinds))
    named = or_(Report.email_key != "", Report.phone_key != "")
    keys = (
        (Report.email_key == email_key, email_key),
        (Report.phone_key == phone_key, phone_key),
        (Report.postcode == postcode, postcode),
    )
    found: dict[int, Earlier] = {}
    for match, value in keys:
        if not value:
            continue
        rows = db.session.execute(
            select(*_COLUMNS)
            .where(match, kinds, named, Report.submitted_at >= start, Report.submitted_at <= end)
            .order_by(Report.submitted_at.desc())
            .limit(HISTORY_ROWS_PER_KEY)
        )
        for row in rows:
            found[row.id] = Earlier(row.kind, row.submitted_at, row.email_key, row.phone_key, row.postcode)
    return sorted(found.values(), key=lambda earlier: earlier.submitted_at)
