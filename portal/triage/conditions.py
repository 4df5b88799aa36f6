"""The policy file's condition language: facts, tests on them, and ``any``/``all``/``not``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

# A fact that does not apply to a report (another kind's answers) makes every test on it false.
MISSING = object()


@dataclass(frozen=True)
class Test:
    fact: str
    op: str  # is, in, not_in, includes_any, excludes, at_least
    value: Any
    reason: str = ""
    otherwise: str = ""

    def holds(self, facts: Mapping[str, Any]) -> bool:
        actual = facts.get(self.fact, MISSING)
        if actual is MISSING:
            return False
        if self.op == "is":
            return bool(actual == self.value and type(actual) is type(self.value))
        if self.op == "in":
            return actual in self.value
        if self.op == "not_in":
            return actual not in self.value
        if self.op == "includes_any":
            return any(item in actual for item in self.value)
        if self.op == "excludes":
            return not any(item in actual for item in self.value)
        if self.op == "at_least":
            return bool(actual >= self.value)
        raise ValueError(f"unknown test {self.op}")


@dataclass(frozen=True)
class Group:
    kind: str  # any, all, not
    items: tuple[Condition, ...]
    reason: str = ""
    otherwise: str = ""

    def holds(self, facts: Mapping[str, Any]) -> bool:
        if self.kind == "any":
            return any(item.holds(facts) for item in self.items)
        if self.kind == "all":
            return all(item.holds(facts) for item in self.items)
        return not self.items[0].holds(facts)


Condition: TypeAlias = Test | Group


def all_hold(conditions: tuple[Condition, ...], facts: Mapping[str, Any]) -> bool:
    return all(condition.holds(facts) for condition in conditions)


def applies(condition: Condition, facts: Mapping[str, Any]) -> bool:
    """Whether a condition is about this report at all (not only another kind's answers)."""
    if isinstance(condition, Test):
        return condition.fact in facts
    return any(applies(item, facts) for item in condition.items)


def facts_used(conditions: tuple[Condition, ...]) -> set[str]:
    used: set[str] = set()
    for condition in conditions:
        if isinstance(condition, Test):
            used.add(condition.fact)
        else:
            used |= facts_used(condition.items)
    return used


def tests_on(conditions: tuple[Condition, ...], fact: str) -> list[Test]:
    found: list[Test] = []
    for condition in conditions:
        if isinstance(condition, Test):
            if condition.fact == fact:
                found.append(condition)
        else:
            found += tests_on(condition.items, fact)
    return found


def explain(condition: Condition, holds: bool) -> str:
    """The plain words for a condition that holds (its reason) or does not (its otherwise)."""
    if holds:
        return condition.reason or describe(condition)
    return condition.otherwise or f"not: {condition.reason or describe(condition)}"


def describe(condition: Condition) -> str:
    """A condition in words, for the policy page and for conditions the council left unexplained."""
    if isinstance(condition, Test):
        value = condition.value
        shown = ", ".join(map(str, value)) if isinstance(value, (list, tuple)) else _word(value)
        verbs = {
            "is": "is",
            "in": "is one of",
            "not_in": "is not one of",
            "includes_any": "include one of",
            "excludes": "include none of",
            "at_least": "is at least",
        }
        return f"{condition.fact.replace('_', ' ')} {verbs[condition.op]} {shown}"
    joined = "; ".join(item.reason or describe(item) for item in condition.items)
    if condition.kind == "not":
        return f"not ({joined})"
    return f"{'any' if condition.kind == 'any' else 'all'} of: {joined}"


def _word(value: Any) -> str:
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value).replace("_", " ")
