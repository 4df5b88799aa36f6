"""The back-office for community safety officers."""

from typing import Any

from flask import Blueprint

bp = Blueprint("officer", __name__, url_prefix="/officer")


@bp.before_request
def _session_limits() -> Any:
    from portal.officer.sessions import enforce_limits

    return enforce_limits()


from portal.officer import views  # noqa: E402,F401  (registers the routes)
