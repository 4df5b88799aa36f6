"""Deciding a report.

Until the council's policy file is implemented, every report goes to the tasking meeting at
standard risk, due in ten working days: a placeholder that keeps the decision's shape, made here
and called from exactly one place (``portal.reports.operations.submit_draft``).
"""

from __future__ import annotations

from portal.triage.calendar import add_working_days, london_date
from portal.triage.contract import Report
from portal.triage.decision import Decision

PLACEHOLDER_POLICY_VERSION = "placeholder-0"


def decide(report: Report) -> Decision:
    return Decision(
        route="tasking",
        rule="tasking.default",
        risk_score=0,
        risk_level="standard",
        flags=(),
        due_by=add_working_days(london_date(report.submitted_at), 10),
        reasons=("every report goes to the tasking meeting until the triage policy is in use",),
        policy_version=PLACEHOLDER_POLICY_VERSION,
    )
