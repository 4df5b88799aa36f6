"""The one form base class, and the field builders every form uses."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovRadioInput
from wtforms import RadioField
from wtforms.validators import InputRequired

YES_NO = [("yes", "Yes"), ("no", "No")]


def strip(value: Any) -> Any:
    """Trim an answer, dropping NUL characters, which no keyboard types and no database stores."""
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


class PortalForm(FlaskForm):
    """Base for every form: CSRF-protected, and able to say which fields have errors."""

    def error_fields(self) -> list[str]:
        return [name for name, field in self._fields.items() if field.errors]


def yes_no_field(label: str, error: str, hint: str = "") -> RadioField:
    """A required yes/no question, rendered as inline GOV.UK radios."""
    return RadioField(
        label,
        choices=YES_NO,
        description=hint,
        widget=GovRadioInput(),
        validators=[InputRequired(message=error)],
    )


def as_yes_no(value: bool | None) -> str | None:
    if value is None:
        return None
    return "yes" if value else "no"
