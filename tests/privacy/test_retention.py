"""The retention period: a closed case keeps the resident's personal data for RETENTION_MONTHS, no longer.

``flask retention apply`` anonymises closed cases past the period (what the resident said and who
they are goes; what the yearly figures count stays), purges expired drafts and empties sent emails.
"""

from __future__ import annotations

import io
import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from dateutil.relativedelta import relativedelta
from flask import Flask
from sqlalchemy import inspect, select, update

from portal.cases import operations, records
from portal.cases.casefile import related_by_place, related_by_reporter
from portal.config import ConfigError, load_config
from portal.extensions import db
from portal.models import (
    Attachment,
    AuditEvent,
    CameraDeployment,
    CaseNote,
    CaseReview,
    Draft,
    OutboxMessage,
    PowerUse,
    Report,
    TargetHardeningRecord,
    TaskingAction,
    TaskingRecord,
    User,
)
from portal.models.audit import AuditAction
from portal.models.report import DECISION_COLUMNS
from portal.models.types import utcnow
from portal.privacy.retention import REMOVED
from portal.triage.calendar import london_today
from tests import factories
from tests.case_reviews import make_review
from tests.cases import make_case
from tests.conftest import MailCatcher, SMTPServer, mail_worker_pass, make_app
from tests.evidence_files import PNG
from tests.helpers import PageClient
from tests.journey import answer_pages, choose, fill_until, submit
from tests.officers import Account

RESIDENTS_WORDS = ("Sam Resident", "sam.resident@example.org", "07700 900982", "Station Road", "S18 1AB")
REROUTE_REASON = "Sam says the lads from 14 Station Road threatened him"


def retention_apply(app: Flask) -> Any:
    result = app.test_cli_runner().invoke(args=["retention", "apply"])
    assert result.exit_code == 0, result.output
    return result


def months_ago(months: int, days: int = 0) -> datetime:
    return utcnow() - relativedelta(months=months) - timedelta(days=days)


def report_with_evidence(app: Flask, client: PageClient, impact: dict[str, Any] | None = None) -> str:
    """A resident's ASB report through the pages, with a photo, acknowledged by email."""
    choose(client, "asb")
    answer_pages(client, "asb", through="when")
    client.post_form("/report/impact", impact or factories.IMPACT)
    token = client.get("/report/evidence").csrf_token()
    client.post(
        "/report/evidence",
        {"csrf_token": token, "files": (io.BytesIO(PNG), "front door.png"), "upload": "Upload file"},
        content_type="multipart/form-data",
    )
    client.post_form("/report/evidence", {"continue": "continue"})
    client.post_form("/report/about-you", factories.about_for("asb"))
    page = client.post_form("/report/check")
    assert page.h1.startswith("Report sent"), page.h1
    with app.app_context():
        return str(db.session.scalars(select(Report.reference).order_by(Report.id.desc())).first())


def user(account: Account) -> User:
    found = db.session.get(User, account.id)
    assert found is not None
    return found


def work_on_and_close(app: Flask, reference: str, supervisor: Account) -> None:
    """A supervisor works the case as officers do: notes, an update, every record, then closes it."""
    today = london_today()
    with app.app_context():
        boss = user(supervisor)
        operations.claim(reference, boss)
        operations.add_note(reference, boss, "Sam's neighbour at 16 told me his name is Lee Jones")
        operations.post_update(reference, boss, "Sam, we visited Station Road and spoke to the family")
        records.save_tasking(reference, boss, None, today, "Warn Lee Jones of 12 Station Road")
        records.add_action(reference, boss, None, "Visit Lee Jones at home", "PC 1234 Smith", today)
        records.add_camera(
            reference, boss, None, "WC-01", "Lamp post outside 14 Station Road", True, today, today
        )
        records.add_power_use(reference, boss, None, "cpw", today, "Lee Jones", "18_24", "PC 1234 Smith")
        operations.reroute(reference, boss, "target_hardening", REROUTE_REASON, None)
        records.save_target_hardening(
            reference, boss, None, today, ["locks", "other"], "Bars on Sam's back window", None
        )
        operations.change_status(reference, boss, "closed", "resolved", None)


def close_long_ago(app: Flask, reference: str, when: datetime) -> None:
    """The case was closed at ``when``: as if the months had passed."""
    with app.app_context():
        db.session.execute(update(Report).where(Report.reference == reference).values(closed_at=when))
        db.session.commit()


def stored(app: Flask, reference: str) -> dict[str, Any]:
    """Every column of the report, as stored."""
    with app.app_context():
        report = db.session.scalars(select(Report).where(Report.reference == reference)).one()
        return {column.key: getattr(report, column.key) for column in inspect(Report).column_attrs}


def evidence_paths(app: Flask, reference: str) -> list[Path]:
    with app.app_context():
        attachments = db.session.scalars(
            select(Attachment).join(Report).where(Report.reference == reference)
        ).all()
        return [Path(app.config["UPLOAD_FOLDER"]) / a.storage_name for a in attachments]


@pytest.fixture
def worked_case(app: Flask, client: PageClient, supervisor: Account) -> str:
    """A resident's report, worked on and closed 25 months ago."""
    reference = report_with_evidence(app, client)
    work_on_and_close(app, reference, supervisor)
    close_long_ago(app, reference, months_ago(25))
    return reference


def test_closed_report_past_retention_loses_the_residents_words(app: Flask, worked_case: str) -> None:
    assert any(word in json.dumps(stored(app, worked_case), default=str) for word in RESIDENTS_WORDS)

    result = retention_apply(app)

    assert result.output.startswith("1 report anonymised, 1 evidence file deleted")
    report = stored(app, worked_case)
    for column in ("reporter_name", "reporter_email", "reporter_phone", "name_key", "email_key", "phone_key"):
        assert report[column] == "", column
    assert report["postcode"] == ""
    assert report["description"] == report["address"] == REMOVED
    assert report["override_reason"] == REMOVED
    assert report["anonymised_at"] is not None
    everything = json.dumps(report, default=str)
    for words in (*RESIDENTS_WORDS, "Groups gather outside the shop", "threatened him"):
        assert words not in everything


def test_closed_report_past_retention_loses_how_to_reach_the_resident_safely(
    app: Flask, client: PageClient, supervisor: Account
) -> None:
    about = factories.about(
        safe_call_times="After 6pm, when Lee is out",
        voicemail_ok="no",
        text_ok="yes",
        safe_alternative_contact="My sister Jo Walker, 07700 900123",
    )
    submit(client, "asb", about=about)
    with app.app_context():
        reference = db.session.scalars(select(Report.reference)).one()
        operations.change_status(reference, user(supervisor), "closed", "resolved", None)
    close_long_ago(app, reference, months_ago(25))
    before = stored(app, reference)
    assert (before["safe_call_times"], before["voicemail_ok"], before["text_ok"]) == (
        "After 6pm, when Lee is out",
        False,
        True,
    )

    retention_apply(app)

    report = stored(app, reference)
    assert (report["safe_call_times"], report["safe_alternative_contact"]) == ("", "")
    assert (report["voicemail_ok"], report["text_ok"]) == (None, None)
    everything = json.dumps(report, default=str)
    assert "Lee is out" not in everything and "Jo Walker" not in everything


def test_anonymised_report_keeps_what_the_yearly_figures_count(app: Flask, worked_case: str) -> None:
    before = stored(app, worked_case)

    retention_apply(app)

    after = stored(app, worked_case)
    kept = (
        *DECISION_COLUMNS,
        *("kind", "types", "details", "ward", "started", "frequency", "previous_reports", "anonymous"),
        *(f"harm_{question}" for question in ("feel_unsafe", "daily_life_affected", "vulnerable_person")),
        *("submitted_at", "status", "outcome", "closed_at", "current_route", "override_at"),
        *("first_contact_on", "assignee_id", "lives_in_district", "reference"),
    )
    assert {name: after[name] for name in kept} == {name: before[name] for name in kept}
    assert after["ward"] == "Dronfield North" and after["outcome"] == "resolved"
    assert after["version"] > before["version"], "an officer with the case open is told it changed"


def test_evidence_files_go_from_disk_and_from_the_database(app: Flask, worked_case: str) -> None:
    [photo] = evidence_paths(app, worked_case)
    assert photo.exists()

    retention_apply(app)

    assert not photo.exists()
    assert evidence_paths(app, worked_case) == []


def test_officers_notes_updates_and_records_lose_their_free_text_but_keep_their_facts(
    app: Flask, worked_case: str
) -> None:
    retention_apply(app)

    with app.app_context():
        report_id = db.session.scalars(select(Report.id).where(Report.reference == worked_case)).one()
        notes = db.session.scalars(select(CaseNote).where(CaseNote.report_id == report_id)).all()
        assert sorted(note.kind for note in notes) == ["note", "update"]
        assert {note.text for note in notes} == {REMOVED}
        assert db.session.get(TaskingRecord, report_id).decision == REMOVED  # type: ignore[union-attr]
        hardening = db.session.get(TargetHardeningRecord, report_id)
        assert hardening is not None
        assert hardening.other_items == REMOVED and hardening.items == ["locks", "other"]
        action = db.session.scalars(select(TaskingAction).where(TaskingAction.report_id == report_id)).one()
        assert action.description == REMOVED and action.owner == "PC 1234 Smith"
        camera = db.session.scalars(
            select(CameraDeployment).where(CameraDeployment.report_id == report_id)
        ).one()
        assert camera.location == REMOVED and camera.camera == "WC-01"
        power = db.session.scalars(select(PowerUse).where(PowerUse.report_id == report_id)).one()
        assert power.served_on_name == REMOVED
        assert (power.power, power.served_on_age_band, power.served_by) == ("cpw", "18_24", "PC 1234 Smith")


def test_an_asb_case_reviews_words_go_and_its_facts_stay(app: Flask, worked_case: str) -> None:
    review_id = make_review(
        app,
        worked_case,
        "escalation_decided",
        applicant="councillor",
        applicant_name="Cllr Jo Bloggs",
        applicant_email="jo.bloggs@council.example",
        applicant_phone="01246 231111",
        consent_given_on=date(2023, 3, 1),
        consent_how="Sam agreed by phone",
        account="Sam's neighbour plays music at night",
        decision_note="Sam has reported it four times",
        meeting_on=date(2023, 5, 2),
        chair_name="Alex Chair",
        agencies_present=["Police"],
        victim_views="Sam cannot sleep",
        findings="Sam's reports were not joined up",
        outcome_summary="Sam will get monthly updates",
        escalation_reason="Sam says the police did not come",
        escalation_result="not_upheld",
        escalation_note="Sam was told",
    )
    retention_apply(app)
    with app.app_context():
        review = db.session.get(CaseReview, review_id)
        assert review is not None
        words = (
            review.account,
            review.applicant_name,
            review.consent_how,
            review.decision_note,
            review.victim_views,
            review.findings,
            review.outcome_summary,
            review.escalation_reason,
            review.escalation_note,
        )
        assert set(words) == {REMOVED}
        assert (review.applicant_email, review.applicant_phone) == ("", "")
        assert (review.applicant, review.consent_given_on) == ("councillor", date(2023, 3, 1))
        assert (review.meeting_on, review.agencies_present, review.escalation_result) == (
            date(2023, 5, 2),
            ["Police"],
            "not_upheld",
        )


def test_the_emails_of_an_anonymised_report_keep_no_address_and_no_words(
    app: Flask, worked_case: str, mailbox: MailCatcher
) -> None:
    assert mailbox.to("sam.resident@example.org"), "the acknowledgement, the update and the closing were sent"

    retention_apply(app)

    with app.app_context():
        messages = db.session.scalars(
            select(OutboxMessage).join(Report).where(Report.reference == worked_case)
        ).all()
        assert sorted(m.purpose for m in messages) == [
            "acknowledgement",
            "case_update",
            "satisfaction_question",
        ]
        for message in messages:
            assert (message.recipient, message.body_text, message.body_html) == ("", "", "")
            assert message.status == "sent" and message.sent_at is not None
            assert worked_case in message.subject


def test_each_anonymised_report_gets_one_audit_entry_and_its_history_stays(
    app: Flask, worked_case: str
) -> None:
    with app.app_context():
        history = [_entry(e) for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]

    retention_apply(app)
    retention_apply(app)

    with app.app_context():
        entries = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [_entry(e) for e in entries[: len(history)]] == history, "the log is only added to"
        [anonymised] = [entry for entry in entries if entry.action == "anonymised"]
        assert anonymised.actor_id is None
        assert anonymised.after == {
            "evidence_files_deleted": 1,
            "notes_redacted": 2,
            "work_records_redacted": 5,
            "emails_emptied": 0,  # already emptied, as every sent email is, earlier in the run
        }
        assert "24 months" in (anonymised.detail or "")


def test_a_download_stays_in_the_audit_log_after_its_file_is_removed(
    app: Flask, worked_case: str, supervisor: Account, supervisor_client: PageClient
) -> None:
    with app.app_context():
        attachment_id = db.session.scalars(select(Attachment.id)).one()
    url = f"/officer/cases/{worked_case}/attachments/{attachment_id}"
    assert supervisor_client.get_raw(url).status_code == 200

    retention_apply(app)

    assert supervisor_client.get_raw(url).status_code == 404
    with app.app_context():
        [download] = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == AuditAction.DOWNLOADED)
        ).all()
        assert download.actor_id == supervisor.id
        assert download.after == {"attachment_id": attachment_id, "file": "front door.png"}
        assert db.session.scalars(select(Attachment)).all() == []


def _entry(event: AuditEvent) -> tuple[Any, ...]:
    return (event.id, event.at, event.action, event.before, event.after, event.detail)


def test_report_closed_23_months_ago_is_kept(app: Flask) -> None:
    reference = make_case(app, status="closed", outcome="resolved", closed_at=months_ago(23))

    result = retention_apply(app)

    assert result.output.startswith("0 reports anonymised")
    report = stored(app, reference)
    assert report["description"] == "Noise from the park" and report["anonymised_at"] is None


def test_report_closed_a_day_more_than_24_months_ago_is_anonymised(app: Flask) -> None:
    reference = make_case(app, status="closed", outcome="resolved", closed_at=months_ago(24, days=1))

    retention_apply(app)

    assert stored(app, reference)["description"] == REMOVED


def test_open_report_is_never_anonymised(app: Flask) -> None:
    long_ago = months_ago(40)
    references = [
        make_case(app, status=status, submitted_at=long_ago, due_by=date(2023, 8, 1))
        for status in ("new", "in_progress", "awaiting_resident")
    ]

    result = retention_apply(app)

    assert result.output.startswith("0 reports anonymised")
    for reference in references:
        report = stored(app, reference)
        assert report["anonymised_at"] is None and report["reporter_name"].startswith("Resident")


def test_second_run_changes_nothing(app: Flask, worked_case: str) -> None:
    retention_apply(app)
    first = stored(app, worked_case)

    second = retention_apply(app)

    assert second.output.strip() == (
        "0 reports anonymised, 0 evidence files deleted, 0 expired drafts deleted, 0 emails emptied, "
        "0 feedback comments removed"
    )
    assert stored(app, worked_case) == first


def test_a_case_reopened_after_anonymising_is_anonymised_again_once_closed_long_enough(
    app: Flask, supervisor: Account
) -> None:
    reference = make_case(app, status="closed", outcome="resolved", closed_at=months_ago(30))
    retention_apply(app)
    with app.app_context():
        boss = user(supervisor)
        operations.change_status(reference, boss, "in_progress", None, None)
        operations.add_note(reference, boss, "The resident rang again: Mrs Patel at number 3")
        operations.change_status(reference, boss, "closed", "resolved", None)

    retention_apply(app)
    with app.app_context():
        assert "Mrs Patel" in db.session.scalars(select(CaseNote.text)).one(), "closed too recently"
    with app.app_context():  # as if 27 months had passed since it was first anonymised
        db.session.execute(
            update(Report)
            .where(Report.reference == reference)
            .values(anonymised_at=months_ago(27), closed_at=months_ago(25))
        )
        db.session.commit()
    result = retention_apply(app)

    assert result.output.startswith("1 report anonymised")
    with app.app_context():
        assert db.session.scalars(select(CaseNote.text)).one() == REMOVED


def test_an_anonymised_report_no_longer_counts_as_the_residents_or_the_places_history(
    app: Flask, worked_case: str
) -> None:
    retention_apply(app)
    later = PageClient(app.test_client())
    submit(later, "asb")

    with app.app_context():
        newest = db.session.scalars(select(Report).order_by(Report.id.desc())).first()
        assert newest is not None and newest.reference != worked_case
        assert related_by_reporter(newest) == [] and related_by_place(newest) == []
        assert "case_review_explained" not in newest.flags


def test_sent_email_bodies_are_emptied_but_pending_ones_kept(
    app: Flask, client: PageClient, smtp_server: SMTPServer
) -> None:
    # An open case: sent emails are emptied whatever the state of their case.
    submit(client, "asb")
    mail_worker_pass(app)
    smtp_server.stop()
    submit(PageClient(app.test_client()), "asb")
    mail_worker_pass(app)  # the mail server is down: the email stays pending
    smtp_server.start()

    result = retention_apply(app)

    assert "1 email emptied" in result.output
    with app.app_context():
        sent, pending = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert (sent.status, sent.body_text, sent.body_html, sent.recipient) == ("sent", "", "", "")
        assert sent.sent_at is not None and sent.created_at is not None and sent.subject
        assert pending.status == "pending"
        assert pending.recipient == "sam.resident@example.org"
        assert "We have received your report" in pending.body_text and pending.body_html


def test_a_sent_safeguarding_alert_keeps_the_duty_inbox_it_went_to_but_not_its_body(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    report_with_evidence(app, client, impact={"harm": ["violence_or_threats"]})
    duty = app.config["SAFEGUARDING_ALERT_EMAIL"]
    assert mailbox.to(duty), "the duty officer was alerted"

    retention_apply(app)

    with app.app_context():
        alert = db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.purpose == "safeguarding_alert")
        ).one()
        assert (alert.recipient, alert.body_text, alert.body_html, alert.status) == (duty, "", "", "sent")


def test_expired_drafts_are_purged_with_their_files(app: Flask) -> None:
    stale = PageClient(app.test_client())
    fill_until(stale, "asb", stop_before="evidence")
    token = stale.get("/report/evidence").csrf_token()
    stale.post(
        "/report/evidence",
        {"csrf_token": token, "files": (io.BytesIO(PNG), "door.png"), "upload": "Upload file"},
        content_type="multipart/form-data",
    )
    with app.app_context():
        draft = db.session.scalars(select(Draft)).one()
        [photo] = [Path(app.config["UPLOAD_FOLDER"]) / a.storage_name for a in draft.attachments]
        draft.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()

    result = retention_apply(app)

    assert "1 expired draft deleted" in result.output
    assert not photo.exists()
    with app.app_context():
        assert db.session.scalars(select(Draft)).all() == []


def test_retention_months_sets_the_period(app_settings: dict[str, str], app: Flask) -> None:
    reference = make_case(app, status="closed", outcome="resolved", closed_at=months_ago(13))
    yearly = make_app({**app_settings, "RETENTION_MONTHS": "12"})

    result = yearly.test_cli_runner().invoke(args=["retention", "apply"])

    assert result.output.startswith("1 report anonymised")
    assert stored(app, reference)["anonymised_at"] is not None


def test_retention_months_defaults_to_24(tmp_path: Path) -> None:
    assert load_config({}, tmp_path)["RETENTION_MONTHS"] == 24


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("two years", "RETENTION_MONTHS must be a whole number, not 'two years'"),
        ("0", "RETENTION_MONTHS must be at least 1, not 0"),
        ("-6", "RETENTION_MONTHS must be at least 1, not -6"),
    ],
)
def test_a_bad_retention_period_stops_the_portal_naming_the_setting(
    tmp_path: Path, value: str, message: str
) -> None:
    with pytest.raises(ConfigError) as error:
        load_config({"RETENTION_MONTHS": value}, tmp_path)
    assert str(error.value) == message
