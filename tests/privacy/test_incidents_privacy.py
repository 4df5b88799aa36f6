"""An incident a resident added goes the way of their report: its words and files at the end of the
retention period, and into the subject access export while they are held."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update

from portal.extensions import db
from portal.models import Attachment, Incident, Report
from portal.models.types import utcnow
from portal.privacy.retention import REMOVED
from portal.reports import evidence
from portal.reports.incidents import NewIncident, add_incident
from portal.triage.calendar import london_today
from portal.triage.contract import HARM_QUESTIONS
from tests.cases import make_case
from tests.evidence_files import PNG

EMAIL = "sam.resident@example.org"
WORDS = "Sam's neighbour at 14 Station Road threw a brick at the car."


def case_with_incident(app: Flask) -> str:
    reference = make_case(app, reporter_email=EMAIL, email_key=EMAIL)
    with app.app_context():
        case_id = db.session.scalars(select(Report.id).where(Report.reference == reference)).one()
        add_incident(
            case_id,
            NewIncident(
                occurred_on=london_today() - timedelta(days=1),
                what_happened=WORDS,
                harm={question: question == "violence_or_threats" for question in HARM_QUESTIONS},
                time_of_day="after school",
                who="The lad from number 14",
                effect="My children are scared.",
            ),
            [(io.BytesIO(PNG), "car.png")],
        )
    return reference


def test_an_anonymised_case_loses_its_incidents_words_and_files_and_keeps_their_answers(app: Flask) -> None:
    reference = case_with_incident(app)
    with app.app_context():
        [attachment] = db.session.scalars(select(Attachment)).all()
        path = evidence.path_for(attachment)
        assert path.is_file()
        db.session.execute(
            update(Report)
            .where(Report.reference == reference)
            .values(status="closed", outcome="resolved", closed_at=utcnow() - timedelta(days=800))
        )
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["retention", "apply"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        incident = db.session.scalars(select(Incident)).one()
        assert (incident.what_happened, incident.who, incident.effect, incident.time_of_day) == (REMOVED,) * 4
        assert incident.harm["violence_or_threats"] is True
        assert db.session.scalars(select(Attachment)).all() == []
    assert not path.exists()


def test_the_subject_access_export_holds_the_incidents_their_files_and_assessments(
    app: Flask, tmp_path: Path
) -> None:
    reference = case_with_incident(app)
    output = tmp_path / "out.zip"
    result = app.test_cli_runner().invoke(args=["sar", "export", EMAIL, "--output", str(output)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(output) as archive:
        document = json.loads(archive.read("export.json"))
        names = archive.namelist()
    [exported] = document["reports"]
    assert exported["reference"] == reference
    [incident] = exported["incidents"]
    assert incident["what_happened"] == WORDS and incident["who"] == "The lad from number 14"
    assert incident["harm"]["violence_or_threats"] is True
    [assessment] = exported["later_assessments"]
    assert assessment["incident_id"] == incident["id"] and "safeguarding" in assessment["flags"]
    [attachment] = exported["attachments"]
    assert attachment["incident_id"] == incident["id"] and attachment["file"] in names
