"""Structured logs: one JSON object a line, timestamps in UTC, and nothing that names a person.

Log lines carry ids (an account's number, a report's reference), never a name, email address,
phone number, description, password or session token. Callers pass only safe fields; as a second
line of defence every value is scrubbed of anything shaped like an email address or phone number.
An address that made a request is logged as a keyed hash: enough to see one address trying many
accounts, without keeping the address itself.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import sys
from datetime import UTC, datetime
from typing import IO, Any

from flask import Flask, current_app, has_request_context, request

# The extra fields a log line may carry: ids, counts and our own words. Anything else passed as
# ``extra`` is left out, so a field holding someone's words can never reach the log by accident.
FIELDS = (
    "event",
    "outcome",
    "reason",
    "account",
    "address",
    "path",
    "method",
    "outbox_id",
    "purpose",
    "attempts",
    "error",
    "meeting",
    "filters",
    "searched",
    "cases",
)

_EMAIL = re.compile(r"[^\s@<>\"',;:]+@[^\s@<>\"',;:]+\.[A-Za-z]{2,}")
# Runs of 10 or more digits, allowing the spaces, dots and dashes people type in phone numbers.
# A reference such as DIO-2026-000123 is not a phone number: a run joined to a word is left alone.
_PHONE = re.compile(r"(?<![\w-])\+?\d(?:[\s.\-()]*\d){9,}(?![\w-])")

security_log = logging.getLogger("portal.security")


def scrub(text: str) -> str:
    """``text`` with anything shaped like an email address or phone number replaced."""
    return _PHONE.sub("[phone]", _EMAIL.sub("[email]", text))


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": scrub(record.getMessage()),
        }
        for field in FIELDS:
            value = getattr(record, field, None)
            if value is not None:
                entry[field] = value if isinstance(value, int) else scrub(str(value))
        if record.exc_info:
            entry["error"] = scrub(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)


_HANDLER_NAME = "portal-json"


def configure_logging(app: Flask, stream: IO[str] | None = None) -> None:
    """Send the portal's logs, as JSON lines, to standard error (gunicorn and systemd collect it)."""
    logger = logging.getLogger("portal")
    for handler in list(logger.handlers):
        if handler.get_name() == _HANDLER_NAME:
            logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(JsonFormatter())
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    # Flask's own default handler would print the same lines again, unformatted.
    from flask.logging import default_handler

    app.logger.removeHandler(default_handler)


def hashed_address() -> str | None:
    """The requesting address as a short keyed hash (the key is the app's secret)."""
    if not has_request_context() or not request.remote_addr:
        return None
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, request.remote_addr.encode(), hashlib.sha256).hexdigest()[:16]


def security_event(event: str, *, outcome: str, level: int = logging.INFO, **fields: Any) -> None:
    """Log a sign-in attempt, a refused request or another security-relevant event."""
    extra: dict[str, Any] = {"event": event, "outcome": outcome, "address": hashed_address(), **fields}
    if has_request_context():
        extra.setdefault("path", request.path)
        extra.setdefault("method", request.method)
    security_log.log(level, "%s: %s", event, outcome, extra=extra)
