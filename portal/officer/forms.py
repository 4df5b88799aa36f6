"""The back-office forms."""

from __future__ import annotations

from govuk_frontend_wtf.wtforms_widgets import (
    GovDateInput,
    GovPasswordInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from wtforms import (
    DateField,
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Optional
from wtforms.widgets import HiddenInput

from portal.forms import PortalForm, strip
from portal.models.report import CONTACT_CHANNELS, OUTCOMES, STATUS_LABELS


class SignInForm(PortalForm):
    email = StringField(
        "Email address",
        filters=[strip],
        widget=GovTextInput(),
        validators=[DataRequired(message="Enter your email address")],
    )
    password = PasswordField(
        "Password", widget=GovPasswordInput(), validators=[DataRequired(message="Enter your password")]
    )


class VersionedForm(PortalForm):
    """A change to a case, made from the copy of the case the officer was looking at."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ClaimForm(PortalForm):
    pass


class AssignForm(VersionedForm):
    officer = SelectField("Assign to", choices=[], widget=GovSelect())


class StatusForm(VersionedForm):
    status = RadioField(
        "New status",
        choices=list(STATUS_LABELS.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select the new status")],
    )
    outcome = RadioField(
        "Outcome (needed to close the case)",
        choices=list(OUTCOMES.items()),
        widget=GovRadioInput(),
        validators=[Optional()],
    )


class FirstContactForm(VersionedForm):
    contacted_on = DateField(
        "Date of first contact",
        description="For example, 27 11 2026",
        widget=GovDateInput(),
        format="%d %m %Y",
        validators=[InputRequired(message="Enter the date of first contact")],
    )
    channel = RadioField(
        "How was the resident contacted?",
        choices=list(CONTACT_CHANNELS.items()),
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select how the resident was contacted")],
    )


class RerouteForm(VersionedForm):
    route = RadioField(
        "New route",
        choices=[
            ("mediation", "Mediation"),
            ("target_hardening", "Target hardening"),
            ("tasking", "Tasking meeting"),
        ],
        widget=GovRadioInput(),
        validators=[InputRequired(message="Select the new route")],
    )
    reason = TextAreaField(
        "Reason for re-routing",
        filters=[strip],
        widget=GovTextArea(),
        validators=[DataRequired(message="Enter the reason for re-routing")],
    )


class NoteForm(PortalForm):
    text = TextAreaField(
        "Internal note",
        description="Only officers see notes. They are never shown or sent to the resident.",
        filters=[strip],
        widget=GovTextArea(),
        validators=[DataRequired(message="Enter the note")],
    )


class UpdateForm(PortalForm):
    text = TextAreaField(
        "Update for the resident",
        description=(
            "This is emailed to the resident exactly as written. Do not include anything about other people."
        ),
        filters=[strip],
        widget=GovTextArea(),
        validators=[DataRequired(message="Enter the update")],
    )
