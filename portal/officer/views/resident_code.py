"""Making a sign-in code for a resident whose email is not safe, from the case page.

The code is shown once, on the page the button's post returns (never in a redirect, a flash or the
session), for the officer to give over the safe contact the case page names.
"""

from __future__ import annotations

from typing import Any

from flask import abort, current_app, render_template, url_for
from flask_login import current_user

from portal.accounts.roles import WORK
from portal.cases import operations, resident_code
from portal.cases.safe_contact import SafeContact
from portal.extensions import db
from portal.officer import bp
from portal.officer.forms import SignInCodeForm
from portal.officer.permissions import requires
from portal.officer.views.case_page import _show


@bp.post("/cases/<reference>/sign-in-code")
@requires(WORK)
def create_resident_code(reference: str) -> Any:
    form = SignInCodeForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        code = resident_code.create_sign_in_code(reference, current_user, form.version.data)
    except operations.CaseNotFound as error:
        abort(404, description=str(error))
    except operations.CaseError as error:
        db.session.rollback()
        return _show(reference, 409 if isinstance(error, operations.StaleCase) else 400, problem=str(error))
    report = operations.find_case(reference)
    return render_template(
        "officer/resident_code.html",
        report=report,
        code=resident_code.shown(code),
        hours=resident_code.code_hours(),
        attempts=current_app.config["RESIDENT_CODE_ATTEMPTS"],
        sign_in_address=current_app.config["PUBLIC_BASE_URL"] + url_for("public.sign_in_with_code"),
        safe_contact=SafeContact.for_report(report),
    )
