"""Do it online: the Community Safety Partnership's reporting portal and back-office."""

from __future__ import annotations

import hmac
from pathlib import Path
from typing import Any

from flask import Flask, send_from_directory
from govuk_frontend_wtf.main import WTFormsHelpers
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from werkzeug.wrappers.response import Response

from portal import extensions
from portal.config import PROJECT_ROOT, environ_config
from portal.logs import configure_logging
from portal.web.proxies import behind_proxies
from portal.web.security import check_origin, init_security, limit_form_bodies, refuse_nameless_fields

GOVUK_ASSETS = PROJECT_ROOT / "static" / "govuk" / "assets"


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the portal. ``overrides`` replace settings read from the environment (tests use it)."""
    app = Flask(
        __name__,
        instance_path=str(PROJECT_ROOT / "instance"),
        static_folder=str(PROJECT_ROOT / "static"),
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    # The instance folder holds the SQLite database and, by default, the evidence: the portal's
    # user alone may read it.
    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True, mode=0o700)
    instance.chmod(0o700)
    app.config.update(environ_config(Path(app.instance_path)))
    app.config.update(overrides or {})

    _init_jinja(app)
    # Extensions are reached through their module: `portal.mail` is the mail package's name.
    extensions.db.init_app(app)
    extensions.migrate.init_app(app, extensions.db, directory=str(PROJECT_ROOT / "migrations"))
    extensions.mail.init_app(app)
    limit_form_bodies(app)
    # Before Flask-WTF's token check: a post from another site is refused on its headers alone,
    # before its body is read. The token is still checked for every post that gets past it.
    app.before_request(check_origin)
    app.before_request(refuse_nameless_fields)
    extensions.csrf.init_app(app)
    extensions.limiter.init_app(app)
    configure_logging(app)
    if app.config["TRUSTED_PROXIES"]:
        app.wsgi_app = behind_proxies(  # type: ignore[method-assign]
            app.wsgi_app, app.config["TRUSTED_PROXIES"], app.config["TRUSTED_PROXY_ADDRESSES"]
        )
    _init_login(app)
    init_security(app)

    from portal.database import configure_engine
    from portal.reports.triage_policy import init_policy

    init_policy(app)

    with app.app_context():
        configure_engine(extensions.db.engine)

    from portal import feedback, officer, public
    from portal.cli import register_commands
    from portal.web import errors, health

    app.register_blueprint(public.bp)
    app.register_blueprint(feedback.bp)
    app.register_blueprint(officer.bp)
    app.register_blueprint(health.bp)
    errors.register(app)
    register_commands(app)

    @app.get("/assets/<path:filename>")
    def govuk_assets(filename: str) -> Response:
        # The GOV.UK stylesheet asks for its fonts and images at /assets/.
        return send_from_directory(GOVUK_ASSETS, filename, max_age=86400)

    return app


def warm_up(app: Flask) -> None:
    """Do once, before a worker's first request, what that request would otherwise wait for.

    Compiling the templates (ours and the GOV.UK components) takes about half a second in each
    new process, and the bank-holiday calendar is read on the first triage: the first residents
    after a start would wait for both. gunicorn.conf.py calls this in each worker.
    """
    environment = app.jinja_env
    for name in environment.list_templates(extensions=("html", "txt")):
        environment.get_template(name)
    from portal.triage.calendar import add_working_days, london_today

    add_working_days(london_today(), 1)


def legend(field: Any, size: str = "m") -> dict[str, Any]:
    """A question's fieldset: its legend is the field's label, at a GOV.UK size (s, m, l).

    Passing a fieldset to a govuk-frontend-wtf widget replaces the legend it would make, so the
    question text must come with it: this keeps the two together.
    """
    return {"legend": {"text": field.label.text, "classes": f"govuk-fieldset__legend--{size}"}}


def _init_jinja(app: Flask) -> None:
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(str(PROJECT_ROOT / "templates")),
            PrefixLoader(
                {
                    "govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja"),
                    "govuk_frontend_wtf": PackageLoader("govuk_frontend_wtf"),
                }
            ),
        ]
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    # This is a council's service, not a GOV.UK one: no GOV.UK brand.
    app.jinja_env.globals["govukRebrand"] = False
    WTFormsHelpers(app)  # wtforms_errors(): a form's errors as a GOV.UK error summary
    app.add_template_global(legend)

    @app.context_processor
    def service_context() -> dict[str, Any]:
        config = app.config
        return {
            "council_name": config["COUNCIL_NAME"],
            "council_area": config["COUNCIL_AREA"],
            "council_phone": config["COUNCIL_PHONE"],
            "council_email": config["COUNCIL_EMAIL"],
            "council_address": config["COUNCIL_ADDRESS"],
            "council_website": config["COUNCIL_WEBSITE"],
            "service_name": config["SERVICE_NAME"],
            "exit_page_url": config["EXIT_PAGE_URL"],
            "draft_lifetime_hours": config["DRAFT_LIFETIME_HOURS"],
            "policy_terms": policy_terms(),
        }

    from portal.reports.triage_policy import policy_terms
    from portal.web.formatting import register_filters

    register_filters(app)


def _init_login(app: Flask) -> None:
    from sqlalchemy import bindparam, select

    from portal.models import User

    manager = extensions.login_manager
    manager.init_app(app)
    manager.login_view = "officer.sign_in"
    manager.login_message = "Sign in to see that page"
    manager.login_message_category = "info"

    # Built once, so SQLAlchemy does not work out its cache key again on every back-office request.
    user_by_id = select(User).where(User.id == bindparam("user_id"))

    @manager.user_loader
    def load_user(session_id: str) -> User | None:
        user_id, _, token = session_id.partition(":")
        user = (
            extensions.db.session.scalars(user_by_id, {"user_id": int(user_id)}).first()
            if user_id.isdigit()
            else None
        )
        # A disabled account, or a session ended by signing out anywhere, stops working at once.
        if user is None or not user.active or not hmac.compare_digest(user.session_token, token):
            return None
        return user
