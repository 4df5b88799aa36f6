"""An ASB Case Review: applying on a case, and the officer's threshold decision (docs/policy.md s.10).

All the database's work for Case Reviews is here. Each step locks the case, checks it may be
taken, makes the change and writes its audit entry, in one transaction; the acting officer is an
argument (None for a resident applying online). The threshold itself is counted by the pure
``portal.triage.case_review``: the application is checked by ``parse_application`` before it is
stored, and the decision is counted by ``decide_threshold`` when the officer makes it, from the
portal's reports as they are then.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from portal.accounts.roles import WORK, can
from portal.cases.operations import TEXT_MAX, CaseError, CaseNotFound, NotAllowed
from portal.cases.operations import _changing as locked_case  # each step locks the case as any change does
from portal.extensions import db
from portal.models import Report, TaskingAction, User, audit
from portal.models.audit import AuditAction
from portal.models.case_review import APPLICANTS, CHANNELS, ESCALATION_RESULTS, OPEN_STAGES, CaseReview
from portal.models.types import utcnow
from portal.reports.history import case_review_history
from portal.reports.triage_policy import current_policy
from portal.text.labels import KIND_TITLES
from portal.triage.calendar import add_working_days, london_date, london_today
from portal.triage.case_review import (
    AGENCIES,
    Application,
    ThresholdDecision,
    decide_threshold,
    parse_application,
    review_due,
)
from portal.triage.contract import ContractError, is_valid_email, is_valid_phone
from portal.triage.history import Earlier, distinct_reporters, same_reporter, window
from portal.triage.policy import Policy
from portal.web.formatting import long_date

NAME_MAX = 200
CONSENT_MAX = 1000


class CaseReviewError(CaseError):
    """An application or decision that cannot be taken. ``field`` names the answer at fault
    (``"reported_elsewhere.2.reported_on"`` for the third report's date), or is "" for the whole."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field


class ReviewNotFound(CaseNotFound):
    """No ASB Case Review has the id asked for: its pages answer 404."""


@dataclass(frozen=True)
class Applicant:
    """Who applies: the victim (``who="victim"``, reached by the report's own contact details), or
    someone acting for them, with their name, an email or phone, and the victim's consent."""

    who: str = "victim"
    name: str = ""
    email: str = ""
    phone: str = ""
    consent_given_on: date | None = None
    consent_how: str = ""


@dataclass(frozen=True)
class Declared:
    """A report the applicant says they made other than through this portal."""

    reported_on: date | None
    agency: str


@dataclass(frozen=True)
class Counted:
    """One of the applicant's reports the portal counts: its day, and whether it is an incident they
    added to a report (counted as a report by the policy, on the day it was added)."""

    day: date
    incident: bool = False


@dataclass(frozen=True)
class History:
    """The portal's reports counted for an application: the applicant's, and other households' at
    the place, in the window. Days only: nothing about who the other households are."""

    window_from: date
    window_to: date
    by_applicant: tuple[Counted, ...]
    other_households_at_place: int


# --- Reading ------------------------------------------------------------------------------------------


def eligible_kind(report: Report, policy: Policy | None = None) -> bool:
    return report.kind in (policy or current_policy()).asb_kinds


def open_review(report_id: int) -> CaseReview | None:
    """The case's application still in progress, if it has one."""
    return db.session.scalars(
        select(CaseReview)
        .where(CaseReview.report_id == report_id, CaseReview.stage.in_(OPEN_STAGES))
        .order_by(CaseReview.applied_at.desc())
    ).first()


def latest_review(report_id: int) -> CaseReview | None:
    """The case's newest application, open or not."""
    return db.session.scalars(
        select(CaseReview)
        .where(CaseReview.report_id == report_id)
        .order_by(CaseReview.applied_at.desc(), CaseReview.id.desc())
    ).first()


def reviews_for_case(report_id: int) -> list[CaseReview]:
    return list(
        db.session.scalars(
            select(CaseReview)
            .where(CaseReview.report_id == report_id)
            .order_by(CaseReview.applied_at.desc(), CaseReview.id.desc())
        )
    )


def get_review(review_id: int) -> CaseReview:
    """A Case Review with everything its page shows loaded: the page runs no query as it renders."""
    review = db.session.scalars(
        select(CaseReview)
        .where(CaseReview.id == review_id)
        .options(
            selectinload(CaseReview.report),
            selectinload(CaseReview.taken_by),
            selectinload(CaseReview.decided_by),
        )
    ).first()
    if review is None:
        raise ReviewNotFound(f"There is no ASB Case Review {review_id}")
    return review


def recommendations(review: CaseReview) -> list[TaskingAction]:
    """The review's recommendations: tasking actions that carry its id."""
    return list(
        db.session.scalars(
            select(TaskingAction)
            .where(TaskingAction.case_review_id == review.id)
            .order_by(TaskingAction.due_date, TaskingAction.id)
        )
    )


def open_reviews() -> list[CaseReview]:
    """Every application in progress, the most overdue next step first, with its case loaded."""
    reviews = list(
        db.session.scalars(
            select(CaseReview)
            .where(CaseReview.stage.in_(OPEN_STAGES))
            .options(selectinload(CaseReview.report))
            .order_by(CaseReview.applied_at)
        )
    )
    return sorted(reviews, key=lambda review: (review.next_due is None, review.next_due or date.max))


def stage_counts(reviews: Sequence[CaseReview], today: date) -> dict[str, int]:
    """How many open applications are at each stage, and how many are overdue."""
    counts: dict[str, int] = dict.fromkeys(OPEN_STAGES, 0)
    counts["overdue"] = 0
    for review in reviews:
        counts[review.stage] += 1
        due = review.next_due
        if due is not None and due < today:
            counts["overdue"] += 1
    return counts


def history_for_report(report: Report, at: datetime | None = None, policy: Policy | None = None) -> History:
    """What the portal has counted towards an application on ``report`` made at ``at`` (default now)."""
    policy = policy or current_policy()
    at = at or utcnow()
    earlier = _portal_reports(report.email_key, report.phone_key, report.postcode, at, policy)
    applicant = Earlier(report.kind, at, report.email_key, report.phone_key, report.postcode)
    mine = [e for e in earlier if same_reporter(e, applicant)]
    others = [e for e in earlier if not same_reporter(e, applicant) and e.postcode == report.postcode]
    start, _end = window(at, policy.case_review.window_months)
    return History(
        window_from=london_date(start),
        window_to=london_date(at),
        by_applicant=tuple(Counted(london_date(e.submitted_at), e.incident) for e in mine),
        other_households_at_place=distinct_reporters(others),
    )


def _portal_reports(
    email_key: str, phone_key: str, postcode: str, at: datetime, policy: Policy
) -> list[Earlier]:
    start, end = window(at, policy.case_review.window_months)
    return case_review_history(email_key, phone_key, postcode, start, end, policy)


# --- Where it stands, for the resident ---------------------------------------------------------------


def position(review: CaseReview) -> str:
    """Where the application stands, in the resident's words: never an officer's note or a count
    of other people's reports."""
    threshold = review.threshold or {}
    body = (
        review.escalation_body
        or threshold.get("escalation_body")
        or current_policy().case_review.escalation_body
    )
    if review.stage == "applied":
        return (
            "We are deciding whether your application meets the threshold. "
            f"We will tell you by {long_date(review.decision_due)}."
        )
    if review.stage == "met":
        due = f" We aim to hold the review by {long_date(review.review_due)}." if review.review_due else ""
        return "It met the threshold: the partner agencies will review how they dealt with it." + due
    if review.stage == "not_met":
        reasons = threshold.get("reasons") or []
        if threshold.get("met") is False and reasons:
            # Their own reports, in the decision's words; of other households, never a count.
            households = current_policy().case_review.households_same_problem
            return (
                "It did not meet the threshold, because we counted "
                + reasons[0].replace("by the applicant", "by you")
                + f", and fewer than {households} households reported the same problem. "
                "If you feel the problem has not been dealt with, phone us."
            )
        return "It did not meet the threshold. We have written to you to say why."
    if review.stage == "review_held":
        due = f" by {long_date(review.outcome_due)}" if review.outcome_due else ""
        return f"The partner agencies have held the review. We will send you its outcome{due}."
    if review.stage == "outcome_sent":
        sent = f" on {long_date(review.outcome_sent_on)}" if review.outcome_sent_on else ""
        return (
            f"We sent you the outcome of the review{sent}. If you are unhappy with how your Case Review "
            f"was handled, you can ask the {body} to look at it again."
        )
    if review.stage == "escalated":
        return f"You asked the {body} to look at how your Case Review was handled. They will write to you."
    result = ESCALATION_RESULTS.get(review.escalation_result or "", "")
    return f"The {body} has looked at how your Case Review was handled" + (f": {result}." if result else ".")


# --- Applying ----------------------------------------------------------------------------------------


def refusal(report: Report, policy: Policy | None = None) -> str | None:
    """Why no application can be made on ``report`` now, in words saying what to do; None if one can."""
    policy = policy or current_policy()
    if report.anonymised_at is not None:
        return (
            f"{report.reference} was anonymised at the end of its retention period: "
            "record the application on the resident's newer report"
        )
    if not eligible_kind(report, policy):
        kind = KIND_TITLES.get(report.kind, report.kind).lower()
        return (
            f"An ASB Case Review is for anti-social behaviour; this case is a {kind}. "
            "Record the application on the resident's anti-social behaviour report"
        )
    if not (report.email_key or report.phone_key):
        return (
            f"{report.reference} has no email or phone number for the resident, so their reports cannot be "
            "counted: record the application on a report that has them"
        )
    current = open_review(report.id)
    if current is not None:
        return (
            f"{report.reference} already has an application for an ASB Case Review, made on "
            f"{long_date(london_date(current.applied_at))}: {_stands(current)}. "
            "Work on that application instead of making another"
        )
    return None


def resident_refusal(report: Report, policy: Policy | None = None) -> str | None:
    """Why the resident cannot apply online on their report now, in their words; None if they can."""
    policy = policy or current_policy()
    if not eligible_kind(report, policy):
        kind = KIND_TITLES.get(report.kind, report.kind).lower()
        return (
            f"An ASB Case Review is for anti-social behaviour; your report is about a {kind}. If you have "
            "reported anti-social behaviour to us, check that report and apply from it, or phone us."
        )
    current = open_review(report.id)
    if current is not None:
        return (
            "You have already applied for an ASB Case Review on this report, on "
            f"{long_date(london_date(current.applied_at))}. {position(current)}"
        )
    if refusal(report, policy) is not None:
        return "You cannot apply online on this report. Phone us and we will help you apply."
    return None


def _stands(review: CaseReview) -> str:
    if review.stage == "applied":
        return f"the threshold decision is due by {long_date(review.decision_due)}"
    due = review.next_due
    return (
        "it stands at " + review.stage.replace("_", " ") + (f", next due by {long_date(due)}" if due else "")
    )


def apply(
    reference: str,
    *,
    channel: str,
    applicant: Applicant,
    account: str,
    reported_elsewhere: Sequence[Declared],
    actor: User | None,
    now: datetime | None = None,
) -> CaseReview:
    """Take an application for an ASB Case Review on the case ``reference``.

    ``actor`` is the officer who took it by phone, paper, email or in person, or None for the
    resident online. Raises ``CaseReviewError`` (with the field at fault) and stores nothing when
    it cannot be taken.
    """
    if actor is not None and not can(actor, WORK):
        raise NotAllowed("You cannot record applications for an ASB Case Review")
    if channel not in CHANNELS or (channel == "online") != (actor is None):
        raise CaseReviewError("Choose how the application was made", "channel")
    account = _words(account, "the incidents, in the applicant's words", "account")
    who = _applicant(applicant)
    policy = current_policy()
    with locked_case(reference, None) as report:
        refused = refusal(report, policy)
        if refused:
            raise CaseReviewError(refused)
        at = now or utcnow()
        application = _application(report, reported_elsewhere, at)
        review = CaseReview(
            report_id=report.id,
            stage="applied",
            applied_at=at,
            channel=channel,
            taken_by_id=actor.id if actor is not None else None,
            applicant=who.who,
            applicant_name=who.name,
            applicant_email=who.email,
            applicant_phone=who.phone,
            consent_given_on=who.consent_given_on,
            consent_how=who.consent_how,
            account=account,
            reported_elsewhere=[
                {"reported_on": d.reported_on.isoformat(), "agency": d.agency}
                for d in sorted(application.reported_elsewhere, key=lambda d: d.reported_on)
            ],
            decision_due=add_working_days(london_date(at), policy.case_review.decision_working_days),
            policy_version=policy.version,
        )
        db.session.add(review)
        db.session.flush()
        audit.record(
            AuditAction.CASE_REVIEW_APPLIED,
            actor=actor,
            report=report,
            after={
                "case_review": review.id,
                "channel": channel,
                "applicant": who.who,
                "reported_elsewhere": len(review.reported_elsewhere),
                "decision_due": review.decision_due.isoformat(),
            },
            detail=f"{CHANNELS[channel]}, by {APPLICANTS[who.who].lower()}; decision due by "
            f"{long_date(review.decision_due)}",
        )
    return review


def _words(text: str, what: str, field: str) -> str:
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise CaseReviewError(f"Enter {what}", field)
    if len(text) > TEXT_MAX:
        raise CaseReviewError(f"{what[0].upper()}{what[1:]} must be {TEXT_MAX:,} characters or fewer", field)
    return text


def _applicant(applicant: Applicant) -> Applicant:
    """The applicant, checked: someone acting for the victim gives their name, a way to reach them and
    the victim's consent (when and how it was given) before the application can be taken."""
    if applicant.who not in APPLICANTS:
        raise CaseReviewError("Choose who is applying", "applicant")
    if applicant.who == "victim":
        return Applicant()
    name = (applicant.name or "").strip()
    email, phone = (applicant.email or "").strip(), (applicant.phone or "").strip()
    if not name:
        raise CaseReviewError("Enter the name of the person applying for the victim", "applicant_name")
    if len(name) > NAME_MAX:
        raise CaseReviewError(f"The name must be {NAME_MAX} characters or fewer", "applicant_name")
    if email and not is_valid_email(email):
        raise CaseReviewError("Enter an email address like name@example.com", "applicant_email")
    if phone and not is_valid_phone(phone):
        raise CaseReviewError("Enter a UK phone number, like 01246 231111", "applicant_phone")
    if not email and not phone:
        raise CaseReviewError(
            "Enter an email address or a phone number for the person applying: they are told the decision",
            "applicant_email",
        )
    if applicant.consent_given_on is None:
        raise CaseReviewError(
            "Enter the date the victim agreed to someone applying for them: an application for them "
            "cannot be taken without their consent",
            "consent_given_on",
        )
    if applicant.consent_given_on > london_today():
        raise CaseReviewError("The date the victim agreed must be today or earlier", "consent_given_on")
    how = (applicant.consent_how or "").strip()
    if not how:
        raise CaseReviewError("Enter how the victim gave their consent, like 'by phone to me'", "consent_how")
    if len(how) > CONSENT_MAX:
        raise CaseReviewError(
            f"How consent was given must be {CONSENT_MAX:,} characters or fewer", "consent_how"
        )
    return Applicant(applicant.who, name, email, phone, applicant.consent_given_on, how)


def _application(report: Report, declared: Sequence[Declared], at: datetime) -> Application:
    """The application as the threshold reads it: the victim's keys, the place, and their reports
    elsewhere. A date missing, unknown agency or future date is refused against its own row."""
    for index, item in enumerate(declared):
        if item.reported_on is None:
            raise CaseReviewError(
                f"Enter the date of report {index + 1} made elsewhere",
                f"reported_elsewhere.{index}.reported_on",
            )
        if item.agency not in AGENCIES:
            raise CaseReviewError(
                f"Choose where report {index + 1} was made", f"reported_elsewhere.{index}.agency"
            )
    data: dict[str, Any] = {
        "submitted_at": at.isoformat(),
        "applicant": {"email": report.email_key, "phone": report.phone_key},
        "postcode": report.postcode,
        "reported_elsewhere": [{"reported_on": item.reported_on, "agency": item.agency} for item in declared],
    }
    try:
        return parse_application(data, now=at)
    except ContractError as error:
        raise _field_error(error) from None


def _field_error(error: ContractError) -> CaseReviewError:
    """The triage contract's complaint, said against the form's own field."""
    field = error.field
    if field.startswith("reported_elsewhere["):
        index = int(field[len("reported_elsewhere[") : field.index("]")])
        part = field.rpartition(".")[2]
        number = index + 1
        if part == "reported_on" and "future" in error.message:
            return CaseReviewError(
                f"The date of report {number} made elsewhere must be today or earlier: a report "
                "cannot be dated in the future",
                f"reported_elsewhere.{index}.reported_on",
            )
        if part == "agency":
            return CaseReviewError(
                f"Choose where report {number} was made", f"reported_elsewhere.{index}.agency"
            )
        return CaseReviewError(
            f"Enter the date of report {number} made elsewhere as a real date",
            f"reported_elsewhere.{index}.reported_on",
        )
    if field == "reported_elsewhere":
        return CaseReviewError(f"List {error.message.split('list ')[-1]}", "reported_elsewhere")
    return CaseReviewError(f"The case's details cannot be used for an application: {field} {error.message}")


# --- The threshold decision --------------------------------------------------------------------------


def computed(review: CaseReview, policy: Policy | None = None) -> ThresholdDecision:
    """The threshold as counted now, for the application ``review``: its reports elsewhere, and the
    portal's reports in the window up to when it was made."""
    policy = policy or current_policy()
    report = review.report
    application = parse_application(
        {
            "submitted_at": review.applied_at.isoformat(),
            "applicant": {"email": report.email_key, "phone": report.phone_key},
            "postcode": report.postcode,
            "reported_elsewhere": list(review.reported_elsewhere),
        },
        now=review.applied_at,
    )
    history = _portal_reports(report.email_key, report.phone_key, report.postcode, review.applied_at, policy)
    return decide_threshold(application, history, policy)


def decide(review_id: int, user: User, *, met: bool | None, note: str) -> CaseReview:
    """The officer's threshold decision on the application ``review_id``.

    The threshold is counted now; the officer confirms the count (a note is then needed only when it
    is not met: what else will be done) or records a different answer, with the reason, which is
    audited. Met, the review is to be held; not met, the application ends. A decision after
    ``decision_due`` is taken, and is late.
    """
    if not can(user, WORK):
        raise NotAllowed("You cannot decide applications for an ASB Case Review")
    if met is None:
        raise CaseReviewError("Select whether the application meets the threshold", "met")
    reference = db.session.scalars(
        select(Report.reference)
        .join(CaseReview, CaseReview.report_id == Report.id)
        .where(CaseReview.id == review_id)
    ).first()
    if reference is None:
        raise ReviewNotFound(f"There is no ASB Case Review {review_id}")
    with locked_case(reference, None):
        review = db.session.scalars(select(CaseReview).where(CaseReview.id == review_id)).one()
        if review.stage != "applied":
            raise CaseReviewError("The threshold decision has already been made on this application")
        decision = computed(review)
        note = (note or "").replace("\x00", "").strip()
        overridden = met != decision.met
        if overridden and not note:
            counted = "meets" if decision.met else "does not meet"
            raise CaseReviewError(
                f"Enter the reason for your decision: by the count the application {counted} the threshold",
                "note",
            )
        if not met and not note:
            raise CaseReviewError(
                "Enter a note saying what else will be done, as the application does not meet the threshold",
                "note",
            )
        if len(note) > TEXT_MAX:
            raise CaseReviewError(f"The note must be {TEXT_MAX:,} characters or fewer", "note")
        now = utcnow()
        review.threshold = decision.to_json()
        review.threshold_met = met
        review.decided_at = now
        review.decided_by_id = user.id
        review.decision_note = note
        review.stage = "met" if met else "not_met"
        # A review is held within the policy's working days of the decision (docs/policy.md s.10).
        review.review_due = review_due(london_date(now), current_policy()) if met else None
        late = london_date(now) > review.decision_due
        audit.record(
            AuditAction.CASE_REVIEW_DECIDED,
            actor=user,
            report=review.report,
            before={"stage": "applied"},
            after={
                "case_review": review.id,
                "threshold_met": met,
                "counted_met": decision.met,
                "overridden": overridden,
                "late": late,
            },
            detail=("Met: " if met else "Not met: ")
            + decision.summary
            + (f". Decided differently from the count: {note}" if overridden else "")
            + (f". Late: it was due by {long_date(review.decision_due)}" if late else ""),
        )
    return review


def is_late(review: CaseReview) -> bool:
    """The threshold decision was made, or is still to be made, after the day it was due."""
    decided_on = london_date(review.decided_at) if review.decided_at else london_today()
    return decided_on > review.decision_due
