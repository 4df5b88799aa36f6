"""The policy file's checks: a council edit that is wrong is refused, saying where and what."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from portal import create_app
from portal.config import PROJECT_ROOT
from portal.triage.policy import CaseReview, PolicyError, parse_policy
from tests.triage_factories import DEFAULT_POLICY_VERSION

DEFAULT_FILE = PROJECT_ROOT / "policy" / "default.toml"
DEFAULT_TEXT = DEFAULT_FILE.read_text(encoding="utf-8")

VERSION_LINE = f'version = "{DEFAULT_POLICY_VERSION}"'
DEFAULT_RULE = '[[rules]]\nid = "tasking.default"'


def edited(*changes: tuple[str, str]) -> str:
    """The default policy's text with each ``(old, new)`` snippet replaced; each old snippet is unique."""
    text = DEFAULT_TEXT
    for old, new in changes:
        assert text.count(old) == 1, f"the default policy should hold {old!r} exactly once"
        text = text.replace(old, new)
    return text


def before_the_default_rule(rule: str) -> str:
    """The default policy with ``rule`` (TOML for one more rule) inserted before tasking.default."""
    return edited((DEFAULT_RULE, f"{rule}\n\n{DEFAULT_RULE}"))


def problems(text: str) -> list[str]:
    with pytest.raises(PolicyError) as raised:
        parse_policy(text.encode("utf-8"), "test.toml")
    assert raised.value.source == "test.toml"
    assert str(raised.value).startswith("test.toml is not a valid triage policy")
    assert raised.value.problems
    return raised.value.problems


def has_problem(found: list[str], where: str, *words: str) -> bool:
    return any(p.startswith(f"{where}: ") and all(w in p for w in words) for p in found)


# --- the default policy ----------------------------------------------------------------------------


def test_the_default_policy_is_valid() -> None:
    policy = parse_policy(DEFAULT_TEXT.encode("utf-8"), "test.toml")
    assert policy.version.startswith(f"{DEFAULT_POLICY_VERSION}+")
    assert [rule.id for rule in policy.rules] == [
        "mediation.neighbour_dispute",
        "mediation.asb_neighbour",
        "target_hardening.victim",
        "target_hardening.vulnerable",
        "tasking.default",
    ]


def test_the_version_changes_with_the_files_contents() -> None:
    changed = edited(("title = ", "# a comment\ntitle = "))
    assert parse_policy(changed.encode(), "test.toml").version != parse_policy(DEFAULT_TEXT.encode()).version


# --- each check ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        pytest.param(
            edited((VERSION_LINE, f'colour = "red"\n{VERSION_LINE}')),
            "colour",
            ["unknown field", "expected one of", "rules"],
            id="unknown-top-level-field",
        ),
        pytest.param(
            edited(
                ('id = "mediation.neighbour_dispute"', 'id = "mediation.neighbour_dispute"\npriority = 1')
            ),
            "rules[0].priority",
            ["unknown field", "id, route, summary, when"],
            id="unknown-field-in-a-rule",
        ),
        pytest.param(
            edited(('{ fact = "dispute.willing_to_mediate"', '{ fact = "dispute.willing_to_talk"')),
            "rules[0].when[1].fact",
            ["unknown fact 'dispute.willing_to_talk'"],
            id="unknown-fact",
        ),
        pytest.param(
            edited(('{ fact = "kind", is = "neighbour_dispute"', '{ fact = "kind", is = "graffiti"')),
            "rules[0].when[0].is",
            ["unknown kind 'graffiti'", "asb, neighbour_dispute, safety_concern"],
            id="unknown-kind",
        ),
        pytest.param(
            edited(('excludes = ["harassment"]', 'excludes = ["shouting"]')),
            "rules[0].when[6].excludes",
            ["unknown type 'shouting'", "harassment"],
            id="unknown-type",
        ),
        pytest.param(
            edited(('not_in = ["high"]', 'not_in = ["severe"]')),
            "rules[0].when[7].not_in",
            ["unknown risk level 'severe'"],
            id="unknown-risk-level",
        ),
        pytest.param(
            edited(
                (
                    '{ fact = "dispute.legal_action_underway", is = false',
                    '{ fact = "dispute.legal_action_underway", is = "no"',
                )
            ),
            "rules[0].when[5].is",
            ["dispute.legal_action_underway", "true or false", "'no'"],
            id="boolean-fact-tested-with-a-word",
        ),
        pytest.param(
            edited(
                (
                    'when = [{ fact = "harm.hate_motivated", is = true }]',
                    'when = [{ fact = "harm.hate_motivated", is = "yes" }]',
                )
            ),
            "floors[2].when[0].is",
            ["harm.hate_motivated", "true or false"],
            id="boolean-fact-tested-with-a-word-in-a-floor",
        ),
        pytest.param(
            edited(('{ fact = "repeat_count", at_least = 2', '{ fact = "repeat_count", is = 2')),
            "flags[2].when[0].is",
            ["is a count", "at_least"],
            id="count-tested-with-is",
        ),
        pytest.param(
            edited(('route = "mediation"\nsummary = "Neighbour', 'route = "police"\nsummary = "Neighbour')),
            "rules[0].route",
            ["unknown route 'police'", "mediation, target_hardening, tasking"],
            id="unknown-route",
        ),
        pytest.param(
            edited(('id = "target_hardening.vulnerable"', 'id = "tasking.vulnerable"')),
            "rules[3].id",
            ["starts with its route", "target_hardening."],
            id="rule-id-not-starting-with-its-route",
        ),
        pytest.param(
            edited(
                ('name = "high"\nfrom_score = 14', 'name = "high"\nfrom_score = 7'),
                ('name = "medium"\nfrom_score = 7', 'name = "medium"\nfrom_score = 14'),
            ),
            "levels[2].from_score",
            ["out of order", "high must start above medium (14)"],
            id="levels-out-of-order",
        ),
        pytest.param(
            edited(('name = "standard"\nfrom_score = 0', 'name = "standard"\nfrom_score = 1')),
            "levels[0].from_score",
            ["must start at 0"],
            id="levels-not-starting-at-0",
        ),
        pytest.param(
            edited(('name = "medium"', 'name = "serious"')),
            "levels",
            ["standard, medium, high"],
            id="unknown-level-name",
        ),
        pytest.param(
            edited(("at_least = 1\npoints = 1", "at_least = 3\npoints = 1")),
            "points.repeat_count[2].at_least",
            ["increasing order"],
            id="repeat-count-bands-out-of-order",
        ),
        pytest.param(
            edited(("[[points.repeat_count]]\nat_least = 0\n", "[[points.repeat_count]]\nat_least = 1\n")),
            "points.repeat_count[0].at_least",
            ["must start at 0"],
            id="repeat-count-bands-not-starting-at-0",
        ),
        pytest.param(
            edited(("[points.frequency]\ndaily = 3\n", "[points.frequency]\n")),
            "points.frequency",
            ["gives no points for daily"],
            id="missing-points",
        ),
        pytest.param(
            edited(("[points.harm]\n", "[points.harm]\nbored = 1\n")),
            "points.harm.bored",
            ["unknown field"],
            id="points-for-an-unknown-answer",
        ),
        pytest.param(
            edited(("high = 1\nmedium = 3", "medium = 3")),
            "response_working_days",
            ["no response time for high"],
            id="missing-response-time",
        ),
        pytest.param(
            DEFAULT_TEXT[: DEFAULT_TEXT.index(DEFAULT_RULE)],
            "rules[3]",
            ["the last rule must be the default", "when = []"],
            id="missing-default-rule",
        ),
        pytest.param(
            before_the_default_rule('[[rules]]\nid = "tasking.default"\nroute = "tasking"\nwhen = []'),
            "rules[5].id",
            ["defined twice"],
            id="a-rule-defined-twice",
        ),
    ],
)
def test_a_policy_problem_names_the_place_and_the_problem(text: str, where: str, words: list[str]) -> None:
    found = problems(text)
    assert has_problem(found, where, *words), found


def test_every_problem_is_listed_at_once() -> None:
    found = problems(
        edited(
            (VERSION_LINE, f'colour = "red"\n{VERSION_LINE}'),
            ("[points.frequency]\ndaily = 3\n", "[points.frequency]\n"),
            ('id = "target_hardening.vulnerable"', 'id = "tasking.vulnerable"'),
        )
    )
    assert has_problem(found, "colour", "unknown field")
    assert has_problem(found, "points.frequency", "daily")
    assert has_problem(found, "rules[3].id", "route")


def test_a_default_rule_before_other_rules_leaves_them_unreachable() -> None:
    first_rule = '[[rules]]\nid = "mediation.neighbour_dispute"'
    catch_all = '[[rules]]\nid = "tasking.everything"\nroute = "tasking"\nwhen = []\n\n'
    found = problems(edited((first_rule, catch_all + first_rule)))
    for position, rule_id in enumerate(
        [
            "mediation.neighbour_dispute",
            "mediation.asb_neighbour",
            "target_hardening.victim",
            "target_hardening.vulnerable",
            "tasking.default",
        ],
        start=1,
    ):
        assert has_problem(
            found, f"rules[{position}] ({rule_id})", "can never match: an earlier rule always matches first"
        ), found
    assert not any(p.startswith("rules[0]") for p in found)


def test_the_default_rule_moved_first_is_no_longer_last() -> None:
    default_rule = DEFAULT_TEXT[DEFAULT_TEXT.index(DEFAULT_RULE) :]
    first_rule = '[[rules]]\nid = "mediation.neighbour_dispute"'
    without_default = DEFAULT_TEXT[: DEFAULT_TEXT.index(DEFAULT_RULE)]
    text = without_default.replace(first_rule, default_rule.strip() + "\n\n" + first_rule)
    found = problems(text)
    assert has_problem(found, "rules[4]", "the last rule must be the default"), found


def test_a_rule_after_one_that_always_matches_first_can_never_match() -> None:
    # Rule 4 again, after rule 4: everything it matches, rule 4 matched first.
    found = problems(
        before_the_default_rule(
            '[[rules]]\nid = "target_hardening.again"\nroute = "target_hardening"\nwhen = [\n'
            '  { fact = "kind", is = "safety_concern" },\n'
            '  { fact = "reporter.lives_in_district", is = true },\n'
            '  { fact = "harm.vulnerable_person", is = true },\n'
            '  { fact = "harm.feel_unsafe", is = true },\n'
            '  { fact = "concern.perpetrator_lives_at_address", is = false },\n'
            "]"
        )
    )
    assert has_problem(found, "rules[4] (target_hardening.again)", "an earlier rule always matches first"), (
        found
    )


def test_a_rule_whose_conditions_contradict_can_never_match() -> None:
    found = problems(
        before_the_default_rule(
            '[[rules]]\nid = "tasking.impossible"\nroute = "tasking"\n'
            'when = [{ fact = "kind", is = "asb" }, { fact = "kind", is = "neighbour_dispute" }]'
        )
    )
    assert has_problem(found, "rules[4] (tasking.impossible)", "can never match", "contradict"), found


def test_a_rule_testing_another_kinds_answers_can_never_match() -> None:
    found = problems(
        before_the_default_rule(
            '[[rules]]\nid = "mediation.mixed_up"\nroute = "mediation"\n'
            'when = [{ fact = "kind", is = "asb" }, { fact = "dispute.willing_to_mediate", is = true }]'
        )
    )
    assert has_problem(found, "rules[4] (mediation.mixed_up)", "can never match"), found


def test_a_rule_testing_its_own_kinds_answers_is_fine() -> None:
    policy = parse_policy(
        before_the_default_rule(
            '[[rules]]\nid = "mediation.dispute_spoken"\nroute = "mediation"\n'
            'when = [{ fact = "kind", is = "neighbour_dispute" },\n'
            '  { fact = "dispute.spoken_to_neighbour", is = true }]'
        ).encode(),
        "test.toml",
    )
    assert policy.rules[4].id == "mediation.dispute_spoken"


def test_malformed_toml_is_not_valid_toml() -> None:
    found = problems(edited((VERSION_LINE, VERSION_LINE[:-1])))
    assert len(found) == 1
    assert found[0].startswith("is not valid TOML")


def test_a_policy_file_must_be_utf8() -> None:
    with pytest.raises(PolicyError) as raised:
        parse_policy(DEFAULT_TEXT.encode("utf-8") + b"\n# \xff\n", "test.toml")
    assert raised.value.problems == ["the file must be UTF-8 text"]


# --- through the command and the app ---------------------------------------------------------------


def validate(path: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "wsgi", "triage", "validate", str(path)],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path}/x.sqlite3"},
        timeout=120,
        check=False,
    )


def test_triage_validate_refuses_a_bad_policy_with_its_problems_on_stderr(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        edited(
            (VERSION_LINE, f'colour = "red"\n{VERSION_LINE}'),
            ('route = "mediation"\nsummary = "Neighbour', 'route = "police"\nsummary = "Neighbour'),
        ),
        encoding="utf-8",
    )
    result = validate(bad, tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert f"{bad} is not a valid triage policy" in result.stderr
    assert "colour: unknown field" in result.stderr
    assert "rules[0].route: unknown route 'police'" in result.stderr


def test_triage_validate_accepts_the_default_policy(tmp_path: Path) -> None:
    result = validate(DEFAULT_FILE, tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"{DEFAULT_FILE} is a valid triage policy" in result.stdout
    assert "5 rules, 8 flags" in result.stdout


def test_the_app_refuses_to_start_with_an_invalid_policy(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(edited(("[points.frequency]\ndaily = 3\n", "[points.frequency]\n")), encoding="utf-8")
    with pytest.raises(PolicyError) as raised:
        create_app(
            {
                "TRIAGE_POLICY_FILE": str(bad),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3",
            }
        )
    assert "points.frequency: gives no points for daily" in raised.value.problems


def test_the_app_refuses_to_start_with_a_missing_policy_file(tmp_path: Path) -> None:
    with pytest.raises(PolicyError) as raised:
        create_app(
            {
                "TRIAGE_POLICY_FILE": str(tmp_path / "missing.toml"),
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite3",
            }
        )
    assert raised.value.problems[0].startswith("cannot be read")


def test_a_count_threshold_beyond_what_history_reads_is_refused() -> None:
    text = DEFAULT_TEXT.replace(
        'at_least = 5, reason = "five or more reporters', 'at_least = 500, reason = "five or more reporters'
    )
    with pytest.raises(PolicyError) as raised:
        parse_policy(text.encode(), "test.toml")
    assert any("must be 100 or less" in problem for problem in raised.value.problems)


@pytest.mark.parametrize("flag", ["safeguarding", "case_review_explained", "case_review_eligible"])
def test_the_flags_the_portal_acts_on_cannot_be_dropped(flag: str) -> None:
    text = DEFAULT_TEXT.replace(f'name = "{flag}"', 'name = "renamed_flag"')
    with pytest.raises(PolicyError) as raised:
        parse_policy(text.encode(), "test.toml")
    assert f"flags: the flag '{flag}' is required: the portal acts on it" in raised.value.problems


def test_a_rule_for_a_safety_concern_that_needs_an_asb_report_can_never_match() -> None:
    text = DEFAULT_TEXT.replace(
        DEFAULT_RULE,
        '[[rules]]\nid = "tasking.impossible"\nroute = "tasking"\nwhen = [\n'
        '  { fact = "kind", is = "safety_concern" },\n  { fact = "asb_report", is = true },\n]\n\n'
        + DEFAULT_RULE,
    )
    with pytest.raises(PolicyError) as raised:
        parse_policy(text.encode(), "test.toml")
    assert any("tasking.impossible" in p and "contradict" in p for p in raised.value.problems)


# --- numbers in their ranges, conditions nested only so deep ----------------------------------------

CONTACT_FLAG = """when = [{ not = { any = [
  { fact = "reporter.contactable", is = true },
  { fact = "reporter.can_be_texted", is = true },
  { fact = "reporter.has_safe_alternative", is = true },
] }, reason = "no safe way to contact the reporter" }]"""


def nested_nots(levels: int) -> str:
    """The default policy with the last flag's condition inside ``levels`` nested ``not`` groups."""
    condition = "{ not = " * levels + '{ fact = "reporter.contactable", is = false }' + " }" * levels
    return edited((CONTACT_FLAG, f"when = [{condition}]"))


@pytest.mark.parametrize(
    ("old", "new", "where", "words"),
    [
        ("history_months = 6", "history_months = 99999999999999999999", "history_months", ["1 to 120"]),
        ("history_months = 6", "history_months = 121", "history_months", ["120 or less, not 121"]),
        ("history_months = 6", "history_months = 0", "history_months", ["at least 1, not 0"]),
        ("history_months = 6", "history_months = 6.5", "history_months", ["whole number", "not 6.5"]),
        ("history_months = 6", "history_months = true", "history_months", ["whole number", "not true"]),
        (
            "violence_or_threats = 5",
            "violence_or_threats = 101",
            "points.harm.violence_or_threats",
            ["0 to 100"],
        ),
        ("daily = 3", "daily = -1", "points.frequency.daily", ["at least 0, not -1", "0 to 100"]),
        (
            "over_six_months = 2",
            "over_six_months = 1e9",
            "points.started.over_six_months",
            ["not 1000000000.0"],
        ),
        ("two_or_more = 2", "two_or_more = 1000", "repeat.declared.two_or_more", ["100 or less, not 1000"]),
        (
            "at_least = 2\npoints = 3",
            "at_least = 2\npoints = 10000",
            "points.repeat_count[2].points",
            ["0 to 100"],
        ),
        (
            "at_least = 2\npoints = 3",
            "at_least = 200\npoints = 3",
            "points.repeat_count[2].at_least",
            ["0 to 100"],
        ),
        (
            'name = "high"\nfrom_score = 14',
            'name = "high"\nfrom_score = 10001',
            "levels[2].from_score",
            ["0 to 10000"],
        ),
        ("standard = 10", "standard = 99999999999999999999", "response_working_days.standard", ["0 to 60"]),
        ("high = 1", "high = -1", "response_working_days.high", ["at least 0, not -1"]),
        (
            "at_least = 2, reason",
            "at_least = -2, reason",
            "flags[2].when[0].at_least",
            ["0 to 100", "not -2"],
        ),
        (
            "at_least = 2, reason",
            "at_least = 2.0, reason",
            "flags[2].when[0].at_least",
            ["whole number", "2.0"],
        ),
        (
            "window_months = 6",
            "window_months = 0",
            "case_review.window_months",
            ["at least 1, not 0", "1 to 120"],
        ),
        ("window_months = 6", "window_months = 121", "case_review.window_months", ["120 or less, not 121"]),
        (
            "reports_by_one_person = 3",
            "reports_by_one_person = 0",
            "case_review.reports_by_one_person",
            ["at least 1, not 0", "1 to 100"],
        ),
        (
            "reports_by_one_person = 3",
            "reports_by_one_person = 101",
            "case_review.reports_by_one_person",
            ["100 or less, not 101"],
        ),
        (
            "households_same_problem = 5",
            "households_same_problem = 5.5",
            "case_review.households_same_problem",
            ["whole number from 1 to 100", "not 5.5"],
        ),
        (
            "decision_working_days = 10",
            "decision_working_days = 61",
            "case_review.decision_working_days",
            ["60 or less, not 61", "0 to 60"],
        ),
        (
            "decision_working_days = 10",
            "decision_working_days = true",
            "case_review.decision_working_days",
            ["whole number", "not true"],
        ),
        (
            "review_working_days = 25",
            "review_working_days = 61",
            "case_review.review_working_days",
            ["60 or less, not 61", "0 to 60"],
        ),
        (
            "review_working_days = 25",
            "review_working_days = -1",
            "case_review.review_working_days",
            ["at least 0, not -1", "0 to 60"],
        ),
        (
            "outcome_working_days = 5",
            "outcome_working_days = 61",
            "case_review.outcome_working_days",
            ["60 or less, not 61", "0 to 60"],
        ),
        (
            "outcome_working_days = 5",
            'outcome_working_days = "five"',
            "case_review.outcome_working_days",
            ["whole number", "0 to 60"],
        ),
    ],
)
def test_every_number_outside_its_range_is_refused_naming_the_setting_the_value_and_the_range(
    old: str, new: str, where: str, words: list[str]
) -> None:
    found = problems(edited((old, new)))
    assert has_problem(found, where, *words), found


# --- the ASB Case Review threshold (section 10) -----------------------------------------------------

CASE_REVIEW_LINES = (
    "window_months = 6",
    "reports_by_one_person = 3",
    "households_same_problem = 5",
    "decision_working_days = 10",
    'escalation_body = "Police and Crime Commissioner"',
    "review_working_days = 25",
    "outcome_working_days = 5",
)


def test_the_default_policy_publishes_the_case_review_threshold() -> None:
    policy = parse_policy(DEFAULT_TEXT.encode("utf-8"), "test.toml")
    assert policy.case_review == CaseReview(
        window_months=6,
        reports_by_one_person=3,
        households_same_problem=5,
        decision_working_days=10,
        escalation_body="Police and Crime Commissioner",
        review_working_days=25,
        outcome_working_days=5,
    )


def test_a_policy_without_the_case_review_threshold_is_refused() -> None:
    text = edited(*((line, "") for line in CASE_REVIEW_LINES), ("[case_review]\n", ""))
    assert has_problem(problems(text), "case_review", "is missing or is not a table")


@pytest.mark.parametrize(
    ("line", "where", "words"),
    [
        ("window_months = 6", "case_review.window_months", ["is missing", "whole number from 1 to 120"]),
        ("reports_by_one_person = 3", "case_review.reports_by_one_person", ["is missing", "1 to 100"]),
        ("households_same_problem = 5", "case_review.households_same_problem", ["is missing", "1 to 100"]),
        ("decision_working_days = 10", "case_review.decision_working_days", ["is missing", "0 to 60"]),
        ("review_working_days = 25", "case_review.review_working_days", ["is missing", "0 to 60"]),
        ("outcome_working_days = 5", "case_review.outcome_working_days", ["is missing", "0 to 60"]),
        (
            'escalation_body = "Police and Crime Commissioner"',
            "case_review.escalation_body",
            ["is missing", "who an applicant escalates to"],
        ),
    ],
)
def test_every_case_review_setting_is_required(line: str, where: str, words: list[str]) -> None:
    assert has_problem(problems(edited((line, ""))), where, *words)


def test_an_unknown_case_review_setting_is_refused_naming_the_known_ones() -> None:
    found = problems(edited(("window_months = 6", "window_months = 6\nreports_by_one_household = 2")))
    assert has_problem(
        found, "case_review.reports_by_one_household", "unknown field", "window_months", "escalation_body"
    ), found


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ('""', ["must be text and is required"]),
        ("3", ["must be text"]),
        (f'"{"x" * 201}"', ["200 characters"]),
    ],
)
def test_the_escalation_body_is_named_in_words(value: str, words: list[str]) -> None:
    found = problems(edited(('"Police and Crime Commissioner"', value)))
    assert has_problem(found, "case_review.escalation_body", *words), found


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        (
            "reports_by_one_person = 3",
            "reports_by_one_person = 4",
            ["reporter.asb_reports_in_window at least 3", "case_review.reports_by_one_person = 4"],
        ),
        (
            'place.asb_reporters_in_window", at_least = 5',
            'place.asb_reporters_in_window", at_least = 6',
            ["place.asb_reporters_in_window at least 6", "case_review.households_same_problem = 5"],
        ),
    ],
)
def test_the_eligible_flag_tells_residents_the_published_threshold(
    old: str, new: str, words: list[str]
) -> None:
    assert has_problem(problems(edited((old, new))), "flags[4] (case_review_eligible)", *words)


def test_a_version_too_long_to_record_with_a_decision_is_refused() -> None:
    found = problems(edited((VERSION_LINE, f'version = "{"2026-12-04" * 6}"')))
    assert has_problem(found, "version", "53 characters or fewer, not 60"), found


def test_a_number_too_long_to_read_is_refused() -> None:
    found = problems(edited(("history_months = 6", "history_months = " + "9" * 5000)))
    assert found == ["is not valid TOML: a number has too many digits to read"]


def test_conditions_nest_ten_levels_deep_and_no_deeper() -> None:
    assert parse_policy(nested_nots(9).encode(), "test.toml").flags[-1].when
    found = problems(nested_nots(10))
    assert has_problem(found, "flags[7].when[0]" + ".not" * 10, "nested more than 10 deep")


@pytest.mark.parametrize(
    "nesting", ["[" * 2000 + "]" * 2000, "{ a = " * 2000 + "1" + " }" * 2000, "[" * 51 + "]" * 51]
)
def test_arrays_or_tables_nested_too_deep_to_read_are_refused_naming_the_line(nesting: str) -> None:
    text = edited(("history_months = 6", f"history_months = 6\ndeep = {nesting}"))
    line = text.splitlines().index(f"deep = {nesting}") + 1
    assert problems(text) == [
        f"line {line}: arrays and tables are nested more than 50 deep; "
        "conditions may be nested at most 10 deep"
    ]


def test_the_line_named_is_the_one_nested_too_deep_not_brackets_in_strings_or_comments() -> None:
    many = "[{" * 60
    text = edited(
        ('title = "Community Safety Partnership triage policy"', f'# {many}\ntitle = "{many} \\" {many}"'),
        ('"suicide", "suicidal",', f"\"suicide\", '''{many}\n{many}''', \"suicidal\","),
    )
    policy = parse_policy(text.encode(), "test.toml")
    assert policy.title == f'{many} " {many}'
    assert f"{many}\n{many}" in policy.phrases
    deep = text + "\ndeep = " + "[" * 51 + "]" * 51 + "\n"
    assert problems(deep) == [
        f"line {len(deep.splitlines())}: arrays and tables are nested more than 50 deep; "
        "conditions may be nested at most 10 deep"
    ]


def test_triage_validate_refuses_a_history_too_long_to_count_naming_the_setting(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(edited(("history_months = 6", "history_months = 99999999999999999999")), encoding="utf-8")
    result = validate(bad, tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert (
        "history_months: must be 120 or less, not 99999999999999999999 (allowed: 1 to 120)" in result.stderr
    )


def test_triage_validate_refuses_two_thousand_nested_nots_with_a_message(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(nested_nots(2000), encoding="utf-8")
    result = validate(bad, tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    assert f"{bad} is not a valid triage policy" in result.stderr
    assert "arrays and tables are nested more than 50 deep; conditions may be nested at most 10 deep" in (
        result.stderr
    )
