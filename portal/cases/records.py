"""The records of the work done on a case, per route: they feed the yearly figures for scrutiny.

Which records a case has (its ``sections``), kept simple on purpose:

- the record of the route the case is on now: mediation, target hardening, or the tasking meeting
  (its date and decision, the actions agreed, and wildlife camera deployments);
- "ASB tools and powers" for reports of anti-social behaviour and neighbour disputes, and for any
  case at the tasking meeting: those are the cases the powers are used on. A safety concern (a
  burglary, say) on target hardening has none;
- and any record already made, even after the case was re-routed: the work was done, it still
  counts in the figures, and the officer may still need to finish it (the outcome of mediation).

A record can only be made in a section the case has; a post for another is refused. Every change
goes through ``operations.change_work_record``: the officer with the case or a supervisor, working
from the current version of the case, and written to the audit log with the values before and
after (plain JSON: dates as ISO strings). Bad values raise ``CaseError`` and nothing changes.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import or_, select, text

from portal.cases import operations
from portal.extensions import db
from portal.models import (
    CameraDeployment,
    MediationRecord,
    PowerUse,
    Report,
    TargetHardeningRecord,
    TaskingAction,
    TaskingRecord,
    User,
)
from portal.models.audit import AuditAction
from portal.models.work import AGE_BANDS, HARDENING_ITEMS, MEDIATION_OUTCOMES, POWERS
from portal.reports.triage_policy import current_policy
from portal.text.labels import ROUTE_LABELS
from portal.triage.calendar import london_date, london_today

MEDIATION = "mediation"
TARGET_HARDENING = "target_hardening"
TASKING = "tasking"
ASB_POWERS = "powers"
SECTIONS = (MEDIATION, TARGET_HARDENING, TASKING, ASB_POWERS)
SECTION_TITLES = {
    MEDIATION: ROUTE_LABELS[MEDIATION],
    TARGET_HARDENING: ROUTE_LABELS[TARGET_HARDENING],
    TASKING: "Tasking meeting",  # the meeting's record, on whichever route the case is
    ASB_POWERS: "ASB tools and powers",
}
NOT_IN_SECTION = {
    MEDIATION: "it is not on the mediation route",
    TARGET_HARDENING: "it is not on the target hardening route",
    TASKING: "it is not on the tasking route",
    ASB_POWERS: (
        "they are recorded on reports of anti-social behaviour or neighbour disputes, "
        "and on cases at the tasking meeting"
    ),
}

DEFAULT_CAMERAS = ("WC-01", "WC-02", "WC-03", "WC-04", "WC-05", "WC-06")
MAX_SESSIONS = 50
NAME_MAX = 200
SHORT_TEXT_MAX = 1000
# Dates still to come (a meeting, an action's due date, a camera booked) are at most a year ahead,
# and a deployment lasts at most a year: a guard against a mistyped year, not a policy.
AHEAD = timedelta(days=366)
# An outcome other than "declined" can only come out of mediation sessions.
OUTCOMES_NEEDING_A_SESSION = ("agreement", "partial_agreement", "no_agreement")


@dataclass
class WorkRecords:
    """Every record of the work on one case, and the sections the case page shows."""

    report: Report
    mediation: MediationRecord | None
    hardening: TargetHardeningRecord | None
    tasking: TaskingRecord | None
    actions: list[TaskingAction] = field(default_factory=list)
    cameras: list[CameraDeployment] = field(default_factory=list)
    powers: list[PowerUse] = field(default_factory=list)

    @property
    def sections(self) -> tuple[str, ...]:
        due = set(_sections_by_rule(self.report))
        if self.mediation is not None:
            due.add(MEDIATION)
        if self.hardening is not None:
            due.add(TARGET_HARDENING)
        if self.tasking is not None or self.actions or self.cameras:
            due.add(TASKING)
        if self.powers:
            due.add(ASB_POWERS)
        return tuple(section for section in SECTIONS if section in due)


def _sections_by_rule(report: Report) -> tuple[str, ...]:
    sections = [report.current_route] if report.current_route in SECTIONS else []
    # The ASB tools and powers are used on the policy's ASB kinds of report, whatever their route.
    if report.kind in current_policy().asb_kinds or report.current_route == TASKING:
        sections.append(ASB_POWERS)
    return tuple(sections)


def work_records(report: Report) -> WorkRecords:
    # The three records a case has at most one of, in one query: each query is a round trip.
    mediation, hardening, tasking = db.session.execute(
        select(MediationRecord, TargetHardeningRecord, TaskingRecord)
        .select_from(Report)
        .outerjoin(MediationRecord, MediationRecord.report_id == Report.id)
        .outerjoin(TargetHardeningRecord, TargetHardeningRecord.report_id == Report.id)
        .outerjoin(TaskingRecord, TaskingRecord.report_id == Report.id)
        .where(Report.id == report.id)
    ).one()
    return WorkRecords(
        report=report,
        mediation=mediation,
        hardening=hardening,
        tasking=tasking,
        actions=list(
            db.session.scalars(
                select(TaskingAction)
                # An ASB Case Review's recommendations are shown with the review, not here.
                .where(TaskingAction.report_id == report.id, TaskingAction.case_review_id.is_(None))
                .order_by(TaskingAction.due_date, TaskingAction.id)
            )
        ),
        cameras=list(
            db.session.scalars(
                select(CameraDeployment)
                .where(CameraDeployment.report_id == report.id)
                .order_by(CameraDeployment.deployed_from, CameraDeployment.id)
            )
        ),
        powers=list(
            db.session.scalars(
                select(PowerUse)
                .where(PowerUse.report_id == report.id)
                .order_by(PowerUse.used_on, PowerUse.id)
            )
        ),
    )


def partnership_cameras() -> tuple[str, ...]:
    """The partnership's set of wildlife cameras, by the names painted on them."""
    return tuple(current_app.config.get("PARTNERSHIP_CAMERAS") or DEFAULT_CAMERAS)


def today() -> date:
    return london_today()


# --- Checking what the officer entered ----------------------------------------------------------


def _words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def _reported_on(report: Report) -> date:
    return london_date(report.submitted_at)


def _in_section(report: Report, section: str) -> None:
    if section not in work_records(report).sections:
        raise operations.CaseError(
            f"{SECTION_TITLES[section]} cannot be recorded on {report.reference}: {NOT_IN_SECTION[section]}"
        )


def _done_day(day: date | None, what: str, report: Report) -> date:
    """The date something was done: on or after the day of the report, and not after today."""
    if day is None:
        raise operations.CaseError(f"Enter the {what}")
    earliest, latest = _reported_on(report), today()
    if not earliest <= day <= latest:
        raise operations.CaseError(
            f"The {what} must be between the date of the report ({_words(earliest)}) and today"
        )
    return day


def _coming_day(day: date | None, what: str, report: Report) -> date:
    """A date that may still be to come: on or after the day of the report, at most a year ahead."""
    if day is None:
        raise operations.CaseError(f"Enter the {what}")
    earliest, latest = _reported_on(report), today() + AHEAD
    if not earliest <= day <= latest:
        raise operations.CaseError(
            f"The {what} must be between the date of the report ({_words(earliest)}) and {_words(latest)}"
        )
    return day


def _text(value: str | None, what: str, limit: int, *, required: bool = True) -> str:
    value = (value or "").replace("\x00", "").strip()
    if required and not value:
        raise operations.CaseError(f"Enter {what}")
    if len(value) > limit:
        raise operations.CaseError(f"{what[0].upper()}{what[1:]} must be {limit:,} characters or fewer")
    return value


def _choice(value: str | None, choices: Iterable[str], message: str) -> str:
    if value is None or value not in tuple(choices):
        raise operations.CaseError(message)
    return value


# --- Mediation ----------------------------------------------------------------------------------


def mediation_values(record: MediationRecord | None) -> dict[str, Any]:
    """The record as the audit log keeps it: plain JSON values, dates as ISO strings."""
    if record is None:
        return {"referral_date": None, "sessions": None, "outcome": None}
    return {
        "referral_date": _iso(record.referral_date),
        "sessions": record.sessions,
        "outcome": record.outcome,
    }


def save_mediation(
    reference: str,
    user: User,
    version: int | None,
    referral_date: date | None,
    sessions: int | None,
    outcome: str | None,
) -> Report:
    """The date of referral to mediation, the sessions held so far, and the outcome once known."""

    def change(report: Report) -> tuple[dict[str, Any], dict[str, Any]]:
        _in_section(report, MEDIATION)
        referred = _done_day(referral_date, "date of referral to mediation", report)
        if sessions is None or not 0 <= sessions <= MAX_SESSIONS:
            raise operations.CaseError(
                f"Enter the number of mediation sessions held, from 0 to {MAX_SESSIONS}"
            )
        result = outcome or None
        if result is not None:
            _choice(result, MEDIATION_OUTCOMES, "Choose the outcome of mediation from the list")
        if result in OUTCOMES_NEEDING_A_SESSION and sessions == 0:
            raise operations.CaseError(
                f"Mediation cannot end in {MEDIATION_OUTCOMES[result].lower()} with no sessions: "
                "enter the number of sessions held"
            )
        record = db.session.get(MediationRecord, report.id)
        before = mediation_values(record)
        if record is None:
            record = MediationRecord(report_id=report.id)
            db.session.add(record)
        record.referral_date, record.sessions, record.outcome = referred, sessions, result
        return before, mediation_values(record)

    return operations.change_work_record(reference, user, version, AuditAction.MEDIATION_RECORDED, change)


# --- Target hardening ---------------------------------------------------------------------------


def hardening_values(record: TargetHardeningRecord | None) -> dict[str, Any]:
    if record is None:
        return {"survey_date": None, "items": [], "other_items": None, "installation_date": None}
    return {
        "survey_date": _iso(record.survey_date),
        "items": list(record.items or []),
        "other_items": record.other_items or None,
        "installation_date": _iso(record.installation_date),
    }


def save_target_hardening(
    reference: str,
    user: User,
    version: int | None,
    survey_date: date | None,
    items: Iterable[str],
    other_items: str | None,
    installation_date: date | None,
) -> Report:
    """The survey, the items fitted (from the list, "other" described), and when they were installed."""

    def change(report: Report) -> tuple[dict[str, Any], dict[str, Any]]:
        _in_section(report, TARGET_HARDENING)
        surveyed = _done_day(survey_date, "date of the survey", report)
        chosen = set(items or ())
        if not chosen <= HARDENING_ITEMS.keys():
            raise operations.CaseError("Choose the items fitted from the list")
        fitted = [item for item in HARDENING_ITEMS if item in chosen]
        if "other" in chosen:
            other = _text(other_items, "what other items were fitted", SHORT_TEXT_MAX)
        else:
            other = ""
        installed = None
        if installation_date is not None:
            installed = _done_day(installation_date, "date of installation", report)
            if installed < surveyed:
                raise operations.CaseError(
                    "The date of installation must be the same as or after the date of the survey"
                )
            if not fitted:
                raise operations.CaseError("Choose the items fitted, or leave the date of installation empty")
        record = db.session.get(TargetHardeningRecord, report.id)
        before = hardening_values(record)
        if record is None:
            record = TargetHardeningRecord(report_id=report.id)
            db.session.add(record)
        record.survey_date, record.items = surveyed, fitted
        record.other_items, record.installation_date = other, installed
        return before, hardening_values(record)

    return operations.change_work_record(
        reference, user, version, AuditAction.TARGET_HARDENING_RECORDED, change
    )


# --- Tasking: the meeting, its actions, wildlife cameras -----------------------------------------


def tasking_values(record: TaskingRecord | None) -> dict[str, Any]:
    if record is None:
        return {"meeting_date": None, "decision": None}
    return {"meeting_date": _iso(record.meeting_date), "decision": record.decision or None}


def save_tasking(
    reference: str, user: User, version: int | None, meeting_date: date | None, decision: str | None
) -> Report:
    """The tasking meeting the case goes to, and once it has been held, what it decided."""

    def change(report: Report) -> tuple[dict[str, Any], dict[str, Any]]:
        _in_section(report, TASKING)
        meeting = _coming_day(meeting_date, "date of the tasking meeting", report)
        decided = _text(decision, "the decision", operations.TEXT_MAX, required=False)
        if decided and meeting > today():
            raise operations.CaseError(
                f"The meeting on {_words(meeting)} has not been held yet: "
                "record its decision on or after that day"
            )
        record = db.session.get(TaskingRecord, report.id)
        before = tasking_values(record)
        if record is None:
            record = TaskingRecord(report_id=report.id)
            db.session.add(record)
        record.meeting_date, record.decision = meeting, decided
        return before, tasking_values(record)

    return operations.change_work_record(reference, user, version, AuditAction.TASKING_RECORDED, change)


def add_action(
    reference: str,
    user: User,
    version: int | None,
    description: str | None,
    owner: str | None,
    due: date | None,
) -> Report:
    """An action agreed at tasking: what, whose (a person or an agency), and by when."""

    def change(report: Report) -> tuple[dict[str, Any], dict[str, Any]]:
        _in_section(report, TASKING)
        action = new_action(report, description, owner, due)
        return {}, {
            "action": action.description,
            "owner": action.owner,
            "due_date": action.due_date.isoformat(),
        }

    return operations.change_work_record(reference, user, version, AuditAction.TASKING_ACTION_ADDED, change)


def new_action(
    report: Report,
    description: str | None,
    owner: str | None,
    due: date | None,
    case_review_id: int | None = None,
) -> TaskingAction:
    """An action on the locked case, checked: what, whose (a person or an agency), and by when. An
    ASB Case Review's recommendations are actions too, carrying the review's id."""
    what = _text(description, "the action", SHORT_TEXT_MAX)
    who = _text(owner, "who owns the action", NAME_MAX)
    by = _coming_day(due, "date the action is due", report)
    action = TaskingAction(
        report_id=report.id, case_review_id=case_review_id, description=what, owner=who, due_date=by
    )
    db.session.add(action)
    return action


def complete_action(reference: str, user: User, version: int | None, action_id: int) -> Report:
    """Mark an action of this case done, today."""

    def change(report: Report) -> tuple[dict[str, Any], dict[str, Any]]:
        return mark_done(report, action_id)

    return operations.change_work_record(reference, user, version, AuditAction.TASKING_ACTION_DONE, change)


def mark_done(
    report: Report, action_id: int, case_review_id: int | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Mark an action of the locked case done, today: a tasking action, or a recommendation of the
    ASB Case Review ``case_review_id``. Returns the values before and after, for the audit entry."""
    action = db.session.get(TaskingAction, action_id)
    if action is None or action.report_id != report.id or action.case_review_id != case_review_id:
        raise operations.CaseError(f"{report.reference} has no such action")
    if action.done_on is not None:
        raise operations.CaseError(f"That action was already marked done on {_words(action.done_on)}")
    action.done_on = today()
    return (
        {"action": action.description, "done_on": None},
        {"action": action.description, "done_on": action.done_on.isoformat()},
    )


def _hold_camera(camera: str) -> None:
    """Queue bookings of one camera on PostgreSQL, where cases are locked one by one (SQLite
    write transactions already take turns)."""
    if db.session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"camera:{camera}".encode())
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def _clash(camera: str, start: date, end: date) -> CameraDeployment | None:
    """A deployment of ``camera``, on any case, overlapping ``start`` to ``end`` (both days included)."""
    return db.session.scalars(
        select(CameraDeployment)
        .where(
            CameraDeployment.camera == camera,
            CameraDeployment.deployed_from <= end,
            or_(CameraDeployment.deployed_to.is_(None), CameraDeployment.deployed_to >= start),
        )
        .order_by(CameraDeployment.deployed_from)
    ).first()


def add_camera(
    reference: str,
    user: User,
    version: int | None,
    camera: str | None,
    location: str | None,
    signage: bool | None,
    deployed_from: date | None,
    deployed_to: date | None,
) -> Report:
    """A wildlife camera of the partnership's set put up: where, with signage or not, from and to.

    One camera is in one place at a time: a period overlapping another booking of the same camera,
    on any case, is refused, naming the case that has it.
    """

    def change(report: Report) -> tuple[dict[str, Any], dict[str, Any]]:
        _in_section(report, TASKING)
        name = _choice(camera, partnership_cameras(), "Choose a camera from the partnership's set")
        where = _text(location, "where the camera was put up", SHORT_TEXT_MAX)
        if signage is None:
            raise operations.CaseError("Say whether signage was put up")
        start = _coming_day(deployed_from, "date the camera was put up", report)
        if deployed_to is None:
            raise operations.CaseError("Enter the date the camera comes down")
        if deployed_to < start:
            raise operations.CaseError(
                "The date the camera comes down must be the same as or after the date it goes up"
            )
        if deployed_to > start + AHEAD:
            raise operations.CaseError("A camera can be deployed for a year at most: check the dates")
        _hold_camera(name)
        clash = _clash(name, start, deployed_to)
        if clash is not None:
            holder = db.session.get(Report, clash.report_id)
            case = (
                "this case" if clash.report_id == report.id else f"case {holder.reference if holder else ''}"
            )
            until = _words(clash.deployed_to) if clash.deployed_to else "further notice"
            raise operations.CaseError(
                f"Camera {name} is already deployed for {case} from {_words(clash.deployed_from)} "
                f"to {until}: choose another camera or other dates"
            )
        db.session.add(
            CameraDeployment(
                report_id=report.id,
                camera=name,
                location=where,
                signage=signage,
                deployed_from=start,
                deployed_to=deployed_to,
            )
        )
        return {}, {
            "camera": name,
            "location": where,
            "signage": signage,
            "deployed_from": start.isoformat(),
            "deployed_to": deployed_to.isoformat(),
        }

    return operations.change_work_record(reference, user, version, AuditAction.CAMERA_DEPLOYED, change)


# --- ASB tools and powers -----------------------------------------------------------------------


def add_power_use(
    reference: str,
    user: User,
    version: int | None,
    power: str | None,
    used_on: date | None,
    served_on_name: str | None,
    served_on_age_band: str | None,
    served_by: str | None,
) -> Report:
    """An ASB tool or power used: which, when, on whom (name and age band), and who served it."""

    def change(report: Report) -> tuple[dict[str, Any], dict[str, Any]]:
        _in_section(report, ASB_POWERS)
        which = _choice(power, POWERS, "Choose the tool or power used from the list")
        when = _done_day(used_on, "date it was served", report)
        whom = _text(served_on_name, "the name of the person it was served on", NAME_MAX)
        band = _choice(served_on_age_band, AGE_BANDS, "Choose the age band of the person it was served on")
        by = _text(served_by, "who served it", NAME_MAX)
        db.session.add(
            PowerUse(
                report_id=report.id,
                power=which,
                used_on=when,
                served_on_name=whom,
                served_on_age_band=band,
                served_by=by,
            )
        )
        return {}, {
            "power": which,
            "used_on": when.isoformat(),
            "served_on_name": whom,
            "served_on_age_band": band,
            "served_by": by,
        }

    return operations.change_work_record(reference, user, version, AuditAction.POWER_USED, change)
