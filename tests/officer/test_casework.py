"""Working a case: statuses, first contact, claiming, re-routing, notes and updates, all audited."""

from __future__ import annotations

import io
import threading
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text

from portal.cases import operations
from portal.extensions import db
from portal.models import AuditEvent, CaseNote, OutboxMessage, Report, User
from portal.models.audit import AuditAction, AuditIsAppendOnly
from portal.models.report import STATUSES
from tests import factories
from tests.cases import make_case
from tests.conftest import MailCatcher
from tests.evidence_files import PNG
from tests.helpers import Page, PageClient, today
from tests.journey import fill_until, submit
from tests.officers import Account, make_account, sign_in

LEGAL = {
    ("new", "in_progress"),
    ("new", "closed"),
    ("in_progress", "awaiting_resident"),
    ("in_progress", "closed"),
    ("awaiting_resident", "in_progress"),
    ("awaiting_resident", "closed"),
    ("closed", "in_progress"),
}


def user(app: Flask, account: Account) -> User:
    found = db.session.get(User, account.id)
    assert found is not None
    return found


def case_of(app: Flask, reference: str) -> Report:
    with app.app_context():
        report = db.session.scalars(select(Report).where(Report.reference == reference)).one()
        db.session.expunge(report)
        return report


def audit_actions(app: Flask, reference: str) -> list[str]:
    with app.app_context():
        report = db.session.scalars(select(Report).where(Report.reference == reference)).one()
        return list(
            db.session.scalars(
                select(AuditEvent.action).where(AuditEvent.report_id == report.id).order_by(AuditEvent.id)
            )
        )


def version(page: Page, form: str) -> str:
    field = page.soup.find("input", id=f"{form}-version")
    assert field is not None
    return str(field["value"])


@pytest.mark.parametrize("before", STATUSES)
@pytest.mark.parametrize("after", STATUSES)
def test_every_status_change_is_allowed_only_along_the_workflow(
    app: Flask, supervisor: Account, before: str, after: str
) -> None:
    reference = make_case(app, status=before, outcome="resolved" if before == "closed" else None)
    with app.app_context():
        if (before, after) in LEGAL:
            report = operations.change_status(reference, user(app, supervisor), after, "resolved", None)
            assert report.status == after
            assert (report.outcome is not None) == (after == "closed")
        else:
            with pytest.raises(operations.IllegalTransition):
                operations.change_status(reference, user(app, supervisor), after, "resolved", None)
            db.session.rollback()
    assert case_of(app, reference).status == (after if (before, after) in LEGAL else before)


def test_closing_needs_an_outcome(app: Flask, supervisor: Account) -> None:
    reference = make_case(app, status="in_progress")
    with app.app_context(), pytest.raises(operations.IllegalTransition, match="Choose the outcome"):
        operations.change_status(reference, user(app, supervisor), "closed", None, None)
    assert case_of(app, reference).status == "in_progress"


def test_an_officer_changes_only_their_own_cases_and_cannot_reopen(app: Flask, officer: Account) -> None:
    theirs = make_case(app, assignee_id=officer.id)
    someone_elses = make_case(app)
    closed = make_case(app, assignee_id=officer.id, status="closed", outcome="resolved")
    with app.app_context():
        me = user(app, officer)
        assert operations.change_status(theirs, me, "in_progress", None, None).status == "in_progress"
        with pytest.raises(operations.NotAllowed):
            operations.change_status(someone_elses, me, "in_progress", None, None)
        with pytest.raises(operations.NotAllowed, match="Only a supervisor can reopen"):
            operations.change_status(closed, me, "in_progress", None, None)


def test_first_contact_stops_the_clock(
    app: Flask, supervisor: Account, supervisor_client: PageClient
) -> None:
    reference = make_case(app, due_by=today() - timedelta(days=2))
    page = supervisor_client.get(f"/officer/cases/{reference}")
    assert "overdue" in page.text()
    day = today()
    done = supervisor_client.post(
        f"/officer/cases/{reference}/first-contact",
        {
            "csrf_token": page.csrf_token(),
            "version": version(page, "contact"),
            "contacted_on": [str(day.day), str(day.month), str(day.year)],
            "channel": "phone",
        },
    )
    assert "First contact has been recorded" in done.text()
    assert "overdue" not in done.text()
    report = case_of(app, reference)
    assert (report.first_contact_on, report.first_contact_channel) == (day, "phone")


def test_a_stale_copy_of_a_case_is_refused_and_nothing_changes(
    app: Flask, supervisor_client: PageClient
) -> None:
    reference = make_case(app, route="tasking")
    page = supervisor_client.get(f"/officer/cases/{reference}")
    stale = version(page, "reroute")
    first = supervisor_client.post(
        f"/officer/cases/{reference}/reroute",
        {
            "csrf_token": page.csrf_token(),
            "version": stale,
            "route": "mediation",
            "reason": "Both agree to mediate",
        },
    )
    assert "The case has been re-routed" in first.text()
    second = supervisor_client.post(
        f"/officer/cases/{reference}/reroute",
        {
            "csrf_token": page.csrf_token(),
            "version": stale,
            "route": "target_hardening",
            "reason": "Old copy",
        },
    )
    assert second.status == 409
    assert "has changed since you opened it" in second.errors[0]
    assert second.soup.find("textarea", attrs={"name": "reason"}).get_text() == "Old copy", (
        "what was typed is kept"
    )
    assert case_of(app, reference).current_route == "mediation"


def test_re_routing_keeps_the_original_decision_and_needs_a_reason(
    app: Flask, supervisor_client: PageClient
) -> None:
    reference = make_case(app, route="tasking")
    page = supervisor_client.get(f"/officer/cases/{reference}")
    refused = supervisor_client.post(
        f"/officer/cases/{reference}/reroute",
        {
            "csrf_token": page.csrf_token(),
            "version": version(page, "reroute"),
            "route": "mediation",
            "reason": "",
        },
    )
    assert refused.errors == ["Enter the reason for re-routing"]
    done = supervisor_client.post(
        f"/officer/cases/{reference}/reroute",
        {
            "csrf_token": page.csrf_token(),
            "version": version(page, "reroute"),
            "route": "mediation",
            "reason": "Agreed",
        },
    )
    assert "re-routed from tasking by Test Supervisor" in done.text()
    report = case_of(app, reference)
    assert (report.route, report.rule, report.current_route) == ("tasking", "tasking.default", "mediation")
    assert report.override_reason == "Agreed"


def test_officers_cannot_re_route_or_assign(app: Flask, officer_client: PageClient) -> None:
    reference = make_case(app)
    page = officer_client.get(f"/officer/cases/{reference}")
    assert page.soup.find("form", action=f"/officer/cases/{reference}/reroute") is None
    response = officer_client.post_raw(
        f"/officer/cases/{reference}/reroute",
        {"csrf_token": page.csrf_token(), "version": "1", "route": "mediation", "reason": "x"},
    )
    assert response.status_code == 403
    assert case_of(app, reference).current_route == "tasking"


def test_a_second_claim_is_told_who_has_the_case(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = make_case(app)
    rival = make_account(app, "officer", "Rival Officer")
    rival_client = PageClient(app.test_client())
    sign_in(rival_client, rival)
    mine = officer_client.get(f"/officer/cases/{reference}")
    theirs = rival_client.get(f"/officer/cases/{reference}")
    assert (
        "You have claimed this case"
        in officer_client.post(f"/officer/cases/{reference}/claim", {"csrf_token": mine.csrf_token()}).text()
    )
    told = rival_client.post(f"/officer/cases/{reference}/claim", {"csrf_token": theirs.csrf_token()})
    assert told.status == 409
    assert told.errors == [f"{reference} has already been claimed by Test Officer"]
    assert case_of(app, reference).assignee_id == officer.id


def test_when_officers_claim_at_once_exactly_one_wins(app: Flask) -> None:
    reference = make_case(app)
    accounts = [make_account(app, "officer", f"Racer {n}") for n in range(6)]
    barrier = threading.Barrier(len(accounts))
    outcomes: list[str] = []

    def race(account: Account) -> None:
        with app.app_context():
            me = db.session.get(User, account.id)
            assert me is not None
            db.session.commit()  # hold no transaction (on SQLite, no lock) while waiting for the others
            barrier.wait()
            try:
                operations.claim(reference, me)
                outcomes.append("won")
            except operations.AlreadyClaimed as error:
                outcomes.append(str(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=race, args=(account,)) for account in accounts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("won") == 1
    winner = case_of(app, reference).assignee_id
    with app.app_context():
        name = db.session.get(User, winner).name  # type: ignore[union-attr]
    assert all(o == f"{reference} has already been claimed by {name}" for o in outcomes if o != "won")
    assert audit_actions(app, reference) == ["claimed"]


def test_notes_are_internal_and_updates_reach_only_a_safe_email(
    app: Flask, client: PageClient, supervisor_client: PageClient, mailbox: MailCatcher
) -> None:
    submit(client, "asb")
    with app.app_context():
        reference = db.session.scalars(select(Report.reference)).one()
    mailbox.clear()
    page = supervisor_client.get(f"/officer/cases/{reference}")
    supervisor_client.post(
        f"/officer/cases/{reference}/notes",
        {"csrf_token": page.csrf_token(), "text": "Neighbour is the landlord's nephew"},
    )
    supervisor_client.post(
        f"/officer/cases/{reference}/updates",
        {"csrf_token": page.csrf_token(), "text": "We visited today.\nMore soon."},
    )

    [email] = mailbox.messages
    assert email["To"] == "sam.resident@example.org"
    assert reference in email["Subject"]
    body = email.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "We visited today.\nMore soon." in body
    assert "nephew" not in body and "Groups gather" not in body, "the update text only"
    with app.app_context():
        kinds = {note.kind: note.emailed for note in db.session.scalars(select(CaseNote))}
    assert kinds == {"note": False, "update": True}


def test_no_update_can_go_to_a_resident_who_said_email_is_unsafe(app: Flask, supervisor: Account) -> None:
    reference = make_case(app, safe_to_email=False)
    with app.app_context():
        with pytest.raises(operations.NotAllowed, match="cannot be emailed"):
            operations.post_update(reference, user(app, supervisor), "Hello")
        assert db.session.scalars(select(OutboxMessage)).all() == []


def test_the_case_page_queues_no_update_for_a_resident_who_said_email_is_unsafe(
    app: Flask, client: PageClient, supervisor_client: PageClient, mailbox: MailCatcher
) -> None:
    submit(client, "safety_concern", about=factories.about_for("safety_concern", safe_to_email="no"))
    with app.app_context():
        reference = db.session.scalars(select(Report.reference)).one()
        assert "acknowledgement" not in db.session.scalars(select(OutboxMessage.purpose)).all()
        before = db.session.scalars(select(OutboxMessage.id)).all()
    page = supervisor_client.get(f"/officer/cases/{reference}")
    answered = supervisor_client.post(
        f"/officer/cases/{reference}/updates", {"csrf_token": page.csrf_token(), "text": "We will visit"}
    )
    assert "cannot be emailed" in answered.text()
    with app.app_context():
        assert db.session.scalars(select(OutboxMessage.id)).all() == before, "no email queued"
        assert db.session.scalars(select(CaseNote)).all() == []
    assert not mailbox.to("sam.resident@example.org")


def test_notes_show_as_plain_text_with_safe_links(app: Flask, supervisor_client: PageClient) -> None:
    reference = make_case(app)
    page = supervisor_client.get(f"/officer/cases/{reference}")
    shown = supervisor_client.post(
        f"/officer/cases/{reference}/notes",
        {
            "csrf_token": page.csrf_token(),
            "text": "<script>alert(1)</script>\nSee https://example.org/a or javascript:alert(2)",
        },
    )
    note = shown.soup.select_one(".portal-note--note .govuk-body:not(.govuk-body-s)")
    assert note is not None
    assert note.find("script") is None and "<script>alert(1)</script>" in note.get_text()
    links = note.find_all("a")
    assert [a["href"] for a in links] == ["https://example.org/a"]
    assert "noopener" in links[0]["rel"]
    assert note.find("br") is not None


def test_every_change_is_in_the_timeline_and_every_view_is_counted(
    app: Flask, supervisor: Account, supervisor_client: PageClient
) -> None:
    reference = make_case(app)
    page = supervisor_client.get(f"/officer/cases/{reference}")
    supervisor_client.post(f"/officer/cases/{reference}/claim", {"csrf_token": page.csrf_token()})
    page = supervisor_client.get(f"/officer/cases/{reference}")
    supervisor_client.post(
        f"/officer/cases/{reference}/status",
        {"csrf_token": page.csrf_token(), "version": version(page, "status"), "status": "in_progress"},
    )
    actions = audit_actions(app, reference)
    # Each change's redirect back to the case is a view of it too.
    assert actions == ["viewed", "claimed", "viewed", "viewed", "status_changed", "viewed"]
    page = supervisor_client.get(f"/officer/cases/{reference}")
    entries = [li.get_text(" ", strip=True) for li in page.soup.select(".portal-timeline li")]
    assert entries[0].startswith("Viewed 5 times by Test Supervisor"), "four views before, and this one"
    assert entries[1].startswith("Status: in progress Test Supervisor, ")
    assert entries[2].startswith("Claimed Test Supervisor, ")
    assert entries[3].startswith("Reported by the resident and triaged to tasking")
    assert len(entries) == 4, "views are summed up, not listed one by one"


def test_a_case_opened_hundreds_of_times_keeps_a_short_timeline(
    app: Flask, officer: Account, supervisor: Account, supervisor_client: PageClient
) -> None:
    reference = make_case(app)
    with app.app_context():
        for _ in range(300):
            operations.record_view(reference, user(app, officer))
        db.session.commit()
    page = supervisor_client.get(f"/officer/cases/{reference}")
    entries = [li.get_text(" ", strip=True) for li in page.soup.select(".portal-timeline li")]
    assert entries[0].startswith("Viewed once by Test Supervisor")
    assert entries[1].startswith("Viewed 300 times by Test Officer")
    assert entries[2].startswith("Reported by the resident"), "one line a day for each officer's views"
    assert len(entries) == 3


def test_the_audit_log_cannot_be_edited_or_deleted(app: Flask, supervisor: Account) -> None:
    reference = make_case(app)
    with app.app_context():
        operations.claim(reference, user(app, supervisor))
        entry = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "claimed")).one()
        entry.action = "nothing happened"
        with pytest.raises(AuditIsAppendOnly):
            db.session.commit()
        db.session.rollback()
        with pytest.raises(Exception, match="append-only"):
            db.session.execute(text("DELETE FROM audit_event"))
        db.session.rollback()
        assert db.session.scalars(
            select(AuditEvent.action).where(AuditEvent.report_id.is_not(None))
        ).all() == ["claimed"]


def test_evidence_downloads_only_for_officers_as_an_attachment(
    app: Flask, client: PageClient, officer_client: PageClient
) -> None:
    fill_until(client, "asb", stop_before="evidence")
    token = client.get("/report/evidence").csrf_token()
    client.post(
        "/report/evidence",
        {"csrf_token": token, "files": (io.BytesIO(PNG), "door.png"), "upload": "Upload file"},
        content_type="multipart/form-data",
    )
    client.post_form("/report/evidence", {"continue": "continue"})
    client.post_form("/report/about-you", factories.about())
    client.post_form("/report/check")
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        url = f"/officer/cases/{report.reference}/attachments/{report.attachments[0].id}"

    anonymous = PageClient(app.test_client()).get_raw(url)
    assert anonymous.status_code == 302 and "/officer/sign-in" in anonymous.headers["Location"]
    download = officer_client.get_raw(url)
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.data == PNG


def sent_with_evidence(app: Flask, file_name: str) -> tuple[str, int]:
    """A resident's report with one evidence file, sent through the pages: its reference and file."""
    resident = PageClient(app.test_client())
    fill_until(resident, "asb", stop_before="evidence")
    token = resident.get("/report/evidence").csrf_token()
    resident.post(
        "/report/evidence",
        {"csrf_token": token, "files": (io.BytesIO(PNG), file_name), "upload": "Upload file"},
        content_type="multipart/form-data",
    )
    resident.post_form("/report/evidence", {"continue": "continue"})
    resident.post_form("/report/about-you", factories.about())
    assert resident.post_form("/report/check").h1 == "Report sent"
    with app.app_context():
        report = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
        assert report is not None
        return report.reference, report.attachments[0].id


def downloads_recorded(app: Flask) -> list[tuple[int | None, int | None, dict[str, Any] | None]]:
    with app.app_context():
        return [
            (entry.actor_id, entry.report_id, entry.after)
            for entry in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == AuditAction.DOWNLOADED).order_by(AuditEvent.id)
            )
        ]


def test_downloading_evidence_without_opening_the_case_is_in_its_audit_log_and_timeline(
    app: Flask, officer: Account, officer_client: PageClient, supervisor_client: PageClient
) -> None:
    reference, attachment_id = sent_with_evidence(app, "IMG_2041.png")

    download = officer_client.get_raw(f"/officer/cases/{reference}/attachments/{attachment_id}")

    assert download.status_code == 200 and download.data == PNG
    assert audit_actions(app, reference) == [AuditAction.DOWNLOADED], "downloaded, never opened"
    assert downloads_recorded(app) == [
        (officer.id, case_of(app, reference).id, {"attachment_id": attachment_id, "file": "IMG_2041.png"})
    ]
    page = supervisor_client.get(f"/officer/cases/{reference}")
    timeline = page.soup.select_one(".portal-timeline").get_text(" ", strip=True)
    assert "Downloaded IMG_2041.png Test Officer, " in timeline
    listed = supervisor_client.get("/officer/downloads").soup.select_one("table.portal-downloads tbody")
    assert listed is not None
    [row] = [[cell.get_text(" ", strip=True) for cell in tr.find_all("td")] for tr in listed.find_all("tr")]
    assert row[1:4] == ["Test Officer", "Downloaded IMG_2041.png", reference]


def test_only_a_file_actually_sent_is_recorded_as_downloaded(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    mine, my_file = sent_with_evidence(app, "door.png")
    other, other_file = sent_with_evidence(app, "window.png")
    # Another case's file through this case's address, a file that does not exist, a case that does not.
    for url in (
        f"/officer/cases/{mine}/attachments/{other_file}",
        f"/officer/cases/{mine}/attachments/999999",
        f"/officer/cases/DIO-2026-999999/attachments/{my_file}",
    ):
        refused = officer_client.get_raw(url)
        assert refused.status_code == 404, url
        assert refused.data != PNG
    assert officer_client.get_raw(f"/officer/cases/{mine}/attachments/{my_file}").status_code == 200

    assert downloads_recorded(app) == [
        (officer.id, case_of(app, mine).id, {"attachment_id": my_file, "file": "door.png"})
    ]
    assert audit_actions(app, other) == []


def test_an_unknown_case_reference_says_so_and_changes_nothing(
    app: Flask, supervisor_client: PageClient
) -> None:
    page = supervisor_client.get("/officer/cases/DIO-2026-999999")
    assert page.status == 404
    assert "There is no case DIO-2026-999999." in page.text()
    token = supervisor_client.get("/officer/").csrf_token()
    refused = supervisor_client.post(
        "/officer/cases/DIO-2026-999999/notes", {"csrf_token": token, "text": "Hello"}
    )
    assert refused.status == 404
    with app.app_context():
        assert db.session.scalars(select(CaseNote)).all() == []
