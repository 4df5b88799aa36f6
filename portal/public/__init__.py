"""The residents' side: the start page, the reporting journey and the information pages."""

from flask import Blueprint

bp = Blueprint("public", __name__)


@bp.context_processor
def _exit_this_page() -> dict[str, bool]:
    """Every page of the residents' side offers "Exit this page": anyone reporting may be watched,
    whatever they report (intimidation and harassment are ASB too)."""
    return {"exit_this_page": True}


from portal.public import (  # noqa: E402,F401  (registers the routes)
    case_review,
    device_views,
    journey_views,
    pages,
    satisfaction,
    your_report,
)
