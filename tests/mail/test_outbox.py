"""The acknowledgement email goes through the outbox: never lost, and marked sent once."""

from __future__ import annotations

import socket
import threading
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from portal.cases import satisfaction
from portal.extensions import db
from portal.mail import outbox
from portal.mail.outbox import deliver
from portal.models import OutboxMessage, Report
from portal.models.types import utcnow
from portal.reports import resident_access
from tests.conftest import MailCatcher, SMTPServer, mail_worker_pass, make_app
from tests.helpers import PageClient
from tests.journey import submit


def test_mail_down_keeps_the_report_and_outbox_send_delivers_it_once_mail_is_back(
    app: Flask, client: PageClient, mailbox: MailCatcher, smtp_server: SMTPServer
) -> None:
    smtp_server.stop()
    confirmation = submit(client, "asb")
    assert confirmation.h1.startswith("Report sent"), "the resident still gets their reference"
    mail_worker_pass(app)

    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.report_id == report.id
        assert message.status == "pending"
        assert message.attempts == 1
        assert message.last_error

    smtp_server.start()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["outbox", "send"])
    assert first.exit_code == 0, first.output
    assert "1 sent" in first.output
    second = runner.invoke(args=["outbox", "send"])
    assert "0 sent" in second.output

    [email] = mailbox.to("sam.resident@example.org")
    assert report.reference in email["Subject"]
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.status == "sent" and message.sent_at is not None


def test_a_failed_email_waits_for_its_backoff(
    app_settings: dict[str, str], app: Flask, smtp_server: SMTPServer
) -> None:
    patient = make_app({**app_settings, "OUTBOX_BACKOFF_SECONDS": "60"})
    client = PageClient(patient.test_client())
    smtp_server.stop()
    submit(client, "asb")
    mail_worker_pass(patient)
    smtp_server.start()
    with patient.app_context():
        assert deliver().sent == [], "not due again for a minute"
        message = db.session.scalars(select(OutboxMessage)).one()
        assert timedelta(seconds=50) < message.next_attempt_at - utcnow() <= timedelta(seconds=60)
        assert deliver(now=utcnow() + timedelta(seconds=61)).sent == [message.id]


def test_an_email_that_keeps_failing_is_marked_failed(
    app_settings: dict[str, str], app: Flask, smtp_server: SMTPServer
) -> None:
    limited = make_app({**app_settings, "OUTBOX_MAX_ATTEMPTS": "2"})
    smtp_server.stop()
    submit(PageClient(limited.test_client()), "asb")
    mail_worker_pass(limited)  # attempt 1, as soon as the report is stored
    with limited.app_context():
        report = deliver()  # attempt 2
        assert len(report.failed) == 1
        assert db.session.scalars(select(OutboxMessage)).one().status == "failed"
        assert deliver().sent == [], "failed emails are not retried by themselves"


def test_two_senders_at_once_send_each_email_once(
    app: Flask, mailbox: MailCatcher, smtp_server: SMTPServer
) -> None:
    smtp_server.stop()
    clients = [PageClient(app.test_client()) for _ in range(5)]
    for client in clients:
        submit(client, "asb")
    smtp_server.start()

    barrier = threading.Barrier(2)
    sent: list[list[int]] = []

    def sender() -> None:
        with app.app_context():
            barrier.wait()
            sent.append(deliver().sent)
            db.session.remove()

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    all_sent = sent[0] + sent[1]
    assert len(all_sent) == 5 and len(set(all_sent)) == 5
    assert len(mailbox.messages) == 5


def test_a_message_whose_lease_ran_out_is_given_back_and_sent(
    app: Flask, client: PageClient, mailbox: MailCatcher, smtp_server: SMTPServer
) -> None:
    smtp_server.stop()
    submit(client, "asb")
    smtp_server.start()
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        message.status = "sending"  # a sender that died after claiming it
        message.claimed_at = utcnow() - timedelta(seconds=40)
        message.lease_expires_at = utcnow() - timedelta(seconds=10)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "1 sent" in result.output and "1 given back" in result.output
    assert len(mailbox.messages) == 1


def test_a_message_whose_lease_is_still_running_is_left_to_its_sender(
    app: Flask, client: PageClient, smtp_server: SMTPServer
) -> None:
    smtp_server.stop()
    submit(client, "asb")
    smtp_server.start()
    with app.app_context():
        message_id = db.session.scalars(select(OutboxMessage.id)).one()
        assert outbox._claim(message_id, utcnow(), "another-host:1") is not None
        assert outbox.release_expired() == 0
        assert deliver().sent == []
        assert db.session.get(OutboxMessage, message_id).claimed_by == "another-host:1"


def test_no_web_request_opens_a_connection_to_the_mail_server(
    app_settings: dict[str, str], app: Flask
) -> None:
    # A mail server that counts who connects. Residents and officers only queue email.
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    watched = make_app({**app_settings, "MAIL_PORT": str(listener.getsockname()[1])})
    try:
        submit(PageClient(watched.test_client()), "safety_concern")  # an acknowledgement and an alert
        with pytest.raises(TimeoutError):
            listener.accept()
        with watched.app_context():
            assert {m.status for m in db.session.scalars(select(OutboxMessage))} == {"pending"}
            assert {m.attempts for m in db.session.scalars(select(OutboxMessage))} == {0}
    finally:
        listener.close()


def test_a_sender_whose_lease_ran_out_cannot_record_its_outcome(
    app: Flask, client: PageClient, smtp_server: SMTPServer
) -> None:
    smtp_server.stop()
    submit(client, "asb")
    with app.app_context():
        message_id = db.session.scalars(select(OutboxMessage.id)).one()
        slow_sender = outbox._claim(message_id, utcnow(), "slow-host:1")
        assert slow_sender is not None
        # Its lease runs out unrenewed, and another sender takes the message over.
        later = utcnow() + timedelta(seconds=app.config["OUTBOX_LEASE_SECONDS"] + 1)
        assert outbox.release_expired(later) == 1
        assert outbox._claim(message_id, utcnow(), "other-host:1") is not None
        assert outbox._finish(slow_sender, {"status": "sent"}) is False
        assert db.session.get(OutboxMessage, message_id).status == "sending"


def test_a_refused_recipient_is_recorded_without_the_address(
    app: Flask, client: PageClient, mailbox: MailCatcher
) -> None:
    async def refuse(server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        return "550 5.1.1 <sam.resident@example.org>: Recipient address rejected"

    mailbox.handler.handle_RCPT = refuse  # type: ignore[attr-defined]
    try:
        submit(client, "asb")
        mail_worker_pass(app)
    finally:
        del mailbox.handler.handle_RCPT  # type: ignore[attr-defined]
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        assert message.status == "pending"
        assert message.last_error == "SMTPRecipientsRefused"
        assert "example.org" not in message.last_error


def test_database_errors_never_carry_residents_words(app: Flask, client: PageClient) -> None:
    submit(client, "asb")
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        duplicate = Report(
            **{c.key: getattr(report, c.key) for c in Report.__table__.columns if c.key != "id"}
        )
        db.session.add(duplicate)
        with pytest.raises(IntegrityError) as raised:
            db.session.commit()
        db.session.rollback()
    assert "parameters hidden" in str(raised.value)
    assert "Sam Resident" not in str(raised.value)


def _queued(app: Flask, purpose: str) -> int:
    with app.app_context():
        message = outbox.queue_email(
            purpose=purpose,
            recipient="sam.resident@example.org",
            subject="Continue your report",
            template="resume_link",
            context={"link": "https://portal.example/continue/a-working-token", "minutes": 30},
        )
        db.session.commit()
        return message.id


def test_the_link_purposes_are_the_emails_that_carry_a_working_link() -> None:
    assert {"resume_link", satisfaction.PURPOSE, resident_access.PURPOSE} == outbox.LINK_PURPOSES


@pytest.mark.parametrize("purpose", sorted(outbox.LINK_PURPOSES))
def test_an_email_with_a_working_link_keeps_no_body_once_sent(
    app: Flask, mailbox: MailCatcher, purpose: str
) -> None:
    sent, other = _queued(app, purpose), _queued(app, "case_update")
    mail_worker_pass(app)
    assert all("a-working-token" in email.get_body(("plain",)).get_content() for email in mailbox.messages)
    with app.app_context():
        link_email, other_email = db.session.get(OutboxMessage, sent), db.session.get(OutboxMessage, other)
        assert link_email is not None and other_email is not None
        assert (link_email.status, link_email.body_text, link_email.body_html) == ("sent", "", "")
        assert "a-working-token" in other_email.body_text, "other emails are emptied by the retention job"


def test_an_email_with_a_working_link_keeps_no_body_once_given_up(
    app_settings: dict[str, str], app: Flask, smtp_server: SMTPServer
) -> None:
    limited = make_app({**app_settings, "OUTBOX_MAX_ATTEMPTS": "1"})
    smtp_server.stop()
    given_up = _queued(limited, "satisfaction_question")
    mail_worker_pass(limited)
    with limited.app_context():
        message = db.session.get(OutboxMessage, given_up)
        assert message is not None
        assert (message.status, message.body_text, message.body_html) == ("failed", "", "")
