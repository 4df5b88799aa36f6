"""The one way to write the audit log: ``record`` adds an entry to the caller's transaction."""

from __future__ import annotations

from typing import Any

from portal.extensions import db
from portal.models import AuditEvent, Report, User
from portal.models.audit import AuditAction


def record(
    action: AuditAction,
    *,
    actor: User | None,
    report: Report | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    detail: str | None = None,
) -> AuditEvent:
    """Note who did what to which case, with the values before and after. Commits with the change."""
    entry = AuditEvent(
        action=action,
        actor_id=actor.id if actor is not None else None,
        report_id=report.id if report is not None else None,
        before=before,
        after=after,
        detail=detail,
    )
    db.session.add(entry)
    return entry
