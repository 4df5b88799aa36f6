"""The case page: everything about one case on one page, its evidence files, and the way every
change made from it ends.

Each change (``casework``, ``records``) is a POST that calls one operation through ``attempt``: on
success it redirects back to the case, and on a refusal it shows the case again with the message
and with what the officer typed kept.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_login import current_user
from werkzeug.wrappers.response import Response

from portal.accounts.roles import SUPERVISE, VIEW, WORK, can
from portal.cases import downloads, operations
from portal.cases.casefile import case_file
from portal.extensions import db
from portal.models import Report
from portal.models.case_review import STAGES as CASE_REVIEW_STAGES
from portal.models.report import CONTACT_CHANNELS, OPEN_STATUSES, OUTCOMES, STATUS_LABELS
from portal.officer import bp
from portal.officer.forms import (
    AssignForm,
    ClaimForm,
    FirstContactForm,
    NoteForm,
    RerouteForm,
    SignInCodeForm,
    StatusForm,
    UpdateForm,
)
from portal.officer.permissions import requires
from portal.officer.records_section import records_section
from portal.reports import evidence


def _forms(**given: Any) -> dict[str, Any]:
    forms: dict[str, Any] = {
        "claim_form": ClaimForm(formdata=None),
        "assign_form": AssignForm(formdata=None),
        "status_form": StatusForm(formdata=None),
        "contact_form": FirstContactForm(formdata=None),
        "reroute_form": RerouteForm(formdata=None),
        "note_form": NoteForm(formdata=None),
        "update_form": UpdateForm(formdata=None),
        "code_form": SignInCodeForm(formdata=None),
    }
    forms.update(given)
    officers = operations.current_officers()
    forms["assign_form"].officer.choices = [("", "No one"), *((str(o.id), o.name) for o in officers)]
    return forms


def _show(
    reference: str, status: int = 200, problem: str | None = None, report: Report | None = None, **given: Any
) -> Any:
    report = report or operations.find_case(reference)
    forms = _forms(**given)
    for name in ("assign_form", "status_form", "contact_form", "reroute_form", "code_form"):
        if forms[name].version.data is None:
            forms[name].version.data = report.version
    # The status form offers the case's own status, chosen, and the statuses it may move to.
    next_statuses = operations.next_statuses(report, current_user)
    status_form = forms["status_form"]
    status_form.status.choices = [
        (value, label)
        for value, label in STATUS_LABELS.items()
        if value == report.status or value in next_statuses
    ]
    if "status_form" not in given:
        status_form.status.data = report.status
    is_open = report.status in OPEN_STATUSES
    may_work = operations.may_work_on(current_user, report)
    case = case_file(report)
    return (
        render_template(
            "officer/case.html",
            case=case,
            report=report,
            problem=problem,
            may_work=may_work,
            # A closed case keeps its records on show; more are recorded only while it is open.
            may_record=may_work and is_open,
            may_claim=is_open and not report.assignee_id,
            may_change_status=bool(next_statuses),
            is_open=is_open,
            can_supervise=can(current_user, SUPERVISE),
            resident_can_be_emailed=case.safe_contact.may_email,
            may_give_code=may_work and not report.anonymous and report.anonymised_at is None,
            may_work_any=can(current_user, WORK),
            case_review_stages=CASE_REVIEW_STAGES,
            status_labels=STATUS_LABELS,
            outcomes=OUTCOMES,
            channels=CONTACT_CHANNELS,
            records=records_section(report, given),
            **forms,
        ),
        status,
    )


def _done(reference: str, message: str) -> Response:
    flash(message, "success")
    return redirect(url_for("officer.case", reference=reference))


def attempt(reference: str, form_name: str, form: Any, change: Callable[[], Any], success: str) -> Any:
    """Run ``change`` for the form the officer sent, named ``form_name`` on the case page.

    A form that does not validate, or a change refused with a ``CaseError``, shows the case page
    again (400, or 409 for a stale or already claimed case) with the first problem and the form as
    it was sent; a missing case is a 404. Otherwise the page says ``success`` and redirects to the case.
    """
    if not form.validate_on_submit():
        first = next(iter(form.errors.values()))[0]
        return _show(reference, 400, problem=first, **{form_name: form})
    try:
        change()
    except operations.CaseNotFound as error:
        abort(404, description=str(error))
    except operations.CaseError as error:
        db.session.rollback()
        return _show(
            reference,
            409 if isinstance(error, (operations.StaleCase, operations.AlreadyClaimed)) else 400,
            problem=str(error),
            **{form_name: form},
        )
    return _done(reference, success)


@bp.get("/cases/<reference>")
@requires(VIEW)
def case(reference: str) -> Any:
    try:
        report = operations.record_view(reference, current_user)
    except operations.CaseNotFound as error:
        abort(404, description=str(error))
    return _show(reference, report=report)


@bp.get("/cases/<reference>/attachments/<int:attachment_id>")
@requires(VIEW)
def attachment(reference: str, attachment_id: int) -> Any:
    """Evidence, only to signed-in officers, always as a download, never shown inline; audited."""
    try:
        item = downloads.download_evidence(reference, attachment_id, current_user)
    except downloads.EvidenceNotFound:
        abort(404)
    response = send_file(
        evidence.path_for(item),
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.original_name,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "no-store"
    return response
