"""The report contract: what a valid report is, and how answers are compared."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from portal.triage.contract import (
    ContractError,
    is_valid_phone,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    parse_report,
)
from tests.triage_factories import WORKED_EXAMPLES_FILE

EXAMPLES = json.loads(WORKED_EXAMPLES_FILE.read_text())


def a_report(**changes: Any) -> dict[str, Any]:
    report: dict[str, Any] = {
        "kind": "asb",
        "submitted_at": "2026-12-24T16:30:00+00:00",
        "description": "Noise every night",
        "location": {"address": "1 Station Road", "postcode": "s181ab"},
        "reporter": {"name": "Sam", "email": "Sam@Example.org"},
        "started": "this_week",
        "frequency": "daily",
        "previous_reports": "none",
        "harm": {"feel_unsafe": True},
        "asb": {"types": ["noise"]},
    }
    report.update(changes)
    return report


def test_postcodes_are_upper_case_with_one_space_before_the_last_three() -> None:
    assert normalise_postcode("s181ab") == "S18 1AB"
    assert normalise_postcode("  S42   6NG ") == "S42 6NG"


def test_emails_match_trimmed_and_case_insensitively() -> None:
    assert normalise_email("  Sam@Example.ORG ") == "sam@example.org"


def test_phones_match_on_digits_with_a_leading_44_or_0044_read_as_0() -> None:
    assert normalise_phone("+44 7700 900982") == "07700900982"
    assert normalise_phone("0044 7700 900982") == "07700900982"
    assert normalise_phone("07700-900-982") == "07700900982"
    # The trunk 0 written in brackets after +44 is not dialled.
    assert normalise_phone("+44 (0)7700 900982") == "07700900982"
    # Another country's number is one number whether written with + or 00.
    assert normalise_phone("00353 1 234 5678") == normalise_phone("+353 1 234 5678") == "35312345678"


@pytest.mark.parametrize(
    "phone",
    [
        "01246 231111",
        "07700 900982",
        "+44 7700 900982",
        "0044 7700 900982",
        "+44 (0)7700 900982",
        "+33 1 23 45 67 89",
        "0033 1 23 45 67 89",
    ],
)
def test_real_phone_numbers_are_accepted(phone: str) -> None:
    assert is_valid_phone(phone)


@pytest.mark.parametrize("phone", ["123", "call me", "0770090098212345", "0044 7700", "00 123"])
def test_phone_numbers_that_cannot_be_dialled_are_refused(phone: str) -> None:
    assert not is_valid_phone(phone)


def test_missing_booleans_are_false_and_contact_safety_defaults_to_true() -> None:
    report = parse_report(a_report())
    assert report.harm["violence_or_threats"] is False
    assert report.details == {
        "perpetrators_known": False,
        "perpetrator_is_neighbour": False,
        "willing_to_mediate": False,
    }
    assert report.reporter.safe_to_email and report.reporter.safe_to_phone
    assert report.location.postcode == "S18 1AB"


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"kind": "graffiti"}, "kind", "must be one of"),
        ({"description": "   "}, "description", "is required"),
        ({"description": "x" * 4001}, "description", "4,000 characters or fewer"),
        ({"location": {"ward": "Dronfield North"}}, "location", "needs an address or a postcode"),
        ({"location": {"postcode": "nonsense"}}, "location.postcode", "must be a UK postcode"),
        ({"harm": {"feel_unsafe": "yes"}}, "harm.feel_unsafe", "must be true or false"),
        ({"harm": {"sad": True}}, "harm.sad", "is not a field"),
        ({"frequency": "hourly"}, "frequency", "must be one of"),
        ({"started": None}, "started", "is required"),
        ({"asb": {"types": []}}, "asb.types", "at least one type"),
        ({"asb": {"types": ["noise", "fireworks"]}}, "asb.types[1]", "must be one of"),
        ({"reporter": {"name": "Sam"}}, "reporter", "needs an email or a phone number"),
        ({"reporter": {"email": "not an email"}}, "reporter.email", "must be an email address"),
        ({"submitted_at": "2026-12-24T16:30:00"}, "submitted_at", "must include a UTC offset"),
        ({"submitted_at": "Christmas Eve"}, "submitted_at", "ISO 8601"),
        (
            {"reporter": {"phone": "07700 900982", "voicemail_ok": "yes"}},
            "reporter.voicemail_ok",
            "must be true, false or null",
        ),
        (
            {"reporter": {"phone": "07700 900982", "safe_call_times": "x" * 201}},
            "reporter.safe_call_times",
            "200 characters or fewer",
        ),
        (
            {"reporter": {"phone": "07700 900982", "safe_alternative_contact": "x" * 501}},
            "reporter.safe_alternative_contact",
            "500 characters or fewer",
        ),
    ],
)
def test_a_report_that_breaks_the_contract_names_the_field(
    changes: dict[str, Any], field: str, message: str
) -> None:
    with pytest.raises(ContractError) as raised:
        parse_report(a_report(**changes))
    assert raised.value.field == field
    assert message in raised.value.message


def test_a_safety_concern_cannot_be_anonymous() -> None:
    report = a_report(
        kind="safety_concern", reporter={"anonymous": True}, concern={"types": ["burglary_victim"]}
    )
    del report["asb"]
    with pytest.raises(ContractError) as raised:
        parse_report(report)
    assert raised.value.field == "reporter.anonymous"


def test_an_anonymous_report_never_matches_on_email_or_phone() -> None:
    report = parse_report(a_report(reporter={"anonymous": True, "email": "sam@example.org"}))
    assert report.reporter.email_key == "" and report.reporter.phone_key == ""


def test_a_ward_must_be_one_of_the_councils() -> None:
    with pytest.raises(ContractError) as raised:
        parse_report(a_report(location={"postcode": "S18 1AB", "ward": "Narnia"}), wards=["Dronfield North"])
    assert raised.value.field == "location.ward"


def test_the_worked_examples_all_meet_the_contract() -> None:
    assert EXAMPLES, "the council's worked examples are beside the project"
    for position, example in enumerate(EXAMPLES, start=1):
        report = parse_report(copy.deepcopy(example), extra_fields=["expect"])
        assert report.kind == example["kind"], position


def test_a_report_round_trips_through_its_json() -> None:
    report = parse_report(a_report())
    assert parse_report(report.to_json()) == report


def test_safe_contact_answers_not_asked_are_none_and_round_trip() -> None:
    report = parse_report(a_report())
    assert (report.reporter.voicemail_ok, report.reporter.text_ok) == (None, None)
    assert report.reporter.safe_call_times == report.reporter.safe_alternative_contact == ""
    asked = parse_report(
        a_report(
            reporter={
                "name": "Sam",
                "phone": "07700 900982",
                "safe_call_times": " After 6pm ",
                "voicemail_ok": False,
                "text_ok": True,
                "safe_alternative_contact": "My sister Jo",
            }
        )
    )
    assert (asked.reporter.safe_call_times, asked.reporter.voicemail_ok, asked.reporter.text_ok) == (
        "After 6pm",
        False,
        True,
    )
    assert parse_report(asked.to_json()) == asked
