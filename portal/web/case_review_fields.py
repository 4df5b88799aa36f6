"""The questions of an application for an ASB Case Review that a resident and an officer both ask:
the incidents in the applicant's words, and the reports they made other than through this portal.

The reports made elsewhere are rows of a date and where. Without JavaScript the form shows a few
rows, and "Add another report" sends the form back to show one more (up to ``MAX_ROWS``),
keeping what was typed: GOV.UK's "add another" pattern, as a post.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import IntegerField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import HiddenInput

from portal.text.labels import AGENCY_LABELS
from portal.web.forms import CharacterCount, GovDateField, PortalForm, Select, strip

MAX_ROWS = 10
FIRST_ROWS = 3
DOMAIN_FIELD = "reported_elsewhere.{index}.{part}"


def date_name(row: int) -> str:
    return f"elsewhere_{row}_on"


def agency_name(row: int) -> str:
    return f"elsewhere_{row}_agency"


def with_application_fields(form: type[PortalForm], whose: str, most: int) -> type[PortalForm]:
    """``form`` with the account (at most ``most`` characters) and the rows of reports made
    elsewhere; ``whose`` words the questions ("you", or "the applicant")."""
    you = whose == "you"
    form.account = TextAreaField(
        "Tell us what has been happening" if you else "What has been happening, in the applicant's words",
        description=(
            "The anti-social behaviour, when it happens and how it affects you"
            if you
            else "The anti-social behaviour, when it happens and how it affects them"
        ),
        filters=[strip],
        widget=CharacterCount(),
        validators=[
            DataRequired(message="Enter what has been happening"),
            Length(max=most, message=f"What has been happening must be {most:,} characters or fewer"),
        ],
    )
    form.rows = IntegerField(
        widget=HiddenInput(), default=FIRST_ROWS, validators=[Optional(), NumberRange(1, MAX_ROWS)]
    )
    choices = [("", "Choose where"), *AGENCY_LABELS.items()]
    for row in range(MAX_ROWS):
        number = row + 1
        setattr(
            form,
            date_name(row),
            GovDateField(
                f"Date of report {number}",
                description="For example, 27 11 2026",
                validators=[Optional()],
                invalid=f"The date of report {number} must be a real date, like 27 11 2026",
            ),
        )
        setattr(
            form,
            agency_name(row),
            SelectField(
                f"Where report {number} was made",
                choices=choices,
                widget=Select(),
                validators=[Optional()],
            ),
        )
    return form


def row_count(form: Any) -> int:
    """How many rows the form shows: as many as it was sent with, within the limits."""
    value = form.rows.data
    if not isinstance(value, int) or not 1 <= value <= MAX_ROWS:
        return FIRST_ROWS
    return value


def add_row(form: Any) -> None:
    more = min(row_count(form) + 1, MAX_ROWS)
    form.rows.data, form.rows.raw_data = more, [str(more)]


def rows(form: Any) -> list[tuple[Any, Any]]:
    """The date and agency fields of the rows shown."""
    return [(form[date_name(row)], form[agency_name(row)]) for row in range(row_count(form))]


def declared(form: Any) -> tuple[list[tuple[date | None, str]], list[int]]:
    """The rows filled in, as (date, agency) of the reports made elsewhere, and the row each came from."""
    found: list[tuple[date | None, str]] = []
    where: list[int] = []
    for row in range(row_count(form)):
        on, agency = form[date_name(row)].data, form[agency_name(row)].data or ""
        if on is None and not agency:
            continue
        found.append((on, agency))
        where.append(row)
    return found, where


def rows_complete(form: Any, you: bool = True) -> bool:
    """Each row begun has its date and where: a message against the part missing, else True."""
    complete = True
    for row in range(row_count(form)):
        on, agency = form[date_name(row)], form[agency_name(row)]
        if on.errors or (on.data is None and not agency.data):
            complete = complete and not on.errors
            continue
        if on.data is None:
            on.errors = [f"Enter the date of report {row + 1}"]
            complete = False
        if not agency.data:
            agency.errors = [f"Choose where {'you' if you else 'they'} made report {row + 1}"]
            complete = False
    return complete


def field_for(form: Any, domain_field: str, where: list[int]) -> Any:
    """The form's field for the domain's ``reported_elsewhere.<i>.<part>`` or named field; None if none."""
    if domain_field.startswith("reported_elsewhere."):
        _, index, part = domain_field.split(".")
        row = where[int(index)] if int(index) < len(where) else 0
        return form[date_name(row) if part == "reported_on" else agency_name(row)]
    if domain_field in form:
        return form[domain_field]
    return None


def show_error(form: Any, domain_field: str, message: str, where: list[int]) -> bool:
    """Put the domain's ``message`` against its field; False when it belongs to no field."""
    field = field_for(form, domain_field, where)
    if field is None:
        return False
    field.errors = [*field.errors, message] if isinstance(field.errors, list) else [message]
    return True


def hidden_answers(form: Any) -> list[tuple[str, str]]:
    """Every answer the form holds, as (name, value) pairs for hidden inputs: the check-answers page
    sends them on, so nothing typed is kept anywhere but in the resident's own page."""
    pairs: list[tuple[str, str]] = [("account", form.account.data or ""), ("rows", str(row_count(form)))]
    for row in range(row_count(form)):
        on = form[date_name(row)]
        parts = on.raw_data if on.raw_data else ["", "", ""]
        pairs.extend((on.name, str(part)) for part in parts)
        pairs.append((agency_name(row), form[agency_name(row)].data or ""))
    return pairs
