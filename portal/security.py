"""Security headers on every response, and which pages must never be stored by a browser or proxy."""

from __future__ import annotations

import secrets

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from werkzeug.wrappers.response import Response

# Pages that show a resident's answers, and the whole back-office.
PRIVATE_PREFIXES = ("/report", "/officer")


def csp_nonce() -> str:
    """This response's nonce: the only inline script (the GOV.UK template's one line) carries it."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return str(g.csp_nonce)


def content_security_policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        )
    )


class SessionCookies(SecureCookieSessionInterface):
    """The signed session cookie, sent again only when it changed or on a post.

    A resident's cookie lives as long as their draft, which each post renews; a page view renews
    nothing, so signing and sending the cookie again on every view would only cost time. An
    officer's session notes each request's time, so it is sent with every response.
    """

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        return session.modified or (session.permanent and request.method not in ("GET", "HEAD"))


def init_security(app: Flask) -> None:
    production = app.config["PORTAL_ENV"] == "production"
    app.session_interface = SessionCookies()

    @app.context_processor
    def nonce_for_templates() -> dict[str, str]:
        return {"cspNonce": csp_nonce()}

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = content_security_policy(csp_nonce())
        response.headers["X-Content-Type-Options"] = "nosniff"
        # No address of a page here leaks to the next site, not even to the "Exit this page" one.
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Permissions-Policy"] = (
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        )
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if production:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.path.startswith(PRIVATE_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
        return response
