from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    event,
    inspect,
    text,
)
from sqlalchemy.orm import InstanceState, Mapped, mapped_column, relationship

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow

STATUSES = ("new", "in_progress", "awaiting_resident", "closed")
OPEN_STATUSES = ("new", "in_progress", "awaiting_resident")
STATUS_LABELS = {
    "new": "New",
    "in_progress": "In progress",
    "awaiting_resident": "Awaiting resident",
    "closed": "Closed",
}
OUTCOMES = {
    "resolved": "Resolved",
    "no_further_action": "No further action",
    "referred": "Referred to another agency",
    "withdrawn": "Withdrawn",
}
CONTACT_CHANNELS = {
    "phone": "Phone call",
    "text": "Text message",
    "email": "Email",
    "visit": "Home visit",
    "letter": "Letter",
    "in_person": "In person elsewhere",
}


# The open-queue index holds open cases only; queue queries say "status != 'closed'" in these
# very words (not with a bound value), so that both databases can prove the index applies.
OPEN_ONLY: dict[str, Any] = {
    "sqlite_where": text("status != 'closed'"),
    "postgresql_where": text("status != 'closed'"),
}
OPEN_QUEUE_COLUMNS = (
    "due_by",
    "id",
    "current_route",
    "safeguarding",
    "first_contact_on",
    "risk_level",
    "ward",
    "assignee_id",
    "name_key",
    "raised_safeguarding",
)

OPEN_NAME_COLUMNS = ("name_key", "current_route", "due_by", "id", "safeguarding", "first_contact_on")
OPEN_ROUTE_COLUMNS = ("current_route", "safeguarding", "due_by", "id", "submitted_at")


class ReferenceCounter(db.Model):  # type: ignore[name-defined]
    """The last reference number given out in a year."""

    __tablename__ = "reference_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class Report(db.Model):  # type: ignore[name-defined]
    """A submitted report: every answer of the contract, and the triage decision made on it."""

    __tablename__ = "report"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(20), default="new")
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # What is happening
    description: Mapped[str] = mapped_column(Text)
    types: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The yes/no answers of the kind's own block (asb, dispute or concern).
    details: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)

    # Where and when
    address: Mapped[str] = mapped_column(Text, default="")
    postcode: Mapped[str] = mapped_column(String(10), default="")  # normalised
    ward: Mapped[str] = mapped_column(String(100), default="")
    started: Mapped[str] = mapped_column(String(32))
    frequency: Mapped[str] = mapped_column(String(32))
    previous_reports: Mapped[str] = mapped_column(String(32))

    # How it affects the resident
    harm_feel_unsafe: Mapped[bool] = mapped_column(Boolean, default=False)
    harm_health_affected: Mapped[bool] = mapped_column(Boolean, default=False)
    harm_targeted: Mapped[bool] = mapped_column(Boolean, default=False)
    harm_hate_motivated: Mapped[bool] = mapped_column(Boolean, default=False)
    harm_violence_or_threats: Mapped[bool] = mapped_column(Boolean, default=False)
    harm_vulnerable_person: Mapped[bool] = mapped_column(Boolean, default=False)
    harm_considering_moving: Mapped[bool] = mapped_column(Boolean, default=False)
    harm_daily_life_affected: Mapped[bool] = mapped_column(Boolean, default=False)

    # About the resident and how they may be contacted
    reporter_name: Mapped[str] = mapped_column(String(200), default="")
    reporter_email: Mapped[str] = mapped_column(String(254), default="")
    reporter_phone: Mapped[str] = mapped_column(String(30), default="")
    # Normalised as the policy compares them; empty for anonymous reports, so they never match.
    email_key: Mapped[str] = mapped_column(String(254), default="")
    phone_key: Mapped[str] = mapped_column(String(30), default="")
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    safe_to_email: Mapped[bool] = mapped_column(Boolean, default=True)
    safe_to_phone: Mapped[bool] = mapped_column(Boolean, default=True)
    lives_in_district: Mapped[bool] = mapped_column(Boolean, default=False)
    # How to reach a victim safely (migration 0016). Each is asked only where it applies: None is
    # "not asked" (no phone number, or phoning is not safe), never "no".
    safe_call_times: Mapped[str] = mapped_column(String(200), default="")
    voicemail_ok: Mapped[bool | None] = mapped_column(Boolean)
    text_ok: Mapped[bool | None] = mapped_column(Boolean)
    safe_alternative_contact: Mapped[str] = mapped_column(Text, default="")

    # The triage decision, made once at submission and never rewritten.
    route: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(64))
    risk_score: Mapped[int] = mapped_column(Integer)
    risk_level: Mapped[str] = mapped_column(String(16))
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    safeguarding: Mapped[bool] = mapped_column(Boolean, default=False)
    due_by: Mapped[date] = mapped_column(Date)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    policy_version: Mapped[str] = mapped_column(String(64))
    # The points, floors and flag reasons behind the decision, in words.
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    # The case: where it is now, who has it, and how far it has got.
    # current_route starts as the decision's route; a re-route changes it, never the decision.
    current_route: Mapped[str] = mapped_column(String(32))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    first_contact_on: Mapped[date | None] = mapped_column(Date)
    first_contact_channel: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(32))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    override_reason: Mapped[str | None] = mapped_column(Text)
    override_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    override_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The reporter's name in lower case, for searching by name from its start.
    name_key: Mapped[str] = mapped_column(String(200), default="")
    # Every change bumps it: an officer working from an older copy of the case is told, not obeyed.
    version: Mapped[int] = mapped_column(Integer, default=1)

    # The random id of the draft this report was sent from: a second press of Send, or the
    # confirmation page, finds the report by it, and no draft can become two reports.
    draft_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    # A later assessment (an incident the resident added, portal/models/incident.py) flagged
    # safeguarding that the first decision did not: the queue puts the case first, as it does one
    # whose first decision did. Kept by the domain; the first decision is never rewritten.
    raised_safeguarding: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # How many incidents the resident has added to the case: a case with none reads none of them.
    incident_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    # When `retention apply` removed the resident's personal data (portal/privacy/retention.py).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    attachments = relationship("Attachment", back_populates="report", order_by="Attachment.id")
    assignee = relationship("User", foreign_keys=[assignee_id])
    override_by = relationship("User", foreign_keys=[override_by_id])

    __mapper_args__: ClassVar[dict[str, Any]] = {"version_id_col": version}

    __table_args__ = (
        Index("ix_report_current_route_due_by_id", "current_route", "due_by", "id"),
        Index("ix_report_due_by_id", "due_by", "id"),
        Index("ix_report_name_key", "name_key"),
        Index("ix_report_status", "status"),
        Index("ix_report_submitted_at", "submitted_at"),
        Index("ix_report_email_key_submitted_at", "email_key", "submitted_at"),
        Index("ix_report_phone_key_submitted_at", "phone_key", "submitted_at"),
        Index("ix_report_postcode_submitted_at", "postcode", "submitted_at"),
        # The officers' queue of open cases (migration 0008): only open cases, in queue order,
        # with every column its tabs, groups and filters test, so a page reads the open caseload.
        Index("ix_report_open_queue", *OPEN_QUEUE_COLUMNS, **OPEN_ONLY),
        # Searching open cases by the reporter's name (migration 0010): the matching open cases
        # only, with what the queue's groups test, so neither a page nor a count reads others.
        Index("ix_report_open_name", *OPEN_NAME_COLUMNS, **OPEN_ONLY),
        # The tasking meeting's agenda (migration 0010): a route's open cases, safeguarding first,
        # in due-date order, with the date each came in to tell new cases from carried-over ones.
        Index("ix_report_open_route", *OPEN_ROUTE_COLUMNS, **OPEN_ONLY),
    )

    def is_overdue(self, today: date) -> bool:
        """Open, past its due date, and no first contact recorded (which stops the clock)."""
        return self.status != "closed" and self.due_by < today and self.first_contact_on is None

    @property
    def can_be_emailed(self) -> bool:
        """Not anonymous, an email given, and the resident said email is safe."""
        return not self.anonymous and bool(self.reporter_email) and self.safe_to_email

    @property
    def can_be_phoned(self) -> bool:
        return not self.anonymous and bool(self.reporter_phone) and self.safe_to_phone

    @property
    def can_be_texted(self) -> bool:
        """A number given, and the resident said a text to it is safe."""
        return not self.anonymous and bool(self.reporter_phone) and self.text_ok is True

    @property
    def can_be_contacted(self) -> bool:
        """Some way to reach the resident that they said is safe: email, a call, a text or another contact."""
        return (
            self.can_be_emailed
            or self.can_be_phoned
            or self.can_be_texted
            or (not self.anonymous and bool(self.safe_alternative_contact.strip()))
        )

    def harm(self) -> dict[str, bool]:
        from portal.triage.contract import HARM_QUESTIONS

        return {question: getattr(self, f"harm_{question}") for question in HARM_QUESTIONS}

    def as_contract(self) -> dict[str, Any]:
        """The report's answers in the report contract's shape (docs/policy.md), as it was submitted."""
        from portal.triage.contract import KIND_BLOCKS

        block = KIND_BLOCKS[self.kind][0]
        return {
            "kind": self.kind,
            "submitted_at": self.submitted_at.isoformat(),
            "description": self.description,
            "location": {"address": self.address, "postcode": self.postcode, "ward": self.ward},
            "reporter": {
                "name": self.reporter_name,
                "email": self.reporter_email,
                "phone": self.reporter_phone,
                "anonymous": self.anonymous,
                "safe_to_email": self.safe_to_email,
                "safe_to_phone": self.safe_to_phone,
                "lives_in_district": self.lives_in_district,
                "safe_call_times": self.safe_call_times,
                "voicemail_ok": self.voicemail_ok,
                "text_ok": self.text_ok,
                "safe_alternative_contact": self.safe_alternative_contact,
            },
            "started": self.started,
            "frequency": self.frequency,
            "previous_reports": self.previous_reports,
            "harm": self.harm(),
            block: {"types": list(self.types), **self.details},
        }


# The columns the queue's tab counts are split by, as ``queue_count`` keeps them.
QUEUE_COUNT_COLUMNS = ("current_route", "status", "risk_level", "ward", "assignee_id", "safeguarding")
NO_ASSIGNEE = 0  # how queue_count writes "no one", so that every key has a value to match on


class QueueCount(db.Model):  # type: ignore[name-defined]
    """How many cases share a route, status, risk level, ward, officer and safeguarding flag.

    Kept by triggers on ``report`` (migration 0009) in the same transaction as every insert,
    update and delete, so it is always exact: the queue's tab counts add up these few thousand
    rows at most instead of counting tens of thousands of open cases on every page.
    """

    __tablename__ = "queue_count"

    current_route: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(20), primary_key=True)
    risk_level: Mapped[str] = mapped_column(String(16), primary_key=True)
    ward: Mapped[str] = mapped_column(String(100), primary_key=True)
    assignee_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    safeguarding: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    cases: Mapped[int] = mapped_column(Integer, default=0)


class Attachment(db.Model):  # type: ignore[name-defined]
    """An evidence file: uploaded to a draft, then kept with the report it was submitted with."""

    __tablename__ = "attachment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    original_name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    draft_id: Mapped[str | None] = mapped_column(ForeignKey("draft.id", ondelete="SET NULL"), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id"), index=True)
    # Sent with an incident the resident added to the case (it is the case's evidence too).
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incident.id"), index=True)

    draft = relationship("Draft", back_populates="attachments")
    report = relationship("Report", back_populates="attachments")


# The triage decision is made once, at submission; an officer's re-routing is stored beside it.
DECISION_COLUMNS = (
    "route",
    "rule",
    "risk_score",
    "risk_level",
    "flags",
    "safeguarding",
    "due_by",
    "reasons",
    "policy_version",
    "explanation",
)


class DecisionRewritten(RuntimeError):
    """Something tried to change a stored triage decision."""


@event.listens_for(Report, "before_update")
def _decision_is_never_rewritten(_mapper: Any, _connection: Any, report: Report) -> None:
    state: InstanceState[Report] = inspect(report)
    changed = [name for name in DECISION_COLUMNS if state.attrs[name].history.has_changes()]
    if changed:
        fields = ", ".join(changed)
        raise DecisionRewritten(f"the triage decision of {report.reference} cannot be changed ({fields})")


class CaseNote(db.Model):  # type: ignore[name-defined]
    """An officer's internal note (never shown to residents) or a public update (emailed to them)."""

    __tablename__ = "case_note"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    emailed: Mapped[bool] = mapped_column(Boolean, default=False)

    author = relationship("User")
