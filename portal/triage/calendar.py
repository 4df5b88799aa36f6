"""Working days on the Europe/London clock, skipping England and Wales bank holidays."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

LONDON = ZoneInfo("Europe/London")


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    # The UK calendar's England subdivision covers England and Wales' shared bank holidays
    # (Wales adds none of its own), including substitute days such as Boxing Day observed.
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def london_date(moment: datetime) -> date:
    """The calendar date in Europe/London at ``moment`` (which must carry a time zone)."""
    return moment.astimezone(LONDON).date()


def london_today() -> date:
    """Today's date on the Europe/London clock."""
    return datetime.now(LONDON).date()


def add_working_days(start: date, days: int) -> date:
    """Move ``start`` to a working day if it is not one, then count ``days`` working days on."""
    day = start
    while not is_working_day(day):
        day += timedelta(days=1)
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_working_day(day):
            counted += 1
    return day


def working_days_late(due: date, done: date) -> int:
    """How many working days after ``due`` ``done`` was: the working days after it, up to and
    including ``done``. Done on or before the day it was due is 0."""
    late, day = 0, due
    while day < done:
        day += timedelta(days=1)
        if is_working_day(day):
            late += 1
    return late
