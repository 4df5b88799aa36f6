"""The feedback form: a rating and an optional comment, and nothing that says who is writing."""

from __future__ import annotations

from portal.feedback.operations import COMMENT_MAX, SATISFACTION_LABELS
from portal.web.forms import PublicForm, optional_comment_field, rating_field


class FeedbackForm(PublicForm):
    satisfaction = rating_field(
        "Overall, how did you feel about the service you received today?",
        SATISFACTION_LABELS,
        "Select how you felt about the service",
    )
    comment = optional_comment_field(
        "How could we improve this service? (optional)",
        "Do not include personal or financial information, like your name, address, phone number "
        "or reference number. We cannot reply to feedback.",
        COMMENT_MAX,
        "Your feedback",
    )
