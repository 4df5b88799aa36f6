"""A report's history: who else reported, and who the same reporter and place are (docs/policy.md s.2)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from dateutil.relativedelta import relativedelta

from portal.triage.calendar import LONDON
from portal.triage.contract import Report


@dataclass(frozen=True)
class Earlier:
    """What the engine needs to know of an earlier report."""

    kind: str
    submitted_at: datetime
    email_key: str  # normalised; "" when anonymous or not given
    phone_key: str
    postcode: str  # normalised; "" when not given
    # An incident a resident added to a case, which the policy counts as a report ([incidents]).
    incident: bool = False

    @classmethod
    def of(cls, report: Report) -> Earlier:
        return cls(
            kind=report.kind,
            submitted_at=report.submitted_at,
            email_key=report.reporter.email_key,
            phone_key=report.reporter.phone_key,
            postcode=report.location.postcode,
        )

    @property
    def named(self) -> bool:
        return bool(self.email_key or self.phone_key)


def window(submitted_at: datetime, months: int) -> tuple[datetime, datetime]:
    """The months up to a report, both ends included, counted on the Europe/London clock.

    2026-08-31 10:00 BST reaches back to 2026-02-28 10:00 GMT: a day the earlier month lacks
    becomes its last. Returned in UTC.
    """
    local = submitted_at.astimezone(LONDON)
    start_wall = local.replace(tzinfo=None) - relativedelta(months=months)
    start = start_wall.replace(tzinfo=LONDON)
    return start.astimezone(UTC), submitted_at.astimezone(UTC)


def same_reporter(a: Earlier, b: Earlier) -> bool:
    """Neither is anonymous, and the emails or the phone numbers match."""
    return bool((a.email_key and a.email_key == b.email_key) or (a.phone_key and a.phone_key == b.phone_key))


def in_window(entries: Iterable[Earlier], submitted_at: datetime, months: int) -> list[Earlier]:
    start, end = window(submitted_at, months)
    return [entry for entry in entries if start <= entry.submitted_at <= end]


def distinct_reporters(entries: list[Earlier]) -> int:
    """How many different named reporters made ``entries``, joining reports that share an email
    or a phone number (directly or through another report)."""
    parent = list(range(len(entries)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    first_with: dict[tuple[str, str], int] = {}
    for index, entry in enumerate(entries):
        for key in (("email", entry.email_key), ("phone", entry.phone_key)):
            if not key[1]:
                continue
            if key in first_with:
                parent[root(index)] = root(first_with[key])
            else:
                first_with[key] = index
    return len({root(i) for i in range(len(entries))})
