"""The changes officers make to a case from its page: claim, assign, status, first contact,
re-route, notes and updates to the resident. Each is one operation of ``portal.cases.operations``."""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from portal.accounts.roles import SUPERVISE, WORK
from portal.cases import operations
from portal.officer import bp
from portal.officer.forms import (
    AssignForm,
    ClaimForm,
    FirstContactForm,
    NoteForm,
    RerouteForm,
    StatusForm,
    UpdateForm,
)
from portal.officer.permissions import requires
from portal.officer.views.case_page import attempt


@bp.post("/cases/<reference>/claim")
@requires(WORK)
def claim(reference: str) -> Any:
    form = ClaimForm()
    return attempt(
        reference,
        "claim_form",
        form,
        lambda: operations.claim(reference, current_user),
        "You have claimed this case",
    )


@bp.post("/cases/<reference>/assign")
@requires(SUPERVISE)
def assign(reference: str) -> Any:
    form = AssignForm()
    form.officer.choices = [("", "No one"), *((str(o.id), o.name) for o in operations.current_officers())]
    officer_id = int(form.officer.data) if (form.officer.data or "").isdigit() else None
    return attempt(
        reference,
        "assign_form",
        form,
        lambda: operations.assign(reference, current_user, officer_id, form.version.data),
        "The case has been assigned",
    )


@bp.post("/cases/<reference>/status")
@requires(WORK)
def status(reference: str) -> Any:
    form = StatusForm()
    return attempt(
        reference,
        "status_form",
        form,
        lambda: operations.change_status(
            reference, current_user, form.status.data, form.outcome.data, form.version.data
        ),
        "The status has been changed",
    )


@bp.post("/cases/<reference>/first-contact")
@requires(WORK)
def first_contact(reference: str) -> Any:
    form = FirstContactForm()
    return attempt(
        reference,
        "contact_form",
        form,
        lambda: operations.record_first_contact(
            reference,
            current_user,
            form.contacted_on.data,
            form.channel.data,
            form.version.data,
            start_work=form.starts_work,
        ),
        "First contact has been recorded",
    )


@bp.post("/cases/<reference>/reroute")
@requires(SUPERVISE)
def reroute(reference: str) -> Any:
    form = RerouteForm()
    return attempt(
        reference,
        "reroute_form",
        form,
        lambda: operations.reroute(
            reference, current_user, form.route.data, form.reason.data, form.version.data
        ),
        "The case has been re-routed",
    )


@bp.post("/cases/<reference>/notes")
@requires(WORK)
def add_note(reference: str) -> Any:
    form = NoteForm()
    return attempt(
        reference,
        "note_form",
        form,
        lambda: operations.add_note(reference, current_user, form.text.data),
        "Your note has been added",
    )


@bp.post("/cases/<reference>/updates")
@requires(WORK)
def post_update(reference: str) -> Any:
    form = UpdateForm()
    return attempt(
        reference,
        "update_form",
        form,
        lambda: operations.post_update(reference, current_user, form.text.data),
        "Your update has been emailed to the resident",
    )


@bp.post("/cases/<reference>/portal-updates")
@requires(WORK)
def post_portal_update(reference: str) -> Any:
    form = UpdateForm()
    return attempt(
        reference,
        "update_form",
        form,
        lambda: operations.post_portal_update(reference, current_user, form.text.data),
        "Your update is on the resident's report page: they see it when they sign in with a code",
    )
