"""flask triage check: the policy as a command (docs/policy.md section 7)."""

from __future__ import annotations

import copy
import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from portal.extensions import db
from portal.models import Report
from tests.helpers import PageClient
from tests.journey import submit
from tests.triage_factories import WORKED_EXAMPLES_FILE

EXAMPLES = json.loads(WORKED_EXAMPLES_FILE.read_text())


def check(app: Flask, *args: str, input: str | None = None) -> Any:
    return app.test_cli_runner().invoke(args=["triage", "check", *args], input=input)


def stored_reports(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Report)) or 0


def test_every_worked_example_gets_its_expected_decision(app: Flask) -> None:
    result = check(app, str(WORKED_EXAMPLES_FILE))
    assert result.exit_code == 0, result.stderr
    decisions = json.loads(result.stdout)
    assert len(decisions) == len(EXAMPLES) == 12
    for position, (decision, example) in enumerate(zip(decisions, EXAMPLES, strict=True), start=1):
        expected = example["expect"]
        assert {key: decision[key] for key in expected} == expected, f"example {position}"
        assert decision["reasons"], f"example {position} explains itself"
        assert decision["flags"] == sorted(decision["flags"])


def test_a_single_report_from_standard_input_gives_a_list_of_one(app: Flask) -> None:
    result = check(app, "-", input=json.dumps(_example(1)))
    assert result.exit_code == 0
    [decision] = json.loads(result.stdout)
    assert decision["rule"] == "mediation.neighbour_dispute"
    assert set(decision) == {"route", "rule", "risk_score", "risk_level", "flags", "due_by", "reasons"}


def test_reports_in_the_portal_are_history_and_nothing_is_saved(app: Flask, client: PageClient) -> None:
    # A resident reported anti-social behaviour through the portal; the same resident's next
    # ASB report must be told about the ASB Case Review.
    submit(client, "asb")
    with app.app_context():
        earlier = db.session.scalars(select(Report)).one()
        submitted = earlier.submitted_at
    report = _example(4)
    report["reporter"] = {**report["reporter"], "email": "  SAM.resident@example.org "}
    report["submitted_at"] = (submitted + timedelta(days=1)).isoformat()
    before = stored_reports(app)

    result = check(app, "-", input=json.dumps(report))

    assert result.exit_code == 0, result.stderr
    [decision] = json.loads(result.stdout)
    assert "case_review_explained" in decision["flags"]
    assert stored_reports(app) == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ("[]", "holds no reports"),
        ('"a report"', "report 1: report must be an object"),
        ('[{"kind": "graffiti"}]', "report 1: kind must be one of asb, neighbour_dispute, safety_concern"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_prints_nothing(app: Flask, content: str, message: str) -> None:
    result = check(app, "-", input=content)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def _example(position: int) -> dict[str, Any]:
    example = copy.deepcopy(EXAMPLES[position - 1])
    del example["expect"]
    return example


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["harm"].update(feel_unsafe="yes"), "report 3: harm.feel_unsafe must be true or false"),
        (lambda r: r.pop("frequency"), "report 3: frequency is required"),
        (
            lambda r: r.update(kind="safety_concern", concern={"types": ["burglary_victim"]}),
            "report 3: asb is not a field",
        ),
        (lambda r: r["asb"].update(types=["fireworks"]), "report 3: asb.types[0] must be one of"),
        (lambda r: r.update(submitted_at="yesterday"), "report 3: submitted_at must be an ISO 8601"),
        (lambda r: r.update(description=""), "report 3: description is required"),
    ],
)
def test_a_bad_report_is_named_by_position_and_field(app: Flask, change: Any, message: str) -> None:
    reports = [_example(1), _example(2), _example(3)]
    change(reports[2])
    result = check(app, "-", input=json.dumps(reports))
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_every_bad_report_in_a_file_is_named_at_once(app: Flask) -> None:
    reports = [_example(1), _example(2), _example(3)]
    reports[0]["reporter"]["phone"] = "call me"
    reports[2].pop("frequency")
    result = check(app, "-", input=json.dumps(reports))
    assert result.exit_code == 2
    assert "report 1: reporter.phone must be a UK phone number" in result.stderr
    assert "report 3: frequency is required" in result.stderr
    assert "report 2" not in result.stderr
    assert result.stdout == ""


def test_a_number_written_with_0044_is_a_uk_number_and_the_same_reporter(app: Flask) -> None:
    # The same resident twice, their number written two ways: the second is a repeat report.
    first, second = _example(1), _example(1)
    for written, example in (("0044 7700 900789", first), ("07700 900789", second)):
        example["reporter"].update(email="", phone=written)
    result = check(app, "-", input=json.dumps([first, second]))
    assert result.exit_code == 0, result.stderr
    decisions = json.loads(result.stdout)
    assert len(decisions) == 2
    assert decisions[1]["risk_score"] > decisions[0]["risk_score"]


def test_a_missing_file_is_named(app: Flask, tmp_path: Path) -> None:
    result = check(app, str(tmp_path / "nothing.json"))
    assert result.exit_code == 2
    assert "nothing.json: cannot be read" in result.stderr


def test_reasons_say_in_plain_words_why_no_earlier_rule_matched(app: Flask) -> None:
    result = check(app, "-", input=json.dumps([_example(1), _example(2)]))
    second = json.loads(result.stdout)[1]
    assert second["rule"] == "tasking.default"
    assert "Neighbour disputes that mediation can help with – ruled out: violence or threats" in "; ".join(
        second["reasons"]
    )
    # Conditions about another kind's answers are not reasons.
    assert not any("about a neighbour" in reason for reason in second["reasons"])
