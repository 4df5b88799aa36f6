"""The rate limits every resident's form shares."""

from __future__ import annotations

from flask import current_app

from portal.extensions import limiter

# Every resident's form post, whichever page it is on, counts towards one limit per address.
public_forms = limiter.shared_limit(
    lambda: str(current_app.config["PUBLIC_FORM_LIMIT_PER_ADDRESS"]), scope="public-forms", methods=["POST"]
)
