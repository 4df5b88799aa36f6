"""The start page and the information pages every service must have."""

from __future__ import annotations

from typing import Any

from flask import render_template

from portal.public import bp


@bp.get("/")
def start() -> Any:
    return render_template("public/start.html")


@bp.get("/accessibility")
def accessibility() -> Any:
    return render_template("pages/accessibility.html")


@bp.get("/privacy")
def privacy() -> Any:
    return render_template("pages/privacy.html")


@bp.get("/cookies")
def cookies() -> Any:
    return render_template("pages/cookies.html")
