"""A case's timeline in the words a person would use: "Closed: resolved", "Status: in progress",
"First contact by phone on 1 December", never ``status: new → closed``.

Every change is one entry. Views are many (an officer may open a case a dozen times a day), so
each officer's views on one London day are summed up in one entry: "Viewed 3 times by Sam Officer".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from portal.cases.satisfaction import ANSWER_LABELS
from portal.extensions import db
from portal.models import Attachment, AuditEvent, Incident, Report, User
from portal.models.audit import AUDIT_WORDS, IS_CHANGE, IS_VIEW, AuditAction
from portal.models.report import OUTCOMES, STATUS_LABELS
from portal.models.work import AGE_BANDS, HARDENING_ITEMS, MEDIATION_OUTCOMES, POWERS
from portal.text.labels import HARM_LABELS, ROUTE_LABELS
from portal.triage.calendar import LONDON
from portal.triage.contract import HARM_QUESTIONS

# How each way of first contact is said after "First contact".
CONTACT_WORDS = {
    "phone": "by phone",
    "text": "by text message",
    "email": "by email",
    "visit": "by a home visit",
    "letter": "by letter",
    "in_person": "in person",
}
# The labels of the coded values a record of the work keeps, by the name the audit log gives them.
VALUE_LABELS: dict[str, dict[str, str]] = {
    "outcome": MEDIATION_OUTCOMES,
    "items": HARDENING_ITEMS,
    "power": POWERS,
    "served_on_age_band": AGE_BANDS,
}
_CODE = re.compile(r"^[a-z]+(_[a-z]+)+$")


@dataclass(frozen=True)
class IncidentShown:
    """An incident the resident added, as the case page shows it: their words, the harm questions
    they answered yes (as the report's summary words them), and its evidence files."""

    occurred_on: date
    time_of_day: str
    what_happened: str
    who: str
    harm: tuple[str, ...]
    effect: str
    files: tuple[Any, ...]  # Attachment rows, loaded here: the page runs no query as it renders


@dataclass(frozen=True)
class Entry:
    """One line of the timeline: what happened, who did it (``None`` for the portal or when
    ``words`` already names them), when, any detail such as a reason, and the audit action behind it."""

    at: datetime
    words: str
    who: str | None = None
    detail: str | None = None
    action: str | None = None
    incident: IncidentShown | None = None  # an incident the resident added, with its words


def day_words(day: date | str, year_of: date | None = None) -> str:
    """ "1 December", with the year only when it is not the year of ``year_of``."""
    if isinstance(day, str):
        day = date.fromisoformat(day)
    words = f"{day.day} {day:%B}"
    return words if year_of is not None and day.year == year_of.year else f"{words} {day.year}"


def _value_words(value: Any, labels: dict[str, str]) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_value_words(item, labels) for item in value) or "none"
    if isinstance(value, str) and value in labels:
        return labels[value]
    if isinstance(value, str):
        try:
            return day_words(date.fromisoformat(value))
        except ValueError:
            return value.replace("_", " ") if _CODE.match(value) else value
    return str(value)


def _changes(before: dict[str, Any], after: dict[str, Any]) -> str | None:
    """What a record now holds that it did not before, as "Sessions: 2; outcome: agreement"."""
    said = [
        f"{key.replace('_', ' ')}: {_value_words(value, VALUE_LABELS.get(key, {}))}"
        for key, value in after.items()
        if value not in (None, "", []) and before.get(key) != value
    ]
    words = "; ".join(said)
    return words[:1].upper() + words[1:] if words else None


def _status_words(before: dict[str, Any], after: dict[str, Any]) -> str:
    status = after.get("status", "")
    label = STATUS_LABELS.get(status, status).lower()
    if status == "closed":
        outcome = after.get("outcome")
        return f"Closed: {OUTCOMES[outcome].lower()}" if outcome in OUTCOMES else "Closed"
    if before.get("status") == "closed":
        return f"Reopened: {label}"
    return f"Status: {label}"


def _first_contact_words(before: dict[str, Any], after: dict[str, Any], at: datetime) -> str:
    channel = after.get("first_contact_channel")
    how = CONTACT_WORDS.get(channel or "", (channel or "").replace("_", " "))
    on = after.get("first_contact_on")
    when = f" on {day_words(on, at.astimezone(LONDON).date())}" if on else ""
    changed = " changed to" if before.get("first_contact_on") else ""
    return f"First contact{changed} {how}{when}"


def entry_for(event: AuditEvent, who: str | None) -> Entry:
    """One change to a case, in words."""
    action, before, after = event.action, event.before or {}, event.after or {}
    words = AUDIT_WORDS.get(action) or action.replace("_", " ").capitalize()  # type: ignore[call-overload]
    detail: str | None = None
    if action == AuditAction.STATUS_CHANGED:
        words = _status_words(before, after)
    elif action == AuditAction.FIRST_CONTACT:
        words = _first_contact_words(before, after, event.at)
    elif action == AuditAction.ASSIGNED:
        words = f"Assigned to {after['assignee']}" if after.get("assignee") else "Unassigned"
    elif action == AuditAction.REROUTED:
        route = after.get("route", "")
        words, detail = f"Re-routed to {ROUTE_LABELS.get(route, route).lower()}", event.detail
    elif action == AuditAction.DOWNLOADED:
        words = f"Downloaded {after.get('file')}"
    elif action == AuditAction.SATISFACTION_ANSWERED:
        answer = after.get("answer", "")
        words = f"Resident answered: {ANSWER_LABELS.get(answer, answer)}"
    elif action in (AuditAction.CASE_REVIEW_APPLIED, AuditAction.CASE_REVIEW_DECIDED):
        detail = event.detail
    elif action in (
        AuditAction.NOTE_ADDED,
        AuditAction.UPDATE_SENT,
        AuditAction.CLAIMED,
        AuditAction.SATISFACTION_SENT,
        AuditAction.RESIDENT_CODE_CREATED,
        AuditAction.RESIDENT_CODE_VOIDED,
    ):
        pass  # the words say it all
    else:
        detail = _changes(before, after) or event.detail
    return Entry(event.at, words, who, detail, event.action)


def _with_incident(entry: Entry, event: AuditEvent, incidents: dict[int, IncidentShown]) -> Entry:
    if event.action != AuditAction.INCIDENT_ADDED:
        return entry
    shown = incidents.get(int((event.after or {}).get("incident_id") or 0))
    return Entry(entry.at, entry.words, entry.who, event.detail, entry.action, shown)


def _views(report: Report) -> list[Entry]:
    """Each officer's views of the case on each London day, summed up in one entry.

    Read from the views' own index (officer and time only), so a case opened thousands of times
    is counted without reading its changes, and its timeline stays a line a day per officer.
    """
    rows = db.session.execute(
        select(AuditEvent.actor_id, User.name, AuditEvent.at)
        .outerjoin(User, AuditEvent.actor_id == User.id)
        .where(AuditEvent.report_id == report.id, IS_VIEW)
    )
    days: dict[tuple[int | None, date], tuple[str, int, datetime]] = {}
    for actor_id, name, at in rows:
        key = (actor_id, at.astimezone(LONDON).date())
        _, times, last = days.get(key, (name, 0, at))
        days[key] = (name or "the portal", times + 1, max(last, at))
    return [
        Entry(last, f"Viewed {'once' if times == 1 else f'{times} times'} by {name}")
        for name, times, last in days.values()
    ]


def incidents_shown(report: Report) -> dict[int, IncidentShown]:
    """The case's incidents by id, with their files (one query each for incidents and files; none
    for a case the resident added nothing to)."""
    if not report.incident_count:
        return {}
    rows = db.session.scalars(
        select(Incident).where(Incident.report_id == report.id).order_by(Incident.created_at, Incident.id)
    ).all()
    if not rows:
        return {}
    files: dict[int, list[Attachment]] = {}
    for item in db.session.scalars(
        select(Attachment)
        .where(Attachment.report_id == report.id, Attachment.incident_id.is_not(None))
        .order_by(Attachment.id)
    ):
        files.setdefault(item.incident_id or 0, []).append(item)
    return {
        row.id: IncidentShown(
            occurred_on=row.occurred_on,
            time_of_day=row.time_of_day,
            what_happened=row.what_happened,
            who=row.who,
            harm=tuple(HARM_LABELS[question] for question in HARM_QUESTIONS if row.harm.get(question)),
            effect=row.effect,
            files=tuple(files.get(row.id, ())),
        )
        for row in rows
    }


def timeline(report: Report) -> list[Entry]:
    """The case's history, newest first, ending with the report itself."""
    changes = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.report_id == report.id, IS_CHANGE)
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    )
    incidents = incidents_shown(report)
    entries = [
        _with_incident(entry_for(event, event.actor.name if event.actor else None), event, incidents)
        for event in changes
    ]
    entries.extend(_views(report))
    entries.sort(key=lambda entry: entry.at, reverse=True)
    route = ROUTE_LABELS.get(report.route, report.route).lower()
    entries.append(Entry(report.submitted_at, f"Reported by the resident and triaged to {route}"))
    return entries
