"""The records of the work, per route: saved, shown on the case, audited, and refused when wrong.

These records feed the yearly figures the council reports to scrutiny, so a bad value is refused
with a plain message and nothing changes; so is a change from a stale copy of the case, or from an
officer who does not hold it.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.cases import operations, records
from portal.extensions import db
from portal.models import AuditEvent, Report, TaskingAction, User
from portal.models.work import AGE_BANDS, POWERS
from tests.cases import make_case
from tests.helpers import Page, PageClient, today
from tests.officers import Account, make_account, sign_in

REPORTED_DAYS_AGO = 30
RECORD_ACTIONS = (
    "mediation_recorded",
    "target_hardening_recorded",
    "tasking_recorded",
    "tasking_action_added",
    "tasking_action_done",
    "camera_deployed",
    "power_used",
)


def days(offset: int) -> date:
    return today() + timedelta(days=offset)


def parts(day: date) -> list[str]:
    """A date as the three boxes of a GOV.UK date input post it: day, month, year."""
    return [str(day.day), str(day.month), str(day.year)]


def words(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def a_case(app: Flask, holder: Account | None, kind: str = "asb", route: str = "tasking") -> str:
    """A case reported a month ago, held by ``holder``."""
    return make_case(
        app,
        kind=kind,
        route=route,
        submitted_at=datetime.now(UTC) - timedelta(days=REPORTED_DAYS_AGO),
        assignee_id=holder.id if holder else None,
    )


def case_url(reference: str) -> str:
    return f"/officer/cases/{reference}"


def record(
    client: PageClient, reference: str, path: str, data: dict[str, Any], form: str, version: str | None = None
) -> Page:
    """Open the case, fill in one of its record forms and send it, as an officer would."""
    page = client.get(case_url(reference))
    if version is None:
        field = page.soup.find("input", id=f"{form}-version")
        assert field is not None, f"the case page has no {form} form"
        version = str(field["value"])
    return client.post(
        f"{case_url(reference)}/records/{path}", {"csrf_token": page.csrf_token(), "version": version, **data}
    )


def state(app: Flask, reference: str) -> dict[str, Any]:
    """Everything a record change could touch: the case's version, every record, the audit log."""
    with app.app_context():
        report = db.session.scalars(select(Report).where(Report.reference == reference)).one()
        work = records.work_records(report)
        return {
            "version": report.version,
            "mediation": records.mediation_values(work.mediation),
            "hardening": records.hardening_values(work.hardening),
            "tasking": records.tasking_values(work.tasking),
            "actions": [(a.description, a.owner, a.due_date, a.done_on) for a in work.actions],
            "cameras": [(c.camera, c.location, c.deployed_from, c.deployed_to) for c in work.cameras],
            "powers": [(p.power, p.used_on, p.served_on_name) for p in work.powers],
            "audit": list(
                db.session.scalars(
                    select(AuditEvent.action)
                    .where(AuditEvent.report_id == report.id, AuditEvent.action != "viewed")
                    .order_by(AuditEvent.id)
                )
            ),
        }


def audit_entries(app: Flask, reference: str, action: str) -> list[tuple[Any, Any, int | None]]:
    with app.app_context():
        report = db.session.scalars(select(Report).where(Report.reference == reference)).one()
        events = db.session.scalars(
            select(AuditEvent)
            .where(AuditEvent.report_id == report.id, AuditEvent.action == action)
            .order_by(AuditEvent.id)
        )
        return [(event.before, event.after, event.actor_id) for event in events]


def section_titles(page: Page) -> list[str]:
    titles = set(records.SECTION_TITLES.values())
    return [h.get_text(strip=True) for h in page.soup.find_all("h3") if h.get_text(strip=True) in titles]


def mediation(**changes: Any) -> dict[str, Any]:
    """The mediation form as an officer fills it in, its dates worked out when the test runs."""
    data = {"referral_date": parts(days(-20)), "sessions": "2", "mediation_outcome": "partial_agreement"}
    data.update(changes)
    return data


def hardening(**changes: Any) -> dict[str, Any]:
    data = {
        "survey_date": parts(days(-10)),
        "hardening_items": ["locks", "video_doorbell", "other"],
        "other_items": "Shed alarm",
        "installation_date": parts(days(-3)),
    }
    data.update(changes)
    return data


def camera(**changes: Any) -> dict[str, Any]:
    data = {
        "camera": "WC-02",
        "camera_location": "Footpath behind 12 to 20 Mill Lane",
        "signage": "yes",
        "camera_from": parts(days(1)),
        "camera_to": parts(days(14)),
    }
    data.update(changes)
    return data


def power(**changes: Any) -> dict[str, Any]:
    data = {
        "power": "cpw",
        "power_date": parts(days(-2)),
        "served_on_name": "Alex Example",
        "served_on_age_band": "18_24",
        "served_by": "PC 1234 Smith, Derbyshire Police",
    }
    data.update(changes)
    return data


# --- Each record, saved, shown and audited ------------------------------------------------------


def test_mediation_records_the_referral_date_sessions_and_outcome(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = a_case(app, officer, "neighbour_dispute", "mediation")

    page = record(officer_client, reference, "mediation", mediation(), "mediation")

    assert "The mediation record has been saved" in page.text()
    assert f"Referred {days(-20):%A} {words(days(-20))}" in page.text()
    assert "Sessions held 2" in page.text()
    assert "Outcome Partial agreement" in page.text()
    assert "Mediation recorded" in page.text()
    assert audit_entries(app, reference, "mediation_recorded") == [
        (
            {"referral_date": None, "sessions": None, "outcome": None},
            {"referral_date": days(-20).isoformat(), "sessions": 2, "outcome": "partial_agreement"},
            officer.id,
        )
    ]


def test_mediation_can_be_saved_before_its_outcome_is_known_and_finished_later(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = a_case(app, officer, "neighbour_dispute", "mediation")

    page = record(
        officer_client, reference, "mediation", {**mediation(), "mediation_outcome": ""}, "mediation"
    )
    assert "Outcome Not known yet" in page.text()
    assert page.value("mediation_outcome") == ""

    page = record(officer_client, reference, "mediation", {**mediation(), "sessions": "3"}, "mediation")
    assert "Outcome Partial agreement" in page.text()
    assert page.value("sessions") == "3"
    before, after, _ = audit_entries(app, reference, "mediation_recorded")[1]
    assert (before["sessions"], before["outcome"]) == (2, None)
    assert (after["sessions"], after["outcome"]) == (3, "partial_agreement")


def test_target_hardening_records_the_survey_the_items_fitted_and_the_installation(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = a_case(app, officer, "safety_concern", "target_hardening")

    page = record(officer_client, reference, "target-hardening", hardening(), "hardening")

    assert "The target hardening record has been saved" in page.text()
    assert "Items fitted Door or window locks, Video doorbell, Other: Shed alarm" in page.text()
    assert f"Installed {days(-3):%A} {words(days(-3))}" in page.text()
    assert page.value("hardening_items") == ["locks", "video_doorbell", "other"]
    [(before, after, _)] = audit_entries(app, reference, "target_hardening_recorded")
    assert before == {"survey_date": None, "items": [], "other_items": None, "installation_date": None}
    assert after == {
        "survey_date": days(-10).isoformat(),
        "items": ["locks", "video_doorbell", "other"],
        "other_items": "Shed alarm",
        "installation_date": days(-3).isoformat(),
    }


def test_a_survey_is_recorded_before_anything_is_fitted(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = a_case(app, officer, "safety_concern", "target_hardening")

    page = record(
        officer_client,
        reference,
        "target-hardening",
        hardening(hardening_items=[], other_items="", installation_date=["", "", ""]),
        "hardening",
    )

    assert not page.errors
    assert "Items fitted None recorded" in page.text()
    assert "Installed Not yet" in page.text()


def test_tasking_records_the_meeting_and_its_decision(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = a_case(app, officer)
    decision = "Joint patrols on Friday nights.\nCPW to the two known youths."

    page = record(
        officer_client,
        reference,
        "tasking",
        {"meeting_date": parts(days(-1)), "decision": decision},
        "tasking",
    )

    assert "The tasking meeting record has been saved" in page.text()
    assert f"Meeting {days(-1):%A} {words(days(-1))}" in page.text()
    assert "Joint patrols on Friday nights." in page.text()
    assert audit_entries(app, reference, "tasking_recorded") == [
        (
            {"meeting_date": None, "decision": None},
            {"meeting_date": days(-1).isoformat(), "decision": decision},
            officer.id,
        )
    ]


def test_a_case_can_be_put_on_a_meeting_still_to_come_without_a_decision(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = a_case(app, officer)

    page = record(
        officer_client, reference, "tasking", {"meeting_date": parts(days(12)), "decision": ""}, "tasking"
    )

    assert not page.errors
    assert "Decision Not recorded yet" in page.text()


def test_tasking_actions_are_added_with_an_owner_and_a_due_date_and_marked_done(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = a_case(app, officer)
    action = {"action_description": "Letter drop on Mill Lane", "action_owner": "Rykneld Homes"}

    page = record(officer_client, reference, "actions", {**action, "action_due": parts(days(7))}, "action")
    assert "The action has been added" in page.text()
    row = page.soup.select("table.govuk-table tbody tr")[0].get_text(" ", strip=True)
    assert row.startswith(f"Letter drop on Mill Lane Rykneld Homes {days(7).day} {days(7):%b %Y} Mark done")

    [(before, after, _)] = audit_entries(app, reference, "tasking_action_added")
    assert (before, after) == (
        {},
        {"action": "Letter drop on Mill Lane", "owner": "Rykneld Homes", "due_date": days(7).isoformat()},
    )
    done = page.soup.find("form", action=lambda url: bool(url and url.endswith("/done")))
    assert done is not None
    version = done.find("input", attrs={"name": "version"})
    assert version is not None
    page = officer_client.post(
        str(done["action"]), {"csrf_token": page.csrf_token(), "version": version["value"]}
    )

    assert "The action has been marked done" in page.text()
    row = page.soup.select("table.govuk-table tbody tr")[0].get_text(" ", strip=True)
    assert row.endswith(f"{today().day} {today():%b %Y}")
    [(before, after, _)] = audit_entries(app, reference, "tasking_action_done")
    assert before == {"action": "Letter drop on Mill Lane", "done_on": None}
    assert after == {"action": "Letter drop on Mill Lane", "done_on": today().isoformat()}


def test_an_action_overdue_and_not_done_is_marked_overdue(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = a_case(app, officer)
    action = {"action_description": "Fit a gate", "action_owner": "Parks", "action_due": parts(days(-1))}

    page = record(officer_client, reference, "actions", action, "action")

    assert "Overdue" in page.soup.select("table.govuk-table tbody tr")[0].get_text(" ", strip=True)


def test_a_wildlife_camera_deployment_records_which_camera_where_signage_and_dates(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = a_case(app, officer)

    page = record(officer_client, reference, "cameras", camera(), "camera")

    assert "The camera deployment has been recorded" in page.text()
    row = page.soup.select("table.govuk-table tbody tr")[0].get_text(" ", strip=True)
    assert row == (
        "WC-02 Footpath behind 12 to 20 Mill Lane Yes "
        f"{days(1).day} {days(1):%b %Y} {days(14).day} {days(14):%b %Y}"
    )
    [(_, after, _)] = audit_entries(app, reference, "camera_deployed")
    assert after == {
        "camera": "WC-02",
        "location": "Footpath behind 12 to 20 Mill Lane",
        "signage": True,
        "deployed_from": days(1).isoformat(),
        "deployed_to": days(14).isoformat(),
    }


def test_an_asb_tool_or_power_used_records_which_when_on_whom_and_by_whom(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = a_case(app, officer)

    page = record(officer_client, reference, "powers", power(), "power")

    assert "The use of the tool or power has been recorded" in page.text()
    row = page.soup.select("table.govuk-table tbody tr")[0].get_text(" ", strip=True)
    assert row == (
        f"Community Protection Warning {days(-2).day} {days(-2):%b %Y} Alex Example (18 to 24) "
        "PC 1234 Smith, Derbyshire Police"
    )
    [(before, after, actor)] = audit_entries(app, reference, "power_used")
    assert before == {}
    assert after == {
        "power": "cpw",
        "used_on": days(-2).isoformat(),
        "served_on_name": "Alex Example",
        "served_on_age_band": "18_24",
        "served_by": "PC 1234 Smith, Derbyshire Police",
    }
    assert actor == officer.id


# --- Which records a case has -------------------------------------------------------------------

SECTIONS_BY_CASE = {
    ("neighbour_dispute", "mediation"): ["Mediation", "ASB tools and powers"],
    ("asb", "mediation"): ["Mediation", "ASB tools and powers"],
    ("safety_concern", "target_hardening"): ["Target hardening"],
    ("asb", "target_hardening"): ["Target hardening", "ASB tools and powers"],
    ("asb", "tasking"): ["Tasking meeting", "ASB tools and powers"],
    ("safety_concern", "tasking"): ["Tasking meeting", "ASB tools and powers"],
}


@pytest.mark.parametrize(("kind", "route"), SECTIONS_BY_CASE, ids=lambda value: str(value))
def test_a_case_shows_the_records_of_its_route_and_tools_and_powers_where_they_are_used(
    app: Flask, officer: Account, officer_client: PageClient, kind: str, route: str
) -> None:
    reference = a_case(app, officer, kind, route)

    page = officer_client.get(case_url(reference))

    assert section_titles(page) == SECTIONS_BY_CASE[(kind, route)]


def test_tools_and_powers_follow_the_policy_s_asb_kinds(
    app: Flask, officer: Account, officer_client: PageClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A council whose policy no longer counts neighbour disputes as ASB records no powers on them."""
    reference = a_case(app, officer, "neighbour_dispute", "mediation")
    policy = app.extensions["triage_policy"]
    monkeypatch.setitem(app.extensions, "triage_policy", dataclasses.replace(policy, asb_kinds=("asb",)))

    assert section_titles(officer_client.get(case_url(reference))) == ["Mediation"]


def test_a_record_for_a_section_the_case_does_not_have_is_refused(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = a_case(app, officer, "safety_concern", "target_hardening")
    before = state(app, reference)

    page = record(officer_client, reference, "powers", power(), "power", version=str(before["version"]))
    assert page.status == 400
    assert page.errors == [
        f"ASB tools and powers cannot be recorded on {reference}: they are recorded on reports of "
        "anti-social behaviour or neighbour disputes, and on cases at the tasking meeting"
    ]
    page = record(
        officer_client, reference, "mediation", mediation(), "mediation", version=str(before["version"])
    )
    assert page.errors == [f"Mediation cannot be recorded on {reference}: it is not on the mediation route"]
    assert state(app, reference) == before


def test_a_record_made_before_re_routing_still_shows_and_can_be_finished(
    app: Flask, officer: Account, supervisor: Account, officer_client: PageClient
) -> None:
    reference = a_case(app, officer, "safety_concern", "mediation")
    record(officer_client, reference, "mediation", {**mediation(), "mediation_outcome": ""}, "mediation")
    with app.app_context():
        boss = db.session.get(User, supervisor.id)
        assert boss is not None
        operations.reroute(reference, boss, "target_hardening", "A burglary since", None)

    page = record(
        officer_client, reference, "mediation", {**mediation(), "mediation_outcome": "declined"}, "mediation"
    )

    assert section_titles(page) == ["Mediation", "Target hardening"]
    assert "Outcome Declined" in page.text()


# --- Bad values: a plain message, and nothing changes --------------------------------------------

Post = Callable[[], dict[str, Any]]
BAD_VALUES: dict[str, tuple[str, str, str, Post, str]] = {
    "no referral date": (
        "mediation",
        "mediation",
        "mediation",
        lambda: {**mediation(), "referral_date": ["", "", ""]},
        "Enter the date of referral to mediation",
    ),
    "a referral date that is not a date": (
        "mediation",
        "mediation",
        "mediation",
        lambda: {**mediation(), "referral_date": ["31", "2", str(today().year)]},
        "The date of referral to mediation must be a real date, like 27 11 2026",
    ),
    "a referral date with its year missing": (
        "mediation",
        "mediation",
        "mediation",
        lambda: {**mediation(), "referral_date": ["5", "3"]},
        "The date of referral to mediation must be a real date, like 27 11 2026",
    ),
    "no referral date sent at all": (
        "mediation",
        "mediation",
        "mediation",
        lambda: {key: value for key, value in mediation().items() if key != "referral_date"},
        "Enter the date of referral to mediation",
    ),
    "an installation date with a day too many": (
        "target_hardening",
        "target-hardening",
        "hardening",
        lambda: hardening(installation_date=[*parts(days(-3)), "4"]),
        "The date of installation must be a real date, like 27 11 2026",
    ),
    "a referral date to come": (
        "mediation",
        "mediation",
        "mediation",
        lambda: mediation(referral_date=parts(days(1))),
        "The date of referral to mediation must be between the date of the report ({reported}) and today",
    ),
    "a referral before the report": (
        "mediation",
        "mediation",
        "mediation",
        lambda: mediation(referral_date=parts(days(-REPORTED_DAYS_AGO - 1))),
        "The date of referral to mediation must be between the date of the report ({reported}) and today",
    ),
    "sessions in words": (
        "mediation",
        "mediation",
        "mediation",
        lambda: {**mediation(), "sessions": "two"},
        "Enter the number of mediation sessions as a whole number, like 2",
    ),
    "fewer than no sessions": (
        "mediation",
        "mediation",
        "mediation",
        lambda: {**mediation(), "sessions": "-1"},
        "Enter the number of mediation sessions held, from 0 to 50",
    ),
    "an outcome not on the list": (
        "mediation",
        "mediation",
        "mediation",
        lambda: {**mediation(), "mediation_outcome": "won"},
        "Choose the outcome of mediation from the list",
    ),
    "an agreement without a session": (
        "mediation",
        "mediation",
        "mediation",
        lambda: {**mediation(), "sessions": "0", "mediation_outcome": "agreement"},
        "Mediation cannot end in agreement with no sessions: enter the number of sessions held",
    ),
    "an item not on the list": (
        "target_hardening",
        "target-hardening",
        "hardening",
        lambda: hardening(hardening_items=["locks", "moat"]),
        "Choose the items fitted from the list",
    ),
    "other items not described": (
        "target_hardening",
        "target-hardening",
        "hardening",
        lambda: hardening(other_items=" "),
        "Enter what other items were fitted",
    ),
    "installed before the survey": (
        "target_hardening",
        "target-hardening",
        "hardening",
        lambda: hardening(installation_date=parts(days(-11))),
        "The date of installation must be the same as or after the date of the survey",
    ),
    "installed with nothing fitted": (
        "target_hardening",
        "target-hardening",
        "hardening",
        lambda: hardening(hardening_items=[]),
        "Choose the items fitted, or leave the date of installation empty",
    ),
    "a decision for a meeting still to come": (
        "tasking",
        "tasking",
        "tasking",
        lambda: {"meeting_date": parts(days(5)), "decision": "Patrols"},
        "The meeting on {in_5_days} has not been held yet: record its decision on or after that day",
    ),
    "a meeting more than a year ahead": (
        "tasking",
        "tasking",
        "tasking",
        lambda: {"meeting_date": parts(days(400)), "decision": ""},
        "The date of the tasking meeting must be between the date of the report ({reported}) and {a_year_on}",
    ),
    "an action with no owner": (
        "tasking",
        "actions",
        "action",
        lambda: {"action_description": "Patrol", "action_owner": "", "action_due": parts(days(3))},
        "Enter who owns the action",
    ),
    "an action with no due date": (
        "tasking",
        "actions",
        "action",
        lambda: {"action_description": "Patrol", "action_owner": "Police", "action_due": ["", "", ""]},
        "Enter the date the action is due",
    ),
    "no camera chosen": (
        "tasking",
        "cameras",
        "camera",
        lambda: camera(camera=""),
        "Choose a camera from the partnership's set",
    ),
    "a camera not of the set": (
        "tasking",
        "cameras",
        "camera",
        lambda: camera(camera="WC-99"),
        "Choose a camera from the partnership's set",
    ),
    "a camera down before it is up": (
        "tasking",
        "cameras",
        "camera",
        lambda: camera(camera_from=parts(days(5)), camera_to=parts(days(4))),
        "The date the camera comes down must be the same as or after the date it goes up",
    ),
    "a camera up for more than a year": (
        "tasking",
        "cameras",
        "camera",
        lambda: camera(camera_to=parts(days(400))),
        "A camera can be deployed for a year at most: check the dates",
    ),
    "signage not said": (
        "tasking",
        "cameras",
        "camera",
        lambda: camera(signage=""),
        "Say whether signage was put up",
    ),
    "no place for the camera": (
        "tasking",
        "cameras",
        "camera",
        lambda: camera(camera_location="  "),
        "Enter where the camera was put up",
    ),
    "a power not on the list": (
        "tasking",
        "powers",
        "power",
        lambda: power(power="banishment"),
        "Choose the tool or power used from the list",
    ),
    "an age band not on the list": (
        "tasking",
        "powers",
        "power",
        lambda: power(served_on_age_band="ancient"),
        "Choose the age band of the person it was served on",
    ),
    "a power served in the future": (
        "tasking",
        "powers",
        "power",
        lambda: power(power_date=parts(days(1))),
        "The date it was served must be between the date of the report ({reported}) and today",
    ),
    "a name too long": (
        "tasking",
        "powers",
        "power",
        lambda: power(served_on_name="A" * 201),
        "The name of the person it was served on must be 200 characters or fewer",
    ),
    "not saying who served it": (
        "tasking",
        "powers",
        "power",
        lambda: power(served_by=""),
        "Enter who served it",
    ),
}


@pytest.mark.parametrize("case", BAD_VALUES.values(), ids=BAD_VALUES.keys())
def test_a_bad_value_is_refused_with_a_plain_message_and_nothing_changes(
    app: Flask, officer: Account, officer_client: PageClient, case: tuple[str, str, str, Post, str]
) -> None:
    route, path, form, data, message = case
    kind = "safety_concern" if route == "target_hardening" else "asb"
    reference = a_case(app, officer, kind, route)
    before = state(app, reference)

    page = record(officer_client, reference, path, data(), form)

    assert page.status == 400
    assert page.errors == [
        message.format(
            reported=words(days(-REPORTED_DAYS_AGO)),
            in_5_days=words(days(5)),
            a_year_on=words(days(366)),
        )
    ]
    assert state(app, reference) == before


def test_a_refused_record_keeps_what_the_officer_entered(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = a_case(app, officer)

    page = record(
        officer_client, reference, "powers", power(power="banishment", served_on_name="Jo Bloggs"), "power"
    )

    assert page.value("served_on_name") == "Jo Bloggs"
    assert page.value("served_by") == "PC 1234 Smith, Derbyshire Police"
    assert page.soup.find("details", open=True) is not None


@pytest.mark.parametrize("token", [None, "forged"], ids=["no token", "forged token"])
def test_a_record_sent_without_a_valid_token_is_refused_and_nothing_changes(
    app: Flask, officer: Account, officer_client: PageClient, token: str | None
) -> None:
    reference = a_case(app, officer)
    before = state(app, reference)

    page = officer_client.post(
        f"{case_url(reference)}/records/powers",
        {**power(), "version": str(before["version"]), **({"csrf_token": token} if token else {})},
    )

    assert page.status == 400
    assert state(app, reference) == before


# --- Who may record, and from which copy of the case ----------------------------------------------


def test_a_second_officer_working_from_a_stale_copy_of_the_case_is_told_and_not_obeyed(
    app: Flask,
    officer: Account,
    supervisor: Account,
    officer_client: PageClient,
    supervisor_client: PageClient,
) -> None:
    reference = a_case(app, officer, "neighbour_dispute", "mediation")
    opened = supervisor_client.get(case_url(reference))
    copy = opened.soup.find("input", id="mediation-version")
    assert copy is not None
    stale = str(copy["value"])
    record(officer_client, reference, "mediation", mediation(), "mediation")
    after_officer = state(app, reference)

    page = record(
        supervisor_client,
        reference,
        "mediation",
        {**mediation(), "sessions": "5", "mediation_outcome": "agreement"},
        "mediation",
        version=stale,
    )

    assert page.status == 409
    assert page.errors == [
        f"{reference} has changed since you opened it. Your change was not saved: "
        "check the case as it is now and make your change again"
    ]
    assert page.value("sessions") == "5"
    assert state(app, reference) == after_officer
    assert "Outcome Partial agreement" in page.text()


def test_every_record_change_moves_the_case_version_on(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = a_case(app, officer)
    first = state(app, reference)["version"]

    record(officer_client, reference, "powers", power(), "power")
    record(officer_client, reference, "cameras", camera(), "camera")

    assert state(app, reference)["version"] == first + 2


def test_an_officer_who_does_not_hold_the_case_cannot_record_its_work(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    holder = make_account(app, "officer", "Case Holder")
    reference = a_case(app, holder)
    before = state(app, reference)

    page = officer_client.get(case_url(reference))
    assert section_titles(page) == ["Tasking meeting", "ASB tools and powers"]
    assert page.soup.find("input", attrs={"name": "served_on_name"}) is None, "no forms for a case not held"

    page = record(officer_client, reference, "powers", power(), "power", version=str(before["version"]))
    assert page.status == 400
    assert page.errors == ["Only the officer with the case, or a supervisor, can record the work"]
    assert state(app, reference) == before


def test_nobody_records_the_work_on_an_unassigned_case_but_a_supervisor(
    app: Flask, officer: Account, officer_client: PageClient, supervisor_client: PageClient
) -> None:
    reference = a_case(app, None)
    version = str(state(app, reference)["version"])

    refused = record(officer_client, reference, "powers", power(), "power", version=version)
    page = record(supervisor_client, reference, "powers", power(), "power")

    assert refused.status == 400
    assert "Community Protection Warning" in page.text()
    assert audit_entries(app, reference, "power_used")[0][2] != officer.id


def test_recording_the_work_needs_signing_in(app: Flask, client: PageClient, officer: Account) -> None:
    reference = a_case(app, officer)
    before = state(app, reference)

    response = client.post_raw(f"{case_url(reference)}/records/powers", {**power(), "version": "1"})

    assert response.status_code in (302, 400)
    assert state(app, reference) == before


def test_an_action_is_marked_done_once_and_only_through_its_own_case(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference, other = a_case(app, officer), a_case(app, officer)
    action = {"action_description": "Patrol", "action_owner": "Police", "action_due": parts(days(3))}
    record(officer_client, reference, "actions", action, "action")
    with app.app_context():
        (action_id,) = db.session.scalars(select(TaskingAction.id)).all()

    page = record(officer_client, other, f"actions/{action_id}/done", {}, "action")
    assert page.errors == [f"{other} has no such action"]

    record(officer_client, reference, f"actions/{action_id}/done", {}, "action")
    before = state(app, reference)
    page = record(officer_client, reference, f"actions/{action_id}/done", {}, "action")
    assert page.errors == [f"That action was already marked done on {words(today())}"]
    assert state(app, reference) == before


# --- Wildlife cameras: one place at a time ------------------------------------------------------


def test_a_camera_cannot_be_deployed_on_two_overlapping_periods_on_any_case(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    holding, wanting = a_case(app, officer), a_case(app, officer)
    record(
        officer_client,
        holding,
        "cameras",
        camera(camera_from=parts(days(1)), camera_to=parts(days(10))),
        "camera",
    )
    before = state(app, wanting)

    page = record(
        officer_client,
        wanting,
        "cameras",
        camera(camera_from=parts(days(10)), camera_to=parts(days(20))),
        "camera",
    )

    assert page.status == 400
    assert page.errors == [
        f"Camera WC-02 is already deployed for case {holding} from {words(days(1))} to {words(days(10))}: "
        "choose another camera or other dates"
    ]
    assert state(app, wanting) == before


def test_a_camera_is_refused_for_a_period_overlapping_its_own_case_too(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = a_case(app, officer)
    record(officer_client, reference, "cameras", camera(), "camera")

    page = record(officer_client, reference, "cameras", camera(camera_from=parts(days(0))), "camera")

    assert page.errors[0].startswith("Camera WC-02 is already deployed for this case")


def test_a_camera_can_go_up_the_day_after_it_comes_down_and_another_camera_any_time(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    first, second = a_case(app, officer), a_case(app, officer)
    record(
        officer_client,
        first,
        "cameras",
        camera(camera_from=parts(days(1)), camera_to=parts(days(10))),
        "camera",
    )

    after = record(
        officer_client,
        second,
        "cameras",
        camera(camera_from=parts(days(11)), camera_to=parts(days(20))),
        "camera",
    )
    other = record(officer_client, second, "cameras", camera(camera="WC-03"), "camera")

    assert not after.errors and not other.errors
    assert len(state(app, second)["cameras"]) == 2


def test_when_two_cases_book_one_camera_at_once_exactly_one_gets_it(app: Flask, supervisor: Account) -> None:
    cases = [a_case(app, None) for _ in range(4)]
    barrier = threading.Barrier(len(cases))
    outcomes: list[str] = []

    def book(reference: str) -> None:
        with app.app_context():
            me = db.session.get(User, supervisor.id)
            assert me is not None
            db.session.commit()  # hold no transaction (on SQLite, no lock) while waiting for the others
            barrier.wait()
            try:
                records.add_camera(reference, me, None, "WC-04", "Mill Lane", True, days(1), days(7))
                outcomes.append("booked")
            except operations.CaseError as error:
                outcomes.append(str(error))
            finally:
                db.session.remove()

    threads = [threading.Thread(target=book, args=(reference,)) for reference in cases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("booked") == 1
    assert all(
        outcome.startswith("Camera WC-04 is already deployed") for outcome in outcomes if outcome != "booked"
    )
    assert sum(len(state(app, reference)["cameras"]) for reference in cases) == 1


def test_only_the_partnerships_own_cameras_can_be_deployed(
    app: Flask, officer: Account, officer_client: PageClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(app.config, "PARTNERSHIP_CAMERAS", ("NE-1", "NE-2"))
    reference = a_case(app, officer)

    offered = officer_client.get(case_url(reference)).soup.select("select[name=camera] option")
    refused = record(officer_client, reference, "cameras", camera(camera="WC-02"), "camera")
    saved = record(officer_client, reference, "cameras", camera(camera="NE-2"), "camera")

    assert [option["value"] for option in offered] == ["", "NE-1", "NE-2"]
    assert refused.errors == ["Choose a camera from the partnership's set"]
    assert not saved.errors


def test_the_records_refuse_an_officer_who_does_not_hold_the_case_whatever_page_they_sent_from(
    app: Flask, officer: Account
) -> None:
    holder = make_account(app, "officer", "Someone Else")
    reference = a_case(app, holder)
    with app.app_context():
        user = db.session.get(User, officer.id)
        assert user is not None
        with pytest.raises(operations.NotAllowed):
            records.add_power_use(
                reference, user, None, "cpw", days(-1), "Alex Example", "18_24", "PC 1234 Smith"
            )


def test_the_timeline_says_what_was_recorded(
    app: Flask, officer: Account, officer_client: PageClient
) -> None:
    reference = a_case(app, officer)

    record(officer_client, reference, "powers", power(), "power")
    page = record(officer_client, reference, "cameras", camera(), "camera")

    entries = [li.get_text(" ", strip=True) for li in page.soup.select(".portal-timeline li")]
    timeline = [entry for entry in entries if not entry.startswith("Viewed ")]
    assert timeline[0].startswith("Wildlife camera deployment recorded Camera: ")
    assert timeline[1].startswith(f"ASB tool or power recorded Power: {POWERS['cpw']}; ")
    assert f"served on age band: {AGE_BANDS['18_24']}" in timeline[1] and "Test Officer, " in timeline[1]
    assert all("→" not in entry and "_" not in entry for entry in timeline)
    assert set(RECORD_ACTIONS) >= set(state(app, reference)["audit"])


def test_the_forms_are_filled_in_with_what_is_recorded(app: Flask, officer: Account) -> None:
    reference = a_case(app, officer, "neighbour_dispute", "mediation")
    first = PageClient(app.test_client())
    sign_in(first, officer)
    record(first, reference, "mediation", mediation(), "mediation")

    second = PageClient(app.test_client())
    sign_in(second, officer)
    page = second.get(case_url(reference))

    assert page.value("sessions") == "2"
    assert page.value("mediation_outcome") == "partial_agreement"
