"""A resident adds an incident to their own case: kept with the case, never a new report.

``add_incident`` is the one place it happens. In one transaction, with the case's row locked: the
incident and its evidence files, its audit entry (the resident is the actor, as for their other
actions: no officer), a later assessment when the policy re-scores (``portal/triage/reassess.py``),
the duty officer's alert when that assessment newly flags safeguarding, and an email to the case's
officer, by reference only. The first decision on the report is never rewritten.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import IO

from dateutil.relativedelta import relativedelta
from sqlalchemy import select

from portal.database import write_transaction
from portal.extensions import db
from portal.models import Incident, Reassessment, Report, audit
from portal.models.audit import AuditAction
from portal.models.incident import EFFECT_MAX, TIME_OF_DAY_MAX, WHAT_HAPPENED_MAX, WHO_MAX
from portal.models.types import utcnow
from portal.reports import evidence
from portal.reports.history import history_for
from portal.reports.operations import queue_alert, queue_officer_email
from portal.reports.triage_policy import current_policy
from portal.triage.calendar import london_date, london_today
from portal.triage.contract import HARM_QUESTIONS, parse_report
from portal.triage.reassess import IncidentAnswers, assessed_report, change_words, reassess

PURPOSE = "incident_added"  # the case officer's email


class IncidentRefused(ValueError):
    """The incident cannot be added; ``field`` is the form's field at fault, ``str()`` the message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class CaseClosed(IncidentRefused):
    """A closed case takes no more incidents: a new problem is a new report."""


@dataclass(frozen=True)
class NewIncident:
    occurred_on: date
    what_happened: str
    harm: Mapping[str, bool]
    time_of_day: str = ""
    who: str = ""
    effect: str = ""


def earliest_day(report: Report) -> date:
    """The earliest day an incident on the case may be dated: the policy's history window before
    the report was made."""
    return london_date(report.submitted_at) - relativedelta(months=current_policy().history_months)


def date_problem(report: Report, occurred_on: date) -> str | None:
    """What is wrong with the day an incident is dated, or None."""
    if occurred_on > london_today():
        return "The date it happened must be today or in the past"
    earliest = earliest_day(report)
    if occurred_on < earliest:
        return f"The date it happened must be on or after {earliest.day} {earliest:%B %Y}"
    return None


def _checked(entry: NewIncident) -> NewIncident:
    what = entry.what_happened.replace("\x00", "").strip()
    if not what:
        raise IncidentRefused("what_happened", "Enter what happened")
    for field, value, most in (
        ("what_happened", what, WHAT_HAPPENED_MAX),
        ("time_of_day", entry.time_of_day, TIME_OF_DAY_MAX),
        ("who", entry.who, WHO_MAX),
        ("effect", entry.effect, EFFECT_MAX),
    ):
        if len(value) > most:
            raise IncidentRefused(field, f"This answer must be {most:,} characters or fewer")
    return NewIncident(
        occurred_on=entry.occurred_on,
        what_happened=what,
        harm={question: bool(entry.harm.get(question)) for question in HARM_QUESTIONS},
        time_of_day=entry.time_of_day.replace("\x00", "").strip(),
        who=entry.who.replace("\x00", "").strip(),
        effect=entry.effect.replace("\x00", "").strip(),
    )


def add_incident(report_id: int, entry: NewIncident, uploads: list[tuple[IO[bytes], str]]) -> Incident:
    """Add the resident's incident ``entry``, with its evidence ``uploads``, to the case ``report_id``.

    Raises ``CaseClosed``, ``IncidentRefused`` (a missing or too long answer, a day out of range) or
    ``evidence.EvidenceError`` (a refused file); nothing is kept then.
    """
    entry = _checked(entry)
    files = evidence.keep_files(uploads)
    try:
        with write_transaction():
            report = db.session.scalars(select(Report).where(Report.id == report_id).with_for_update()).one()
            if report.status == "closed" or report.anonymised_at is not None:
                raise CaseClosed("", "This case is closed")
            problem = date_problem(report, entry.occurred_on)
            if problem:
                raise IncidentRefused("occurred_on", problem)
            incident = Incident(
                report_id=report.id,
                occurred_on=entry.occurred_on,
                time_of_day=entry.time_of_day,
                what_happened=entry.what_happened,
                who=entry.who,
                harm=dict(entry.harm),
                effect=entry.effect,
                created_at=utcnow(),
            )
            db.session.add(incident)
            report.incident_count += 1
            db.session.flush()
            for attachment in files:
                attachment.report_id = report.id
                attachment.incident_id = incident.id
                db.session.add(attachment)
            change = _assess_again(report, incident)
            audit.record(
                AuditAction.INCIDENT_ADDED,
                actor=None,
                report=report,
                after={"incident_id": incident.id, "evidence_files": len(files)},
                detail=f"Assessed again: {change}" if change else None,
            )
            _tell_the_officer(report)
    except BaseException:
        for attachment in files:
            evidence.delete_file(attachment)
        raise
    return incident


def _answers(incident: Incident) -> IncidentAnswers:
    return IncidentAnswers(
        added_at=incident.created_at,
        occurred_on=incident.occurred_on,
        what_happened=incident.what_happened,
        harm=incident.harm,
        who=incident.who,
        effect=incident.effect,
    )


def _assess_again(report: Report, incident: Incident) -> str | None:
    """Store the case's later assessment, when the policy re-scores; how its level changed, in words."""
    policy = current_policy()
    if not policy.incidents.rescore:
        return None
    incidents = [_answers(row) for row in incidents_of(report.id)]
    answers = parse_report(report.as_contract())
    history = history_for(assessed_report(answers, incidents), policy, leaving_out=report.id)
    before = latest_assessment(report.id)
    level_before = before.risk_level if before is not None else report.risk_level
    decision = reassess(answers, incidents, history, policy, level_before)
    change = change_words(level_before, decision)
    db.session.add(
        Reassessment(
            report_id=report.id,
            incident_id=incident.id,
            route=decision.route,
            rule=decision.rule,
            risk_score=decision.risk_score,
            risk_level=decision.risk_level,
            flags=sorted(decision.flags),
            safeguarding="safeguarding" in decision.flags,
            due_by=decision.due_by,
            reasons=list(decision.reasons),
            policy_version=decision.policy_version,
            explanation=decision.explanation,
            change=change,
            created_at=incident.created_at,
        )
    )
    if "safeguarding" in decision.flags and not (report.safeguarding or report.raised_safeguarding):
        # The queue puts the case first, as it does a report flagged when it came in.
        report.raised_safeguarding = True
        queue_alert(report)
    return change


def latest_assessment(report_id: int) -> Reassessment | None:
    """The case's latest later assessment, or None while it has only its first decision."""
    return db.session.scalars(
        select(Reassessment)
        .where(Reassessment.report_id == report_id)
        .order_by(Reassessment.id.desc())
        .limit(1)
    ).first()


def _tell_the_officer(report: Report) -> None:
    """The case's officer is told by email that an incident was added: the reference and a link only."""
    if report.assignee is None or not report.assignee.email:
        return
    queue_officer_email(
        report,
        purpose=PURPOSE,
        recipient=report.assignee.email,
        subject=f"New incident on {report.reference}",
    )


def incidents_of(report_id: int) -> list[Incident]:
    """The case's incidents, oldest first."""
    return list(
        db.session.scalars(
            select(Incident).where(Incident.report_id == report_id).order_by(Incident.created_at, Incident.id)
        )
    )
