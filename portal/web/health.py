"""``/healthz``: whether this instance can reach its database."""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy.exc import SQLAlchemyError

from portal.extensions import db
from portal.mail.outbox import failed_count

bp = Blueprint("health", __name__)
log = logging.getLogger(__name__)


@bp.get("/healthz")
def healthz() -> Any:
    """200 while the database answers, 503 otherwise; with the count of emails given up on.

    Emails that failed after their last attempt do not make this instance unhealthy (a load
    balancer should keep sending it residents), but monitoring should alert on a count above 0.
    """
    try:
        failed = failed_count()
        db.session.rollback()
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("health check: database unavailable", extra={"error": type(error).__name__})
        return jsonify(status="unavailable", database="unavailable"), 503
    return jsonify(status="ok", database="ok", outbox_failed=failed)
