"""Demonstration data: realistic synthetic reports, made through the same path residents use."""

from __future__ import annotations

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
from flask.cli import AppGroup
from sqlalchemy import func, insert, select, text

from portal.accounts import create_user, find_user, retire_user
from portal.extensions import db
from portal.models import ReferenceCounter, Report, User
from portal.models.report import CONTACT_CHANNELS, OUTCOMES
from portal.models.types import utcnow
from portal.models.work import AGE_BANDS, HARDENING_ITEMS, MEDIATION_OUTCOMES, POWERS
from portal.reports import drafts
from portal.reports.history import HISTORY_ROWS_PER_KEY
from portal.reports.operations import report_columns, submit_draft
from portal.reports.references import format_reference
from portal.reports.triage_policy import current_policy
from portal.triage.calendar import london_date
from portal.triage.contract import HARM_QUESTIONS, KIND_BLOCKS, parse_report
from portal.triage.contract import Report as ReportAnswers
from portal.triage.decision import Decision
from portal.triage.engine import decide
from portal.triage.history import Earlier

DESCRIPTIONS = {
    "asb": [
        "A group of young people gather on the corner most evenings, shouting and kicking a ball at cars.",
        "Off-road bikes are ridden across the recreation ground and along the footpath late at night.",
        "Someone keeps dumping bags of rubbish and old furniture in the lane behind the shops.",
        "There is drug dealing from a car parked outside the flats, with people coming and going all night.",
        "Graffiti has been sprayed on the bus shelter and the community centre again this week.",
        "Loud music and parties at a house on the estate until 3am, several nights a week.",
    ],
    "neighbour_dispute": [
        "My neighbour's dog barks for hours while they are at work.",
        "The neighbours park across our drive so we cannot get the car out in the morning.",
        "A new fence has been put up on our side of the boundary and they will not discuss it.",
        "The hedge next door blocks the light to our kitchen and the path.",
        "Bins are left on our front garden and rubbish blows onto our property.",
    ],
    "safety_concern": [
        "Our house was broken into while we were out and the back door still does not lock properly.",
        "My ex-partner keeps turning up at the house and I am frightened he will get in.",
        "Someone shouted racist abuse at my children and threw eggs at our windows.",
        "Since the burglary next door I do not feel safe at night, especially as I live alone.",
    ],
}

PLACES = [
    ("Station Road, Dronfield", "S18 2GA", "Dronfield North"),
    ("High Street, Eckington", "S21 4DJ", "Eckington North"),
    ("Market Street, Clay Cross", "S45 9JE", "Clay Cross North"),
    ("Mansfield Road, Killamarsh", "S21 1EA", "Killamarsh West"),
    ("Chesterfield Road, North Wingfield", "S42 5ND", "North Wingfield Central"),
    ("Derby Road, Wingerworth", "S42 6LZ", "Wingerworth"),
    ("Sheffield Road, Unstone", "S18 4AB", "Unstone"),
    ("Matlock Road, Ashover", "S45 0AA", "Ashover"),
    ("Hallowes Lane, Dronfield", "S18 1ST", "Dronfield South"),
    ("Holmewood Industrial Park, Holmewood", "S42 5US", "Holmewood and Heath"),
]

FIRST_NAMES = [
    "Alex",
    "Sam",
    "Jo",
    "Priya",
    "Tom",
    "Aisha",
    "Gareth",
    "Megan",
    "Kwame",
    "Linda",
    "Dev",
    "Chloe",
]
LAST_NAMES = ["Smith", "Patel", "Jones", "Wright", "Okafor", "Taylor", "Hughes", "Khan", "Brown", "Walker"]


def demo_answers(
    rng: random.Random,
    kind: str,
    reporter: dict[str, Any],
    places: list[tuple[str, str, str]] = PLACES,
) -> dict[str, Any]:
    """One report's answers in the contract's shape."""
    block, types, detail_names = KIND_BLOCKS[kind]
    number = rng.randint(1, 120)
    street, postcode, ward = rng.choice(places)
    chosen_types = rng.sample(types, k=rng.choice([1, 1, 2]))
    harm_weights = 0.15 if kind != "safety_concern" else 0.4
    return {
        "description": rng.choice(DESCRIPTIONS[kind]),
        "location": {"address": f"{number} {street}", "postcode": postcode, "ward": ward},
        "reporter": reporter,
        "started": rng.choice(["today", "this_week", "this_month", "one_to_six_months", "over_six_months"]),
        "frequency": rng.choice(["once", "occasionally", "weekly", "daily"]),
        "previous_reports": rng.choice(["none", "none", "once", "two_or_more"]),
        "harm": {question: rng.random() < harm_weights for question in HARM_QUESTIONS},
        block: {"types": chosen_types, **{name: rng.random() < 0.5 for name in detail_names}},
    }


def _reporters(rng: random.Random, count: int) -> list[dict[str, Any]]:
    people = []
    for index in range(count):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        people.append(
            {
                "anonymous": False,
                "name": f"{first} {last}",
                "email": f"{first}.{last}.{index}@example.org".lower(),
                "phone": f"07700 9{index % 100000:05d}",
                "safe_to_email": rng.random() > 0.1,
                "safe_to_phone": rng.random() > 0.1,
                "lives_in_district": rng.random() > 0.05,
            }
        )
    return people


def load_demo_reports(count: int, seed: int = 2026, now: datetime | None = None) -> int:
    """Make ``count`` reports over the last six months; some residents report more than once."""
    rng = random.Random(seed)  # noqa: S311  (demonstration data, not security)  # nosec B311
    now = now or utcnow()
    people = _reporters(rng, max(count * 2 // 3, 1))
    moments = sorted(now - timedelta(minutes=rng.randint(10, 180 * 24 * 60)) for _ in range(count))
    for moment in moments:
        kind = rng.choices(["asb", "neighbour_dispute", "safety_concern"], weights=[5, 3, 2])[0]
        reporter = dict(rng.choice(people))
        if kind != "safety_concern" and rng.random() < 0.1:
            reporter = {"anonymous": True, "lives_in_district": True}
        started = drafts.start_draft(kind)
        draft = drafts.load_draft(started.id)
        assert draft is not None
        drafts.save_page(draft, "all", demo_answers(rng, kind, reporter))
        submit_draft(started.id, submitted_at=moment)
    return count


# --- Bulk loading ------------------------------------------------------------------------------
# Above BULK_THRESHOLD reports, going through drafts one by one would take hours at a million, so
# rows are built in memory and inserted in batches. Each report still passes the contract
# (``parse_report``) and is decided by the engine under the policy in use; its history is kept
# in memory exactly as ``history_for`` reads it (same reporter or same place, the newest
# HISTORY_ROWS_PER_KEY per key), because the reports are made in submission order.

BULK_THRESHOLD = 1_000
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


# Demonstration accounts, made only outside production, so the back-office can be tried at once.
DEMO_PASSWORD = "demo-officer-password"  # noqa: S105  (never created in production)  # nosec B105
DEMO_OFFICERS = (
    ("officer@example.org", "Demo Officer", "officer"),
    ("supervisor@example.org", "Demo Supervisor", "supervisor"),
)


def _demo_officers() -> None:
    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("Demonstration accounts are never made in production")
    for email, name, role in DEMO_OFFICERS:
        if find_user(email) is None:
            # The printed password keeps working for whoever tries the demonstration next.
            create_user(email, name, role, DEMO_PASSWORD, one_time=False)
        click.echo(f"Demo {role} login: {email} / {DEMO_PASSWORD}")
    click.echo("At first sign-in each account sets up two-factor authentication with an authenticator app.")


def active_demo_accounts() -> list[str]:
    """The demonstration accounts in this database that can still sign in."""
    emails = [email for email, _name, _role in DEMO_OFFICERS]
    return list(
        db.session.scalars(select(User.email).where(User.email.in_(emails), User.active).order_by(User.email))
    )


def remove_demo_accounts() -> list[str]:
    """Disable the demonstration accounts, end their sessions and give them a password no one knows.

    They are kept, disabled, rather than deleted: the audit log names whoever acted, and a
    demonstration officer may have.
    """
    removed = active_demo_accounts()
    for email in removed:
        retire_user(email)
    return removed


REFUSAL = (
    "refusing to serve: the demonstration accounts {accounts} can sign in to this database with a "
    "published password. Remove them first: flask --app wsgi demo remove-accounts"
)


def refusal_to_serve() -> str | None:
    """Why a production portal must not serve this database, or None when it may."""
    accounts = active_demo_accounts()
    db.session.remove()
    return REFUSAL.format(accounts=", ".join(accounts)) if accounts else None


demo_group = AppGroup("demo", help="Demonstration data.")


@demo_group.command(
    "remove-accounts",
    help="Disable the demonstration accounts, end their sessions and give them an unknown password.",
)
def demo_remove_accounts() -> None:
    removed = remove_demo_accounts()
    if removed:
        click.echo(f"Disabled the demonstration accounts {', '.join(removed)}; they can no longer sign in.")
    else:
        click.echo("No demonstration account can sign in to this database.")


@demo_group.command("load", help="Create realistic synthetic reports, unless reports already exist.")
@click.option("--reports", "count", type=click.IntRange(min=1, max=1_000_000), default=40, show_default=True)
@click.option("--force", is_flag=True, help="Add the reports even if the database already holds some.")
def demo_load(count: int, force: bool) -> None:
    _demo_officers()
    existing = db.session.scalar(select(func.count()).select_from(Report)) or 0
    if existing and not force:
        click.echo(f"The database already holds {existing} reports; no demonstration reports added.")
        return
    if count > BULK_THRESHOLD:
        started = time.monotonic()

        def progress(made: int) -> None:
            if made % 100_000 == 0 or made == count:
                click.echo(f"{made} reports loaded in {time.monotonic() - started:.0f} s")

        bulk_load_demo_reports(count, progress=progress)
    else:
        load_demo_reports(count)
    click.echo(f"{count} demonstration reports added.")
    base = current_app.config["PUBLIC_BASE_URL"]
    click.echo(f"Resident journey: {base}/")
    click.echo(f"Back-office:      {base}/officer/")
