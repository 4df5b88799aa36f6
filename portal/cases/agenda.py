"""The tasking meeting agenda: every open tasking case, the ones new since the last meeting first.

The partnership meets every two months. The previous meeting is the latest meeting date recorded
on any case before the chosen date; with none recorded, it is taken as two months before. A case
is new if it was submitted after the previous meeting's date, on the Europe/London calendar.
Cases submitted after the chosen meeting date are not on its agenda (they were not yet reported).
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from portal.extensions import db
from portal.labels import KIND_TITLES
from portal.models import Report, TaskingAction, TaskingRecord
from portal.models.report import OPEN_STATUSES, STATUS_LABELS
from portal.triage.calendar import london_date

TASKING = "tasking"
MEETING_INTERVAL_MONTHS = 2
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^\d{1,4}$")


class InvalidMeetingDate(ValueError):
    """The meeting date asked for is not a real date."""


@dataclass(frozen=True)
class AgendaAction:
    description: str
    owner: str
    due_date: date
    overdue: bool


@dataclass(frozen=True)
class AgendaItem:
    report: Report
    new: bool
    overdue: bool  # past its due date with no first contact
    decision: str  # the tasking decision, empty if none is recorded
    discussed_on: date | None  # the meeting the tasking record was last made at
    actions: list[AgendaAction] = field(default_factory=list)  # outstanding only, by due date

    @property
    def officer(self) -> str:
        return self.report.assignee.name if self.report.assignee is not None else "Unassigned"


@dataclass(frozen=True)
class Agenda:
    meeting: date
    previous: date
    previous_recorded: bool  # True: a recorded meeting; False: two months before the chosen date
    new_cases: list[AgendaItem]
    other_cases: list[AgendaItem]

    @property
    def items(self) -> list[AgendaItem]:
        return [*self.new_cases, *self.other_cases]


def months_before(day: date, months: int) -> date:
    """The same day ``months`` months earlier, or that month's last day if it is shorter."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def previous_meeting(meeting: date) -> tuple[date, bool]:
    """The last meeting before ``meeting``, and whether it was recorded (else two months back)."""
    recorded = db.session.scalar(
        select(func.max(TaskingRecord.meeting_date)).where(TaskingRecord.meeting_date < meeting)
    )
    if recorded is not None:
        return recorded, True
    return months_before(meeting, MEETING_INTERVAL_MONTHS), False


def _checked(year: int, month: int, day: int) -> date:
    if not EARLIEST_YEAR <= year <= LATEST_YEAR:
        raise InvalidMeetingDate(f"year {year} is out of range")
    try:
        return date(year, month, day)
    except ValueError as error:
        raise InvalidMeetingDate(str(error)) from error


def parse_iso_date(text: str) -> date:
    """A date written YYYY-MM-DD, as the agenda's links carry it."""
    text = text.strip()
    if not _ISO_DATE.match(text):
        raise InvalidMeetingDate(f"{text[:20]!r} is not YYYY-MM-DD")
    year, month, day = (int(part) for part in text.split("-"))
    return _checked(year, month, day)


def parse_date_parts(day: str, month: str, year: str) -> date:
    """A date typed into the GOV.UK date input's three boxes."""
    parts = [day.strip(), month.strip(), year.strip()]
    if not all(_NUMBER.match(part) for part in parts) or len(parts[2]) != 4:
        raise InvalidMeetingDate("the day, month and year must be numbers")
    return _checked(int(parts[2]), int(parts[1]), int(parts[0]))


def _outstanding_actions(report_ids: list[int], today: date) -> Mapping[int, list[AgendaAction]]:
    actions: dict[int, list[AgendaAction]] = defaultdict(list)
    if not report_ids:
        return actions
    rows = db.session.scalars(
        select(TaskingAction)
        .where(TaskingAction.report_id.in_(report_ids), TaskingAction.done_on.is_(None))
        .order_by(TaskingAction.due_date, TaskingAction.id)
    )
    for action in rows:
        actions[action.report_id].append(
            AgendaAction(action.description, action.owner, action.due_date, action.due_date < today)
        )
    return actions


def _records(report_ids: list[int]) -> Mapping[int, TaskingRecord]:
    if not report_ids:
        return {}
    rows = db.session.scalars(select(TaskingRecord).where(TaskingRecord.report_id.in_(report_ids)))
    return {record.report_id: record for record in rows}


def _order(item: AgendaItem) -> tuple[bool, date, int]:
    """Safeguarding first, then by due date (then the order they came in)."""
    return (not item.report.safeguarding, item.report.due_by, item.report.id)


def build_agenda(meeting: date, today: date) -> Agenda:
    """The agenda for the meeting on ``meeting``; ``today`` decides what is overdue."""
    previous, recorded = previous_meeting(meeting)
    reports = [
        report
        for report in db.session.scalars(
            select(Report)
            .where(Report.current_route == TASKING, Report.status.in_(OPEN_STATUSES))
            .options(selectinload(Report.assignee))
        )
        if london_date(report.submitted_at) <= meeting
    ]
    ids = [report.id for report in reports]
    actions = _outstanding_actions(ids, today)
    records = _records(ids)
    new_cases: list[AgendaItem] = []
    other_cases: list[AgendaItem] = []
    for report in reports:
        record = records.get(report.id)
        is_new = london_date(report.submitted_at) > previous
        item = AgendaItem(
            report=report,
            new=is_new,
            overdue=report.is_overdue(today),
            decision=(record.decision or "").strip() if record is not None else "",
            discussed_on=record.meeting_date if record is not None else None,
            actions=actions.get(report.id, []),
        )
        (new_cases if is_new else other_cases).append(item)
    return Agenda(
        meeting=meeting,
        previous=previous,
        previous_recorded=recorded,
        new_cases=sorted(new_cases, key=_order),
        other_cases=sorted(other_cases, key=_order),
    )


AGENDA_CSV_HEADER = (
    "Section",
    "Reference",
    "Submitted",
    "Kind",
    "Ward",
    "Postcode",
    "Risk level",
    "Risk score",
    "Flags",
    "Due by",
    "Overdue",
    "Status",
    "Officer",
    "Tasking decision",
    "Outstanding actions",
)


def describe_action(action: AgendaAction) -> str:
    overdue = " (overdue)" if action.overdue else ""
    return f"{action.description} – {action.owner} – due {action.due_date.isoformat()}{overdue}"


def agenda_csv_rows(agenda: Agenda, flag_labels: Mapping[str, str]) -> list[list[object]]:
    """One row per case, in agenda order; a case's outstanding actions one to a line of a cell."""
    rows: list[list[object]] = []
    for item in agenda.items:
        report = item.report
        rows.append(
            [
                "New since the last meeting" if item.new else "Carried over",
                report.reference,
                london_date(report.submitted_at),
                KIND_TITLES.get(report.kind, report.kind),
                report.ward,
                report.postcode,
                report.risk_level,
                report.risk_score,
                "; ".join(flag_labels.get(flag, flag) for flag in report.flags),
                report.due_by,
                item.overdue,
                STATUS_LABELS.get(report.status, report.status),
                item.officer,
                item.decision,
                "\n".join(describe_action(action) for action in item.actions),
            ]
        )
    return rows
