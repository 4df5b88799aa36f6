"""Submitting a report: the one place a draft becomes a stored, triaged, acknowledged report."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app
from sqlalchemy import select

from portal.database import write_transaction
from portal.extensions import db
from portal.mail import queue_email
from portal.models import Draft, OutboxMessage, Report
from portal.models.types import utcnow
from portal.reports.history import history_for
from portal.reports.references import next_reference
from portal.reports.triage_policy import current_policy
from portal.text.labels import KIND_LABELS
from portal.triage.calendar import london_date
from portal.triage.contract import Report as ReportAnswers
from portal.triage.contract import parse_report
from portal.triage.decision import Decision
from portal.triage.engine import decide


class DraftExpired(LookupError):
    """The draft has gone: it expired, or it was already submitted."""


@dataclass(frozen=True)
class Submission:
    """What the confirmation page tells the resident about a report they sent."""

    reference: str
    kind: str
    acknowledged_by_email: bool
    contactable: bool  # the resident gave a channel that is safe to use
    case_review: str | None  # "explained" or "eligible": what to tell them about the ASB Case Review
    due_by: date
    willing_to_mediate: bool = False

    @classmethod
    def of(cls, report: Report) -> Submission:
        return cls(
            reference=report.reference,
            kind=report.kind,
            acknowledged_by_email=report.can_be_emailed,
            contactable=report.can_be_contacted,
            case_review=case_review_position(report.flags),
            due_by=report.due_by,
            willing_to_mediate=bool(report.details.get("willing_to_mediate")),
        )


def submission_for_draft(draft_id: str | None) -> Submission | None:
    """The report sent from the draft ``draft_id``, if it has been sent."""
    if not draft_id:
        return None
    report = db.session.scalars(select(Report).where(Report.draft_token == draft_id)).first()
    return Submission.of(report) if report else None


def submit_draft(draft_id: str, *, submitted_at: datetime | None = None) -> Submission:
    """Validate the draft against the report contract, triage it, store it and queue its email.

    Report, attachments and acknowledgement commit in one transaction; the mail worker
    (``flask outbox work``) sends the email as soon as it has committed. ``submitted_at``
    backdates a demonstration report. Raises ``DraftExpired`` or ``ContractError``.
    """
    with write_transaction():
        now = submitted_at or utcnow()
        # Lock the draft: a second press of Send waits here, then finds the draft gone.
        draft = db.session.scalars(select(Draft).where(Draft.id == draft_id).with_for_update()).first()
        if draft is None or draft.expires_at <= utcnow():
            raise DraftExpired(draft_id)
        answers = parse_report(
            {**draft.answers, "kind": draft.kind, "submitted_at": None},
            wards=current_app.config["COUNCIL_WARDS"],
            now=now,
        )
        policy = current_policy()
        decision = decide(answers, history_for(answers, policy), policy)
        report = _new_report(answers, decision, next_reference(london_date(now).year))
        report.draft_token = draft.id
        db.session.add(report)
        db.session.flush()
        for attachment in list(draft.attachments):
            attachment.report_id = report.id
            attachment.draft_id = None
        db.session.delete(draft)
        case_review = case_review_position(decision.flags)
        if answers.reporter.can_be_emailed:
            queue_email(
                purpose="acknowledgement",
                recipient=answers.reporter.email,
                subject=f"We have received your report {report.reference}",
                template="acknowledgement",
                context={
                    "report": report,
                    "kind_label": KIND_LABELS[report.kind],
                    "case_review": case_review,
                    # Where to apply for an ASB Case Review: the resident signs in there (no token).
                    "check_report_url": f"{current_app.config['PUBLIC_BASE_URL']}/your-report",
                },
                report_id=report.id,
            )
        if any(flag.alert and flag.name in decision.flags for flag in policy.flags):
            queue_alert(report)
        db.session.flush()
        submission = Submission.of(report)
    return submission


def case_review_position(flags: Iterable[str]) -> str | None:
    """What the resident is told about the ASB Case Review: eligible beats explained."""
    flags = set(flags)
    if "case_review_eligible" in flags:
        return "eligible"
    if "case_review_explained" in flags:
        return "explained"
    return None


def queue_alert(report: Report) -> OutboxMessage:
    """The duty officer's alert: the reference and a back-office link only, never the resident's words."""
    return queue_officer_email(
        report,
        purpose="safeguarding_alert",
        recipient=current_app.config["SAFEGUARDING_ALERT_EMAIL"],
        subject=f"Safeguarding alert: {report.reference}",
    )


def queue_officer_email(report: Report, *, purpose: str, recipient: str, subject: str) -> OutboxMessage:
    """An email to the back-office about a case: its reference and a link to it only, never the
    resident's words (the template is named by ``purpose``)."""
    return queue_email(
        purpose=purpose,
        recipient=recipient,
        subject=subject,
        template=purpose,
        context={
            "reference": report.reference,
            "case_url": f"{current_app.config['PUBLIC_BASE_URL']}/officer/cases/{report.reference}",
        },
        report_id=report.id,
    )


def report_columns(answers: ReportAnswers, decision: Decision, reference: str) -> dict[str, Any]:
    """A new report's columns, from the answers and the decision: the one place they are mapped
    (``submit_draft`` stores them; bench/bulk_reports.py writes them as rows at benchmark volumes)."""
    reporter = answers.reporter
    return {
        "reference": reference,
        "kind": answers.kind,
        "status": "new",
        "submitted_at": answers.submitted_at,
        "updated_at": answers.submitted_at,
        "description": answers.description,
        "types": list(answers.types),
        "details": dict(answers.details),
        "address": answers.location.address,
        "postcode": answers.location.postcode,
        "ward": answers.location.ward,
        "started": answers.started,
        "frequency": answers.frequency,
        "previous_reports": answers.previous_reports,
        **{f"harm_{question}": value for question, value in answers.harm.items()},
        "reporter_name": "" if reporter.anonymous else reporter.name,
        "reporter_email": "" if reporter.anonymous else reporter.email,
        "reporter_phone": "" if reporter.anonymous else reporter.phone,
        "email_key": reporter.email_key,
        "phone_key": reporter.phone_key,
        "anonymous": reporter.anonymous,
        "safe_to_email": reporter.safe_to_email,
        "safe_to_phone": reporter.safe_to_phone,
        "lives_in_district": reporter.lives_in_district,
        # Nothing is kept of how to reach a resident who chose to stay anonymous.
        "safe_call_times": "" if reporter.anonymous else reporter.safe_call_times,
        "voicemail_ok": None if reporter.anonymous else reporter.voicemail_ok,
        "text_ok": None if reporter.anonymous else reporter.text_ok,
        "safe_alternative_contact": "" if reporter.anonymous else reporter.safe_alternative_contact,
        "route": decision.route,
        "current_route": decision.route,
        "name_key": "" if reporter.anonymous else reporter.name.lower(),
        "rule": decision.rule,
        "risk_score": decision.risk_score,
        "risk_level": decision.risk_level,
        "flags": sorted(decision.flags),
        "safeguarding": "safeguarding" in decision.flags,
        "due_by": decision.due_by,
        "reasons": list(decision.reasons),
        "policy_version": decision.policy_version,
        "explanation": decision.explanation,
    }


def _new_report(answers: ReportAnswers, decision: Decision, reference: str) -> Report:
    return Report(**report_columns(answers, decision, reference))
