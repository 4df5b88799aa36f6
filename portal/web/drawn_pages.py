"""Whole pages drawn once per process: pages that hold our own wording and nobody's answers.

The start page, the information pages and a question page a resident has not answered yet are
the same HTML for everyone, but for two values that differ with each response: the script nonce
of the Content Security Policy and the form's CSRF token. Drawing such a page through the GOV.UK
templates is most of the time a request takes, so each distinct page is drawn once, kept with
those two values cut out, and served again with this response's own values put back.

A page is kept only under a key made of our own choices (which page, which kind of report,
whether the resident is changing an answer), never of anything typed; pages that show a
resident's answers, an error or a message are always drawn afresh by their views. The pages are
kept in the ``pages`` cache of ``portal/web/caches.py``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Hashable
from dataclasses import dataclass

from flask import current_app, g, session
from flask_wtf.csrf import generate_csrf

from portal.web import caches
from portal.web.security import csp_nonce

# Stand-ins for the per-response values in a kept page: random, so no page's text can hold them.
NONCE_SLOT = f"nonce-slot-{secrets.token_hex(16)}"
CSRF_SLOT = f"csrf-slot-{secrets.token_hex(16)}"


@dataclass(frozen=True)
class _Kept:
    html: str
    has_form: bool  # the page holds a CSRF token to put back


def _csrf_field() -> str:
    return str(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"))


def drawn_page(key: Hashable, draw: Callable[[], str]) -> str:
    """The page ``draw`` makes, drawn once for ``key`` and served with this response's values."""
    pages = caches.named("pages")
    if pages is None or session.get("_flashes"):
        return draw()  # caches off, or a message to show once: this page is not everyone's
    kept: _Kept | None = pages.get(key)
    if kept is None:
        html = draw()
        token = g.get(_csrf_field())
        has_form = bool(token) and token in html
        template = html.replace(csp_nonce(), NONCE_SLOT)
        if has_form:
            template = template.replace(token, CSRF_SLOT)
        pages.keep(key, _Kept(template, has_form), len(template))
        return html
    html = kept.html.replace(NONCE_SLOT, csp_nonce())
    if kept.has_form:
        html = html.replace(CSRF_SLOT, generate_csrf())
    return html
