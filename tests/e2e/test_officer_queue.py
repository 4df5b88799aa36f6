"""An officer finds a case in the queue, whatever its status, and sees which filters apply."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

from tests.cases import make_case
from tests.e2e.checks import CheckedPage
from tests.e2e.officers import signed_in
from tests.officers import make_account


def test_a_closed_case_is_found_by_its_reference(journey: Callable[..., CheckedPage], app: Flask) -> None:
    closed = make_case(app, route="mediation", status="closed", outcome="resolved")
    make_case(app, route="tasking", flags=["hate_incident"])
    tab = signed_in(journey, app, make_account(app, "officer"))
    routes = tab.page.get_by_role("navigation", name="Routes")
    tab.click(routes.get_by_role("link", name="Tasking"))
    assert routes.locator("[aria-current=page]").inner_text().startswith("Tasking")
    assert tab.page.get_by_role("cell", name="Hate incident").count() == 1, "flags are labelled tags"

    tab.page.get_by_label("Search by reference, postcode, or the reporter's name or email").fill(closed)
    tab.button("Apply filters")
    assert tab.page.get_by_role("link", name=closed, exact=True).is_visible()
    applied = tab.page.get_by_role("heading", name="Filters applied").locator(
        "xpath=following-sibling::ul[1]"
    )
    assert applied.get_by_role("listitem").all_inner_texts() == [f"Search: {closed}", "Status: any"]
    assert routes.locator("[aria-current=page]").inner_text().startswith("All")
    assert tab.page.get_by_role("link", name="Download these cases (CSV)").is_visible()

    tab.page.get_by_label("Risk").select_option("high")
    tab.button("Apply filters")
    assert "No cases match the filters applied." in tab.text()
    assert tab.page.get_by_role("link", name="Download these cases (CSV)").count() == 0
    tab.link("Clear filters")
    assert applied.get_by_role("listitem").all_inner_texts() == ["Status: open"]
    assert tab.page.get_by_role("link", name="Clear filters").count() == 0
