"""The one form base class, and the field builders every form uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovCheckboxesInput, GovDateInput, GovRadioInput
from wtforms import DateField, RadioField
from wtforms.validators import InputRequired

YES_NO = [("yes", "Yes"), ("no", "No")]


def strip(value: Any) -> Any:
    """Trim an answer, dropping NUL characters, which no keyboard types and no database stores."""
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


class _NoEmptyHint:
    """govuk-frontend-wtf gives every group a hint, even an empty one: drop it when there is no text,
    so no empty hint box is drawn or read out."""

    def map_gov_params(self, field: Any, **kwargs: Any) -> dict[str, Any]:
        params: dict[str, Any] = super().map_gov_params(field, **kwargs)  # type: ignore[misc]
        hint = params.get("hint")
        if isinstance(hint, dict) and not (hint.get("text") or hint.get("html")):
            params.pop("hint")
        return params


class RadioInput(_NoEmptyHint, GovRadioInput):
    """GOV.UK radios, as every form in the portal uses them."""


class CheckboxesInput(_NoEmptyHint, GovCheckboxesInput):
    """GOV.UK checkboxes, as every form in the portal uses them."""


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
        widget=RadioInput(),
        validators=[InputRequired(message=error)],
    )


def as_yes_no(value: bool | None) -> str | None:
    if value is None:
        return None
    return "yes" if value else "no"


class GovDateField(DateField):
    """A date typed in three boxes: day, month and year. The one date field every form uses.

    The GOV.UK widget needs all three parts: a post that lacks some, or has more, gets a message
    (``invalid``, or a plain default), never a crash.
    """

    def __init__(
        self, label: str | None = None, validators: Any = None, *, invalid: str | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("widget", GovDateInput())
        kwargs.setdefault("format", "%d %m %Y")
        super().__init__(label, validators, **kwargs)
        self.invalid_message = invalid or f"{self.label.text} must be a real date, like 27 11 2026"

    def process_formdata(self, valuelist: list[Any]) -> None:
        parts = [str(part).strip() for part in valuelist]
        self.raw_data = [*parts, "", "", ""][:3]
        self.data = None
        if not any(parts):
            return
        if len(parts) != 3:
            raise ValueError(self.invalid_message)
        try:
            self.data = datetime.strptime(" ".join(parts), "%d %m %Y").date()
        except ValueError:
            raise ValueError(self.invalid_message) from None
