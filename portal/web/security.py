"""Security headers on every response, and which pages must never be stored by a browser or proxy."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from flask import Flask, abort, g, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from flask_wtf.csrf import CSRFError
from werkzeug.wrappers.response import Response

# Pages that show a resident's answers or their case, and the whole back-office.
PRIVATE_PREFIXES = ("/report", "/your-report", "/officer")

# A page's address goes with requests to the portal itself, where the origin check below reads it,
# and never to another site: not to "Exit this page"'s neutral page, nor to a link in an update.
REFERRER_POLICY = "same-origin"
_STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _origin_of(url: str) -> str | None:
    parts = urlsplit(url)
    if not parts.scheme or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}".lower()


def check_origin() -> None:
    """Refuse a state-changing request that did not come from one of the portal's own pages.

    This stands beside the CSRF token, never instead of it. Browsers send ``Origin`` with every
    form post; where one is missing, the same-origin ``Referer`` that REFERRER_POLICY lets through
    must name this site. Over HTTPS one of the two is required, as a browser always sends one;
    over plain HTTP (a developer's machine) a request with neither is judged by its token alone.
    """
    if request.method not in _STATE_CHANGING:
        return
    own = f"{request.scheme}://{request.host}".lower()
    origin = request.headers.get("Origin")
    if origin is not None:
        # "null" is what a browser sends when it hides the origin: a sandboxed frame, a
        # cross-site redirect, or a page whose policy withholds it.
        if origin.strip().lower() != own:
            raise CSRFError("The request came from another site.")
        return
    referrer = request.headers.get("Referer")
    if referrer is not None:
        if _origin_of(referrer) != own:
            raise CSRFError("The referrer does not match the host.")
        return
    if request.is_secure:
        raise CSRFError("The request carried neither an origin nor a referrer.")


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

    Every session's cookie ends when the browser closes (none is permanent). Flask refuses a
    cookie signed longer ago than PERMANENT_SESSION_LIFETIME (a draft's lifetime), so a post,
    which may renew the resident's draft, signs it afresh; a page view renews nothing, so signing
    and sending the cookie again on every view would only cost time. An officer's session notes
    each request's time, so it is sent with every response.
    """

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        return bool(session.modified) or request.method not in ("GET", "HEAD")


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
        response.headers["Referrer-Policy"] = REFERRER_POLICY
        response.headers["Permissions-Policy"] = (
            "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        )
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if production:
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.path.startswith(PRIVATE_PREFIXES):
            response.headers["Cache-Control"] = "no-store"
        return response


def limit_form_bodies(app: Flask) -> None:
    """Bound a request that carries no files to FORM_BODY_LIMIT: Werkzeug reads such a body whole.

    Registered before the CSRF check, which is the first to read a posted form.
    """

    @app.before_request
    def limit_body_without_files() -> None:
        if request.mimetype != "multipart/form-data":
            limit, overall = app.config["FORM_BODY_LIMIT"], app.config["MAX_CONTENT_LENGTH"]
            request.max_content_length = min(limit, overall) if overall else limit


def refuse_nameless_fields() -> None:
    """A form part with no name is no answer to any question here: 400, before anything reads it.

    Browsers always name their parts; Flask-WTF's token check would otherwise fail on the part's
    missing name with a server error.
    """
    posted_form = request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded")
    if request.method not in _STATE_CHANGING or not posted_form:
        return
    if None in request.form or None in request.files or "" in request.files:
        abort(400)
