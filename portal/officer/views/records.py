"""The records of the work on the case page: one POST for each kind of record, from a table.

Each kind names its URL, its form, the function of ``portal.cases.records`` that makes the
change, and what the page says when it is made. Every change goes through
``case_page.attempt``: on success back to the case page with the message; refused, the case
page again with the message and the form as the officer filled it in. What the case page's
section shows is built in ``portal.officer.records_section``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask_login import current_user

from portal.accounts.roles import WORK
from portal.cases import records
from portal.officer import bp
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
from portal.officer.views import case_page

YES_NO = {"yes": True, "no": False}


@dataclass(frozen=True)
class RecordKind:
    """One kind of record the case page sends, and the change it makes."""

    path: str  # after /officer/cases/<reference>/records/
    endpoint: str
    form_name: str  # the name the case page gives the form, so a refused one is shown as sent
    form: Callable[[], Any]
    change: Callable[..., Any]  # takes the reference, the officer, the version, then ``values``
    values: Callable[[Any, dict[str, Any]], tuple[Any, ...]]  # from the form and the URL's values
    success: str


KINDS = (
    RecordKind(
        "mediation",
        "record_mediation",
        "mediation_form",
        MediationForm,
        records.save_mediation,
        lambda form, _: (form.referral_date.data, form.sessions.data, form.mediation_outcome.data),
        "The mediation record has been saved",
    ),
    RecordKind(
        "target-hardening",
        "record_target_hardening",
        "hardening_form",
        TargetHardeningForm,
        records.save_target_hardening,
        lambda form, _: (
            form.survey_date.data,
            form.hardening_items.data or [],
            form.other_items.data,
            form.installation_date.data,
        ),
        "The target hardening record has been saved",
    ),
    RecordKind(
        "tasking",
        "record_tasking",
        "tasking_form",
        TaskingForm,
        records.save_tasking,
        lambda form, _: (form.meeting_date.data, form.decision.data),
        "The tasking meeting record has been saved",
    ),
    RecordKind(
        "actions",
        "add_tasking_action",
        "action_form",
        TaskingActionForm,
        records.add_action,
        lambda form, _: (form.action_description.data, form.action_owner.data, form.action_due.data),
        "The action has been added",
    ),
    RecordKind(
        "actions/<int:action_id>/done",
        "complete_tasking_action",
        "complete_action_form",
        CompleteActionForm,
        records.complete_action,
        lambda _, url: (url["action_id"],),
        "The action has been marked done",
    ),
    RecordKind(
        "cameras",
        "add_camera_deployment",
        "camera_form",
        camera_form,
        records.add_camera,
        lambda form, _: (
            form.camera.data,
            form.camera_location.data,
            YES_NO.get(form.signage.data or ""),
            form.camera_from.data,
            form.camera_to.data,
        ),
        "The camera deployment has been recorded",
    ),
    RecordKind(
        "powers",
        "add_power_use",
        "power_form",
        PowerUseForm,
        records.add_power_use,
        lambda form, _: (
            form.power.data,
            form.power_date.data,
            form.served_on_name.data,
            form.served_on_age_band.data,
            form.served_by.data,
        ),
        "The use of the tool or power has been recorded",
    ),
)


def record_view(kind: RecordKind) -> Callable[..., Any]:
    """The POST view for one kind of record."""

    def view(reference: str, **url: Any) -> Any:
        form = kind.form()
        return case_page.attempt(
            reference,
            kind.form_name,
            form,
            lambda: kind.change(reference, current_user, form.version.data, *kind.values(form, url)),
            kind.success,
        )

    view.__name__ = view.__qualname__ = kind.endpoint
    return requires(WORK)(view)


for _kind in KINDS:
    bp.add_url_rule(
        f"/cases/<reference>/records/{_kind.path}", _kind.endpoint, record_view(_kind), methods=["POST"]
    )
