"""Records of the work done on a case, per route: they feed the council's yearly figures."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.extensions import db
from portal.models.types import UTCDateTime, utcnow

MEDIATION_OUTCOMES = {
    "agreement": "Agreement",
    "partial_agreement": "Partial agreement",
    "no_agreement": "No agreement",
    "declined": "Declined",
}
HARDENING_ITEMS = {
    "locks": "Door or window locks",
    "door_chain": "Door chain",
    "video_doorbell": "Video doorbell",
    "letterbox_guard": "Letterbox guard",
    "personal_alarm": "Personal alarm",
    "window_alarms": "Window alarms",
    "smartwater": "Smartwater kit",
    "security_lighting": "Security lighting",
    "other": "Other",
}
POWERS = {
    "cpw": "Community Protection Warning",
    "cpn": "Community Protection Notice",
    "fpn": "Fixed Penalty Notice",
    "abc": "Acceptable Behaviour Contract",
    "civil_injunction": "Civil injunction",
    "closure_notice": "Closure notice",
    "closure_order": "Closure order",
    "pspo_enforcement": "PSPO enforcement",
}
AGE_BANDS = {
    "under_10": "Under 10",
    "10_17": "10 to 17",
    "18_24": "18 to 24",
    "25_39": "25 to 39",
    "40_59": "40 to 59",
    "60_plus": "60 or over",
    "unknown": "Not known",
}


class MediationRecord(db.Model):  # type: ignore[name-defined]
    __tablename__ = "mediation_record"

    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), primary_key=True)
    referral_date: Mapped[date | None] = mapped_column(Date, index=True)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TargetHardeningRecord(db.Model):  # type: ignore[name-defined]
    __tablename__ = "target_hardening_record"

    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), primary_key=True)
    survey_date: Mapped[date | None] = mapped_column(Date)
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    other_items: Mapped[str] = mapped_column(Text, default="")
    installation_date: Mapped[date | None] = mapped_column(Date, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TaskingRecord(db.Model):  # type: ignore[name-defined]
    __tablename__ = "tasking_record"

    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), primary_key=True)
    meeting_date: Mapped[date | None] = mapped_column(Date, index=True)
    decision: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TaskingAction(db.Model):  # type: ignore[name-defined]
    __tablename__ = "tasking_action"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    # Set when the action is a recommendation of an ASB Case Review on the case (its action plan).
    case_review_id: Mapped[int | None] = mapped_column(ForeignKey("case_review.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(200))
    due_date: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CameraDeployment(db.Model):  # type: ignore[name-defined]
    __tablename__ = "camera_deployment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    camera: Mapped[str] = mapped_column(String(40))
    location: Mapped[str] = mapped_column(Text)
    signage: Mapped[bool] = mapped_column(Boolean, default=False)
    deployed_from: Mapped[date] = mapped_column(Date, index=True)
    deployed_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PowerUse(db.Model):  # type: ignore[name-defined]
    """An ASB tool or power used: which, when, on whom (name and age band), by whom.

    The law's order is kept by ``follows_id`` (migration 0023): a Community Protection Notice
    follows the warning before it, and a Fixed Penalty Notice or a prosecution follows a breach of a
    notice. A warning or notice has the expiry and review dates the council sets, and records
    whether the victim was told it was issued (only where telling them is safe).
    """

    __tablename__ = "power_use"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    power: Mapped[str] = mapped_column(String(32))
    used_on: Mapped[date] = mapped_column(Date, index=True)
    served_on_name: Mapped[str] = mapped_column(String(200))
    served_on_age_band: Mapped[str] = mapped_column(String(16))
    served_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The earlier record this one follows: the warning a notice follows, the notice whose breach
    # a fixed penalty or a prosecution follows.
    follows_id: Mapped[int | None] = mapped_column(ForeignKey("power_use.id"), index=True)
    expires_on: Mapped[date | None] = mapped_column(Date)
    review_on: Mapped[date | None] = mapped_column(Date)
    # "told" (on victim_told_on), "not_safe" (telling them is not safe), or None: not recorded yet.
    victim_told: Mapped[str | None] = mapped_column(String(16))
    victim_told_on: Mapped[date | None] = mapped_column(Date)


class PowerBreach(db.Model):  # type: ignore[name-defined]
    """A breach of a warning, notice, contract or order, on the day it happened."""

    __tablename__ = "power_breach"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    power_use_id: Mapped[int] = mapped_column(ForeignKey("power_use.id"), index=True)
    breached_on: Mapped[date] = mapped_column(Date, index=True)
    details: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


DHR_STAGES = {
    "notified": "Notified",
    "decided": "Decision to hold a review",
    "panel": "Review panel",
    "report_writing": "Report writing",
    "home_office": "With the Home Office",
    "published": "Published",
}


class DomesticHomicideReview(db.Model):  # type: ignore[name-defined]
    """A Domestic Homicide Review the partnership holds, known by its operation name only: no
    victim's or family's name is kept here. Visible to supervisors and admins only.

    Each stage has the date it was reached (``<stage>_on``); ``stage`` is the latest reached.
    """

    __tablename__ = "domestic_homicide_review"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    operation: Mapped[str] = mapped_column(String(100), unique=True)
    stage: Mapped[str] = mapped_column(String(20))
    notified_on: Mapped[date] = mapped_column(Date)
    decided_on: Mapped[date | None] = mapped_column(Date)
    panel_on: Mapped[date | None] = mapped_column(Date)
    report_writing_on: Mapped[date | None] = mapped_column(Date)
    home_office_on: Mapped[date | None] = mapped_column(Date)
    published_on: Mapped[date | None] = mapped_column(Date)
    agencies: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)
