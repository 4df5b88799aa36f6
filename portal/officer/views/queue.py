"""The queue: tabs by route, filters, search and pages."""

from __future__ import annotations

from typing import Any

from flask import current_app, render_template, request
from flask_login import current_user

from portal.accounts.roles import VIEW
from portal.cases import operations
from portal.cases.queue import TABS, Cursor, Filters, queue_page, tab_counts
from portal.models.report import STATUS_LABELS
from portal.officer import bp
from portal.officer.permissions import requires
from portal.reports.triage_policy import current_policy
from portal.text.labels import KIND_TITLES, ROUTE_LABELS
from portal.triage.calendar import london_today
from portal.triage.decision import RISK_LEVELS

TAB_LABELS = {**ROUTE_LABELS, "all": "All"}


@bp.get("/")
@requires(VIEW)
def queue() -> Any:
    filters = Filters.from_args(request.args)
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
        wards=current_app.config["COUNCIL_WARDS"],
        officers=operations.current_officers(),
        today=london_today(),
        first_page=request.args.get("after") is None,
    )
