"""The officers' queue: safeguarding and overdue cases first, then by due date, 50 to a page.

Pages are found by keyset (the last row's group, due date and id), never OFFSET, so the 1,000th
page costs what the first does. Each of the two groups is read in (due_by, id) order from its index.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, String, and_, cast, func, literal, literal_column, not_, or_, select, tuple_
from sqlalchemy.orm import load_only, selectinload
from sqlalchemy.sql.elements import ColumnElement

from portal.extensions import db
from portal.models import Incident, QueueCount, Report
from portal.models.incident import NOT_SEEN
from portal.models.report import NO_ASSIGNEE, OPEN_STATUSES, STATUSES
from portal.triage.contract import is_valid_postcode, normalise_email, normalise_postcode
from portal.triage.decision import RISK_LEVELS, ROUTES
from portal.web.paging import ROW_ID

PAGE_SIZE = 50
# The filter for cases with an incident the resident added that no officer has opened the case since.
NEW_INCIDENT = "new_incident"
TABS = (*ROUTES, "all")
_REFERENCE = re.compile(r"^DIO-\d{4}-\d{1,6}$", re.IGNORECASE)


def _text_arg(args: Any, name: str) -> str:
    """Typed text from the query string, without NUL characters (PostgreSQL refuses them in text)."""
    return str(args.get(name, "")).replace("\x00", "")


@dataclass(frozen=True)
class Filters:
    tab: str = "all"
    status: str = "open"  # open, all, or one status
    risk_level: str = ""
    flag: str = ""
    ward: str = ""
    assignee: str = ""  # "", "mine", "unassigned" or an officer's id
    search: str = ""

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        """Read filters from a query string, dropping any value that is not one of the choices.

        A search by reference or postcode names a case (or a place) whatever has happened to it
        since, so it looks at every status: a closed case is found by its own reference.
        """
        tab = args.get("tab", "all")
        status = args.get("status", "open")
        risk = args.get("risk_level", "")
        assignee = args.get("assignee", "")
        search = _text_arg(args, "q").strip()[:200]
        if names_a_case_or_place(search):
            status = "all"
        return cls(
            tab=tab if tab in TABS else "all",
            status=status if status in ("open", "all", *STATUSES) else "open",
            risk_level=risk if risk in RISK_LEVELS else "",
            flag=re.sub(r"[^a-z0-9_]", "", args.get("flag", ""))[:40],
            ward=_text_arg(args, "ward")[:100],
            assignee=assignee if assignee in ("mine", "unassigned") or ROW_ID.fullmatch(assignee) else "",
            search=search,
        )

    @property
    def is_default(self) -> bool:
        """True when nothing narrows the tab beyond its open cases."""
        return self == Filters(tab=self.tab)

    @property
    def searches_every_status(self) -> bool:
        return names_a_case_or_place(self.search)

    def query_args(self, **changes: Any) -> dict[str, str]:
        values = {
            "tab": self.tab,
            "status": self.status,
            "risk_level": self.risk_level,
            "flag": self.flag,
            "ward": self.ward,
            "assignee": self.assignee,
            "q": self.search,
        }
        values.update(changes)
        return {key: str(value) for key, value in values.items() if value not in ("", None)}


@dataclass(frozen=True)
class Cursor:
    group: int  # 0: safeguarding or overdue; 1: the rest
    due_by: date
    id: int

    def encode(self) -> str:
        return f"{self.group}.{self.due_by.isoformat()}.{self.id}"

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        if not text:
            return None
        try:
            group, day, ident = text.split(".")
            if group not in ("0", "1") or not ROW_ID.fullmatch(ident):
                return None
            return cls(int(group), date.fromisoformat(day), int(ident))
        except ValueError:
            return None


@dataclass
class QueuePage:
    rows: list[Report]
    next_cursor: Cursor | None
    # The rows' cases with an incident no officer has seen yet: "new incident" on the row.
    new_incidents: frozenset[int] = frozenset()


# Open cases, written as the open-queue index's own condition (a literal, not a bound value) so
# that SQLite and PostgreSQL both see that partial index apply. The same cases as
# ``status IN OPEN_STATUSES``: every status but closed is open.
OPEN: ColumnElement[bool] = Report.status != literal_column("'closed'")
assert set(STATUSES) - {"closed"} == set(OPEN_STATUSES)


def urgent(today: date) -> ColumnElement[bool]:
    """Safeguarding (flagged when it came in, or by a later assessment), or overdue (the SQL twin of
    ``Report.is_overdue``)."""
    overdue = and_(Report.status != "closed", Report.due_by < today, Report.first_contact_on.is_(None))
    return or_(Report.safeguarding.is_(True), Report.raised_safeguarding.is_(True), overdue)


def names_a_case_or_place(text: str) -> bool:
    """A search by reference or postcode, which looks at cases of every status."""
    return bool(text) and (bool(_REFERENCE.match(text)) or is_valid_postcode(text))


def _search(text: str) -> ColumnElement[bool] | None:
    if not text:
        return None
    if _REFERENCE.match(text):
        prefix, year, number = text.upper().split("-")
        return Report.reference == f"{prefix}-{year}-{int(number):06d}"
    if is_valid_postcode(text):
        return Report.postcode == normalise_postcode(text)
    if "@" in text:
        return Report.email_key == normalise_email(text)
    name = text.lower()
    # A range on the lower-case name answers "starts with" from its index on every database.
    return and_(Report.name_key >= name, Report.name_key < name + "\uffff")


def _open_only(filters: Filters) -> bool:
    return filters.status == "open" or filters.status in OPEN_STATUSES


# Open cases are read from the open-queue index, which holds the route and the assignee. Tested
# there as expressions, they cannot lead a planner to the route's or the assignee's index of every
# case ever made instead, as SQLite without statistics would (an officer's cases are mostly closed).


def _route(filters: Filters) -> ColumnElement[str]:
    """The route to test or group by."""
    if _open_only(filters):
        return Report.current_route.concat("")
    return Report.current_route.expression


def _assignee(filters: Filters) -> ColumnElement[int | None]:
    if _open_only(filters):
        return Report.assignee_id + 0
    return Report.assignee_id.expression


def _conditions(filters: Filters, user_id: int, include_tab: bool = True) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if include_tab and filters.tab != "all":
        conditions.append(_route(filters) == filters.tab)
    if _open_only(filters):
        conditions.append(OPEN)
    if filters.status not in ("open", "all"):
        # Never from the status index, which would give every case of the status out of order:
        # an open status is read from the open-queue index, closed from the due-date index.
        conditions.append(Report.status.concat("") == filters.status)
    if filters.risk_level:
        conditions.append(Report.risk_level == filters.risk_level)
    if filters.flag == "safeguarding":
        conditions.append(Report.safeguarding.is_(True))
    elif filters.flag == NEW_INCIDENT:
        # The unseen incidents are read once, from their own index; the cases still come from the
        # open-queue index in queue order (tested as an expression, the id cannot lead the planner
        # to fetch the cases by id and sort them).
        conditions.append((Report.id + 0).in_(select(Incident.report_id).where(NOT_SEEN)))
    elif filters.flag:
        conditions.append(cast(Report.flags, String).like(f'%"{filters.flag}"%'))
    if filters.ward:
        conditions.append(Report.ward == filters.ward)
    assignee = _assignee(filters)
    if filters.assignee == "mine":
        conditions.append(assignee == user_id)
    elif filters.assignee == "unassigned":
        conditions.append(assignee.is_(None))
    elif filters.assignee:
        conditions.append(assignee == int(filters.assignee))
    searched = _search(filters.search)
    if searched is not None:
        conditions.append(searched)
    return conditions


def _after(cursor: Cursor) -> ColumnElement[bool]:
    # A row value, which both databases turn into a seek into the index at the cursor; the same
    # test written with OR is read from the start of the index on SQLite.
    return tuple_(Report.due_by, Report.id) > tuple_(literal(cursor.due_by), literal(cursor.id))


def queue_page(filters: Filters, user_id: int, today: date, after: Cursor | None = None) -> QueuePage:
    base = _conditions(filters, user_id)
    ids: list[int] = []
    for group in (0, 1):
        if after is not None and group < after.group:
            continue
        wanted = PAGE_SIZE + 1 - len(ids)
        if wanted <= 0:
            break
        conditions = [*base, urgent(today) if group == 0 else not_(urgent(today))]
        if after is not None and group == after.group:
            conditions.append(_after(after))
        # The page's ids come from the index alone; only the page's own rows are then read.
        ids.extend(
            db.session.scalars(
                select(Report.id).where(*conditions).order_by(Report.due_by, Report.id).limit(wanted)
            )
        )
    rows = _rows_in_order(ids)
    next_cursor = None
    if len(rows) > PAGE_SIZE:
        rows = rows[:PAGE_SIZE]
        last = rows[-1]
        urgent_row = last.safeguarding or last.raised_safeguarding or last.is_overdue(today)
        next_cursor = Cursor(0 if urgent_row else 1, last.due_by, last.id)
    return QueuePage(rows=rows, next_cursor=next_cursor, new_incidents=unseen_incidents(rows))


def unseen_incidents(rows: list[Report]) -> frozenset[int]:
    """Which of ``rows`` have an incident no officer has seen: one query of the unseen incidents'
    own partial index, for the page's cases only."""
    if not rows:
        return frozenset()
    found = db.session.scalars(
        select(Incident.report_id)
        .where(NOT_SEEN, Incident.report_id.in_([row.id for row in rows]))
        .distinct()
    )
    return frozenset(found)


# What a queue row shows of a case: the rest (the resident's words, the decision's explanation)
# is never read for the queue, and a template that asked for it would fail in the tests.
QUEUE_ROW_COLUMNS = (
    Report.id,
    Report.reference,
    Report.kind,
    Report.status,
    Report.postcode,
    Report.ward,
    Report.risk_level,
    Report.flags,
    Report.safeguarding,
    Report.raised_safeguarding,
    Report.due_by,
    Report.first_contact_on,
    Report.assignee_id,
    Report.current_route,
    Report.version,
)


def _rows_in_order(ids: list[int]) -> list[Report]:
    """The cases with ``ids``, and who has each, in the order of ``ids``."""
    if not ids:
        return []
    found = db.session.scalars(
        select(Report)
        .where(Report.id.in_(ids))
        .options(load_only(*QUEUE_ROW_COLUMNS, raiseload=True), selectinload(Report.assignee))
    )
    by_id = {report.id: report for report in found}
    return [by_id[number] for number in ids if number in by_id]


def _kept_counts(filters: Filters, user_id: int) -> Select[tuple[str, int]] | None:
    """The tab counts from ``queue_count``, when every filter is one of its columns."""
    if filters.search or filters.flag not in ("", "safeguarding"):
        return None
    conditions: list[ColumnElement[bool]] = []
    if filters.status == "open":
        conditions.append(QueueCount.status != "closed")
    elif filters.status != "all":
        conditions.append(QueueCount.status == filters.status)
    if filters.risk_level:
        conditions.append(QueueCount.risk_level == filters.risk_level)
    if filters.flag == "safeguarding":
        conditions.append(QueueCount.safeguarding.is_(True))
    if filters.ward:
        conditions.append(QueueCount.ward == filters.ward)
    if filters.assignee:
        officer = {"mine": user_id, "unassigned": NO_ASSIGNEE}.get(filters.assignee)
        conditions.append(
            QueueCount.assignee_id == (officer if officer is not None else int(filters.assignee))
        )
    route = QueueCount.current_route
    return select(route, func.sum(QueueCount.cases)).where(*conditions).group_by(route)


def tab_counts(filters: Filters, user_id: int) -> dict[str, int]:
    """How many cases each tab holds under the other filters.

    Filters on the columns ``queue_count`` keeps are answered from it; a search or another flag
    counts the matching cases themselves.
    """
    query = _kept_counts(filters, user_id)
    if query is None:
        route = _route(filters)
        conditions = _conditions(filters, user_id, include_tab=False)
        query = select(route, func.count()).where(*conditions).group_by(route)
    rows = db.session.execute(query).all()
    counts = dict.fromkeys(ROUTES, 0)
    for route, count in rows:
        counts[route] = int(count or 0)
    counts["all"] = sum(counts[route] for route in ROUTES)
    return counts


def all_rows(filters: Filters, user_id: int, today: date, limit: int = 100_000) -> list[Report]:
    """Every row of the filtered queue in queue order, for the CSV export."""
    base = _conditions(filters, user_id)
    rows: list[Report] = []
    for group in (0, 1):
        condition = urgent(today) if group == 0 else not_(urgent(today))
        rows.extend(
            db.session.scalars(
                select(Report)
                .options(selectinload(Report.assignee))
                .where(*base, condition)
                .order_by(Report.due_by, Report.id)
                .limit(limit - len(rows))
            )
        )
    return rows
