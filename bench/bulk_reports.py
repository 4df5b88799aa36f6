"""Benchmark volumes of demonstration reports: up to a million, triaged, with casework.

    DATABASE_URL=postgresql://... .venv/bin/python -m bench.bulk_reports --reports 1000000 [--force]

Without DATABASE_URL it loads the portal's own database (SQLite in instance/), as ``flask --app
wsgi demo load`` does, and like it makes the demonstration accounts first (never in production)
and adds nothing when reports exist, unless --force. ``bench/harness.py`` loads its databases
with ``bulk_load_demo_reports``. ``demo load`` itself makes each report through the residents'
path, which is too slow for these volumes.
"""

from __future__ import annotations

import argparse
import random
import secrets
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import click
from flask import current_app
from sqlalchemy import func, insert, select, text

from portal import create_app
from portal.demo import FIRST_NAMES, LAST_NAMES, PLACES, demo_answers, finish_demo_load, start_demo_load
from portal.extensions import db
from portal.models import ReferenceCounter, Report, User
from portal.models.report import CONTACT_CHANNELS, OUTCOMES
from portal.models.types import utcnow
from portal.models.work import AGE_BANDS, HARDENING_ITEMS, MEDIATION_OUTCOMES, POWERS
from portal.reports.history import HISTORY_ROWS_PER_KEY
from portal.reports.operations import report_columns
from portal.reports.references import format_reference
from portal.reports.triage_policy import current_policy
from portal.triage.calendar import london_date
from portal.triage.contract import Report as ReportAnswers
from portal.triage.contract import parse_report
from portal.triage.decision import Decision
from portal.triage.engine import decide
from portal.triage.history import Earlier

# Going through drafts one by one would take hours at a million, so rows are built in memory and
# inserted in batches. Each report still passes the contract (``parse_report``) and is decided by
# the engine under the policy in use; its history is kept in memory exactly as ``history_for``
# reads it (same reporter or same place, the newest HISTORY_ROWS_PER_KEY per key), because the
# reports are made in submission order.

BULK_BATCH = 5_000
BULK_SPAN_DAYS = 730
# A few residents are repeat victims who report again and again; most report once or twice.
REPEAT_VICTIM_SHARE = 0.12
MEETING_EVERY_DAYS = 61
TASKING_ACTIONS = (
    "Police patrols at the hot spot on Friday and Saturday evenings",
    "Housing officer to visit the tenancy and give a warning letter",
    "Youth outreach team to attend the recreation ground",
    "Environmental health to check the noise complaint",
)
POWER_NAMES = tuple(POWERS)
HARDENING_CHOICES = tuple(item for item in HARDENING_ITEMS if item != "other")


@dataclass
class _History:
    """Earlier reports by key, oldest first, as the history queries would return them."""

    by_email: dict[str, deque[tuple[int, Earlier]]] = field(default_factory=lambda: defaultdict(deque))
    by_phone: dict[str, deque[tuple[int, Earlier]]] = field(default_factory=lambda: defaultdict(deque))
    by_place: dict[str, deque[tuple[int, Earlier]]] = field(default_factory=lambda: defaultdict(deque))

    def earlier(self, answers: ReportAnswers, months: int) -> list[Earlier]:
        # A little more than the window: the engine keeps only those inside it, and any extra
        # are older than every entry inside, so the newest rows per key are the same.
        start = answers.submitted_at - timedelta(days=31 * months + 1)
        found: dict[int, Earlier] = {}
        keys = (
            (self.by_email, answers.reporter.email_key),
            (self.by_phone, answers.reporter.phone_key),
            (self.by_place, answers.location.postcode),
        )
        for index, key in keys:
            if not key or key not in index:
                continue
            entries = index[key]
            while entries and entries[0][1].submitted_at < start:
                entries.popleft()
            for number, entry in list(entries)[-HISTORY_ROWS_PER_KEY:]:
                found[number] = entry
        return list(found.values())

    def add(self, number: int, answers: ReportAnswers, asb_kinds: frozenset[str]) -> None:
        entry = Earlier.of(answers)
        if entry.email_key:
            self.by_email[entry.email_key].append((number, entry))
        if entry.phone_key:
            self.by_phone[entry.phone_key].append((number, entry))
        # Only named reporters' ASB reports count at a place (as ``history_for`` reads them).
        if entry.postcode and entry.kind in asb_kinds and entry.named:
            self.by_place[entry.postcode].append((number, entry))


def _bulk_places(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """Streets of the district, each with many postcodes: the outward code of the street's town."""
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    places = []
    for _ in range(max(count // 25, len(PLACES))):
        street, postcode, ward = rng.choice(PLACES)
        outward = postcode.split()[0]
        inward = f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        places.append((street, f"{outward} {inward}", ward))
    return places


def _bulk_reporter(rng: random.Random, index: int) -> dict[str, Any]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    return {
        "anonymous": False,
        "name": f"{first} {last}",
        "email": f"{first}.{last}.{index}@example.org".lower() if rng.random() > 0.08 else "",
        "phone": f"07{index // 1000:06d} {index % 1000:03d}" if rng.random() > 0.3 else "",
        "safe_to_email": rng.random() > 0.1,
        "safe_to_phone": rng.random() > 0.1,
        "lives_in_district": rng.random() > 0.05,
    }


def _bulk_answers(rng: random.Random, people: int, places: list[tuple[str, str, str]]) -> dict[str, Any]:
    kind = rng.choices(["asb", "neighbour_dispute", "safety_concern"], weights=[5, 3, 2])[0]
    if kind != "safety_concern" and rng.random() < 0.08:
        reporter: dict[str, Any] = {"anonymous": True, "lives_in_district": True}
    else:
        victims = max(people // 100, 1)
        person = rng.randrange(victims) if rng.random() < REPEAT_VICTIM_SHARE else rng.randrange(people)
        # The same resident always has the same name, email and phone: seed by the person.
        reporter = _bulk_reporter(random.Random(person), person)  # noqa: S311  # nosec B311
        if not (reporter["email"] or reporter["phone"]):
            reporter["phone"] = f"07{person // 1000:06d} {person % 1000:03d}"
    answers = demo_answers(rng, kind, reporter, places)
    return {**answers, "kind": kind}


def _casework(rng: random.Random, report: dict[str, Any], today: date, officers: list[int]) -> dict[str, Any]:
    """Where the case has got to: older cases are mostly closed, recent ones mostly open."""
    submitted = london_date(report["submitted_at"])
    age = (today - submitted).days
    open_chance = 0.85 if age <= 30 else 0.15 if age <= 180 else 0.02
    changes: dict[str, Any] = {}
    if age < 2 and rng.random() < 0.7:
        return changes  # new, nobody has picked it up yet
    if officers:
        changes["assignee_id"] = rng.choice(officers)
    contact_days = rng.choice([0, 1, 1, 2, 3, 5, 8, 13, 21])
    contacted = submitted + timedelta(days=contact_days)
    if contacted <= today and rng.random() < 0.9:
        changes["first_contact_on"] = contacted
        changes["first_contact_channel"] = rng.choice(list(CONTACT_CHANNELS))
    if rng.random() < open_chance:
        if "first_contact_on" in changes:
            changes["status"] = rng.choice(["in_progress", "in_progress", "awaiting_resident"])
        else:
            changes["status"] = rng.choice(["new", "in_progress"])
    else:
        changes["status"] = "closed"
        changes["outcome"] = rng.choices(list(OUTCOMES), weights=[6, 2, 2, 1])[0]
        closed_after = timedelta(days=rng.randint(contact_days, max(contact_days, min(age, 120))))
        changes["closed_at"] = min(report["submitted_at"] + closed_after + timedelta(hours=3), utcnow())
    changes["version"] = 1 + sum(name in changes for name in ("assignee_id", "first_contact_on", "status"))
    changes["updated_at"] = changes.get("closed_at") or min(
        report["submitted_at"] + timedelta(days=contact_days), utcnow()
    )
    return changes


def _meeting_on_or_after(day: date) -> date:
    """The tasking meeting schedule: every MEETING_EVERY_DAYS days from a fixed Tuesday."""
    origin = date(2020, 1, 7)
    return origin + timedelta(days=-(-(day - origin).days // MEETING_EVERY_DAYS) * MEETING_EVERY_DAYS)


def _work_records(
    rng: random.Random, report: dict[str, Any], today: date, rows: dict[str, list[dict[str, Any]]]
) -> None:
    """Records of the work on a case that has been contacted, by the route it is on."""
    contacted: date | None = report.get("first_contact_on")
    if contacted is None or rng.random() < 0.4:
        return
    stamp = report["updated_at"]
    closed = report.get("status") == "closed"
    route = report["current_route"]
    if route == "mediation":
        rows["mediation_record"].append(
            {
                "report_id": report["id"],
                "referral_date": contacted,
                "sessions": rng.randint(1, 4) if closed else rng.randint(0, 2),
                "outcome": rng.choice(list(MEDIATION_OUTCOMES)) if closed else None,
                "updated_at": stamp,
            }
        )
    elif route == "target_hardening":
        survey = contacted + timedelta(days=rng.randint(1, 10))
        rows["target_hardening_record"].append(
            {
                "report_id": report["id"],
                "survey_date": survey if survey <= today else None,
                "items": rng.sample(HARDENING_CHOICES, k=rng.randint(1, 3)),
                "other_items": "",
                "installation_date": survey + timedelta(days=rng.randint(3, 20)) if closed else None,
                "updated_at": stamp,
            }
        )
    else:
        meeting = _meeting_on_or_after(contacted)
        held = meeting <= today
        rows["tasking_record"].append(
            {
                "report_id": report["id"],
                "meeting_date": meeting,
                "decision": "Agreed joint patrols and a warning letter; review at the next meeting."
                if held
                else "",
                "updated_at": stamp,
            }
        )
        if held:
            rows["tasking_action"].append(
                {
                    "report_id": report["id"],
                    "description": rng.choice(TASKING_ACTIONS),
                    "owner": rng.choice(["Police", "Housing", "Community safety team"]),
                    "due_date": meeting + timedelta(days=14),
                    "done_on": meeting + timedelta(days=rng.randint(1, 14)) if closed else None,
                    "created_at": stamp,
                }
            )
            if rng.random() < 0.1:
                rows["camera_deployment"].append(
                    {
                        "report_id": report["id"],
                        "camera": rng.choice(["WC-01", "WC-02", "WC-03", "WC-04", "WC-05", "WC-06"]),
                        "location": report["address"] or report["postcode"],
                        "signage": rng.random() < 0.5,
                        "deployed_from": meeting + timedelta(days=3),
                        "deployed_to": meeting + timedelta(days=31) if closed else None,
                        "created_at": stamp,
                    }
                )
            if rng.random() < 0.15:
                rows["power_use"].append(
                    {
                        "report_id": report["id"],
                        "power": rng.choice(POWER_NAMES),
                        "used_on": meeting + timedelta(days=rng.randint(1, 20)),
                        "served_on_name": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                        "served_on_age_band": rng.choice(list(AGE_BANDS)),
                        "served_by": "Community safety team",
                        "created_at": stamp,
                    }
                )


def _report_row(answers: ReportAnswers, decision: Decision, number: int, reference: str) -> dict[str, Any]:
    """The row ``submit_draft`` stores, with the columns the database would otherwise fill in."""
    return {
        **report_columns(answers, decision, reference),
        "id": number,
        "assignee_id": None,
        "first_contact_on": None,
        "first_contact_channel": None,
        "outcome": None,
        "closed_at": None,
        "version": 1,
        "draft_token": secrets.token_urlsafe(32),
    }


_WORK_TABLES = (
    "mediation_record",
    "target_hardening_record",
    "tasking_record",
    "tasking_action",
    "camera_deployment",
    "power_use",
)


def bulk_load_demo_reports(
    count: int,
    seed: int = 2026,
    now: datetime | None = None,
    batch: int = BULK_BATCH,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Make ``count`` triaged reports over the last two years, with casework, in batched inserts.

    Acknowledgements of these reports are taken to have gone long ago, so none is queued, and
    casework leaves no audit entries. References run on, gapless, from each year's counter.
    """
    rng = random.Random(seed)  # noqa: S311  (demonstration data, not security)  # nosec B311
    now = now or utcnow()
    today = london_date(now)
    policy = current_policy()
    wards = current_app.config["COUNCIL_WARDS"]
    asb_kinds = frozenset(policy.asb_kinds)
    people = max(count // 2, 1)
    places = _bulk_places(rng, count)
    seconds = sorted(rng.randint(600, BULK_SPAN_DAYS * 86_400) for _ in range(count))
    seconds.reverse()  # oldest first

    session = db.session
    connection = session.connection()
    postgres = connection.dialect.name == "postgresql"
    if not postgres:
        # A bigger page cache keeps the report indexes in memory while a million rows go in.
        connection.exec_driver_sql("PRAGMA cache_size=-262144")
    next_id = (session.scalar(select(func.max(Report.id))) or 0) + 1
    counters = {row.year: row.last_value for row in session.scalars(select(ReferenceCounter))}
    officers = list(
        session.scalars(
            select(User.id).where(User.role.in_(("officer", "supervisor")), User.active.is_(True))
        )
    )
    history = _History()
    tables = {name: db.metadata.tables[name] for name in ("report", *_WORK_TABLES)}
    made = 0
    while made < count:
        reports: list[dict[str, Any]] = []
        work: dict[str, list[dict[str, Any]]] = {name: [] for name in _WORK_TABLES}
        for offset in seconds[made : made + batch]:
            answers = parse_report(
                {**_bulk_answers(rng, people, places), "submitted_at": None},
                wards=wards,
                now=now - timedelta(seconds=offset),
            )
            decision = decide(answers, history.earlier(answers, policy.history_months), policy)
            year = london_date(answers.submitted_at).year
            counters[year] = counters.get(year, 0) + 1
            row = _report_row(answers, decision, next_id, format_reference(year, counters[year]))
            row.update(_casework(rng, row, today, officers))
            _work_records(rng, row, today, work)
            reports.append(row)
            history.add(next_id, answers, asb_kinds)
            next_id += 1
        connection.execute(insert(tables["report"]), reports)
        for name, rows in work.items():
            if rows:
                connection.execute(insert(tables[name]), rows)
        made += len(reports)
        session.commit()
        connection = session.connection()
        if progress is not None:
            progress(made)
    _save_counters(counters)
    if postgres:
        # Report ids were given explicitly, so move the sequence past them.
        session.execute(
            text("SELECT setval(pg_get_serial_sequence('report', 'id'), (SELECT MAX(id) FROM report))")
        )
        session.commit()
        # As after any bulk load (pg_restore, say): VACUUM marks the new rows all-visible, so the
        # queue's index-only scans need not visit the table; ANALYZE gives the planner its figures.
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as autocommit:
            autocommit.exec_driver_sql("VACUUM (ANALYZE)")
    else:
        session.execute(text("ANALYZE"))
        session.commit()
    return count


def _save_counters(counters: dict[int, int]) -> None:
    session = db.session
    for year, last in counters.items():
        row = session.get(ReferenceCounter, year)
        if row is None:
            session.add(ReferenceCounter(year=year, last_value=last))
        else:
            row.last_value = max(row.last_value, last)
    session.commit()


def load(count: int, force: bool = False) -> bool:
    """``demo load`` at benchmark volumes, in an app context: accounts, then ``count`` reports.

    False when the database already holds reports and ``force`` is not given.
    """
    if not start_demo_load(force):
        return False
    started = time.monotonic()

    def progress(made: int) -> None:
        if made % 100_000 == 0 or made == count:
            click.echo(f"{made} reports loaded in {time.monotonic() - started:.0f} s")

    bulk_load_demo_reports(count, progress=progress)
    finish_demo_load(count)
    return True


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=1_000_000, help="reports to add (default 1000000)")
    parser.add_argument("--force", action="store_true", help="add them even if the database holds some")
    args = parser.parse_args(argv)
    if not 1 <= args.reports <= 1_000_000:
        parser.error("--reports must be from 1 to 1000000")
    app = create_app()
    with app.app_context():
        try:
            load(args.reports, args.force)
        except click.ClickException as refused:
            raise SystemExit(f"Error: {refused.message}") from None


if __name__ == "__main__":
    main()
