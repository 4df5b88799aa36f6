"""The tasking meeting agenda: every open tasking case, the ones new since the last meeting first.

The partnership meets every two months. The previous meeting is the latest meeting date recorded
on any case before the chosen date; with none recorded, it is taken as two months before. A case
is new if it was submitted after the previous meeting's date, on the Europe/London calendar.
Cases submitted after the chosen meeting date are not on its agenda (they were not yet reported).

At a county's scale the agenda can hold thousands of cases: the page shows them 50 at a time, by
keyset (never OFFSET), with each section's total, and the CSV download holds the whole agenda.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, literal, literal_column, select, tuple_
from sqlalchemy.orm import selectinload
from sqlalchemy.sql.elements import ColumnElement

from portal.extensions import db
from portal.models import Report, TaskingAction, TaskingRecord
from portal.models.report import STATUS_LABELS
from portal.text.labels import KIND_TITLES
from portal.triage.calendar import LONDON, london_date
from portal.web.paging import ROW_ID

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


AGENDA_PAGE_SIZE = 50
NEW, CARRIED_OVER = 0, 1  # the agenda's two sections, in the order they are shown


@dataclass(frozen=True)
class AgendaCursor:
    """Where a page of the agenda ends: section, then safeguarding first, then due date and id."""

    section: int  # NEW or CARRIED_OVER
    group: int  # 0: safeguarding; 1: the rest
    due_by: date
    id: int

    def encode(self) -> str:
        return f"{self.section}.{self.group}.{self.due_by.isoformat()}.{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> AgendaCursor | None:
        """The cursor in a page link, or None for anything that is not one (the first page)."""
        if not text:
            return None
        try:
            section, group, day, ident = text.split(".")
            if section not in ("0", "1") or group not in ("0", "1") or not ROW_ID.fullmatch(ident):
                return None
            return cls(int(section), int(group), date.fromisoformat(day), int(ident))
        except ValueError:
            return None


@dataclass(frozen=True)
class Agenda:
    meeting: date
    previous: date
    previous_recorded: bool  # True: a recorded meeting; False: two months before the chosen date
    new_cases: list[AgendaItem]  # this page's new cases
    other_cases: list[AgendaItem]  # this page's carried-over cases
    new_count: int = 0  # every new case on the agenda, on any page
    other_count: int = 0
    next_cursor: AgendaCursor | None = None
    first_page: bool = True

    @property
    def items(self) -> list[AgendaItem]:
        return [*self.new_cases, *self.other_cases]

    @property
    def total(self) -> int:
        return self.new_count + self.other_count


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


def _day_starts(day: date) -> datetime:
    """The moment ``day`` begins on the Europe/London calendar."""
    return datetime.combine(day, time.min, tzinfo=LONDON)


# Open tasking cases. "Open" is written as the open-route index's own condition (a literal, not a
# bound value), so that SQLite and PostgreSQL both see that partial index apply.
ON_THE_AGENDA: ColumnElement[bool] = and_(
    Report.status != literal_column("'closed'"), Report.current_route == TASKING
)


def _agenda_cases(meeting: date) -> list[ColumnElement[bool]]:
    """Open tasking cases reported by the end of the meeting day."""
    return [ON_THE_AGENDA, Report.submitted_at < _day_starts(meeting + timedelta(days=1))]


def _in_section(section: int, previous: date) -> ColumnElement[bool]:
    # New: reported after the previous meeting's day, on the London calendar.
    cut = _day_starts(previous + timedelta(days=1))
    return Report.submitted_at >= cut if section == NEW else Report.submitted_at < cut


def _section_counts(meeting: date, previous: date) -> tuple[int, int]:
    cut = _day_starts(previous + timedelta(days=1))
    new, every = db.session.execute(
        select(func.count().filter(Report.submitted_at >= cut), func.count()).where(*_agenda_cases(meeting))
    ).one()
    return int(new or 0), int(every or 0) - int(new or 0)


def _page_ids(
    meeting: date, previous: date, after: AgendaCursor | None, size: int
) -> list[tuple[int, int, int]]:
    """(section, group, id) of the page's cases, in agenda order, one more than ``size`` if any follow.

    Each section and group is read in (due_by, id) order from the open-tasking index, from the
    cursor on: the 1,000th page costs what the first does.
    """
    base = _agenda_cases(meeting)
    found: list[tuple[int, int, int]] = []
    for section in (NEW, CARRIED_OVER):
        for group in (0, 1):
            if after is not None and (section, group) < (after.section, after.group):
                continue
            wanted = size + 1 - len(found)
            if wanted <= 0:
                return found
            conditions = [*base, _in_section(section, previous), Report.safeguarding.is_(group == 0)]
            if after is not None and (section, group) == (after.section, after.group):
                conditions.append(
                    tuple_(Report.due_by, Report.id) > tuple_(literal(after.due_by), literal(after.id))
                )
            ids = db.session.scalars(
                select(Report.id).where(*conditions).order_by(Report.due_by, Report.id).limit(wanted)
            )
            found.extend((section, group, number) for number in ids)
    return found


def _items(placed: list[tuple[int, int, int]], today: date) -> list[AgendaItem]:
    ids = [number for _section, _group, number in placed]
    if not ids:
        return []
    reports = {
        report.id: report
        for report in db.session.scalars(
            select(Report).where(Report.id.in_(ids)).options(selectinload(Report.assignee))
        )
    }
    actions = _outstanding_actions(ids, today)
    records = _records(ids)
    items = []
    for section, _group, number in placed:
        report = reports[number]
        record = records.get(number)
        items.append(
            AgendaItem(
                report=report,
                new=section == NEW,
                overdue=report.is_overdue(today),
                decision=(record.decision or "").strip() if record is not None else "",
                discussed_on=record.meeting_date if record is not None else None,
                actions=actions.get(number, []),
            )
        )
    return items


def _page(
    meeting: date, previous: date, today: date, after: AgendaCursor | None, size: int
) -> tuple[list[AgendaItem], AgendaCursor | None]:
    """A page of ``size`` cases from ``after`` on, and where the next page starts (None: the last)."""
    placed = _page_ids(meeting, previous, after, size)
    more = len(placed) > size
    placed = placed[:size]
    items = _items(placed, today)
    if not more or not placed:
        return items, None
    section, group, _number = placed[-1]
    last = items[-1].report
    return items, AgendaCursor(section, group, last.due_by, last.id)


def build_agenda(
    meeting: date, today: date, after: AgendaCursor | None = None, size: int = AGENDA_PAGE_SIZE
) -> Agenda:
    """A page of the agenda for the meeting on ``meeting``; ``today`` decides what is overdue.

    New cases come first, then those carried over; in each, safeguarding cases first, then by due
    date. A page holds ``size`` cases; ``after`` is where the previous page ended.
    """
    previous, recorded = previous_meeting(meeting)
    items, following = _page(meeting, previous, today, after, size)
    new_count, other_count = _section_counts(meeting, previous)
    return Agenda(
        meeting=meeting,
        previous=previous,
        previous_recorded=recorded,
        new_cases=[item for item in items if item.new],
        other_cases=[item for item in items if not item.new],
        new_count=new_count,
        other_count=other_count,
        next_cursor=following,
        first_page=after is None,
    )


def agenda_total(meeting: date) -> int:
    """How many cases are on the agenda for the meeting on ``meeting``."""
    previous, _recorded = previous_meeting(meeting)
    return sum(_section_counts(meeting, previous))


def every_agenda_item(meeting: date, today: date, batch: int = 500) -> Iterator[AgendaItem]:
    """The whole agenda, in agenda order, read a batch at a time (for the CSV download)."""
    previous, _recorded = previous_meeting(meeting)
    after: AgendaCursor | None = None
    while True:
        items, after = _page(meeting, previous, today, after, batch)
        yield from items
        if after is None:
            return
        db.session.expunge_all()  # a batch's cases are written out; keep memory flat


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


def agenda_csv_rows(items: Iterable[AgendaItem], flag_labels: Mapping[str, str]) -> Iterator[list[object]]:
    """One row per case, in agenda order; a case's outstanding actions one to a line of a cell."""
    for item in items:
        report = item.report
        yield (
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
