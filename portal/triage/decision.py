"""The decision the engine makes about one report."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

ROUTES = ("mediation", "target_hardening", "tasking")
RISK_LEVELS = ("standard", "medium", "high")


@dataclass(frozen=True)
class Decision:
    route: str
    rule: str
    risk_score: int
    risk_level: str
    flags: tuple[str, ...]
    due_by: date
    reasons: tuple[str, ...]
    policy_version: str
    # How the score, floors and flags came about, in words, for the officers' case page.
    explanation: dict[str, Any] = field(default_factory=dict, compare=False)

    def to_json(self) -> dict[str, Any]:
        """The decision as ``triage check`` prints it."""
        return {
            "route": self.route,
            "rule": self.rule,
            "risk_score": self.risk_score,
            "risk_level": self.risk_level,
            "flags": sorted(self.flags),
            "due_by": self.due_by.isoformat(),
            "reasons": list(self.reasons),
        }
