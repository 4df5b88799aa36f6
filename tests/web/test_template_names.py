"""Every name our templates use is one the view gives them: a misspelt or forgotten name fails here
rather than printing nothing (tests/template_names.py says how it is noticed, and why not strict)."""

from __future__ import annotations

from collections.abc import Iterator

import pyotp
import pytest
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import OutboxMessage, Report
from portal.public.journey import PAGES
from tests import factories
from tests.cases import make_case
from tests.conftest import MailCatcher
from tests.helpers import PageClient, today
from tests.journey import fill_until, submit
from tests.officers import Account, make_account, sign_in
from tests.template_names import RecordingUndefined

KINDS = ("asb", "neighbour_dispute", "safety_concern")


@pytest.fixture
def recorded(app: Flask, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, str]]]:
    """What our templates use undefined, with every page drawn afresh rather than from a cache."""
    assert app.jinja_env.undefined is RecordingUndefined
    monkeypatch.setitem(app.config, "CACHES_ENABLED", False)
    RecordingUndefined.used.clear()
    yield RecordingUndefined.used
    RecordingUndefined.used.clear()


def _resident_pages(app: Flask, mailbox: MailCatcher) -> None:
    """Information pages; each question of each kind, blank and then refused; check; confirmation;
    the acknowledgement; the resume link, its email and the draft it opens; clearing answers."""
    for url in ("/", "/accessibility", "/privacy", "/cookies", "/report", "/no-such-page"):
        PageClient(app.test_client()).get(url)
    PageClient(app.test_client()).post_form("/report", {})
    for kind in KINDS:
        for page in PAGES:
            resident = PageClient(app.test_client())
            fill_until(resident, kind, stop_before=page.slug)
            resident.get(f"/report/{page.slug}")
            resident.post_form(f"/report/{page.slug}", {})
        resident = PageClient(app.test_client())
        submit(resident, kind)
        resident.get("/report/confirmation")
    assert mailbox.messages, "the acknowledgements were drawn and sent"

    resident = PageClient(app.test_client())
    fill_until(resident, "asb")
    resident.get("/report/continue")
    resident.post_form("/report/continue", {})
    resident.post_form("/report/continue", {"email": factories.about()["email"]})
    with app.app_context():
        body = db.session.scalars(
            select(OutboxMessage.body_text).where(OutboxMessage.purpose == "resume_link")
        ).one()
    link = "/report/continue/" + body.split("/report/continue/")[1].split()[0]
    PageClient(app.test_client()).get(link)
    mailbox.messages  # noqa: B018  (the resume link's email is drawn as it is sent)
    check = resident.get("/report/check")
    resident.post("/report/clear-answers", {"csrf_token": check.csrf_token()})


def _officer_pages(app: Flask, supervisor: Account, mailbox: MailCatcher) -> None:
    """Signing in (a first sign-in included), the queue, a case on each route, the agenda, the
    downloads, the accounts, the policy and changing a password."""
    PageClient(app.test_client()).get("/officer/sign-in")
    PageClient(app.test_client()).post_form("/officer/sign-in", {"email": "nobody@example.org"})
    newcomer = make_account(app, "officer", name="New Officer", two_factor=False)
    first = PageClient(app.test_client())
    first.post_form("/officer/sign-in", {"email": newcomer.email, "password": "a-long-test-password-123"})
    key = first.get("/officer/sign-in/set-up").soup.select_one(".portal-qr__key").get_text().replace(" ", "")
    first.post_form("/officer/sign-in/set-up", {"code": "000000"})
    first.post_form("/officer/sign-in/set-up", {"code": pyotp.TOTP(key).now()})
    first.get("/officer/sign-in/new-password")
    first.post_form("/officer/sign-in/new-password", {})

    officer = PageClient(app.test_client())
    officer.post_form("/officer/sign-in", {"email": supervisor.email, "password": "a-long-test-password-123"})
    officer.get("/officer/sign-in/code")
    officer.post_form("/officer/sign-in/code", {"code": ""})
    sign_in(officer, supervisor)
    with app.app_context():
        submitted = db.session.scalars(select(Report.reference)).all()
    day = today()
    made = [
        make_case(app, route=route, flags=["safeguarding"] if route == "target_hardening" else [])
        for route in ("mediation", "target_hardening", "tasking")
    ]
    for reference in [*submitted, *made]:
        page = officer.get(f"/officer/cases/{reference}")
        officer.post(f"/officer/cases/{reference}/notes", {"csrf_token": page.csrf_token(), "text": ""})
    closed = make_case(
        app, status="closed", outcome="resolved", first_contact_on=day, first_contact_channel="phone"
    )
    officer.get(f"/officer/cases/{closed}")
    page = officer.get(f"/officer/cases/{submitted[0]}")
    officer.post(
        f"/officer/cases/{submitted[0]}/updates",
        {"csrf_token": page.csrf_token(), "text": "We visited today."},
    )
    mailbox.messages  # noqa: B018  (the case update's email is drawn as it is sent)
    for url in (
        "/officer/",
        "/officer/?status=closed",
        "/officer/agenda",
        "/officer/downloads",
        "/officer/accounts",
        "/officer/policy",
        "/officer/account/password",
    ):
        officer.get(url)
    officer.post_form("/officer/account/password", {})


def test_our_templates_use_only_names_their_views_give_them(
    app: Flask, recorded: list[tuple[str, str]], mailbox: MailCatcher, supervisor: Account
) -> None:
    _resident_pages(app, mailbox)
    _officer_pages(app, supervisor, mailbox)
    found = sorted(set(recorded))
    assert found == [], "\n".join(f"{where}: {what}" for where, what in found)


def test_a_name_no_view_gives_is_noticed_in_our_templates_and_not_in_the_govuk_ones(
    app: Flask, recorded: list[tuple[str, str]]
) -> None:
    # Drawn without the portal's context processor: the council's name and phone number are missing.
    with app.test_request_context():
        app.jinja_env.get_template("public/sent.html").render()
    assert ("public/sent.html:7", "'council_phone' is undefined") in recorded
    assert any(where.startswith("base.html:") and "'service_name'" in what for where, what in recorded)
    # GOV.UK's page template tests its own optional settings (htmlClasses, bodyClasses...): not ours.
    assert [where for where, _what in recorded if where.startswith("govuk_frontend")] == []
