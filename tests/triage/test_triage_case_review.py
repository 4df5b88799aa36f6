"""An application for an ASB Case Review, decided against the published threshold (docs/policy.md s.10)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

import pytest

from portal.triage.case_review import (
    ThresholdDecision,
    decide_threshold,
    outcome_due,
    parse_application,
    review_due,
)
from portal.triage.contract import ContractError, parse_report
from portal.triage.history import Earlier
from portal.triage.policy import Policy
from tests.triage_factories import ANONYMOUS, POLICY, TUESDAY, report

BEFORE = "2026-11-20T10:00:00+00:00"  # within the six months before the Tuesday the application is made


def application(*reported_elsewhere: tuple[str, str], **changes: Any) -> dict[str, Any]:
    """Sam's application on the Tuesday about S18 1AB, with their ``(day, agency)`` reports elsewhere."""
    return {
        "submitted_at": TUESDAY,
        "applicant": {"email": "sam@example.org"},
        "postcode": "S18 1AB",
        "reported_elsewhere": [{"reported_on": day, "agency": agency} for day, agency in reported_elsewhere],
        **changes,
    }


def to_portal(times: int = 1, **changes: Any) -> list[dict[str, Any]]:
    """``times`` ASB reports to this portal by Sam (unless ``changes`` say otherwise) before the Tuesday."""
    return [report(**{"submitted_at": BEFORE, **changes}) for _ in range(times)]


def by(email: str, **changes: Any) -> dict[str, Any]:
    """An ASB report to this portal by another household at the same place."""
    reporter = {"name": email, "email": email, **changes.pop("reporter", {})}
    return report(**{"submitted_at": BEFORE, "reporter": reporter, **changes})


def decided(
    mapping: Mapping[str, Any], earlier: Iterable[Mapping[str, Any]] = (), policy: Policy = POLICY
) -> ThresholdDecision:
    history = [Earlier.of(parse_report(item)) for item in earlier]
    return decide_threshold(parse_application(mapping), history, policy)


# --- reports by the applicant ------------------------------------------------------------------


def test_three_reports_to_this_portal_meet_the_threshold() -> None:
    decision = decided(application(), to_portal(3))
    assert decision.met
    assert decision.met_by == ("reports_by_one_person",)
    assert decision.reasons == ("3 reports by the applicant in 6 months: 3 to this portal",)


def test_reports_to_the_police_and_the_landlord_count_with_those_to_this_portal() -> None:
    decision = decided(application(("2026-10-02", "police"), ("2026-11-03", "landlord")), to_portal(1))
    assert decision.met
    assert decision.reasons == (
        "3 reports by the applicant in 6 months: 1 to this portal, 1 to the police, 1 to the landlord",
    )


def test_the_same_reports_to_this_portal_alone_do_not_meet_it() -> None:
    assert not decided(application(), to_portal(1)).met


def test_reports_only_to_other_agencies_can_meet_it() -> None:
    decision = decided(
        application(("2026-07-01", "council"), ("2026-08-01", "other"), ("2026-09-01", "police"))
    )
    assert decision.reasons == (
        "3 reports by the applicant in 6 months: 1 to the council by other means, 1 to the police, "
        "1 to another agency",
    )


def test_a_threshold_not_met_says_what_each_part_counted_and_needs() -> None:
    decision = decided(application(("2026-10-02", "police")), to_portal(1))
    assert not decision.met
    assert decision.met_by == ()
    assert decision.reasons == (
        "2 reports by the applicant in 6 months, 3 needed (1 to this portal, 1 to the police)",
        "1 household reporting the same problem in 6 months, 5 needed",
    )
    assert decision.summary == "; ".join(decision.reasons)


def test_an_applicant_with_no_reports_in_the_window_counts_none() -> None:
    decision = decided(application())
    assert decision.reasons == (
        "0 reports by the applicant in 6 months, 3 needed",
        "0 households reporting the same problem in 6 months, 5 needed",
    )


def test_reports_by_someone_else_are_not_the_applicants() -> None:
    assert not decided(application(), [by("alex@example.org"), by("kim@example.org"), *to_portal(1)]).met


def test_the_applicant_is_the_same_reporter_by_phone_as_by_email() -> None:
    phoned = to_portal(3, reporter={"email": "", "phone": "+44 7700 900123"})
    assert decided(application(applicant={"phone": "07700 900123"}), phoned).met
    assert decided(application(applicant={"email": "SAM@example.org", "phone": "07700 900123"}), phoned).met


def test_anonymous_reports_to_this_portal_are_nobodys() -> None:
    assert decided(application(), to_portal(3, reporter=ANONYMOUS)).reports_by_applicant == 0


def test_only_reports_of_asb_count() -> None:
    concerns = to_portal(3, kind="safety_concern")
    assert decided(application(), concerns).reports_by_applicant == 0
    assert decided(application(), to_portal(3, kind="neighbour_dispute")).met


def test_the_threshold_is_the_policys() -> None:
    two = dataclasses.replace(
        POLICY, case_review=dataclasses.replace(POLICY.case_review, reports_by_one_person=2)
    )
    assert decided(application(), to_portal(2), two).met
    assert not decided(application(), to_portal(2)).met


# --- the window: calendar months back on the London clock, both ends included ---------------------


@pytest.mark.parametrize(
    ("reported_on", "counted"),
    [
        ("2026-02-28", True),  # 2026-08-31 10:00 BST reaches back to 2026-02-28 (February lacks the 31st)
        ("2026-02-27", False),  # a day earlier
        ("2026-08-31", True),  # the day of the application
    ],
)
def test_a_report_elsewhere_counts_from_the_first_day_of_the_window(reported_on: str, counted: bool) -> None:
    mapping = application(
        ("2026-05-01", "police"),
        ("2026-06-01", "police"),
        (reported_on, "landlord"),
        submitted_at="2026-08-31T10:00:00+01:00",
    )
    decision = decided(mapping)
    assert decision.window_from == date(2026, 2, 28)
    assert decision.reports_by_applicant == (3 if counted else 2)
    assert decision.met is counted


@pytest.mark.parametrize(("reported_on", "counted"), [("2026-05-15", True), ("2026-05-14", False)])
def test_the_window_runs_back_across_the_clock_change_to_the_same_day(
    reported_on: str, counted: bool
) -> None:
    # 10:00 GMT on 15 November reaches back to 10:00 BST on 15 May.
    decision = decided(application((reported_on, "police"), submitted_at="2026-11-15T10:00:00+00:00"))
    assert decision.reports_by_applicant == (1 if counted else 0)


@pytest.mark.parametrize(
    ("earlier_at", "counted"),
    [
        ("2026-05-15T10:00:00+01:00", True),  # 10:00 BST, six months before 10:00 GMT
        ("2026-05-15T09:59:59+01:00", False),
    ],
)
def test_a_report_to_this_portal_counts_from_the_start_of_the_window(earlier_at: str, counted: bool) -> None:
    decision = decided(
        application(submitted_at="2026-11-15T10:00:00+00:00"), to_portal(submitted_at=earlier_at)
    )
    assert decision.reports_by_applicant == (1 if counted else 0)


def test_a_report_elsewhere_on_the_london_day_of_a_late_evening_application_is_not_in_the_future() -> None:
    # 23:30 UTC on Tuesday 30 June is 00:30 BST on Wednesday 1 July.
    decision = decided(application(("2026-07-01", "police"), submitted_at="2026-06-30T23:30:00+00:00"))
    assert decision.reports_by_applicant == 1


# --- households reporting the same problem ------------------------------------------------------------

NEIGHBOURS = ["alex@example.org", "kim@example.org", "lee@example.org", "jo@example.org"]


def test_five_households_reporting_the_same_problem_meet_the_threshold() -> None:
    decision = decided(application(("2026-11-02", "police")), [by(email) for email in NEIGHBOURS])
    assert decision.met
    assert decision.met_by == ("households_same_problem",)
    assert decision.reasons == ("5 households reporting the same problem in 6 months",)


def test_both_parts_met_are_both_given() -> None:
    decision = decided(application(), [*(by(email) for email in NEIGHBOURS), *to_portal(3)])
    assert decision.met_by == ("reports_by_one_person", "households_same_problem")
    assert decision.reasons == (
        "3 reports by the applicant in 6 months: 3 to this portal",
        "5 households reporting the same problem in 6 months",
    )


def test_an_applicant_with_no_report_in_the_window_is_not_a_household_reporting_it() -> None:
    decision = decided(application(("2026-01-02", "police")), [by(email) for email in NEIGHBOURS])
    assert decision.households == 4
    assert not decision.met


def test_a_household_is_counted_once_however_often_it_reports() -> None:
    earlier = [by(email) for email in NEIGHBOURS[:3]] + [by(NEIGHBOURS[0])] + to_portal(2)
    assert decided(application(("2026-11-02", "police")), earlier).households == 4


def test_households_elsewhere_anonymous_or_outside_the_window_are_not_counted() -> None:
    earlier = [
        by(NEIGHBOURS[0]),
        by(NEIGHBOURS[1], location={"postcode": "S18 2ZZ"}),
        by(NEIGHBOURS[2], reporter=ANONYMOUS),
        by(NEIGHBOURS[3], submitted_at="2026-05-31T10:00:00+01:00"),
        by("ash@example.org", kind="safety_concern"),
    ]
    assert decided(application(("2026-11-02", "police")), earlier).households == 2


def test_without_a_postcode_only_the_applicants_household_is_counted() -> None:
    decision = decided(
        application(("2026-11-02", "police"), postcode=""), [by(email) for email in NEIGHBOURS]
    )
    assert decision.households == 1


# --- when the decision is due -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("submitted_at", "due"),
    [
        ("2026-12-01T10:00:00+00:00", date(2026, 12, 15)),  # Tuesday: ten working days on
        # Thursday 24 December: Christmas, Boxing Day observed on the 28th and New Year's Day are skipped.
        ("2026-12-24T16:30:00+00:00", date(2027, 1, 12)),
        ("2026-12-26T10:00:00+00:00", date(2027, 1, 13)),  # a Saturday: counted from Tuesday the 29th
    ],
)
def test_the_decision_is_due_ten_working_days_after_the_application(submitted_at: str, due: date) -> None:
    decision = decided(application(submitted_at=submitted_at))
    assert decision.decision_due == due


def test_the_decision_names_who_an_applicant_escalates_to_and_the_policy() -> None:
    decision = decided(application())
    assert decision.escalation_body == "Police and Crime Commissioner"
    assert decision.policy_version == POLICY.version
    assert decision.to_json()["decision_due"] == "2026-12-15"


# --- when the review meeting and the outcome letter are due -------------------------------------


@pytest.mark.parametrize(
    ("decided_on", "due"),
    [
        (date(2026, 12, 1), date(2027, 1, 8)),  # 25 working days, over Christmas and New Year
        # Thursday 24 December: Christmas, Boxing Day observed on the 28th and New Year's Day are skipped.
        (date(2026, 12, 24), date(2027, 2, 2)),
    ],
)
def test_the_review_is_due_twenty_five_working_days_after_the_threshold_decision(
    decided_on: date, due: date
) -> None:
    assert review_due(decided_on, POLICY) == due


@pytest.mark.parametrize(
    ("meeting_on", "due"),
    [
        (date(2026, 12, 1), date(2026, 12, 8)),  # a Tuesday: five working days on
        (date(2026, 12, 22), date(2026, 12, 31)),  # Christmas and Boxing Day observed on the 28th skipped
        # Thursday 24 December: the 29th, 30th and 31st, then New Year's Day is skipped too.
        (date(2026, 12, 24), date(2027, 1, 5)),
        (date(2026, 12, 19), date(2026, 12, 30)),  # a Saturday meeting: counted from Monday the 21st
    ],
)
def test_the_outcome_letter_is_due_five_working_days_after_the_meeting(meeting_on: date, due: date) -> None:
    assert outcome_due(meeting_on, POLICY) == due


def test_the_working_days_for_the_review_and_the_letter_are_the_policys() -> None:
    rules = dataclasses.replace(POLICY.case_review, review_working_days=1, outcome_working_days=0)
    policy = dataclasses.replace(POLICY, case_review=rules)
    assert review_due(date(2026, 12, 24), policy) == date(2026, 12, 29)
    assert outcome_due(date(2026, 12, 25), policy) == date(2026, 12, 29)


# --- the application itself -----------------------------------------------------------------------


def test_a_report_elsewhere_dated_after_the_application_is_refused() -> None:
    with pytest.raises(ContractError) as raised:
        parse_application(application(("2026-11-30", "police"), ("2026-12-02", "landlord")))
    assert raised.value.field == "reported_elsewhere[1].reported_on"
    assert raised.value.message == (
        "must be the day of the application (2026-12-01) or earlier: a report cannot be dated in the future"
    )


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        (
            {"reported_elsewhere": [{"reported_on": "2026-11-30", "agency": "fire"}]},
            "reported_elsewhere[0].agency",
            "must be one of council, police, landlord, other",
        ),
        (
            {"reported_elsewhere": [{"reported_on": "30/11/2026", "agency": "police"}]},
            "reported_elsewhere[0].reported_on",
            "must be a date, like 2026-11-30",
        ),
        (
            {"reported_elsewhere": [{"reported_on": "2026-11-30"}]},
            "reported_elsewhere[0].agency",
            "must be one of",
        ),
        (
            {"reported_elsewhere": [{"agency": "police", "reported_on": "2026-11-30", "time": "10:00"}]},
            "reported_elsewhere[0].time",
            "is not a field",
        ),
        ({"reported_elsewhere": "police"}, "reported_elsewhere", "must be a list"),
        (
            {"reported_elsewhere": [{"reported_on": "2026-11-30", "agency": "police"}] * 101},
            "reported_elsewhere",
            "100 reports or fewer",
        ),
        ({"applicant": {"email": "", "phone": ""}}, "applicant", "needs an email or a phone number"),
        ({"applicant": {"email": "sam"}}, "applicant.email", "must be an email address"),
        ({"postcode": "nowhere"}, "postcode", "must be a UK postcode"),
        ({"submitted_at": "2026-12-01T10:00:00"}, "submitted_at", "must include a UTC offset"),
        ({"reference": "ABC"}, "reference", "is not a field of the application"),
    ],
)
def test_a_bad_application_is_refused_naming_the_field(
    changes: dict[str, Any], field: str, words: str
) -> None:
    with pytest.raises(ContractError) as raised:
        parse_application(application(**changes))
    assert raised.value.field == field
    assert words in raised.value.message


def test_an_application_normalises_how_the_applicant_and_place_are_written() -> None:
    parsed = parse_application(
        application(
            ("2026-11-30", "police"),
            applicant={"email": " Sam@Example.ORG ", "phone": "+44 7700 900123"},
            postcode="s181ab",
        )
    )
    assert (parsed.email_key, parsed.phone_key, parsed.postcode) == (
        "sam@example.org",
        "07700900123",
        "S18 1AB",
    )
    assert parsed.reported_elsewhere[0].reported_on == date(2026, 11, 30)
