"""The mail worker: email leaves the web workers, goes as soon as it is queued, within a deadline.

A slow or silent mail server costs the worker, never a resident. Leases are short and renewed
while a message is being sent; a worker that dies gives its messages back within a lease. Two
workers never send a message twice, except in the one window SMTP cannot close (docs/outbox.md),
and then the copy carries the same Message-ID.
"""

from __future__ import annotations

import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.mail import outbox
from portal.mail.outbox import deliver, queue_email
from portal.models import OutboxMessage, Report
from portal.models.types import utcnow
from tests.conftest import MailCatcher, SMTPServer, mail_worker_pass, make_app
from tests.helpers import PageClient
from tests.journey import submit
from tests.processes import mail_worker, portal_env, start_mail_worker, stop, wait_for

RESIDENT = "sam.resident@example.org"


def queue(app: Flask, count: int, recipient: str = RESIDENT) -> list[int]:
    """``count`` case updates queued and committed, as an officer's change would."""
    with app.test_request_context():
        messages = [
            queue_email(
                purpose="case_update",
                recipient=recipient,
                subject=f"An update on your report DIO-2026-{n:06d}",
                template="case_update",
                context={"reference": f"DIO-2026-{n:06d}", "text": "We have spoken to your neighbour."},
            )
            for n in range(count)
        ]
        db.session.commit()
        ids = [message.id for message in messages]
        db.session.remove()
    return ids


def statuses(app: Flask) -> Counter[str]:
    with app.app_context():
        found = Counter(db.session.scalars(select(OutboxMessage.status)))
        db.session.remove()
    return found


def inbox(mailbox: MailCatcher) -> list[Any]:
    """What has arrived so far, without a pass of our own: a worker process is sending."""
    mailbox.send_pending = None
    return mailbox.messages


def message_id_of(email: Any) -> str:
    return str(email["Message-ID"]).strip()  # a long id is folded onto a line of its own


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A mail server that accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    yield listener.getsockname()[1]
    listener.close()


# --- the deadline ----------------------------------------------------------------------------


def test_the_deadline_bounds_the_whole_message_not_each_read(
    app_settings: dict[str, str], app: Flask, mailbox: MailCatcher
) -> None:
    # Each answer comes well within the per-read timeout; the five steps together do not.
    mailbox.handler.delay = 0.8
    strict = make_app({**app_settings, "MAIL_TIMEOUT": "10", "MAIL_DEADLINE": "2"})
    [message_id] = queue(strict, 1)
    started = time.monotonic()
    with strict.app_context():
        report = deliver()
        took = time.monotonic() - started
        message = db.session.get(OutboxMessage, message_id)
        assert report.retrying == [message_id]
        assert message.status == "pending" and message.attempts == 1
        assert message.last_error == "DeadlinePassed: no answer within 2 s"
    assert took < 3, f"the attempt took {took:.1f} s against a deadline of 2 s"


def test_a_server_that_never_answers_is_given_up_at_the_deadline(
    app_settings: dict[str, str], app: Flask, silent_server: int
) -> None:
    strict = make_app(
        {**app_settings, "MAIL_PORT": str(silent_server), "MAIL_TIMEOUT": "10", "MAIL_DEADLINE": "2"}
    )
    queue(strict, 1)
    started = time.monotonic()
    with strict.app_context():
        assert len(deliver().retrying) == 1
    assert time.monotonic() - started < 3


def test_a_slow_server_still_gets_its_message_within_the_deadline(
    app_settings: dict[str, str], app: Flask, mailbox: MailCatcher
) -> None:
    mailbox.handler.delay = 0.3
    patient = make_app({**app_settings, "MAIL_TIMEOUT": "2", "MAIL_DEADLINE": "20"})
    [message_id] = queue(patient, 1)
    with patient.app_context():
        assert deliver().sent == [message_id]
    assert len(mailbox.to(RESIDENT)) == 1


# --- leases ----------------------------------------------------------------------------------


def test_the_lease_is_renewed_while_a_slow_message_is_being_sent(
    app_settings: dict[str, str], app: Flask, mailbox: MailCatcher
) -> None:
    mailbox.handler.delay = 1.0  # about five seconds for the message: longer than the lease
    short = make_app({**app_settings, "OUTBOX_LEASE_SECONDS": "3", "MAIL_DEADLINE": "30"})
    [message_id] = queue(short, 1)
    sent: list[list[int]] = []

    def first_sender() -> None:
        with short.app_context():
            sent.append(deliver().sent)
            db.session.remove()

    sender = threading.Thread(target=first_sender)
    sender.start()
    time.sleep(4)  # past the first lease: only a renewal keeps the message
    with short.app_context():
        assert sender.is_alive(), "the first sender is still talking to the server"
        assert outbox.release_expired() == 0
        assert deliver().sent == [], "another sender finds nothing to take"
        db.session.remove()
    sender.join()
    assert sent == [[message_id]]
    mailbox.send_pending = None
    assert len(mailbox.to(RESIDENT)) == 1


def test_an_accepted_message_not_marked_sent_goes_again_with_the_same_message_id(
    app: Flask, mailbox: MailCatcher
) -> None:
    """The window SMTP cannot close: the server took the message, then its sender died."""
    [message_id] = queue(app, 1)
    with app.app_context():
        claimed = outbox._claim(message_id, utcnow(), "dying-host:1")
        assert claimed is not None
        dying = outbox._Sender(app)
        dying.send(claimed.message)  # the server has it; the sender dies before marking it
        dying.close()
        lease = app.config["OUTBOX_LEASE_SECONDS"]
        assert outbox.release_expired(utcnow()) == 0, "not while the lease runs"
        assert outbox.release_expired(utcnow() + timedelta(seconds=lease + 1)) == 1
        assert deliver().sent == [message_id]
        row = db.session.get(OutboxMessage, message_id)
        assert row.status == "sent"
    copies = mailbox.to(RESIDENT)
    assert len(copies) == 2
    assert message_id_of(copies[0]) == message_id_of(copies[1]) == row.message_id


def test_every_attempt_carries_the_email_s_own_message_id(
    app: Flask, smtp_server: SMTPServer, mailbox: MailCatcher
) -> None:
    first, second = queue(app, 2)
    smtp_server.stop()
    mail_worker_pass(app)  # both attempts fail
    smtp_server.start()
    with app.app_context():
        rows = {row.id: row.message_id for row in db.session.scalars(select(OutboxMessage))}
        assert all(row.attempts == 1 for row in db.session.scalars(select(OutboxMessage)))
    received = {message_id_of(email) for email in mailbox.to(RESIDENT)}
    assert received == {rows[first], rows[second]}
    assert rows[first] != rows[second]
    assert rows[first].endswith("@ne-derbyshire.gov.uk>")


# --- what happens when mail will not go --------------------------------------------------------


def test_an_acknowledgement_given_up_on_is_on_the_case_page_and_on_healthz(
    app_settings: dict[str, str], app: Flask, smtp_server: SMTPServer, officer_client: PageClient
) -> None:
    submit(PageClient(app.test_client()), "asb")
    once = make_app({**app_settings, "OUTBOX_MAX_ATTEMPTS": "1"})
    smtp_server.stop()
    mail_worker_pass(once)
    smtp_server.start()
    with app.app_context():
        reference = db.session.scalars(select(Report.reference)).one()
    page = officer_client.get(f"/officer/cases/{reference}")
    banner = page.soup.select_one(".govuk-notification-banner")
    assert banner is not None, "the case page says the email was not sent"
    assert "The resident was not acknowledged" in banner.get_text()
    assert "given up after 1 attempts" in banner.get_text()
    health = app.test_client().get("/healthz")
    assert health.status_code == 200
    assert health.json["outbox_failed"] == 1


def test_a_case_whose_emails_went_shows_no_warning(
    app: Flask, mailbox: MailCatcher, officer_client: PageClient
) -> None:
    submit(PageClient(app.test_client()), "asb")
    assert mailbox.to(RESIDENT)
    with app.app_context():
        reference = db.session.scalars(select(Report.reference)).one()
    page = officer_client.get(f"/officer/cases/{reference}")
    assert page.soup.select_one(".govuk-notification-banner") is None


# --- the worker as a process -------------------------------------------------------------------


@pytest.fixture
def worker_env(app: Flask, app_settings: dict[str, str]) -> dict[str, str]:
    return portal_env(app_settings, OUTBOX_LEASE_SECONDS="3")


def test_the_worker_sends_a_report_s_acknowledgement_as_soon_as_it_is_stored(
    app: Flask, worker_env: dict[str, str], mailbox: MailCatcher, tmp_path: Path
) -> None:
    log = tmp_path / "worker.log"
    with mail_worker(worker_env, log):
        assert wait_for(lambda: "outbox worker started" in log.read_text(), timeout=15)
        time.sleep(1)  # idle, waiting: on PostgreSQL only a notification wakes it before 5 s
        submit(PageClient(app.test_client()), "asb")
        stored = time.monotonic()
        arrived = wait_for(lambda: inbox(mailbox), timeout=10)
        took = time.monotonic() - stored
    assert [email["To"] for email in arrived] == [RESIDENT]
    assert statuses(app) == {"sent": 1}
    assert took < 2.5, f"the acknowledgement took {took:.1f} s to leave"


def test_sigterm_stops_the_worker_after_the_message_in_hand(
    app: Flask, worker_env: dict[str, str], mailbox: MailCatcher, tmp_path: Path
) -> None:
    mailbox.handler.delay = 0.5  # about two and a half seconds for each message
    queue(app, 3)
    worker = start_mail_worker(worker_env, tmp_path / "worker.log")
    try:
        assert wait_for(lambda: statuses(app)["sending"] == 1, timeout=15), "a message is in hand"
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=20) == 0, (tmp_path / "worker.log").read_text()
    finally:
        stop(worker)
    found = statuses(app)
    assert found["sending"] == 0, "nothing is left held by a stopped worker"
    assert found["sent"] >= 1 and found["sent"] + found["pending"] == 3
    assert len(inbox(mailbox)) == found["sent"]


def test_a_worker_killed_mid_send_gives_its_message_back_within_its_lease(
    app: Flask, worker_env: dict[str, str], mailbox: MailCatcher, tmp_path: Path
) -> None:
    mailbox.handler.delay = 3.0  # each SMTP step: the doomed worker is still sending when killed
    [message_id] = queue(app, 1)
    doomed = start_mail_worker(worker_env, tmp_path / "doomed.log")
    survivor_log = tmp_path / "survivor.log"
    try:
        assert wait_for(lambda: statuses(app)["sending"] == 1, timeout=15)
        # The other worker is already running, as a second host's is: its start-up is not timed.
        with mail_worker(worker_env, survivor_log):
            assert wait_for(lambda: "outbox worker started" in survivor_log.read_text(), timeout=15)
            assert statuses(app)["sending"] == 1, "the doomed worker still holds its lease"
            doomed.kill()
            doomed.wait()
            killed_at = time.monotonic()
            mailbox.handler.delay = 0.0
            assert wait_for(lambda: statuses(app)["sent"] == 1, timeout=15)
            taken = time.monotonic() - killed_at
    finally:
        if doomed.poll() is None:
            doomed.kill()
            doomed.wait()
    # The lease runs out within 3 s of the kill; the survivor finds it at its next poll (every 5 s
    # on PostgreSQL, where no notification says a lease ran out) and sends it (well under 1 s).
    assert taken < 3 + 5 + 1, "given back once the 3-second lease ran out"
    with app.app_context():
        own_id = db.session.get(OutboxMessage, message_id).message_id
    copies = inbox(mailbox)
    assert 1 <= len(copies) <= 2, "at most one copy more, from the window SMTP cannot close"
    assert {message_id_of(email) for email in copies} == {own_id}


def test_two_workers_at_once_send_each_email_once(
    app: Flask, worker_env: dict[str, str], mailbox: MailCatcher, tmp_path: Path
) -> None:
    ids = queue(app, 60)
    with (
        mail_worker(worker_env, tmp_path / "one.log"),
        mail_worker(worker_env, tmp_path / "two.log"),
    ):
        assert wait_for(lambda: statuses(app)["sent"] == len(ids), timeout=60), statuses(app)
    received = Counter(message_id_of(email) for email in inbox(mailbox))
    assert len(received) == len(ids)
    assert set(received.values()) == {1}, "no email arrived twice"


# --- a message no server can take, and a server slow before the message ------------------------


def test_a_message_no_server_can_take_is_failed_at_once_and_the_rest_still_go(
    app: Flask, mailbox: MailCatcher
) -> None:
    # An address the form accepts but that cannot be written in an SMTP command without SMTPUTF8.
    [undeliverable] = queue(app, 1, recipient="zoë@example.org")
    others = queue(app, 2)
    with app.app_context():
        report = deliver()
        row = db.session.get(OutboxMessage, undeliverable)
        assert (row.status, row.attempts) == ("failed", 1), "not tried again and again"
        assert row.last_error and "example.org" not in row.last_error
    assert report.failed == [undeliverable] and report.sent == others
    assert len(mailbox.to(RESIDENT)) == 2


@pytest.fixture
def dawdling_server() -> Iterator[int]:
    """A mail server that sends its greeting, and then its EHLO reply, a byte at a time."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(4)
    stopping = threading.Event()

    def serve() -> None:
        listener.settimeout(0.2)
        while not stopping.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            with connection:
                for byte in b"220 mail.example.org ESMTP a very slow greeting indeed\r\n":
                    if stopping.is_set():
                        return
                    try:
                        connection.sendall(bytes([byte]))
                    except OSError:
                        break
                    time.sleep(0.2)

    server = threading.Thread(target=serve, daemon=True)
    server.start()
    yield listener.getsockname()[1]
    stopping.set()
    server.join()
    listener.close()


def test_a_greeting_that_trickles_in_is_cut_off_at_the_deadline(
    app_settings: dict[str, str], app: Flask, dawdling_server: int
) -> None:
    # Each byte comes well within the per-read timeout; the greeting alone takes eleven seconds.
    strict = make_app(
        {**app_settings, "MAIL_PORT": str(dawdling_server), "MAIL_TIMEOUT": "10", "MAIL_DEADLINE": "2"}
    )
    [message_id] = queue(strict, 1)
    started = time.monotonic()
    with strict.app_context():
        assert deliver().retrying == [message_id]
        assert db.session.get(OutboxMessage, message_id).last_error == "DeadlinePassed: no answer within 2 s"
    assert time.monotonic() - started < 3
