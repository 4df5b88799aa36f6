"""The one summary of a report's answers: what the resident checks is what the officer reads."""

from __future__ import annotations

from typing import Any

from portal.reports.summary import Topic, Voice, summarise

AREA = "North East Derbyshire"


def _dispute(**reporter: Any) -> dict[str, Any]:
    return {
        "kind": "neighbour_dispute",
        "description": "My neighbour parks across my drive.\nEvery morning at 7.",
        "location": {"address": "14 Station Road, Dronfield", "postcode": "S18 1AB", "ward": ""},
        "reporter": {
            "name": "Sam Resident",
            "email": "sam@example.org",
            "phone": "",
            "anonymous": False,
            "safe_to_email": False,
            "safe_to_phone": True,
            "lives_in_district": True,
            **reporter,
        },
        "started": "this_month",
        "frequency": "daily",
        "previous_reports": "none",
        "harm": {"feel_unsafe": True, "health_affected": False},
        "dispute": {"types": ["parking"], "spoken_to_neighbour": True, "willing_to_mediate": False},
    }


def _said(topics: list[Topic]) -> dict[str, tuple[str, ...]]:
    return {answer.question: answer.lines for topic in topics for answer in topic.answers}


def test_the_resident_and_the_officer_read_the_same_answers_to_the_same_questions() -> None:
    resident = summarise("neighbour_dispute", _dispute(), area=AREA, voice=Voice.RESIDENT)
    officer = summarise("neighbour_dispute", _dispute(), area=AREA, voice=Voice.OFFICER)

    assert [topic.key for topic in resident] == ["what", "where", "impact", "about-you"]
    assert [[a.lines for a in t.answers] for t in resident] == [[a.lines for a in t.answers] for t in officer]
    said = _said(resident)
    assert said["What is happening"] == ("My neighbour parks across my drive.", "Every morning at 7.")
    assert said["Ward"] == ("Not known",)
    assert said["Safe to email you"] == ("No",)
    assert said[f"Live in {AREA}"] == ("Yes",)
    assert "Safe to phone you" not in said, "no phone number given, so nothing to say about phoning"
    # Only the questions put to "you" are worded for the officer as "them".
    assert set(_said(officer)) - set(said) == {
        "How it is affecting them",
        "Safe to email them",
        "Another safe way to contact them",
        f"Lives in {AREA}",
    }


def test_an_anonymous_report_shows_no_contact_details() -> None:
    said = _said(summarise("neighbour_dispute", _dispute(anonymous=True), area=AREA, voice=Voice.OFFICER))
    assert said["Stay anonymous"] == ("Yes",)
    assert not {"Full name", "Email address", "Phone number", "Safe to email them"} & set(said)


def test_a_question_that_was_not_asked_is_not_shown() -> None:
    report = _dispute()
    del report["dispute"]["willing_to_mediate"]
    said = _said(summarise("neighbour_dispute", report, area=AREA, voice=Voice.RESIDENT))
    assert said["Have you spoken to your neighbour about it?"] == ("Yes",)
    assert "Would you be willing to try mediation?" not in said


NEIGHBOUR = "Is the person responsible one of your neighbours?"
MEDIATION = "Would you be willing to try mediation?"


def _asb(**answers: bool) -> dict[str, Any]:
    return {"kind": "asb", "description": "Shouting at night.", "asb": {"types": ["noise"], **answers}}


def test_a_follow_up_not_asked_is_not_shown_as_no() -> None:
    report = _asb(perpetrators_known=False, perpetrator_is_neighbour=False, willing_to_mediate=False)
    said = _said(summarise("asb", report, area=AREA, voice=Voice.OFFICER))
    assert said["Do you know who is responsible?"] == ("No",)
    assert NEIGHBOUR not in said and MEDIATION not in said


def test_a_yes_to_a_follow_up_from_before_follow_ups_is_still_shown() -> None:
    # Before follow-ups, every question was asked: a "Yes" stored then is part of the report.
    report = _asb(perpetrators_known=False, perpetrator_is_neighbour=True, willing_to_mediate=True)
    said = _said(summarise("asb", report, area=AREA, voice=Voice.OFFICER))
    assert (said[NEIGHBOUR], said[MEDIATION]) == (("Yes",), ("Yes",))
    questions = [
        answer.question for answer in summarise("asb", report, area=AREA, voice=Voice.OFFICER)[0].answers
    ]
    assert questions[2:] == ["Do you know who is responsible?", NEIGHBOUR, MEDIATION], "in the order asked"


def test_answers_not_given_yet_read_not_given_and_the_evidence_lists_the_files() -> None:
    topics = summarise("asb", {"kind": "asb"}, area=AREA, voice=Voice.RESIDENT, files=[])
    said = _said(topics)
    assert said["What is happening"] == said["Where"] == said["When it started"] == ("Not given",)
    assert said["How it is affecting you"] == ("None of these",)
    assert said["Files"] == ("None",)
    changes = {answer.question: answer.field for topic in topics for answer in topic.answers}
    assert changes["Files"] == "evidence" and changes["Postcode"] == "location"


def test_both_rooms_name_a_safety_concerns_description_as_it_was_asked() -> None:
    report = {"kind": "safety_concern", "description": "He followed me home.", "concern": {"types": []}}
    for voice in Voice:
        said = _said(summarise("safety_concern", report, area=AREA, voice=voice))
        assert said["What has happened"] == ("He followed me home.",)
        assert "What is happening" not in said


def test_each_answer_names_the_contract_field_it_answers() -> None:
    topics = summarise("asb", _asb(perpetrators_known=True), area=AREA, voice=Voice.RESIDENT)
    fields = {answer.question: answer.field for answer in topics[0].answers}
    assert fields == {
        "What it is": "asb.types",
        "What is happening": "description",
        "Do you know who is responsible?": "asb.perpetrators_known",
    }
