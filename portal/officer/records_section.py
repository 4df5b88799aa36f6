"""What the case page's records section shows: the records, and a form for each.

The case view builds it (``records_section``) and passes it in; ``templates/officer/_records.html``
only shows it, so no query runs while the page renders.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from portal.cases import records
from portal.models import Report
from portal.models.work import AGE_BANDS, HARDENING_ITEMS, MEDIATION_OUTCOMES, POWERS
from portal.officer.forms import (
    CameraForm,
    MediationForm,
    PowerUseForm,
    TargetHardeningForm,
    TaskingActionForm,
    TaskingForm,
)

FORM_NAMES = ("mediation_form", "hardening_form", "tasking_form", "action_form", "camera_form", "power_form")


def camera_choices() -> list[tuple[str, str]]:
    return [("", "Choose a camera"), *((camera, camera) for camera in records.partnership_cameras())]


def camera_form(**kwargs: Any) -> CameraForm:
    """The camera deployment form, offering the partnership's cameras."""
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
        "camera_form": lambda: camera_form(formdata=None, version=report.version),
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


def records_section(report: Report, sent: Mapping[str, Any]) -> RecordsSection:
    """What the case page's section shows: the records, and the forms, with a refused one of
    ``sent`` (the forms the officer sent, by name) as it was sent."""
    work = records.work_records(report)
    forms = record_forms(work)
    refused = None
    for name in FORM_NAMES:
        given = sent.get(name)
        if given is not None:
            forms[name], refused = given, name
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
