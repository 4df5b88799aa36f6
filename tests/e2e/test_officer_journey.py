"""An officer works a new case in the back-office, and a supervisor re-routes it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pyotp
from flask import Flask

from tests import journey as resident
from tests.conftest import MailCatcher
from tests.e2e.checks import CheckedPage
from tests.e2e.forms import answer
from tests.helpers import PageClient
from tests.officers import PASSWORD, Account, fresh_code, make_account
from tests.processes import wait_for

OWN_PASSWORD = "the-supervisor-s-own-99"
RESIDENT = "sam.resident@example.org"  # the address tests.factories answers with
UPDATE = "We have spoken to the shop's owner and police patrols will pass the shop each evening."
REASON = "The resident's neighbour is involved after all: mediation is the better first step."


def _sign_in(tab: CheckedPage, account: Account) -> None:
    """Password, then the two-factor step the account is at: its code, or setting up its app."""
    tab.goto("/officer/")
    assert tab.path == "/officer/sign-in", "the back-office asks for sign-in first"
    answer(tab.page, {"email": account.email, "password": PASSWORD})
    tab.button("Sign in")
    assert tab.path in ("/officer/sign-in/code", "/officer/sign-in/set-up")


def _queue_rows(tab: CheckedPage) -> list[str]:
    return tab.page.locator("table.portal-queue tbody tr td:first-child a").all_inner_texts()


def _open_tab(tab: CheckedPage, label: str) -> None:
    routes = tab.page.get_by_role("navigation", name="Routes")
    tab.click(routes.get_by_role("link", name=label))
    assert routes.locator("[aria-current=page]").inner_text().startswith(label)


def test_officer_works_a_case_and_supervisor_reroutes_it(
    journey: Callable[..., CheckedPage], app: Flask, mailbox: MailCatcher
) -> None:
    # A resident reports anti-social behaviour by a stranger: the policy sends it to tasking.
    confirmation = resident.submit(PageClient(app.test_client()), "asb")
    found = re.search(r"DIO-\d{4}-\d{6}", confirmation.text())
    assert found
    reference = found.group()
    assert wait_for(lambda: mailbox.to(RESIDENT)), "the acknowledgement arrives"
    mailbox.clear()

    officer = make_account(app, "officer")
    supervisor = make_account(app, "supervisor", two_factor=False)

    # The officer signs in with a password and an authenticator code.
    tab = journey(who="officer")
    _sign_in(tab, officer)
    assert tab.path == "/officer/sign-in/code"
    tab.button("Continue")
    assert tab.errors() == ["Enter the code from your authenticator app"]
    answer(tab.page, {"code": fresh_code(app, officer)})
    tab.button("Continue")
    assert tab.path == "/officer/"

    # The new case waits in the tasking tab, and nowhere else but All.
    _open_tab(tab, "Tasking")
    assert _queue_rows(tab) == [reference]
    _open_tab(tab, "Mediation")
    assert _queue_rows(tab) == []
    _open_tab(tab, "Tasking")
    tab.link(reference)
    assert tab.h1() == f"Case {reference}"

    tab.button("Claim this case")
    assert "You have claimed this case" in tab.text()

    today = datetime.now(ZoneInfo("Europe/London")).date()
    tab.page.fill("#contacted_on-day", str(today.day))
    tab.page.fill("#contacted_on-month", str(today.month))
    tab.page.fill("#contacted_on-year", str(today.year))
    answer(tab.page, {"channel": "phone"})
    tab.button("Record first contact")
    assert "First contact has been recorded" in tab.text()

    tab.page.fill("#update-text", UPDATE)
    tab.button("Email update to resident")
    assert "Your update has been emailed to the resident" in tab.text()
    mail = wait_for(lambda: mailbox.to(RESIDENT))
    assert mail, "the update arrives by email"
    body = mail[0].get_body(("plain",)).get_content()
    assert reference in body and "police patrols will pass the shop" in body

    tab.button(f"Sign out {officer.name}")
    assert tab.path == "/officer/sign-in"

    # A supervisor, signing in for the first time, sets up their authenticator app, then re-routes.
    boss = journey(who="supervisor")
    _sign_in(boss, supervisor)
    assert boss.path == "/officer/sign-in/set-up"
    key = boss.page.locator(".portal-qr__key").inner_text().replace(" ", "")
    answer(boss.page, {"code": pyotp.TOTP(key).now()})
    boss.button("Continue")
    # The first password was chosen by someone else, so it works once: the supervisor chooses one.
    assert boss.path == "/officer/sign-in/new-password"
    answer(boss.page, {"new_password": OWN_PASSWORD, "confirm_password": OWN_PASSWORD})
    boss.button("Save password and continue")
    assert boss.path == "/officer/"
    boss.link(reference)
    answer(boss.page, {"route": "mediation"})
    boss.page.fill("#reason", REASON)
    boss.button("Re-route")
    assert "The case has been re-routed" in boss.text()

    timeline = boss.page.locator(".portal-timeline").inner_text()
    for event in (
        "Claimed",
        f"First contact by phone on {today.day} {today:%B}",
        "Status: in progress",
        "Update emailed to the resident",
        "Re-routed to mediation",
        f"{supervisor.name}, ",
        f"{officer.name}, ",
        f"Viewed 2 times by {supervisor.name}",
        f"Viewed 4 times by {officer.name}",
        REASON,
        "Reported by the resident and triaged to tasking",
    ):
        assert event in timeline, f"the timeline shows {event!r}"
    assert "→" not in timeline

    # The rest of the back-office's navigation, then the case in its new tab.
    boss.link("Tasking agenda")
    boss.link("Triage policy")
    boss.link("Queue")
    _open_tab(boss, "Mediation")
    assert _queue_rows(boss) == [reference]
