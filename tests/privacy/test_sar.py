"""Subject access: ``flask sar export EMAIL`` gives a reporter everything held about them, in one zip."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from portal.cases import operations
from portal.extensions import db
from portal.models import Attachment, AuditEvent, Report, User
from portal.models.types import utcnow
from portal.privacy.retention import REMOVED
from tests import factories
from tests.cases import make_case
from tests.conftest import MailCatcher, mail_worker_pass
from tests.evidence_files import PNG, picture_bytes
from tests.helpers import PageClient, today
from tests.journey import answer_pages, choose, submit
from tests.officers import Account

EMAIL = "sam.resident@example.org"


def sar_export(app: Flask, *args: str) -> Any:
    return app.test_cli_runner().invoke(args=["sar", "export", *args])


def report_with_photos(app: Flask, uploads: list[tuple[bytes, str]], **about: Any) -> str:
    """A resident's ASB report through the pages, with these evidence files."""
    client = PageClient(app.test_client())
    choose(client, "asb")
    answer_pages(client, "asb", through="when")
    client.post_form("/report/impact", factories.IMPACT)
    for data, filename in uploads:
        token = client.get("/report/evidence").csrf_token()
        client.post(
            "/report/evidence",
            {"csrf_token": token, "files": (io.BytesIO(data), filename), "upload": "Upload file"},
            content_type="multipart/form-data",
        )
    client.post_form("/report/evidence", {"continue": "continue"})
    client.post_form("/report/about-you", factories.about_for("asb", **about))
    page = client.post_form("/report/check")
    assert page.h1.startswith("Report sent"), page.h1
    with app.app_context():
        return str(db.session.scalars(select(Report.reference).order_by(Report.id.desc())).first())


def exported(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("export.json")), files


def stored_file(app: Flask, reference: str) -> bytes:
    with app.app_context():
        attachment = db.session.scalars(
            select(Attachment).join(Report).where(Report.reference == reference)
        ).one()
        return (Path(app.config["UPLOAD_FOLDER"]) / attachment.storage_name).read_bytes()


def test_export_holds_every_report_and_attachment_of_the_reporter(
    app: Flask, supervisor: Account, mailbox: MailCatcher, tmp_path: Path
) -> None:
    first = report_with_photos(app, [(PNG, "front door.png")])
    second = report_with_photos(app, [(picture_bytes("JPEG"), "car.jpg")], email="Sam.Resident@Example.org ")
    report_with_photos(app, [(PNG, "someone else.png")], name="Alex Other", email="alex@example.org")
    with app.app_context():
        boss = db.session.get(User, supervisor.id)
        assert boss is not None
        operations.claim(first, boss)
        operations.post_update(first, boss, "We have spoken to the shop's owner")
        operations.add_note(first, boss, "Internal: the owner's son may be involved")
        operations.change_status(first, boss, "closed", "resolved", None)
    mail_worker_pass(app)  # the mail worker has sent the acknowledgement and the update
    output = tmp_path / "sam.zip"

    result = sar_export(app, EMAIL, "--output", str(output))

    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Wrote {output}: 2 reports and 2 evidence files held about {EMAIL}."
    document, files = exported(output)
    assert document["email"] == EMAIL
    assert [report["reference"] for report in document["reports"]] == [first, second]
    assert files == {
        f"attachments/{first}/front door.png": stored_file(app, first),
        f"attachments/{second}/car.jpg": stored_file(app, second),
    }
    closed = document["reports"][0]
    assert closed["answers"]["description"] == factories.WHAT["asb"]["description"]
    assert closed["answers"]["location"] == {
        "address": "14 Station Road, Dronfield",
        "postcode": "S18 1AB",
        "ward": "Dronfield North",
    }
    assert closed["answers"]["reporter"]["name"] == "Sam Resident"
    assert closed["answers"]["harm"]["feel_unsafe"] is True
    assert closed["decision"]["route"] == "tasking"
    assert closed["decision"]["reasons"][0] == "Everything else goes to the ASB partnership tasking meeting"
    assert (closed["case"]["status"], closed["case"]["outcome"]) == ("Closed", "Resolved")
    assert closed["case"]["closed_at"]
    assert [update["text"] for update in closed["public_updates"]] == ["We have spoken to the shop's owner"]
    assert [(email["purpose"], email["status"]) for email in closed["emails"]] == [
        ("acknowledgement", "sent"),
        ("case_update", "sent"),
        ("satisfaction_question", "sent"),
    ]
    assert closed["satisfaction"] == {
        "question": "How satisfied are you with how we handled your report?",
        "sent_on": today().isoformat(),
        "answer": None,
        "comment": "",
        "answered_on": None,
    }
    assert document["reports"][1]["satisfaction"] is None, "an open case was never asked"
    assert "We have spoken to the shop's owner" in closed["emails"][1]["text"]
    assert closed["attachments"][0]["file"] == f"attachments/{first}/front door.png"
    assert "Internal: the owner's son" not in json.dumps(document), "internal notes are reviewed apart"
    assert "Alex Other" not in json.dumps(document)


def test_export_finds_the_reporter_however_the_email_is_typed(app: Flask, tmp_path: Path) -> None:
    submit(PageClient(app.test_client()), "asb")
    reference = _latest(app)

    result = sar_export(app, "  SAM.Resident@EXAMPLE.org ", "--output", str(tmp_path / "out.zip"))

    assert result.exit_code == 0, result.output
    document, files = exported(tmp_path / "out.zip")
    assert [report["reference"] for report in document["reports"]] == [reference]
    assert files == {}


def test_export_of_unknown_email_says_no_data(app: Flask, tmp_path: Path) -> None:
    make_case(app)
    output = tmp_path / "nobody.zip"

    result = sar_export(app, "nobody@example.org", "--output", str(output))

    assert result.exit_code == 2
    assert "No data is held about nobody@example.org" in result.output
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert not output.exists()


def test_export_refuses_what_is_not_an_email_address(app: Flask, tmp_path: Path) -> None:
    result = sar_export(app, "Sam Resident", "--output", str(tmp_path / "x.zip"))

    assert result.exit_code == 2
    assert "'Sam Resident' is not an email address" in result.output
    assert list(tmp_path.iterdir()) == []


def test_export_to_a_folder_that_does_not_exist_says_it_cannot_be_written(app: Flask, tmp_path: Path) -> None:
    make_case(app, reporter_email=EMAIL, email_key=EMAIL)
    output = tmp_path / "missing" / "sam.zip"

    result = sar_export(app, EMAIL, "--output", str(output))

    assert result.exit_code == 2
    assert f"{output} cannot be written" in result.output
    assert isinstance(result.exception, SystemExit)
    with app.app_context():
        assert db.session.scalars(select(AuditEvent)).all() == [], "nothing exported, nothing recorded"


def test_export_never_writes_over_an_existing_file(app: Flask, tmp_path: Path) -> None:
    make_case(app, reporter_email=EMAIL, email_key=EMAIL)
    output = tmp_path / "keep.zip"
    output.write_bytes(b"an earlier export")

    result = sar_export(app, EMAIL, "--output", str(output))

    assert result.exit_code == 2
    assert f"{output} already exists" in result.output
    assert output.read_bytes() == b"an earlier export"


def test_export_without_output_is_written_to_the_current_folder_for_its_owner_only(
    app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_case(app, reporter_email=EMAIL, email_key=EMAIL)
    monkeypatch.chdir(tmp_path)

    result = sar_export(app, EMAIL)

    assert result.exit_code == 0, result.output
    [written] = list(tmp_path.iterdir())
    assert written.name.startswith("subject-access-") and written.suffix == ".zip"
    assert written.stat().st_mode & 0o077 == 0
    document, _files = exported(written)
    assert len(document["reports"]) == 1


def test_export_is_recorded_in_each_cases_audit_log_as_run_from_the_command_line(
    app: Flask, tmp_path: Path
) -> None:
    references = [make_case(app, reporter_email=EMAIL, email_key=EMAIL) for _ in range(2)]

    sar_export(app, EMAIL, "--output", str(tmp_path / "out.zip"))

    with app.app_context():
        entries = db.session.execute(
            select(Report.reference, AuditEvent.actor_id, AuditEvent.detail)
            .join(Report, AuditEvent.report_id == Report.id)
            .where(AuditEvent.action == "exported_for_subject_access")
            .order_by(Report.reference)
        ).all()
    assert [entry.reference for entry in entries] == sorted(references)
    for entry in entries:
        assert entry.actor_id is None
        assert entry.detail and "command line" in entry.detail and EMAIL not in entry.detail


def test_anonymised_reports_are_no_longer_found_by_the_email(app: Flask, tmp_path: Path) -> None:
    kept = make_case(app, reporter_email=EMAIL, email_key=EMAIL)
    make_case(
        app,
        reporter_email=EMAIL,
        email_key=EMAIL,
        status="closed",
        outcome="resolved",
        closed_at=utcnow() - timedelta(days=800),
    )
    app.test_cli_runner().invoke(args=["retention", "apply"])

    result = sar_export(app, EMAIL, "--output", str(tmp_path / "out.zip"))

    assert result.exit_code == 0, result.output
    document, _files = exported(tmp_path / "out.zip")
    assert [report["reference"] for report in document["reports"]] == [kept]
    assert REMOVED not in json.dumps(document)


def test_attachment_names_are_made_safe_inside_the_zip(app: Flask, tmp_path: Path) -> None:
    reference = report_with_photos(
        app, [(PNG, "gang|outside*at night?.png"), (PNG, "door.png"), (PNG, "DOOR.png"), (PNG, "...")]
    )

    sar_export(app, EMAIL, "--output", str(tmp_path / "out.zip"))

    _document, files = exported(tmp_path / "out.zip")
    assert sorted(files) == [
        f"attachments/{reference}/DOOR-2.png",
        f"attachments/{reference}/door.png",
        f"attachments/{reference}/evidence.png",
        f"attachments/{reference}/gang_outside_at night_.png",
    ]


def _latest(app: Flask) -> str:
    with app.app_context():
        return str(db.session.scalars(select(Report.reference).order_by(Report.id.desc())).first())


def test_the_export_holds_the_residents_case_review_and_not_the_officers_note_or_a_representatives_contact(
    app: Flask, tmp_path: Path
) -> None:
    from tests.case_reviews import make_review

    reference = make_case(app, reporter_email="sam@example.org", email_key="sam@example.org", kind="asb")
    make_review(
        app,
        reference,
        "outcome_sent",
        applicant="councillor",
        applicant_name="Cllr Jo Bloggs",
        applicant_email="jo.bloggs@council.example",
        consent_given_on=date(2026, 11, 1),
        account="The music goes on all night",
        reported_elsewhere=[{"reported_on": "2026-10-30", "agency": "police"}],
        threshold={"reasons": ["3 reports by the applicant in 6 months: 2 to this portal, 1 to the police"]},
        decision_note="Officer-only: the neighbour is known to us",
        findings="Officer-only: the police log was not shared",
        victim_views="I cannot sleep",
        outcome_sent_on=date(2026, 11, 30),
        outcome_summary="Monthly updates from the police",
    )
    output = tmp_path / "out.zip"
    result = app.test_cli_runner().invoke(args=["sar", "export", "sam@example.org", "--output", str(output)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(output) as archive:
        text = archive.read("export.json").decode()
    [exported] = json.loads(text)["reports"]
    [review] = exported["case_reviews"]
    assert review["what_the_applicant_said"] == "The music goes on all night"
    assert review["reported_elsewhere"] == [{"reported_on": "2026-10-30", "agency": "police"}]
    assert review["threshold_reasons"] == [
        "3 reports by the applicant in 6 months: 2 to this portal, 1 to the police"
    ]
    assert (review["victim_views"], review["outcome_letter"]) == (
        "I cannot sleep",
        "Monthly updates from the police",
    )
    assert review["applicant"] == "A councillor" and review["stage"] == "Outcome sent"
    for left_out in ("Officer-only", "jo.bloggs@council.example", "Cllr Jo Bloggs"):
        assert left_out not in text, left_out
