"""The council's triage policy, rule by rule, at its boundaries (docs/policy.md sections 2 to 6)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest

from portal.triage.history import window
from tests.triage_factories import ANONYMOUS, DEFAULT_POLICY_VERSION, POLICY, decide_report, report

# Every harm answer but violence and hate (which bring floors): 3 + 3 + 2 + 2 + 2 + 1 = 13 points.
THIRTEEN_POINTS = [
    "feel_unsafe",
    "vulnerable_person",
    "targeted",
    "health_affected",
    "considering_moving",
    "daily_life_affected",
]
# Fourteen points, still without violence or hate: happening occasionally adds one.
FOURTEEN_POINTS: dict[str, Any] = {"harm": THIRTEEN_POINTS, "frequency": "occasionally"}
# Seven points without violence or hate: 3 + 3 + 1.
SEVEN_POINTS: dict[str, Any] = {"harm": ["feel_unsafe", "vulnerable_person", "daily_life_affected"]}

BEFORE = "2026-11-20T10:00:00+00:00"  # within the six months before the Tuesday the reports are made


def earlier_report(**changes: Any) -> dict[str, Any]:
    """A report by the same reporter some days before the one being decided."""
    return report(**{"submitted_at": BEFORE, **changes})


def by(email: str, **changes: Any) -> dict[str, Any]:
    """An earlier report by someone else, at the same place."""
    reporter = {"name": email, "email": email, **changes.pop("reporter", {})}
    return earlier_report(reporter=reporter, **changes)


# --- the baseline ----------------------------------------------------------------------------


def test_the_baseline_report_scores_nothing_and_goes_to_tasking() -> None:
    decision = decide_report(report())
    assert decision.risk_score == 0
    assert decision.risk_level == "standard"
    assert decision.flags == ()
    assert (decision.route, decision.rule) == ("tasking", "tasking.default")
    assert decision.due_by == date(2026, 12, 15)


# --- points (section 3) ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("question", "points"),
    [
        ("violence_or_threats", 5),
        ("hate_motivated", 4),
        ("feel_unsafe", 3),
        ("vulnerable_person", 3),
        ("targeted", 2),
        ("health_affected", 2),
        ("considering_moving", 2),
        ("daily_life_affected", 1),
    ],
)
def test_each_harm_answer_scores_its_points(question: str, points: int) -> None:
    assert decide_report(report(harm=[question])).risk_score == points


def test_harm_points_add_up() -> None:
    assert decide_report(report(harm=THIRTEEN_POINTS)).risk_score == 13


@pytest.mark.parametrize(
    ("frequency", "points"), [("daily", 3), ("weekly", 2), ("occasionally", 1), ("once", 0)]
)
def test_frequency_scores_its_points(frequency: str, points: int) -> None:
    assert decide_report(report(frequency=frequency)).risk_score == points


@pytest.mark.parametrize(
    ("started", "points"),
    [("over_six_months", 2), ("one_to_six_months", 1), ("this_month", 0), ("this_week", 0), ("today", 0)],
)
def test_how_long_ago_it_started_scores_its_points(started: str, points: int) -> None:
    assert decide_report(report(started=started)).risk_score == points


@pytest.mark.parametrize(("previous_reports", "points"), [("none", 0), ("once", 1), ("two_or_more", 3)])
def test_declared_previous_reports_score_by_repeat_count_band(previous_reports: str, points: int) -> None:
    assert decide_report(report(previous_reports=previous_reports)).risk_score == points


@pytest.mark.parametrize(("earlier_count", "points"), [(0, 0), (1, 1), (2, 3), (3, 3)])
def test_earlier_reports_by_the_same_reporter_score_by_repeat_count_band(
    earlier_count: int, points: int
) -> None:
    earlier = [earlier_report() for _ in range(earlier_count)]
    assert decide_report(report(), earlier).risk_score == points


@pytest.mark.parametrize(
    ("previous_reports", "earlier_count", "points"),
    [
        ("once", 2, 3),  # counted 2 beats declared 1
        ("two_or_more", 1, 3),  # declared 2 beats counted 1
        ("once", 1, 1),  # the larger, not the sum: 1 and 1 is 1
        ("none", 1, 1),
    ],
)
def test_repeat_count_is_the_larger_of_declared_and_counted(
    previous_reports: str, earlier_count: int, points: int
) -> None:
    earlier = [earlier_report() for _ in range(earlier_count)]
    assert decide_report(report(previous_reports=previous_reports), earlier).risk_score == points


def test_earlier_reports_of_any_kind_count_towards_the_repeat_count() -> None:
    earlier = [
        earlier_report(kind="safety_concern"),
        earlier_report(kind="neighbour_dispute"),
    ]
    assert decide_report(report(), earlier).risk_score == 3


def test_earlier_reports_by_someone_else_do_not_count_towards_the_repeat_count() -> None:
    earlier = [by("alex@example.org"), by("kim@example.org")]
    assert decide_report(report(), earlier).risk_score == 0


def test_reports_outside_the_six_months_or_after_this_one_do_not_count() -> None:
    earlier = [
        earlier_report(submitted_at="2026-05-31T10:00:00+01:00"),  # six months and a day before
        earlier_report(submitted_at="2026-12-01T10:00:01+00:00"),  # a second after
    ]
    assert decide_report(report(), earlier).risk_score == 0


# --- levels and floors (section 3) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "score", "level"),
    [
        ({"harm": ["feel_unsafe", "vulnerable_person"]}, 6, "standard"),
        (SEVEN_POINTS, 7, "medium"),
        ({"harm": THIRTEEN_POINTS}, 13, "medium"),
        (FOURTEEN_POINTS, 14, "high"),
    ],
    ids=["6-standard", "7-medium", "13-medium", "14-high"],
)
def test_risk_level_bands_start_at_7_and_14(changes: dict[str, Any], score: int, level: str) -> None:
    decision = decide_report(report(**changes))
    assert (decision.risk_score, decision.risk_level) == (score, level)


def test_violence_with_feeling_unsafe_is_at_least_high() -> None:
    decision = decide_report(report(harm=["violence_or_threats", "feel_unsafe"]))
    assert (decision.risk_score, decision.risk_level) == (8, "high")


def test_violence_with_a_vulnerable_person_is_at_least_high() -> None:
    decision = decide_report(report(harm=["violence_or_threats", "vulnerable_person"]))
    assert (decision.risk_score, decision.risk_level) == (8, "high")


@pytest.mark.parametrize(
    ("harm", "level"),
    [(["violence_or_threats"], "standard"), (["violence_or_threats", "targeted"], "medium")],
)
def test_violence_alone_is_not_floored_to_high(harm: list[str], level: str) -> None:
    assert decide_report(report(harm=harm)).risk_level == level


def test_feeling_unsafe_and_a_vulnerable_person_without_violence_is_not_floored() -> None:
    assert decide_report(report(harm=["feel_unsafe", "vulnerable_person"])).risk_level == "standard"


def test_a_domestic_abuse_safety_concern_is_at_least_medium() -> None:
    decision = decide_report(report(kind="safety_concern", concern={"types": ["domestic_abuse"]}))
    assert (decision.risk_score, decision.risk_level) == (0, "medium")


def test_a_safety_concern_that_is_not_domestic_abuse_is_not_floored() -> None:
    decision = decide_report(report(kind="safety_concern", concern={"types": ["burglary_victim"]}))
    assert decision.risk_level == "standard"


@pytest.mark.parametrize("kind", ["asb", "neighbour_dispute", "safety_concern"])
def test_a_hate_motivated_report_is_at_least_medium(kind: str) -> None:
    decision = decide_report(report(kind=kind, harm=["hate_motivated"]))
    assert (decision.risk_score, decision.risk_level) == (4, "medium")


@pytest.mark.parametrize("kind", ["asb", "neighbour_dispute", "safety_concern"])
@pytest.mark.parametrize(
    "description", ["I want to end my life.", "I think about suicide.", "He has a KNIFE."]
)
def test_a_safeguarding_phrase_is_at_least_high(kind: str, description: str) -> None:
    # The 2026-12 policy: a resident who writes of suicide, self-harm or a weapon is contacted
    # within one working day, whatever the score.
    decision = decide_report(report(kind=kind, description=description))
    assert (decision.risk_score, decision.risk_level) == (0, "high")
    assert decision.due_by == date(2026, 12, 2)
    assert decision.explanation["floors"] == ["at least high: the description contains a safeguarding phrase"]


def test_a_safeguarding_phrase_rules_out_mediation() -> None:
    # A neighbour dispute that mediation would take, but for a weapon in the description.
    mediable = {
        "kind": "neighbour_dispute",
        "dispute": {"willing_to_mediate": True, "neighbour_address_known": True},
    }
    assert decide_report(report(**mediable)).rule == "mediation.neighbour_dispute"
    decision = decide_report(report(**mediable, description="He waved a weapon over the fence."))
    assert (decision.risk_level, decision.rule) == ("high", "tasking.default")
    assert decision.reasons[1] == "Neighbour disputes that mediation can help with – ruled out: risk is high"


def test_a_phrase_inside_another_word_brings_no_floor() -> None:
    assert decide_report(report(description="He knifed the tyres.")).risk_level == "standard"


@pytest.mark.parametrize(
    "changes",
    [
        {"harm": ["hate_motivated", "feel_unsafe", "vulnerable_person", "targeted", "health_affected"]},
        {"kind": "safety_concern", "concern": {"types": ["domestic_abuse"]}, **FOURTEEN_POINTS},
    ],
    ids=["hate-motivated", "domestic-abuse"],
)
def test_a_floor_never_lowers_a_level(changes: dict[str, Any]) -> None:
    decision = decide_report(report(**changes))
    assert decision.risk_score >= 14
    assert decision.risk_level == "high"


# --- response time (section 4) -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "level", "due_by"),
    [
        ({"harm": ["violence_or_threats", "feel_unsafe"]}, "high", date(2026, 12, 2)),
        (SEVEN_POINTS, "medium", date(2026, 12, 4)),
        ({}, "standard", date(2026, 12, 15)),
    ],
)
def test_first_contact_is_due_in_1_3_or_10_working_days(
    changes: dict[str, Any], level: str, due_by: date
) -> None:
    decision = decide_report(report(**changes))  # submitted Tuesday 1 December 2026
    assert (decision.risk_level, decision.due_by) == (level, due_by)


HIGH: dict[str, Any] = {"harm": ["violence_or_threats", "feel_unsafe"]}


@pytest.mark.parametrize(
    ("submitted_at", "changes", "due_by"),
    [
        ("2026-12-04T10:00:00+00:00", HIGH, date(2026, 12, 7)),  # Friday: the weekend is skipped
        ("2026-12-05T10:00:00+00:00", HIGH, date(2026, 12, 8)),  # Saturday: from Monday, then one day
        ("2026-12-06T10:00:00+00:00", HIGH, date(2026, 12, 8)),  # Sunday
        ("2026-12-06T11:00:00+00:00", {}, date(2026, 12, 21)),  # Sunday, standard: from Monday the 7th
    ],
    ids=["friday-high", "saturday-high", "sunday-high", "sunday-standard"],
)
def test_a_weekend_submission_moves_to_the_next_working_day_first(
    submitted_at: str, changes: dict[str, Any], due_by: date
) -> None:
    assert decide_report(report(submitted_at=submitted_at, **changes)).due_by == due_by


@pytest.mark.parametrize(
    ("changes", "due_by"),
    [(HIGH, date(2026, 12, 29)), (SEVEN_POINTS, date(2026, 12, 31)), ({}, date(2027, 1, 12))],
    ids=["high", "medium", "standard"],
)
def test_christmas_and_boxing_day_observed_are_not_working_days(
    changes: dict[str, Any], due_by: date
) -> None:
    # Thursday 24 December 2026: Christmas Friday, the weekend, Boxing Day observed Monday 28th.
    decision = decide_report(report(submitted_at="2026-12-24T16:30:00+00:00", **changes))
    assert decision.due_by == due_by


@pytest.mark.parametrize(
    ("submitted_at", "changes", "due_by"),
    [
        ("2027-03-25T10:00:00+00:00", HIGH, date(2027, 3, 30)),  # Thursday before Good Friday
        ("2027-03-26T10:00:00+00:00", HIGH, date(2027, 3, 31)),  # Good Friday: from Tuesday 30th
        ("2027-03-29T10:00:00+01:00", HIGH, date(2027, 3, 31)),  # Easter Monday: from Tuesday 30th
        ("2027-03-24T10:00:00+00:00", SEVEN_POINTS, date(2027, 3, 31)),  # Wednesday, medium
    ],
    ids=["thursday-high", "good-friday-high", "easter-monday-high", "wednesday-medium"],
)
def test_easter_2027_bank_holidays_are_not_working_days(
    submitted_at: str, changes: dict[str, Any], due_by: date
) -> None:
    assert decide_report(report(submitted_at=submitted_at, **changes)).due_by == due_by


@pytest.mark.parametrize(
    ("submitted_at", "changes", "due_by"),
    [
        # 23:30 UTC on Tuesday 30 June is 00:30 BST on Wednesday 1 July.
        ("2026-06-30T23:30:00+00:00", {}, date(2026, 7, 15)),
        # 23:30 UTC on Friday 3 July is Saturday 4 July in London: from Monday 6th.
        ("2026-07-03T23:30:00+00:00", HIGH, date(2026, 7, 7)),
        # 23:30 UTC in December is 23:30 GMT: still Tuesday 1 December.
        ("2026-12-01T23:30:00+00:00", HIGH, date(2026, 12, 2)),
        # 01:00 at +05:00 on Wednesday 2 December is 20:00 GMT on Tuesday 1 December.
        ("2026-12-02T01:00:00+05:00", HIGH, date(2026, 12, 2)),
    ],
    ids=["summer-midnight", "summer-friday-night", "winter-late-evening", "other-offset"],
)
def test_the_submission_date_is_taken_on_the_london_clock(
    submitted_at: str, changes: dict[str, Any], due_by: date
) -> None:
    assert decide_report(report(submitted_at=submitted_at, **changes)).due_by == due_by


# --- the six months up to a report (section 2) ---------------------------------------------------


def test_the_window_reaches_back_six_months_on_the_london_clock() -> None:
    start, end = window(datetime.fromisoformat("2026-08-31T10:00:00+01:00"), 6)
    assert start == datetime(2026, 2, 28, 10, 0, tzinfo=UTC)  # 10:00 GMT
    assert end == datetime(2026, 8, 31, 9, 0, tzinfo=UTC)  # 10:00 BST


@pytest.mark.parametrize(
    ("earlier_at", "counted"),
    [
        ("2026-02-28T10:00:00+00:00", True),  # exactly six months before: both ends included
        ("2026-02-28T09:59:59+00:00", False),  # a second earlier
    ],
)
def test_an_earlier_report_counts_from_the_start_of_the_window(earlier_at: str, counted: bool) -> None:
    # 2026-08-31 10:00 BST reaches back to 2026-02-28 10:00 GMT (February lacks the 31st).
    decision = decide_report(
        report(submitted_at="2026-08-31T10:00:00+01:00"), [earlier_report(submitted_at=earlier_at)]
    )
    assert decision.risk_score == (1 if counted else 0)


@pytest.mark.parametrize(
    ("earlier_at", "counted"),
    [
        ("2026-05-15T10:00:00+01:00", True),  # 10:00 BST, six months before 10:00 GMT
        ("2026-05-15T09:59:59+01:00", False),
        ("2026-05-15T10:30:00+01:00", True),  # would fall outside if the window were taken in UTC
    ],
)
def test_the_window_runs_across_a_clock_change_on_wall_time(earlier_at: str, counted: bool) -> None:
    decision = decide_report(
        report(submitted_at="2026-11-15T10:00:00+00:00"), [earlier_report(submitted_at=earlier_at)]
    )
    assert decision.risk_score == (1 if counted else 0)


def test_a_day_the_earlier_month_lacks_becomes_its_last() -> None:
    start, _end = window(datetime.fromisoformat("2027-03-31T10:00:00+01:00"), 6)
    assert start == datetime.fromisoformat("2026-09-30T10:00:00+01:00")


@pytest.mark.parametrize(
    ("earlier_at", "counted"),
    [("2026-09-30T10:00:00+01:00", True), ("2026-09-30T09:59:59+01:00", False)],
)
def test_a_window_from_the_31st_starts_on_the_30th_of_a_shorter_month(earlier_at: str, counted: bool) -> None:
    decision = decide_report(
        report(submitted_at="2027-03-31T10:00:00+01:00"), [earlier_report(submitted_at=earlier_at)]
    )
    assert decision.risk_score == (1 if counted else 0)


def test_an_earlier_report_at_the_same_instant_is_in_the_window() -> None:
    decision = decide_report(report(), [earlier_report(submitted_at="2026-12-01T10:00:00+00:00")])
    assert decision.risk_score == 1


# --- the same reporter (section 2) ------------------------------------------------------------


def test_emails_match_trimmed_and_case_insensitively() -> None:
    earlier = [earlier_report(reporter={"email": "  Sam@Example.ORG "})]
    assert decide_report(report(), earlier).risk_score == 1


@pytest.mark.parametrize("written", ["+44 7700 900123", "0044 7700 900123", "+44 (0)7700 900123"])
def test_phones_match_by_digits_with_a_leading_44_or_0044_read_as_0(written: str) -> None:
    earlier = [earlier_report(reporter={"email": "", "phone": written})]
    decision = decide_report(report(reporter={"email": "", "phone": "07700900123"}), earlier)
    assert decision.risk_score == 1


def test_a_matching_phone_is_the_same_reporter_whatever_the_email() -> None:
    earlier = [earlier_report(reporter={"email": "old@example.org", "phone": "07700 900123"})]
    decision = decide_report(report(reporter={"email": "new@example.org", "phone": "07700-900-123"}), earlier)
    assert decision.risk_score == 1


def test_different_emails_and_phones_are_different_reporters() -> None:
    earlier = [earlier_report(reporter={"email": "alex@example.org", "phone": "07700 900124"})]
    decision = decide_report(report(reporter={"phone": "07700 900123"}), earlier)
    assert decision.risk_score == 0


@pytest.mark.parametrize(
    ("this_reporter", "earlier_reporter"),
    [
        ({"anonymous": True}, {}),
        ({}, {"anonymous": True}),
        ({"anonymous": True}, {"anonymous": True}),
    ],
    ids=["this-anonymous", "earlier-anonymous", "both-anonymous"],
)
def test_anonymous_reports_never_match_anyone(
    this_reporter: dict[str, Any], earlier_reporter: dict[str, Any]
) -> None:
    # The same email and phone, but an anonymous report is nobody's.
    same = {"email": "sam@example.org", "phone": "07700 900123"}
    earlier = [earlier_report(reporter={**same, **earlier_reporter})]
    decision = decide_report(report(reporter={**same, **this_reporter}), earlier)
    assert decision.risk_score == 0
    assert "case_review_explained" not in decision.flags


# --- routes (section 6) ------------------------------------------------------------------------


def mediable_dispute(dispute: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    """A neighbour dispute that rule 1 sends to mediation."""
    answers = {"types": ["noise"], "willing_to_mediate": True, "neighbour_address_known": True}
    return report(kind="neighbour_dispute", dispute={**answers, **(dispute or {})}, **changes)


def mediable_asb(asb: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    """An ASB report about a neighbour that rule 2 sends to mediation."""
    answers = {"types": ["noise"], "perpetrator_is_neighbour": True, "willing_to_mediate": True}
    return report(kind="asb", asb={**answers, **(asb or {})}, **changes)


def victim_concern(concern: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    """A burglary victim's safety concern that rule 3 sends to target hardening."""
    answers = {"types": ["burglary_victim"], "perpetrator_lives_at_address": False}
    return report(kind="safety_concern", concern={**answers, **(concern or {})}, **changes)


def vulnerable_concern(concern: dict[str, Any] | None = None, **changes: Any) -> dict[str, Any]:
    """A vulnerable resident's fear of crime that rule 4 sends to target hardening."""
    answers = {"types": ["fear_of_crime"], "perpetrator_lives_at_address": False}
    changes.setdefault("harm", ["vulnerable_person", "feel_unsafe"])
    return report(kind="safety_concern", concern={**answers, **(concern or {})}, **changes)


def test_mediation_neighbour_dispute_matches_a_dispute_mediation_can_help() -> None:
    decision = decide_report(mediable_dispute())
    assert (decision.route, decision.rule) == ("mediation", "mediation.neighbour_dispute")
    assert decision.reasons[:3] == (
        "neighbour dispute",
        "willing to try mediation",
        "the neighbour's address is known",
    )


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"dispute": {"willing_to_mediate": False}}, id="willingness-to-mediate"),
        pytest.param({"dispute": {"neighbour_address_known": False}}, id="the-neighbours-address"),
        pytest.param({"harm": ["violence_or_threats"]}, id="no-violence-or-threats"),
        pytest.param({"harm": ["hate_motivated"]}, id="not-hate-motivated"),
        pytest.param({"dispute": {"legal_action_underway": True}}, id="no-legal-action"),
        pytest.param({"dispute": {"types": ["noise", "harassment"]}}, id="no-harassment"),
        pytest.param(FOURTEEN_POINTS, id="risk-not-high"),
    ],
)
def test_mediation_neighbour_dispute_needs_each_condition(changes: dict[str, Any]) -> None:
    decision = decide_report(mediable_dispute(**changes))
    assert (decision.route, decision.rule) == ("tasking", "tasking.default")


def test_mediation_neighbour_dispute_needs_a_neighbour_dispute() -> None:
    # The same answers about mediation in an ASB report (not about a neighbour) go to tasking.
    decision = decide_report(report(kind="asb", asb={"willing_to_mediate": True}))
    assert decision.rule == "tasking.default"


def test_mediation_neighbour_dispute_takes_medium_risk() -> None:
    decision = decide_report(mediable_dispute(harm=THIRTEEN_POINTS))
    assert decision.risk_level == "medium"
    assert decision.rule == "mediation.neighbour_dispute"


def test_mediation_neighbour_dispute_takes_other_dispute_types() -> None:
    decision = decide_report(mediable_dispute(dispute={"types": ["boundary", "parking", "hedges_trees"]}))
    assert decision.rule == "mediation.neighbour_dispute"


def test_mediation_asb_neighbour_matches_asb_by_a_neighbour_at_standard_risk() -> None:
    decision = decide_report(mediable_asb())
    assert (decision.route, decision.rule) == ("mediation", "mediation.asb_neighbour")


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"asb": {"perpetrator_is_neighbour": False}}, id="about-a-neighbour"),
        pytest.param({"asb": {"willing_to_mediate": False}}, id="willingness-to-mediate"),
        pytest.param({"harm": ["violence_or_threats"]}, id="no-violence-or-threats"),
        pytest.param({"harm": ["hate_motivated"]}, id="not-hate-motivated"),
        pytest.param(SEVEN_POINTS, id="standard-risk"),
        pytest.param({"asb": {"types": ["noise", "drugs"]}}, id="no-drugs"),
        pytest.param({"asb": {"types": ["noise", "deliberate_fires"]}}, id="no-deliberate-fires"),
        pytest.param({"asb": {"types": ["intimidation"]}}, id="no-intimidation"),
    ],
)
def test_mediation_asb_neighbour_needs_each_condition(changes: dict[str, Any]) -> None:
    decision = decide_report(mediable_asb(**changes))
    assert (decision.route, decision.rule) == ("tasking", "tasking.default")


def test_mediation_asb_neighbour_takes_up_to_6_points() -> None:
    decision = decide_report(mediable_asb(harm=["feel_unsafe", "vulnerable_person"]))
    assert (decision.risk_score, decision.risk_level) == (6, "standard")
    assert decision.rule == "mediation.asb_neighbour"


def test_mediation_asb_neighbour_is_for_asb_reports_not_neighbour_disputes() -> None:
    # A dispute that rule 1 turns away (the neighbour's address is unknown) is not mediated by rule 2.
    decision = decide_report(mediable_dispute(dispute={"neighbour_address_known": False}))
    assert decision.rule == "tasking.default"


@pytest.mark.parametrize(
    "victim_type",
    ["burglary_victim", "other_crime_victim", "domestic_abuse", "hate_crime_victim", "repeat_asb_victim"],
)
def test_target_hardening_victim_matches_each_victim_type(victim_type: str) -> None:
    decision = decide_report(victim_concern(concern={"types": ["fear_of_crime", victim_type]}))
    assert (decision.route, decision.rule) == ("target_hardening", "target_hardening.victim")


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"reporter": {"lives_in_district": False}}, id="lives-in-the-district"),
        pytest.param({"concern": {"types": ["fear_of_crime"]}}, id="a-victim-type"),
        pytest.param(
            {"concern": {"types": ["domestic_abuse"], "perpetrator_lives_at_address": True}},
            id="not-domestic-abuse-by-someone-at-the-address",
        ),
        pytest.param(
            {
                "concern": {
                    "types": ["domestic_abuse", "burglary_victim"],
                    "perpetrator_lives_at_address": True,
                }
            },
            id="not-domestic-abuse-by-someone-at-the-address-with-another-victim-type",
        ),
    ],
)
def test_target_hardening_victim_needs_each_condition(changes: dict[str, Any]) -> None:
    decision = decide_report(victim_concern(**changes))
    assert (decision.route, decision.rule) == ("tasking", "tasking.default")


def test_target_hardening_victim_takes_domestic_abuse_when_the_perpetrator_lives_elsewhere() -> None:
    decision = decide_report(victim_concern(concern={"types": ["domestic_abuse"]}))
    assert decision.rule == "target_hardening.victim"


def test_target_hardening_victim_takes_a_perpetrator_at_the_address_when_it_is_not_domestic_abuse() -> None:
    decision = decide_report(victim_concern(concern={"perpetrator_lives_at_address": True}))
    assert decision.rule == "target_hardening.victim"


def test_target_hardening_vulnerable_matches_a_vulnerable_resident_who_feels_unsafe() -> None:
    decision = decide_report(vulnerable_concern())
    assert (decision.route, decision.rule) == ("target_hardening", "target_hardening.vulnerable")


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"reporter": {"lives_in_district": False}}, id="lives-in-the-district"),
        pytest.param({"harm": ["feel_unsafe"]}, id="a-vulnerable-person"),
        pytest.param({"harm": ["vulnerable_person"]}, id="feels-unsafe"),
        pytest.param(
            {"concern": {"perpetrator_lives_at_address": True}}, id="perpetrator-not-at-the-address"
        ),
        pytest.param(
            {"concern": {"types": ["domestic_abuse"], "perpetrator_lives_at_address": True}},
            id="domestic-abuse-at-the-address-is-neither-target-hardening-rule",
        ),
    ],
)
def test_target_hardening_vulnerable_needs_each_condition(changes: dict[str, Any]) -> None:
    decision = decide_report(vulnerable_concern(**changes))
    assert (decision.route, decision.rule) == ("tasking", "tasking.default")


@pytest.mark.parametrize("kind", ["asb", "neighbour_dispute"])
def test_target_hardening_needs_a_safety_concern(kind: str) -> None:
    decision = decide_report(report(kind=kind, harm=["vulnerable_person", "feel_unsafe", "targeted"]))
    assert decision.route == "tasking"


def test_the_first_rule_that_matches_decides() -> None:
    # A vulnerable burglary victim who feels unsafe meets rules 3 and 4: rule 3 comes first.
    decision = decide_report(victim_concern(harm=["vulnerable_person", "feel_unsafe"]))
    assert decision.rule == "target_hardening.victim"


@pytest.mark.parametrize(
    "mapping",
    [
        pytest.param(report(), id="asb"),
        pytest.param(report(kind="neighbour_dispute"), id="neighbour-dispute"),
        pytest.param(report(kind="safety_concern"), id="safety-concern"),
        pytest.param(report(**HIGH), id="high-risk-asb"),
    ],
)
def test_tasking_default_catches_everything_else(mapping: dict[str, Any]) -> None:
    decision = decide_report(mapping)
    assert (decision.route, decision.rule) == ("tasking", "tasking.default")
    assert decision.reasons[0] == "Everything else goes to the ASB partnership tasking meeting"


# --- flags (section 5) -------------------------------------------------------------------------


def test_violence_or_threats_is_a_safeguarding_flag() -> None:
    assert "safeguarding" in decide_report(report(harm=["violence_or_threats"])).flags


def test_a_domestic_abuse_concern_is_a_safeguarding_flag() -> None:
    decision = decide_report(report(kind="safety_concern", concern={"types": ["domestic_abuse"]}))
    assert decision.flags == ("safeguarding",)


@pytest.mark.parametrize(
    ("changes", "level", "flagged"),
    [(FOURTEEN_POINTS, "high", True), ({"harm": THIRTEEN_POINTS}, "medium", False)],
    ids=["high", "medium"],
)
def test_a_vulnerable_person_is_a_safeguarding_flag_only_at_high_risk(
    changes: dict[str, Any], level: str, flagged: bool
) -> None:
    decision = decide_report(report(**changes))
    assert decision.risk_level == level
    assert ("safeguarding" in decision.flags) is flagged


@pytest.mark.parametrize(
    "description",
    [
        "I have been feeling Suicidal since it started.",
        "My son talks about suicide.",
        "She said she wants to KILL MYSELF, her words.",
        "I want to end my life.",
        "He mentioned self harm.",
        "Signs of self-harm on his arms.",
        "I might hurt myself.",
        "He carries a knife.",
        "There was a gun!",
        "A weapon was shown.",
        "He shouted he was going to kill us.",
        "Knife-crime in the park.",
    ],
)
def test_a_safeguarding_phrase_in_any_case_is_a_safeguarding_flag(description: str) -> None:
    assert decide_report(report(description=description)).flags == ("safeguarding",)


@pytest.mark.parametrize(
    "description",
    [
        "The gunner on the boat was loud.",
        "The building work has begun again.",
        "He knifed the tyres.",  # "knifed" is not the whole word "knife"
        "They sell weaponry models.",
    ],
)
def test_a_safeguarding_phrase_must_be_whole_words(description: str) -> None:
    assert "safeguarding" not in decide_report(report(description=description)).flags


def test_a_report_without_harm_or_phrases_has_no_safeguarding_flag() -> None:
    assert "safeguarding" not in decide_report(report(harm=["feel_unsafe", "hate_motivated"])).flags


@pytest.mark.parametrize(
    "mapping",
    [
        pytest.param(report(harm=["hate_motivated"]), id="hate-motivated"),
        pytest.param(
            report(kind="safety_concern", concern={"types": ["hate_crime_victim"]}), id="hate-crime-victim"
        ),
    ],
)
def test_hate_incident_is_flagged_both_ways(mapping: dict[str, Any]) -> None:
    assert "hate_incident" in decide_report(mapping).flags


def test_a_hate_crime_victim_concern_is_not_floored_as_hate_motivated() -> None:
    decision = decide_report(report(kind="safety_concern", concern={"types": ["hate_crime_victim"]}))
    assert decision.flags == ("hate_incident",)
    assert decision.risk_level == "standard"


@pytest.mark.parametrize(
    ("previous_reports", "earlier_count", "flagged"),
    [("two_or_more", 0, True), ("once", 0, False), ("none", 2, True), ("none", 1, False)],
)
def test_repeat_victim_needs_a_repeat_count_of_2(
    previous_reports: str, earlier_count: int, flagged: bool
) -> None:
    earlier = [earlier_report(kind="safety_concern") for _ in range(earlier_count)]
    decision = decide_report(report(previous_reports=previous_reports), earlier)
    assert ("repeat_victim" in decision.flags) is flagged


@pytest.mark.parametrize(
    ("kind", "earlier_kind"),
    [("asb", "asb"), ("neighbour_dispute", "asb"), ("asb", "neighbour_dispute")],
)
def test_a_second_asb_report_in_six_months_explains_the_case_review(kind: str, earlier_kind: str) -> None:
    decision = decide_report(report(kind=kind), [earlier_report(kind=earlier_kind)])
    assert "case_review_explained" in decision.flags
    assert "case_review_eligible" not in decision.flags


@pytest.mark.parametrize(
    ("kind", "earlier"),
    [
        pytest.param("asb", [], id="a-first-report"),
        pytest.param("safety_concern", [earlier_report()], id="not-for-a-safety-concern"),
        pytest.param("asb", [earlier_report(kind="safety_concern")], id="an-earlier-safety-concern"),
        pytest.param("asb", [earlier_report(submitted_at="2026-05-01T10:00:00+01:00")], id="too-long-ago"),
        pytest.param("asb", [by("alex@example.org")], id="someone-else"),
    ],
)
def test_case_review_explained_needs_an_earlier_asb_report_by_the_reporter(
    kind: str, earlier: list[dict[str, Any]]
) -> None:
    assert "case_review_explained" not in decide_report(report(kind=kind), earlier).flags


@pytest.mark.parametrize(
    ("earlier", "flagged"),
    [
        pytest.param([earlier_report(), earlier_report(kind="neighbour_dispute")], True, id="three"),
        pytest.param([earlier_report()], False, id="two"),
        pytest.param(
            [earlier_report(), earlier_report(kind="safety_concern")], False, id="a-safety-concern-is-not-asb"
        ),
    ],
)
def test_case_review_eligible_after_three_asb_reports_by_the_same_reporter(
    earlier: list[dict[str, Any]], flagged: bool
) -> None:
    assert ("case_review_eligible" in decide_report(report(), earlier).flags) is flagged


def test_case_review_eligible_is_for_asb_reports_only() -> None:
    earlier = [earlier_report(), earlier_report()]
    assert "case_review_eligible" not in decide_report(report(kind="safety_concern"), earlier).flags


FOUR_NEIGHBOURS = [by(f"neighbour{n}@example.org") for n in range(1, 5)]


@pytest.mark.parametrize(
    ("earlier", "flagged"),
    [
        pytest.param(FOUR_NEIGHBOURS, True, id="five-reporters"),
        pytest.param(FOUR_NEIGHBOURS[:3], False, id="four-reporters"),
        pytest.param(
            [*FOUR_NEIGHBOURS[:3], earlier_report(reporter=ANONYMOUS)], False, id="anonymous-do-not-count"
        ),
        pytest.param(
            [*FOUR_NEIGHBOURS[:3], FOUR_NEIGHBOURS[0]], False, id="the-same-person-twice-counts-once"
        ),
        pytest.param([*FOUR_NEIGHBOURS[:3], earlier_report()], False, id="this-reporter-earlier-counts-once"),
        pytest.param(
            [*FOUR_NEIGHBOURS[:3], by("neighbour4@example.org", location={"postcode": "s181ab"})],
            True,
            id="postcodes-are-normalised",
        ),
        pytest.param(
            [*FOUR_NEIGHBOURS[:3], by("neighbour4@example.org", location={"postcode": "S18 1AD"})],
            False,
            id="another-postcode",
        ),
        pytest.param(
            [*FOUR_NEIGHBOURS[:3], by("neighbour4@example.org", kind="safety_concern")],
            False,
            id="a-safety-concern-is-not-asb",
        ),
    ],
)
def test_case_review_eligible_after_five_reporters_at_the_same_place(
    earlier: list[dict[str, Any]], flagged: bool
) -> None:
    assert ("case_review_eligible" in decide_report(report(), earlier).flags) is flagged


def test_the_same_person_by_email_or_phone_counts_once_at_a_place() -> None:
    # neighbour1 reports again with a new email but the same phone: still four people with this one.
    earlier = [
        by("neighbour1@example.org", reporter={"phone": "07700 900001"}),
        by("n1.new@example.org", reporter={"phone": "+44 7700 900001"}),
        *FOUR_NEIGHBOURS[1:3],
    ]
    assert "case_review_eligible" not in decide_report(report(), earlier).flags


def test_an_anonymous_report_is_not_one_of_the_five_reporters() -> None:
    decision = decide_report(report(reporter=ANONYMOUS), FOUR_NEIGHBOURS)
    assert "case_review_eligible" not in decision.flags


def test_targeted_unsafe_residents_of_the_district_reporting_asb_get_target_hardening_considered() -> None:
    decision = decide_report(report(harm=["targeted", "feel_unsafe"]))
    assert "consider_target_hardening" in decision.flags


@pytest.mark.parametrize(
    "changes",
    [
        pytest.param({"kind": "neighbour_dispute"}, id="asb-only-not-a-dispute"),
        pytest.param({"kind": "safety_concern"}, id="asb-only-not-a-safety-concern"),
        pytest.param({"harm": ["feel_unsafe"]}, id="targeted"),
        pytest.param({"harm": ["targeted"]}, id="feels-unsafe"),
        pytest.param({"reporter": {"lives_in_district": False}}, id="lives-in-the-district"),
    ],
)
def test_consider_target_hardening_needs_each_condition(changes: dict[str, Any]) -> None:
    mapping = report(**{"harm": ["targeted", "feel_unsafe"], **changes})
    assert "consider_target_hardening" not in decide_report(mapping).flags


@pytest.mark.parametrize(
    ("kind", "lives_in_district", "flagged"),
    [("safety_concern", False, True), ("safety_concern", True, False), ("asb", False, False)],
)
def test_out_of_area_is_a_safety_concern_from_outside_the_district(
    kind: str, lives_in_district: bool, flagged: bool
) -> None:
    decision = decide_report(report(kind=kind, reporter={"lives_in_district": lives_in_district}))
    assert ("out_of_area" in decision.flags) is flagged


@pytest.mark.parametrize(
    ("reporter", "flagged"),
    [
        pytest.param(ANONYMOUS, True, id="anonymous"),
        pytest.param({"email": "sam@example.org", "safe_to_email": False}, True, id="email-unsafe-no-phone"),
        pytest.param({"email": "", "phone": "07700 900123", "safe_to_phone": False}, True, id="phone-unsafe"),
        pytest.param(
            {"phone": "07700 900123", "safe_to_email": False, "safe_to_phone": False}, True, id="both-unsafe"
        ),
        pytest.param({"phone": "07700 900123", "safe_to_email": False}, False, id="phone-safe"),
        pytest.param({"phone": "07700 900123", "safe_to_phone": False}, False, id="email-safe"),
        pytest.param({}, False, id="email-given-and-safe"),
        # From the 2026-12-04 policy, a safe text and a safe alternative contact are channels too.
        pytest.param(
            {"email": "", "phone": "07700 900123", "safe_to_phone": False, "text_ok": True},
            False,
            id="call-unsafe-text-safe",
        ),
        pytest.param(
            {"email": "", "phone": "07700 900123", "safe_to_phone": False, "text_ok": False},
            True,
            id="call-and-text-unsafe",
        ),
        pytest.param(
            {"safe_to_email": False, "safe_alternative_contact": "My sister Jo, 07700 900456"},
            False,
            id="email-unsafe-alternative-given",
        ),
    ],
)
def test_no_contact_when_anonymous_or_no_channel_is_given_and_safe(
    reporter: dict[str, Any], flagged: bool
) -> None:
    assert ("no_contact" in decide_report(report(reporter=reporter)).flags) is flagged


# --- the decision as a whole ---------------------------------------------------------------------


def test_flags_are_sorted() -> None:
    decision = decide_report(
        report(harm=["violence_or_threats", "targeted", "feel_unsafe", "hate_motivated"], reporter=ANONYMOUS)
    )
    assert decision.flags == ("consider_target_hardening", "hate_incident", "no_contact", "safeguarding")


@pytest.mark.parametrize(
    "mapping",
    [
        pytest.param(report(), id="tasking"),
        pytest.param(mediable_dispute(), id="mediation"),
        pytest.param(vulnerable_concern(), id="target-hardening"),
        pytest.param(report(kind="neighbour_dispute", **HIGH), id="high-risk-dispute"),
    ],
)
def test_reasons_are_non_empty_plain_words(mapping: dict[str, Any]) -> None:
    decision = decide_report(mapping)
    assert decision.reasons
    for reason in decision.reasons:
        assert isinstance(reason, str) and reason.strip() == reason and reason
        assert not any(word in reason for word in ("True", "False", "harm.", "dispute.", "concern.", "{"))


ASB_MEDIATION = "Anti-social behaviour by a neighbour, at standard risk, that mediation can help with"


@pytest.mark.parametrize(
    ("asb", "ruled_out"),
    [
        # Mediation is asked about only for a neighbour, and the neighbour only when someone is known.
        pytest.param(
            {"perpetrators_known": False},
            "not about a neighbour (not asked: an earlier answer was no)",
            id="nobody-known",
        ),
        pytest.param(
            {"perpetrators_known": True, "perpetrator_is_neighbour": False},
            "not about a neighbour",
            id="known-not-a-neighbour",
        ),
        pytest.param(
            {"perpetrators_known": True, "perpetrator_is_neighbour": True, "willing_to_mediate": False},
            "not willing to try mediation",
            id="a-neighbour-no-mediation",
        ),
    ],
)
def test_a_rule_is_never_ruled_out_by_a_question_that_was_not_asked(
    asb: dict[str, Any], ruled_out: str
) -> None:
    decision = decide_report(report(asb=asb))
    assert f"{ASB_MEDIATION} – ruled out: {ruled_out}" in decision.reasons


def test_reasons_say_why_each_earlier_rule_did_not_match() -> None:
    decision = decide_report(vulnerable_concern())
    assert decision.reasons[:5] == (
        "a safety concern",
        "lives in the district",
        "a vulnerable person",
        "feels unsafe",
        "the perpetrator does not live at the address",
    )
    rejected = decision.reasons[5:]
    assert rejected == (
        "Neighbour disputes that mediation can help with – for another kind of report",
        "Anti-social behaviour by a neighbour, at standard risk, that mediation can help with"
        " – for another kind of report",
        "Victims in the district whose home can be made more secure – ruled out:"
        " not a victim of a crime, abuse or repeated ASB",
    )


@pytest.mark.parametrize(
    "mapping",
    [
        pytest.param(report(), id="asb-by-a-stranger"),
        pytest.param(vulnerable_concern(), id="target-hardening"),
        pytest.param(report(kind="neighbour_dispute", **HIGH), id="high-risk-dispute"),
        pytest.param(report(kind="safety_concern"), id="safety-concern"),
    ],
)
def test_reasons_are_short_statements_with_no_double_negative(mapping: dict[str, Any]) -> None:
    """Not "not neighbour disputes that mediation can help with: not a neighbour dispute"."""
    for reason in decide_report(mapping).reasons:
        assert not reason.startswith("not"), reason
        assert "not a neighbour dispute" not in reason and "not an anti-social" not in reason, reason


def test_the_decision_records_the_policy_version() -> None:
    decision = decide_report(report())
    assert decision.policy_version == POLICY.version
    assert decision.policy_version.startswith(DEFAULT_POLICY_VERSION)
