"""The records of the work on the case page: a POST for each change, and what the page shows.

Every change goes through ``case_views._attempt``: on success back to the case page with a
message; refused, the case page again with the message and the form as the officer filled it in.
The case page's section (``templates/officer/_records.html``) calls ``case_records(report)``,
which gives the records and a form for each, filled in from what is recorded, or the one form
the officer just sent if it was refused.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_login import current_user
from jinja2 import pass_context
from jinja2.runtime import Context

from portal.accounts.roles import WORK
from portal.cases import records
from portal.models import Report
from portal.models.work import AGE_BANDS, HARDENING_ITEMS, MEDIATION_OUTCOMES, POWERS
from portal.officer import bp, case_views
from portal.officer.forms import (
    CameraForm,
    CompleteActionForm,
    MediationForm,
    PowerUseForm,
    TargetHardeningForm,
    TaskingActionForm,
    TaskingForm,
)
from portal.officer.permissions import requires

YES_NO = {"yes": True, "no": False}
FORM_NAMES = ("mediation_form", "hardening_form", "tasking_form", "action_form", "camera_form", "power_form")


def camera_choices() -> list[tuple[str, str]]:
    return [("", "Choose a camera"), *((camera, camera) for camera in records.partnership_cameras())]


def _camera_form(**kwargs: Any) -> CameraForm:
    form = CameraForm(**kwargs)
    form.camera.choices = camera_choices()
    return form


# The forms each section of the case page's records shows.
SECTION_FORMS = {
    records.MEDIATION: ("mediation_form",),
    records.TARGET_HARDENING: ("hardening_form",),
    records.TASKING: ("tasking_form", "action_form", "camera_form"),
    records.ASB_POWERS: ("power_form",),
}


def record_forms(work: records.WorkRecords) -> dict[str, Any]:
    """A form for each record the case page shows, filled in from what is recorded, on the
    case's current version. Sections the case does not show get no form."""
    report = work.report
    mediation, hardening, tasking = work.mediation, work.hardening, work.tasking
    makers: dict[str, Callable[[], Any]] = {
        "mediation_form": lambda: MediationForm(
            formdata=None,
            version=report.version,
            referral_date=mediation.referral_date if mediation else None,
            sessions=mediation.sessions if mediation else None,
            mediation_outcome=(mediation.outcome or "") if mediation else "",
        ),
        "hardening_form": lambda: TargetHardeningForm(
            formdata=None,
            version=report.version,
            survey_date=hardening.survey_date if hardening else None,
            hardening_items=list(hardening.items or []) if hardening else [],
            other_items=hardening.other_items if hardening else "",
            installation_date=hardening.installation_date if hardening else None,
        ),
        "tasking_form": lambda: TaskingForm(
            formdata=None,
            version=report.version,
            meeting_date=tasking.meeting_date if tasking else None,
            decision=tasking.decision if tasking else "",
        ),
        "action_form": lambda: TaskingActionForm(formdata=None, version=report.version),
        "camera_form": lambda: _camera_form(formdata=None, version=report.version),
        "power_form": lambda: PowerUseForm(formdata=None, version=report.version),
    }
    shown = [name for section in work.sections for name in SECTION_FORMS[section]]
    return {name: makers[name]() for name in shown}


@dataclass(frozen=True)
class RecordsSection:
    work: records.WorkRecords
    forms: dict[str, Any]
    refused: str | None  # the name of the form the officer sent that was refused, shown open
    today: date
    labels: dict[str, dict[str, str]]
    titles: dict[str, str]

    @staticmethod
    def fieldset(field: Any, classes: str = "") -> dict[str, Any]:
        """GOV.UK params for a question asked in a fieldset: its legend, small, and no empty hint."""
        params: dict[str, Any] = {
            "fieldset": {"legend": {"text": field.label.text, "classes": "govuk-fieldset__legend--s"}}
        }
        if classes:
            params["classes"] = classes
        if not field.description:
            params["hint"] = None
        return params

    @property
    def items_fitted(self) -> str:
        """The target hardening items fitted, in words, with what "other" was."""
        record = self.work.hardening
        if record is None:
            return ""
        return ", ".join(
            f"Other: {record.other_items}" if item == "other" else HARDENING_ITEMS.get(item, item)
            for item in record.items or []
        )


@pass_context
def case_records(context: Context, report: Report) -> RecordsSection:
    """What the case page's section shows: the records, and the forms (a refused one as it was sent)."""
    work = records.work_records(report)
    forms = record_forms(work)
    refused = None
    for name in FORM_NAMES:
        sent = context.get(name)
        if sent is not None:
            forms[name], refused = sent, name
    return RecordsSection(
        work=work,
        forms=forms,
        refused=refused,
        today=records.today(),
        labels={
            "outcomes": MEDIATION_OUTCOMES,
            "items": HARDENING_ITEMS,
            "powers": POWERS,
            "age_bands": AGE_BANDS,
        },
        titles=records.SECTION_TITLES,
    )


@bp.app_context_processor
def _records_helpers() -> dict[str, Any]:
    return {"case_records": case_records}


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
    form = _camera_form()
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
