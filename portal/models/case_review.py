"""An ASB Case Review (formerly the Community Trigger): the application, the threshold decision, the
review meeting, the outcome letter and any escalation, on the ASB case it is about.

One row an application. Its steps fill it in order, each audited (``portal/cases/case_review*.py``);
its recommendations are tasking actions carrying its id (``TaskingAction.case_review_id``). The
threshold decision is stored as ``portal.triage.case_review.ThresholdDecision.to_json`` gave it,
with the policy version it was decided under, and never rewritten.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow
from portal.triage.case_review import timeliness

# Where it stands, in order. "not_met" and "outcome_sent" end it unless the applicant escalates;
# "escalation_decided" ends it.
STAGES = {
    "applied": "Threshold decision due",
    "not_met": "Threshold not met",
    "met": "Review to be held",
    "review_held": "Outcome letter due",
    "outcome_sent": "Outcome sent",
    "escalated": "Escalated",
    "escalation_decided": "Escalation decided",
}
OPEN_STAGES = ("applied", "met", "review_held", "escalated")

# How the application reached the council.
CHANNELS = {
    "online": "Online",
    "phone": "Phone",
    "paper": "Letter or paper form",
    "email": "Email",
    "in_person": "In person",
}
# Who applied: the victim, or someone acting for them with their consent.
APPLICANTS = {
    "victim": "The victim",
    "family": "A family member",
    "councillor": "A councillor",
    "mp": "An MP",
    "professional": "Another professional",
    "other": "Someone else",
}
ESCALATION_RESULTS = {
    "upheld": "Upheld: the review is to be looked at again",
    "partly_upheld": "Partly upheld",
    "not_upheld": "Not upheld",
}


class CaseReview(db.Model):  # type: ignore[name-defined]
    __tablename__ = "case_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"))
    stage: Mapped[str] = mapped_column(String(20), default="applied")
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    channel: Mapped[str] = mapped_column(String(10))
    # The officer who entered an application made by phone, paper, email or in person; None online.
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    # The applicant: the victim, or someone for them (then their name, how to reach them, and the
    # victim's consent, which must be recorded before such an application is taken).
    applicant: Mapped[str] = mapped_column(String(12), default="victim")
    applicant_name: Mapped[str] = mapped_column(String(200), default="")
    applicant_email: Mapped[str] = mapped_column(String(254), default="")
    applicant_phone: Mapped[str] = mapped_column(String(30), default="")
    consent_given_on: Mapped[date | None] = mapped_column(Date)
    consent_how: Mapped[str] = mapped_column(Text, default="")

    # What the applicant says: the incidents, in their words, and the reports they made elsewhere,
    # [{"reported_on": "YYYY-MM-DD", "agency": "council" | "police" | "landlord" | "other"}, ...].
    account: Mapped[str] = mapped_column(Text, default="")
    reported_elsewhere: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    # The threshold decision: due within the policy's working days; the counts and reasons.
    decision_due: Mapped[date] = mapped_column(Date)
    threshold_met: Mapped[bool | None] = mapped_column(Boolean)
    threshold: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    decision_note: Mapped[str] = mapped_column(Text, default="")

    # The review meeting: when, who chaired it (perhaps from another council), which agencies were
    # there, and how the victim's views were heard.
    review_due: Mapped[date | None] = mapped_column(Date)
    meeting_on: Mapped[date | None] = mapped_column(Date)
    chair_name: Mapped[str] = mapped_column(String(200), default="")
    chair_organisation: Mapped[str] = mapped_column(String(200), default="")
    agencies_present: Mapped[list[str]] = mapped_column(JSON, default=list)
    victim_invited: Mapped[bool] = mapped_column(Boolean, default=False)
    victim_attended: Mapped[bool] = mapped_column(Boolean, default=False)
    victim_views_in_writing: Mapped[bool] = mapped_column(Boolean, default=False)
    victim_views: Mapped[str] = mapped_column(Text, default="")
    findings: Mapped[str] = mapped_column(Text, default="")

    # The outcome letter to the applicant, and the deadline it had to meet.
    outcome_due: Mapped[date | None] = mapped_column(Date)
    outcome_sent_on: Mapped[date | None] = mapped_column(Date)
    outcome_summary: Mapped[str] = mapped_column(Text, default="")

    # An escalation: the applicant disputes how the review was handled; it goes to the body the
    # policy names, recorded as it was when escalated.
    escalated_on: Mapped[date | None] = mapped_column(Date)
    escalation_body: Mapped[str] = mapped_column(String(200), default="")
    escalation_reason: Mapped[str] = mapped_column(Text, default="")
    escalation_result: Mapped[str | None] = mapped_column(String(16))
    escalation_decided_on: Mapped[date | None] = mapped_column(Date)
    escalation_note: Mapped[str] = mapped_column(Text, default="")

    policy_version: Mapped[str] = mapped_column(String(64), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    report = relationship("Report")
    taken_by = relationship("User", foreign_keys=[taken_by_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])

    __table_args__ = (
        Index("ix_case_review_report_id", "report_id"),
        Index("ix_case_review_stage_decision_due", "stage", "decision_due"),
        Index("ix_case_review_applied_at", "applied_at"),
    )

    @property
    def is_open(self) -> bool:
        return self.stage in OPEN_STAGES

    @property
    def next_due(self) -> date | None:
        """The date the next step is due by, for the queue: the decision, the review, or the letter."""
        return {"applied": self.decision_due, "met": self.review_due, "review_held": self.outcome_due}.get(
            self.stage
        )

    @property
    def stage_label(self) -> str:
        return STAGES.get(self.stage, self.stage)

    @property
    def escalation_result_label(self) -> str | None:
        if self.escalation_result is None:
            return None
        return ESCALATION_RESULTS.get(self.escalation_result, self.escalation_result)

    @property
    def outcome_timeliness(self) -> str | None:
        """Whether the outcome letter met its day, in words ("On time", "2 working days late")."""
        if self.outcome_sent_on is None or self.outcome_due is None:
            return None
        return timeliness(self.outcome_due, self.outcome_sent_on)

    @property
    def review_timeliness(self) -> str | None:
        """Whether the review meeting was held by its day, in words."""
        if self.meeting_on is None or self.review_due is None:
            return None
        return timeliness(self.review_due, self.meeting_on)
