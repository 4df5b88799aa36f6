"""The back-office for community safety officers."""

from flask import Blueprint

bp = Blueprint("officer", __name__, url_prefix="/officer")

from portal.officer import (  # noqa: E402,F401  (routes)
    accounts_views,
    agenda_views,
    auth_views,
    case_views,
    policy_views,
    queue_views,
    records_views,
)
