"""Configuration from environment variables, with safe defaults for development.

Every setting the portal reads lives here, so a deployment can see in one place what it may set.
Production (``PORTAL_ENV=production``) refuses to start without a real ``SECRET_KEY``.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from limits import parse_many

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# The wards of North East Derbyshire District Council (2019 boundaries). A deployment for another
# council sets COUNCIL_WARDS to its own list, separated by semicolons.
DEFAULT_WARDS = (
    "Ashover",
    "Barlow and Holmesfield",
    "Brampton and Walton",
    "Clay Cross North",
    "Clay Cross South",
    "Coal Aston",
    "Dronfield North",
    "Dronfield South",
    "Dronfield Woodhouse",
    "Eckington North",
    "Eckington South and Renishaw",
    "Gosforth Valley",
    "Grassmoor",
    "Holmewood and Heath",
    "Killamarsh East",
    "Killamarsh West",
    "North Wingfield Central",
    "Pilsley and Morton",
    "Ridgeway and Marsh Lane",
    "Shirland",
    "Sutton",
    "Tupton",
    "Unstone",
    "Wingerworth",
)

# The most a non-file form field may hold in memory; file parts stream to disk. Werkzeug applies
# the same limit to its multipart decoder's buffer, which holds one 64 KiB read of the body plus the
# bytes it holds back when a CR or LF near the read's end may begin the next boundary (up to the
# boundary's length and 4). At exactly 64 KiB, so many files were refused as too large; at twice
# the read, any boundary a browser sends fits (RFC 2046 allows at most 70 characters). The longest
# field, the description of 4,000 characters, is at most 16,000 bytes even in four-byte UTF-8.
FORM_MEMORY_LIMIT = 128 * 1024
# A form posted without files (URL-encoded) is read into memory whole, so it has its own, smaller
# bound than MAX_CONTENT_LENGTH: room for the longest back-office record, several 4,000-character
# answers percent-encoded at up to 12 bytes a character.
FORM_BODY_LIMIT = 1024 * 1024

# Only ever used outside production: production refuses to start with it (see load_config).
DEVELOPMENT_SECRET = "development-only-secret-key-change-me"  # noqa: S105  # nosec B105


# Werkzeug's scrypt at its own default cost (N=2**15, r=8, p=1): memory-hard and slow by design.
PASSWORD_HASH_METHOD = "scrypt:32768:8:1"  # noqa: S105  # nosec B105
_PASSWORD_HASH_COST = (32768, 8, 1)


class ConfigError(RuntimeError):
    """The environment does not describe a configuration the portal can run with."""


def _bool(env: Mapping[str, str], name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number of seconds, not {raw!r}") from None
    if not value >= minimum:  # also refuses nan
        raise ConfigError(f"{name} must be at least {minimum}, not {raw.strip()}")
    return value


def _addresses(env: Mapping[str, str], name: str) -> tuple[str, ...]:
    raw = env.get(name, "").strip()
    if not raw:
        return ()
    found = []
    for item in raw.replace(",", ";").split(";"):
        if item.strip():
            try:
                found.append(str(ipaddress.ip_address(item.strip())))
            except ValueError:
                raise ConfigError(
                    f"{name} must list IP addresses separated by semicolons, not {item.strip()!r}"
                ) from None
    return tuple(found)


DEFAULT_CASE_REVIEW_AGENCIES = (
    "District council",
    "Police",
    "Housing provider",
    "County council adult social care",
    "County council children's services",
    "NHS or health services",
    "Fire and rescue service",
    "Victim support service",
)


def _list(env: Mapping[str, str], name: str, default: tuple[str, ...]) -> tuple[str, ...]:
    raw = env.get(name)
    if raw is None or raw.strip() == "":
        return default
    items = tuple(item.strip() for item in raw.split(";") if item.strip())
    if not items:
        raise ConfigError(f"{name} must list at least one item, separated by semicolons")
    return items


def _rate_limit(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    try:
        parse_many(value)
    except ValueError:
        raise ConfigError(
            f"{name} must be a rate such as '10 per hour' or '5 per 15 minutes', not {value!r}"
        ) from None
    return value


def _rate_limit_storage(env: Mapping[str, str], production: bool, enabled: bool) -> str:
    uri = env.get("RATELIMIT_STORAGE_URI", "").strip()
    if not uri:
        if production and enabled:
            raise ConfigError(
                "RATELIMIT_STORAGE_URI must name a Redis server in production (for example "
                "redis://127.0.0.1:6379/0): memory storage counts separately in each worker process"
            )
        return "memory://"
    if not uri.startswith(("memory://", "redis://", "rediss://", "redis+sentinel://", "redis+cluster://")):
        raise ConfigError(f"RATELIMIT_STORAGE_URI must be memory:// or a redis:// address, not {uri!r}")
    return uri


def _password_hash_method(env: Mapping[str, str], environment: str) -> str:
    """scrypt at Werkzeug's cost or dearer. Only the test suite, which makes and signs in hundreds of
    accounts, may choose a cheaper cost."""
    raw = env.get("PASSWORD_HASH_METHOD", "").strip()
    if not raw:
        return PASSWORD_HASH_METHOD
    name, *parts = raw.split(":")
    cost = tuple(int(part) for part in parts if part.isdigit())
    if name != "scrypt" or len(parts) != 3 or len(cost) != 3 or min(cost) < 1 or cost[0] & (cost[0] - 1):
        raise ConfigError(f"PASSWORD_HASH_METHOD must be scrypt:N:r:p (N a power of 2), not {raw!r}")
    cheaper = any(value < floor for value, floor in zip(cost, _PASSWORD_HASH_COST, strict=True))
    if cheaper and environment != "testing":
        raise ConfigError(
            f"PASSWORD_HASH_METHOD may be no cheaper than {PASSWORD_HASH_METHOD} outside the test suite, "
            f"not {raw!r}"
        )
    return "scrypt:{}:{}:{}".format(*cost)


def _database_url(env: Mapping[str, str], instance_path: Path) -> str:
    url = env.get("DATABASE_URL", "").strip()
    if not url:
        return f"sqlite:///{instance_path / 'portal.sqlite3'}"
    # Heroku-style and bare postgresql:// URLs are read with psycopg 3, the driver we install.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(env: Mapping[str, str], instance_path: Path) -> dict[str, Any]:
    """Build the Flask configuration from ``env`` (normally ``os.environ``)."""
    environment = env.get("PORTAL_ENV", "development").strip().lower()
    if environment not in {"development", "production", "testing"}:
        raise ConfigError(f"PORTAL_ENV must be development, production or testing, not {environment!r}")
    production = environment == "production"

    secret = env.get("SECRET_KEY", "").strip()
    if production and (not secret or secret == DEVELOPMENT_SECRET or len(secret) < 32):
        raise ConfigError(
            "SECRET_KEY must be set to a random value of at least 32 characters in production, "
            'for example: python -c "import secrets; print(secrets.token_hex(32))"'
        )

    upload_folder = Path(env.get("UPLOAD_FOLDER", "") or instance_path / "uploads")
    database_url = _database_url(env, instance_path)
    draft_hours = _int(env, "DRAFT_LIFETIME_HOURS", 24, minimum=1)

    # Errors never carry the statement's values: they hold residents' words. No ping before each
    # use of a pooled connection: that is a round trip on every request. A connection the server
    # dropped is replaced when it is taken from the pool (portal/database.py); connections are
    # renewed hourly anyway, before any firewall's idle timeout. A server that cannot be reached
    # is given up within 5 seconds, and one that vanishes mid-connection within about a minute
    # (TCP keepalives), so neither holds a request or the mail worker for the kernel's minutes.
    engine_options: dict[str, Any] = {
        "pool_recycle": 3600,
        "hide_parameters": True,
        "connect_args": {
            "connect_timeout": 5,
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
        },
    }
    if database_url.startswith("sqlite"):
        # A busy timeout lets concurrent writers queue for SQLite's single write lock.
        engine_options = {"connect_args": {"timeout": 30}, "hide_parameters": True}

    rate_limits_on = _bool(env, "RATELIMIT_ENABLED", True)

    return {
        "PORTAL_ENV": environment,
        "TESTING": environment == "testing",
        "SECRET_KEY": secret or DEVELOPMENT_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        # In production the cookie is bound to this exact host, over HTTPS, for every path.
        "SESSION_COOKIE_NAME": "__Host-session" if production else "session",
        "SESSION_COOKIE_PATH": "/",
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "PASSWORD_HASH_METHOD": _password_hash_method(env, environment),
        "OFFICER_IDLE_MINUTES": _int(env, "OFFICER_IDLE_MINUTES", 30, minimum=1),
        "OFFICER_SESSION_HOURS": _int(env, "OFFICER_SESSION_HOURS", 12, minimum=1),
        # Flask-Limiter. Sign-in counts failed attempts per account and all attempts per address;
        # sending a report counts per address. RATELIMIT_ENABLED=false turns every limit off.
        "RATELIMIT_ENABLED": rate_limits_on,
        "RATELIMIT_STORAGE_URI": _rate_limit_storage(env, production, rate_limits_on),
        "RATELIMIT_HEADERS_ENABLED": True,
        # If Redis is down, a resident's form is not refused (it is not counted either, and the
        # limiter logs it); signing in is refused (portal/officer/views/sign_in.py). Production never
        # falls back to memory, which would count separately in each worker and on each host.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": not production,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # An unreachable Redis answers within two seconds, never holding a request for longer.
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        "SIGN_IN_LIMIT_PER_ADDRESS": _rate_limit(env, "SIGN_IN_LIMIT_PER_ADDRESS", "30 per 10 minutes"),
        "SIGN_IN_LIMIT_PER_ACCOUNT": _rate_limit(env, "SIGN_IN_LIMIT_PER_ACCOUNT", "5 per 15 minutes"),
        "SUBMISSION_LIMIT_PER_ADDRESS": _rate_limit(env, "SUBMISSION_LIMIT_PER_ADDRESS", "10 per hour"),
        "PUBLIC_FORM_LIMIT_PER_ADDRESS": _rate_limit(env, "PUBLIC_FORM_LIMIT_PER_ADDRESS", "300 per hour"),
        # How many proxies in front of the portal set X-Forwarded-For: the address limits count
        # the client's address, not the proxy's. 0 trusts no such header.
        "TRUSTED_PROXIES": _int(env, "TRUSTED_PROXIES", 0),
        # The proxies' own addresses, when they are other hosts (portal/web/proxies.py): forwarding
        # headers from anywhere else are ignored. Empty: gunicorn listens where only they reach.
        "TRUSTED_PROXY_ADDRESSES": _addresses(env, "TRUSTED_PROXY_ADDRESSES"),
        "PREFERRED_URL_SCHEME": "https" if production else "http",
        # Five evidence files of 10 MB each, plus room for the form fields.
        "MAX_CONTENT_LENGTH": _int(env, "MAX_CONTENT_LENGTH", 52 * 1024 * 1024, minimum=1024),
        "MAX_FORM_MEMORY_SIZE": FORM_MEMORY_LIMIT,
        "FORM_BODY_LIMIT": FORM_BODY_LIMIT,
        # The caches of portal/web/caches.py: all on or all off, and the characters each may keep.
        "CACHES_ENABLED": _bool(env, "CACHES", True),
        "WIDGET_CACHE_CHARS": _int(env, "WIDGET_CACHE_CHARS", 4_000_000),
        "PAGE_CACHE_CHARS": _int(env, "PAGE_CACHE_CHARS", 8_000_000),
        "UPLOAD_FOLDER": str(upload_folder),
        "UPLOAD_MAX_FILES": _int(env, "UPLOAD_MAX_FILES", 5, minimum=0),
        "UPLOAD_MAX_BYTES": _int(env, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024, minimum=1),
        "DRAFT_LIFETIME_HOURS": draft_hours,
        # How long a closed report keeps the resident's personal data before `retention apply`
        # anonymises it. At least a month, so a mistyped 0 cannot empty every closed case at once.
        "RETENTION_MONTHS": _int(env, "RETENTION_MONTHS", 24, minimum=1),
        # No session is permanent: a resident's cookie, like an officer's, ends when the browser
        # closes. Flask still refuses a cookie signed longer ago than this; a resident's is signed
        # again with each saved page, as the draft is renewed.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=draft_hours),
        # How long the confirmation page shows the reference to the browser that sent the report.
        "CONFIRMATION_MINUTES": _int(env, "CONFIRMATION_MINUTES", 30, minimum=1),
        # A link to continue an unfinished report, emailed only to an address said to be safe:
        # it works once, within this time. Asking for one is limited per address and per email.
        "RESUME_LINK_MINUTES": _int(env, "RESUME_LINK_MINUTES", 60, minimum=1),
        "RESUME_LINK_LIMIT_PER_ADDRESS": _rate_limit(env, "RESUME_LINK_LIMIT_PER_ADDRESS", "10 per hour"),
        "RESUME_LINK_LIMIT_PER_EMAIL": _rate_limit(env, "RESUME_LINK_LIMIT_PER_EMAIL", "3 per hour"),
        # How long the satisfaction question emailed when a case is closed can be answered.
        "SATISFACTION_LINK_DAYS": _int(env, "SATISFACTION_LINK_DAYS", 60, minimum=1),
        # Seeing your report (portal/reports/resident_access.py): an emailed sign-in link works once,
        # within minutes; an officer's code once, within hours, and is void after a few wrong tries.
        # Signed in lasts while the resident keeps using the pages. Each sign-in form is limited
        # per address, and asking for a link per email too.
        "RESIDENT_LINK_MINUTES": _int(env, "RESIDENT_LINK_MINUTES", 30, minimum=1),
        "RESIDENT_CODE_HOURS": _int(env, "RESIDENT_CODE_HOURS", 24, minimum=1),
        "RESIDENT_CODE_ATTEMPTS": _int(env, "RESIDENT_CODE_ATTEMPTS", 5, minimum=1),
        "RESIDENT_SESSION_MINUTES": _int(env, "RESIDENT_SESSION_MINUTES", 30, minimum=1),
        # However busy, a resident's sign-in ends this long after it began.
        "RESIDENT_SIGN_IN_HOURS": _int(env, "RESIDENT_SIGN_IN_HOURS", 2, minimum=1),
        "RESIDENT_SIGN_IN_LIMIT_PER_ADDRESS": _rate_limit(
            env, "RESIDENT_SIGN_IN_LIMIT_PER_ADDRESS", "10 per hour"
        ),
        "RESIDENT_LINK_LIMIT_PER_EMAIL": _rate_limit(env, "RESIDENT_LINK_LIMIT_PER_EMAIL", "3 per hour"),
        # Adding an incident to a case (portal/reports/incidents.py): each post counts per case,
        # whoever is signed in to it, so a case cannot be flooded.
        "INCIDENT_LIMIT_PER_CASE": _rate_limit(env, "INCIDENT_LIMIT_PER_CASE", "20 per day"),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session cookie
        # Flask-WTF's own HTTPS check demands a Referer on every post; portal.web.security.check_origin
        # reads Origin first and the Referer only where a browser sent no Origin.
        "WTF_CSRF_SSL_STRICT": False,
        "MAIL_SERVER": env.get("MAIL_SERVER", "127.0.0.1"),
        "MAIL_PORT": _int(env, "MAIL_PORT", 25, minimum=1),
        "MAIL_USERNAME": env.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": _bool(env, "MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool(env, "MAIL_USE_SSL", False),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "Do it online <noreply@ne-derbyshire.gov.uk>"),
        "MAIL_TIMEOUT": _int(env, "MAIL_TIMEOUT", 10, minimum=1),
        # The whole SMTP conversation for one message, connecting included, must end by then.
        "MAIL_DEADLINE": _int(env, "MAIL_DEADLINE", 60, minimum=1),
        "MAIL_SUPPRESS_SEND": _bool(env, "MAIL_SUPPRESS_SEND", False),
        "OUTBOX_MAX_ATTEMPTS": _int(env, "OUTBOX_MAX_ATTEMPTS", 8, minimum=1),
        "OUTBOX_BACKOFF_SECONDS": _int(env, "OUTBOX_BACKOFF_SECONDS", 60, minimum=0),
        # A sender holds a message this long, renewing while it sends; one that dies gives it back.
        "OUTBOX_LEASE_SECONDS": _int(env, "OUTBOX_LEASE_SECONDS", 30, minimum=3),
        # How often the mail worker looks for due email when nothing wakes it (PostgreSQL wakes
        # it when email is queued; on SQLite this is how soon an email goes).
        "OUTBOX_POLL_SECONDS": _float(env, "OUTBOX_POLL_SECONDS", 0.5, minimum=0.05),
        "PUBLIC_BASE_URL": env.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "COUNCIL_NAME": env.get("COUNCIL_NAME", "North East Derbyshire District Council"),
        "COUNCIL_PHONE": env.get("COUNCIL_PHONE", "01246 231111"),
        "COUNCIL_EMAIL": env.get("COUNCIL_EMAIL", "community.safety@ne-derbyshire.gov.uk"),
        "COUNCIL_ADDRESS": env.get(
            "COUNCIL_ADDRESS", "District Council Offices, 2013 Mill Lane, Wingerworth, Chesterfield S42 6NG"
        ),
        "COUNCIL_WEBSITE": env.get("COUNCIL_WEBSITE", "https://www.ne-derbyshire.gov.uk"),
        "COUNCIL_AREA": env.get("COUNCIL_AREA", "North East Derbyshire"),
        "COUNCIL_WARDS": _list(env, "COUNCIL_WARDS", DEFAULT_WARDS),
        # The partnership's wildlife cameras, by the names painted on them.
        "PARTNERSHIP_CAMERAS": _list(
            env, "PARTNERSHIP_CAMERAS", ("WC-01", "WC-02", "WC-03", "WC-04", "WC-05", "WC-06")
        ),
        # The partner agencies an ASB Case Review meeting may hear from, as the meeting's record lists them.
        "CASE_REVIEW_AGENCIES": _list(env, "CASE_REVIEW_AGENCIES", DEFAULT_CASE_REVIEW_AGENCIES),
        # Where "Exit this page" takes someone: a page that gives nothing away.
        "EXIT_PAGE_URL": env.get("EXIT_PAGE_URL", "https://www.bbc.co.uk/weather"),
        "TRIAGE_POLICY_FILE": env.get("TRIAGE_POLICY_FILE", "")
        or str(PROJECT_ROOT / "policy" / "default.toml"),
        "SAFEGUARDING_ALERT_EMAIL": env.get(
            "SAFEGUARDING_ALERT_EMAIL", "safeguarding.duty@ne-derbyshire.gov.uk"
        ),
        "SERVICE_NAME": env.get("SERVICE_NAME", "Report anti-social behaviour or a safety concern"),
    }


def environ_config(instance_path: Path) -> dict[str, Any]:
    """The configuration for this process's environment."""
    return load_config(os.environ, instance_path)
