"""Every back-office page needs a sign-in and a role: a new route without them fails here."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from werkzeug.routing import Rule

from portal.accounts.roles import ROLE_PERMISSIONS
from tests.cases import make_case
from tests.helpers import PageClient
from tests.officers import make_account, sign_in

# Signing in (password, then code or enrolment) and out.
OPEN_TO_ALL = {
    "officer.sign_in",
    "officer.sign_in_code",
    "officer.sign_in_set_up",
    "officer.sign_in_new_password",
    "officer.sign_out",
}


def officer_rules(app: Flask) -> list[Rule]:
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("officer.")]
    assert len(rules) > 10
    return rules


def url_for_rule(rule: Rule, reference: str) -> str:
    values: dict[str, Any] = {}
    for argument in rule.arguments:
        values[argument] = reference if argument == "reference" else 1
    return rule.build(values)[1]  # type: ignore[index]


def test_every_back_office_view_declares_the_permission_it_needs(app: Flask) -> None:
    for rule in officer_rules(app):
        view = app.view_functions[rule.endpoint]
        assert hasattr(view, "required_permission"), f"{rule.rule} has no requires(...)"
        if rule.endpoint not in OPEN_TO_ALL:
            assert view.required_permission in {p for ps in ROLE_PERMISSIONS.values() for p in ps}, rule.rule


def _request(client: PageClient, rule: Rule, url: str, token: str) -> Any:
    if "GET" in (rule.methods or set()):
        return client.get_raw(url)
    return client.post_raw(url, {"csrf_token": token})


def test_anonymous_visitors_are_sent_to_sign_in_from_every_back_office_page(app: Flask) -> None:
    reference = make_case(app)
    client = PageClient(app.test_client())
    token = client.get("/officer/sign-in").csrf_token()
    for rule in officer_rules(app):
        if rule.endpoint in OPEN_TO_ALL:
            continue
        response = _request(client, rule, url_for_rule(rule, reference), token)
        assert response.status_code == 302, f"{rule.rule}: {response.status_code}"
        assert response.headers["Location"].startswith("/officer/sign-in"), rule.rule


@pytest.mark.parametrize("role", ["officer", "supervisor", "admin"])
def test_each_role_reaches_exactly_the_pages_its_permissions_allow(app: Flask, role: str) -> None:
    reference = make_case(app)
    account = make_account(app, role)
    client = PageClient(app.test_client())
    sign_in(client, account)
    token = client.get("/officer/").csrf_token()
    allowed = ROLE_PERMISSIONS[role]
    for rule in officer_rules(app):
        if rule.endpoint in OPEN_TO_ALL:
            continue
        needed = app.view_functions[rule.endpoint].required_permission
        response = _request(client, rule, url_for_rule(rule, reference), token)
        if needed in allowed:
            assert response.status_code != 403, f"{role} refused {rule.rule}"
            assert response.status_code < 500, f"{role} broke {rule.rule}: {response.status_code}"
        else:
            assert response.status_code == 403, f"{role} reached {rule.rule}: {response.status_code}"


def test_the_asb_case_review_pages_are_back_office_pages_with_their_permissions(app: Flask) -> None:
    """Reading needs ``view``; recording an application or a decision needs ``work``."""
    needed = {
        rule.endpoint: app.view_functions[rule.endpoint].required_permission for rule in officer_rules(app)
    }
    assert {
        endpoint: needed.get(endpoint)
        for endpoint in (
            "officer.case_reviews",
            "officer.case_review",
            "officer.record_case_review_application",
            "officer.decide_case_review_threshold",
        )
    } == {
        "officer.case_reviews": "view",
        "officer.case_review": "view",
        "officer.record_case_review_application": "work",
        "officer.decide_case_review_threshold": "work",
    }
