"""Checking your report: signing in by an emailed link or an officer's code, and seeing where it is.

No account and no password: a resident gets in only through a channel they said is safe
(``portal/reports/resident_access.py``). "Check your report" answers the same whatever was typed, so
it never tells anyone whether a reference exists or whether its resident may be emailed; every code
that cannot be used gets the same message. Signed in, the session holds a sign-in token the portal
keeps the hash of, and the time of the last page; it ends after ``RESIDENT_SESSION_MINUTES`` without
one, at "Sign out", or when the portal ends the sign-in (``resident_access.signed_in_case``).
Signing in to one report forgets any other. The pages are never cached (``/your-report`` is a
private prefix of ``portal/web/security.py``) and carry "Exit this page".
"""

from __future__ import annotations

import time
from typing import Any

from flask import abort, current_app, redirect, render_template, request, session, url_for
from govuk_frontend_wtf.wtforms_widgets import GovFileInput
from wtforms import MultipleFileField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from portal.extensions import limiter
from portal.models.incident import EFFECT_MAX, TIME_OF_DAY_MAX, WHAT_HAPPENED_MAX, WHO_MAX
from portal.public import bp
from portal.public.forms import ConfirmForm, email_asked_again
from portal.reports import incidents, resident_access, resident_view
from portal.reports.evidence import MAX_MEGAPIXELS, EvidenceError
from portal.text.labels import HARM_LABELS
from portal.triage import contract
from portal.web.forms import (
    CharacterCount,
    CheckboxesInput,
    GovDateField,
    PublicForm,
    TextInput,
    optional_comment_field,
    strip,
)
from portal.web.limits import public_forms

SIGNED_IN_KEY = "your_report"  # {"token": the sign-in's token, "seen": when the last page was shown}
WRONG_CODE = (
    "The reference number or code is not right, or the code has expired or been used. "
    "Check them, or ask the officer for a new code"
)


def _reference_field() -> StringField:
    return StringField(
        "Reference number",
        description="It is in the email or letter we sent you, and looks like DIO-2026-000123.",
        filters=[strip],
        widget=TextInput(),
        validators=[DataRequired(message="Enter your reference number")],
    )


class CheckReportForm(PublicForm):
    reference = _reference_field()
    email = email_asked_again("The email address you gave in your report.")


class CodeSignInForm(PublicForm):
    reference = _reference_field()
    code = StringField(
        "Sign-in code",
        description="The 8 characters an officer gave you, like ABCD-EFGH.",
        filters=[strip],
        widget=TextInput(),
        validators=[DataRequired(message="Enter the sign-in code")],
    )


class IncidentForm(PublicForm):
    """A diary entry of one more incident, added to the resident's own case."""

    what_happened = TextAreaField(
        "What happened?",
        description="Describe what happened, in your own words.",
        filters=[strip],
        widget=CharacterCount(),
        validators=[
            DataRequired(message="Enter what happened"),
            Length(
                max=WHAT_HAPPENED_MAX,
                message=f"What happened must be {WHAT_HAPPENED_MAX:,} characters or fewer",
            ),
        ],
    )
    occurred_on = GovDateField(
        "When did it happen?",
        description="For example, 27 11 2026",
        invalid="The date it happened must be a real date, like 27 11 2026",
        validators=[InputRequired(message="Enter the date it happened")],
    )
    time_of_day = StringField(
        "What time of day was it? (optional)",
        description="For example, about 11pm, or in the early morning.",
        filters=[strip],
        widget=TextInput(),
        validators=[
            Length(
                max=TIME_OF_DAY_MAX, message=f"The time of day must be {TIME_OF_DAY_MAX} characters or fewer"
            )
        ],
    )
    who = optional_comment_field(
        "Who was involved? (optional)",
        "Anyone who did it, and anyone who saw it, if you know.",
        WHO_MAX,
        "Who was involved",
    )
    harm = SelectMultipleField(
        "How did it affect you? (optional)",
        choices=list(HARM_LABELS.items()),
        description="Select all that apply.",
        widget=CheckboxesInput(),
    )
    effect = optional_comment_field(
        "Anything else about how it affected you (optional)", "", EFFECT_MAX, "How it affected you"
    )
    files = MultipleFileField(
        "Upload photos or documents (optional)",
        description=(
            f"Photos (JPEG, PNG or HEIC) up to {MAX_MEGAPIXELS} megapixels, the size a phone camera "
            "takes, or PDF documents. Each file must be smaller than 10 MB. You can add up to 5."
        ),
        widget=GovFileInput(multiple=True),
    )

    def entry(self) -> incidents.NewIncident:
        """The answers, once the form has validated (the day is then given)."""
        chosen = set(self.harm.data or [])
        assert self.occurred_on.data is not None  # nosec B101  (InputRequired)
        return incidents.NewIncident(
            occurred_on=self.occurred_on.data,
            what_happened=self.what_happened.data or "",
            harm={question: question in chosen for question in contract.HARM_QUESTIONS},
            time_of_day=self.time_of_day.data or "",
            who=self.who.data or "",
            effect=self.effect.data or "",
        )


# Each way in counts against one allowance per address; asking for a link counts per email too.
resident_sign_in = limiter.shared_limit(
    lambda: str(current_app.config["RESIDENT_SIGN_IN_LIMIT_PER_ADDRESS"]),
    scope="resident-sign-in",
    methods=["POST"],
)


def _link_email_key() -> str:
    return "your-report:" + contract.normalise_email(str(request.form.get("email", "")))[:254]


def _sign_in(token: str) -> Any:
    session.pop(SIGNED_IN_KEY, None)  # any report signed in to before is forgotten
    session[SIGNED_IN_KEY] = {"token": token, "seen": int(time.time())}
    return redirect(url_for("public.your_case"))


def signed_in_case() -> int | None:
    """The case this browser is signed in to, renewing the sign-in; None once it has lapsed here or
    been ended by the portal (signed out, a new code, another sign-in, or its hours are up)."""
    signed_in = session.get(SIGNED_IN_KEY)
    if not isinstance(signed_in, dict) or not isinstance(signed_in.get("token"), str):
        session.pop(SIGNED_IN_KEY, None)
        return None
    now = int(time.time())
    idle = now - int(signed_in.get("seen", 0)) > 60 * int(current_app.config["RESIDENT_SESSION_MINUTES"])
    report_id = None if idle else resident_access.signed_in_case(signed_in["token"])
    if report_id is None:
        session.pop(SIGNED_IN_KEY, None)
        return None
    session[SIGNED_IN_KEY] = {"token": signed_in["token"], "seen": now}
    return report_id


@bp.route("/your-report", methods=["GET", "POST"])
@public_forms
@resident_sign_in
@limiter.limit(
    lambda: str(current_app.config["RESIDENT_LINK_LIMIT_PER_EMAIL"]),
    key_func=_link_email_key,
    methods=["POST"],
)
def check_report() -> Any:
    form = CheckReportForm()
    if form.validate_on_submit():
        resident_access.send_sign_in_link(form.reference.data, form.email.data)
        return redirect(url_for("public.sign_in_link_sent"))
    return render_template("public/your_report/check.html", form=form)


@bp.get("/your-report/sent")
def sign_in_link_sent() -> Any:
    return render_template("public/your_report/sent.html", minutes=resident_access.link_minutes())


@bp.route("/your-report/sign-in/<token>", methods=["GET", "POST"])
@public_forms
@resident_sign_in
def sign_in_by_link(token: str) -> Any:
    """The emailed link. Opening it shows a button: a mail scanner that follows links spends nothing."""
    form = ConfirmForm()
    if request.method == "GET":
        if not resident_access.link_works(token):
            return render_template("public/your_report/link_used.html"), 410
        return render_template("public/your_report/sign_in.html", form=form)
    if not form.validate_on_submit():
        abort(400)
    signed_in = resident_access.use_sign_in_link(token)
    if signed_in is None:
        return render_template("public/your_report/link_used.html"), 410
    return _sign_in(signed_in)


@bp.route("/your-report/code", methods=["GET", "POST"])
@public_forms
@resident_sign_in
def sign_in_with_code() -> Any:
    form = CodeSignInForm()
    if form.validate_on_submit():
        signed_in = resident_access.use_code(form.reference.data, form.code.data)
        if signed_in is not None:
            return _sign_in(signed_in)
        form.code.errors = [WRONG_CODE]
        return render_template("public/your_report/code.html", form=form), 400
    return render_template("public/your_report/code.html", form=form)


@bp.get("/your-report/case")
def your_case() -> Any:
    report_id = signed_in_case()
    view = resident_view.for_resident(report_id) if report_id is not None else None
    if view is None:
        return redirect(url_for("public.check_report"))
    return render_template("public/your_report/case.html", view=view, sign_out_form=ConfirmForm())


@bp.post("/your-report/sign-out")
@public_forms
def sign_out_of_report() -> Any:
    if not ConfirmForm().validate_on_submit():
        abort(400)
    signed_in = session.pop(SIGNED_IN_KEY, None)
    if isinstance(signed_in, dict) and isinstance(signed_in.get("token"), str):
        resident_access.sign_out(signed_in["token"])
    return redirect(url_for("public.signed_out_of_report"))


@bp.get("/your-report/signed-out")
def signed_out_of_report() -> Any:
    return render_template("public/your_report/signed_out.html")


def _signed_in_case_key() -> str:
    """The case being added to, for its limit; a post not signed in counts under one key."""
    report_id = signed_in_case()
    return f"incident:{report_id if report_id is not None else 'none'}"


@bp.route("/your-report/incident", methods=["GET", "POST"])
@public_forms
@limiter.limit(
    lambda: str(current_app.config["INCIDENT_LIMIT_PER_CASE"]), key_func=_signed_in_case_key, methods=["POST"]
)
def add_incident() -> Any:
    """A resident adds an incident to their own case: appended to it, never a new report."""
    report_id = signed_in_case()
    view = resident_view.for_resident(report_id) if report_id is not None else None
    if report_id is None or view is None:
        return redirect(url_for("public.check_report"))
    if view.closed:
        return render_template("public/your_report/incident_closed.html", view=view)
    form = IncidentForm()
    if form.validate_on_submit():
        uploads = [
            (f.stream, f.filename or "") for f in request.files.getlist(form.files.name) if f and f.filename
        ]
        try:
            incidents.add_incident(report_id, form.entry(), uploads)
        except incidents.CaseClosed:
            return render_template("public/your_report/incident_closed.html", view=view)
        except incidents.IncidentRefused as refused:
            getattr(form, refused.field).errors = [str(refused)]
        except EvidenceError as refused:
            form.files.errors = [str(refused)]
        else:
            return redirect(url_for("public.incident_added"))
    status = 400 if request.method == "POST" else 200
    return render_template("public/your_report/incident.html", form=form, view=view), status


@bp.get("/your-report/incident/added")
def incident_added() -> Any:
    report_id = signed_in_case()
    view = resident_view.for_resident(report_id) if report_id is not None else None
    if view is None:
        return redirect(url_for("public.check_report"))
    return render_template("public/your_report/incident_added.html", view=view)
