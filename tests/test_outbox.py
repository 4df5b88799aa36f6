"""The acknowledgement email goes through the outbox: never lost, sent exactly once."""

from __future__ import annotations

import threading
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.mail.outbox import deliver
from portal.models import OutboxMessage, Report
from portal.models.types import utcnow
from tests.conftest import MailCatcher, SMTPServer, make_app
from tests.helpers import PageClient
from tests.journey import submit


def test_mail_down_keeps_the_report_and_outbox_send_delivers_it_once_mail_is_back(
    app: Flask, client: PageClient, mailbox: MailCatcher, smtp_server: SMTPServer
) -> None:
    smtp_server.stop()
    confirmation = submit(client, "asb")
    assert confirmation.h1.startswith("Report sent"), "the resident still gets their reference"

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
    submit(PageClient(limited.test_client()), "asb")  # attempt 1, right after the commit
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


def test_a_send_left_stalled_is_released_and_retried(
    app: Flask, client: PageClient, mailbox: MailCatcher, smtp_server: SMTPServer
) -> None:
    smtp_server.stop()
    submit(client, "asb")
    smtp_server.start()
    with app.app_context():
        message = db.session.scalars(select(OutboxMessage)).one()
        message.status = "sending"  # a sender that died after claiming it
        message.claimed_at = utcnow() - timedelta(minutes=20)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["outbox", "send"])
    assert "1 sent" in result.output and "1 released" in result.output
    assert len(mailbox.messages) == 1
