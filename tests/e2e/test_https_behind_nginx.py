"""The portal over HTTPS as a council deploys it: nginx from deploy/, gunicorn in production mode.

Residents report each kind of problem with a photo, and an officer signs in with a password and
an authenticator code, in Chromium trusting the stack's own certificate. Every post must succeed
over HTTPS, each response carry HSTS, the session cookie be a secure ``__Host-`` cookie, and the
acknowledgements reach the mail server through the mail worker. Then, without a browser: a
client's own X-Forwarded-For is never taken as its address, gunicorn listens on nothing but its
Unix socket, and nginx redirects plain HTTP, serves the static files and refuses oversized bodies.
"""

from __future__ import annotations

import http.client
import json
import re
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from flask import Flask
from playwright.sync_api import Browser, Playwright, Response
from sqlalchemy import func, select

from bench.residents import kind_of, question_pages
from portal.extensions import db
from portal.models import Attachment
from tests.conftest import MailCatcher, SMTPServer
from tests.e2e import test_officer_journey as officer_journey
from tests.e2e import test_resident_journeys as resident_journeys
from tests.e2e import test_your_report as your_report
from tests.e2e.checks import CheckedPage, Visits
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, JourneyTabs
from tests.e2e.https_stack import NGINX, Stack, address_hash, start_stack
from tests.evidence_files import EvidenceFiles, metadata_found
from tests.processes import Browser as PortalBrowser

pytestmark = pytest.mark.skipif(not NGINX.exists(), reason=f"{NGINX} is missing: apt-get install nginx")

# A client with its own loopback address, so the address the portal sees can only be its own.
CLIENT_ADDRESS = "127.0.0.7"
SPOOFED_ADDRESS = "203.0.113.9"


def evidence_photo(evidence_files: EvidenceFiles) -> dict[str, Any]:
    """A 3 MB camera photo for the evidence page, with its camera, GPS position and a comment."""
    return {
        "name": "IMG_2041.JPG",
        "mimeType": "image/jpeg",
        "buffer": evidence_files.bytes("camera_3mb.jpg"),
    }


@pytest.fixture(scope="module")
def stack(
    migrated_app: Flask,
    app_settings: dict[str, Any],
    smtp_server: SMTPServer,
    redis_server: str,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Stack]:
    folder = tmp_path_factory.mktemp("https")
    yield from start_stack(folder, app_settings["DATABASE_URL"], smtp_server.port, redis_server)


@pytest.fixture(scope="module")
def trusting_browser(playwright: Playwright, stack: Stack) -> Iterator[Browser]:
    """Chromium that trusts the stack's certificate by its key, as it would a council's real one."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install chromium")
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM),
        headless=True,
        args=[*CHROMIUM_ARGS, f"--ignore-certificate-errors-spki-list={stack.spki}"],
    )
    yield chromium
    chromium.close()


class RecordingTabs(JourneyTabs):
    """Journey tabs that also keep every response the portal sent, for its headers."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.responses: list[Response] = []

    def __call__(self, javascript: bool = True, who: str = "") -> CheckedPage:
        tab = super().__call__(javascript, who)
        tab.page.on("response", lambda response: self.responses.append(response))
        return tab

    def cookies(self) -> list[Any]:
        return [cookie for context in self.contexts for cookie in context.cookies()]


@pytest.fixture
def tabs(
    request: pytest.FixtureRequest, trusting_browser: Browser, stack: Stack, visits: Visits
) -> Iterator[RecordingTabs]:
    opened = RecordingTabs(request, trusting_browser, stack.url, visits)
    yield opened
    opened.close()


@pytest.fixture
def mail_worker(stack: Stack) -> Iterator[None]:
    """The mail worker, started from its unit, delivers the outbox."""
    assert stack.mail_worker is not None and stack.mail_worker.poll() is None, stack.log("mail-worker.log")
    yield


def _assert_served_over_https(tabs: RecordingTabs, stack: Stack) -> None:
    posts = [r for r in tabs.responses if r.request.method == "POST"]
    assert posts, "the journey posted forms"
    for response in posts:
        assert response.url.startswith(stack.url + "/"), response.url
        assert response.status < 400, f"{response.url} answered {response.status}"
    pages = [
        r for r in tabs.responses if r.request.resource_type == "document" and r.url.startswith(stack.url)
    ]
    for response in pages:
        assert "max-age=31536000" in response.headers.get("strict-transport-security", ""), response.url
    sessions = [c for c in tabs.cookies() if c["name"] == "__Host-session"]
    assert sessions, "the session cookie is a __Host- cookie"
    for cookie in sessions:
        assert cookie["secure"] and cookie["httpOnly"] and cookie["path"] == "/"
        assert cookie["domain"] == "127.0.0.1", "bound to the host, for no other"
    assert not [c for c in tabs.cookies() if c["name"] == "session"], "no cookie outside the __Host- prefix"


RESIDENT_RUNS = [
    pytest.param("asb", True, id="asb-with-javascript"),
    pytest.param("neighbour_dispute", False, id="neighbour-dispute-without-javascript"),
    pytest.param("safety_concern", True, id="safety-concern-with-javascript"),
]


@pytest.mark.parametrize(("kind", "javascript"), RESIDENT_RUNS)
def test_resident_reports_over_https(
    tabs: RecordingTabs,
    stack: Stack,
    app: Flask,
    mailbox: MailCatcher,
    mail_worker: None,
    monkeypatch: pytest.MonkeyPatch,
    evidence_files: EvidenceFiles,
    kind: str,
    javascript: bool,
) -> None:
    monkeypatch.setattr(resident_journeys, "PHOTO", evidence_photo(evidence_files))
    resident_journeys.test_resident_reports(tabs, app, mailbox, kind, javascript, email_safe=True)
    _assert_served_over_https(tabs, stack)
    assert any(path.is_file() for path in stack.upload_folder.rglob("*")), "the photo is kept"


def test_a_resident_adds_an_incident_with_a_phone_photo_to_their_report_over_https(
    tabs: RecordingTabs, stack: Stack, app: Flask, mailbox: MailCatcher, mail_worker: None
) -> None:
    """Signing in by the emailed link, and a multi-megabyte photo with the incident, through nginx."""
    files_before = {path for path in stack.upload_folder.rglob("*") if path.is_file()}
    your_report.test_a_resident_signs_in_by_an_emailed_link_sees_their_report_and_signs_out(
        tabs, app, mailbox
    )
    _assert_served_over_https(tabs, stack)
    kept = {path for path in stack.upload_folder.rglob("*") if path.is_file()} - files_before
    assert len(kept) == 1 and next(iter(kept)).stat().st_size > 1_000_000, "the incident's photo is kept"


def _log_entries(stack: Stack) -> list[dict[str, Any]]:
    entries = []
    for line in stack.log("gunicorn.log").splitlines():
        if line.startswith("{"):
            entries.append(json.loads(line))
    return entries


def test_officer_journey_over_https(
    tabs: RecordingTabs, stack: Stack, app: Flask, mailbox: MailCatcher, mail_worker: None
) -> None:
    officer_journey.test_officer_works_a_case_and_supervisor_reroutes_it(tabs, app, mailbox)
    _assert_served_over_https(tabs, stack)
    # Chromium connects from 127.0.0.1; without nginx's X-Forwarded-For the portal, on a Unix
    # socket, would see no address at all.
    sign_ins = [e for e in _log_entries(stack) if e.get("event") == "sign_in"]
    assert sign_ins and all(e.get("address") == address_hash("127.0.0.1") for e in sign_ins)


def _client(stack: Stack) -> http.client.HTTPSConnection:
    context = ssl.create_default_context(cafile=str(stack.cert))
    return http.client.HTTPSConnection(
        "127.0.0.1", stack.https_port, context=context, source_address=(CLIENT_ADDRESS, 0), timeout=30
    )


def test_a_spoofed_forwarded_for_is_not_taken_as_the_client_address(
    stack: Stack, app: Flask, redis_server: str
) -> None:
    connection = _client(stack)
    connection.request("GET", "/officer/sign-in", headers={"X-Forwarded-For": SPOOFED_ADDRESS})
    page = connection.getresponse()
    body = page.read().decode()
    assert page.status == 200
    cookie = page.getheader("Set-Cookie", "").split(";")[0]
    assert cookie.startswith("__Host-session=")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', body) or re.search(
        r'name="csrf_token" value="([^"]+)"', body
    )
    assert token, "the sign-in form carries a CSRF token"

    form = f"csrf_token={token.group(1)}&email=nobody%40council.example&password=not-the-password-at-all"
    connection.request(
        "POST",
        "/officer/sign-in",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": cookie,
            "Origin": stack.url,
            "X-Forwarded-For": SPOOFED_ADDRESS,
        },
    )
    refused = connection.getresponse()
    refused.read()
    assert refused.status == 200, "a wrong password is answered with the form again"
    connection.close()

    counted = [key.decode() for key in redis.Redis.from_url(redis_server).keys("*")]
    assert any(CLIENT_ADDRESS in key for key in counted), f"the attempt counts against the client: {counted}"
    assert not any(SPOOFED_ADDRESS in key for key in counted)
    logged = [e for e in _log_entries(stack) if e.get("event") == "sign_in_password"]
    assert logged and logged[-1]["address"] == address_hash(CLIENT_ADDRESS)
    assert all(e.get("address") != address_hash(SPOOFED_ADDRESS) for e in _log_entries(stack))


def _pids(root: int) -> list[int]:
    pids = [root]
    for pid in pids:
        children = Path(f"/proc/{pid}/task/{pid}/children")
        if children.exists():
            pids.extend(int(child) for child in children.read_text().split())
    return pids


def _socket_inodes(pid: int) -> set[str]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = fd.readlink().name
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    return inodes


def _inet_listeners() -> dict[str, str]:
    """Listening TCP sockets on this machine: inode to local address (hex, as the kernel writes it)."""
    found = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == "0A":  # LISTEN
                found[fields[9]] = fields[1]
    return found


def test_gunicorn_listens_only_on_its_unix_socket(stack: Stack) -> None:
    assert stack.gunicorn is not None and stack.gunicorn.poll() is None
    pids = _pids(stack.gunicorn.pid)
    assert len(pids) == 3, "the master and its two workers"
    inodes = set().union(*(_socket_inodes(pid) for pid in pids))
    listeners = _inet_listeners()
    assert not inodes & set(listeners), "gunicorn listens on no TCP address, loopback or other"
    unix = [line.split() for line in Path("/proc/net/unix").read_text().splitlines()[1:]]
    assert any(len(f) > 7 and f[6] in inodes and f[7] == str(stack.socket) for f in unix)
    assert stack.socket.stat().st_mode & 0o777, "the socket exists"


def test_plain_http_is_redirected_to_https(stack: Stack) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", stack.http_port, timeout=10)
    connection.request("GET", "/report?change=1")
    response = connection.getresponse()
    assert response.status == 301
    assert response.getheader("Location") == f"{stack.url}/report?change=1"


def _get(stack: Stack, path: str, **headers: str) -> http.client.HTTPResponse:
    connection = _client(stack)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


def _access_log_once(stack: Stack, offset: int, written: Callable[[str], bool]) -> str:
    """The access log once ``written`` holds of what came after ``offset``, or after 10 seconds."""
    deadline = time.monotonic() + 10
    while True:
        log = (stack.folder / "access.log").read_text()
        if written(log[offset:]) or time.monotonic() > deadline:
            return log
        time.sleep(0.05)


def test_the_access_log_never_holds_an_emailed_links_secret(stack: Stack) -> None:
    secret = "Zq7" + "x" * 40
    paths = ("/your-report/sign-in/", "/your-report/satisfaction/", "/report/continue/")
    logged_before = len((stack.folder / "access.log").read_text())  # the stack's earlier tests log too
    for path in paths:
        _get(stack, path + secret, Referer=f"{stack.url}/your-report/sign-in/{secret}")
        _get(stack, path + secret + "?utm_source=email")
    # nginx writes a request's line once it has answered it: wait for the last lines to land.
    log = _access_log_once(
        stack, logged_before, lambda these: all(these.count(f"GET {path}[link] HTTP") >= 2 for path in paths)
    )
    assert secret not in log
    these = log[logged_before:]
    for path in paths:
        assert these.count(f"GET {path}[link] HTTP") == 2, path
    logged_before = len(log)
    assert _get(stack, "/report/continue/sent").status == 200
    log = _access_log_once(stack, logged_before, lambda these: "GET /report/continue/sent HTTP" in these)
    assert "GET /report/continue/sent HTTP" in log[logged_before:], "pages stay as they are"


def test_nginx_serves_the_static_files_itself(stack: Stack) -> None:
    for path in ("/static/govuk/govuk-frontend.min.css", "/assets/images/favicon.ico"):
        response = _get(stack, path)
        assert response.status == 200, path
        # The portal puts its Content Security Policy on everything it answers; nginx does not.
        assert response.getheader("Content-Security-Policy") is None, f"{path} came from gunicorn"
        assert "max-age=31536000" in response.getheader("Strict-Transport-Security", "")
        assert response.getheader("X-Content-Type-Options") == "nosniff"


def test_pages_are_never_compressed_and_static_files_are(stack: Stack) -> None:
    # A compressed page would leak its CSRF token through its length (BREACH).
    for path in ("/", "/officer/sign-in", "/report"):
        assert _get(stack, path, **{"Accept-Encoding": "gzip"}).getheader("Content-Encoding") is None, path
    css = _get(stack, "/static/govuk/govuk-frontend.min.css", **{"Accept-Encoding": "gzip"})
    assert css.getheader("Content-Encoding") == "gzip"


def test_evidence_files_are_never_served_from_disk(stack: Stack) -> None:
    stored = [path for path in stack.upload_folder.rglob("*") if path.is_file()]
    names = [path.relative_to(stack.upload_folder).as_posix() for path in stored] or ["any.jpg"]
    for name in names:
        for prefix in ("/static/", "/assets/", "/uploads/", "/static/../../"):
            assert _get(stack, prefix + name).status in (400, 404), prefix + name
    assert str(stack.upload_folder) not in stack.site.read_text()


def test_nginx_refuses_a_body_over_the_portals_limit(stack: Stack) -> None:
    connection = _client(stack)
    connection.putrequest("POST", "/report/evidence")
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(52 * 1024 * 1024 + 1))
    connection.endheaders()
    response = connection.getresponse()
    assert response.status == 413
    assert "nginx" in response.read().decode()
    connection.close()


def test_the_timers_jobs_run_as_their_units_say(stack: Stack) -> None:
    for unit in ("do-it-online-drafts.service", "do-it-online-retention.service"):
        result = stack.run_unit(unit)
        assert result.returncode == 0, f"{unit}: {result.stderr}"


def test_the_mail_worker_stops_cleanly_on_sigterm(stack: Stack) -> None:
    assert stack.mail_worker is not None
    stack.mail_worker.terminate()
    assert stack.mail_worker.wait(timeout=30) == 0, stack.log("mail-worker.log")


# --- Real evidence through nginx and gunicorn --------------------------------------------------

REAL_FILES = {
    "camera_9mb.jpg": "IMG_2043.JPG",
    "portrait.heic": "IMG_2044.HEIC",
    "screenshot.png": "Screenshot 2026-11-28 at 22.41.07.png",
    "letter.pdf": "Letter from the landlord.pdf",
    "statement.pdf": "Statement.pdf",
}


def _resident_at_the_evidence_page(stack: Stack) -> PortalBrowser:
    """A resident who has answered every page before the evidence page, over HTTPS."""
    browser = PortalBrowser(stack.url, cafile=stack.cert)
    assert browser.post_form("/report", {"kind": kind_of(1)})[0] == 302
    for slug, answers in question_pages(1):
        if slug == "evidence":
            return browser
        assert browser.post_form(f"/report/{slug}", answers)[0] == 302, slug
    raise AssertionError("the journey has no evidence page")


@pytest.mark.parametrize("kind", REAL_FILES)
def test_real_evidence_through_nginx_is_accepted_and_kept_without_metadata(
    stack: Stack, app: Flask, evidence_files: EvidenceFiles, kind: str
) -> None:
    browser = _resident_at_the_evidence_page(stack)
    sent = evidence_files.bytes(kind)
    status, page = browser.post_files(
        "/report/evidence", {"upload": "Upload"}, [("files", REAL_FILES[kind], sent)]
    )
    assert status == 302, page[:2000]
    with app.app_context():
        [name] = db.session.scalars(select(Attachment.storage_name)).all()
    assert metadata_found((stack.upload_folder / name).read_bytes()) == [], "stored without its metadata"


def test_five_files_of_10_mb_through_nginx_in_one_report(
    stack: Stack, app: Flask, evidence_files: EvidenceFiles
) -> None:
    browser = _resident_at_the_evidence_page(stack)
    limit = evidence_files.bytes("camera_exact_limit.jpg")
    files = [("files", f"IMG_30{n}.JPG", limit) for n in range(5)]
    status, page = browser.post_files("/report/evidence", {"upload": "Upload"}, files)
    assert status == 302, page[:2000]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 5
