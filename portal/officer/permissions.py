"""Who may do what in the back-office: every view asks here, and the answer comes from the roles
in ``portal.accounts.roles``.

Every back-office view is wrapped in ``requires(permission)``; the URL-map test fails if one is
not. Signing in is required before any of them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, current_app
from flask_login import current_user

from portal.accounts.roles import can
from portal.logs import security_event

F = TypeVar("F", bound=Callable[..., Any])


def requires(permission: str) -> Callable[[F], F]:
    """Sign-in, then ``permission``, before the view runs."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                security_event("access", outcome="refused", reason="not signed in")
                return current_app.login_manager.unauthorized()  # type: ignore[attr-defined]
            if not can(current_user, permission):
                security_event(
                    "access", outcome="refused", reason=f"needs {permission}", account=current_user.id
                )
                abort(403)
            return view(*args, **kwargs)

        guarded.required_permission = permission  # type: ignore[attr-defined]
        return guarded  # type: ignore[return-value]

    return decorate


def public_view(view: F) -> F:
    """Marks the one kind of back-office page open to anyone: signing in."""
    view.required_permission = None  # type: ignore[attr-defined]
    return view
