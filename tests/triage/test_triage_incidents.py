"""A case assessed again when its resident adds an incident (docs/policy.md section 11)."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from portal.triage.contract import HARM_QUESTIONS, parse_report
from portal.triage.engine import decide
from portal.triage.reassess import IncidentAnswers, change_words, reassess
from tests.triage.test_triage_policy_file import edited, has_problem, problems
from tests.triage_factories import POLICY, report

SUBMITTED = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def incident(*harm: str, days: int = 1, words: str = "They shouted at me in the street.") -> IncidentAnswers:
    for question in harm:
        assert question in HARM_QUESTIONS
    return IncidentAnswers(
        added_at=SUBMITTED + timedelta(days=days),
        occurred_on=(SUBMITTED + timedelta(days=days)).date(),
        what_happened=words,
        harm={question: question in harm for question in HARM_QUESTIONS},
    )


def standard_case(**changes: Any) -> Any:
    return parse_report(report(frequency="weekly", **changes))


def test_an_incident_with_violence_and_feeling_unsafe_raises_a_standard_case_to_high() -> None:
    answers = standard_case()
    first = decide(answers, [], POLICY)
    assert first.risk_level == "standard"
    later = reassess(answers, [incident("violence_or_threats", "feel_unsafe")], [], POLICY, first.risk_level)
    assert later.risk_level == "high"
    assert "safeguarding" in later.flags
    assert change_words(first.risk_level, later).startswith(
        "raised to high: at least high: violence or threats"
    )


def test_the_incident_words_are_checked_for_safeguarding_phrases() -> None:
    answers = standard_case()
    later = reassess(answers, [incident(words="He came back with a knife.")], [], POLICY, "standard")
    assert later.risk_level == "high"
    assert "safeguarding" in later.flags


def test_each_incident_counts_as_a_report_of_the_residents_for_the_repeat_count() -> None:
    answers = standard_case()
    one = reassess(answers, [incident(days=1)], [], POLICY, "standard")
    two = reassess(answers, [incident(days=1), incident(days=2)], [], POLICY, "standard")
    assert "repeat count 1: 1" in one.explanation["score"]
    assert "repeat count 2: 3" in two.explanation["score"]
    assert "repeat_victim" in two.flags and "repeat_victim" not in one.flags


def test_a_third_incident_on_an_asb_case_meets_the_case_review_threshold() -> None:
    answers = standard_case()
    two = reassess(answers, [incident(days=1), incident(days=2)], [], POLICY, "standard")
    assert "case_review_eligible" in two.flags  # the report and two incidents: three ASB reports
    assert "case_review_eligible" not in reassess(answers, [incident(days=1)], [], POLICY, "standard").flags


def test_incidents_that_do_not_count_as_reports_bring_no_repeat_points() -> None:
    policy = dataclasses.replace(
        POLICY, incidents=dataclasses.replace(POLICY.incidents, counts_as_report=False)
    )
    later = reassess(standard_case(), [incident(days=1), incident(days=2)], [], policy, "standard")
    assert not any(part.startswith("repeat count") for part in later.explanation["score"])
    assert "repeat_victim" not in later.flags


def test_a_later_assessment_never_lowers_the_level_when_the_policy_says_so() -> None:
    answers = standard_case()
    later = reassess(answers, [incident(days=1)], [], POLICY, "high")
    assert later.risk_level == "high"
    assert any("already assessed high" in floor for floor in later.explanation["floors"])
    assert later.due_by == date(2026, 12, 3)  # one working day after the incident was added


def test_a_later_assessment_may_lower_the_level_when_the_policy_allows_it() -> None:
    policy = dataclasses.replace(
        POLICY, incidents=dataclasses.replace(POLICY.incidents, may_lower_level=True)
    )
    later = reassess(standard_case(), [incident(days=1)], [], policy, "high")
    assert later.risk_level == "standard"
    assert change_words("high", later).startswith("lowered to standard")


def test_the_report_s_own_harm_answers_stay_in_the_assessment() -> None:
    answers = standard_case(harm=["hate_motivated"])
    later = reassess(answers, [incident()], [], POLICY, "medium")
    assert "hate_incident" in later.flags


def test_the_default_policy_counts_incidents_as_reports_re_scores_and_never_lowers() -> None:
    assert POLICY.incidents.counts_as_report is True
    assert POLICY.incidents.rescore is True
    assert POLICY.incidents.may_lower_level is False


def test_a_policy_without_the_incidents_table_is_refused() -> None:
    text = edited(
        ("[incidents]\n", ""),
        ("counts_as_report = true\n", ""),
        ("rescore = true\n", ""),
        ("may_lower_level = false\n", ""),
    )
    assert has_problem(problems(text), "incidents", "is missing or is not a table")


@pytest.mark.parametrize("key", ["counts_as_report", "rescore", "may_lower_level"])
def test_every_incidents_setting_is_required(key: str) -> None:
    line = f"{key} = {'false' if key == 'may_lower_level' else 'true'}\n"
    assert has_problem(problems(edited((line, ""))), f"incidents.{key}", "is missing", "true or false")


@pytest.mark.parametrize("value", ["1", '"yes"', "[]"])
def test_an_incidents_setting_must_be_true_or_false(value: str) -> None:
    found = problems(edited(("rescore = true", f"rescore = {value}")))
    assert has_problem(found, "incidents.rescore", "must be true or false"), found


def test_an_unknown_incidents_setting_is_refused_naming_the_known_ones() -> None:
    found = problems(edited(("rescore = true", "rescore = true\nlower_level = true")))
    assert has_problem(found, "incidents.lower_level", "unknown field", "counts_as_report"), found
