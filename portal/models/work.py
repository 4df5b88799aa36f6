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
    referral_date: Mapped[date | None] = mapped_column(Date)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class TargetHardeningRecord(db.Model):  # type: ignore[name-defined]
    __tablename__ = "target_hardening_record"

    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), primary_key=True)
    survey_date: Mapped[date | None] = mapped_column(Date)
    items: Mapped[list[str]] = mapped_column(JSON, default=list)
    other_items: Mapped[str] = mapped_column(Text, default="")
    installation_date: Mapped[date | None] = mapped_column(Date)
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
    done_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CameraDeployment(db.Model):  # type: ignore[name-defined]
    __tablename__ = "camera_deployment"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    camera: Mapped[str] = mapped_column(String(40))
    location: Mapped[str] = mapped_column(Text)
    signage: Mapped[bool] = mapped_column(Boolean, default=False)
    deployed_from: Mapped[date] = mapped_column(Date)
    deployed_to: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PowerUse(db.Model):  # type: ignore[name-defined]
    """An ASB tool or power used: which, when, on whom (name and age band), by whom."""

    __tablename__ = "power_use"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id"), index=True)
    power: Mapped[str] = mapped_column(String(32))
    used_on: Mapped[date] = mapped_column(Date)
    served_on_name: Mapped[str] = mapped_column(String(200))
    served_on_age_band: Mapped[str] = mapped_column(String(16))
    served_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
