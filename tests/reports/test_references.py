"""Reference numbers: readable, sequential within a year, unique under concurrent submissions."""

from __future__ import annotations

import threading

from flask import Flask
from sqlalchemy import select

from portal.extensions import db
from portal.models import Report
from portal.reports.references import format_reference, next_reference
from tests.helpers import Page, PageClient
from tests.journey import fill_until


def test_references_read_like_dio_year_and_six_digits() -> None:
    assert format_reference(2026, 123) == "DIO-2026-000123"


def test_references_count_up_within_a_year_and_restart_in_the_next(app: Flask) -> None:
    with app.app_context():
        assert next_reference(2026) == "DIO-2026-000001"
        assert next_reference(2026) == "DIO-2026-000002"
        assert next_reference(2027) == "DIO-2027-000001"
        db.session.commit()


def test_twenty_concurrent_submissions_get_twenty_distinct_references(app: Flask) -> None:
    clients = [PageClient(app.test_client()) for _ in range(20)]
    tokens = []
    for client in clients:
        fill_until(client, "asb")
        tokens.append(client.get("/report/check").csrf_token())

    barrier = threading.Barrier(len(clients))
    pages: list[Page] = []
    errors: list[BaseException] = []

    def send(client: PageClient, token: str) -> None:
        try:
            barrier.wait()
            pages.append(client.post("/report/check", {"csrf_token": token}))
        except BaseException as error:  # surfaced below
            errors.append(error)

    threads = [threading.Thread(target=send, args=pair) for pair in zip(clients, tokens, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert [page.h1 for page in pages] == ["Report sent"] * 20
    shown = {page.soup.select_one(".govuk-panel__body strong").get_text(strip=True) for page in pages}
    with app.app_context():
        stored = set(db.session.scalars(select(Report.reference)))
    assert len(shown) == 20
    assert shown == stored
    numbers = sorted(int(reference.rsplit("-", 1)[1]) for reference in stored)
    assert numbers == list(range(1, 21)), "sequential, with no gaps"
