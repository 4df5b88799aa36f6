"""A browser for the harness's set-up: signing the bench officer in, and a resident's draft cookie.

It keeps its cookies and reads every form's CSRF token, as a browser does. The load itself comes
from wrk (pages) and Locust (whole reports, bench/locustfile.py).
"""

from __future__ import annotations

import http.client
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench.residents import CSRF_TOKEN


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
        match = CSRF_TOKEN.search(page)
        token = match.group(1) if match else ""
        status, location, _text = self.request("POST", path, {**form, "csrf_token": token})
        if status not in (302, 303):
            raise RuntimeError(f"POST {path} answered {status}")
        return self.get(urlsplit(location).path or location)
