"""Anonymising a case removes every way its resident could sign in to see it: its link and its code."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select, update

from portal.cases import resident_code
from portal.extensions import db
from portal.models import Report, ResidentSignIn, User
from portal.models.types import utcnow
from portal.privacy.retention import apply_retention
from portal.reports import resident_access
from tests.cases import make_case
from tests.closing import close
from tests.helpers import PageClient
from tests.officers import Account


def test_an_anonymised_case_keeps_no_link_or_code(
    app: Flask, client: PageClient, supervisor: Account
) -> None:
    reference = make_case(app, reporter_email="sam@example.org", email_key="sam@example.org")
    close(app, reference, supervisor)
    with app.app_context():
        resident_access.send_sign_in_link(reference, "sam@example.org")
        officer = db.session.get(User, supervisor.id)
        assert officer is not None
        code = resident_code.create_sign_in_code(reference, officer, None)
        assert len(db.session.scalars(select(ResidentSignIn)).all()) == 2
        long_ago = utcnow() - timedelta(days=800)
        db.session.execute(update(Report).where(Report.reference == reference).values(closed_at=long_ago))
        db.session.commit()
        assert apply_retention().reports_anonymised == 1
        assert db.session.scalars(select(ResidentSignIn)).all() == []
    entered = client.post_form("/your-report/code", {"reference": reference, "code": code})
    assert entered.status == 400 and entered.path == "/your-report/code"
