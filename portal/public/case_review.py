"""Applying online for an ASB Case Review, signed in to one's report: what it is, the reports of
theirs the portal already counts, the incidents in their words and the reports they made elsewhere;
then check your answers, and a confirmation saying when the decision is due.

Nothing the resident types is kept between pages: the check-answers page carries the answers in
its own form, and sends them back to change them or on to apply. The pages sit under
``/your-report``, so they carry "Exit this page" and are never cached.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for

from portal.cases import case_review as applications
from portal.cases.case_review import Applicant, CaseReviewError, Declared
from portal.cases.operations import TEXT_MAX
from portal.extensions import db
from portal.models import Report
from portal.public import bp
from portal.public.your_report import signed_in_case
from portal.reports.triage_policy import current_policy
from portal.text.labels import AGENCY_LABELS
from portal.web import case_review_fields
from portal.web.forms import PublicForm
from portal.web.limits import public_forms


class ApplyForm(PublicForm):
    """The resident's application: the incidents, and the reports they made elsewhere."""


case_review_fields.with_application_fields(ApplyForm, "you", TEXT_MAX)


def _signed_in_report() -> Report | None:
    report_id = signed_in_case()
    return db.session.get(Report, report_id) if report_id is not None else None


def _form_page(report: Report, form: ApplyForm, status: int = 200, problem: str | None = None) -> Any:
    refused = applications.resident_refusal(report)
    return (
        render_template(
            "public/your_report/case_review.html",
            form=form,
            reference=report.reference,
            refused=refused,
            problem=problem,
            rows=case_review_fields.rows(form),
            may_add_row=case_review_fields.row_count(form) < case_review_fields.MAX_ROWS,
            history=applications.history_for_report(report),
            terms=current_policy().case_review,
        ),
        status,
    )


@bp.route("/your-report/case-review", methods=["GET", "POST"])
@public_forms
def case_review_apply() -> Any:
    """The form; sent, the check-answers page, which sends the answers back here to change them or,
    with "send", to apply."""
    report = _signed_in_report()
    if report is None:
        return redirect(url_for("public.check_report"))
    form = ApplyForm()
    if request.method == "GET" or applications.resident_refusal(report) is not None:
        return _form_page(report, form)
    if "add_another" in request.form or "change" in request.form:
        form.validate()  # reads what was sent, to show it again; no messages yet
        for field in form:
            field.errors = []
        if "add_another" in request.form:
            case_review_fields.add_row(form)
        return _form_page(report, form)
    valid = form.validate_on_submit()
    complete = case_review_fields.rows_complete(form)  # its messages too, whatever else is wrong
    declared, where = case_review_fields.declared(form)
    if not (valid and complete):
        return _form_page(report, form, 400)
    if "send" in request.form:
        return _send(report, form, declared, where)
    return render_template(
        "public/your_report/case_review_check.html",
        form=form,
        reference=report.reference,
        account=form.account.data,
        declared=declared,
        agencies=AGENCY_LABELS,
        hidden=case_review_fields.hidden_answers(form),
    )


def _send(report: Report, form: ApplyForm, declared: list[tuple[Any, str]], where: list[int]) -> Any:
    try:
        applications.apply(
            report.reference,
            channel="online",
            applicant=Applicant(),
            account=form.account.data,
            reported_elsewhere=[Declared(on, agency) for on, agency in declared],
            actor=None,
        )
    except CaseReviewError as error:
        db.session.rollback()
        reread = db.session.get(Report, report.id)
        if reread is None:
            abort(404)
        message = _in_residents_words(str(error))
        if case_review_fields.show_error(form, error.field, message, where):
            return _form_page(reread, form, 400)
        return _form_page(reread, form, 400, problem=applications.resident_refusal(reread) or message)
    return redirect(url_for("public.case_review_sent"))


def _in_residents_words(message: str) -> str:
    return message.replace(" made elsewhere", "").replace(
        "Choose where report", "Choose where you made report"
    )


@bp.get("/your-report/case-review/sent")
def case_review_sent() -> Any:
    report = _signed_in_report()
    if report is None:
        return redirect(url_for("public.check_report"))
    review = applications.latest_review(report.id)
    if review is None:
        return redirect(url_for("public.case_review_apply"))
    return render_template(
        "public/your_report/case_review_sent.html",
        reference=report.reference,
        decision_due=review.decision_due,
        position=applications.position(review),
    )
