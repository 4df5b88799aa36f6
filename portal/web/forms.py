"""The one form base class, the residents' forms' base with its honeypot, and the field builders
every form uses."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovCheckboxesInput,
    GovDateInput,
    GovRadioInput,
    GovSelect,
    GovTextArea,
    GovTextInput,
)
from markupsafe import Markup
from wtforms import DateField, Field, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from portal.logs import security_event
from portal.web import caches

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


class _DrawnOnce:
    """The same widget with the same question, choices and answer is the same HTML, and drawing GOV.UK
    widgets is most of a page's time: each distinct drawing is kept in the widget cache and reused.
    A drawing is kept only when it holds our own wording and chosen values, never anything someone
    typed (see ``_DrawnOnceWhileEmpty``), so what is kept does not grow with what people type."""

    template: str

    def _keepable(self, params: dict[str, Any]) -> bool:
        return True

    def render(self, params: dict[str, Any]) -> Markup:
        cache = caches.named("widgets")
        if cache is None or not self._keepable(params):
            return super().render(params)  # type: ignore[misc]
        key = json.dumps([self.template, params], sort_keys=True, default=str)
        drawn = cache.get(key)
        if drawn is None:
            drawn = super().render(params)  # type: ignore[misc]
            cache.keep(key, drawn, len(drawn))
        return drawn


class _DrawnOnceWhileEmpty(_DrawnOnce):
    """A box people type into: its drawing is kept only while it is empty, so no one's words are."""

    def _keepable(self, params: dict[str, Any]) -> bool:
        return not params.get("value")


class TextInput(_DrawnOnceWhileEmpty, GovTextInput):
    """A GOV.UK text input."""


class TextArea(_DrawnOnceWhileEmpty, GovTextArea):
    """A GOV.UK textarea."""


class CharacterCount(_DrawnOnceWhileEmpty, GovCharacterCount):
    """A GOV.UK textarea that counts what is left."""


class Select(_DrawnOnce, GovSelect):
    """A GOV.UK select: our own options, one of them chosen."""


class DateInput(_DrawnOnce, GovDateInput):
    """GOV.UK day, month and year boxes. Any day, month or year in them (a mistyped one shown again
    with its error too) is someone's typing, so the drawing is kept only while all three are empty."""

    def _keepable(self, params: dict[str, Any]) -> bool:
        return not any(str(item.get("value") or "").strip() for item in params["items"])


class RadioInput(_DrawnOnce, _NoEmptyHint, GovRadioInput):
    """GOV.UK radios, as every form in the portal uses them."""

    def _keepable(self, params: dict[str, Any]) -> bool:
        # A conditional question is drawn inside its answer, and may hold what someone typed.
        return not any(item.get("conditional") for item in params.get("items", []))


class CheckboxesInput(_DrawnOnce, _NoEmptyHint, GovCheckboxesInput):
    """GOV.UK checkboxes, as every form in the portal uses them."""


class PortalForm(FlaskForm):
    """Base for every form: CSRF-protected, and able to say which fields have errors."""

    def error_fields(self) -> list[str]:
        return [name for name, field in self._fields.items() if field.errors]


def _honeypot_empty(form: PortalForm, field: Field) -> None:
    if field.data:
        security_event("honeypot", outcome="refused")
        field.data = ""
        raise ValidationError("We could not accept this page. Check your answers and try again.")


class PublicForm(PortalForm):
    """A resident's form: the report's pages and the feedback page. ``website`` is a honeypot, drawn
    by ``templates/partials/honeypot.html``: hidden from people, filled in by spam robots."""

    website = StringField("Leave this field empty", filters=[strip], validators=[_honeypot_empty])


def yes_no_field(label: str, error: str, hint: str = "") -> RadioField:
    """A required yes/no question, rendered as inline GOV.UK radios."""
    return RadioField(
        label,
        choices=YES_NO,
        description=hint,
        widget=RadioInput(),
        validators=[InputRequired(message=error)],
    )


def rating_field(question: str, labels: dict[str, str], error: str) -> RadioField:
    """A required choice of one answer from ``labels`` (value: label), as GOV.UK radios."""
    return RadioField(
        question, choices=list(labels.items()), widget=RadioInput(), validators=[InputRequired(message=error)]
    )


def optional_comment_field(label: str, hint: str, most: int, too_long: str) -> TextAreaField:
    """An optional comment of at most ``most`` characters, with a GOV.UK character count.
    ``too_long`` is the start of the message: "Your comment" says "Your comment must be …"."""
    return TextAreaField(
        label,
        description=hint,
        filters=[strip],
        widget=CharacterCount(),
        validators=[Length(max=most, message=f"{too_long} must be {most:,} characters or fewer")],
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
        kwargs.setdefault("widget", DateInput())
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
