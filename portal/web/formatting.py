"""Template filters for dates and amounts, in GOV.UK style ("Tuesday 29 December 2026")."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask
from markupsafe import Markup, escape

from portal.text.sanitise import plain_text_to_html
from portal.triage.calendar import LONDON


def long_date(value: date | str) -> str:
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value:%A} {value.day} {value:%B %Y}"


def short_date(value: date | str) -> str:
    """ "26 Nov 2026": for tables."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value.day} {value:%b %Y}"


def full_date(value: date | str) -> str:
    """ "4 December 2026": a day as GOV.UK writes it, without the weekday."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return f"{value.day} {value:%B %Y}"


def london_datetime(value: datetime) -> str:
    """A moment on the London clock: "26 November 2026 at 3:05pm"."""
    local = value.astimezone(LONDON)
    hour = local.hour % 12 or 12
    return f"{full_date(local)} at {hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"


def file_size(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(size // 1024, 1)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def audit_value(value: object) -> str:
    """A value from the audit log, in words: lists joined, nothing as a dash."""
    if value is None or value == "" or value == []:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(item).replace("_", " ") for item in value)
    return str(value)


def phone(number: str) -> Markup:
    """A phone number as a link that a phone can call: "01246 231111" dials +441246231111.

    Short numbers (999, 101, 116 123) are dialled as written; a UK number starting 0 gets +44.
    An international number written 00 dials as +.
    """
    digits = "".join(character for character in number if character.isdigit() or character == "+")
    if digits.startswith("00"):
        digits = "+" + digits[2:]
    elif digits.startswith("0") and len(digits) > 6:
        digits = "+44" + digits[1:]
    return Markup('<a class="govuk-link" href="tel:{}">{}</a>').format(digits, escape(number))


def register_filters(app: Flask) -> None:
    app.add_template_filter(long_date)
    app.add_template_filter(full_date)
    app.add_template_filter(london_datetime)
    app.add_template_filter(file_size)
    app.add_template_filter(short_date)
    app.add_template_filter(audit_value)
    app.add_template_filter(phone)
    app.add_template_filter(plain_text_to_html, "plain_text")
