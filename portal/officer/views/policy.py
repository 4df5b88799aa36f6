"""The policy in use, in plain language, so nobody reads code to learn why a report went where it did."""

from __future__ import annotations

from typing import Any

from flask import render_template

from portal.accounts.roles import VIEW
from portal.officer import bp
from portal.officer.permissions import requires
from portal.reports.triage_policy import current_policy
from portal.text.labels import FREQUENCY_LABELS, HARM_LABELS, PREVIOUS_REPORTS_LABELS, STARTED_LABELS
from portal.triage.conditions import describe


@bp.get("/policy")
@requires(VIEW)
def policy_page() -> Any:
    policy = current_policy()
    return render_template(
        "officer/policy.html",
        policy=policy,
        harm_labels=HARM_LABELS,
        frequency_labels=FREQUENCY_LABELS,
        started_labels=STARTED_LABELS,
        previous_labels=PREVIOUS_REPORTS_LABELS,
        describe=describe,
    )
