"""Properties every decision has, whatever the report (Hypothesis)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.config import PROJECT_ROOT
from portal.triage.calendar import london_date
from portal.triage.contract import HARM_QUESTIONS, parse_report
from portal.triage.decision import RISK_LEVELS, ROUTES
from portal.triage.engine import decide
from portal.triage.policy import PolicyError, load_policy, parse_policy
from tests.strategies import histories, policy_texts, reports

# Hypothesis decides many random reports: `make test-fast` leaves this module out.
pytestmark = pytest.mark.fuzz

POLICY = load_policy(PROJECT_ROOT / "policy" / "default.toml")


@given(st.data())
def test_every_valid_report_gets_exactly_one_of_the_three_routes(data: st.DataObject) -> None:
    report = parse_report(data.draw(reports()))
    decision = decide(report, data.draw(histories(report.submitted_at)), POLICY)
    assert decision.route in ROUTES
    assert decision.rule.split(".", 1)[0] == decision.route
    assert decision.risk_level in RISK_LEVELS
    assert decision.due_by > london_date(report.submitted_at)


@given(st.data())
def test_deciding_is_deterministic(data: st.DataObject) -> None:
    report = parse_report(data.draw(reports()))
    history = data.draw(histories(report.submitted_at))
    assert decide(report, history, POLICY) == decide(report, list(reversed(history)), POLICY)


@given(st.data())
def test_one_more_yes_to_a_harm_question_never_lowers_the_score_or_the_level(data: st.DataObject) -> None:
    mapping: dict[str, Any] = data.draw(reports())
    unanswered = [q for q in HARM_QUESTIONS if not mapping["harm"][q]]
    if not unanswered:
        mapping["harm"]["feel_unsafe"] = False
        unanswered = ["feel_unsafe"]
    question = data.draw(st.sampled_from(unanswered))
    history = data.draw(histories(parse_report(mapping).submitted_at))

    before = decide(parse_report(mapping), history, POLICY)
    mapping["harm"][question] = True
    after = decide(parse_report(mapping), history, POLICY)

    assert after.risk_score >= before.risk_score
    assert RISK_LEVELS.index(after.risk_level) >= RISK_LEVELS.index(before.risk_level)


@settings(deadline=None)
@given(st.data())
def test_a_policy_file_is_refused_with_its_problems_or_decides_every_report(data: st.DataObject) -> None:
    text = data.draw(policy_texts())
    try:
        policy = parse_policy(text.encode("utf-8"), "edited.toml")
    except PolicyError as refused:
        assert refused.problems
        assert all(problem.strip() for problem in refused.problems)
        return
    for _ in range(3):
        report = parse_report(data.draw(reports()))
        decision = decide(report, data.draw(histories(report.submitted_at)), policy)
        assert decision.route in ROUTES
