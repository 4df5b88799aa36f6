"""The question pages' forms. Each reads from and writes to the draft in the contract's shape."""

from __future__ import annotations

from functools import cache
from typing import Any, ClassVar

from flask import current_app
from govuk_frontend_wtf.wtforms_widgets import GovFileInput, GovSubmitInput
from wtforms import (
    Field,
    MultipleFileField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from portal.public.wording import wording_for
from portal.reports.evidence import MAX_MEGAPIXELS
from portal.text.labels import (
    DETAIL_ERRORS,
    DETAIL_QUESTIONS,
    FREQUENCY_LABELS,
    HARM_LABELS,
    KIND_TITLES,
    PREVIOUS_REPORTS_LABELS,
    STARTED_LABELS,
    TYPE_LABELS,
)
from portal.triage import contract
from portal.triage.contract import KIND_BLOCKS
from portal.web.forms import (
    CharacterCount,
    CheckboxesInput,
    PublicForm,
    RadioInput,
    Select,
    TextArea,
    TextInput,
    as_yes_no,
    strip,
    yes_no_field,
)

Answers = dict[str, Any]


class JourneyForm(PublicForm):
    """A question page: ``initial`` turns draft answers into form data, ``answers`` the reverse."""

    @classmethod
    def initial(cls, answers: Answers) -> dict[str, Any]:
        raise NotImplementedError

    def answers(self) -> Answers:
        raise NotImplementedError

    def merged(self, saved: Answers) -> Answers:
        """The draft's answers ``saved``, with this page's in them."""
        return {**saved, **self.answers()}


class KindForm(PublicForm):
    kind = RadioField(
        "What do you want to report?",
        choices=[
            ("asb", KIND_TITLES["asb"]),
            ("neighbour_dispute", KIND_TITLES["neighbour_dispute"]),
            ("safety_concern", KIND_TITLES["safety_concern"]),
        ],
        widget=RadioInput(),
        validators=[InputRequired(message="Select what you want to report")],
    )


# --- What is happening ------------------------------------------------------------------------


class BlockForm(JourneyForm):
    """A page that asks part of a kind's own block of answers (``answers[block]``): the types on one
    page and the yes/no questions on another. Saving one keeps the other's part of the block."""

    block: ClassVar[str]
    owns: ClassVar[tuple[str, ...]]  # the block's answers this page asks

    def merged(self, saved: Answers) -> Answers:
        mine = self.answers()
        kept = {key: value for key, value in saved.get(self.block, {}).items() if key not in self.owns}
        return {**saved, **mine, self.block: {**kept, **mine[self.block]}}


@cache
def what_form(kind: str) -> type[JourneyForm]:
    """The 'What is happening' form for a kind: its types and the description."""
    block, _types, _details = KIND_BLOCKS[kind]
    words = wording_for(kind)

    class WhatForm(BlockForm):
        owns = ("types",)
        types = SelectMultipleField(
            words.types.label,
            choices=list(TYPE_LABELS[kind].items()),
            description=words.types.hint,
            widget=CheckboxesInput(),
            validators=[DataRequired(message=words.types.error)],
        )
        description = TextAreaField(
            words.description.label,
            description=words.description.hint,
            filters=[strip],
            widget=CharacterCount(),
            validators=[
                DataRequired(message=words.description.error),
                Length(
                    max=contract.DESCRIPTION_MAX,
                    message=(
                        f"{words.description_topic} must be {contract.DESCRIPTION_MAX:,} characters or fewer"
                    ),
                ),
            ],
        )

        @classmethod
        def initial(cls, answers: Answers) -> dict[str, Any]:
            return {
                "types": answers.get(block, {}).get("types", []),
                "description": answers.get("description", ""),
            }

        def answers(self) -> Answers:
            return {"description": self.description.data, block: {"types": list(self.types.data or [])}}

    WhatForm.block = block
    WhatForm.__name__ = f"WhatForm_{kind}"
    return WhatForm


# --- The kind's own questions -----------------------------------------------------------------

DETAIL_HINTS = {
    "willing_to_mediate": (
        "A trained, independent mediator helps neighbours agree a way forward. It is free and confidential."
    ),
    "legal_action_underway": "For example, a court case or a solicitor's letter about the dispute.",
    "perpetrator_is_neighbour": "Answer no if you do not know.",
}


@cache
def details_form(kind: str) -> type[JourneyForm]:
    """The kind's own yes/no questions (every kind has some: tests/public/test_validation.py says so).

    A follow-up question (contract.FOLLOW_UPS) is drawn as a GOV.UK conditional question under the
    "Yes" of the one it follows, checked only when that was answered yes, and not stored otherwise.
    """
    block, _types, detail_names = KIND_BLOCKS[kind]
    follows = contract.FOLLOW_UPS.get(kind, {})

    class DetailsForm(BlockForm):
        owns = detail_names
        # The questions asked first, and each question's follow-up under its "Yes", for the template.
        first_questions: ClassVar[tuple[str, ...]] = tuple(n for n in detail_names if n not in follows)
        follow_up_of: ClassVar[dict[str, str]] = {parent: name for name, parent in follows.items()}

        def asked(self) -> tuple[str, ...]:
            """The kind's own questions that apply to the answers given."""
            answered = {name: self[name].data == "yes" for name in detail_names}
            return contract.asked_details(kind, answered)

        def validate(self, extra_validators: Any = None) -> bool:
            super().validate(extra_validators)
            asked = self.asked()
            for name in detail_names:
                if name not in asked:
                    self[name].errors = []
            return not any(field.errors for field in self)

        @classmethod
        def initial(cls, answers: Answers) -> dict[str, Any]:
            block_answers = answers.get(block, {})
            return {name: as_yes_no(block_answers.get(name)) for name in detail_names}

        def answers(self) -> Answers:
            return {block: {name: self[name].data == "yes" for name in self.asked()}}

    for name in detail_names:
        setattr(
            DetailsForm,
            name,
            yes_no_field(DETAIL_QUESTIONS[name], DETAIL_ERRORS[name], DETAIL_HINTS.get(name, "")),
        )
    DetailsForm.block = block
    DetailsForm.__name__ = f"DetailsForm_{kind}"
    return DetailsForm


# --- Where ------------------------------------------------------------------------------------


class WhereForm(JourneyForm):
    """What every 'Where' form does; ``where_form`` gives each kind its question."""

    missing_place: ClassVar[str]
    address: TextAreaField
    postcode: StringField
    ward: SelectField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        wards = current_app.config["COUNCIL_WARDS"]
        self.ward.choices = [("", "I do not know"), *((ward, ward) for ward in wards)]

    def validate_address(self, field: Field) -> None:
        if not field.data and not (self.postcode.data or "").strip():
            raise ValidationError(self.missing_place)

    def validate_postcode(self, field: Field) -> None:
        if field.data and not contract.is_valid_postcode(field.data):
            raise ValidationError("Enter a real postcode, like S42 6NG")

    @classmethod
    def initial(cls, answers: Answers) -> dict[str, Any]:
        location = answers.get("location", {})
        return {
            "address": location.get("address", ""),
            "postcode": location.get("postcode", ""),
            "ward": location.get("ward", ""),
        }

    def answers(self) -> Answers:
        postcode = self.postcode.data or ""
        return {
            "location": {
                "address": self.address.data or "",
                "postcode": contract.normalise_postcode(postcode) if postcode else "",
                "ward": self.ward.data or "",
            },
        }


@cache
def where_form(kind: str) -> type[WhereForm]:
    """The 'Where' form, its place question worded for ``kind``."""
    words = wording_for(kind)

    class KindWhereForm(WhereForm):
        missing_place = words.place.error
        address = TextAreaField(
            words.place.label,
            description=words.place.hint,
            filters=[strip],
            widget=TextArea(),
            validators=[
                Length(
                    max=contract.ADDRESS_MAX,
                    message=f"Where it is happening must be {contract.ADDRESS_MAX} characters or fewer",
                )
            ],
        )
        postcode = StringField(
            "Postcode (if you know it)",
            filters=[strip],
            widget=TextInput(),
            validators=[Length(max=10, message="Enter a real postcode, like S42 6NG")],
        )
        ward = SelectField(
            "Ward (if you know it)",
            description="Your council ward is on your council tax bill.",
            choices=[],
            default="",
            widget=Select(),
        )

    KindWhereForm.__name__ = f"WhereForm_{kind}"
    return KindWhereForm


# --- When -------------------------------------------------------------------------------------


@cache
def when_form(kind: str) -> type[JourneyForm]:
    """The 'When' form: when it started, how often (worded for ``kind``) and who has been told."""
    words = wording_for(kind)

    class WhenForm(JourneyForm):
        started = RadioField(
            "When did it start?",
            choices=list(STARTED_LABELS.items()),
            widget=RadioInput(),
            validators=[InputRequired(message="Select when it started")],
        )
        frequency = RadioField(
            words.frequency.label,
            choices=list(FREQUENCY_LABELS.items()),
            description=words.frequency.hint,
            widget=RadioInput(),
            validators=[InputRequired(message=words.frequency.error)],
        )
        previous_reports = RadioField(
            "Have you reported this to the council, the police or a landlord in the last 6 months?",
            choices=list(PREVIOUS_REPORTS_LABELS.items()),
            widget=RadioInput(),
            validators=[InputRequired(message="Select if you have reported this in the last 6 months")],
        )

        @classmethod
        def initial(cls, answers: Answers) -> dict[str, Any]:
            return {name: answers.get(name) for name in ("started", "frequency", "previous_reports")}

        def answers(self) -> Answers:
            return {
                "started": self.started.data,
                "frequency": self.frequency.data,
                "previous_reports": self.previous_reports.data,
            }

    WhenForm.__name__ = f"WhenForm_{kind}"
    return WhenForm


# --- How it affects you -----------------------------------------------------------------------

NONE_OF_THESE = "none"


class ImpactForm(JourneyForm):
    harm = SelectMultipleField(
        "How is it affecting you?",
        choices=[*HARM_LABELS.items(), (NONE_OF_THESE, "None of these")],
        description="Select all that apply. Your answers help us decide how quickly to respond.",
        widget=CheckboxesInput(),
        validators=[DataRequired(message="Select how it is affecting you, or select 'None of these'")],
    )

    def validate_harm(self, field: Field) -> None:
        if NONE_OF_THESE in (field.data or []) and len(field.data) > 1:
            raise ValidationError("Select 'None of these' only if none of the others apply")

    @classmethod
    def initial(cls, answers: Answers) -> dict[str, Any]:
        if "harm" not in answers:
            return {"harm": []}
        chosen = [question for question, value in answers["harm"].items() if value]
        return {"harm": chosen or [NONE_OF_THESE]}

    def answers(self) -> Answers:
        chosen = set(self.harm.data or [])
        return {"harm": {question: question in chosen for question in contract.HARM_QUESTIONS}}


# --- Evidence ---------------------------------------------------------------------------------


class EvidenceForm(PublicForm):
    files = MultipleFileField(
        "Upload a file",
        description=(
            f"Photos (JPEG, PNG or HEIC) up to {MAX_MEGAPIXELS} megapixels, the size a phone camera "
            "takes, or PDF documents. Each file must be smaller than 10 MB. You can add up to 5."
        ),
        widget=GovFileInput(multiple=True),
    )
    upload = SubmitField("Upload file", widget=GovSubmitInput())


# --- About you --------------------------------------------------------------------------------


# The questions asked only where they apply: an answer left in a question not asked is not stored.
CONTACT_FIELDS = (
    "name",
    "email",
    "safe_to_email",
    "phone",
    "safe_to_phone",
    "safe_call_times",
    "voicemail_ok",
    "text_ok",
    "safe_alternative_contact",
)


@cache
def about_form(kind: str, area: str) -> type[JourneyForm]:
    """The 'About you' form. A safety concern cannot be anonymous, so it does not ask.

    Each contact question is asked only where its answer applies, as GOV.UK conditional questions:
    the contact details under "No" to staying anonymous, whether email is safe once an email is
    given, and the phone's questions once a number is given (safe times and voicemail only when
    phoning is safe). Without JavaScript they are all shown, and checked only where they apply.
    """
    anonymous_allowed = kind != "safety_concern"

    class AboutForm(JourneyForm):
        name = StringField(
            "Full name",
            filters=[strip],
            widget=TextInput(),
            validators=[
                Length(
                    max=contract.NAME_MAX,
                    message=f"Full name must be {contract.NAME_MAX} characters or fewer",
                )
            ],
        )
        email = StringField(
            "Email address",
            description="We will send your reference number here, if it is safe to email you.",
            filters=[strip],
            widget=TextInput(),
        )
        safe_to_email = yes_no_field(
            "Is it safe for us to email you?",
            "Select yes if it is safe for us to email you",
            "Answer no if someone else might read your emails. We will never email you if you say no.",
        )
        phone = StringField(
            "Phone number",
            filters=[strip],
            widget=TextInput(),
        )
        safe_to_phone = yes_no_field(
            "Is it safe for us to phone you?",
            "Select yes if it is safe for us to phone you",
            "Answer no if someone else might answer or see your phone. "
            "We will never phone you if you say no.",
        )
        safe_call_times = StringField(
            "When is it safe for us to phone you? (optional)",
            description="For example, weekday mornings before 11am.",
            filters=[strip],
            widget=TextInput(),
            validators=[
                Length(
                    max=contract.SAFE_CALL_TIMES_MAX,
                    message=f"When it is safe to phone you must be {contract.SAFE_CALL_TIMES_MAX} "
                    "characters or fewer",
                )
            ],
        )
        voicemail_ok = yes_no_field(
            "Can we leave you a voicemail?",
            "Select yes if we can leave you a voicemail",
            "Answer no if someone else might listen to your messages.",
        )
        text_ok = yes_no_field(
            "Is it safe for us to send you a text message?",
            "Select yes if it is safe for us to send you a text message",
            "Answer no if someone else might read your text messages. We will never text you if you say no.",
        )
        safe_alternative_contact = TextAreaField(
            "Is there another safe way to contact you? (optional)",
            description=(
                "For example, a friend, relative or support worker we can speak to, and how to reach them."
            ),
            filters=[strip],
            widget=TextArea(),
            validators=[
                Length(
                    max=contract.SAFE_ALTERNATIVE_CONTACT_MAX,
                    message="Another safe way to contact you must be "
                    f"{contract.SAFE_ALTERNATIVE_CONTACT_MAX} characters or fewer",
                )
            ],
        )
        lives_in_district = yes_no_field(
            f"Do you live in {area}?",
            f"Select yes if you live in {area}",
        )

        if anonymous_allowed:
            anonymous = RadioField(
                "Do you want to stay anonymous?",
                choices=[("yes", "Yes"), ("no", "No, I'm happy to give my details")],
                description="If you stay anonymous we cannot contact you or tell you what happens. "
                "You do not need to give your name or contact details.",
                widget=RadioInput(),
                validators=[InputRequired(message="Select yes if you want to stay anonymous")],
            )

        def is_anonymous(self) -> bool:
            return anonymous_allowed and self["anonymous"].data == "yes"

        def gives_details(self) -> bool:
            """Whether the contact details are asked: always for a safety concern, otherwise once
            the resident says they do not want to stay anonymous."""
            return not anonymous_allowed or self["anonymous"].data == "no"

        def phone_is_safe(self) -> bool:
            return bool(self.phone.data) and self.safe_to_phone.data == "yes"

        def not_asked(self) -> set[str]:
            """The contact questions that do not apply to the answers given."""
            if not self.gives_details():
                return set(CONTACT_FIELDS)
            hidden: set[str] = set()
            if not self.email.data:
                hidden.add("safe_to_email")
            if not self.phone.data:
                hidden |= {"safe_to_phone", "text_ok"}
            if not self.phone_is_safe():
                hidden |= {"safe_call_times", "voicemail_ok"}
            return hidden

        def validate(self, extra_validators: Any = None) -> bool:
            super().validate(extra_validators)
            for name in self.not_asked():
                self[name].errors = []
            if self.gives_details():
                if not self.name.data and not self.name.errors:
                    self.name.errors.append("Enter your full name")
                if self.email.data and not contract.is_valid_email(self.email.data):
                    self.email.errors.append(BAD_EMAIL)
                if self.phone.data and not contract.is_valid_phone(self.phone.data):
                    self.phone.errors.append("Enter a phone number, like 01246 231111 or 07700 900982")
                if not self.email.data and not self.phone.data:
                    self.email.errors.append(
                        "Enter an email address or a phone number, so we can contact you"
                    )
            return not any(field.errors for field in self)

        @classmethod
        def initial(cls, answers: Answers) -> dict[str, Any]:
            reporter = answers.get("reporter", {})
            data = {
                "name": reporter.get("name", ""),
                "email": reporter.get("email", ""),
                "phone": reporter.get("phone", ""),
                "safe_to_email": as_yes_no(reporter.get("safe_to_email")) if reporter.get("email") else None,
                "safe_to_phone": as_yes_no(reporter.get("safe_to_phone")) if reporter.get("phone") else None,
                "safe_call_times": reporter.get("safe_call_times", ""),
                "voicemail_ok": as_yes_no(reporter.get("voicemail_ok")),
                "text_ok": as_yes_no(reporter.get("text_ok")),
                "safe_alternative_contact": reporter.get("safe_alternative_contact", ""),
                "lives_in_district": as_yes_no(reporter.get("lives_in_district")),
            }
            if anonymous_allowed:
                data["anonymous"] = as_yes_no(reporter.get("anonymous"))
            return data

        def answers(self) -> Answers:
            if self.is_anonymous():
                reporter: Answers = {
                    "anonymous": True,
                    "name": "",
                    "email": "",
                    "phone": "",
                    "safe_to_email": False,
                    "safe_to_phone": False,
                    "safe_call_times": "",
                    "voicemail_ok": None,
                    "text_ok": None,
                    "safe_alternative_contact": "",
                }
            else:
                phone_safe = self.phone_is_safe()
                reporter = {
                    "anonymous": False,
                    "name": self.name.data,
                    "email": self.email.data or "",
                    "phone": self.phone.data or "",
                    # Where no address or number is given there is nothing to be safe or unsafe.
                    "safe_to_email": self.safe_to_email.data == "yes" if self.email.data else True,
                    "safe_to_phone": self.safe_to_phone.data == "yes" if self.phone.data else True,
                    # Asked only where they apply: None is "not asked", never "no".
                    "safe_call_times": (self.safe_call_times.data or "") if phone_safe else "",
                    "voicemail_ok": self.voicemail_ok.data == "yes" if phone_safe else None,
                    "text_ok": self.text_ok.data == "yes" if self.phone.data else None,
                    "safe_alternative_contact": self.safe_alternative_contact.data or "",
                }
            reporter["lives_in_district"] = self.lives_in_district.data == "yes"
            return {"reporter": reporter}

    AboutForm.__name__ = f"AboutForm_{kind}"
    return AboutForm


class ConfirmForm(PublicForm):
    """The check-your-answers page's button: a form so that it carries a CSRF token."""


BAD_EMAIL = "Enter an email address in the correct format, like name@example.com"


def _real_email(_form: Any, field: Field) -> None:
    if not contract.is_valid_email(field.data or ""):
        raise ValidationError(BAD_EMAIL)


def email_asked_again(description: str) -> StringField:
    """The email address a resident gave in their report, asked again to find what they sent."""
    return StringField(
        "Email address",
        description=description,
        filters=[strip],
        widget=TextInput(),
        validators=[DataRequired(message="Enter your email address"), _real_email],
    )


class ResumeLinkForm(PublicForm):
    """Asking for a link to continue an unfinished report on this device."""

    email = email_asked_again(
        "The email address you gave in your report, if you told us it is safe to email you."
    )
