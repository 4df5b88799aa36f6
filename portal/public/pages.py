"""The start page and the information pages every service must have.

Their words are the council's and the policy's only, so each is drawn once per process.
"""

from __future__ import annotations

from typing import Any

from flask import render_template

from portal.public import bp
from portal.web.drawn_pages import drawn_page


def _page(template: str) -> str:
    return drawn_page(("page", template), lambda: render_template(template))


@bp.get("/")
def start() -> Any:
    return _page("public/start.html")


@bp.get("/accessibility")
def accessibility() -> Any:
    return _page("pages/accessibility.html")


@bp.get("/privacy")
def privacy() -> Any:
    return _page("pages/privacy.html")


@bp.get("/cookies")
def cookies() -> Any:
    return _page("pages/cookies.html")


@bp.get("/leaving-quickly")
def leaving_quickly() -> Any:
    return _page("pages/leaving-quickly.html")
