"""A year's figures: sections of tables, each figure this year with the same figure a year before.

The page, its charts, the CSV of each table and the spreadsheet of the whole year are all drawn
from this one shape, so they cannot disagree. A figure's ``key`` is stable ("reports.kind.asb"):
the list of the cases (or records) behind it is found from it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date

COUNT, PERCENT, DAYS = "count", "percent", "days"
# A count under this could point to a person; exports show it as FEWER_THAN_FIVE. The page itself
# is for the partnership's supervisors and shows the number.
SMALL_COUNT = 5
FEWER_THAN_FIVE = "fewer than 5"


@dataclass(frozen=True)
class Figure:
    key: str
    label: str
    this_year: float | None  # None: nothing to say (a median of no contacts)
    last_year: float | None
    unit: str = COUNT  # COUNT, PERCENT (0 to 100) or DAYS
    # A small count of this could identify a person (a ward's safeguarding alerts, a power served):
    # exports show it as "fewer than 5". Counts of the partnership's own work are not.
    identifying: bool = False
    # Whether the figure's key lists the cases behind it (False for shares and medians, which
    # link to the count they are a share of instead, and for records with no case).
    linked: bool = True

    def exported(self, value: float | None) -> str:
        """The value as an export shows it: "fewer than 5" for a small identifying count."""
        if value is None:
            return ""
        if self.unit == COUNT and self.identifying and 0 < value < SMALL_COUNT:
            return FEWER_THAN_FIVE
        return shown(value, self.unit)


def shown(value: float | None, unit: str) -> str:
    """A value as the page writes it: 1,234; 87.5%; 3 days."""
    if value is None:
        return "Not known"
    if unit == PERCENT:
        return f"{value:.1f}%"
    if unit == DAYS:
        return f"{value:g} day" if value == 1 else f"{value:g} days"
    return f"{int(value):,}"


@dataclass(frozen=True)
class Table:
    key: str  # its CSV file's name: "reports-by-kind"
    title: str
    figures: tuple[Figure, ...]
    note: str = ""  # what the table counts, in a sentence, shown under it and in the exports

    def total(self, which: str = "this_year") -> float:
        return sum(getattr(figure, which) or 0 for figure in self.figures if figure.unit == COUNT)


@dataclass(frozen=True)
class Section:
    key: str  # "reports", "work", "powers", "case-reviews", "residents"
    title: str
    tables: tuple[Table, ...]


@dataclass(frozen=True)
class YearFigures:
    year: int  # the financial year starting 1 April ``year``
    starts: date
    ends: date  # 31 March, included
    sections: tuple[Section, ...] = field(default_factory=tuple)

    def tables(self) -> Iterator[Table]:
        for section in self.sections:
            yield from section.tables

    def table(self, key: str) -> Table:
        for table in self.tables():
            if table.key == key:
                return table
        raise KeyError(key)

    def figure(self, key: str) -> Figure:
        for table in self.tables():
            for figure in table.figures:
                if figure.key == key:
                    return figure
        raise KeyError(key)
