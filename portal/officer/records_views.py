"""The records of the work on the case page: a POST for each change.

Every change goes through ``case_views._attempt``: on success back to the case page with a
message; refused, the case page again with the message and the form as the officer filled it in.
What the case page's section shows is built in ``portal.officer.records_section``.
"""

from __future__ import annotations

from typing import Any

from flask_login import current_user

from portal.accounts.roles import WORK
from portal.cases import records
from portal.officer import bp, case_views
from portal.officer.forms import (
    CompleteActionForm,
    MediationForm,
    PowerUseForm,
    TargetHardeningForm,
    TaskingActionForm,
    TaskingForm,
)
from portal.officer.permissions import requires
from portal.officer.records_section import camera_form

YES_NO = {"yes": True, "no": False}


@bp.post("/cases/<reference>/records/mediation")
@requires(WORK)
def record_mediation(reference: str) -> Any:
    form = MediationForm()
    return case_views._attempt(
        reference,
        "mediation_form",
        form,
        lambda: records.save_mediation(
            reference,
            current_user,
            form.version.data,
            form.referral_date.data,
            form.sessions.data,
            form.mediation_outcome.data,
        ),
        "The mediation record has been saved",
    )


@bp.post("/cases/<reference>/records/target-hardening")
@requires(WORK)
def record_target_hardening(reference: str) -> Any:
    form = TargetHardeningForm()
    return case_views._attempt(
        reference,
        "hardening_form",
        form,
        lambda: records.save_target_hardening(
            reference,
            current_user,
            form.version.data,
            form.survey_date.data,
            form.hardening_items.data or [],
            form.other_items.data,
            form.installation_date.data,
        ),
        "The target hardening record has been saved",
    )


@bp.post("/cases/<reference>/records/tasking")
@requires(WORK)
def record_tasking(reference: str) -> Any:
    form = TaskingForm()
    return case_views._attempt(
        reference,
        "tasking_form",
        form,
        lambda: records.save_tasking(
            reference, current_user, form.version.data, form.meeting_date.data, form.decision.data
        ),
        "The tasking meeting record has been saved",
    )


@bp.post("/cases/<reference>/records/actions")
@requires(WORK)
def add_tasking_action(reference: str) -> Any:
    form = TaskingActionForm()
    return case_views._attempt(
        reference,
        "action_form",
        form,
        lambda: records.add_action(
            reference,
            current_user,
            form.version.data,
            form.action_description.data,
            form.action_owner.data,
            form.action_due.data,
        ),
        "The action has been added",
    )


@bp.post("/cases/<reference>/records/actions/<int:action_id>/done")
@requires(WORK)
def complete_tasking_action(reference: str, action_id: int) -> Any:
    form = CompleteActionForm()
    return case_views._attempt(
        reference,
        "complete_action_form",
        form,
        lambda: records.complete_action(reference, current_user, form.version.data, action_id),
        "The action has been marked done",
    )


@bp.post("/cases/<reference>/records/cameras")
@requires(WORK)
def add_camera_deployment(reference: str) -> Any:
    form = camera_form()
    return case_views._attempt(
        reference,
        "camera_form",
        form,
        lambda: records.add_camera(
            reference,
            current_user,
            form.version.data,
            form.camera.data,
            form.camera_location.data,
            YES_NO.get(form.signage.data or ""),
            form.camera_from.data,
            form.camera_to.data,
        ),
        "The camera deployment has been recorded",
    )


@bp.post("/cases/<reference>/records/powers")
@requires(WORK)
def add_power_use(reference: str) -> Any:
    form = PowerUseForm()
    return case_views._attempt(
        reference,
        "power_form",
        form,
        lambda: records.add_power_use(
            reference,
            current_user,
            form.version.data,
            form.power.data,
            form.power_date.data,
            form.served_on_name.data,
            form.served_on_age_band.data,
            form.served_by.data,
        ),
        "The use of the tool or power has been recorded",
    )
