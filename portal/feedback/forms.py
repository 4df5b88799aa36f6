"""The feedback form: a rating and an optional comment, and nothing that says who is writing."""

from __future__ import annotations

from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Length

from portal.feedback.operations import COMMENT_MAX, SATISFACTION_LABELS
from portal.web.forms import CharacterCount, PublicForm, RadioInput, strip


class FeedbackForm(PublicForm):
    satisfaction = RadioField(
        "Overall, how did you feel about the service you received today?",
        choices=list(SATISFACTION_LABELS.items()),
        widget=RadioInput(),
        validators=[InputRequired(message="Select how you felt about the service")],
    )
    comment = TextAreaField(
        "How could we improve this service? (optional)",
        description=(
            "Do not include personal or financial information, like your name, address, phone number "
            "or reference number. We cannot reply to feedback."
        ),
        filters=[strip],
        widget=CharacterCount(),
        validators=[
            Length(max=COMMENT_MAX, message=f"Your feedback must be {COMMENT_MAX:,} characters or fewer"),
        ],
    )
