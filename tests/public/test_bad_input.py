"""Bad input gets a clear page that says what to do, never a server error, and keeps the draft."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select, update

from portal.extensions import db
from portal.models import Attachment, Draft, Report
from portal.models.types import utcnow
from portal.public import progress
from portal.reports.drafts import DraftState
from tests import factories
from tests.conftest import make_app
from tests.evidence_files import PNG, exact_size_pdf, picture_bytes, small_pdf
from tests.helpers import Page, PageClient
from tests.journey import answer_pages, choose, fill_until, pages_answered, submit

PDF = small_pdf()
HTML = b"<!DOCTYPE html><html><body><script>alert('hello')</script></body></html>"
TEN_MB = 10 * 1024 * 1024

FORM_EXPIRED = "Your answers on this page were not saved"
DRAFT_EXPIRED = "Your answers are no longer available"


def photo(number: int) -> bytes:
    """A different small picture for each number: the same file sent twice is kept once."""
    return picture_bytes("PNG", (4, number))


def uploaded_files(app: Flask) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return {path.name for path in folder.iterdir()} if folder.exists() else set()


def attachments(app: Flask) -> list[Attachment]:
    with app.app_context():
        return list(db.session.scalars(select(Attachment).order_by(Attachment.id)))


def count(app: Flask, model: type[Any]) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model)) or 0


def upload(client: PageClient, data: bytes, filename: str) -> Page:
    token = client.get("/report/evidence").csrf_token()
    return client.post(
        "/report/evidence",
        {"csrf_token": token, "files": (io.BytesIO(data), filename), "upload": "Upload file"},
        content_type="multipart/form-data",
    )


def assert_what_answers_kept(client: PageClient, kind: str = "asb") -> None:
    what = client.get("/report/what")
    assert what.h1 == "What is happening?"
    assert what.value("description").strip() == factories.WHAT[kind]["description"]
    assert what.value("types") == factories.WHAT[kind]["types"]


# --- Forms without a valid CSRF token ---------------------------------------------------------

BAD_TOKENS = {"no token": None, "forged token": "forged"}


@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_form_without_a_valid_token_is_refused_and_earlier_answers_are_kept(
    client: PageClient, token: str | None
) -> None:
    choose(client, "asb")
    answer_pages(client, "asb", through="details")

    forged = {**factories.WHERE, **({"csrf_token": token} if token else {})}
    page = client.post("/report/where", forged)

    assert page.status == 400
    assert page.h1 == FORM_EXPIRED
    assert "The answers you saved on earlier pages are kept." in page.text()
    back = page.soup.find("a", string=lambda text: text and "Go back to the page" in text)
    assert back is not None and back["href"] == "/report/where"
    assert_what_answers_kept(client)
    # Nothing from the refused form was saved.
    assert client.get("/report/where").value("address") == ""


@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_a_page_posted_again_without_a_valid_token_does_not_change_its_answers(
    client: PageClient, token: str | None
) -> None:
    choose(client, "asb")
    client.post_form("/report/what", factories.WHAT["asb"])

    changed = {**factories.WHAT["asb"], "description": "Someone else's words", "types": ["drugs"]}
    page = client.post("/report/what", {**changed, **({"csrf_token": token} if token else {})})

    assert page.status == 400
    assert page.h1 == FORM_EXPIRED
    assert_what_answers_kept(client)


@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_choosing_a_kind_without_a_valid_token_starts_no_draft(
    app: Flask, client: PageClient, token: str | None
) -> None:
    page = client.post("/report", {"kind": "asb", **({"csrf_token": token} if token else {})})
    assert page.status == 400
    assert page.h1 == FORM_EXPIRED
    assert count(app, Draft) == 0


@pytest.mark.parametrize("token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
def test_sending_a_report_without_a_valid_token_sends_nothing(
    app: Flask, client: PageClient, token: str | None
) -> None:
    fill_until(client, "asb")
    page = client.post("/report/check", {"csrf_token": token} if token else {})
    assert page.status == 400
    assert page.h1 == FORM_EXPIRED
    assert count(app, Report) == 0
    assert client.get("/report/check").h1 == "Check your answers before sending your report"


def test_a_token_from_another_residents_session_is_refused(app: Flask, client: PageClient) -> None:
    other = PageClient(app.test_client())
    choose(other, "asb")
    their_token = other.get("/report/what").csrf_token()

    choose(client, "asb")
    page = client.post("/report/what", {"csrf_token": their_token, **factories.WHAT["asb"]})
    assert page.status == 400
    assert page.h1 == FORM_EXPIRED


# --- Text that is too long or malformed ---------------------------------------------------------


@pytest.mark.parametrize("length", [4001, 200_000])
def test_an_over_long_description_gets_an_error_not_a_server_error(client: PageClient, length: int) -> None:
    choose(client, "asb")
    client.post_form("/report/what", factories.WHAT["asb"])

    page = client.post_form("/report/what", {**factories.WHAT["asb"], "description": "x" * length})

    assert page.status == 200
    assert page.errors == ["What is happening must be 4,000 characters or fewer"]
    assert page.value("description") == "x" * length
    assert_what_answers_kept(client)


@pytest.mark.parametrize(
    ("slug", "answers"),
    [
        ("what", {**factories.WHAT["asb"], "types": ["noise", "not_a_type"]}),
        ("details", {**factories.DETAILS["asb"], "perpetrators_known": "maybe"}),
        ("when", {**factories.WHEN, "started": "yesterday", "frequency": "hourly"}),
        ("impact", {"harm": ["made_up"]}),
        ("about-you", factories.about(anonymous="perhaps", safe_to_email="sometimes")),
    ],
    ids=["unknown type", "unknown yes/no", "unknown choices", "unknown harm", "unknown about-you choices"],
)
def test_an_answer_that_is_not_one_of_the_choices_gets_an_error(
    app: Flask, client: PageClient, slug: str, answers: dict[str, Any]
) -> None:
    fill_until(client, "asb", stop_before=slug)
    page = client.post_form(f"/report/{slug}", answers)
    assert page.status == 200
    assert page.errors
    assert page.title.startswith("Error:")
    assert count(app, Report) == 0


def test_an_unknown_kind_of_report_gets_an_error_and_starts_no_draft(app: Flask, client: PageClient) -> None:
    page = client.post_form("/report", {"kind": "burglary"})
    assert page.status == 200
    assert page.errors == ["Not a valid choice."]
    assert count(app, Draft) == 0


def test_a_null_character_in_an_answer_is_dropped_and_the_report_still_sends(
    app: Flask, client: PageClient
) -> None:
    choose(client, "asb")
    page = client.post_form("/report/what", {**factories.WHAT["asb"], "description": "Noise\x00 at night"})
    assert page.status == 200 and not page.errors
    for slug, answers in pages_answered("asb")[1:5]:
        client.post_form(f"/report/{slug}", answers)
    client.post_form("/report/evidence", {"continue": "continue"})
    client.post_form("/report/about-you", factories.about(name="Sam\x00 Resident"))

    sent = client.post_form("/report/check")

    assert sent.h1 == "Report sent"
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        assert (report.description, report.reporter_name) == ("Noise at night", "Sam Resident")


# --- Evidence files -----------------------------------------------------------------------------


@pytest.fixture
def at_evidence(client: PageClient) -> PageClient:
    fill_until(client, "asb", stop_before="evidence")
    return client


def test_a_file_is_checked_by_its_content_not_its_name(app: Flask, at_evidence: PageClient) -> None:
    before = uploaded_files(app)

    page = upload(at_evidence, HTML, "photo.png")

    assert page.status == 200
    assert page.errors == ["photo.png must be a JPEG, PNG or HEIC photo, or a PDF"]
    assert page.title.startswith("Error:")
    assert uploaded_files(app) == before
    assert attachments(app) == []
    assert "Files added" not in page.text()


@pytest.mark.parametrize(
    ("data", "filename", "error"),
    [
        (b"", "empty.jpg", "empty.jpg is empty"),
        (b"GIF89a\x01\x00\x01\x00\x80\x00\x00" + b"\x00" * 32, "animation.gif", None),
        (b"PK\x03\x04" + b"\x00" * 64, "documents.zip", None),
        (b"MZ" + b"\x00" * 64, "setup.exe", None),
        (b"just some words", "notes.txt", None),
    ],
    ids=["empty", "gif", "zip", "exe", "text"],
)
def test_only_photos_and_pdfs_are_accepted(
    app: Flask, at_evidence: PageClient, data: bytes, filename: str, error: str | None
) -> None:
    before = uploaded_files(app)
    page = upload(at_evidence, data, filename)
    assert page.status == 200
    assert page.errors == [error or f"{filename} must be a JPEG, PNG or HEIC photo, or a PDF"]
    assert uploaded_files(app) == before
    assert attachments(app) == []


def test_a_pdf_named_like_a_photo_is_accepted_as_a_pdf(app: Flask, at_evidence: PageClient) -> None:
    before = uploaded_files(app)

    page = upload(at_evidence, PDF, "scan.jpg")

    assert page.status == 200
    assert not page.errors
    assert "scan.jpg" in page.text()
    [attachment] = attachments(app)
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "scan.jpg"
    assert uploaded_files(app) - before == {attachment.storage_name}


def test_a_file_over_10_mb_is_refused(app: Flask, at_evidence: PageClient) -> None:
    before = uploaded_files(app)
    big = PNG + b"\x00" * (TEN_MB + 1 - len(PNG))
    assert len(big) == TEN_MB + 1

    page = upload(at_evidence, big, "huge.png")

    assert page.status == 200
    assert page.errors == ["huge.png must be smaller than 10 MB"]
    assert uploaded_files(app) == before
    assert attachments(app) == []


def test_a_file_of_exactly_10_mb_is_accepted(app: Flask, at_evidence: PageClient) -> None:
    # A PDF without metadata is kept exactly as sent (photos are saved again without theirs).
    page = upload(at_evidence, exact_size_pdf(TEN_MB), "large.pdf")
    assert not page.errors
    [attachment] = attachments(app)
    assert attachment.size_bytes == TEN_MB


def test_a_sixth_file_is_refused(app: Flask, at_evidence: PageClient) -> None:
    for number in range(1, 6):
        page = upload(at_evidence, photo(number), f"photo {number}.png")
        assert not page.errors, page.errors
    assert "You have added 5 files, which is the most you can add." in page.text()
    before = uploaded_files(app)

    page = upload(at_evidence, photo(6), "photo 6.png")

    assert page.status == 200
    assert page.errors == ["You can upload up to 5 files. Remove a file to add another"]
    assert "photo 6.png" not in page.text()
    assert uploaded_files(app) == before
    assert len(attachments(app)) == 5


def test_the_sixth_file_error_links_to_somewhere_on_the_page(at_evidence: PageClient) -> None:
    for number in range(1, 6):
        upload(at_evidence, photo(number), f"photo {number}.png")
    page = upload(at_evidence, photo(6), "photo 6.png")
    [link] = page.soup.select(".govuk-error-summary__list a")
    assert page.soup.find(id=str(link["href"]).lstrip("#")) is not None


def test_choosing_six_files_at_once_keeps_five_and_says_why(app: Flask, at_evidence: PageClient) -> None:
    token = at_evidence.get("/report/evidence").csrf_token()
    files = [(io.BytesIO(photo(number)), f"photo {number}.png") for number in range(1, 7)]
    page = at_evidence.post(
        "/report/evidence",
        {"csrf_token": token, "files": files, "upload": "Upload file"},
        content_type="multipart/form-data",
    )
    assert page.status == 200
    assert page.errors == ["You can upload up to 5 files. Remove a file to add another"]
    assert [a.original_name for a in attachments(app)] == [f"photo {n}.png" for n in range(1, 6)]


def test_a_file_name_cannot_reach_outside_the_upload_folder(app: Flask, at_evidence: PageClient) -> None:
    page = upload(at_evidence, PNG, "../../etc/passwd.png")
    assert not page.errors
    [attachment] = attachments(app)
    assert attachment.original_name == "passwd.png"
    assert (Path(app.config["UPLOAD_FOLDER"]) / attachment.storage_name).read_bytes() == PNG


def test_remove_takes_the_file_off_the_list_and_the_disk(app: Flask, at_evidence: PageClient) -> None:
    upload(at_evidence, PNG, "keep.png")
    page = upload(at_evidence, PDF, "remove me.pdf")
    assert "keep.png" in page.text() and "remove me.pdf" in page.text()
    kept, removed = attachments(app)
    stored = Path(app.config["UPLOAD_FOLDER"]) / removed.storage_name
    assert stored.exists()

    [form] = [
        f for f in page.soup.select("form") if f.button and "Remove remove me.pdf" in f.button.get_text()
    ]
    token = form.find("input", attrs={"name": "csrf_token"})["value"]
    after = at_evidence.post(form["action"], {"csrf_token": token})

    assert after.status == 200
    assert after.h1 == "Add photos or documents (optional)"
    assert "remove me.pdf" not in after.text()
    assert "keep.png" in after.text()
    assert not stored.exists()
    assert (Path(app.config["UPLOAD_FOLDER"]) / kept.storage_name).exists()
    assert [a.id for a in attachments(app)] == [kept.id]


def test_a_resident_cannot_remove_another_residents_file(app: Flask, at_evidence: PageClient) -> None:
    upload(at_evidence, PNG, "mine.png")
    [mine] = attachments(app)

    other = PageClient(app.test_client())
    fill_until(other, "asb", stop_before="evidence")
    token = other.get("/report/evidence").csrf_token()
    page = other.post(f"/report/evidence/{mine.id}/remove", {"csrf_token": token})

    assert page.status == 404
    assert page.h1 == "Page not found"
    assert [a.id for a in attachments(app)] == [mine.id]
    assert (Path(app.config["UPLOAD_FOLDER"]) / mine.storage_name).exists()


def test_removing_a_file_that_is_not_there_gets_page_not_found(at_evidence: PageClient) -> None:
    token = at_evidence.get("/report/evidence").csrf_token()
    page = at_evidence.post("/report/evidence/999999/remove", {"csrf_token": token})
    assert page.status == 404
    assert page.h1 == "Page not found"


@pytest.fixture
def small_limit_client(app: Flask, app_settings: dict[str, Any]) -> Iterator[PageClient]:
    """A second app over the same database whose requests may be at most 200,000 bytes."""
    small = make_app(app_settings, MAX_CONTENT_LENGTH=200_000)
    assert small.config["SQLALCHEMY_DATABASE_URI"] == app.config["SQLALCHEMY_DATABASE_URI"]
    yield PageClient(small.test_client())
    with small.app_context():
        db.session.remove()
        db.engine.dispose()


def test_a_request_over_the_size_limit_gets_a_clear_page(app: Flask, small_limit_client: PageClient) -> None:
    client = small_limit_client
    fill_until(client, "asb", stop_before="evidence")
    before = uploaded_files(app)

    page = upload(client, PNG + b"\x00" * 250_000, "big.png")

    assert page.status == 413
    assert page.h1 == "The files you chose are too large"
    assert "Nothing was uploaded. Your other answers are kept." in page.text()
    assert uploaded_files(app) == before
    assert attachments(app) == []
    # The draft lives in the shared database, and its answers are still there.
    assert count(app, Draft) == 1
    assert_what_answers_kept(client)
    assert client.get("/report/evidence").h1 == "Add photos or documents (optional)"


# --- Drafts that have expired -------------------------------------------------------------------


def expire_drafts(app: Flask, client: PageClient) -> None:
    """Move the drafts past their lifetime, as time passing would: the draft on the server, and the
    browser's note of how far it had got (which carries the same expiry)."""
    past = utcnow() - timedelta(minutes=1)
    with app.app_context():
        db.session.execute(update(Draft).values(expires_at=past))
        db.session.commit()
        with client.client.session_transaction() as kept:
            draft = db.session.get(Draft, kept.get("draft_id", ""))
            if draft is not None and progress.PROGRESS_KEY in kept:
                state = DraftState(draft.id, draft.kind, tuple(draft.completed), past)
                kept[progress.PROGRESS_KEY] = progress.token(state)


def assert_draft_expired(page: Page) -> None:
    assert page.status == 410
    assert page.h1 == DRAFT_EXPIRED
    start_again = page.soup.find("a", string=lambda text: text and "Start again" in text)
    assert start_again is not None and start_again["href"] == "/report"


def test_an_expired_draft_says_the_answers_are_gone(app: Flask, client: PageClient) -> None:
    choose(client, "asb")
    client.post_form("/report/what", factories.WHAT["asb"])
    expire_drafts(app, client)

    assert_draft_expired(client.get("/report/where"))
    # Still gone on the next page, not a server error.
    assert_draft_expired(client.get("/report/what"))


def test_sending_an_expired_draft_gets_the_expired_page(app: Flask, client: PageClient) -> None:
    fill_until(client, "asb")
    token = client.get("/report/check").csrf_token()
    expire_drafts(app, client)

    page = client.post("/report/check", {"csrf_token": token})

    assert_draft_expired(page)
    assert count(app, Report) == 0


def test_an_expired_second_report_is_not_shown_as_sent(app: Flask, client: PageClient) -> None:
    first = submit(client, "asb")
    assert first.h1 == "Report sent"
    first_reference = first.soup.select_one(".govuk-panel__body strong").get_text(strip=True)

    fill_until(client, "neighbour_dispute")
    token = client.get("/report/check").csrf_token()
    expire_drafts(app, client)
    page = client.post("/report/check", {"csrf_token": token})

    assert count(app, Report) == 1
    assert first_reference not in page.text()
    assert_draft_expired(page)


@pytest.mark.parametrize("slug", ["what", "details", "where", "when", "about-you"])
def test_answering_a_page_of_an_expired_draft_gets_the_expired_page(
    app: Flask, client: PageClient, slug: str
) -> None:
    fill_until(client, "asb")
    token = client.get(f"/report/{slug}").csrf_token()
    expire_drafts(app, client)

    answers = dict(pages_answered("asb"))
    page = client.post(f"/report/{slug}", {"csrf_token": token, **answers[slug]})

    assert_draft_expired(page)
    assert count(app, Report) == 0


def test_uploading_to_an_expired_draft_gets_the_expired_page(app: Flask, at_evidence: PageClient) -> None:
    token = at_evidence.get("/report/evidence").csrf_token()
    expire_drafts(app, at_evidence)
    before = uploaded_files(app)

    page = at_evidence.post(
        "/report/evidence",
        {"csrf_token": token, "files": (io.BytesIO(PNG), "late.png"), "upload": "Upload file"},
        content_type="multipart/form-data",
    )

    assert_draft_expired(page)
    assert uploaded_files(app) == before
    assert attachments(app) == []


def test_a_question_page_with_no_draft_at_all_gets_the_expired_page(client: PageClient) -> None:
    assert_draft_expired(client.get("/report/about-you"))


# --- Addresses and methods that do not exist ----------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/report/nonsense", "/report/what/extra", "/nonsense", "/report/evidence/x/remove"]
)
def test_an_unknown_address_gets_page_not_found(client: PageClient, url: str) -> None:
    choose(client, "asb")
    page = client.get(url)
    assert page.status == 404
    assert page.h1 == "Page not found"
    assert page.title.startswith("Page not found")


def test_posting_to_an_unknown_page_gets_page_not_found(client: PageClient) -> None:
    choose(client, "asb")
    token = client.get("/report/what").csrf_token()
    page = client.post("/report/nonsense", {"csrf_token": token})
    assert page.status == 404
    assert page.h1 == "Page not found"


def test_a_method_the_page_does_not_take_gets_a_clear_page(client: PageClient) -> None:
    choose(client, "asb")
    page = Page(client.client.delete("/report/what"))
    assert page.status == 405
    assert page.h1 == "Sorry, that page cannot be used like that"
    assert client.get("/report/what").h1 == "What is happening?"


def test_pressing_upload_with_no_file_chosen_says_so(client: PageClient) -> None:
    fill_until(client, "asb", stop_before="evidence")
    page = client.post_form("/report/evidence", {"upload": "Upload file"})
    assert page.errors == ["Select a file to upload"]
    assert page.title.startswith("Error:")


def test_a_refused_form_goes_back_to_the_same_page_with_its_query(client: PageClient) -> None:
    fill_until(client, "asb")
    page = client.post("/report/where?change=1", {"csrf_token": "forged", **factories.WHERE})
    assert page.status == 400
    back = page.soup.select_one("main a.govuk-button")
    assert back is not None and back["href"] == "/report/where?change=1"


def test_error_pages_during_a_safety_concern_keep_exit_this_page(client: PageClient) -> None:
    choose(client, "safety_concern")
    refused = client.post("/report/what", {"csrf_token": "forged"})
    assert refused.status == 400 and refused.has_exit_this_page()
    assert client.get("/report/nonsense").has_exit_this_page()


def test_error_pages_during_every_report_keep_exit_this_page(client: PageClient) -> None:
    choose(client, "asb")
    assert client.get("/report/nonsense").has_exit_this_page()
    assert client.get("/nonsense").has_exit_this_page()
    assert not client.get("/officer/nonsense").has_exit_this_page()
