"""The financial year the figures cover: 1 April to 31 March, on the Europe/London clock."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from portal.triage.calendar import LONDON, london_today

# The years the figures can be asked for.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


def financial_year(year: int) -> tuple[datetime, datetime]:
    """1 April ``year`` to 1 April the year after, at midnight on the Europe/London clock."""
    return (
        datetime.combine(date(year, 4, 1), time(), LONDON),
        datetime.combine(date(year + 1, 4, 1), time(), LONDON),
    )


def financial_days(year: int) -> tuple[date, date]:
    """The first and last days of the financial year ``year`` (1 April and 31 March), both included."""
    return date(year, 4, 1), date(year + 1, 4, 1) - timedelta(days=1)


def current_financial_year(today: date | None = None) -> int:
    """The financial year today is in: 2026 from 1 April 2026 to 31 March 2027."""
    today = today or london_today()
    return today.year if today.month >= 4 else today.year - 1


def year_words(year: int) -> str:
    """How the committee writes a financial year: "2026 to 2027"."""
    return f"{year} to {year + 1}"
