"""``flask --app wsgi triage check FILE`` and ``triage validate FILE`` (docs/policy.md section 7).

Here rather than in ``portal.triage``: checking a report needs the app's policy and the history
in the database, and triage itself touches neither."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup

from portal.reports.history import history_for
from portal.reports.triage_policy import current_policy
from portal.triage.contract import ContractError, parse_report
from portal.triage.engine import decide
from portal.triage.history import Earlier
from portal.triage.policy import PolicyError, load_policy

triage_group = AppGroup("triage", help="The triage policy: check reports against it, validate a policy file.")


class BadInput(click.ClickException):
    """Bad input: exit status 2, the message on standard error, nothing on standard output."""

    exit_code = 2


def _read(file: str) -> str:
    try:
        if file == "-":
            return sys.stdin.read()
        with open(file, encoding="utf-8") as handle:
            return handle.read()
    except OSError as error:
        raise BadInput(f"{file}: cannot be read: {error.strerror or error}") from None
    except UnicodeDecodeError:
        raise BadInput(f"{file}: must be UTF-8 text") from None


@triage_group.command(
    "check", help="Print the decision for each report in FILE (a JSON report or list; - for stdin)."
)
@click.argument("file")
def check(file: str) -> None:
    text = _read(file)
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadInput(
            f"{file}: not valid JSON: {error.msg} at line {error.lineno} column {error.colno}"
        ) from None
    items = data if isinstance(data, list) else [data]
    if not items:
        raise BadInput(f"{file}: the list holds no reports")

    wards = current_app.config["COUNCIL_WARDS"]
    reports = []
    # Every report is checked first and every bad one named, so one pass fixes the file: none is
    # decided until all are valid, as each report's history is the reports before it.
    problems = []
    for position, item in enumerate(items, start=1):
        try:
            # `expect` annotates a worked example with the decision it should get.
            reports.append(parse_report(item, wards=wards, extra_fields=["expect"]))
        except ContractError as error:
            problems.append(f"report {position}: {error}")
    if problems:
        raise BadInput("\n".join(problems))

    policy = current_policy()
    earlier_in_file: list[Earlier] = []
    decisions = []
    for report in reports:
        history = history_for(report, policy) + earlier_in_file
        decisions.append(decide(report, history, policy).to_json())
        earlier_in_file.append(Earlier.of(report))
    click.echo(json.dumps(decisions, indent=2))


@triage_group.command("validate", help="Check a policy file and say exactly what is wrong and where.")
@click.argument("file")
def validate(file: str) -> None:
    try:
        policy = load_policy(file)
    except PolicyError as error:
        raise BadInput(str(error)) from None
    click.echo(
        f"{file} is a valid triage policy, version {policy.version}: "
        f"{len(policy.rules)} rules, {len(policy.flags)} flags."
    )
