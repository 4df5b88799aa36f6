"""The triage policy in use by this app: loaded and checked once, when the app starts."""

from __future__ import annotations

from flask import Flask, current_app

from portal.triage.policy import Policy, load_policy


def init_policy(app: Flask) -> None:
    """Load ``TRIAGE_POLICY_FILE``; an invalid policy stops the app, saying why."""
    app.extensions["triage_policy"] = load_policy(app.config["TRIAGE_POLICY_FILE"])


def current_policy() -> Policy:
    policy: Policy = current_app.extensions["triage_policy"]
    return policy


def flag_labels() -> dict[str, str]:
    """Each flag's plain-English label, as the policy words it, for pages, agendas and exports."""
    return {flag.name: flag.label or flag.name.replace("_", " ") for flag in current_policy().flags}


def policy_terms() -> dict[str, object]:
    """The policy's numbers that pages and emails tell residents, so none is written twice."""
    policy = current_policy()
    return {
        "history_months": policy.history_months,
        "response_working_days": dict(policy.response_working_days),
        "case_review_reports": policy.threshold("case_review_eligible", "reporter.asb_reports_in_window"),
        "case_review_reporters": policy.threshold("case_review_eligible", "place.asb_reporters_in_window"),
    }
