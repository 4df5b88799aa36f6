"""Helpers that let tests read like a resident using the pages."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from portal.triage.calendar import london_today


def today() -> date:
    """Today on the London clock, worked out each time it is asked: a test that runs past midnight sees
    the new day, as the portal does."""
    return london_today()


class Page:
    """A fetched HTML page, already checked for the basics every page must get right."""

    def __init__(self, response: TestResponse) -> None:
        self.response = response
        self.status = response.status_code
        self.path = response.request.path
        assert self.status < 500, f"a server error ({self.status}) on {response.request.path}"
        self.html = response.get_data(as_text=True)
        self.soup = BeautifulSoup(self.html, "html.parser")
        title = self.soup.title
        assert title is not None and title.get_text(strip=True), "every page has a title"
        self.title = title.get_text(strip=True)
        ids = Counter(tag["id"] for tag in self.soup.find_all(id=True))
        duplicated = [name for name, count in ids.items() if count > 1]
        assert not duplicated, f"duplicate ids on the page: {duplicated}"
        assert len(self.soup.find_all("h1")) == 1, "every page has exactly one h1"
        self._check_questions_are_labelled()

    def _check_questions_are_labelled(self) -> None:
        """Every group of options says its question, and every control has a label."""
        for fieldset in self.soup.find_all("fieldset"):
            legend = fieldset.find("legend")
            assert legend is not None and legend.get_text(strip=True), (
                f"a fieldset without a question: {fieldset}"[:300]
            )
        labelled = {label.get("for") for label in self.soup.find_all("label")}
        for control in self.soup.find_all(["input", "select", "textarea"]):
            if control.get("type") in ("hidden", "submit", "button"):
                continue
            named = control.get("aria-label") or control.get("aria-labelledby")
            assert named or control.get("id") in labelled, f"a control without a label: {control}"[:300]

    @property
    def h1(self) -> str:
        heading = self.soup.find("h1")
        assert heading is not None
        return heading.get_text(" ", strip=True)

    @property
    def errors(self) -> list[str]:
        """The messages in the GOV.UK error summary, in order."""
        summary = self.soup.select(".govuk-error-summary__list a")
        return [link.get_text(" ", strip=True) for link in summary]

    def text(self) -> str:
        return self.soup.get_text(" ", strip=True)

    def csrf_token(self) -> str:
        field = self.soup.find("input", attrs={"name": "csrf_token"})
        assert field is not None, "the page has a form with a CSRF token"
        return str(field["value"])

    def value(self, name: str) -> Any:
        """What the page shows as the current answer to ``name``."""
        fields = self.soup.find_all(attrs={"name": name})
        assert fields, f"no field named {name}"
        first = fields[0]
        if first.name == "textarea":
            return first.get_text()
        if first.name == "select":
            chosen = first.find("option", selected=True)
            return chosen["value"] if chosen else ""
        if first.get("type") in ("radio", "checkbox"):
            checked = [f["value"] for f in fields if f.has_attr("checked")]
            return checked if first.get("type") == "checkbox" else (checked[0] if checked else None)
        return first.get("value", "")

    def has_exit_this_page(self) -> bool:
        return bool(self.soup.select('[data-module="govuk-exit-this-page"]'))


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def browser_headers(referrer_policy: str, page_url: str, target_url: str) -> dict[str, str]:
    """The ``Origin`` and ``Referer`` a browser sends when a form on ``page_url`` posts to ``target_url``.

    As the Fetch and Referrer Policy standards say a browser does, for the policies a site may send:
    a policy that withholds the referrer from a request also makes its ``Origin`` "null".
    """
    policy = referrer_policy.split(",")[-1].strip() or "strict-origin-when-cross-origin"
    same_origin = _origin(page_url) == _origin(target_url)
    downgrade = page_url.startswith("https:") and target_url.startswith("http:")
    full, origin_only = page_url.split("#")[0], _origin(page_url) + "/"
    referrer: str | None = {
        "no-referrer": None,
        "same-origin": full if same_origin else None,
        "origin": origin_only,
        "strict-origin": None if downgrade else origin_only,
        "origin-when-cross-origin": full if same_origin else origin_only,
        "strict-origin-when-cross-origin": full if same_origin else (None if downgrade else origin_only),
        "no-referrer-when-downgrade": None if downgrade else full,
        "unsafe-url": full,
    }[policy]
    hidden = (
        policy == "no-referrer"
        or (policy == "same-origin" and not same_origin)
        or (downgrade and policy.startswith(("strict-", "no-referrer-when")))
    )
    headers = {"Origin": "null" if hidden else _origin(page_url)}
    if referrer is not None:
        headers["Referer"] = referrer
    return headers


class PageClient:
    """A test client whose ``get`` and ``post`` return checked ``Page`` objects for HTML.

    It posts as a browser does: from the last page it fetched, with the ``Origin`` and ``Referer``
    that page's ``Referrer-Policy`` lets a browser send, at ``base_url`` (``https://...`` to be
    the portal behind TLS).
    """

    def __init__(self, client: FlaskClient, base_url: str = "http://localhost") -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")
        self._page: tuple[str, str] | None = None  # the last page fetched, and its referrer policy

    @property
    def app(self) -> Flask:
        return self.client.application

    def get(self, url: str, **kwargs: Any) -> Page:
        return Page(self._seen(self.client.get(url, follow_redirects=True, **self._at(kwargs))))

    def get_raw(self, url: str, **kwargs: Any) -> TestResponse:
        return _sent(self._seen(self.client.get(url, **self._at(kwargs))))

    def post_form(self, url: str, data: dict[str, Any] | None = None, **kwargs: Any) -> Page:
        """Post a form as a browser would: with the CSRF token the page at ``url`` carries."""
        token = self.get(url).csrf_token()
        return self.post(url, {"csrf_token": token, **(data or {})}, **kwargs)

    def post(self, url: str, data: dict[str, Any], **kwargs: Any) -> Page:
        response = self.client.post(url, data=data, follow_redirects=True, **self._from_page(url, kwargs))
        return Page(self._seen(response))

    def post_raw(self, url: str, data: dict[str, Any], **kwargs: Any) -> TestResponse:
        return _sent(self._seen(self.client.post(url, data=data, **self._from_page(url, kwargs))))

    def _at(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        return {"base_url": self.base_url, **kwargs}

    def _from_page(self, url: str, kwargs: dict[str, Any]) -> dict[str, Any]:
        target = urljoin(self.base_url + "/", url)
        page_url, policy = self._page or (target, "strict-origin-when-cross-origin")
        headers = {**browser_headers(policy, page_url, target), **kwargs.pop("headers", {})}
        return {**self._at(kwargs), "headers": headers}

    def _seen(self, response: TestResponse) -> TestResponse:
        request = response.request
        url = f"{request.scheme}://{request.host}{request.full_path.rstrip('?')}"
        self._page = (url, response.headers.get("Referrer-Policy", "strict-origin-when-cross-origin"))
        return response


def _sent(response: TestResponse) -> TestResponse:
    """The response read to its end and closed, as a web server does once it has sent it.

    Closing runs what the portal does after a response has gone (sending the email a change
    queued), as it would under gunicorn.
    """
    response.get_data()
    response.close()
    return response
