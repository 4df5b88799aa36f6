"""Friendly error pages. None of them loses a resident's draft: it stays on the server."""

from __future__ import annotations

import errno
import logging
import time
from typing import Any

from flask import Flask, render_template, request, session
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from portal.extensions import db, limiter
from portal.logs import security_event
from portal.triage.contract import DESCRIPTION_MAX

log = logging.getLogger(__name__)
# What writing a file fails with when there is no room for it.
_DISK_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}


def _residents_side() -> bool:
    """Whether the page is on the residents' side, where every page offers "Exit this page" (an
    error page included: someone may be watching whatever the report is about)."""
    return not request.path.startswith("/officer")


def _same_page() -> str:
    """The page the form came from, with its query (such as ``?change=1``)."""
    return request.full_path.rstrip("?")


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB" if size >= 1024 * 1024 else f"{max(size // 1024, 1)} KB"


def _database_unavailable(error: DBAPIError) -> bool:
    """Whether the error says the database could not be reached, rather than a fault of ours."""
    return error.connection_invalidated or isinstance(error, (OperationalError, InterfaceError))


def register(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError) -> Any:
        security_event("form", outcome="refused", reason="CSRF token missing or invalid")
        return render_template(
            "errors/form_expired.html", back_url=_same_page(), exit_this_page=_residents_side()
        ), 400

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge) -> Any:
        return (
            render_template(
                "errors/too_large.html",
                # Only a form with a file input is posted as multipart; any other was typed.
                with_files=request.mimetype == "multipart/form-data",
                description_limit=DESCRIPTION_MAX,
                back_url=_same_page(),
                file_limit=_megabytes(app.config["UPLOAD_MAX_BYTES"]),
                request_limit=_megabytes(app.config["MAX_CONTENT_LENGTH"] or 0),
                exit_this_page=_residents_side(),
            ),
            413,
        )

    @app.errorhandler(429)
    def too_many(error: HTTPException) -> Any:
        security_event("rate_limit", outcome="refused", reason=str(error.description))
        officer = request.blueprint == "officer"
        limit = limiter.current_limit
        wait = max(int(limit.reset_at - time.time()), 60) if limit is not None else 3600
        return (
            render_template(
                "errors/429.html",
                officer=officer,
                wait_minutes=-(-wait // 60),
                back_url=_same_page(),
                has_draft=not officer and session.get("draft_id") is not None,
                exit_this_page=_residents_side(),
            ),
            429,
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        code = error.code or 500
        template = f"errors/{code}.html" if code in (400, 403, 404, 405, 410) else "errors/generic.html"
        return render_template(template, error=error, exit_this_page=_residents_side()), code

    @app.errorhandler(DBAPIError)
    def database_error(error: DBAPIError) -> Any:
        # The database is away (restarting, failing over, unreachable): the service's own page, a
        # 503 that a load balancer and a resident both understand, never a bare 500.
        if not _database_unavailable(error):
            return server_error(error)
        db.session.rollback()
        log.warning("database unavailable", extra={"path": request.path, "error": type(error.orig).__name__})
        return render_template("errors/503.html", exit_this_page=_residents_side()), 503

    @app.errorhandler(Exception)
    def server_error(error: Exception) -> Any:
        log.exception("unhandled error", extra={"path": request.path})
        return render_template("errors/500.html"), 500

    @app.errorhandler(OSError)
    def disk_full(error: OSError) -> Any:
        # Werkzeug writes an upload of more than 500 KB to a temporary file as it arrives; on a
        # full disk that fails before any view runs. (A full upload folder is told by the view.)
        if error.errno not in _DISK_FULL:
            return server_error(error)
        log.error("request not saved: disk full", extra={"path": request.path, "errno": error.errno})
        return render_template(
            "errors/not_saved.html", back_url=_same_page(), exit_this_page=_residents_side()
        ), 503
