"""The council's triage policy: read from its data file, checked, and ready for the engine.

``load_policy`` returns a ``Policy`` or raises ``PolicyError`` listing every problem, each with
where it is in the file (``rules[2].when[3].fact``) and what to do about it.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from portal.triage.conditions import MISSING, Condition, Group, Test, all_hold, facts_used, tests_on
from portal.triage.contract import (
    FREQUENCY,
    HARM_QUESTIONS,
    KIND_BLOCKS,
    KINDS,
    PREVIOUS_REPORTS,
    STARTED,
)
from portal.triage.decision import RISK_LEVELS, ROUTES

COUNT_FACTS = (
    "repeat_count",
    "reporter.earlier_asb_reports",
    "reporter.asb_reports_in_window",
    "place.asb_reporters_in_window",
)
BOOLEAN_FACTS = (
    "asb_report",
    "reporter.lives_in_district",
    "reporter.anonymous",
    "reporter.contactable",
    "reporter.can_be_texted",
    "reporter.has_safe_alternative",
    "description.safeguarding_phrase",
    *(f"harm.{question}" for question in HARM_QUESTIONS),
)
# Facts that exist only for one kind of report: the kind's own answers and types.
KIND_FACTS: dict[str, str] = {}
TYPE_FACTS: dict[str, tuple[str, ...]] = {}
for _kind, (_block, _types, _answers) in KIND_BLOCKS.items():
    TYPE_FACTS[f"{_block}.types"] = _types
    KIND_FACTS[f"{_block}.types"] = _kind
    for _answer in _answers:
        KIND_FACTS[f"{_block}.{_answer}"] = _kind

OPS = ("is", "in", "not_in", "includes_any", "excludes", "at_least")
# History is read up to a few hundred reports per reporter or place (portal.reports.history), so
# a count can be compared with a threshold up to this and no higher.
MAX_COUNT_THRESHOLD = 100
# Every number in the file has a range (docs/policy.md section 9). Beyond these the engine would
# overflow a date (history_months), count working days for ever (response_working_days), or
# compare a count with a number no history reaches; inside them every report can be decided.
HISTORY_MONTHS = (1, 120)
POINTS = (0, 100)  # one answer's points, or one repeat band's
COUNTS = (0, MAX_COUNT_THRESHOLD)  # a declared repeat count, a band's at_least, a count threshold
FROM_SCORE = (0, 10_000)
RESPONSE_WORKING_DAYS = (0, 60)
# The ASB Case Review threshold (docs/policy.md section 10): a count of 0 would be met with no
# reports at all, so each starts at 1; the decision is due in working days, as a first contact is.
CASE_REVIEW_WINDOW_MONTHS = HISTORY_MONTHS
CASE_REVIEW_COUNTS = (1, MAX_COUNT_THRESHOLD)
CASE_REVIEW_WORKING_DAYS = RESPONSE_WORKING_DAYS
CASE_REVIEW_KEYS = (
    "window_months",
    "reports_by_one_person",
    "households_same_problem",
    "decision_working_days",
    "escalation_body",
    "review_working_days",
    "outcome_working_days",
)
MAX_ESCALATION_BODY = 200
# How an incident a resident adds to their own case counts (docs/policy.md section 11): each is
# required, true or false.
INCIDENT_KEYS = ("counts_as_report", "rescore", "may_lower_level")
# A decision records the version with "+" and a 10-character fingerprint in 64 characters
# (portal.models.report: policy_version), so the version itself fits in the rest.
MAX_VERSION_LENGTH = 64 - 11
# A condition inside this many any/all/not groups and no deeper: deeper is no policy a council
# writes, and checking it would exhaust the interpreter's stack.
MAX_CONDITION_DEPTH = 10
# Arrays and inline tables inside each other, checked before the TOML reader, which calls itself
# for each and would exhaust the stack. Ten levels of conditions need about twenty.
MAX_BRACKET_DEPTH = 50
# Flags the portal acts on by name (docs/policy.md section 5): the duty officer's alert and the
# acknowledgement's ASB Case Review text. A policy may add flags, never drop these.
REQUIRED_FLAGS = ("safeguarding", "case_review_explained", "case_review_eligible")
SATISFIABILITY_LIMIT = 2_000_000


class PolicyError(ValueError):
    """The policy file is not valid. ``problems`` lists each one as "where: what"."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source} is not a valid triage policy:\n" + "\n".join(f"  {p}" for p in problems))


@dataclass(frozen=True)
class Band:
    at_least: int
    points: int


@dataclass(frozen=True)
class Level:
    name: str
    from_score: int


@dataclass(frozen=True)
class Floor:
    level: str
    reason: str
    when: tuple[Condition, ...]


@dataclass(frozen=True)
class Flag:
    name: str
    label: str
    description: str
    alert: bool
    when: tuple[Condition, ...]


@dataclass(frozen=True)
class Rule:
    id: str
    route: str
    summary: str
    when: tuple[Condition, ...]


@dataclass(frozen=True)
class CaseReview:
    """The council's published ASB Case Review threshold, and who an applicant escalates to."""

    window_months: int
    reports_by_one_person: int
    households_same_problem: int
    decision_working_days: int
    escalation_body: str
    review_working_days: int  # the review meeting is held within these of the threshold decision
    outcome_working_days: int  # the outcome letter is sent within these of the meeting


@dataclass(frozen=True)
class Incidents:
    """How an incident a resident adds to their case counts, and whether it re-scores the case."""

    counts_as_report: bool  # a report of the resident's, for the repeat count and the Case Review
    rescore: bool  # each incident is a new assessment of the case
    may_lower_level: bool  # a later assessment may give a lower risk level than the one before


@dataclass(frozen=True)
class Policy:
    version: str  # as declared, with a fingerprint of the file's contents
    title: str
    history_months: int
    asb_kinds: tuple[str, ...]
    harm_points: Mapping[str, int]
    frequency_points: Mapping[str, int]
    started_points: Mapping[str, int]
    declared_repeats: Mapping[str, int]
    repeat_bands: tuple[Band, ...]
    levels: tuple[Level, ...]
    floors: tuple[Floor, ...]
    response_working_days: Mapping[str, int]
    phrases: tuple[str, ...]
    flags: tuple[Flag, ...]
    rules: tuple[Rule, ...]
    case_review: CaseReview
    incidents: Incidents
    phrase_pattern: re.Pattern[str] = field(compare=False, repr=False, default=re.compile(r"(?!)"))

    def level_for(self, score: int) -> str:
        name = self.levels[0].name
        for level in self.levels:
            if score >= level.from_score:
                name = level.name
        return name

    def threshold(self, flag_name: str, fact: str) -> int | None:
        """The count a flag's condition on ``fact`` needs, for telling residents the rule."""
        for flag in self.flags:
            if flag.name == flag_name:
                tests = [test for test in tests_on(flag.when, fact) if test.op == "at_least"]
                return int(tests[0].value) if tests else None
        return None

    def repeat_points(self, count: int) -> int:
        points = 0
        for band in self.repeat_bands:
            if count >= band.at_least:
                points = band.points
        return points


def load_policy(path: str | Path) -> Policy:
    """Read and check the policy file at ``path``."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise PolicyError(str(path), [f"cannot be read: {error.strerror or error}"]) from None
    return parse_policy(raw, str(path))


def parse_policy(raw: bytes, source: str = "policy") -> Policy:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise PolicyError(source, ["the file must be UTF-8 text"]) from None
    line = _line_nested_too_deep(text)
    if line:
        raise PolicyError(
            source,
            [
                f"line {line}: arrays and tables are nested more than {MAX_BRACKET_DEPTH} deep; "
                f"conditions may be nested at most {MAX_CONDITION_DEPTH} deep"
            ],
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PolicyError(source, [f"is not valid TOML: {error}"]) from None
    except ValueError:  # the only other one tomllib raises: an integer of over 4,300 digits
        raise PolicyError(source, ["is not valid TOML: a number has too many digits to read"]) from None
    except RecursionError:  # not expected below MAX_BRACKET_DEPTH, but never a traceback
        raise PolicyError(source, ["is not valid TOML: it is nested too deeply to read"]) from None
    checker = _Checker()
    policy = checker.policy(data, hashlib.sha256(raw).hexdigest()[:10])
    if checker.problems or policy is None:
        raise PolicyError(source, checker.problems)
    checker.check_reachable(policy)
    if checker.problems:
        raise PolicyError(source, checker.problems)
    return policy


def _line_nested_too_deep(text: str) -> int | None:
    """The line where brackets outside strings and comments first nest beyond MAX_BRACKET_DEPTH."""
    depth, line, position, end = 0, 1, 0, len(text)
    while position < end:
        char = text[position]
        if char == "\n":
            line += 1
        elif char == "#":
            newline = text.find("\n", position)
            position = end if newline < 0 else newline
            continue
        elif char in "\"'":
            quote = text[position : position + 3] if text.startswith(char * 3, position) else char
            position += len(quote)
            while position < end and not text.startswith(quote, position):
                if text[position] == "\\" and char == '"':
                    position += 1  # an escaped character, a quote perhaps
                line += text[position] == "\n" if position < end else 0
                position += 1
            position += len(quote)
            continue
        elif char in "[{":
            depth += 1
            if depth > MAX_BRACKET_DEPTH:
                return line
        elif char in "]}":
            depth = max(depth - 1, 0)
        position += len(char)
    return None


def phrase_pattern(phrases: tuple[str, ...]) -> re.Pattern[str]:
    """Whole words or phrases, any case, with any run of spaces between a phrase's words."""
    parts = [r"\s+".join(re.escape(word) for word in phrase.split()) for phrase in phrases]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", re.IGNORECASE)


class _Checker:
    """Builds a Policy from the file's data, noting every problem instead of stopping at the first."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def problem(self, where: str, what: str) -> None:
        self.problems.append(f"{where}: {what}")

    # --- helpers ---------------------------------------------------------------------------

    def _known(self, data: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> None:
        for key in data:
            if key not in allowed:
                self.problem(
                    f"{where}{key}" if where else key, f"unknown field; expected one of {', '.join(allowed)}"
                )

    def _table(self, data: Mapping[str, Any], key: str, where: str) -> Mapping[str, Any]:
        value = data.get(key)
        if not isinstance(value, Mapping):
            self.problem(f"{where}{key}", "is missing or is not a table")
            return {}
        return value

    def _list(self, data: Mapping[str, Any], key: str, where: str) -> list[Any]:
        value = data.get(key)
        if not isinstance(value, list):
            self.problem(f"{where}{key}", "is missing or is not a list")
            return []
        return value

    def _int(self, value: Any, where: str, allowed: tuple[int, int]) -> int:
        """A whole number in ``allowed`` (both ends included); anything else is a problem."""
        out_of_range = _out_of_range(value, allowed)
        if out_of_range:
            self.problem(where, out_of_range)
            return allowed[0]
        return int(value)

    def _text(self, data: Mapping[str, Any], key: str, where: str, required: bool = True) -> str:
        value = data.get(key, "" if not required else None)
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(f"{where}{key}", "must be text" + (" and is required" if required else ""))
            return ""
        return value

    def _points(
        self,
        data: Mapping[str, Any],
        key: str,
        answers: tuple[str, ...],
        where: str,
        allowed: tuple[int, int] = POINTS,
    ) -> dict[str, int]:
        table = self._table(data, key, where)
        self._known(table, answers, f"{where}{key}.")
        points = {}
        for answer in answers:
            if answer not in table:
                self.problem(f"{where}{key}", f"gives no points for {answer}")
                continue
            points[answer] = self._int(table[answer], f"{where}{key}.{answer}", allowed)
        return points

    # --- the whole file --------------------------------------------------------------------

    def policy(self, data: Mapping[str, Any], fingerprint: str) -> Policy | None:
        self._known(
            data,
            (
                "version",
                "title",
                "history_months",
                "asb_kinds",
                "points",
                "repeat",
                "levels",
                "floors",
                "response_working_days",
                "safeguarding",
                "flags",
                "rules",
                "case_review",
                "incidents",
            ),
            "",
        )
        version = self._text(data, "version", "")
        if len(version) > MAX_VERSION_LENGTH:
            self.problem(
                "version",
                f"must be {MAX_VERSION_LENGTH} characters or fewer, not {len(version)}: "
                "every decision records it with a fingerprint of the file",
            )
        title = self._text(data, "title", "", required=False) or "Triage policy"
        history_months = self._int(data.get("history_months"), "history_months", HISTORY_MONTHS)

        asb_kinds = tuple(self._list(data, "asb_kinds", ""))
        for position, kind in enumerate(asb_kinds):
            if kind not in KINDS:
                self.problem(f"asb_kinds[{position}]", f"unknown kind {kind!r}; kinds are {', '.join(KINDS)}")

        points = self._table(data, "points", "")
        self._known(points, ("harm", "frequency", "started", "repeat_count"), "points.")
        harm_points = self._points(points, "harm", HARM_QUESTIONS, "points.")
        frequency_points = self._points(points, "frequency", FREQUENCY, "points.")
        started_points = self._points(points, "started", STARTED, "points.")
        repeat = self._table(data, "repeat", "")
        self._known(repeat, ("declared",), "repeat.")
        declared = self._points(repeat, "declared", PREVIOUS_REPORTS, "repeat.", COUNTS)

        bands = []
        for position, band in enumerate(self._list(points, "repeat_count", "points.")):
            where = f"points.repeat_count[{position}]"
            if not isinstance(band, Mapping):
                self.problem(where, "must be a table with at_least and points")
                continue
            self._known(band, ("at_least", "points"), f"{where}.")
            bands.append(
                Band(
                    self._int(band.get("at_least"), f"{where}.at_least", COUNTS),
                    self._int(band.get("points"), f"{where}.points", POINTS),
                )
            )
        if bands and bands[0].at_least != 0:
            self.problem("points.repeat_count[0].at_least", "the first band must start at 0")
        for position in range(1, len(bands)):
            if bands[position].at_least <= bands[position - 1].at_least:
                self.problem(
                    f"points.repeat_count[{position}].at_least",
                    "bands must be in increasing order of at_least",
                )

        levels = []
        for position, level in enumerate(self._list(data, "levels", "")):
            where = f"levels[{position}]"
            if not isinstance(level, Mapping):
                self.problem(where, "must be a table with name and from_score")
                continue
            self._known(level, ("name", "from_score"), f"{where}.")
            levels.append(
                Level(
                    self._text(level, "name", f"{where}."),
                    self._int(level.get("from_score"), f"{where}.from_score", FROM_SCORE),
                )
            )
        names = tuple(level.name for level in levels)
        if names != RISK_LEVELS:
            self.problem("levels", f"must be the risk levels {', '.join(RISK_LEVELS)}, in that order")
        if levels and levels[0].from_score != 0:
            self.problem("levels[0].from_score", "the lowest level must start at 0")
        for position in range(1, len(levels)):
            if levels[position].from_score <= levels[position - 1].from_score:
                self.problem(
                    f"levels[{position}].from_score",
                    f"bands are out of order: {levels[position].name} must start above "
                    f"{levels[position - 1].name} ({levels[position - 1].from_score})",
                )

        response = self._table(data, "response_working_days", "")
        self._known(response, RISK_LEVELS, "response_working_days.")
        response_days = {}
        for level_name in RISK_LEVELS:
            if level_name not in response:
                self.problem("response_working_days", f"gives no response time for {level_name}")
            else:
                response_days[level_name] = self._int(
                    response[level_name], f"response_working_days.{level_name}", RESPONSE_WORKING_DAYS
                )

        safeguarding = self._table(data, "safeguarding", "")
        self._known(safeguarding, ("phrases",), "safeguarding.")
        phrases = []
        for position, phrase in enumerate(self._list(safeguarding, "phrases", "safeguarding.")):
            if not isinstance(phrase, str) or not phrase.strip():
                self.problem(f"safeguarding.phrases[{position}]", "must be a word or phrase")
            else:
                phrases.append(phrase.strip())

        floors = []
        for position, floor in enumerate(self._list(data, "floors", "")):
            where = f"floors[{position}]"
            if not isinstance(floor, Mapping):
                self.problem(where, "must be a table")
                continue
            self._known(floor, ("level", "reason", "when"), f"{where}.")
            level_name = self._text(floor, "level", f"{where}.")
            if level_name and level_name not in RISK_LEVELS:
                self.problem(
                    f"{where}.level",
                    f"unknown risk level {level_name!r}; levels are {', '.join(RISK_LEVELS)}",
                )
            floors.append(
                Floor(
                    level_name,
                    self._text(floor, "reason", f"{where}."),
                    self._conditions(floor, f"{where}.", required=True),
                )
            )

        flags = []
        seen_flags: set[str] = set()
        for position, flag in enumerate(self._list(data, "flags", "")):
            where = f"flags[{position}]"
            if not isinstance(flag, Mapping):
                self.problem(where, "must be a table")
                continue
            self._known(flag, ("name", "label", "description", "alert", "when"), f"{where}.")
            name = self._text(flag, "name", f"{where}.")
            if name and not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                self.problem(f"{where}.name", "must be lower case letters, digits and underscores")
            if name in seen_flags:
                self.problem(f"{where}.name", f"the flag {name!r} is defined twice")
            seen_flags.add(name)
            alert = flag.get("alert", False)
            if not isinstance(alert, bool):
                self.problem(f"{where}.alert", "must be true or false")
            flags.append(
                Flag(
                    name=name,
                    label=self._text(flag, "label", f"{where}.", required=False)
                    or name.replace("_", " ").capitalize(),
                    description=self._text(flag, "description", f"{where}.", required=False),
                    alert=bool(alert),
                    when=self._conditions(flag, f"{where}.", required=True),
                )
            )

        for name in REQUIRED_FLAGS:
            if name not in seen_flags:
                self.problem("flags", f"the flag {name!r} is required: the portal acts on it")

        rules = []
        seen_rules: set[str] = set()
        for position, rule in enumerate(self._list(data, "rules", "")):
            where = f"rules[{position}]"
            if not isinstance(rule, Mapping):
                self.problem(where, "must be a table")
                continue
            self._known(rule, ("id", "route", "summary", "when"), f"{where}.")
            rule_id = self._text(rule, "id", f"{where}.")
            route = self._text(rule, "route", f"{where}.")
            if route and route not in ROUTES:
                self.problem(f"{where}.route", f"unknown route {route!r}; routes are {', '.join(ROUTES)}")
            if rule_id and route and rule_id.split(".", 1)[0] != route:
                self.problem(f"{where}.id", f"a rule's id starts with its route: {route}.something")
            if rule_id in seen_rules:
                self.problem(f"{where}.id", f"the rule {rule_id!r} is defined twice")
            seen_rules.add(rule_id)
            rules.append(
                Rule(
                    rule_id,
                    route,
                    self._text(rule, "summary", f"{where}.", required=False),
                    self._conditions(rule, f"{where}."),
                )
            )
        if not rules:
            self.problem("rules", "the policy needs at least one rule")
        elif rules[-1].when:
            self.problem(
                f"rules[{len(rules) - 1}]",
                "the last rule must be the default: a rule with no conditions (when = [])",
            )

        case_review = self._case_review(data)
        self._flag_uses_the_threshold(flags, case_review)
        incidents = self._incidents(data)

        if self.problems:
            return None
        return Policy(
            version=f"{version}+{fingerprint}",
            title=title,
            history_months=history_months,
            asb_kinds=asb_kinds,
            harm_points=harm_points,
            frequency_points=frequency_points,
            started_points=started_points,
            declared_repeats=declared,
            repeat_bands=tuple(bands),
            levels=tuple(levels),
            floors=tuple(floors),
            response_working_days=response_days,
            phrases=tuple(phrases),
            flags=tuple(flags),
            rules=tuple(rules),
            case_review=case_review,
            incidents=incidents,
            phrase_pattern=phrase_pattern(tuple(phrases)) if phrases else re.compile(r"(?!)"),
        )

    def _case_review(self, data: Mapping[str, Any]) -> CaseReview:
        """The ``[case_review]`` table: every setting is required, each number in its range."""
        table = self._table(data, "case_review", "")
        self._known(table, CASE_REVIEW_KEYS, "case_review.")
        numbers = {}
        for key, (low, high) in (
            ("window_months", CASE_REVIEW_WINDOW_MONTHS),
            ("reports_by_one_person", CASE_REVIEW_COUNTS),
            ("households_same_problem", CASE_REVIEW_COUNTS),
            ("decision_working_days", CASE_REVIEW_WORKING_DAYS),
            ("review_working_days", CASE_REVIEW_WORKING_DAYS),
            ("outcome_working_days", CASE_REVIEW_WORKING_DAYS),
        ):
            if table and key not in table:
                self.problem(f"case_review.{key}", f"is missing: a whole number from {low} to {high}")
            numbers[key] = self._int(table[key], f"case_review.{key}", (low, high)) if key in table else low
        escalation_body = ""
        if table and "escalation_body" not in table:
            self.problem("case_review.escalation_body", "is missing: who an applicant escalates to")
        elif table:
            escalation_body = self._text(table, "escalation_body", "case_review.").strip()
            if len(escalation_body) > MAX_ESCALATION_BODY:
                self.problem(
                    "case_review.escalation_body", f"must be {MAX_ESCALATION_BODY} characters or fewer"
                )
        return CaseReview(escalation_body=escalation_body, **numbers)

    def _incidents(self, data: Mapping[str, Any]) -> Incidents:
        """The ``[incidents]`` table: every setting is required, each true or false."""
        table = self._table(data, "incidents", "")
        self._known(table, INCIDENT_KEYS, "incidents.")
        values: dict[str, bool] = {}
        for key in INCIDENT_KEYS:
            value = table.get(key) if table else False
            if table and key not in table:
                self.problem(f"incidents.{key}", "is missing: true or false")
            elif table and not isinstance(value, bool):
                self.problem(f"incidents.{key}", f"must be true or false, not {_shown(value)}")
            values[key] = value is True
        return Incidents(**values)

    def _flag_uses_the_threshold(self, flags: list[Flag], case_review: CaseReview) -> None:
        """The flag that tells a resident the threshold is met counts to the published numbers."""
        for position, flag in enumerate(flags):
            if flag.name != "case_review_eligible":
                continue
            for fact, key in (
                ("reporter.asb_reports_in_window", "reports_by_one_person"),
                ("place.asb_reporters_in_window", "households_same_problem"),
            ):
                published = getattr(case_review, key)
                for test in tests_on(flag.when, fact):
                    if test.op == "at_least" and published and test.value != published:
                        self.problem(
                            f"flags[{position}] (case_review_eligible)",
                            f"tests {fact} at least {test.value}, but the published threshold is "
                            f"case_review.{key} = {published}: make them the same",
                        )

    # --- conditions ------------------------------------------------------------------------

    def _conditions(
        self, data: Mapping[str, Any], where: str, required: bool = False
    ) -> tuple[Condition, ...]:
        raw = data.get("when")
        if raw is None:
            self.problem(f"{where}when", "is missing: a list of conditions")
            return ()
        if not isinstance(raw, list):
            self.problem(f"{where}when", "must be a list of conditions")
            return ()
        if required and not raw:
            self.problem(f"{where}when", "needs at least one condition")
        return tuple(
            c
            for position, item in enumerate(raw)
            if (c := self._condition(item, f"{where}when[{position}]", depth=1))
        )

    def _condition(self, item: Any, where: str, depth: int) -> Condition | None:
        if depth > MAX_CONDITION_DEPTH:
            self.problem(
                where,
                f"conditions are nested more than {MAX_CONDITION_DEPTH} deep (any, all and not "
                "inside each other): write them with fewer groups",
            )
            return None
        if not isinstance(item, Mapping):
            self.problem(where, "must be a condition: a table with fact and a test, or any, all or not")
            return None
        reason = item.get("reason", "")
        otherwise = item.get("otherwise", "")
        for key, value in (("reason", reason), ("otherwise", otherwise)):
            if not isinstance(value, str):
                self.problem(f"{where}.{key}", "must be text")
        groups = [key for key in ("any", "all", "not") if key in item]
        if groups:
            if len(groups) > 1 or "fact" in item:
                self.problem(where, "give one of fact, any, all or not")
                return None
            kind = groups[0]
            self._known(item, (kind, "reason", "otherwise"), f"{where}.")
            if kind == "not":
                inner = self._condition(item["not"], f"{where}.not", depth + 1)
                return Group("not", (inner,), str(reason), str(otherwise)) if inner else None
            members = item[kind]
            if not isinstance(members, list) or not members:
                self.problem(f"{where}.{kind}", "must be a list of at least one condition")
                return None
            parsed = tuple(
                c
                for position, member in enumerate(members)
                if (c := self._condition(member, f"{where}.{kind}[{position}]", depth + 1))
            )
            return Group(kind, parsed, str(reason), str(otherwise))

        fact = item.get("fact")
        if not isinstance(fact, str):
            self.problem(where, "needs a fact, or any, all or not")
            return None
        ops = [op for op in OPS if op in item]
        self._known(item, ("fact", *OPS, "reason", "otherwise"), f"{where}.")
        if len(ops) != 1:
            self.problem(where, f"needs exactly one test: {', '.join(OPS)}")
            return None
        op = ops[0]
        value = item[op]
        if not self._fits(fact, op, value, where):
            return None
        if isinstance(value, list):
            value = tuple(value)
        return Test(fact, op, value, str(reason), str(otherwise))

    def _fits(self, fact: str, op: str, value: Any, where: str) -> bool:
        """Whether ``op`` with ``value`` is a test that makes sense for ``fact``."""
        at = f"{where}.{op}"
        if fact == "kind":
            return self._choices(value, op, KINDS, ("is", "in", "not_in"), "kind", at, where)
        if fact == "risk_level":
            return self._choices(value, op, RISK_LEVELS, ("is", "in", "not_in"), "risk level", at, where)
        if fact in BOOLEAN_FACTS or (fact in KIND_FACTS and fact not in TYPE_FACTS):
            if op != "is":
                self.problem(at, f"{fact} is yes or no: test it with is = true or is = false")
                return False
            if not isinstance(value, bool):
                self.problem(at, f"{fact} must be tested against true or false, not {value!r}")
                return False
            return True
        if fact in TYPE_FACTS:
            return self._choices(
                value, op, TYPE_FACTS[fact], ("includes_any", "excludes"), "type", at, where, single=False
            )
        if fact in COUNT_FACTS:
            if op != "at_least":
                self.problem(at, f"{fact} is a count: test it with at_least")
                return False
            out_of_range = _out_of_range(value, COUNTS)
            if out_of_range:
                self.problem(at, out_of_range)
                return False
            return True
        self.problem(f"{where}.fact", f"unknown fact {fact!r}")
        return False

    def _choices(
        self,
        value: Any,
        op: str,
        choices: tuple[str, ...],
        ops: tuple[str, ...],
        noun: str,
        at: str,
        where: str,
        single: bool = True,
    ) -> bool:
        if op not in ops:
            self.problem(at, f"cannot test a {noun} with {op}; use {' or '.join(ops)}")
            return False
        values = [value] if (single and op == "is") else value
        if not isinstance(values, list) or not values:
            self.problem(at, f"must be a list of at least one {noun}")
            return False
        for item in values:
            if item not in choices:
                self.problem(at, f"unknown {noun} {item!r}; {noun}s are {', '.join(choices)}")
                return False
        return True

    # --- rules that can never match --------------------------------------------------------

    def check_reachable(self, policy: Policy) -> None:
        """Flag each rule that no report could ever reach: contradictory, or always beaten."""
        for position, rule in enumerate(policy.rules):
            earlier = policy.rules[:position]
            conditions = tuple(itertools.chain(rule.when, *(r.when for r in earlier)))
            assignments = _assignments(conditions, policy.asb_kinds)
            if assignments is None:
                self.problem(
                    f"rules[{position}] ({rule.id})",
                    "has too many combinations of answers to check that it can match: "
                    "simplify its conditions",
                )
                continue
            matches_alone = False
            reachable = False
            for facts in assignments:
                if all_hold(rule.when, facts):
                    matches_alone = True
                    if not any(all_hold(r.when, facts) for r in earlier):
                        reachable = True
                        break
            if not matches_alone:
                self.problem(
                    f"rules[{position}] ({rule.id})", "can never match: its conditions contradict each other"
                )
            elif not reachable:
                self.problem(
                    f"rules[{position}] ({rule.id})", "can never match: an earlier rule always matches first"
                )


def _out_of_range(value: Any, allowed: tuple[int, int]) -> str:
    """What is wrong with ``value`` as a whole number in ``allowed`` (both ends included), or ""."""
    low, high = allowed
    if isinstance(value, bool) or not isinstance(value, int):
        return f"must be a whole number from {low} to {high}, not {_shown(value)}"
    if value < low:
        return f"must be at least {low}, not {_shown(value)} (allowed: {low} to {high})"
    if value > high:
        return f"must be {high} or less, not {_shown(value)} (allowed: {low} to {high})"
    return ""


def _shown(value: Any) -> str:
    """A value as a problem quotes it, spelt as in TOML where Python differs, and short."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**30:
        return f"a number of {len(str(abs(value)))} digits"
    text = repr(value)
    return text if len(text) <= 40 else f"{text[:37]}..."


def _candidate_values(
    fact: str, conditions: tuple[Condition, ...], kind: str, asb_kinds: tuple[str, ...]
) -> list[Any]:
    if fact in KIND_FACTS and KIND_FACTS[fact] != kind:
        return [MISSING]
    if fact == "kind":
        return [kind]
    if fact == "asb_report":
        return [kind in asb_kinds]
    if fact == "risk_level":
        return list(RISK_LEVELS)
    if fact in TYPE_FACTS:
        named = sorted({item for test in tests_on(conditions, fact) for item in test.value})
        unnamed = [t for t in TYPE_FACTS[fact] if t not in named][:1]
        pool = named + unnamed
        return [frozenset(c) for size in range(1, len(pool) + 1) for c in itertools.combinations(pool, size)]
    if fact in COUNT_FACTS:
        thresholds = {test.value for test in tests_on(conditions, fact)}
        return sorted({0} | thresholds | {max(t - 1, 0) for t in thresholds})
    return [True, False]


def _assignments(
    conditions: tuple[Condition, ...], asb_kinds: tuple[str, ...]
) -> Iterator[dict[str, Any]] | None:
    """Every combination of the values that matter for ``conditions``, kind by kind."""
    facts = sorted(facts_used(conditions) - {"kind"})
    per_kind = []
    total = 0
    for kind in KINDS:
        domains = [_candidate_values(fact, conditions, kind, asb_kinds) for fact in facts]
        size = 1
        for domain in domains:
            size *= len(domain)
        total += size
        per_kind.append((kind, domains))
    if total > SATISFIABILITY_LIMIT:
        return None

    def generate() -> Iterator[dict[str, Any]]:
        for kind, domains in per_kind:
            for values in itertools.product(*domains):
                assignment = {"kind": kind}
                assignment.update(
                    {fact: value for fact, value in zip(facts, values, strict=True) if value is not MISSING}
                )
                yield assignment

    return generate()
