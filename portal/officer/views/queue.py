"""The queue: tabs by route, filters, search and pages."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request
from flask_login import current_user

from portal.accounts.roles import VIEW
from portal.cases import operations
from portal.cases.queue import NEW_INCIDENT, TABS, Cursor, Filters, queue_page, tab_counts
from portal.models import User
from portal.models.report import STATUS_LABELS
from portal.officer import bp
from portal.officer.permissions import requires
from portal.reports.triage_policy import current_policy, flag_labels
from portal.text.labels import KIND_TITLES, QUEUE_MARKS, ROUTE_LABELS
from portal.triage.calendar import london_today
from portal.triage.decision import RISK_LEVELS

TAB_LABELS = {**ROUTE_LABELS, "all": "All"}


def _applied(filters: Filters, officers: list[User], labels: dict[str, str]) -> list[str]:
    """The filters narrowing the queue, in words, so an empty page says why it is empty."""
    if filters.status == "open":
        status = "Status: open"
    elif filters.status == "all":
        status = "Status: any"
    else:
        status = f"Status: {STATUS_LABELS[filters.status].lower()}"
    applied = [f"Route: {TAB_LABELS[filters.tab].lower()}"] if filters.tab != "all" else []
    if filters.search:
        applied.append(f"Search: {filters.search}")
    applied.append(status)
    if filters.risk_level:
        applied.append(f"Risk: {filters.risk_level}")
    if filters.flag:
        applied.append(f"Flag: {labels.get(filters.flag, filters.flag)}")
    if filters.ward:
        applied.append(f"Ward: {filters.ward}")
    if filters.assignee:
        names = {str(officer.id): officer.name for officer in officers}
        names.update({"mine": "me", "unassigned": "no one"})
        applied.append(f"Assigned to: {names.get(filters.assignee, 'an officer who has left')}")
    return applied


@bp.get("/")
@requires(VIEW)
def queue() -> Any:
    filters = Filters.from_args(request.args)
    officers = operations.current_officers()
    labels = {**flag_labels(), NEW_INCIDENT: QUEUE_MARKS[NEW_INCIDENT]}
    page = queue_page(filters, current_user.id, london_today(), Cursor.decode(request.args.get("after")))
    return render_template(
        "officer/queue.html",
        filters=filters,
        page=page,
        counts=tab_counts(filters, current_user.id),
        tabs=TABS,
        tab_labels=TAB_LABELS,
        status_labels=STATUS_LABELS,
        kind_titles=KIND_TITLES,
        risk_levels=RISK_LEVELS,
        flags=current_policy().flags,
        flag_labels=labels,
        queue_marks=QUEUE_MARKS,
        applied=_applied(filters, officers, labels),
        wards=current_app.config["COUNCIL_WARDS"],
        officers=officers,
        today=london_today(),
        first_page=request.args.get("after") is None,
    )
