"""Residents sending whole reports, for the bench harness: Locust drives them from its own process.

    .venv-bench/bin/locust -f bench/locustfile.py --headless --host http://127.0.0.1:PORT \\
        --users 16 --spawn-rate 16 --run-time 60s --csv bench/data/locust/run

Each simulated resident walks the journey as a browser does, with its own cookies and every form's
CSRF token read from the page, from the kind of report to the confirmation page: 15 requests (each
post is followed to the page it redirects to, and timed with it). Locust times each request; this
file adds one more entry, "whole submission", timing a report from its first request to its last.

    BENCH_PACE        seconds between the starts of one resident's reports; 0: back to back
    BENCH_TOTAL       stop once this many reports have been sent in all (0: no limit)
    BENCH_FIRST       the first resident's number (each report is a new resident)
    BENCH_REFERENCES  a file to which each report's reference is appended
"""

from __future__ import annotations

import itertools
import os
import re
import time
from typing import Any
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, task
from locust.exception import StopUser

from bench.residents import CSRF_TOKEN, kind_of, question_pages

PACE = float(os.environ.get("BENCH_PACE", "2"))
TOTAL = int(os.environ.get("BENCH_TOTAL", "0"))
REFERENCES = os.environ.get("BENCH_REFERENCES", "")
_numbers = itertools.count(int(os.environ.get("BENCH_FIRST", "0")))
_arrivals = itertools.count()
_started = 0
_finished = 0

_REFERENCE = re.compile(r"DIO-\d{4}-\d{6}")
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


class JourneyError(Exception):
    """A page was not the one the journey leads to."""


class Resident(FastHttpUser):
    def on_start(self) -> None:
        # Locust starts users a second's worth at a time, and residents paced from the same moment
        # would keep in step, every one of them posting at once: spread their arrivals evenly over
        # one pace instead, as people arrive.
        users = max(1, getattr(self.environment.parsed_options, "num_users", 1) or 1)
        if PACE:
            gevent.sleep(next(_arrivals) % users * PACE / users)
        self._next_start = time.monotonic()

    def wait_time(self) -> float:
        """Until this resident's next report is due: one every PACE seconds from their arrival."""
        if not PACE:
            return 0.0
        self._next_start += PACE
        return max(0.0, self._next_start - time.monotonic())

    def _get(self, path: str) -> str:
        with self.client.get(path, name=f"GET {path}", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"answered {response.status_code}")
                raise JourneyError(f"GET {path} answered {response.status_code}")
            return str(response.text)

    def _post(self, path: str, page: str, form: dict[str, Any], then: str) -> str:
        """Post the form on ``page`` with its CSRF token; the redirect must lead to ``then``."""
        found = CSRF_TOKEN.search(page)
        # As a browser sends a form: a question with several answers is the same name repeated.
        body = urlencode({**form, "csrf_token": found.group(1) if found else ""}, doseq=True)
        with self.client.post(
            path, data=body, headers=_FORM, name=f"POST {path}", catch_response=True
        ) as response:
            if response.status_code != 200 or not str(response.url or "").endswith(then):
                response.failure(f"answered {response.status_code} at {response.url}")
                raise JourneyError(f"POST {path} ended at {response.url} ({response.status_code})")
            return str(response.text)

    def _submit(self, number: int) -> str:
        page = self._get("/report")
        pages = question_pages(number)
        page = self._post("/report", page, {"kind": kind_of(number)}, f"/report/{pages[0][0]}")
        for (slug, answers), following in zip(pages, [*(p[0] for p in pages[1:]), "check"], strict=True):
            page = self._post(f"/report/{slug}", page, answers, f"/report/{following}")
        page = self._post("/report/check", page, {}, "/report/confirmation")
        found = _REFERENCE.search(page)
        if not found:
            raise JourneyError("the confirmation page shows no reference")
        return found.group(0)

    @task
    def send_a_report(self) -> None:
        global _started, _finished
        if TOTAL and _started >= TOTAL:
            raise StopUser()
        _started += 1
        number = next(_numbers)
        self.client.cookiejar.clear()  # each report is a new resident
        begin = time.perf_counter()
        error: Exception | None = None
        try:
            reference = self._submit(number)
        except Exception as failed:  # every failure is counted; none stops the run
            error = failed
        self.environment.events.request.fire(
            request_type="FLOW",
            name="whole submission",
            response_time=(time.perf_counter() - begin) * 1000,
            response_length=0,
            exception=error,
            context={},
        )
        if error is None and REFERENCES:
            with open(REFERENCES, "a", encoding="utf-8") as out:
                out.write(reference + "\n")
        _finished += 1
        if TOTAL and _finished >= TOTAL and self.environment.runner is not None:
            # Every report of the run is in: stop at once (from outside this resident's greenlet,
            # which stopping kills).
            gevent.spawn(self.environment.runner.quit)
