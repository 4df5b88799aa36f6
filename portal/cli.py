"""Command-line commands: ``flask --app wsgi <group> <command>``."""

from __future__ import annotations

import signal
import threading
from types import FrameType

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from portal.demo import demo_group
from portal.mail.outbox import deliver, release_expired
from portal.mail.worker import work
from portal.models.types import utcnow
from portal.officer.cli import users_group
from portal.privacy.cli import retention_group, sar_group
from portal.reports.cli import triage_group
from portal.reports.drafts import purge_expired_drafts


@click.group("outbox", cls=AppGroup, help="The email outbox.")
def outbox_group() -> None:
    pass


@outbox_group.command(
    "send", help="Deliver the emails that are due, once, with retries and backoff (for cron-only installs)."
)
@click.option(
    "--limit", type=click.IntRange(min=1), default=500, show_default=True, help="At most this many emails."
)
def outbox_send(limit: int) -> None:
    now = utcnow()
    released = release_expired(now)
    report = deliver(now=now, limit=limit)
    report.released = released
    click.echo(report.summary())


@outbox_group.command("work", help="Send email as soon as it is queued, until stopped (SIGTERM or Ctrl+C).")
def outbox_work() -> None:
    stop = threading.Event()

    def stop_after_this_message(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, stop_after_this_message)
    signal.signal(signal.SIGINT, stop_after_this_message)
    click.echo("Sending email as it is queued; stop with Ctrl+C or SIGTERM", err=True)
    work(current_app._get_current_object(), stop)  # type: ignore[attr-defined]


@click.group("drafts", cls=AppGroup, help="Residents' unfinished reports.")
def drafts_group() -> None:
    pass


@drafts_group.command("purge", help="Delete drafts older than their lifetime, with their uploaded files.")
def drafts_purge() -> None:
    count = purge_expired_drafts()
    click.echo(f"{count} expired draft{'s' if count != 1 else ''} deleted")


def register_commands(app: Flask) -> None:
    app.cli.add_command(outbox_group)
    app.cli.add_command(drafts_group)
    app.cli.add_command(demo_group)
    app.cli.add_command(triage_group)
    app.cli.add_command(users_group)
    app.cli.add_command(retention_group)
    app.cli.add_command(sar_group)
