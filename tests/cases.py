"""Cases made straight in the database, for tests that need many of them in particular states."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask

from portal.extensions import db
from portal.models import Report
from tests.helpers import today

_numbers = itertools.count(1)


def make_case(app: Flask, **changes: Any) -> str:
    """Store one case and return its reference. Defaults: an open ASB tasking case, due in a week."""
    number = next(_numbers)
    submitted = changes.pop("submitted_at", datetime(2026, 11, 2, 10, 0, tzinfo=UTC))
    values: dict[str, Any] = {
        "reference": f"DIO-2026-{900000 + number:06d}",
        "kind": "asb",
        "status": "new",
        "submitted_at": submitted,
        "updated_at": submitted,
        "description": "Noise from the park",
        "types": ["noise"],
        "details": {
            "perpetrators_known": False,
            "perpetrator_is_neighbour": False,
            "willing_to_mediate": False,
        },
        "address": "1 Park Road",
        "postcode": "S18 1AB",
        "ward": "Dronfield North",
        "started": "this_week",
        "frequency": "weekly",
        "previous_reports": "none",
        "reporter_name": f"Resident {number}",
        "reporter_email": f"resident{number}@example.org",
        "reporter_phone": "",
        "email_key": f"resident{number}@example.org",
        "phone_key": "",
        "name_key": f"resident {number}",
        "route": "tasking",
        "current_route": "tasking",
        "rule": "tasking.default",
        "risk_score": 3,
        "risk_level": "standard",
        "flags": [],
        "safeguarding": False,
        "due_by": today() + timedelta(days=7),
        "reasons": ["everything else"],
        "policy_version": "test",
        "explanation": {},
    }
    values.update(changes)
    if "flags" in changes:
        values["safeguarding"] = "safeguarding" in values["flags"]
    if "current_route" not in changes and "route" in changes:
        values["current_route"] = values["route"]
    with app.app_context():
        db.session.add(Report(**values))
        db.session.commit()
    return str(values["reference"])
