"""The policy in use by this app: loaded and checked once, when the app starts."""

from __future__ import annotations

from flask import Flask, current_app

from portal.triage.policy import Policy, load_policy


def init_policy(app: Flask) -> None:
    """Load ``TRIAGE_POLICY_FILE``; an invalid policy stops the app, saying why."""
    app.extensions["triage_policy"] = load_policy(app.config["TRIAGE_POLICY_FILE"])


def current_policy() -> Policy:
    policy: Policy = current_app.extensions["triage_policy"]
    return policy
