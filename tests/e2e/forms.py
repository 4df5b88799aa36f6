"""Answering a form in the browser as a person would, and reading back what it shows.

Only locator actions are used, never ``evaluate``: they work with the page's JavaScript off.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page


def _kind(page: Page, name: str) -> str:
    for tag in ("select", "textarea"):
        if page.locator(f'{tag}[name="{name}"]').count():
            return tag
    fields = page.locator(f'input[name="{name}"]')
    assert fields.count(), f"no field named {name} on {page.url}"
    return fields.first.get_attribute("type") or "text"


def answer(page: Page, answers: dict[str, Any]) -> None:
    """Fill in, tick or choose each answer, by the field's name."""
    for name, value in answers.items():
        kind = _kind(page, name)
        fields = page.locator(f'[name="{name}"]')
        if kind == "radio":
            page.locator(f'input[name="{name}"][value="{value}"]').check()
        elif kind == "checkbox":
            chosen = set(value)
            for box in fields.all():
                box.set_checked(box.get_attribute("value") in chosen)
        elif kind == "select":
            fields.first.select_option(value)
        else:
            fields.first.fill(value)


def shown(page: Page, names: list[str]) -> dict[str, Any]:
    """The answers the page's fields hold now, by name."""
    result: dict[str, Any] = {}
    for name in names:
        kind = _kind(page, name)
        fields = page.locator(f'[name="{name}"]').all()
        if kind in ("radio", "checkbox"):
            checked = [f.get_attribute("value") for f in fields if f.is_checked()]
            result[name] = checked if kind == "checkbox" else (checked[0] if checked else None)
        else:
            result[name] = fields[0].input_value().replace("\r\n", "\n")
    return result
