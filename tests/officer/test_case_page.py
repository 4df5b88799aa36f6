"""The case page puts work first: a summary with the status, officer, due date, flags and how to
contact the resident safely, then the actions, then the detail; its timeline speaks plainly."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from bs4 import Tag
from flask import Flask
from sqlalchemy import func, select

from portal.cases import operations
from portal.cases.safe_contact import SafeContact
from portal.cases.timeline import CONTACT_WORDS, day_words, entry_for, timeline
from portal.extensions import db
from portal.models import AuditEvent, OutboxMessage, Report
from portal.models.audit import AuditAction
from portal.models.report import CONTACT_CHANNELS
from tests.cases import make_case
from tests.helpers import Page, PageClient, today
from tests.officer.test_casework import case_of, user, version
from tests.officers import Account

PHONE = "07700 900123"


def _report(**values: object) -> Report:
    given: dict[str, object] = {
        "anonymous": False,
        "reporter_email": "sam@example.org",
        "safe_to_email": True,
        "reporter_phone": PHONE,
        "safe_to_phone": True,
        "voicemail_ok": True,  # asked whenever phoning is safe and a number is given
        "text_ok": True,  # asked whenever a number is given
    }
    given.update(values)
    return Report(**given)


def _summary(page: Page) -> dict[str, Tag]:
    summary = page.soup.select_one(".portal-case-summary")
    assert summary is not None, "the case page starts with its summary"
    return {
        row.select_one("dt").get_text(strip=True): row.select_one("dd")  # type: ignore[union-attr]
        for row in summary.select(".govuk-summary-list__row")
    }


# --- Safe contact -------------------------------------------------------------------------------


def test_unsafe_email_tells_the_officer_not_to_email_and_to_phone_instead() -> None:
    safe = SafeContact.for_report(_report(safe_to_email=False))
    assert not safe.may_email and safe.may_phone
    assert safe.warnings == ["Do not email this resident: they said email is not safe. Phone them instead."]
    assert safe.channels == [f"Phone {PHONE}", f"Text {PHONE}"]


def test_unsafe_phone_tells_the_officer_not_to_phone_and_to_email_instead() -> None:
    safe = SafeContact.for_report(_report(safe_to_phone=False, text_ok=False))
    assert safe.warnings == [
        "Do not phone this resident: they said phone calls are not safe. Email them instead.",
        "Do not send a text message: the resident said it is not safe.",
    ]
    assert safe.channels == ["Email sam@example.org"]


def test_no_safe_channel_says_not_to_contact_them() -> None:
    safe = SafeContact.for_report(_report(safe_to_email=False, safe_to_phone=False, text_ok=False))
    assert safe.channels == []
    refused, text = safe.warnings[:2], safe.warnings[2:]
    assert all(warning.endswith("do not contact them unless they contact you.") for warning in refused)
    assert text == ["Do not send a text message: the resident said it is not safe."]


def test_an_anonymous_report_has_no_way_of_contact() -> None:
    safe = SafeContact.for_report(_report(anonymous=True))
    assert (safe.email, safe.phone, safe.channels) == ("", "", [])
    assert safe.warnings == ["The resident reported anonymously: there is no way to contact them."]


def test_every_channel_safe_lists_each_and_warns_of_nothing() -> None:
    safe = SafeContact.for_report(_report())
    assert safe.warnings == []
    assert safe.channels == [f"Phone {PHONE}", f"Text {PHONE}", "Email sam@example.org"]


def test_safe_times_voicemail_text_and_an_alternative_contact_are_how_the_officer_makes_contact() -> None:
    safe = SafeContact.for_report(
        _report(
            safe_to_email=False,
            safe_call_times="After 6pm",
            voicemail_ok=False,
            text_ok=True,
            safe_alternative_contact="My sister Jo, 07700 900456",
        )
    )
    assert safe.channels == [
        f"Phone {PHONE} at these times only: After 6pm",
        f"Text {PHONE}",
        "Safe alternative contact: My sister Jo, 07700 900456",
    ]
    assert safe.warnings == [
        "Do not email this resident: they said email is not safe. Phone them instead.",
        "Do not leave a voicemail: the resident said it is not safe.",
    ]


def test_a_report_from_before_voicemail_and_texts_were_asked_warns_not_to_use_them() -> None:
    safe = SafeContact.for_report(_report(voicemail_ok=None, text_ok=None))
    assert safe.warnings == [
        "Do not leave a voicemail: the resident was not asked whether one is safe.",
        "Do not send a text message: the resident was not asked whether one is safe.",
    ]
    assert f"Text {PHONE}" not in safe.channels
    assert SafeContact.for_report(_report(voicemail_ok=None, text_ok=None, safe_to_phone=False)).warnings == [
        "Do not phone this resident: they said phone calls are not safe. Email them instead.",
        "Do not send a text message: the resident was not asked whether one is safe.",
    ], "a voicemail is a question only when phoning is safe"


def test_with_no_safe_call_or_email_the_officer_is_sent_to_the_text_or_the_alternative_contact() -> None:
    texted = SafeContact.for_report(_report(safe_to_email=False, safe_to_phone=False, text_ok=True))
    assert texted.warnings[0].endswith("Text them instead.")
    other = SafeContact.for_report(
        _report(safe_to_email=False, safe_to_phone=False, text_ok=False, safe_alternative_contact="Jo")
    )
    assert other.warnings[0].endswith("Use their safe alternative contact instead.")
    assert "Do not send a text message: the resident said it is not safe." in other.warnings
    assert other.channels == ["Safe alternative contact: Jo"]


def test_the_case_page_says_do_not_email_and_offers_no_email_update(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = make_case(app, assignee_id=officer.id, safe_to_email=False, reporter_phone=PHONE)
    page = officer_client.get(f"/officer/cases/{reference}")
    contact = _summary(page)["Safe contact"].get_text(" ", strip=True)
    assert "Do not email this resident: they said email is not safe. Phone them instead." in contact
    assert f"Phone {PHONE}" in contact
    assert page.soup.find("button", string=lambda s: bool(s) and "Email update" in s) is None
    assert page.soup.find("textarea", id="update-text") is None
    assert 'Updates cannot be emailed to this resident: see "Safe contact"' in page.text()


def test_a_case_update_is_never_queued_when_email_is_unsafe(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = make_case(app, assignee_id=officer.id, safe_to_email=False)
    with app.app_context():
        with pytest.raises(operations.NotAllowed, match="cannot be emailed"):
            operations.post_update(reference, user(app, officer), "We have spoken to the shop's owner.")
        db.session.rollback()
    # Nor by posting the form the page no longer shows.
    token = officer_client.get(f"/officer/cases/{reference}").csrf_token()
    refused = officer_client.post(f"/officer/cases/{reference}/updates", {"csrf_token": token, "text": "Hi"})
    assert refused.status == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


# --- The summary and the actions ----------------------------------------------------------------


def test_the_summary_shows_status_officer_due_date_and_flags_as_labelled_tags(
    app: Flask, officer: Account, supervisor_client: PageClient
) -> None:
    due = today() + timedelta(days=3)
    reference = make_case(
        app, assignee_id=officer.id, flags=["safeguarding", "repeat_victim"], due_by=due, status="in_progress"
    )
    summary = _summary(supervisor_client.get(f"/officer/cases/{reference}"))
    assert summary["Status"].get_text(strip=True) == "In progress"
    assert summary["Officer"].get_text(strip=True) == officer.name
    assert summary["First contact due by"].get_text(strip=True) == f"{due:%A} {due.day} {due:%B %Y}"
    tags = [tag.get_text(strip=True) for tag in summary["Flags"].select(".govuk-tag")]
    assert tags == ["Safeguarding", "Repeat victim"], "the policy's labels, never the flags' names"


def test_the_actions_come_before_the_detail_in_the_page(app: Flask, supervisor_client: PageClient) -> None:
    reference = make_case(app)
    html = supervisor_client.get(f"/officer/cases/{reference}").html
    assert html.index('class="govuk-summary-list portal-case-summary') < html.index('id="actions"')
    assert html.index("Claim this case") < html.index('id="detail"') < html.index("Triage decision")


def test_the_status_radios_show_the_current_status_and_only_where_it_may_go(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = make_case(app, assignee_id=officer.id, status="in_progress")
    page = officer_client.get(f"/officer/cases/{reference}")
    radios = page.soup.find_all("input", attrs={"name": "status"})
    assert [radio["value"] for radio in radios] == ["in_progress", "awaiting_resident", "closed"]
    assert [radio["value"] for radio in radios if radio.has_attr("checked")] == ["in_progress"]
    # The outcome is asked under "Closed" only: the radio controls the outcome's reveal.
    closed = page.soup.find("input", attrs={"name": "status", "value": "closed"})
    assert closed["aria-controls"] == closed["data-portal-reveals"] == "status-outcome"
    assert not closed.has_attr("aria-expanded"), "ARIA does not allow aria-expanded on a radio"
    reveal = page.soup.find(id="status-outcome")
    assert reveal is not None and "portal-reveal__content" in reveal["class"]
    assert reveal.find_parent(class_="portal-reveal") is closed.find_parent(class_="portal-reveal")
    assert len(reveal.find_all("input", attrs={"name": "outcome"})) == 4
    assert len(page.soup.find_all("input", attrs={"name": "outcome"})) == 4


def test_closing_needs_an_outcome_and_other_statuses_do_not(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = make_case(app, assignee_id=officer.id, status="in_progress")
    url = f"/officer/cases/{reference}/status"
    page = officer_client.get(f"/officer/cases/{reference}")
    refused = officer_client.post(
        url, {"csrf_token": page.csrf_token(), "version": version(page, "status"), "status": "closed"}
    )
    assert refused.status == 400
    assert refused.errors == ["Select the outcome to close the case"]
    assert case_of(app, reference).status == "in_progress"

    page = officer_client.get(f"/officer/cases/{reference}")
    moved = officer_client.post(
        url,
        {"csrf_token": page.csrf_token(), "version": version(page, "status"), "status": "awaiting_resident"},
    )
    assert moved.status == 200 and "The status has been changed" in moved.text()
    assert case_of(app, reference).status == "awaiting_resident"

    page = officer_client.get(f"/officer/cases/{reference}")
    closed = officer_client.post(
        url,
        {
            "csrf_token": page.csrf_token(),
            "version": version(page, "status"),
            "status": "closed",
            "outcome": "resolved",
        },
    )
    assert "The status has been changed" in closed.text()
    assert (case_of(app, reference).status, case_of(app, reference).outcome) == ("closed", "resolved")
    assert _summary(closed)["Status"].get_text(strip=True) == "Closed: resolved"


def _first_contact(client: PageClient, reference: str, **extra: object) -> Page:
    page = client.get(f"/officer/cases/{reference}")
    day = today()
    return client.post(
        f"/officer/cases/{reference}/first-contact",
        {
            "csrf_token": page.csrf_token(),
            "version": version(page, "contact"),
            "contacted_on": [str(day.day), str(day.month), str(day.year)],
            "channel": "phone",
            **extra,
        },
    )


def test_first_contact_on_a_new_case_offers_to_start_work_ticked(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = make_case(app, assignee_id=officer.id)
    page = officer_client.get(f"/officer/cases/{reference}")
    box = page.soup.find("input", attrs={"name": "start_work"})
    assert box is not None and box.has_attr("checked")
    label = page.soup.find("label", attrs={"for": box["id"]})
    assert label is not None and label.get_text(strip=True) == "Also change the status to in progress"

    done = _first_contact(officer_client, reference, start_work="in_progress")
    assert "First contact has been recorded" in done.text()
    assert case_of(app, reference).status == "in_progress"
    with app.app_context():
        report_id = case_of(app, reference).id
        changes = db.session.execute(
            select(AuditEvent.action, AuditEvent.before, AuditEvent.after)
            .where(AuditEvent.report_id == report_id, AuditEvent.action != AuditAction.VIEWED)
            .order_by(AuditEvent.id)
        ).all()
    assert [action for action, _, _ in changes] == ["first_contact", "status_changed"]
    assert changes[1][1:] == ({"status": "new", "outcome": None}, {"status": "in_progress", "outcome": None})
    # The case is no longer new, so the offer is gone.
    assert done.soup.find("input", attrs={"name": "start_work"}) is None


def test_first_contact_with_the_box_unticked_leaves_the_status_new(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = make_case(app, assignee_id=officer.id)
    _first_contact(officer_client, reference)
    report = case_of(app, reference)
    assert (report.status, report.first_contact_channel) == ("new", "phone")


def test_first_contact_by_text_message_is_recorded_and_said_in_words(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = make_case(
        app, assignee_id=officer.id, safe_to_phone=False, reporter_phone=PHONE, text_ok=True
    )
    page = officer_client.get(f"/officer/cases/{reference}")
    channel = page.soup.find("input", attrs={"name": "channel", "value": "text"})
    assert channel is not None, "a resident who may only be texted can be recorded as texted"
    label = page.soup.find("label", attrs={"for": channel["id"]})
    assert label is not None and label.get_text(strip=True) == "Text message"
    done = _first_contact(officer_client, reference, channel="text")
    assert case_of(app, reference).first_contact_channel == "text"
    assert "First contact by text message on" in done.text()


def test_every_way_of_first_contact_has_words_in_the_timeline() -> None:
    assert set(CONTACT_WORDS) == set(CONTACT_CHANNELS)


def test_a_closed_case_hides_the_forms_that_no_longer_apply(
    app: Flask, officer: Account, officer_client: PageClient, supervisor_client: PageClient
) -> None:
    reference = make_case(app, assignee_id=officer.id, status="closed", outcome="resolved")
    for client, may_reopen in ((officer_client, False), (supervisor_client, True)):
        page = client.get(f"/officer/cases/{reference}")
        buttons = {button.get_text(strip=True) for button in page.soup.find_all("button")}
        assert "Claim this case" not in buttons
        assert "Record first contact" not in buttons
        assert not {name for name in buttons if name.startswith(("Record ", "Add a", "Change "))} - {
            "Change status"
        }, "no records of the work are offered"
        assert ("Change status" in buttons) is may_reopen, "only a supervisor may reopen"
        assert "Add note" in buttons
    statuses = page.soup.find_all("input", attrs={"name": "status"})
    assert [(radio["value"], radio.has_attr("checked")) for radio in statuses] == [
        ("in_progress", False),
        ("closed", True),
    ]


# --- The timeline --------------------------------------------------------------------------------


def _event(
    action: AuditAction, before: dict | None = None, after: dict | None = None, **kw: object
) -> AuditEvent:
    return AuditEvent(
        action=action,
        before=before,
        after=after,
        at=kw.pop("at", datetime(2026, 12, 1, 15, tzinfo=UTC)),
        **kw,
    )


@pytest.mark.parametrize(
    ("event", "words"),
    [
        (
            _event(
                AuditAction.STATUS_CHANGED, {"status": "new"}, {"status": "closed", "outcome": "resolved"}
            ),
            "Closed: resolved",
        ),
        (
            _event(AuditAction.STATUS_CHANGED, {"status": "new"}, {"status": "in_progress", "outcome": None}),
            "Status: in progress",
        ),
        (
            _event(
                AuditAction.STATUS_CHANGED, {"status": "closed"}, {"status": "in_progress", "outcome": None}
            ),
            "Reopened: in progress",
        ),
        (
            _event(
                AuditAction.FIRST_CONTACT,
                {"first_contact_on": None},
                {"first_contact_on": "2026-12-01", "first_contact_channel": "phone"},
            ),
            "First contact by phone on 1 December",
        ),
        (
            _event(
                AuditAction.FIRST_CONTACT,
                {"first_contact_on": None},
                {"first_contact_on": "2026-11-30", "first_contact_channel": "visit"},
                at=datetime(2027, 1, 2, 9, tzinfo=UTC),
            ),
            "First contact by a home visit on 30 November 2026",
        ),
        (
            _event(AuditAction.ASSIGNED, {"assignee": None}, {"assignee": "Sam Officer"}),
            "Assigned to Sam Officer",
        ),
        (_event(AuditAction.ASSIGNED, {"assignee": "Sam Officer"}, {"assignee": None}), "Unassigned"),
        (
            _event(AuditAction.REROUTED, {"route": "tasking"}, {"route": "target_hardening"}),
            "Re-routed to target hardening",
        ),
        (_event(AuditAction.CLAIMED, None, {"assignee": "Sam Officer"}), "Claimed"),
    ],
)
def test_the_timeline_says_each_change_as_a_person_would(event: AuditEvent, words: str) -> None:
    entry = entry_for(event, "Sam Officer")
    assert entry.words == words
    assert entry.who == "Sam Officer"
    assert "→" not in words and "_" not in words


def test_a_record_of_the_work_says_what_it_now_holds() -> None:
    entry = entry_for(
        _event(
            AuditAction.MEDIATION_RECORDED,
            {"referral_date": None, "sessions": None, "outcome": None},
            {"referral_date": "2026-11-20", "sessions": 2, "outcome": "partial_agreement"},
        ),
        "Sam Officer",
    )
    assert entry.words == "Mediation recorded"
    assert entry.detail == "Referral date: 20 November 2026; sessions: 2; outcome: Partial agreement"


def test_day_words_give_the_year_only_when_it_is_another_year() -> None:
    assert day_words(date(2026, 12, 1), date(2026, 12, 3)) == "1 December"
    assert day_words("2025-12-31", date(2026, 1, 2)) == "31 December 2025"


def test_views_are_summed_up_per_officer_per_london_day(
    app: Flask, officer: Account, supervisor: Account
) -> None:
    reference = make_case(app)
    with app.app_context():
        report = db.session.scalars(select(Report).where(Report.reference == reference)).one()
        # 23:30 UTC on 1 July is half past midnight on 2 July in London (summer time).
        moments = [
            (officer, datetime(2026, 7, 1, 9, tzinfo=UTC)),
            (officer, datetime(2026, 7, 1, 16, tzinfo=UTC)),
            (officer, datetime(2026, 7, 1, 23, 30, tzinfo=UTC)),
            (supervisor, datetime(2026, 7, 1, 10, tzinfo=UTC)),
            (officer, datetime(2026, 7, 3, 8, tzinfo=UTC)),
        ]
        for who, at in moments:
            db.session.add(AuditEvent(action=AuditAction.VIEWED, actor_id=who.id, report_id=report.id, at=at))
        db.session.add(
            AuditEvent(
                action=AuditAction.STATUS_CHANGED,
                actor_id=officer.id,
                report_id=report.id,
                before={"status": "new", "outcome": None},
                after={"status": "in_progress", "outcome": None},
                at=datetime(2026, 7, 1, 12, tzinfo=UTC),
            )
        )
        db.session.commit()
        said = [(entry.words, entry.who) for entry in timeline(report)]
        db.session.rollback()
    assert said == [
        (f"Viewed once by {officer.name}", None),  # 3 July
        (f"Viewed once by {officer.name}", None),  # just after midnight, 2 July
        (f"Viewed 2 times by {officer.name}", None),  # 1 July, the last at 5pm
        ("Status: in progress", officer.name),
        (f"Viewed once by {supervisor.name}", None),
        ("Reported by the resident and triaged to tasking", None),
    ]
