"""Officers see the incidents a resident adds: "new incident" in the queue until the case is opened,
the incident's words, harm answers and files on the case's timeline, and the latest assessment
beside the first decision, which never changes."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from portal.cases.queue import Filters, queue_page
from portal.extensions import db
from portal.models import AuditEvent, Incident, Reassessment, Report
from portal.models.audit import AuditAction
from portal.models.report import DecisionRewritten
from portal.reports.incidents import NewIncident, add_incident
from portal.triage.calendar import london_today
from portal.triage.contract import HARM_QUESTIONS
from portal.web.formatting import long_date
from tests.cases import make_case
from tests.evidence_files import MB, camera_jpeg
from tests.helpers import PageClient
from tests.officers import Account

WORDS = "Two men kicked my door at 11pm and said they would be back."


def _incident(app: Flask, reference: str, *harm: str, files: list[tuple[bytes, str]] = ()) -> None:  # type: ignore[assignment]
    with app.app_context():
        case_id = db.session.scalars(select(Report.id).where(Report.reference == reference)).one()
        add_incident(
            case_id,
            NewIncident(
                occurred_on=london_today() - timedelta(days=1),
                what_happened=WORDS,
                harm={question: question in harm for question in HARM_QUESTIONS},
                time_of_day="about 11pm",
                who="The men from number 4",
            ),
            [(io.BytesIO(data), name) for data, name in files],
        )


def _case(app: Flask, reference: str) -> Report:
    return db.session.scalars(select(Report).where(Report.reference == reference)).one()


def test_the_queue_says_new_incident_until_an_officer_opens_the_case(
    app: Flask, officer_client: PageClient, officer: Account
) -> None:
    quiet = make_case(app)
    reference = make_case(app)
    _incident(app, reference)
    page = officer_client.get("/officer/")
    row = next(tr for tr in page.soup.select("tbody tr") if reference in tr.get_text())
    assert "New incident" in row.get_text()
    other = next(tr for tr in page.soup.select("tbody tr") if quiet in tr.get_text())
    assert "New incident" not in other.get_text()
    filtered = officer_client.get("/officer/?flag=new_incident")
    assert reference in filtered.text() and quiet not in filtered.text()

    officer_client.get(f"/officer/cases/{reference}")
    after = officer_client.get("/officer/")
    row = next(tr for tr in after.soup.select("tbody tr") if reference in tr.get_text())
    assert "New incident" not in row.get_text()
    assert reference not in officer_client.get("/officer/?flag=new_incident").text()
    with app.app_context():
        [seen_at] = db.session.scalars(select(Incident.seen_by_officer_at)).all()
        assert seen_at is not None
        views = db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == AuditAction.VIEWED, AuditEvent.actor_id == officer.id
            )
        ).all()
        assert [view.detail for view in views] == ["1 new incident added by the resident seen"]


def test_the_case_page_shows_the_incident_and_the_latest_assessment_beside_the_first_decision(
    app: Flask, officer_client: PageClient
) -> None:
    reference = make_case(app)
    photo = camera_jpeg(2 * MB, (2400, 1800), quality=90, seed=5)
    _incident(app, reference, "violence_or_threats", "feel_unsafe", files=[(photo, "door.jpg")])
    page = officer_client.get(f"/officer/cases/{reference}")
    timeline = page.soup.select_one(".portal-timeline")
    assert timeline is not None
    text = timeline.get_text(" ", strip=True)
    assert "The resident added an incident" in text
    assert WORDS in text and "about 11pm" in text and "The men from number 4" in text
    assert "Someone has been hurt or threatened" in text and "I feel unsafe at home or in the area" in text
    assert "Assessed again: raised to high: at least high: violence or threats" in text
    link = timeline.select_one("a[download]")
    assert link is not None and link.get_text() == "door.jpg"
    assert officer_client.get_raw(str(link["href"])).status_code == 200
    table = page.soup.select_one("#latest-assessment + p + table")
    assert table is not None
    cells = [td.get_text(strip=True) for td in table.select("tbody tr:first-child td")]
    assert cells[0] == "Standard (score 3)" and cells[1].startswith("High (score")


def test_the_first_decision_is_never_rewritten_by_a_later_assessment(app: Flask) -> None:
    reference = make_case(app)
    with app.app_context():
        before = {
            name: getattr(_case(app, reference), name)
            for name in ("risk_level", "risk_score", "flags", "due_by")
        }
    _incident(app, reference, "violence_or_threats", "feel_unsafe")
    _incident(app, reference)
    with app.app_context():
        report = _case(app, reference)
        assert {name: getattr(report, name) for name in before} == before
        levels = db.session.scalars(select(Reassessment.risk_level).order_by(Reassessment.id)).all()
        assert levels == ["high", "high"]  # the policy never lowers it
        report.risk_level = "high"
        with pytest.raises(DecisionRewritten):
            db.session.flush()
        db.session.rollback()


def test_a_later_safeguarding_flag_puts_the_case_first_in_the_queue(app: Flask) -> None:
    later = make_case(app, due_by=london_today() + timedelta(days=2))
    sooner = make_case(app, due_by=london_today() + timedelta(days=1))
    _incident(app, later, "violence_or_threats")
    with app.app_context():
        rows = queue_page(Filters(), 0, london_today()).rows
        assert [row.reference for row in rows][:2] == [later, sooner]
        assert _case(app, later).safeguarding is False  # the first decision's flag stands


def test_an_incident_on_a_closed_case_is_refused(app: Flask) -> None:
    from portal.reports.incidents import CaseClosed

    reference = make_case(app, status="closed", closed_at=datetime(2026, 11, 20, tzinfo=UTC))
    with pytest.raises(CaseClosed):
        _incident(app, reference)
    with app.app_context():
        assert db.session.scalars(select(Incident)).all() == []


def test_the_case_summary_shows_the_flags_and_the_sooner_first_contact_a_later_assessment_asks_for(
    app: Flask, officer_client: PageClient
) -> None:
    reference = make_case(app, due_by=london_today() + timedelta(days=20))
    _incident(app, reference, "violence_or_threats", "feel_unsafe")
    with app.app_context():
        later = db.session.scalars(select(Reassessment)).one()
        assert "safeguarding" in later.flags and later.due_by < london_today() + timedelta(days=20)
    page = officer_client.get(f"/officer/cases/{reference}")
    summary = page.soup.select_one(".portal-case-summary")
    assert summary is not None
    rows = {
        row.select_one("dt").get_text(strip=True): row.select_one("dd").get_text(" ", strip=True)  # type: ignore[union-attr]
        for row in summary.select(".govuk-summary-list__row")
    }
    assert "Safeguarding (latest assessment)" in rows["Flags"]
    assert f"(the latest assessment asks for {long_date(later.due_by)})" in rows["First contact due by"]
