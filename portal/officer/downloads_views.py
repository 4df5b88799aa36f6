"""Downloads and exports: every evidence file and CSV file that left the back-office, for supervisors."""

from __future__ import annotations

from typing import Any

from flask import render_template

from portal.accounts.roles import SUPERVISE
from portal.cases import downloads
from portal.officer import bp
from portal.officer.permissions import requires


@bp.get("/downloads")
@requires(SUPERVISE)
def downloads_and_exports() -> Any:
    return render_template(
        "officer/downloads.html",
        entries=downloads.recent_downloads_and_exports(),
        limit=downloads.RECENT_LIMIT,
    )
