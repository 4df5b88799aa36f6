"""Demonstration data: realistic synthetic reports, made through the same path residents use."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, select

from portal.accounts import create_user, find_user, retire_user
from portal.extensions import db
from portal.models import Report, User
from portal.models.types import utcnow
from portal.reports import drafts
from portal.reports.operations import submit_draft
from portal.triage.contract import HARM_QUESTIONS, KIND_BLOCKS, asked_details

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
        block: {
            "types": chosen_types,
            **_asked_only(kind, {name: rng.random() < 0.5 for name in detail_names}),
        },
    }


def _asked_only(kind: str, details: dict[str, bool]) -> dict[str, bool]:
    """The answers a resident could give: a follow-up only after a yes to the question it follows."""
    asked = asked_details(kind, details)
    return {name: value for name, value in details.items() if name in asked}


def _reporters(rng: random.Random, count: int) -> list[dict[str, Any]]:
    people: list[dict[str, Any]] = []
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
        people[-1].update(_safe_contact(index, people[-1]["safe_to_phone"]))
    return people


# How long ago the demonstration reports were made, as a queue in use looks: most in the last
# fortnight (due soon, or just due), some in the weeks before (overdue unless contacted), and a few
# over the rest of the six months, so that residents' earlier reports count towards their history.
# Spread over six months evenly, almost every case would be overdue and the queue's ordering
# (safeguarding and overdue first, then by due date) could not be seen.
AGE_SHARES = (
    (0.70, timedelta(minutes=10), timedelta(days=9)),
    (0.15, timedelta(days=9), timedelta(days=35)),
    (0.15, timedelta(days=35), timedelta(days=180)),
)


def _age(rng: random.Random) -> timedelta:
    shares = [share for share, _least, _most in AGE_SHARES]
    _share, least, most = rng.choices(AGE_SHARES, weights=shares)[0]
    return timedelta(seconds=rng.uniform(least.total_seconds(), most.total_seconds()))


SAFE_CALL_TIMES = ("", "Weekday mornings, before 11am", "After 6pm, when I am on my own", "Any time")


def _safe_contact(index: int, phone_safe: bool) -> dict[str, Any]:
    """How each demonstration resident may be reached safely: varied by their place in the list, so
    the demonstration's other answers stay as they were."""
    return {
        "safe_call_times": SAFE_CALL_TIMES[index % len(SAFE_CALL_TIMES)] if phone_safe else "",
        "voicemail_ok": index % 3 != 2 if phone_safe else None,
        "text_ok": index % 4 != 3,
        "safe_alternative_contact": "My sister, Jo Walker, on 07700 900123" if index % 7 == 0 else "",
    }


def load_demo_reports(count: int, seed: int = 2026, now: datetime | None = None) -> int:
    """Make ``count`` reports over the last six months; some residents report more than once."""
    rng = random.Random(seed)  # noqa: S311  (demonstration data, not security)  # nosec B311
    now = now or utcnow()
    people = _reporters(rng, max(count * 2 // 3, 1))
    moments = sorted(now - _age(rng) for _ in range(count))
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


# Demonstration accounts, made only outside production, so the back-office can be tried at once.
DEMO_PASSWORD = "demo-officer-password"  # noqa: S105  (never created in production)  # nosec B105
DEMO_OFFICERS = (
    ("officer@example.org", "Demo Officer", "officer"),
    ("supervisor@example.org", "Demo Supervisor", "supervisor"),
)


def start_demo_load(force: bool) -> bool:
    """Make the demonstration accounts and print their logins; False (saying so) when reports exist
    and ``force`` is not given, so that a demonstration never lands on a portal in use."""
    if current_app.config["PORTAL_ENV"] == "production":
        raise click.ClickException("Demonstration accounts are never made in production")
    for email, name, role in DEMO_OFFICERS:
        if find_user(email) is None:
            # The printed password keeps working for whoever tries the demonstration next.
            create_user(email, name, role, DEMO_PASSWORD, one_time=False)
        click.echo(f"Demo {role} login: {email} / {DEMO_PASSWORD}")
    click.echo("At first sign-in each account sets up two-factor authentication with an authenticator app.")
    existing = db.session.scalar(select(func.count()).select_from(Report)) or 0
    if existing and not force:
        click.echo(f"The database already holds {existing} reports; no demonstration reports added.")
        return False
    return True


def finish_demo_load(count: int) -> None:
    """Say what was added and where to look at it."""
    click.echo(f"{count} demonstration reports added.")
    base = current_app.config["PUBLIC_BASE_URL"]
    click.echo(f"Resident journey: {base}/")
    click.echo(f"Back-office:      {base}/officer/")


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

# Each report goes through a draft and ``submit_draft``, a few milliseconds apiece: benchmark
# volumes have a loader of their own, in bench/.
MOST_REPORTS = 1_000
BULK_LOADER = "python -m bench.bulk_reports --reports N"


def _check_count(_context: click.Context, parameter: click.Parameter, count: int) -> int:
    if count > MOST_REPORTS:
        raise click.BadParameter(
            f"Enter {MOST_REPORTS:,} or fewer; to load more, for a benchmark, run: {BULK_LOADER}",
            param=parameter,
        )
    return count


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
@click.option(
    "--reports", "count", type=click.IntRange(min=1), default=40, show_default=True, callback=_check_count
)
@click.option("--force", is_flag=True, help="Add the reports even if the database already holds some.")
def demo_load(count: int, force: bool) -> None:
    if start_demo_load(force):
        load_demo_reports(count)
        finish_demo_load(count)
