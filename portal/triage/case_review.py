"""An application for an ASB Case Review, decided against the council's published threshold.

``parse_application`` reads an application (the applicant, where the problem is, and the reports
they declare they made to other agencies) or raises ``ContractError`` naming the field at fault.
``decide_threshold`` is pure, like ``engine.decide``: the application, the portal's earlier
reports (any the caller likes: it keeps those in the window itself) and the policy in, a
``ThresholdDecision`` out (docs/policy.md section 10).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from portal.triage.calendar import add_working_days, london_date, working_days_late
from portal.triage.contract import (
    ContractError,
    is_valid_email,
    is_valid_phone,
    is_valid_postcode,
    normalise_email,
    normalise_phone,
    normalise_postcode,
    parse_submitted_at,
)
from portal.triage.history import Earlier, distinct_reporters, in_window, same_reporter, window
from portal.triage.policy import CaseReview, Policy

# Where an applicant says they reported the ASB, besides this portal; "council" is the council
# by any other means (a phone call, a letter, an officer).
AGENCIES = ("council", "police", "landlord", "other")
AGENCY_WORDS = {
    "council": "to the council by other means",
    "police": "to the police",
    "landlord": "to the landlord",
    "other": "to another agency",
}
PORTAL_WORDS = "to this portal"
# More reports than any threshold can ask for (policy.MAX_COUNT_THRESHOLD) change no decision.
MAX_DECLARED = 100
FIELDS = ("submitted_at", "applicant", "postcode", "reported_elsewhere")

# The parts of the threshold, named as the policy's settings name them.
REPORTS_BY_ONE_PERSON = "reports_by_one_person"
HOUSEHOLDS_SAME_PROBLEM = "households_same_problem"


@dataclass(frozen=True)
class Declared:
    """A report of the ASB the applicant says they made to another agency, and the day they made it."""

    reported_on: date
    agency: str  # one of AGENCIES


@dataclass(frozen=True)
class Application:
    """An application for an ASB Case Review: who applies, where the problem is, and what they
    reported elsewhere. Their reports to this portal are the history passed to the decision."""

    submitted_at: datetime
    email_key: str  # normalised (contract.normalise_email); "" when not given
    phone_key: str  # normalised (contract.normalise_phone); "" when not given
    postcode: str  # normalised; "" when not known: then no other household is counted
    reported_elsewhere: tuple[Declared, ...] = ()

    @property
    def applicant(self) -> Earlier:
        """The applicant as the same-reporter and same-place rules compare them (section 2)."""
        return Earlier(
            kind="asb",
            submitted_at=self.submitted_at,
            email_key=self.email_key,
            phone_key=self.phone_key,
            postcode=self.postcode,
        )


@dataclass(frozen=True)
class ThresholdDecision:
    """Whether an application meets the threshold, which parts do, and why, in plain words."""

    met: bool
    met_by: tuple[str, ...]  # REPORTS_BY_ONE_PERSON and/or HOUSEHOLDS_SAME_PROBLEM, in that order
    # When met, each part that is met; when not, every part with the number it needs.
    reasons: tuple[str, ...]
    reports_by_applicant: int
    households: int
    window_from: date  # the first day a declared report counts, on the Europe/London calendar
    decision_due: date
    escalation_body: str
    policy_version: str

    @property
    def summary(self) -> str:
        """The reasons as one sentence's worth: "2 reports …, 3 needed; 1 household …, 5 needed"."""
        return "; ".join(self.reasons)

    def to_json(self) -> dict[str, Any]:
        return {
            "met": self.met,
            "met_by": list(self.met_by),
            "reasons": list(self.reasons),
            "reports_by_applicant": self.reports_by_applicant,
            "households": self.households,
            "window_from": self.window_from.isoformat(),
            "decision_due": self.decision_due.isoformat(),
            "escalation_body": self.escalation_body,
            "policy_version": self.policy_version,
        }


def parse_application(data: Any, *, now: datetime | None = None) -> Application:
    """Check an application given as a mapping (docs/policy.md section 10). Raises ``ContractError``.

    ``{"submitted_at": ISO 8601 with offset (default now), "applicant": {"email", "phone"},
    "postcode": where the problem is, "reported_elsewhere": [{"reported_on": "YYYY-MM-DD",
    "agency": one of AGENCIES}, ...]}``. A report dated after the application is refused.
    """
    if not isinstance(data, Mapping):
        raise ContractError("application", "must be an object")
    for key in data:
        if key not in FIELDS:
            raise ContractError(str(key), "is not a field of the application")
    submitted_at = parse_submitted_at(data.get("submitted_at"), now or datetime.now().astimezone())

    applicant = data.get("applicant")
    if not isinstance(applicant, Mapping):
        raise ContractError("applicant", "must be an object with an email or a phone number")
    for key in applicant:
        if key not in ("email", "phone"):
            raise ContractError(f"applicant.{key}", "is not a field of the application")
    email, phone = (_text(applicant, key, "applicant.") for key in ("email", "phone"))
    if email and not is_valid_email(email):
        raise ContractError("applicant.email", "must be an email address, like name@example.com")
    if phone and not is_valid_phone(phone):
        raise ContractError("applicant.phone", "must be a UK phone number, like 01246 231111")
    if not email and not phone:
        raise ContractError(
            "applicant", "needs an email or a phone number: the applicant is told the decision"
        )

    postcode = _text(data, "postcode", "")
    if postcode and not is_valid_postcode(postcode):
        raise ContractError("postcode", "must be a UK postcode, like S42 6NG")

    listed = data.get("reported_elsewhere", [])
    if not isinstance(listed, list):
        raise ContractError("reported_elsewhere", "must be a list of reports")
    if len(listed) > MAX_DECLARED:
        raise ContractError("reported_elsewhere", f"must list {MAX_DECLARED} reports or fewer")
    applied_on = london_date(submitted_at)
    declared = tuple(_declared(item, f"reported_elsewhere[{i}]", applied_on) for i, item in enumerate(listed))

    return Application(
        submitted_at=submitted_at,
        email_key=normalise_email(email),
        phone_key=normalise_phone(phone),
        postcode=normalise_postcode(postcode),
        reported_elsewhere=declared,
    )


def _text(data: Mapping[str, Any], key: str, prefix: str) -> str:
    value = data.get(key) or ""
    if not isinstance(value, str):
        raise ContractError(f"{prefix}{key}", "must be text")
    if len(value) > 320:
        raise ContractError(f"{prefix}{key}", "must be 320 characters or fewer")
    return value.strip()


def _declared(item: Any, where: str, applied_on: date) -> Declared:
    if not isinstance(item, Mapping):
        raise ContractError(where, "must be an object with reported_on and agency")
    for key in item:
        if key not in ("reported_on", "agency"):
            raise ContractError(f"{where}.{key}", "is not a field of the application")
    agency = item.get("agency")
    if agency not in AGENCIES:
        raise ContractError(f"{where}.agency", "must be one of " + ", ".join(AGENCIES))
    value = item.get("reported_on")
    if isinstance(value, date) and not isinstance(value, datetime):
        reported_on = value
    elif isinstance(value, str):
        try:
            reported_on = date.fromisoformat(value.strip())
        except ValueError:
            raise ContractError(f"{where}.reported_on", "must be a date, like 2026-11-30") from None
    else:
        raise ContractError(f"{where}.reported_on", "must be a date, like 2026-11-30")
    if reported_on > applied_on:
        raise ContractError(
            f"{where}.reported_on",
            f"must be the day of the application ({applied_on.isoformat()}) or earlier: "
            "a report cannot be dated in the future",
        )
    return Declared(reported_on=reported_on, agency=agency)


def decide_threshold(
    application: Application, history: Iterable[Earlier], policy: Policy
) -> ThresholdDecision:
    """Whether ``application`` meets the policy's ASB Case Review threshold (docs/policy.md s.10).

    ``history`` is the portal's earlier reports; those outside the window, and those of other
    kinds than ASB, are left out here. Declared reports are counted as the applicant gives them:
    they are the ones made other than through this portal, so none is counted twice.
    """
    rules: CaseReview = policy.case_review
    months = rules.window_months
    start, _end = window(application.submitted_at, months)
    first_day, last_day = london_date(start), london_date(application.submitted_at)
    declared = [d for d in application.reported_elsewhere if first_day <= d.reported_on <= last_day]

    applicant = application.applicant
    earlier = [e for e in in_window(history, application.submitted_at, months) if e.kind in policy.asb_kinds]
    to_portal = [e for e in earlier if same_reporter(e, applicant)]
    reports = len(to_portal) + len(declared)

    at_place: list[Earlier] = []
    if application.postcode:
        at_place = [e for e in earlier if e.postcode == application.postcode and e.named]
    if declared and applicant.named:
        at_place.append(applicant)  # their reports elsewhere are of this problem, at this place
    households = distinct_reporters(at_place)

    in_months = f"in {months} month{'s' if months != 1 else ''}"
    by_where = [(PORTAL_WORDS, len(to_portal))] + [
        (AGENCY_WORDS[agency], sum(d.agency == agency for d in declared)) for agency in AGENCIES
    ]
    breakdown = ", ".join(f"{count} {words}" for words, count in by_where if count)
    parts = [
        (
            REPORTS_BY_ONE_PERSON,
            reports,
            rules.reports_by_one_person,
            f"{_counted(reports, 'report')} by the applicant {in_months}",
            breakdown,
        ),
        (
            HOUSEHOLDS_SAME_PROBLEM,
            households,
            rules.households_same_problem,
            f"{_counted(households, 'household')} reporting the same problem {in_months}",
            "",
        ),
    ]
    met_by = tuple(name for name, count, needed, _words, _how in parts if count >= needed)
    if met_by:  # "3 reports by the applicant in 6 months: 2 to this portal, 1 to the police"
        reasons = tuple(
            words + (f": {how}" if how else "")
            for _name, count, needed, words, how in parts
            if count >= needed
        )
    else:  # "2 reports by the applicant in 6 months, 3 needed (2 to this portal)"
        reasons = tuple(
            f"{words}, {needed} needed" + (f" ({how})" if how else "")
            for _name, _count, needed, words, how in parts
        )
    return ThresholdDecision(
        met=bool(met_by),
        met_by=met_by,
        reasons=reasons,
        reports_by_applicant=reports,
        households=households,
        window_from=first_day,
        decision_due=add_working_days(last_day, rules.decision_working_days),
        escalation_body=rules.escalation_body,
        policy_version=policy.version,
    )


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def review_due(decided_on: date, policy: Policy) -> date:
    """The day the review meeting is due by: ``review_working_days`` working days after the day the
    threshold was found met, counted as a response time is (docs/policy.md section 10)."""
    return add_working_days(decided_on, policy.case_review.review_working_days)


def outcome_due(meeting_on: date, policy: Policy) -> date:
    """The day the outcome letter is due by: ``outcome_working_days`` working days after the meeting."""
    return add_working_days(meeting_on, policy.case_review.outcome_working_days)


def timeliness(due: date, done: date) -> str:
    """Whether a step done on ``done`` met its day, in words: "On time" or "2 working days late"."""
    late = working_days_late(due, done)
    if late == 0:
        return "On time"
    return f"{late} working day{'' if late == 1 else 's'} late"
