"""The ASB Case Review in the back-office: recording an application made by phone, paper, email or in
person, the list of open applications, and each one's page with its threshold decision.

Each page calls one function of ``portal.cases.case_review``; a refusal shows the form again with
the message against its field and everything typed kept.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from portal.accounts.roles import VIEW, WORK, can
from portal.cases import case_review as applications
from portal.cases import operations
from portal.cases.case_review import Applicant, CaseReviewError, Declared
from portal.extensions import db
from portal.models.case_review import APPLICANTS, CHANNELS, STAGES
from portal.officer import bp
from portal.officer.forms import CaseReviewApplicationForm, ThresholdDecisionForm
from portal.officer.permissions import requires
from portal.text.labels import AGENCY_LABELS
from portal.triage.calendar import london_today
from portal.triage.case_review import HOUSEHOLDS_SAME_PROBLEM, REPORTS_BY_ONE_PERSON
from portal.web import case_review_fields

PART_WORDS = {
    REPORTS_BY_ONE_PERSON: "Reports by the applicant",
    HOUSEHOLDS_SAME_PROBLEM: "Households reporting the same problem",
}


@bp.route("/cases/<reference>/case-review/apply", methods=["GET", "POST"])
@requires(WORK)
def record_case_review_application(reference: str) -> Any:
    try:
        report = operations.find_case(reference)
    except operations.CaseNotFound as error:
        abort(404, description=str(error))
    form = CaseReviewApplicationForm()
    refused = applications.refusal(report)
    status = 200
    if request.method == "POST" and refused is None:
        if "add_another" in request.form:
            form.validate()  # reads what was sent, so it is shown again; no messages yet
            for field in form:
                field.errors = []
            case_review_fields.add_row(form)
        elif _valid(form):
            declared, where = case_review_fields.declared(form)
            try:
                review = applications.apply(
                    reference,
                    channel=form.channel.data,
                    applicant=Applicant(
                        who=form.applicant.data,
                        name=form.applicant_name.data or "",
                        email=form.applicant_email.data or "",
                        phone=form.applicant_phone.data or "",
                        consent_given_on=form.consent_given_on.data,
                        consent_how=form.consent_how.data or "",
                    ),
                    account=form.account.data,
                    reported_elsewhere=[Declared(on, agency) for on, agency in declared],
                    actor=current_user,
                )
            except CaseReviewError as error:
                db.session.rollback()
                if not case_review_fields.show_error(form, error.field, str(error), where):
                    refused = str(error)
                status = 400
            else:
                flash("The application for an ASB Case Review has been recorded", "success")
                return redirect(url_for("officer.case_review", review_id=review.id))
        else:
            status = 400
    return (
        render_template(
            "officer/case_review_apply.html",
            form=form,
            report=report,
            refused=refused,
            request_was_post=request.method == "POST",
            rows=case_review_fields.rows(form),
            may_add_row=case_review_fields.row_count(form) < case_review_fields.MAX_ROWS,
            history=applications.history_for_report(report),
        ),
        status,
    )


def _valid(form: CaseReviewApplicationForm) -> bool:
    """The form's checks, and each row of reports elsewhere complete: every message at once."""
    valid = form.validate_on_submit()
    complete = case_review_fields.rows_complete(form, you=False)
    return valid and complete


@bp.get("/case-reviews")
@requires(VIEW)
def case_reviews() -> Any:
    reviews = applications.open_reviews()
    today = london_today()
    return render_template(
        "officer/case_reviews.html",
        reviews=reviews,
        counts=applications.stage_counts(reviews, today),
        stages=STAGES,
        today=today,
    )


def _show_review(review_id: int, form: ThresholdDecisionForm | None = None, status: int = 200) -> Any:
    try:
        review = applications.get_review(review_id)
    except applications.ReviewNotFound as error:
        abort(404, description=str(error))
    report = review.report
    counted = applications.computed(review) if review.stage == "applied" else None
    if form is None:
        form = ThresholdDecisionForm(formdata=None)
        if counted is not None:
            form.met.data = "yes" if counted.met else "no"
    return (
        render_template(
            "officer/case_review.html",
            review=review,
            report=report,
            recommendations=applications.recommendations(review),
            history=applications.history_for_report(report, review.applied_at),
            counted=counted,
            decision_form=form,
            may_decide=review.stage == "applied" and can(current_user, WORK),
            late=applications.is_late(review),
            stages=STAGES,
            channels=CHANNELS,
            applicants=APPLICANTS,
            agencies=AGENCY_LABELS,
            part_words=PART_WORDS,
            position=applications.position(review),
        ),
        status,
    )


@bp.get("/case-reviews/<int:review_id>")
@requires(VIEW)
def case_review(review_id: int) -> Any:
    return _show_review(review_id)


@bp.post("/case-reviews/<int:review_id>/threshold")
@requires(WORK)
def decide_case_review_threshold(review_id: int) -> Any:
    form = ThresholdDecisionForm()
    if not form.validate_on_submit():
        return _show_review(review_id, form, 400)
    try:
        applications.decide(review_id, current_user, met=form.met.data == "yes", note=form.note.data or "")
    except applications.ReviewNotFound as error:
        abort(404, description=str(error))
    except CaseReviewError as error:
        db.session.rollback()
        target = form.note if error.field == "note" else form.met
        target.errors = [str(error)]
        return _show_review(review_id, form, 400)
    flash("The threshold decision has been recorded", "success")
    return redirect(url_for("officer.case_review", review_id=review_id))
