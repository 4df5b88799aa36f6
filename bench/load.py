"""A load driver for what wrk cannot do: whole report submissions, each a sequence of forms.

Each simulated resident keeps its own cookies and reads every form's CSRF token, as a browser
does, over its own keep-alive HTTP connection. Threads are enough: the driver waits on sockets.
"""

from __future__ import annotations

import http.client
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from tests.factories import IMPACT, WHAT, WHERE, about_for

_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
_REFERENCE = re.compile(r"DIO-\d{4}-\d{6}")

# The same answers the test suite's resident gives, page by page; each bench resident has their
# own name, email and phone, so that history matching sees many different people.
KINDS = ("asb", "neighbour_dispute", "safety_concern")


def postcode(number: int) -> str:
    """A different place for each resident, over thousands of postcodes, as a district's are."""
    return f"S{18 + number % 28} {number % 9 + 1}{chr(65 + number % 26)}{chr(65 + number // 26 % 26)}"


def about(kind: str, number: int) -> dict[str, str]:
    return about_for(
        kind,
        name=f"Bench Resident {number}",
        email=f"bench.resident.{number}@example.org",
        phone=f"07700 9{number % 100000:05d}",
    )


class Browser:
    """One resident's browser: a keep-alive connection and a cookie jar."""

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, Any] | None = None) -> tuple[int, str, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                text = response.read().decode("utf-8", "replace")
                break
            except (http.client.HTTPException, OSError):
                # gunicorn's sync workers close the connection after each response.
                self.connection.close()
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=30)
                if attempt == 2:
                    raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location") or "", text

    def get(self, path: str) -> str:
        status, _location, text = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} answered {status}")
        return text

    def post(self, path: str, page: str, form: dict[str, Any]) -> str:
        """Post a form read from ``page`` and follow the redirect; a 200 is a form with errors."""
        match = _CSRF.search(page)
        token = match.group(1) if match else ""
        status, location, _text = self.request("POST", path, {**form, "csrf_token": token})
        if status not in (302, 303):
            raise RuntimeError(f"POST {path} answered {status}")
        return self.get(urlsplit(location).path or location)


def submit_report(base: str, number: int) -> str:
    """One whole submission, start to confirmation; returns the reference."""
    kind = KINDS[number % len(KINDS)]
    browser = Browser(base)
    page = browser.get("/report")
    page = browser.post("/report", page, {"kind": kind})
    for slug, answers in (
        ("what", WHAT[kind]),
        ("where", {**WHERE, "postcode": postcode(number)}),
        ("impact", IMPACT),
        ("evidence", {"continue": "continue"}),
        ("about-you", about(kind, number)),
    ):
        page = browser.post(f"/report/{slug}", page, answers)
    page = browser.post("/report/check", page, {})
    found = _REFERENCE.search(page)
    browser.connection.close()
    if not found:
        raise RuntimeError("the confirmation page shows no reference")
    return found.group(0)


@dataclass
class SubmissionRun:
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def run_submissions(
    base: str,
    concurrency: int,
    *,
    duration: float | None = None,
    total: int | None = None,
    first: int = 0,
    pace: float = 0.0,
) -> SubmissionRun:
    """``concurrency`` residents submitting, for ``duration`` seconds or ``total`` reports.

    With ``pace`` 0 each resident starts the next report as soon as one is sent (the surge). With a
    pace, each starts one report every ``pace`` seconds at most, as people do: 16 residents at a
    2-second pace send 8 reports a second, far above any partnership's real load, and the latency
    then measured is a report's own, not the time it waited behind the others.
    """
    run = SubmissionRun()
    lock = threading.Lock()
    counter = iter(range(first, first + (total if total is not None else 10**9)))
    started = time.perf_counter()
    deadline = started + duration if duration is not None else None

    def resident() -> None:
        while deadline is None or time.perf_counter() < deadline:
            with lock:
                number = next(counter, None)
            if number is None:
                return
            begin = time.perf_counter()
            try:
                reference = submit_report(base, number)
            except Exception as error:  # every failure is counted; none stops the run
                with lock:
                    run.errors.append(f"{type(error).__name__}: {error}")
            else:
                elapsed_ms = (time.perf_counter() - begin) * 1000
                with lock:
                    run.latencies_ms.append(elapsed_ms)
                    run.references.append(reference)
            if pace:
                time.sleep(max(0.0, begin + pace - time.perf_counter()))

    threads = [threading.Thread(target=resident) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run.seconds = time.perf_counter() - started
    return run
