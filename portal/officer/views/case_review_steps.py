"""An ASB Case Review's steps after its threshold decision, each a page of one form: the review
meeting, its recommendations (added, and marked done), the outcome letter, an escalation and its
outcome; and, for supervisors, the figures for a financial year, as a page and a CSV file.

Each step calls one function of ``portal.cases.case_review_steps``. On success it goes back to
the review's page; refused, the form is shown again as it was sent, with the message beside the
answer at fault (or above the form, when the stage or the officer cannot take the step).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers.response import Response

from portal.accounts.roles import SUPERVISE, WORK
from portal.cases import case_review as applications
from portal.cases import case_review_steps as steps
from portal.cases import downloads, operations
from portal.extensions import db
from portal.figures.year import EARLIEST_YEAR, LATEST_YEAR, current_financial_year
from portal.models import CaseReview
from portal.officer import bp
from portal.officer.forms import (
    CaseReviewMeetingForm,
    CompleteRecommendationForm,
    EscalationForm,
    EscalationOutcomeForm,
    OutcomeLetterForm,
    RecommendationForm,
)
from portal.officer.permissions import requires
from portal.text.csv_safe import csv_response

FIGURES_CSV_HEADER = ("Figure", "Line", "Count")


def review_url(review: CaseReview) -> str:
    """The review's own page."""
    return url_for("officer.case_review", review_id=review.id)


def _review(review_id: int) -> CaseReview:
    try:
        return applications.get_review(review_id)
    except applications.ReviewNotFound as error:
        abort(404, description=str(error))


def _meeting_form() -> CaseReviewMeetingForm:
    form = CaseReviewMeetingForm()
    form.agencies_present.choices = [(agency, agency) for agency in steps.partnership_agencies()]
    return form


@dataclass(frozen=True)
class Step:
    """One step's page: its form, the domain function it calls, and what it says."""

    step: str  # a key of steps.STEP_STAGES
    path: str  # after /officer/case-reviews/<id>/
    endpoint: str
    title: str
    intro: str
    button: str
    form: Callable[[], Any]
    change: Callable[[int, Any], Any]  # the review's id and the form
    success: str


def _meeting(review_id: int, form: CaseReviewMeetingForm) -> Any:
    heard = set(form.victim_heard.data or [])
    return steps.record_meeting(
        review_id,
        current_user,
        form.meeting_on.data,
        form.chair_name.data,
        form.chair_organisation.data,
        form.agencies_present.data or [],
        "invited" in heard,
        "attended" in heard,
        "in_writing" in heard,
        form.victim_views.data,
        form.findings.data,
    )


STEPS = (
    Step(
        steps.MEETING,
        "meeting",
        "case_review_meeting",
        "Record the review meeting",
        "The meeting of the agencies that reviewed how they responded, with its independent chair.",
        "Save the review meeting",
        _meeting_form,
        _meeting,
        "The review meeting has been recorded",
    ),
    Step(
        steps.OUTCOME,
        "outcome",
        "case_review_outcome",
        "Record the outcome letter",
        "The letter to the applicant saying what the review found and what the agencies will do. "
        "An applicant who can be emailed safely is told by email that it has been sent.",
        "Save the outcome letter",
        OutcomeLetterForm,
        lambda review_id, form: steps.record_outcome(
            review_id, current_user, form.sent_on.data, form.summary.data
        ),
        "The outcome letter has been recorded",
    ),
    Step(
        steps.ESCALATION,
        "escalation",
        "case_review_escalation",
        "Record an escalation",
        "The applicant disputes how the review was handled: it goes to the body the policy names.",
        "Save the escalation",
        EscalationForm,
        lambda review_id, form: steps.escalate(
            review_id, current_user, form.escalated_on.data, form.reason.data
        ),
        "The escalation has been recorded",
    ),
    Step(
        steps.ESCALATION_OUTCOME,
        "escalation-outcome",
        "case_review_escalation_outcome",
        "Record the escalation's outcome",
        "What the body the review was escalated to decided.",
        "Save the escalation's outcome",
        EscalationOutcomeForm,
        lambda review_id, form: steps.record_escalation_outcome(
            review_id, current_user, form.decided_on.data, form.result.data, form.note.data
        ),
        "The escalation's outcome has been recorded",
    ),
)


def _attempt(form: Any, change: Callable[[], Any]) -> str | None:
    """Validate ``form`` and run ``change``: None when it was made, else the problem not shown
    beside an answer ("" when every problem is beside its answer)."""
    if not form.validate_on_submit():
        return ""
    try:
        change()
    except applications.ReviewNotFound as error:
        abort(404, description=str(error))
    except steps.StepError as error:
        db.session.rollback()
        if error.field in form:
            form[error.field].errors = [*form[error.field].errors, str(error)]
            return ""
        return str(error)
    except operations.CaseError as error:
        db.session.rollback()
        return str(error)
    return None


def step_view(step: Step) -> Callable[..., Any]:
    def view(review_id: int) -> Any:
        review = _review(review_id)
        shown = {
            "step": step,
            "reference": review.report.reference,
            "stage": review.stage_label,
            "back_url": review_url(review),
        }
        form = step.form()
        problem: str | None = None
        if request.method == "POST":
            problem = _attempt(form, lambda: step.change(review_id, form))
            if problem is None:
                flash(step.success, "success")
                return redirect(shown["back_url"])
        elif not steps.allows(review, step.step):
            problem = (
                f"The ASB Case Review is at “{review.stage_label.lower()}”: {steps.STEP_WORDS[step.step]}"
            )
        status = 200 if request.method == "GET" else 400
        return render_template("officer/case_review/step.html", form=form, problem=problem, **shown), status

    view.__name__ = view.__qualname__ = step.endpoint
    return requires(WORK)(view)


for _step in STEPS:
    bp.add_url_rule(
        f"/case-reviews/<int:review_id>/{_step.path}",
        _step.endpoint,
        step_view(_step),
        methods=["GET", "POST"],
    )


def _recommendations_page(
    review: CaseReview, form: RecommendationForm | None = None, problem: str | None = None, status: int = 200
) -> Any:
    return (
        render_template(
            "officer/case_review/recommendations.html",
            form=form or RecommendationForm(formdata=None),
            done_form=CompleteRecommendationForm(formdata=None),
            problem=problem,
            review_id=review.id,
            reference=review.report.reference,
            stage=review.stage_label,
            may_add=steps.allows(review, steps.RECOMMENDATION),
            recommendations=applications.recommendations(review),
            back_url=review_url(review),
        ),
        status,
    )


@bp.get("/case-reviews/<int:review_id>/recommendations")
@requires(WORK)
def case_review_recommendations(review_id: int) -> Any:
    review = _review(review_id)
    problem = None
    if not steps.allows(review, steps.RECOMMENDATION):
        problem = (
            f"The ASB Case Review is at “{review.stage_label.lower()}”: {steps.STEP_WORDS['recommendation']}"
        )
    return _recommendations_page(review, problem=problem)


@bp.post("/case-reviews/<int:review_id>/recommendations")
@requires(WORK)
def add_case_review_recommendation(review_id: int) -> Any:
    _review(review_id)
    form = RecommendationForm()
    problem = _attempt(
        form,
        lambda: steps.add_recommendation(
            review_id, current_user, form.description.data, form.owner.data, form.due_date.data
        ),
    )
    if problem is None:
        flash("The recommendation has been added", "success")
        return redirect(url_for("officer.case_review_recommendations", review_id=review_id))
    return _recommendations_page(_review(review_id), form, problem or None, 400)


@bp.post("/case-reviews/<int:review_id>/recommendations/<int:action_id>/done")
@requires(WORK)
def complete_case_review_recommendation(review_id: int, action_id: int) -> Response | Any:
    _review(review_id)  # a review that does not exist is not found
    problem = _attempt(
        CompleteRecommendationForm(),
        lambda: steps.complete_recommendation(review_id, current_user, action_id),
    )
    if problem is None:
        flash("The recommendation has been marked done", "success")
        return redirect(url_for("officer.case_review_recommendations", review_id=review_id))
    return _recommendations_page(_review(review_id), problem=problem or "Try again", status=400)


def _year() -> int:
    """The financial year asked for (``?year=2026`` is 1 April 2026 to 31 March 2027), or the
    current one."""
    text = request.args.get("year", "")
    if text.isascii() and text.isdigit() and EARLIEST_YEAR <= int(text) <= LATEST_YEAR:
        return int(text)
    return current_financial_year()


@bp.get("/case-reviews/figures")
@requires(SUPERVISE)
def case_review_figures() -> Any:
    return render_template("officer/case_review/figures.html", figures=steps.figures(_year()))


@bp.get("/case-reviews/figures.csv")
@requires(SUPERVISE)
def case_review_figures_csv() -> Any:
    figures = steps.figures(_year())
    downloads.record_case_review_figures_export(current_user, figures.year, figures.applications)
    return csv_response(
        figures.rows(), FIGURES_CSV_HEADER, f"asb-case-review-figures-{figures.year}-{figures.year + 1}.csv"
    )
