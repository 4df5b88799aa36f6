"""The words each kind of report is asked and told in, as data: the forms and pages read them here.

A safety concern comes from someone who may be in danger, often from someone they live with, so
its questions speak of what has happened to them, not of a nuisance seen in the street.
"""

from __future__ import annotations

from dataclasses import dataclass

from portal.text.labels import DESCRIPTION_TOPICS


@dataclass(frozen=True)
class Question:
    label: str
    hint: str = ""
    error: str = ""  # the GOV.UK message when it is left unanswered


@dataclass(frozen=True)
class NextSteps:
    """What the confirmation tells a resident about something they asked for."""

    heading: str
    paragraphs: tuple[str, ...]
    steps: tuple[str, ...]


@dataclass(frozen=True)
class KindWording:
    types: Question
    description: Question
    description_topic: str  # the description's name in its errors (portal.text.labels.DESCRIPTION_TOPICS)
    details_title: str  # the heading of the page of the kind's own yes/no questions
    place: Question  # its label is the heading of the page that asks where
    when_title: str  # the heading of the page that asks when it started, how often, and who was told
    frequency: Question
    # Told on the confirmation when the resident said they would be willing to try mediation.
    mediation: NextSteps | None = None


_ASB_PLACE_HINT = (
    "Give the address, or describe the place, for example 'the car park behind the library on Station Road'."
)
_WHAT_HAPPENS_HINT = (
    "Include what happens, when it happens and who is involved, if you know. "
    "Do not include anything you would not want the people involved to know."
)
_HOW_OFTEN = Question("How often does it happen?", error="Select how often it happens")

MEDIATION = NextSteps(
    heading="Mediation",
    paragraphs=(
        "You told us you would be willing to try mediation.",
        "Mediation is when a trained, independent mediator helps you and your neighbour talk about "
        "the problem and agree a way forward. The mediator does not take sides or decide who is "
        "right. It is free and confidential, and you can stop at any time.",
        "What happens next:",
    ),
    steps=(
        "an officer checks that mediation is right for your dispute",
        "if it is, the mediation service contacts you, in the ways you told us are safe, to arrange "
        "a first conversation",
        "the mediator usually talks to you and your neighbour separately first, and then together "
        "if you both agree",
        "if mediation is not right for your dispute, the officer tells you what we can do instead",
    ),
)

WORDING = {
    "asb": KindWording(
        types=Question(
            "What kind of anti-social behaviour is it?",
            "Select all that apply.",
            "Select what kind of anti-social behaviour it is",
        ),
        description=Question("Tell us what is happening", _WHAT_HAPPENS_HINT, "Enter what is happening"),
        description_topic=DESCRIPTION_TOPICS["asb"],
        details_title="About the people responsible",
        place=Question(
            "Where is it happening?", _ASB_PLACE_HINT, "Enter where it is happening, or its postcode"
        ),
        when_title="When is it happening?",
        frequency=_HOW_OFTEN,
    ),
    "neighbour_dispute": KindWording(
        types=Question(
            "What is the dispute about?", "Select all that apply.", "Select what the dispute is about"
        ),
        description=Question("Tell us what is happening", _WHAT_HAPPENS_HINT, "Enter what is happening"),
        description_topic=DESCRIPTION_TOPICS["neighbour_dispute"],
        details_title="About your neighbour and the dispute",
        place=Question(
            "Where is it happening?",
            "Give your address, or describe where the problem is, "
            "for example 'the shared drive between 12 and 14 Station Road'.",
            "Enter where it is happening, or its postcode",
        ),
        when_title="When is it happening?",
        frequency=_HOW_OFTEN,
        mediation=MEDIATION,
    ),
    "safety_concern": KindWording(
        types=Question("What has happened?", "Select all that apply.", "Select what has happened"),
        description=Question(
            "Tell us what has happened",
            "Tell us as much as you feel able to, such as what happened, when, and what makes you "
            "feel unsafe. You do not need to include everything: an officer will talk it through with you.",
            "Enter what has happened",
        ),
        description_topic=DESCRIPTION_TOPICS["safety_concern"],
        details_title="About the person involved",
        place=Question(
            "Where do you need help to feel safe?",
            "This is usually your home address, so that we can offer to make your home more secure. "
            "If it is not safe for us to visit you there, tell us a safe place instead.",
            "Enter where you need help to feel safe, or its postcode",
        ),
        when_title="When has this happened?",
        frequency=Question(
            "How often has this happened to you?",
            "Choose the answer that feels closest. It does not need to be exact, and you can tell "
            "an officer more when they contact you.",
            "Select how often this has happened to you",
        ),
    ),
}


def wording_for(kind: str) -> KindWording:
    return WORDING[kind]
