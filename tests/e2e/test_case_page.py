"""The case page puts work first, in a real browser: its summary, safe contact, the status with its
outcome revealed under "Closed", first contact starting the work, a closed case's forms, and a
timeline in plain words; at 320 px the actions come before the detail."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from flask import Flask

from tests.cases import make_case
from tests.e2e.checks import REFLOW_WIDTH, CheckedPage
from tests.e2e.officers import signed_in
from tests.helpers import today
from tests.officers import make_account

PHONE = "07700 900123"


def _summary_value(tab: CheckedPage, key: str) -> str:
    row = tab.page.locator(
        ".portal-case-summary .govuk-summary-list__row", has=tab.page.get_by_text(key, exact=True)
    )
    return row.locator("dd").inner_text().strip()


def test_an_officer_works_a_case_from_the_top_of_its_page(
    journey: Callable[..., CheckedPage], app: Flask
) -> None:
    officer = make_account(app, "officer", "Sam Officer")
    due = today() + timedelta(days=2)
    reference = make_case(
        app,
        assignee_id=officer.id,
        flags=["safeguarding"],
        due_by=due,
        safe_to_email=False,
        reporter_phone=PHONE,
    )
    tab = signed_in(journey, app, officer)
    tab.goto(f"/officer/cases/{reference}")
    page = tab.page

    # The summary: status, officer, due date, the flag as a labelled tag, and safe contact.
    assert _summary_value(tab, "Status") == "New"
    assert _summary_value(tab, "Officer") == "Sam Officer"
    assert _summary_value(tab, "First contact due by").startswith(f"{due:%A} {due.day} {due:%B %Y}")
    assert page.locator(".portal-case-summary .govuk-tag").all_inner_texts() == ["Safeguarding"]
    contact = _summary_value(tab, "Safe contact")
    assert "Do not email this resident: they said email is not safe. Phone them instead." in contact
    assert f"Phone {PHONE}" in contact
    assert page.get_by_role("button", name="Email update to resident").count() == 0

    # The status radios show the status the case has; the outcome shows only under "Closed".
    assert page.get_by_role("radio", name="New", exact=True).is_checked()
    resolved = page.get_by_role("radio", name="Resolved")
    assert not resolved.is_visible()
    page.get_by_role("radio", name="Closed").check()
    assert resolved.is_visible()
    page.get_by_role("radio", name="New", exact=True).check()
    assert not resolved.is_visible()

    # First contact offers to start the work, ticked.
    start = page.get_by_role("checkbox", name="Also change the status to in progress")
    assert start.is_checked()
    day = today()
    page.get_by_role("group", name="Date of first contact").get_by_label("Day").fill(str(day.day))
    page.get_by_role("group", name="Date of first contact").get_by_label("Month").fill(str(day.month))
    page.get_by_role("group", name="Date of first contact").get_by_label("Year").fill(str(day.year))
    page.get_by_role("radio", name="Phone call").check()
    tab.button("Record first contact")
    assert "First contact has been recorded" in tab.text()
    assert _summary_value(tab, "Status") == "In progress"
    assert page.get_by_role("radio", name="In progress").is_checked()
    assert page.get_by_role("checkbox", name="Also change the status to in progress").count() == 0
    timeline = page.locator(".portal-timeline").inner_text()
    assert f"First contact by phone on {day.day} {day:%B}" in timeline
    assert "Status: in progress" in timeline
    assert "→" not in timeline

    # Closing, with its outcome: the forms that no longer apply go.
    page.get_by_role("radio", name="Closed").check()
    page.get_by_role("radio", name="Resolved").check()
    tab.button("Change status")
    assert _summary_value(tab, "Status") == "Closed: resolved"
    timeline = page.locator(".portal-timeline li").all_inner_texts()
    assert timeline[0].startswith("Viewed "), "the views of the day, summed up"
    assert "Viewed 3 times by Sam Officer" in timeline[0]
    assert timeline[1].startswith("Closed: resolved")
    for gone in ("Record first contact", "Claim this case", "Change status"):
        assert page.get_by_role("button", name=gone).count() == 0, f"{gone} is gone from a closed case"
    assert page.get_by_role("button", name="Add note").count() == 1


def test_at_320_pixels_the_actions_come_before_the_detail(
    journey: Callable[..., CheckedPage], app: Flask
) -> None:
    supervisor = make_account(app, "supervisor")
    reference = make_case(app)
    tab = signed_in(journey, app, supervisor)
    tab.goto(f"/officer/cases/{reference}")
    page = tab.page

    def top(locator_name: str) -> float:
        box = page.get_by_role("heading", name=locator_name).bounding_box()
        assert box is not None, f"{locator_name} is shown"
        return box["y"]

    def left(locator_name: str) -> float:
        box = page.get_by_role("heading", name=locator_name).bounding_box()
        assert box is not None
        return box["x"]

    # On a wide screen the work stands beside the detail, to its right.
    assert left("Work on this case") > left("About the case")
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": 900})
    claim = page.get_by_role("button", name="Claim this case").bounding_box()
    assert claim is not None
    summary = page.locator(".portal-case-summary").bounding_box()
    status = page.get_by_role("group", name="Status", exact=True).bounding_box()
    assert summary is not None and status is not None
    assert summary["y"] < top("Work on this case") < claim["y"] < status["y"] < top("About the case")
    assert top("About the case") < top("Triage decision") < top("Timeline")


def test_without_javascript_the_outcome_shows_and_is_needed_only_to_close(
    journey: Callable[..., CheckedPage], app: Flask
) -> None:
    supervisor = make_account(app, "supervisor")
    reference = make_case(app, status="in_progress")
    tab = signed_in(journey, app, supervisor, javascript=False)
    tab.goto(f"/officer/cases/{reference}")
    page = tab.page
    assert page.get_by_role("radio", name="In progress").is_checked()
    resolved = page.get_by_role("radio", name="Resolved")
    assert not resolved.is_visible(), "asked only under Closed, without JavaScript too"
    page.get_by_role("radio", name="Closed").check()
    assert resolved.is_visible()
    tab.button("Change status")
    assert tab.errors() == ["Select the outcome to close the case"]
    assert page.get_by_role("radio", name="Closed").is_checked(), "what was chosen is kept"
    page.get_by_role("radio", name="Awaiting resident").check()
    tab.button("Change status")
    assert _summary_value(tab, "Status") == "Awaiting resident"
