"""Residents' feedback on the service: the page the phase banner links to, and what it stores.

``operations`` keeps and reads the answers (the back-office lists them from
``portal/officer/views/feedback.py``); ``views`` is the residents' page. It asks for no personal
data, and the comment, free text that may still name someone, goes at the end of the retention
period like the residents' other words (``portal/privacy/retention.py``).
"""

from flask import Blueprint

bp = Blueprint("feedback", __name__)


@bp.context_processor
def _exit_this_page() -> dict[str, bool]:
    """A resident may come here from the confirmation of a report about someone who watches them."""
    return {"exit_this_page": True}


from portal.feedback import views  # noqa: E402,F401  (registers the routes)
