"""Roles and what each may do, as data: the back-office's ``requires`` and the domain's checks
both ask ``can``. No Flask here, so a domain room can ask without importing a web room."""

from __future__ import annotations

from typing import Any

ROLES = ("officer", "supervisor", "admin")
ROLE_LABELS = {"officer": "Officer", "supervisor": "Supervisor", "admin": "Administrator"}

VIEW = "view"  # read the queue, cases, the agenda and the policy
WORK = "work"  # claim cases, record contact, notes, updates and the records of the work
SUPERVISE = "supervise"  # assign, re-route and close any case
ADMINISTER = "administer"  # manage accounts

ROLE_PERMISSIONS = {
    "officer": frozenset({VIEW, WORK}),
    "supervisor": frozenset({VIEW, WORK, SUPERVISE}),
    "admin": frozenset({VIEW, WORK, SUPERVISE, ADMINISTER}),
}


def can(user: Any, permission: str) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and permission in ROLE_PERMISSIONS.get(
        user.role, ()
    )
