"""A sign-in code an officer makes for a resident whose email is not safe, to see their report.

The officer with the case (or a supervisor) makes it from the case page and gives it to the resident
over the channel the case page names as safe. It is shown once, to that officer, and kept only as a
keyed hash; it works once, within ``RESIDENT_CODE_HOURS``, and a new code replaces the last
(``portal/reports/resident_access.py``). Making one is audited; the code itself never is.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from portal.cases.operations import NotAllowed, StaleCase, _changing, may_work_on
from portal.models import Report, User, audit
from portal.models.audit import AuditAction
from portal.models.resident_access import CODE
from portal.models.types import utcnow
from portal.reports import links, resident_access


def code_hours() -> int:
    return int(current_app.config["RESIDENT_CODE_HOURS"])


def shown(code: str) -> str:
    """A code as the officer reads it out: ABCD-EFGH."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def create_sign_in_code(reference: str, user: User, version: int | None) -> str:
    """Make a new code for the case ``reference``, replacing any before it, and return it (once).

    Making one moves the case's version on, so a second post from the same copy of the case page (a
    refresh of the page that showed the code) is refused and the code shown still works.
    """
    try:
        with _changing(reference, version) as report:
            return _new_code(report, user)
    except StaleCase:
        raise StaleCase(
            f"{reference.strip().upper()} has changed since you opened it, perhaps because a code was made "
            "from it (refreshing the page that shows a code sends it again). No new code was made: any code "
            "shown before still works. To replace it, use the button on the case page as it is now"
        ) from None


def _new_code(report: Report, user: User) -> str:
    if not may_work_on(user, report):
        raise NotAllowed("Only the officer with the case, or a supervisor, can make a sign-in code")
    if report.anonymous or report.anonymised_at is not None:
        raise NotAllowed("An anonymous or anonymised report has no resident to give a code to")
    code = links.new_code()
    resident_access.issue(report, CODE, resident_access.code_hash(code), timedelta(hours=code_hours()))
    # Whoever may have seen the old code is signed out: a new code is a fresh start.
    resident_access.end_sign_ins(report.id)
    report.updated_at = utcnow()  # moves the case's version on: the page that asked is now out of date
    audit.record(
        AuditAction.RESIDENT_CODE_CREATED,
        actor=user,
        report=report,
        after={"expires_in_hours": code_hours()},
        detail="a new code replaces any code made before it",
    )
    return code
