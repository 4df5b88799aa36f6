"""``flask --app wsgi retention apply`` and ``sar export EMAIL``: data protection from the command line."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from portal.models.types import utcnow
from portal.privacy.retention import apply_retention
from portal.privacy.sar import SubjectAccessError, export_subject_access
from portal.reports.cli import BadInput

retention_group = AppGroup("retention", help="How long residents' personal data is kept.")
sar_group = AppGroup("sar", help="Subject access requests: what the portal holds about a reporter.")


@retention_group.command(
    "apply",
    help="Anonymise closed cases past RETENTION_MONTHS, purge expired drafts, and empty sent emails. "
    "Safe to run again: a second run finds nothing more to do.",
)
def apply() -> None:
    click.echo(apply_retention().summary())


@sar_group.command("export", help="Write everything held about the reporter with EMAIL to one zip file.")
@click.argument("email")
@click.option(
    "--output",
    help="The zip file to create (never over an existing file). "
    "Default: subject-access-<date and time>.zip in the current folder.",
)
def export(email: str, output: str | None) -> None:
    path = Path(output or f"subject-access-{utcnow():%Y%m%d-%H%M%S}.zip")
    try:
        done = export_subject_access(email, path, requested_by="command line")
    except SubjectAccessError as error:
        raise BadInput(str(error)) from None
    reports = f"{done.reports} report{'s' if done.reports != 1 else ''}"
    files = f"{done.files} evidence file{'s' if done.files != 1 else ''}"
    click.echo(f"Wrote {done.path}: {reports} and {files} held about {done.email}.")
