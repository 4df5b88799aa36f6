"""Pages drawn once per process: each resident still gets their own token, and nobody's answers are kept."""

from __future__ import annotations

import re

import pytest
from flask import Flask

from portal.web import caches
from portal.web.drawn_pages import CSRF_SLOT, NONCE_SLOT
from tests import factories
from tests.helpers import Page, PageClient
from tests.journey import choose, fill_until


def _kept_pages(app: Flask) -> list[str]:
    with app.app_context():
        pages = caches.named("pages")
        return [kept.html for kept in pages.values()] if pages is not None else []


def _nonce(page: Page) -> str:
    return page.response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]


def _without_secrets(page: Page) -> str:
    return page.html.replace(page.csrf_token(), "TOKEN").replace(_nonce(page), "NONCE")


def test_two_residents_see_the_same_question_page_each_with_their_own_token(app: Flask) -> None:
    first, second = PageClient(app.test_client()), PageClient(app.test_client())
    for resident in (first, second):
        choose(resident, "asb")
    page_one, page_two = first.get("/report/what"), second.get("/report/what")

    assert page_one.csrf_token() != page_two.csrf_token()
    assert _nonce(page_one) != _nonce(page_two)
    assert _without_secrets(page_one) == _without_secrets(page_two)
    for page in (page_one, page_two):
        [script] = [s for s in page.soup.find_all("script") if not s.get("src")]
        assert script["nonce"] == _nonce(page)
        assert NONCE_SLOT not in page.html and CSRF_SLOT not in page.html

    # Each token works for its own resident only.
    answers = factories.WHAT["asb"]
    refused = second.post_raw("/report/what", {**answers, "csrf_token": page_one.csrf_token()})
    assert refused.status_code == 400
    assert second.post("/report/what", {**answers, "csrf_token": page_two.csrf_token()}).h1 == (
        "About the people responsible"
    )


def test_a_page_with_the_resident_s_answers_is_drawn_afresh_and_never_kept(
    app: Flask, client: PageClient
) -> None:
    words = "A blue van parks on the verge at 2am and the driver shouts at passers-by"
    fill_until(client, "asb", stop_before="what")
    client.post_form("/report/what", {**factories.WHAT["asb"], "description": words})
    client.post_form("/report/details", factories.DETAILS["asb"])
    client.post_form("/report/where", {**factories.WHERE, "address": "77 Quarry Lane, Dronfield"})

    back = client.get("/report/what")
    assert back.value("description") == words
    changing = client.get("/report/where?change=1")
    assert changing.value("address") == "77 Quarry Lane, Dronfield"
    for kept in _kept_pages(app):
        assert words not in kept and "Quarry Lane" not in kept


@pytest.mark.parametrize("path", ["/", "/accessibility", "/privacy", "/cookies"])
def test_information_pages_are_drawn_once_and_set_no_cookie(client: PageClient, path: str) -> None:
    first, second = client.get(path), client.get(path)
    assert first.html.replace(_nonce(first), "NONCE") == second.html.replace(_nonce(second), "NONCE")
    assert "Set-Cookie" not in second.response.headers


def test_changing_an_answer_and_answering_afresh_are_kept_apart(client: PageClient) -> None:
    fill_until(client, "asb", stop_before="impact")
    fresh = client.get("/report/impact")
    changing = client.get("/report/impact?change=1")
    assert fresh.soup.select_one(".govuk-back-link")["href"] == "/report/when"
    assert changing.soup.select_one(".govuk-back-link")["href"] == "/report/check"
    buttons = [
        re.sub(r"\s+", " ", page.soup.select_one("form .govuk-button").get_text(strip=True))
        for page in (fresh, changing)
    ]
    assert buttons == ["Save and continue", "Save and go back to check your answers"]
