"""The report data contract (docs/policy.md section 1): its answers, and their validation.

The web journey and the ``triage check`` command both pass reports through ``parse_report``, so a
report reaches the engine in one shape, checked one way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

KINDS = ("asb", "neighbour_dispute", "safety_concern")

STARTED = ("today", "this_week", "this_month", "one_to_six_months", "over_six_months")
FREQUENCY = ("once", "occasionally", "weekly", "daily")
PREVIOUS_REPORTS = ("none", "once", "two_or_more")

HARM_QUESTIONS = (
    "feel_unsafe",
    "health_affected",
    "targeted",
    "hate_motivated",
    "violence_or_threats",
    "vulnerable_person",
    "considering_moving",
    "daily_life_affected",
)

ASB_TYPES = (
    "noise",
    "rowdy_behaviour",
    "vehicle_nuisance",
    "drugs",
    "intimidation",
    "vandalism_graffiti",
    "littering_fly_tipping",
    "deliberate_fires",
    "street_drinking",
    "begging",
    "animal_nuisance",
    "other",
)
DISPUTE_TYPES = (
    "noise",
    "boundary",
    "parking",
    "pets",
    "children",
    "rubbish",
    "hedges_trees",
    "harassment",
    "other",
)
CONCERN_TYPES = (
    "burglary_victim",
    "other_crime_victim",
    "domestic_abuse",
    "hate_crime_victim",
    "repeat_asb_victim",
    "fear_of_crime",
)

# The kind-specific block of each kind: its key in the report, its type list, its yes/no answers.
KIND_BLOCKS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "asb": ("asb", ASB_TYPES, ("perpetrators_known", "perpetrator_is_neighbour", "willing_to_mediate")),
    "neighbour_dispute": (
        "dispute",
        DISPUTE_TYPES,
        (
            "spoken_to_neighbour",
            "willing_to_mediate",
            "neighbour_address_known",
            "legal_action_underway",
        ),
    ),
    "safety_concern": ("concern", CONCERN_TYPES, ("perpetrator_lives_at_address",)),
}

# The yes/no answers asked only after a yes to another: each follow-up, and the answer it follows.
# Not asked, a follow-up is missing from the report, and so false.
FOLLOW_UPS: dict[str, dict[str, str]] = {
    "asb": {
        "perpetrator_is_neighbour": "perpetrators_known",
        "willing_to_mediate": "perpetrator_is_neighbour",
    },
}


def asked_details(kind: str, details: Mapping[str, Any]) -> tuple[str, ...]:
    """The kind's own yes/no questions that the answers in ``details`` lead to, in the order asked:
    a follow-up is asked only when the question it follows was asked and answered yes."""
    follows = FOLLOW_UPS.get(kind, {})
    asked: list[str] = []
    for name in KIND_BLOCKS[kind][2]:
        parent = follows.get(name)
        if parent is None or (parent in asked and details.get(parent) is True):
            asked.append(name)
    return tuple(asked)


DESCRIPTION_MAX = 4000
ADDRESS_MAX = 500
NAME_MAX = 200
EMAIL_MAX = 254
PHONE_MAX = 30
SAFE_CALL_TIMES_MAX = 200
SAFE_ALTERNATIVE_CONTACT_MAX = 500

_EMAIL_RE = re.compile(
    r"^[^@\s<>()\[\],;:\"\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$"
)
_POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")
_PHONE_ALLOWED_RE = re.compile(r"^\+?[0-9 ()-]+$")


class ContractError(ValueError):
    """A report does not meet the contract. ``field`` is the dotted name of the answer at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field} {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Location:
    address: str
    postcode: str  # normalised, or "" when not given
    ward: str


@dataclass(frozen=True)
class Reporter:
    name: str
    email: str
    phone: str
    anonymous: bool
    safe_to_email: bool
    safe_to_phone: bool
    lives_in_district: bool
    # How to reach a resident safely: asked only where they apply, so None is "not asked".
    safe_call_times: str = ""  # when phoning is safe and a number is given
    voicemail_ok: bool | None = None  # when phoning is safe and a number is given
    text_ok: bool | None = None  # when a number is given
    safe_alternative_contact: str = ""  # a trusted person, or another way to reach them

    @property
    def email_key(self) -> str:
        """The email as the policy compares it, or "" for an anonymous report or no email."""
        return "" if self.anonymous else normalise_email(self.email)

    @property
    def phone_key(self) -> str:
        """The phone number as the policy compares it, or "" for an anonymous report or none."""
        return "" if self.anonymous else normalise_phone(self.phone)

    @property
    def can_be_emailed(self) -> bool:
        return not self.anonymous and bool(self.email) and self.safe_to_email

    @property
    def can_be_phoned(self) -> bool:
        return not self.anonymous and bool(self.phone) and self.safe_to_phone

    @property
    def can_be_texted(self) -> bool:
        """A number is given and the resident said a text to it is safe."""
        return not self.anonymous and bool(self.phone) and self.text_ok is True

    @property
    def has_safe_alternative(self) -> bool:
        """The resident named a trusted person, or another safe way to reach them."""
        return not self.anonymous and bool(self.safe_alternative_contact.strip())


@dataclass(frozen=True)
class Report:
    """One report, validated: the engine's input."""

    kind: str
    submitted_at: datetime
    description: str
    location: Location
    reporter: Reporter
    started: str
    frequency: str
    previous_reports: str
    harm: Mapping[str, bool]
    types: tuple[str, ...]
    details: Mapping[str, bool] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        """The report as a contract mapping, the shape ``parse_report`` reads."""
        block, _types, _answers = KIND_BLOCKS[self.kind]
        return {
            "kind": self.kind,
            "submitted_at": self.submitted_at.isoformat(),
            "description": self.description,
            "location": {
                "address": self.location.address,
                "postcode": self.location.postcode,
                "ward": self.location.ward,
            },
            "reporter": {
                "name": self.reporter.name,
                "email": self.reporter.email,
                "phone": self.reporter.phone,
                "anonymous": self.reporter.anonymous,
                "safe_to_email": self.reporter.safe_to_email,
                "safe_to_phone": self.reporter.safe_to_phone,
                "lives_in_district": self.reporter.lives_in_district,
                "safe_call_times": self.reporter.safe_call_times,
                "voicemail_ok": self.reporter.voicemail_ok,
                "text_ok": self.reporter.text_ok,
                "safe_alternative_contact": self.reporter.safe_alternative_contact,
            },
            "started": self.started,
            "frequency": self.frequency,
            "previous_reports": self.previous_reports,
            "harm": dict(self.harm),
            block: {"types": list(self.types), **dict(self.details)},
        }


def normalise_email(email: str) -> str:
    """The one form of an email address that everything matches and counts by: every way of
    writing the same address gives the same form. Unicode look-alikes are folded (NFKC: a
    full-width "ｏ" is "o"), control and format characters (NUL, a zero-width space) and whitespace
    anywhere are dropped (an address has none), and case is ignored."""
    folded = unicodedata.normalize("NFKC", email)
    kept = "".join(ch for ch in folded if not ch.isspace() and unicodedata.category(ch)[0] not in "CZ")
    return unicodedata.normalize("NFKC", kept.lower())


def normalise_phone(phone: str) -> str:
    """Phone numbers match on their digits, with a leading 44 or 0044 read as 0:
    ``+44 7700 900789``, ``0044 7700 900789`` and ``07700 900789`` are one number, and so is
    ``+44 (0)7700 900789``, whose trunk 0 is not dialled twice. Another country's number written
    with 00 is the same number written with +: ``00353 1 234 5678`` is ``+353 1 234 5678``."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    for prefix in ("0044", "44"):
        if digits.startswith(prefix):
            return "0" + digits[len(prefix) :].removeprefix("0")
    return digits.removeprefix("00")


def normalise_postcode(postcode: str) -> str:
    """Upper case, with one space before the last three characters: ``s181ab`` is ``S18 1AB``."""
    compact = "".join(postcode.split()).upper()
    if len(compact) <= 3:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def is_valid_postcode(postcode: str) -> bool:
    """Whether a postcode has the shape of a UK postcode once normalised."""
    return bool(_POSTCODE_RE.match(normalise_postcode(postcode)))


def is_valid_email(email: str) -> bool:
    email = email.strip()
    return len(email) <= EMAIL_MAX and bool(_EMAIL_RE.match(email))


def is_valid_phone(phone: str) -> bool:
    """A UK number (``07700 900789``, ``+44 7700 900789`` or ``0044 7700 900789``), or another
    country's written with a leading + or 00."""
    phone = phone.strip()
    if len(phone) > PHONE_MAX or not _PHONE_ALLOWED_RE.match(phone):
        return False
    digits = normalise_phone(phone)
    if digits.startswith("0"):
        return len(digits) in (10, 11)
    international = phone.startswith("+") or phone.lstrip("(").startswith("00")
    return international and 8 <= len(digits) <= 15


# --- parsing ---------------------------------------------------------------------------------


def _mapping(data: Any, name: str, required: bool = True) -> Mapping[str, Any]:
    if data is None and not required:
        return {}
    if not isinstance(data, Mapping):
        raise ContractError(name, "must be an object" + ("" if required else " when given"))
    return data


def _no_unknown(data: Mapping[str, Any], allowed: Iterable[str], prefix: str) -> None:
    allowed_set = set(allowed)
    for key in data:
        if key not in allowed_set:
            raise ContractError(f"{prefix}{key}", "is not a field of the report")


def _boolean(data: Mapping[str, Any], key: str, prefix: str, default: bool = False) -> bool:
    value = data.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ContractError(f"{prefix}{key}", "must be true or false")
    return value


def _optional_boolean(data: Mapping[str, Any], key: str, prefix: str) -> bool | None:
    """A yes/no answer that is asked only in some cases: missing or null is "not asked"."""
    value = data.get(key)
    if value is not None and not isinstance(value, bool):
        raise ContractError(f"{prefix}{key}", "must be true, false or null")
    return value


def _text(data: Mapping[str, Any], key: str, prefix: str, maximum: int) -> str:
    value = data.get(key, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ContractError(f"{prefix}{key}", "must be text")
    value = value.strip()
    if len(value) > maximum:
        raise ContractError(f"{prefix}{key}", f"must be {maximum:,} characters or fewer")
    if "\x00" in value:
        raise ContractError(f"{prefix}{key}", "must not contain a null character")
    return value


def _choice(data: Mapping[str, Any], key: str, choices: tuple[str, ...], prefix: str = "") -> str:
    if key not in data or data[key] is None:
        raise ContractError(f"{prefix}{key}", "is required: one of " + ", ".join(choices))
    value = data[key]
    if not isinstance(value, str) or value not in choices:
        raise ContractError(f"{prefix}{key}", "must be one of " + ", ".join(choices))
    return value


def parse_submitted_at(value: Any, default: datetime) -> datetime:
    if value is None:
        return default
    if not isinstance(value, str):
        raise ContractError("submitted_at", "must be an ISO 8601 date and time with an offset")
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ContractError(
            "submitted_at", "must be an ISO 8601 date and time with an offset, like 2026-12-24T16:30:00+00:00"
        ) from None
    if parsed.tzinfo is None:
        raise ContractError("submitted_at", "must include a UTC offset, like +00:00")
    return parsed.astimezone(UTC)


def parse_report(
    data: Any,
    *,
    wards: Iterable[str] | None = None,
    now: datetime | None = None,
    extra_fields: Iterable[str] = (),
) -> Report:
    """Check ``data`` against the report contract and return it as a ``Report``.

    ``wards`` lists the council's wards (``None`` accepts any ward). ``extra_fields`` names top-level
    keys to ignore, such as the ``expect`` of a worked example. Raises ``ContractError``.
    """
    report = _mapping(data, "report")
    kind = _choice(report, "kind", KINDS)
    block_name, type_choices, answer_names = KIND_BLOCKS[kind]
    _no_unknown(
        report,
        (
            "kind",
            "submitted_at",
            "description",
            "location",
            "reporter",
            "started",
            "frequency",
            "previous_reports",
            "harm",
            block_name,
            *extra_fields,
        ),
        "",
    )

    submitted_at = parse_submitted_at(report.get("submitted_at"), now or datetime.now(UTC))

    description = _text(report, "description", "", DESCRIPTION_MAX)
    if not description:
        raise ContractError("description", "is required: say what is happening")

    location_data = _mapping(report.get("location"), "location")
    _no_unknown(location_data, ("address", "postcode", "ward"), "location.")
    address = _text(location_data, "address", "location.", ADDRESS_MAX)
    postcode_raw = _text(location_data, "postcode", "location.", 10)
    if not address and not postcode_raw:
        raise ContractError("location", "needs an address or a postcode")
    if postcode_raw and not is_valid_postcode(postcode_raw):
        raise ContractError("location.postcode", "must be a UK postcode, like S42 6NG")
    ward = _text(location_data, "ward", "location.", 100)
    if ward and wards is not None and ward not in set(wards):
        raise ContractError("location.ward", "must be one of the council's wards")

    reporter_data = _mapping(report.get("reporter"), "reporter")
    _no_unknown(
        reporter_data,
        (
            "name",
            "email",
            "phone",
            "anonymous",
            "safe_to_email",
            "safe_to_phone",
            "lives_in_district",
            "safe_call_times",
            "voicemail_ok",
            "text_ok",
            "safe_alternative_contact",
        ),
        "reporter.",
    )
    anonymous = _boolean(reporter_data, "anonymous", "reporter.")
    name = _text(reporter_data, "name", "reporter.", NAME_MAX)
    email = _text(reporter_data, "email", "reporter.", EMAIL_MAX)
    phone = _text(reporter_data, "phone", "reporter.", PHONE_MAX)
    if email and not is_valid_email(email):
        raise ContractError("reporter.email", "must be an email address, like name@example.com")
    if phone and not is_valid_phone(phone):
        raise ContractError("reporter.phone", "must be a UK phone number, like 01246 231111")
    if anonymous and kind == "safety_concern":
        raise ContractError(
            "reporter.anonymous", "must be false for a safety concern: the service visits the home"
        )
    if not anonymous and not (email or phone):
        raise ContractError("reporter", "needs an email or a phone number unless the report is anonymous")
    reporter = Reporter(
        name=name,
        email=email,
        phone=phone,
        anonymous=anonymous,
        safe_to_email=_boolean(reporter_data, "safe_to_email", "reporter.", default=True),
        safe_to_phone=_boolean(reporter_data, "safe_to_phone", "reporter.", default=True),
        lives_in_district=_boolean(reporter_data, "lives_in_district", "reporter."),
        safe_call_times=_text(reporter_data, "safe_call_times", "reporter.", SAFE_CALL_TIMES_MAX),
        voicemail_ok=_optional_boolean(reporter_data, "voicemail_ok", "reporter."),
        text_ok=_optional_boolean(reporter_data, "text_ok", "reporter."),
        safe_alternative_contact=_text(
            reporter_data, "safe_alternative_contact", "reporter.", SAFE_ALTERNATIVE_CONTACT_MAX
        ),
    )

    harm_data = _mapping(report.get("harm"), "harm", required=False)
    _no_unknown(harm_data, HARM_QUESTIONS, "harm.")
    harm = {question: _boolean(harm_data, question, "harm.") for question in HARM_QUESTIONS}

    block = _mapping(report.get(block_name), block_name)
    _no_unknown(block, ("types", *answer_names), f"{block_name}.")
    raw_types = block.get("types")
    if not isinstance(raw_types, list) or not raw_types:
        raise ContractError(f"{block_name}.types", "must list at least one type")
    types: list[str] = []
    for position, value in enumerate(raw_types):
        if not isinstance(value, str) or value not in type_choices:
            raise ContractError(
                f"{block_name}.types[{position}]", "must be one of " + ", ".join(type_choices)
            )
        if value not in types:
            types.append(value)
    details = {answer: _boolean(block, answer, f"{block_name}.") for answer in answer_names}

    return Report(
        kind=kind,
        submitted_at=submitted_at,
        description=description,
        location=Location(
            address=address, postcode=normalise_postcode(postcode_raw) if postcode_raw else "", ward=ward
        ),
        reporter=reporter,
        started=_choice(report, "started", STARTED),
        frequency=_choice(report, "frequency", FREQUENCY),
        previous_reports=_choice(report, "previous_reports", PREVIOUS_REPORTS),
        harm=harm,
        types=tuple(types),
        details=details,
    )
