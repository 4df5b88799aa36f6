"""Injection and forgery: text is only ever text, queries only ever queries, and no change without a token.

Script, markup and template syntax typed by a resident or an officer is shown as typed and never
becomes an element, an attribute or a link that runs script, on any page, export or email. Search
boxes and filters are never read as SQL. Every POST in the URL map refuses a missing or forged CSRF
token and changes nothing, and no GET changes anything.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import pyotp
import pytest
from bs4 import BeautifulSoup
from flask import Flask
from sqlalchemy import func, select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from portal.cases import case_review, resident_code
from portal.extensions import db
from portal.models import Attachment, AuditEvent, CaseReview, OutboxMessage, Report, TaskingAction, User
from portal.models.audit import AuditAction
from portal.public.journey import PAGES
from portal.reports import resident_access
from portal.reports.evidence import clean_filename
from portal.text.csv_safe import safe_cell
from tests import factories
from tests.case_reviews import make_review
from tests.cases import make_case
from tests.closing import close, question_link
from tests.conftest import MailCatcher
from tests.evidence_files import PNG, picture_bytes
from tests.helpers import Page, PageClient, today
from tests.journey import fill_until
from tests.officers import PASSWORD, Account, fresh_code, make_account, sign_in

# --- Reading what came back -----------------------------------------------------------------------

PAYLOADS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "' onmouseover='alert(1)' x='",
    "javascript:alert(1)",
    '<a href="javascript:alert(1)">x</a>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<IMG SRC=JaVaScRiPt:alert(1)>",
    "<svg onload=alert(1)>",
    "'';!--\"<XSS>=&{()}",
    "{{7*7}} {% print 1 %}{{ config }}",
    "</textarea><script>alert(1)</script>",
    '<iframe src="https://evil.example/"></iframe>',
    "<style>body{display:none}</style>",
    "\u202e\uff1cscript\uff1ealert(1)\uff1c/script\uff1e <scr\u0130pt>alert(1)</scr\u0130pt>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]
PAYLOAD_IDS = [f"payload-{number}" for number in range(len(PAYLOADS))]

# A valid email address holding the characters an address may hold that mean something in HTML.
EMAIL_ISH = "o'neil+{{7*7}}&x=1@example.org"

URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data", "xlink:href", "poster", "background")
# Elements the portal's own pages never hold: any of them on a page came from what someone typed.
FOREIGN_ELEMENTS = ("iframe", "style", "object", "embed", "base", "img", "svg", "math", "xss", "mglyph")
OWN_SCRIPTS = ("/static/", "/assets/")


# Read-only entries: opening a case, downloading a file, exporting a CSV.
UNCOUNTED = (AuditAction.VIEWED, AuditAction.DOWNLOADED, AuditAction.EXPORTED)


def inert(soup: BeautifulSoup, where: str) -> None:
    """Nothing on the page can run: no foreign elements, no event handlers, no script links."""
    for script in soup.find_all("script"):
        src = script.get("src")
        assert src is None or str(src).startswith(OWN_SCRIPTS), f"{where}: a script from {src}"
        assert "alert" not in (script.string or ""), f"{where}: {script}"
    for found in soup.find_all(FOREIGN_ELEMENTS):
        if found.name == "svg" and found.get("role") == "img" and found.find("title"):
            continue  # the two-factor set-up QR code, drawn by the portal
        assert found is None, f"{where}: a <{found.name}> element: {found}"[:300]
    for element in soup.find_all(True):
        assert re.fullmatch(r"[a-z][a-z0-9]*", element.name), f"{where}: a <{element.name}> element"
        for attribute, value in element.attrs.items():
            assert not attribute.lower().startswith("on"), f"{where}: {attribute}= on <{element.name}>"
            if attribute.lower() in URL_ATTRIBUTES:
                url = re.sub(r"[\x00-\x20]", "", str(value)).lower()
                assert not url.startswith(("javascript:", "vbscript:", "data:text")), f"{where}: {value}"


def shown(soup: BeautifulSoup, text: str, where: str, times: int = 1) -> None:
    """``text`` is on the page, at least ``times`` times, as text a person reads (template syntax not run)."""
    found = soup.get_text().count(text)
    assert found >= times, f"{where}: {text!r} is shown as text {found} times, not {times}"


def html_part(email: EmailMessage) -> BeautifulSoup:
    part = email.get_body(("html",))
    assert part is not None, "the email has an HTML part"
    return BeautifulSoup(part.get_content(), "html.parser")


def plain_part(email: EmailMessage) -> str:
    part = email.get_body(("plain",))
    assert part is not None, "the email has a plain text part"
    return str(part.get_content()).replace("\r\n", "\n")


def read_csv(response: TestResponse) -> list[dict[str, str]]:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"), newline="")))
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def as_written(text: str) -> str:
    """A cell as the CSV writer leaves it: the same text, with a quote in front of a formula."""
    return str(safe_cell(text))


def upload(client: PageClient, token: str, data: bytes, filename: str) -> Page:
    # A browser sends a quote in a file name as %22, since the multipart header quotes the name.
    return client.post(
        "/report/evidence",
        {
            "csrf_token": token,
            "files": (io.BytesIO(data), filename.replace('"', "%22")),
            "upload": "Upload file",
        },
        content_type="multipart/form-data",
    )


def send(client: PageClient, url: str, data: dict[str, Any], token: str) -> None:
    """Post a page's answers that are accepted (the page moves on), without reading the next page."""
    response = client.post_raw(url, {"csrf_token": token, **data})
    assert response.status_code == 302, f"{url}: {response.status_code}"


def the_report(app: Flask) -> Report:
    with app.app_context():
        report = db.session.scalars(select(Report)).one()
        db.session.expunge(report)
        return report


def parts(day: date) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def signed_in(app: Flask, role: str) -> PageClient:
    """A browser signed in to a new account with ``role``."""
    client = PageClient(app.test_client())
    sign_in(client, make_account(app, role))
    return client


# --- Cross-site scripting ---------------------------------------------------------------------------


def case_version(app: Flask, reference: str) -> int:
    with app.app_context():
        return int(db.session.scalar(select(Report.version).where(Report.reference == reference)) or 0)


def change_case(client: PageClient, token: str, reference: str, path: str, data: dict[str, Any]) -> None:
    """Make one change to a case from its current version, as an officer with the case open would."""
    version = case_version(client.app, reference)
    response = client.post_raw(
        f"/officer/cases/{reference}/{path}", {"csrf_token": token, "version": str(version), **data}
    )
    assert response.status_code == 302, f"{path}: {response.status_code}"


def report_as_resident(client: PageClient, payload: str) -> str:
    """Send a report with ``payload`` in every answer that takes text; check each page shown on the way."""
    token = client.get("/report").csrf_token()  # one token serves every form of the session
    send(client, "/report", {"kind": "asb"}, token)
    send(client, "/report/what", {**factories.WHAT["asb"], "description": payload}, token)
    send(client, "/report/details", factories.DETAILS["asb"], token)

    # A postcode, an email address and a phone number are checked, and what was typed is shown again.
    refused = client.post("/report/where", {"csrf_token": token, **factories.WHERE, "postcode": payload})
    assert refused.errors
    inert(refused.soup, "the where page, refused")
    assert refused.value("postcode") == payload
    send(client, "/report/where", {**factories.WHERE, "address": payload}, token)
    send(client, "/report/when", factories.WHEN, token)
    send(client, "/report/impact", factories.IMPACT, token)

    filename = clean_filename(f"{payload}.png")
    evidence = upload(client, token, PNG, f"{payload}.png")
    assert not evidence.errors
    inert(evidence.soup, "the evidence page")
    shown(evidence.soup, filename, "the evidence page")
    send(client, "/report/evidence", {"continue": "continue"}, token)

    refused = client.post(
        "/report/about-you", {"csrf_token": token, **factories.about(email=payload, phone=payload)}
    )
    assert refused.errors
    inert(refused.soup, "the about-you page, refused")
    assert (refused.value("email"), refused.value("phone")) == (payload, payload)
    send(client, "/report/about-you", factories.about(name=payload, email=EMAIL_ISH), token)

    check = client.get("/report/check")
    inert(check.soup, "check your answers")
    for text in (payload, filename, EMAIL_ISH):
        shown(check.soup, text, "check your answers")
    sent = client.post("/report/check", {"csrf_token": token})
    assert sent.h1 == "Report sent"
    inert(sent.soup, "the confirmation page")
    return the_report(client.app).reference


def work_the_case(app: Flask, admin: PageClient, reference: str, payload: str) -> None:
    """Type ``payload`` into every free-text field of the back-office: accounts, casework, records."""
    token = admin.get("/officer/accounts").csrf_token()
    account = {"name": payload, "email": "named@council.example", "role": "officer", "password": PASSWORD}
    assert admin.post_raw("/officer/accounts", {"csrf_token": token, **account}).status_code == 302
    with app.app_context():
        named = db.session.scalars(select(User.id).where(User.email == "named@council.example")).one()
    day, week_on = parts(today()), parts(today() + timedelta(days=7))
    camera = {
        "camera": "WC-01",
        "camera_location": payload,
        "signage": "yes",
        "camera_from": day,
        "camera_to": week_on,
    }
    power = {
        "power": "cpw",
        "power_date": day,
        "served_on_name": payload,
        "served_on_age_band": "18_24",
        "served_by": payload,
    }
    for path, data in [
        ("reroute", {"route": "target_hardening", "reason": payload}),
        (
            "records/target-hardening",
            {"survey_date": day, "hardening_items": ["other"], "other_items": payload},
        ),
        ("reroute", {"route": "tasking", "reason": payload}),
        ("records/tasking", {"meeting_date": day, "decision": payload}),
        ("records/actions", {"action_description": payload, "action_owner": payload, "action_due": week_on}),
        ("records/cameras", camera),
        ("records/powers", power),
        ("notes", {"text": payload}),
        ("updates", {"text": payload}),
        ("assign", {"officer": str(named)}),
    ]:
        change_case(admin, token, reference, path, data)


@pytest.mark.parametrize("payload", PAYLOADS, ids=PAYLOAD_IDS)
def test_typed_text_is_shown_as_text_on_every_page_export_and_email(
    app: Flask, client: PageClient, mailbox: MailCatcher, payload: str
) -> None:
    reference = report_as_resident(client, payload)
    [acknowledgement] = mailbox.to(EMAIL_ISH)
    inert(html_part(acknowledgement), "the acknowledgement email")
    assert "alert" not in plain_part(acknowledgement)
    assert the_report(app).route != "target_hardening", "the first re-route below changes the route"

    admin = signed_in(app, "admin")
    mailbox.clear()
    work_the_case(app, admin, reference, payload)
    filename = clean_filename(f"{payload}.png")
    # How often each page shows the payload: once for each answer or entry that holds it.
    for where, url, times in [
        ("the accounts page", "/officer/accounts", 1),
        # description, address, name; re-route reason; other items, decision, action and its owner,
        # camera location, the person served and who served it; the note and the update
        ("the case page", f"/officer/cases/{reference}", 13),
        ("the queue", "/officer/", 2),  # the officer's name, in the table and the filter
        ("the tasking agenda", "/officer/agenda", 4),  # decision, action, its owner, the officer's name
    ]:
        page = admin.get(url)
        inert(page.soup, where)
        shown(page.soup, payload, where, times)
    case = admin.get(f"/officer/cases/{reference}")
    shown(case.soup, filename, "the case page")
    shown(case.soup, EMAIL_ISH, "the case page")

    [download] = case.soup.select("a[download][href*='/attachments/']")
    response = admin.get_raw(str(download["href"]))
    assert response.status_code == 200 and response.get_data() == PNG
    assert response.headers["Content-Disposition"].startswith("attachment;")

    for search in (payload, EMAIL_ISH):
        found = admin.get("/officer/", query_string={"q": search})
        inert(found.soup, "the queue's search results")
        assert found.soup.find("input", id="q")["value"] == search
        assert reference in found.text(), f"a search by the reporter's name or email finds the case: {search}"

    [row] = read_csv(admin.get_raw("/officer/queue.csv", query_string={"q": EMAIL_ISH}))
    assert (row["Reference"], row["Officer"]) == (reference, as_written(payload))
    assert as_written(payload) not in [row[key] for key in row if key != "Officer"], (
        "nothing the resident typed"
    )
    [row] = read_csv(admin.get_raw("/officer/agenda.csv"))
    assert (row["Officer"], row["Tasking decision"]) == (as_written(payload), as_written(payload))
    assert row["Outstanding actions"].startswith(as_written(f"{payload} – {payload} – due"))

    [update] = mailbox.to(EMAIL_ISH)
    email = html_part(update)
    inert(email, "the case update email")
    shown(email, payload, "the case update email")
    assert payload in plain_part(update)


# --- SQL injection --------------------------------------------------------------------------------------

INJECTIONS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    "'; DROP TABLE report; --",
    "%' UNION SELECT reference, NULL FROM report --",
    "1) OR (1=1",
    "*/ OR 1=1 /*",
    "\\",
    '"',
    "'",
    "%",
    "_",
    "Resident' OR '1'='1",
    "Resident%",
    "Resident\x00' OR '1'='1",
    "\x00",
    "x" * 5000,
    "DIO-2026-900001' OR 'x'='x",
    "open' OR status='closed",
    "0.2026-01-01.1 OR 1=1",
    "1.2026-01-01.99999999999999999999",
    "0.9999-12-31.-1",
    "99999999999999999999",
    "\u00b2",
    "-1",
]
QUEUE_PARAMETERS = ("q", "status", "risk_level", "flag", "ward", "assignee", "tab", "after")
AGENDA_PARAMETERS = ("day", "month", "year", "date")


def row_counts(app: Flask) -> dict[str, int]:
    """Each table's row count; the audit log's without the entries each CSV export writes, by design."""
    with app.app_context():
        counts = {
            table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
        }
        counts["audit_event"] = (
            db.session.scalar(
                select(func.count()).select_from(AuditEvent).where(AuditEvent.action != AuditAction.EXPORTED)
            )
            or 0
        )
        return counts


def exports_recorded(app: Flask) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).where(AuditEvent.action == AuditAction.EXPORTED)) or 0


def queue_references(page: Page) -> set[str]:
    return {a.get_text(strip=True) for a in page.soup.select("table.portal-queue tbody tr td:first-child a")}


def agenda_references(page: Page) -> set[str]:
    return {a.get_text(strip=True) for a in page.soup.select(".portal-agenda__case th a")}


def csv_references(response: TestResponse) -> set[str]:
    return {row["Reference"] for row in read_csv(response)}


@pytest.fixture
def three_cases(app: Flask, supervisor: Account) -> dict[str, str]:
    """Two open cases (one safeguarding, one held by the supervisor) and a closed one."""
    return {
        "open": make_case(app, assignee_id=supervisor.id, ward="Dronfield North"),
        "safeguarding": make_case(app, flags=["safeguarding"], risk_level="high", route="mediation"),
        "closed": make_case(app, status="closed", outcome="resolved"),
    }


def checked(response: TestResponse, url: str) -> Page | None:
    """The page, if it is one: every answer is under 500 and a refusal is a plain 400."""
    assert response.status_code < 500, f"{url}: {response.status_code}"
    if response.status_code == 400:
        return None
    assert response.status_code == 200, f"{url}: {response.status_code}"
    return Page(response)


@pytest.mark.parametrize("parameter", QUEUE_PARAMETERS)
def test_the_queue_search_and_filters_are_never_read_as_sql(
    app: Flask, supervisor_client: PageClient, three_cases: dict[str, str], parameter: str
) -> None:
    before = row_counts(app)
    # The queue with the parameter left out: an injection may narrow it, never widen it.
    everything = queue_references(supervisor_client.get("/officer/"))
    assert everything == {three_cases["open"], three_cases["safeguarding"]}
    exported = csv_references(supervisor_client.get_raw("/officer/queue.csv"))
    assert exported == everything

    for value in INJECTIONS:
        args = {parameter: value}
        page = checked(supervisor_client.get_raw("/officer/", query_string=args), f"/officer/?{parameter}")
        assert page is not None, f"{parameter}={value[:40]!r} was refused"
        found = queue_references(page)
        if parameter == "q":
            # No reporter's name, email or postcode starts so: nothing, or everything for an empty search.
            legitimate = everything if not value.replace("\x00", "").strip() else set()
            assert found == legitimate, f"q={value[:40]!r} found {found}"
            assert page.soup.find("input", id="q")["value"] == value.replace("\x00", "").strip()[:200]
        else:
            assert found <= everything, f"{parameter}={value[:40]!r} showed {found - everything}"
        response = supervisor_client.get_raw("/officer/queue.csv", query_string=args)
        assert response.status_code < 500, f"/officer/queue.csv?{parameter}={value[:40]!r}"
        rows = csv_references(response)
        assert rows == found, f"the export of {parameter}={value[:40]!r} is not the queue"

    assert row_counts(app) == before
    assert exports_recorded(app) == 1 + len(INJECTIONS), "each export once, whatever it was asked"


@pytest.mark.parametrize("parameter", AGENDA_PARAMETERS)
def test_the_agenda_and_its_export_never_read_a_date_as_sql(
    app: Flask, supervisor_client: PageClient, three_cases: dict[str, str], parameter: str
) -> None:
    before = row_counts(app)
    meeting = {"date": "2026-11-30"}
    listed = agenda_references(supervisor_client.get("/officer/agenda", query_string=meeting))
    assert listed == {three_cases["open"]}
    for value in INJECTIONS:
        args = {**meeting, parameter: value}
        page = checked(
            supervisor_client.get_raw("/officer/agenda", query_string=args), f"{parameter}={value[:40]!r}"
        )
        if page is None:
            refused = Page(supervisor_client.get_raw("/officer/agenda", query_string=args))
            assert refused.errors == ["Enter a real meeting date"]
        else:
            assert agenda_references(page) <= listed
        response = supervisor_client.get_raw("/officer/agenda.csv", query_string=args)
        assert response.status_code in (200, 400), f"agenda.csv?{parameter}={value[:40]!r}"
        if response.status_code == 200:
            assert csv_references(response) <= listed
    assert row_counts(app) == before


# --- Cross-site request forgery -------------------------------------------------------------------------

FORM_DATA = Callable[[], dict[str, Any]]
FORGED_PNG = picture_bytes("PNG", size=(5, 3))


@dataclass
class Attempt:
    """One state-changing post, as its page would send it, by a browser that may make it."""

    client: PageClient
    url: str
    data: FORM_DATA
    token_from: str  # a page of the client's own session that carries its token
    multipart: bool = False
    # What the post changes outside the database (a sign-in, a sign-out): probed with a GET.
    probe: Callable[[], Any] = field(default=lambda: None)


def everything(app: Flask) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, as text: the state a refused post must leave as it was."""
    with app.app_context():
        return {
            table.name: sorted(
                tuple(repr(value) for value in row) for row in db.session.execute(select(table))
            )
            for table in db.metadata.sorted_tables
        }


def landing(client: PageClient, url: str) -> Callable[[], Any]:
    """Where ``url`` leaves the browser: a page (200), or a redirect and its target."""

    def probe() -> Any:
        response = client.get_raw(url)
        return response.status_code, response.headers.get("Location")

    return probe


class Scene:
    """What the posts act on: accounts, cases and drafts, made afresh for each post that needs them."""

    def __init__(self, app: Flask, admin_client: PageClient) -> None:
        self.app = app
        self.admin_client = admin_client
        self.officer = make_account(app, "officer", name="Other Officer")  # disabled by a post below
        self.assignee = make_account(app, "officer", name="Assigned Officer")
        self.numbers = itertools.count(1)

    def resident(self) -> tuple[PageClient, int]:
        """A resident (from an address of their own) whose draft is complete, with one file added."""
        browser = self.app.test_client()
        browser.environ_base["REMOTE_ADDR"] = f"203.0.113.{next(self.numbers)}"
        client = PageClient(browser)
        fill_until(client, "asb", stop_before="evidence")
        token = client.get("/report/evidence").csrf_token()
        upload(client, token, PNG, "photo.png")
        send(client, "/report/evidence", {"continue": "continue"}, token)
        send(client, "/report/about-you", factories.about(), token)
        with self.app.app_context():
            attachment = db.session.scalars(select(Attachment.id).order_by(Attachment.id.desc())).first()
        return client, int(attachment or 0)

    def resume_link(self) -> str:
        """The path of a link to continue a resident's draft, as emailed to them."""
        client, _ = self.resident()
        client.post_form("/report/continue", {"email": factories.about()["email"]})
        with self.app.app_context():
            body = db.session.scalars(
                select(OutboxMessage.body_text)
                .where(OutboxMessage.purpose == "resume_link")
                .order_by(OutboxMessage.id.desc())
            ).first()
        assert body, "the newest link's email is still waiting to be sent"
        return "/report/continue/" + body.split("/report/continue/")[1].split()[0]

    def satisfaction_link(self) -> str:
        """The path of the link emailed to a resident when their case was closed."""
        reference = self.case()
        close(self.app, reference, make_account(self.app, "supervisor", name="Closing Supervisor"))
        return question_link(self.app, reference)

    def report_link(self) -> tuple[str, str]:
        """A case whose resident may be emailed, and the path of the sign-in link emailed to them."""
        reference = self.case(email_key="resident@example.org")
        with self.app.app_context():
            resident_access.send_sign_in_link(reference, "resident@example.org")
            body = db.session.scalars(
                select(OutboxMessage.body_text)
                .join(Report, Report.id == OutboxMessage.report_id)
                .where(OutboxMessage.purpose == resident_access.PURPOSE, Report.reference == reference)
            ).one()
        return reference, "/your-report/sign-in/" + body.split("/your-report/sign-in/")[1].split()[0]

    def report_code(self) -> tuple[str, str]:
        """A case whose resident may not be emailed, and a sign-in code an officer made for it."""
        reference = self.case(safe_to_email=False)
        account = make_account(self.app, "supervisor", name=f"Coding Supervisor {next(self.numbers)}")
        with self.app.app_context():
            officer = db.session.get(User, account.id)
            assert officer is not None
            return reference, resident_code.create_sign_in_code(reference, officer, None)

    def case(self, route: str = "tasking", **changes: Any) -> str:
        return make_case(
            self.app,
            route=route,
            submitted_at=datetime.now(UTC) - timedelta(days=30),
            **{"reporter_email": "resident@example.org", "safe_to_email": True, **changes},
        )

    def versioned(self, reference: str, **data: Any) -> FORM_DATA:
        return lambda: {"version": str(case_version(self.app, reference)), **data}

    def on_case(self, path: str, case_route: str = "tasking", **data: Any) -> Attempt:
        reference = self.case(case_route)
        url = f"/officer/cases/{reference}/{path}"
        return Attempt(self.admin_client, url, self.versioned(reference, **data), "/officer/")

    def review(self, stage: str, **changes: Any) -> int:
        """An ASB Case Review at ``stage`` of a case of its own."""
        changes.setdefault("applied_at", datetime.now(UTC) - timedelta(days=20))
        return make_review(self.app, self.case(), stage, **changes)

    def on_review(self, path: str, stage: str, changes: dict[str, Any], **data: Any) -> Attempt:
        url = f"/officer/case-reviews/{self.review(stage, **changes)}/{path}"
        return Attempt(self.admin_client, url, lambda: data, "/officer/")

    def pending(self, account: Account) -> PageClient:
        """A browser that has given the account's password and is asked for a code next."""
        client = PageClient(self.app.test_client())
        client.post_form("/officer/sign-in", {"email": account.email, "password": PASSWORD})
        return client


def _public_attempts(scene: Scene, rule: Rule) -> list[Attempt]:
    if rule.endpoint == "feedback.give_feedback":
        client = PageClient(scene.app.test_client())
        return [Attempt(client, "/feedback", lambda: {"satisfaction": "satisfied"}, "/feedback")]
    if rule.endpoint == "public.choose_kind":
        client, _ = scene.resident()
        return [Attempt(client, "/report", lambda: {"kind": "neighbour_dispute"}, "/report")]
    if rule.endpoint == "public.check_answers":
        client, _ = scene.resident()
        return [Attempt(client, "/report/check", dict, "/report/check")]
    if rule.endpoint == "public.remove_evidence":
        client, attachment = scene.resident()
        return [Attempt(client, f"/report/evidence/{attachment}/remove", dict, "/report/check")]
    if rule.endpoint == "public.clear_answers":
        client, _ = scene.resident()
        return [Attempt(client, "/report/clear-answers", dict, "/report/check")]
    if rule.endpoint == "public.request_resume_link":
        client, _ = scene.resident()
        email = factories.about()["email"]
        return [Attempt(client, "/report/continue", lambda: {"email": email}, "/report/continue")]
    if rule.endpoint == "public.resume":
        url = scene.resume_link()
        return [Attempt(PageClient(scene.app.test_client()), url, dict, url)]
    if rule.endpoint == "public.satisfaction_question":
        url = scene.satisfaction_link()
        answer = {"answer": "partly_satisfied", "comment": ""}
        return [Attempt(PageClient(scene.app.test_client()), url, lambda: answer, url)]
    if rule.endpoint == "public.check_report":
        reference, _ = scene.report_link()
        asked = {"reference": reference, "email": "resident@example.org"}
        return [Attempt(PageClient(scene.app.test_client()), "/your-report", lambda: asked, "/your-report")]
    if rule.endpoint == "public.sign_in_by_link":
        _, url = scene.report_link()
        client = PageClient(scene.app.test_client())
        return [Attempt(client, url, dict, url, probe=landing(client, "/your-report/case"))]
    if rule.endpoint == "public.sign_in_with_code":
        reference, code = scene.report_code()
        client = PageClient(scene.app.test_client())
        entered = {"reference": reference, "code": code}
        probe = landing(client, "/your-report/case")
        return [Attempt(client, "/your-report/code", lambda: entered, "/your-report/code", probe=probe)]
    if rule.endpoint == "public.case_review_apply":
        _, url = scene.report_link()
        client = PageClient(scene.app.test_client())
        assert client.post_form(url).path == "/your-report/case"
        applied = {"account": "Music every night", "rows": "3", "send": "yes"}
        return [Attempt(client, "/your-report/case-review", lambda: applied, "/your-report/case-review")]
    if rule.endpoint == "public.sign_out_of_report":
        _, url = scene.report_link()
        client = PageClient(scene.app.test_client())
        assert client.post_form(url).path == "/your-report/case"
        probe = landing(client, "/your-report/case")
        return [Attempt(client, "/your-report/sign-out", dict, "/your-report/case", probe=probe)]
    if rule.endpoint == "public.add_incident":
        _, url = scene.report_link()
        client = PageClient(scene.app.test_client())
        assert client.post_form(url).path == "/your-report/case"
        yesterday = today() - timedelta(days=1)
        incident = {
            "what_happened": "Someone else's words",
            "occurred_on": [str(yesterday.day), str(yesterday.month), str(yesterday.year)],
        }
        return [Attempt(client, "/your-report/incident", lambda: incident, "/your-report/incident")]
    changed: dict[str, FORM_DATA] = {
        "what": lambda: {**factories.WHAT["asb"], "description": "Someone else's words"},
        "details": lambda: {"perpetrators_known": "yes", "perpetrator_is_neighbour": "no"},
        "where": lambda: {**factories.WHERE, "address": "Somewhere else"},
        "when": lambda: {**factories.WHEN, "frequency": "daily"},
        "impact": lambda: {"harm": ["none"]},
        # Another picture than the one the draft holds: the same file again is kept once.
        "evidence": lambda: {"files": (io.BytesIO(FORGED_PNG), "forged.png"), "upload": "Upload file"},
        "about-you": lambda: factories.about(name="Someone Else"),
    }
    assert set(changed) == {page.slug for page in PAGES}, "every question page is posted to"
    attempts = []
    for slug, data in changed.items():
        client, _ = scene.resident()
        attempts.append(
            Attempt(client, f"/report/{slug}", data, "/report/check", multipart=slug == "evidence")
        )
    return attempts


def _sign_in_attempts(scene: Scene, rule: Rule) -> list[Attempt]:
    app = scene.app
    account = make_account(app, "officer", name=f"Signing In {next(scene.numbers)}")
    if rule.endpoint == "officer.sign_in":
        client = PageClient(app.test_client())
        data = {"email": account.email, "password": PASSWORD}
        return [
            Attempt(
                client,
                "/officer/sign-in",
                lambda: data,
                "/officer/sign-in",
                probe=landing(client, "/officer/sign-in/code"),
            )
        ]
    if rule.endpoint == "officer.sign_in_code":
        client = scene.pending(account)
        return [
            Attempt(
                client,
                "/officer/sign-in/code",
                lambda: {"code": fresh_code(app, account)},
                "/officer/sign-in/code",
                probe=landing(client, "/officer/"),
            )
        ]
    if rule.endpoint == "officer.sign_in_set_up":
        newcomer = make_account(app, "officer", name="New Officer", two_factor=False)
        client = scene.pending(newcomer)
        client.get("/officer/sign-in/set-up")  # the secret to enrol with is made when the page is shown

        def code() -> dict[str, Any]:
            with app.app_context():
                secret = db.session.scalar(select(User.totp_pending_secret).where(User.id == newcomer.id))
            return {"code": pyotp.TOTP(str(secret)).now()}

        return [
            Attempt(
                client,
                "/officer/sign-in/set-up",
                code,
                "/officer/sign-in/set-up",
                probe=landing(client, "/officer/"),
            )
        ]
    if rule.endpoint == "officer.sign_in_new_password":
        newcomer = make_account(app, "officer", name="Newly Enrolled", two_factor=False)
        client = scene.pending(newcomer)
        key = (
            client.get("/officer/sign-in/set-up")
            .soup.select_one(".portal-qr__key")
            .get_text()
            .replace(" ", "")
        )
        asked = client.post_form("/officer/sign-in/set-up", {"code": pyotp.TOTP(key).now()})
        assert asked.path == "/officer/sign-in/new-password"
        chosen = {
            "new_password": "a-password-of-their-own-5",
            "confirm_password": "a-password-of-their-own-5",
        }
        return [
            Attempt(
                client,
                "/officer/sign-in/new-password",
                lambda: chosen,
                "/officer/sign-in/new-password",
                probe=landing(client, "/officer/"),
            )
        ]
    if rule.endpoint == "officer.change_own_password":
        changing = make_account(app, "officer", name="Changing Password")
        client = PageClient(app.test_client())
        sign_in(client, changing)

        def change() -> dict[str, Any]:
            new = "a-changed-password-of-6"
            return {
                "current_password": PASSWORD,
                "new_password": new,
                "confirm_password": new,
                "code": fresh_code(app, changing),
            }

        return [Attempt(client, "/officer/account/password", change, "/officer/account/password")]
    if rule.endpoint == "officer.sign_out":
        account = make_account(app, "supervisor", name="Leaving Supervisor")
        client = PageClient(app.test_client())
        sign_in(client, account)
        return [Attempt(client, "/officer/sign-out", dict, "/officer/", probe=landing(client, "/officer/"))]
    raise LookupError(rule.endpoint)


def _officer_attempts(scene: Scene, rule: Rule) -> list[Attempt]:
    day, week_on = parts(today()), parts(today() + timedelta(days=7))
    officer = str(scene.assignee.id)
    admin = scene.admin_client
    if rule.endpoint == "officer.create_account":
        data = {
            "name": "Forged Account",
            "email": "forged@council.example",
            "role": "admin",
            "password": PASSWORD,
        }
        return [Attempt(admin, "/officer/accounts", lambda: data, "/officer/accounts")]
    if rule.endpoint == "officer.set_account_status":
        data = {"email": scene.officer.email, "active": "no"}
        return [Attempt(admin, "/officer/accounts/status", lambda: data, "/officer/accounts")]
    if rule.endpoint == "officer.reset_account_password":
        data = {"email": scene.officer.email}
        return [Attempt(admin, "/officer/accounts/reset-password", lambda: data, "/officer/accounts")]
    if rule.endpoint == "officer.record_case_review_application":
        reference = scene.case()
        url = f"/officer/cases/{reference}/case-review/apply"
        applied = {"channel": "phone", "applicant": "victim", "account": "Forged", "rows": "3"}
        return [Attempt(admin, url, lambda: applied, "/officer/")]
    if rule.endpoint == "officer.decide_case_review_threshold":
        reference = scene.case()
        with scene.app.app_context():
            review = case_review.apply(
                reference,
                channel="online",
                applicant=case_review.Applicant(),
                account="Music every night",
                reported_elsewhere=[],
                actor=None,
            )
            url = f"/officer/case-reviews/{review.id}/threshold"
        decided = {"met": "no", "note": "Forged"}
        return [Attempt(admin, url, lambda: decided, "/officer/")]
    if rule.endpoint == "officer.complete_tasking_action":
        reference = scene.case()
        with scene.app.app_context():
            report = db.session.scalars(select(Report).where(Report.reference == reference)).one()
            action = TaskingAction(report_id=report.id, description="Visit", owner="PCSO", due_date=today())
            db.session.add(action)
            db.session.commit()
            url = f"/officer/cases/{reference}/records/actions/{action.id}/done"
        return [Attempt(admin, url, scene.versioned(reference), "/officer/")]
    if rule.endpoint == "officer.complete_case_review_recommendation":
        review_id = scene.review("review_held", meeting_on=today() - timedelta(days=3))
        with scene.app.app_context():
            report_id = db.session.scalar(select(CaseReview.report_id).where(CaseReview.id == review_id))
            action = TaskingAction(
                report_id=report_id,
                case_review_id=review_id,
                description="Visit",
                owner="PCSO",
                due_date=today(),
            )
            db.session.add(action)
            db.session.commit()
            url = f"/officer/case-reviews/{review_id}/recommendations/{action.id}/done"
        return [Attempt(admin, url, dict, "/officer/")]
    if rule.endpoint == "officer.post_portal_update":  # only for a resident who cannot be emailed
        reference = scene.case(safe_to_email=False)
        url = f"/officer/cases/{reference}/portal-updates"
        return [Attempt(admin, url, scene.versioned(reference, text="A forged update"), "/officer/")]
    earlier = today() - timedelta(days=3)
    by_endpoint: dict[str, Callable[[], Attempt]] = {
        "officer.case_review_meeting": lambda: scene.on_review(
            "meeting",
            "met",
            {},
            meeting_on=day,
            chair_name="Forger",
            chair_organisation="Forged Council",
            agencies_present=["Police"],
            victim_views="Forged",
            findings="Forged",
        ),
        "officer.add_case_review_recommendation": lambda: scene.on_review(
            "recommendations",
            "review_held",
            {"meeting_on": earlier},
            description="Forged",
            owner="Forger",
            due_date=week_on,
        ),
        "officer.case_review_outcome": lambda: scene.on_review(
            "outcome",
            "review_held",
            {"meeting_on": earlier, "outcome_due": today()},
            sent_on=day,
            summary="Forged",
        ),
        "officer.case_review_escalation": lambda: scene.on_review(
            "escalation", "outcome_sent", {"outcome_sent_on": earlier}, escalated_on=day, reason="Forged"
        ),
        "officer.case_review_escalation_outcome": lambda: scene.on_review(
            "escalation-outcome", "escalated", {"escalated_on": earlier}, decided_on=day, result="upheld"
        ),
        "officer.claim": lambda: scene.on_case("claim"),
        "officer.assign": lambda: scene.on_case("assign", officer=officer),
        "officer.status": lambda: scene.on_case("status", status="in_progress"),
        "officer.first_contact": lambda: scene.on_case("first-contact", contacted_on=day, channel="phone"),
        "officer.reroute": lambda: scene.on_case("reroute", route="mediation", reason="Forged"),
        "officer.add_note": lambda: scene.on_case("notes", text="A forged note"),
        "officer.post_update": lambda: scene.on_case("updates", text="A forged update"),
        "officer.create_resident_code": lambda: scene.on_case("sign-in-code"),
        "officer.record_mediation": lambda: scene.on_case(
            "records/mediation", "mediation", referral_date=day, sessions="1", mediation_outcome="agreement"
        ),
        "officer.record_target_hardening": lambda: scene.on_case(
            "records/target-hardening", "target_hardening", survey_date=day, hardening_items=["locks"]
        ),
        "officer.record_tasking": lambda: scene.on_case(
            "records/tasking", meeting_date=day, decision="Forged"
        ),
        "officer.add_tasking_action": lambda: scene.on_case(
            "records/actions", action_description="Forged", action_owner="Forger", action_due=week_on
        ),
        "officer.add_camera_deployment": lambda: scene.on_case(
            "records/cameras",
            camera="WC-02",
            camera_location="Forged",
            signage="no",
            camera_from=day,
            camera_to=week_on,
        ),
        "officer.add_power_use": lambda: scene.on_case(
            "records/powers",
            power="cpn",
            power_date=day,
            served_on_name="X",
            served_on_age_band="unknown",
            served_by="Y",
        ),
    }
    if rule.endpoint in by_endpoint:
        return [by_endpoint[rule.endpoint]()]
    return _sign_in_attempts(scene, rule)


def post_rules(app: Flask) -> list[Rule]:
    rules = [rule for rule in app.url_map.iter_rules() if "POST" in (rule.methods or set())]
    assert len(rules) > 20
    return rules


def _post(attempt: Attempt, token: str | None) -> TestResponse:
    data = attempt.data()
    if token is not None:
        data["csrf_token"] = token
    if attempt.multipart:
        return attempt.client.post_raw(attempt.url, data, content_type="multipart/form-data")
    return attempt.client.post_raw(attempt.url, data)


def test_every_post_without_a_valid_token_is_refused_and_changes_nothing(
    app: Flask, supervisor_client: PageClient
) -> None:
    scene = Scene(app, signed_in(app, "admin"))  # an administrator may make every post
    # A token that is valid, but for another browser's session.
    another_session = supervisor_client.get("/officer/").csrf_token()

    tried = set()
    for rule in post_rules(app):
        builder = (
            _public_attempts if rule.endpoint.startswith(("public.", "feedback.")) else _officer_attempts
        )
        for attempt in builder(scene, rule):
            before, outside = everything(app), attempt.probe()
            for token in (None, "forged-token", another_session):
                response = _post(attempt, token)
                assert response.status_code == 400, f"{attempt.url} with {token!r}: {response.status_code}"
                assert everything(app) == before, f"{attempt.url} with {token!r} changed the database"
                assert attempt.probe() == outside, f"{attempt.url} with {token!r} changed the session"
            # The same post with the browser's own token does change something: the test above could fail.
            own = attempt.client.get(attempt.token_from).csrf_token()
            response = _post(attempt, own)
            assert response.status_code < 400, f"{attempt.url} with its own token: {response.status_code}"
            assert (everything(app), attempt.probe()) != (before, outside), f"{attempt.url} changed nothing"
            tried.add(attempt.url)
    # Every rule, and each question page of the one rule they share.
    assert len(tried) == len(post_rules(app)) + len(PAGES) - 1


# --- Nothing changes on GET ----------------------------------------------------------------------------


def get_rules(app: Flask) -> list[Rule]:
    rules = [rule for rule in app.url_map.iter_rules() if "GET" in (rule.methods or set())]
    assert len(rules) > 20
    return rules


def urls_for(rule: Rule, reference: str, attachment: int) -> list[str]:
    if "slug" in rule.arguments:
        return [str(rule.build({"slug": page.slug})[1]) for page in PAGES]  # type: ignore[index]
    known = {
        "reference": reference,
        "attachment_id": attachment,
        "review_id": 1,  # no such review: its pages are not found, and change nothing
        "token": "a-link-to-continue-that-was-never-sent",
        "filename": "images/favicon.svg" if rule.endpoint == "govuk_assets" else "css/portal.css",
    }
    return [str(rule.build({name: known[name] for name in rule.arguments})[1])]  # type: ignore[index]


def counts_and_versions(app: Flask) -> dict[str, Any]:
    """Each table's row count and each case's version. Reading is audited by design: an officer's view
    of a case, a download of its evidence and an export are the audit entries a GET may write."""
    with app.app_context():
        counts: dict[str, Any] = {
            table.name: db.session.scalar(select(func.count()).select_from(table)) or 0
            for table in db.metadata.sorted_tables
            if table.name != "audit_event"
        }
        counts["audit_event (other than views, downloads and exports)"] = db.session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action.not_in((AuditAction.VIEWED, AuditAction.DOWNLOADED, AuditAction.EXPORTED))
            )
        )
        counts["versions"] = sorted(
            db.session.execute(select(Report.reference, Report.version, Report.status)).all()
        )
        return counts


def test_no_get_changes_anything(app: Flask, supervisor_client: PageClient) -> None:
    client = supervisor_client
    token = client.get("/report").csrf_token()
    fill_until(client, "asb", stop_before="evidence")
    upload(client, token, PNG, "photo.png")
    send(client, "/report/evidence", {"continue": "continue"}, token)
    send(client, "/report/about-you", factories.about(), token)
    assert client.post("/report/check", {"csrf_token": token}).h1 == "Report sent"
    report = the_report(app)
    with app.app_context():
        attachment = db.session.scalars(select(Attachment.id)).one()
    before = counts_and_versions(app)
    assert client.get("/report/confirmation").h1 == "Report sent"
    assert counts_and_versions(app) == before
    fill_until(client, "neighbour_dispute")  # a draft in progress, for the question pages

    seen = 0
    for rule in get_rules(app):
        for url in urls_for(rule, report.reference, attachment):
            before = counts_and_versions(app)
            response = client.get_raw(url)
            assert response.status_code < 500, f"{url}: {response.status_code}"
            assert counts_and_versions(app) == before, f"GET {url} changed something"
            seen += 1
    assert seen >= len(get_rules(app))


# --- form parts without a name ---------------------------------------------------------------------

NAMELESS_PARTS = {
    "no-name": b"Content-Disposition: form-data\r\n\r\nvalue",
    "no-name-with-a-file": b'Content-Disposition: form-data; filename="photo.png"\r\n\r\n\x89PNG',
    "an-empty-name-with-a-file": (
        b'Content-Disposition: form-data; name=""; filename="photo.png"\r\n\r\n\x89PNG'
    ),
}


def _every_post_path(app: Flask) -> list[str]:
    """Every route that takes a post, with a case reference and a file number filled in."""
    filled = {"<reference>": "DIO-2026-000001", "<int:attachment_id>": "1", "<int:record_id>": "1"}
    paths = set()
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()):
            continue
        path = rule.rule
        for placeholder, value in filled.items():
            path = path.replace(placeholder, value)
        paths.add(re.sub(r"<[^>]+>", "1", path))
    return sorted(paths)


@pytest.mark.parametrize("part", NAMELESS_PARTS.values(), ids=NAMELESS_PARTS.keys())
def test_a_form_part_without_a_name_is_refused_with_the_service_s_page_on_every_post(
    app: Flask, client: PageClient, part: bytes
) -> None:
    posts = _every_post_path(app)
    assert "/officer/sign-in" in posts and "/report" in posts
    token = client.get("/report").csrf_token()
    for path in posts:
        body = (
            b'--B\r\nContent-Disposition: form-data; name="csrf_token"\r\n\r\n' + token.encode() + b"\r\n"
            b"--B\r\n" + part + b"\r\n--B--\r\n"
        )
        response = client.client.post(path, data=body, content_type="multipart/form-data; boundary=B")
        assert response.status_code == 400, path
        assert "Sorry, there is a problem with that request" in response.get_data(as_text=True), path
