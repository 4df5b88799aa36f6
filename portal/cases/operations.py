"""Changes to a case. Each one checks who may make it and whether the officer's copy is current,
makes the change, writes its audit entry, and commits, all in one transaction.

Views call these and turn ``CaseError`` into a message for the officer; nothing changes then.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select, update

from portal.accounts.roles import SUPERVISE, WORK, can
from portal.cases import satisfaction
from portal.database import write_transaction
from portal.extensions import db
from portal.mail import queue_email
from portal.models import CaseNote, Incident, Report, User, audit
from portal.models.audit import AuditAction
from portal.models.incident import NOT_SEEN
from portal.models.report import CONTACT_CHANNELS, OPEN_STATUSES, OUTCOMES, STATUS_LABELS
from portal.models.types import utcnow
from portal.triage.decision import ROUTES

# Which status may follow which. Closing needs an outcome; reopening is for supervisors.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": ("in_progress", "closed"),
    "in_progress": ("awaiting_resident", "closed"),
    "awaiting_resident": ("in_progress", "closed"),
    "closed": ("in_progress",),
}
TEXT_MAX = 4000


class CaseError(Exception):
    """A change that cannot be made; ``str()`` is the message for the officer."""


class CaseNotFound(CaseError):
    pass


class StaleCase(CaseError):
    pass


class NotAllowed(CaseError):
    pass


class AlreadyClaimed(CaseError):
    pass


class IllegalTransition(CaseError):
    pass


_CASE_BY_REFERENCE = select(Report).where(Report.reference == bindparam("reference"))


def find_case(reference: str) -> Report:
    report = db.session.scalars(_CASE_BY_REFERENCE, {"reference": reference.strip().upper()}).first()
    if report is None:
        raise CaseNotFound(f"There is no case {reference}")
    return report


def may_work_on(user: User, report: Report) -> bool:
    """Officers work their own cases; supervisors any case."""
    return can(user, SUPERVISE) or (can(user, WORK) and report.assignee_id == user.id)


@contextmanager
def _changing(reference: str, version: int | None) -> Iterator[Report]:
    """The case, locked for this change, if the officer's copy (``version``) is still current."""
    with write_transaction():
        report = db.session.scalars(
            select(Report).where(Report.reference == reference.strip().upper()).with_for_update()
        ).first()
        if report is None:
            raise CaseNotFound(f"There is no case {reference}")
        if version is not None and report.version != version:
            raise StaleCase(
                f"{report.reference} has changed since you opened it. Your change was not saved: "
                "check the case as it is now and make your change again"
            )
        yield report


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise NotAllowed(message)


def _text(text: str, what: str) -> str:
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise CaseError(f"Enter the {what}")
    if len(text) > TEXT_MAX:
        raise CaseError(f"The {what} must be {TEXT_MAX:,} characters or fewer")
    return text


def record_view(reference: str, user: User) -> Report:
    """An officer opened the case: that is recorded too, and any incident the resident added that
    no officer had seen is seen now (the queue stops saying "new incident"). The case is returned
    as it was read."""
    report = find_case(reference)
    with write_transaction(keep_loaded=True):
        count = 0
        if report.incident_count:
            seen = db.session.execute(
                update(Incident)
                .where(Incident.report_id == report.id, NOT_SEEN)
                .values(seen_by_officer_at=utcnow())
                .execution_options(synchronize_session=False)
            )
            count = int(seen.rowcount or 0)  # type: ignore[attr-defined]
        detail = None
        if count:
            detail = f"{count} new incident{'s' if count > 1 else ''} added by the resident seen"
        audit.record(AuditAction.VIEWED, actor=user, report=report, detail=detail)
    return report


def claim(reference: str, user: User) -> Report:
    """Take an unassigned case. Of two officers claiming at once, exactly one gets it."""
    _require(can(user, WORK), "You cannot claim cases")
    with write_transaction():
        report = find_case(reference)
        if report.status not in OPEN_STATUSES:
            raise NotAllowed(f"{report.reference} is closed")
        won = db.session.execute(
            update(Report)
            .where(Report.id == report.id, Report.assignee_id.is_(None))
            .values(assignee_id=user.id, version=Report.version + 1)
            .execution_options(synchronize_session=False)
        )
        if (won.rowcount or 0) != 1:  # type: ignore[attr-defined]
            db.session.refresh(report)
            holder = report.assignee.name if report.assignee else "another officer"
            raise AlreadyClaimed(f"{report.reference} has already been claimed by {holder}")
        db.session.refresh(report)
        audit.record(AuditAction.CLAIMED, actor=user, report=report, after={"assignee": user.name})
    return report


def assign(reference: str, user: User, officer_id: int | None, version: int | None) -> Report:
    """A supervisor gives the case to an officer, or leaves it unassigned."""
    _require(can(user, SUPERVISE), "Only a supervisor can assign cases")
    with _changing(reference, version) as report:
        officer = db.session.get(User, officer_id) if officer_id is not None else None
        if officer_id is not None and (officer is None or not officer.active):
            raise CaseError("Choose an officer with an active account")
        before = {"assignee": report.assignee.name if report.assignee else None}
        report.assignee_id = officer.id if officer else None
        audit.record(
            AuditAction.ASSIGNED,
            actor=user,
            report=report,
            before=before,
            after={"assignee": officer.name if officer else None},
        )
    return report


def change_status(
    reference: str, user: User, status: str, outcome: str | None, version: int | None
) -> Report:
    """Move the case to ``status``. Closing it emails the resident, on a safe email only, once a case:
    the case is closed, and how satisfied are they (``portal/cases/satisfaction.py``)."""
    with _changing(reference, version) as report:
        _require(
            may_work_on(user, report),
            "Only the officer with the case, or a supervisor, can change its status",
        )
        _move(report, user, status, outcome)
    return report


def next_statuses(report: Report, user: User) -> tuple[str, ...]:
    """The statuses ``user`` may move the case to now: the status form offers these."""
    if not may_work_on(user, report) or (report.status == "closed" and not can(user, SUPERVISE)):
        return ()
    return TRANSITIONS[report.status]


def _move(report: Report, user: User, status: str, outcome: str | None) -> None:
    """Move the locked case to ``status`` along the workflow, with its audit entry."""
    if status not in TRANSITIONS:
        raise IllegalTransition("Choose a status")
    if status == report.status:
        raise IllegalTransition(f"The case is already {STATUS_LABELS[status].lower()}: choose another status")
    if status not in TRANSITIONS[report.status]:
        now, then = STATUS_LABELS[report.status].lower(), STATUS_LABELS[status].lower()
        raise IllegalTransition(f"A case that is {now} cannot become {then}")
    if report.status == "closed":
        _require(can(user, SUPERVISE), "Only a supervisor can reopen a closed case")
    before = {"status": report.status, "outcome": report.outcome}
    if status == "closed":
        if outcome not in OUTCOMES:
            raise IllegalTransition("Choose the outcome to close the case")
        report.outcome = outcome
        report.closed_at = utcnow()
    else:
        report.outcome = None
        report.closed_at = None
    report.status = status
    audit.record(
        AuditAction.STATUS_CHANGED,
        actor=user,
        report=report,
        before=before,
        after={"status": status, "outcome": report.outcome},
    )
    if status == "closed":
        satisfaction.ask_on_closing(report, user)


def record_first_contact(
    reference: str,
    user: User,
    on: date | None,
    channel: str,
    version: int | None,
    start_work: bool = False,
) -> Report:
    """The resident has been contacted: this stops the due-date clock.

    With ``start_work``, a new case also moves to in progress, in the same change: the audit log
    then has both entries, the contact and the status.
    """
    with _changing(reference, version) as report:
        _require(
            may_work_on(user, report), "Only the officer with the case, or a supervisor, can record contact"
        )
        if channel not in CONTACT_CHANNELS:
            raise CaseError("Choose how the resident was contacted")
        if on is None:
            raise CaseError("Enter the date of first contact")
        if on < report.submitted_at.date() or on > utcnow().date():
            raise CaseError("The date of first contact must be between the report's date and today")
        before = {
            "first_contact_on": _iso(report.first_contact_on),
            "first_contact_channel": report.first_contact_channel,
        }
        report.first_contact_on = on
        report.first_contact_channel = channel
        audit.record(
            AuditAction.FIRST_CONTACT,
            actor=user,
            report=report,
            before=before,
            after={"first_contact_on": on.isoformat(), "first_contact_channel": channel},
        )
        if start_work and report.status == "new":
            _move(report, user, "in_progress", None)
    return report


def reroute(reference: str, user: User, route: str, reason: str, version: int | None) -> Report:
    """Send the case to another route. The triage decision stays as it was, beside the override."""
    _require(can(user, SUPERVISE), "Only a supervisor can re-route a case")
    reason = _text(reason, "reason for re-routing")
    with _changing(reference, version) as report:
        if route not in ROUTES:
            raise CaseError("Choose a route")
        if route == report.current_route:
            raise CaseError(f"{report.reference} is already on that route")
        before = {"route": report.current_route}
        report.current_route = route
        report.override_reason = reason
        report.override_by_id = user.id
        report.override_at = utcnow()
        audit.record(
            AuditAction.REROUTED,
            actor=user,
            report=report,
            before=before,
            after={"route": route},
            detail=reason,
        )
    return report


def add_note(reference: str, user: User, text: str) -> CaseNote:
    """An internal note: for officers only, never shown or sent to residents."""
    _require(can(user, WORK), "You cannot add notes")
    text = _text(text, "note")
    with write_transaction():
        report = find_case(reference)
        note = CaseNote(report_id=report.id, kind="note", text=text, author_id=user.id)
        db.session.add(note)
        audit.record(AuditAction.NOTE_ADDED, actor=user, report=report, detail="internal note")
    return note


def post_update(reference: str, user: User, text: str) -> CaseNote:
    """A public update: emailed to the resident through the outbox, only on a safe email."""

    def send(report: Report, text: str) -> None:
        if not report.can_be_emailed:
            raise NotAllowed(
                "The resident cannot be emailed: they gave no email address or said email is not safe"
            )
        queue_email(
            purpose="case_update",
            recipient=report.reporter_email,
            subject=f"An update on your report {report.reference}",
            template="case_update",
            context={"reference": report.reference, "text": text},
            report_id=report.id,
        )

    return _public_update(
        reference, user, text, send, AuditAction.UPDATE_SENT, "public update emailed to the resident"
    )


def post_portal_update(reference: str, user: User, text: str) -> CaseNote:
    """A public update for a resident who cannot be emailed safely: never sent, it waits on their
    report page, which they see by signing in with a code an officer gives on a safe channel."""

    def keep(report: Report, _update: str) -> None:
        if report.can_be_emailed:
            raise NotAllowed(
                "The resident can be emailed: email the update, and it is on their report page too"
            )
        if report.anonymous or report.anonymised_at is not None:
            raise NotAllowed("No one can sign in to see an update on an anonymous or anonymised report")

    detail = "public update on the resident's report page, not emailed"
    return _public_update(reference, user, text, keep, AuditAction.UPDATE_POSTED, detail)


def _public_update(
    reference: str,
    user: User,
    text: str,
    deliver: Callable[[Report, str], None],
    action: AuditAction,
    detail: str,
) -> CaseNote:
    """A public update on the resident's report page; ``deliver`` checks it may go, and sends it."""
    text = _text(text, "update")
    with write_transaction():
        report = find_case(reference)
        _require(
            may_work_on(user, report),
            "Only the officer with the case, or a supervisor, can update the resident",
        )
        deliver(report, text)
        emailed = action == AuditAction.UPDATE_SENT
        note = CaseNote(report_id=report.id, kind="update", text=text, author_id=user.id, emailed=emailed)
        db.session.add(note)
        audit.record(action, actor=user, report=report, detail=detail)
        db.session.flush()
    return note


def change_work_record(
    reference: str,
    user: User,
    version: int | None,
    action: AuditAction,
    change: Callable[[Report], tuple[dict[str, Any], dict[str, Any]]],
) -> Report:
    """The one way to change a record of the work: ``change`` edits the records, returns (before, after).

    Touching the case moves its version on, so a form for the records opened before is told it is stale.
    """
    with _changing(reference, version) as report:
        _require(
            may_work_on(user, report), "Only the officer with the case, or a supervisor, can record the work"
        )
        before, after = change(report)
        report.updated_at = utcnow()
        audit.record(action, actor=user, report=report, before=before, after=after)
    return report


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def current_officers() -> list[User]:
    return list(db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)))
