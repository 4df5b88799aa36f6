"""The back-office forms."""

from __future__ import annotations

from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovPasswordInput
from wtforms import (
    IntegerField,
    PasswordField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import AnyOf, DataRequired, EqualTo, InputRequired, Optional
from wtforms.widgets import HiddenInput

from portal.cases.operations import TEXT_MAX
from portal.models.case_review import APPLICANTS, CHANNELS, ESCALATION_RESULTS
from portal.models.report import CONTACT_CHANNELS, OUTCOMES, STATUS_LABELS
from portal.models.work import AGE_BANDS, HARDENING_ITEMS, MEDIATION_OUTCOMES, POWERS
from portal.text.labels import ROUTE_LABELS
from portal.web.case_review_fields import with_application_fields
from portal.web.forms import (
    CheckboxesInput,
    GovDateField,
    PortalForm,
    RadioInput,
    Select,
    TextArea,
    TextInput,
    strip,
)


class SignInForm(PortalForm):
    email = StringField(
        "Email address",
        filters=[strip],
        widget=TextInput(),
        validators=[DataRequired(message="Enter your email address")],
    )
    password = PasswordField(
        "Password", widget=GovPasswordInput(), validators=[DataRequired(message="Enter your password")]
    )


def _code_field() -> StringField:
    return StringField(
        "Code from your authenticator app",
        description="The 6-digit code, for example 123456",
        filters=[strip],
        widget=TextInput(),
        validators=[DataRequired(message="Enter the code from your authenticator app")],
    )


class TwoFactorForm(PortalForm):
    code = _code_field()


def _new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            "New password",
            description="At least 12 characters, and not one of the most common passwords.",
            widget=GovPasswordInput(),
            validators=[DataRequired(message="Enter a new password")],
        ),
        PasswordField(
            "Confirm new password",
            widget=GovPasswordInput(),
            validators=[
                DataRequired(message="Enter the new password again"),
                EqualTo("new_password", message="The passwords do not match: enter the same one twice"),
            ],
        ),
    )


class NewPasswordForm(PortalForm):
    """At first sign-in, in place of the one-time password someone else chose."""

    new_password, confirm_password = _new_password_fields()


class ChangePasswordForm(PortalForm):
    current_password = PasswordField(
        "Current password",
        widget=GovPasswordInput(),
        validators=[DataRequired(message="Enter your current password")],
    )
    new_password, confirm_password = _new_password_fields()
    code = _code_field()


class VersionedForm(PortalForm):
    """A change to a case, made from the copy of the case the officer was looking at."""

    version = IntegerField(widget=HiddenInput(), validators=[InputRequired()])


class ClaimForm(PortalForm):
    pass


class SignInCodeForm(VersionedForm):
    """Making a code for the resident to sign in and see their report: a button, with the case's
    version, so that refreshing the page that showed a code makes no second one."""


class AssignForm(VersionedForm):
    officer = SelectField("Assign to", choices=[], widget=Select())


class StatusForm(VersionedForm):
    """The case's status, its current one chosen; the outcome is asked only under "Closed"."""

    status = RadioField(
        "Status",
        choices=list(STATUS_LABELS.items()),
        widget=RadioInput(),
        validators=[InputRequired(message="Select the new status")],
    )
    outcome = RadioField(
        "Outcome",
        choices=list(OUTCOMES.items()),
        widget=RadioInput(),
        validators=[Optional()],
    )

    def validate(self, extra_validators: Any = None) -> bool:
        """The outcome is needed only to close the case. Without JavaScript it shows under every
        status, and an outcome chosen for another status is ignored."""
        valid = super().validate(extra_validators)
        if self.status.data == "closed" and self.outcome.data not in OUTCOMES:
            self.outcome.errors = [*self.outcome.errors, "Select the outcome to close the case"]
            return False
        return valid


START_WORK = "in_progress"


class FirstContactForm(VersionedForm):
    contacted_on = GovDateField(
        "Date of first contact",
        description="For example, 27 11 2026",
        validators=[InputRequired(message="Enter the date of first contact")],
    )
    channel = RadioField(
        "How was the resident contacted?",
        choices=list(CONTACT_CHANNELS.items()),
        widget=RadioInput(),
        validators=[InputRequired(message="Select how the resident was contacted")],
    )
    # Offered only while the case is new; ticked to begin with, as first contact starts the work.
    start_work = SelectMultipleField(
        "Status after first contact",
        choices=[(START_WORK, "Also change the status to in progress")],
        default=[START_WORK],
        widget=CheckboxesInput(),
        validators=[Optional()],
    )

    @property
    def starts_work(self) -> bool:
        return START_WORK in (self.start_work.data or [])


class RerouteForm(VersionedForm):
    route = RadioField(
        "New route",
        choices=list(ROUTE_LABELS.items()),
        widget=RadioInput(),
        validators=[InputRequired(message="Select the new route")],
    )
    reason = TextAreaField(
        "Reason for re-routing",
        filters=[strip],
        widget=TextArea(),
        validators=[DataRequired(message="Enter the reason for re-routing")],
    )


class NoteForm(PortalForm):
    text = TextAreaField(
        "Internal note",
        description="Only officers see notes. They are never shown or sent to the resident.",
        filters=[strip],
        widget=TextArea(),
        validators=[DataRequired(message="Enter the note")],
    )


class UpdateForm(PortalForm):
    text = TextAreaField(
        "Update for the resident",
        description=(
            "The resident sees this exactly as written, by email where email is safe and on their report "
            "page when they sign in. Do not include anything about other people."
        ),
        filters=[strip],
        widget=TextArea(),
        validators=[DataRequired(message="Enter the update")],
    )


# --- The records of the work, per route (portal.cases.records checks every value) ---------------


DATE_EXAMPLE = "For example, 27 11 2026"


class RecordDateField(GovDateField):
    """A date in a record of the work: an example in the hint, and the record's own messages."""

    def __init__(self, label: str, *, required: str | None = None, invalid: str, **kwargs: Any) -> None:
        kwargs.setdefault("description", DATE_EXAMPLE)
        validators = [InputRequired(message=required)] if required else [Optional()]
        super().__init__(label, validators, invalid=invalid, **kwargs)


class WholeNumberField(IntegerField):
    """A whole number typed in a GOV.UK text input, with a plain message if it is not one."""

    def __init__(self, label: str, *, required: str, invalid: str, **kwargs: Any) -> None:
        super().__init__(label, validators=[InputRequired(message=required)], widget=TextInput(), **kwargs)
        self.invalid_message = invalid

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.invalid_message) from None


def _choose(label: str, choices: list[tuple[str, str]], **kwargs: Any) -> RadioField:
    """Radios whose answer the records module checks, so a bad value gets its plain message."""
    return RadioField(label, choices=choices, widget=RadioInput(), validate_choice=False, **kwargs)


class MediationForm(VersionedForm):
    referral_date = RecordDateField(
        "Date referred to mediation",
        required="Enter the date of referral to mediation",
        invalid="The date of referral to mediation must be a real date, like 27 11 2026",
    )
    sessions = WholeNumberField(
        "Number of mediation sessions held",
        required="Enter the number of mediation sessions held, 0 if none yet",
        invalid="Enter the number of mediation sessions as a whole number, like 2",
    )
    mediation_outcome = _choose(
        "Outcome of mediation", [("", "Not known yet"), *MEDIATION_OUTCOMES.items()], default=""
    )


class TargetHardeningForm(VersionedForm):
    survey_date = RecordDateField(
        "Date of the survey",
        required="Enter the date of the survey",
        invalid="The date of the survey must be a real date, like 27 11 2026",
    )
    hardening_items = SelectMultipleField(
        "Items fitted",
        choices=list(HARDENING_ITEMS.items()),
        description="Select all that apply",
        widget=CheckboxesInput(),
        validate_choice=False,
    )
    other_items = StringField(
        "Other items fitted", description="If you selected Other", filters=[strip], widget=TextInput()
    )
    installation_date = RecordDateField(
        "Date of installation",
        invalid="The date of installation must be a real date, like 27 11 2026",
        description="Leave empty until the items are fitted. " + DATE_EXAMPLE,
    )


class TaskingForm(VersionedForm):
    meeting_date = RecordDateField(
        "Date of the tasking meeting",
        required="Enter the date of the tasking meeting",
        invalid="The date of the tasking meeting must be a real date, like 27 11 2026",
    )
    decision = TextAreaField(
        "Decision of the meeting",
        description="Leave empty until the meeting has been held",
        filters=[strip],
        widget=TextArea(),
    )


class TaskingActionForm(VersionedForm):
    action_description = TextAreaField(
        "Action", filters=[strip], widget=TextArea(), validators=[DataRequired(message="Enter the action")]
    )
    action_owner = StringField(
        "Owner",
        description="The person or agency who will do it",
        filters=[strip],
        widget=TextInput(),
        validators=[DataRequired(message="Enter who owns the action")],
    )
    action_due = RecordDateField(
        "Due by",
        required="Enter the date the action is due",
        invalid="The date the action is due must be a real date, like 27 11 2026",
    )


class CompleteActionForm(VersionedForm):
    pass


class CameraForm(VersionedForm):
    camera = SelectField("Camera", choices=[], widget=Select(), validate_choice=False)
    camera_location = StringField(
        "Where it was put up",
        description="For example, the footpath behind 12 to 20 Mill Lane",
        filters=[strip],
        widget=TextInput(),
    )
    signage = _choose("Was signage put up?", [("yes", "Yes"), ("no", "No")])
    camera_from = RecordDateField(
        "Up from",
        required="Enter the date the camera was put up",
        invalid="The date the camera was put up must be a real date, like 27 11 2026",
    )
    camera_to = RecordDateField(
        "Down on",
        required="Enter the date the camera comes down",
        invalid="The date the camera comes down must be a real date, like 27 11 2026",
    )


class PowerUseForm(VersionedForm):
    power = _choose("Tool or power used", list(POWERS.items()))
    power_date = RecordDateField(
        "Date served",
        required="Enter the date it was served",
        invalid="The date it was served must be a real date, like 27 11 2026",
    )
    served_on_name = StringField("Name of the person it was served on", filters=[strip], widget=TextInput())
    served_on_age_band = _choose("Their age band", list(AGE_BANDS.items()))
    served_by = StringField(
        "Who served it",
        description="Name and organisation, such as PC 1234 Smith, Derbyshire Police",
        filters=[strip],
        widget=TextInput(),
    )


class AccountForm(PortalForm):
    name = StringField(
        "Full name",
        filters=[strip],
        widget=TextInput(),
        validators=[DataRequired(message="Enter the person's name")],
    )
    email = StringField(
        "Email address",
        filters=[strip],
        widget=TextInput(),
        validators=[DataRequired(message="Enter their email address")],
    )
    role = RadioField(
        "Role",
        choices=[
            ("officer", "Officer: works cases"),
            ("supervisor", "Supervisor: also assigns, re-routes and closes any case"),
            ("admin", "Administrator: also manages accounts"),
        ],
        widget=RadioInput(),
        validators=[InputRequired(message="Select a role")],
    )
    password = PasswordField(
        "Password",
        description=(
            "At least 12 characters. Give it to them in person or by phone, never by email. It works "
            "once: they choose their own password when they first sign in."
        ),
        widget=GovPasswordInput(),
        validators=[DataRequired(message="Enter a password")],
    )


class AccountStatusForm(PortalForm):
    email = StringField(validators=[DataRequired()])
    active = StringField(validators=[AnyOf(["yes", "no"])])


class AccountEmailForm(PortalForm):
    """An administrator's action on one account, named by its email."""

    email = StringField(validators=[DataRequired()])


# --- An ASB Case Review after its threshold decision (portal.cases.case_review_steps checks it all) -


VICTIM_HEARD = {
    "invited": "The victim was invited to the meeting",
    "attended": "The victim attended the meeting",
    "in_writing": "The victim gave their views in writing",
}


class CaseReviewMeetingForm(PortalForm):
    meeting_on = RecordDateField(
        "Date of the review meeting",
        required="Enter the date of the review meeting",
        invalid="The date of the review meeting must be a real date, like 27 11 2026",
    )
    chair_name = StringField(
        "Name of the chair",
        description="The chair is independent of the agencies whose response is reviewed",
        filters=[strip],
        widget=TextInput(),
        validators=[DataRequired(message="Enter the name of the chair")],
    )
    chair_organisation = StringField(
        "The chair's organisation",
        description="For example, another council",
        filters=[strip],
        widget=TextInput(),
        validators=[DataRequired(message="Enter the chair's organisation")],
    )
    agencies_present = SelectMultipleField(
        "Agencies present",
        choices=[],
        description="Select all that apply",
        widget=CheckboxesInput(),
        validate_choice=False,
    )
    victim_heard = SelectMultipleField(
        "How the victim's views were heard",
        choices=list(VICTIM_HEARD.items()),
        description="Select all that apply",
        widget=CheckboxesInput(),
        validate_choice=False,
    )
    victim_views = TextAreaField(
        "Summary of the victim's views",
        filters=[strip],
        widget=TextArea(),
        validators=[DataRequired(message="Enter a summary of the victim's views")],
    )
    findings = TextAreaField(
        "What the review found",
        filters=[strip],
        widget=TextArea(),
        validators=[DataRequired(message="Enter what the review found")],
    )


class RecommendationForm(PortalForm):
    description = TextAreaField(
        "Recommendation",
        description="What is to be done",
        filters=[strip],
        widget=TextArea(),
        validators=[DataRequired(message="Enter the action")],
    )
    owner = StringField(
        "Owner",
        description="The person or agency who will do it",
        filters=[strip],
        widget=TextInput(),
        validators=[DataRequired(message="Enter who owns the action")],
    )
    due_date = RecordDateField(
        "Due by",
        required="Enter the date the action is due",
        invalid="The date the action is due must be a real date, like 27 11 2026",
    )


class CompleteRecommendationForm(PortalForm):
    pass


class OutcomeLetterForm(PortalForm):
    sent_on = RecordDateField(
        "Date the outcome letter was sent",
        required="Enter the date the outcome letter was sent",
        invalid="The date the outcome letter was sent must be a real date, like 27 11 2026",
    )
    summary = TextAreaField(
        "Summary of the outcome letter",
        description="What the review found and what the agencies will do, as the letter says",
        filters=[strip],
        widget=TextArea(),
        validators=[DataRequired(message="Enter a summary of the outcome letter")],
    )


class EscalationForm(PortalForm):
    escalated_on = RecordDateField(
        "Date of the escalation",
        description="The day the applicant asked for the review's handling to be looked at. " + DATE_EXAMPLE,
        required="Enter the date of the escalation",
        invalid="The date of the escalation must be a real date, like 27 11 2026",
    )
    reason = TextAreaField(
        "Why the applicant disputes how the review was handled",
        filters=[strip],
        widget=TextArea(),
        validators=[DataRequired(message="Enter why the applicant disputes how the review was handled")],
    )


class EscalationOutcomeForm(PortalForm):
    decided_on = RecordDateField(
        "Date of the escalation's outcome",
        required="Enter the date of the escalation's outcome",
        invalid="The date of the escalation's outcome must be a real date, like 27 11 2026",
    )
    result = _choose("Outcome of the escalation", list(ESCALATION_RESULTS.items()))
    note = TextAreaField("Note of the decision", description="Optional", filters=[strip], widget=TextArea())


# --- The ASB Case Review ---------------------------------------------------------------------------


class CaseReviewApplicationForm(PortalForm):
    """An application an officer takes by phone, paper, email or in person, perhaps from someone
    acting for the victim (then the victim's consent is recorded first)."""

    channel = RadioField(
        "How was the application made?",
        choices=[(value, label) for value, label in CHANNELS.items() if value != "online"],
        widget=RadioInput(),
        validators=[InputRequired(message="Select how the application was made")],
    )
    applicant = RadioField(
        "Who is applying?",
        choices=list(APPLICANTS.items()),
        default="victim",
        description="Someone may apply for the victim only with the victim's consent.",
        widget=RadioInput(),
        validators=[InputRequired(message="Select who is applying")],
    )
    applicant_name = StringField(
        "Name of the person applying for the victim", filters=[strip], widget=TextInput()
    )
    applicant_email = StringField("Their email address", filters=[strip], widget=TextInput())
    applicant_phone = StringField("Their phone number", filters=[strip], widget=TextInput())
    consent_given_on = GovDateField(
        "Date the victim agreed to them applying",
        description="For example, 27 11 2026",
        validators=[Optional()],
    )
    consent_how = TextAreaField(
        "How the victim gave their consent",
        description="For example, by phone to me, or a signed letter",
        filters=[strip],
        widget=TextArea(),
    )


with_application_fields(CaseReviewApplicationForm, "the applicant", TEXT_MAX)


class ThresholdDecisionForm(PortalForm):
    met = RadioField(
        "Does the application meet the threshold?",
        choices=[("yes", "Yes, it meets the threshold"), ("no", "No, it does not meet the threshold")],
        widget=RadioInput(),
        validators=[InputRequired(message="Select whether the application meets the threshold")],
    )
    note = TextAreaField(
        "Note",
        description=(
            "Needed when it does not meet the threshold (what else will be done), or when your answer "
            "differs from the count (why). Only officers see it."
        ),
        filters=[strip],
        widget=TextArea(),
    )
