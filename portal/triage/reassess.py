"""A case assessed again when its resident adds an incident (docs/policy.md section 11).

Pure, like ``engine.decide``: the report's answers as they were submitted, the incidents added so
far, the portal's other reports, the level the case has reached and the policy in; a ``Decision``
out, made by ``engine.decide`` itself so that points, floors, flags, safeguarding phrases and routes
apply exactly as they do to a new report. The case's first decision is never touched: a later
assessment is stored beside it.

The case is assessed as if the report were made again at the latest incident's moment, with:
- every harm answer that the report or any incident answered yes;
- the report's description and every incident's words, so a safeguarding phrase in an incident
  counts as one in the report;
- with ``counts_as_report``, the report itself and each earlier incident as earlier reports by the
  same reporter (and, for an ASB case, earlier ASB reports), so they count towards the repeat count
  and the ASB Case Review threshold; without it, only the portal's other reports;
- with ``may_lower_level`` false, the level reached before as a floor: the level never falls.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from portal.triage.contract import HARM_QUESTIONS, Report
from portal.triage.decision import RISK_LEVELS, Decision
from portal.triage.engine import decide
from portal.triage.history import Earlier
from portal.triage.policy import Floor, Policy


@dataclass(frozen=True)
class IncidentAnswers:
    """What the engine needs to know of one incident a resident added to their case."""

    added_at: datetime  # when the resident added it: its moment in the case's history
    occurred_on: date
    what_happened: str
    harm: Mapping[str, bool]
    who: str = ""
    effect: str = ""

    @property
    def words(self) -> str:
        return "\n".join(part for part in (self.what_happened, self.who, self.effect) if part)


def assessed_report(report: Report, incidents: Sequence[IncidentAnswers]) -> Report:
    """The report as assessed again: at the latest incident's moment, with every incident's harm
    answers and words added to its own."""
    if not incidents:
        raise ValueError("a case is assessed again only when an incident has been added")
    latest = max(incidents, key=lambda incident: incident.added_at)
    harm = {
        question: bool(report.harm.get(question)) or any(i.harm.get(question) for i in incidents)
        for question in HARM_QUESTIONS
    }
    words = "\n\n".join([report.description, *(incident.words for incident in incidents)])
    return dataclasses.replace(report, submitted_at=latest.added_at, harm=harm, description=words)


def case_history(report: Report, incidents: Sequence[IncidentAnswers], policy: Policy) -> list[Earlier]:
    """The case's own entries in its history: the report and every incident but the latest, each a
    report by the same reporter when the policy counts incidents as reports; none otherwise."""
    if not policy.incidents.counts_as_report:
        return []
    report_entry = Earlier.of(report)
    ordered = sorted(incidents, key=lambda incident: incident.added_at)
    return [report_entry] + [
        dataclasses.replace(report_entry, submitted_at=incident.added_at) for incident in ordered[:-1]
    ]


def reassess(
    report: Report,
    incidents: Sequence[IncidentAnswers],
    history: Iterable[Earlier],
    policy: Policy,
    level_before: str,
) -> Decision:
    """The case's assessment now that ``incidents`` have been added.

    ``history`` is the portal's other reports (and their incidents), not this case's own: those are
    counted here from ``report`` and ``incidents``. ``level_before`` is the level of the case's latest
    assessment (its first decision until there is a later one).
    """
    subject = assessed_report(report, incidents)
    earlier = [*history, *case_history(report, incidents, policy)]
    if not policy.incidents.may_lower_level and level_before in RISK_LEVELS:
        kept = Floor(
            level=level_before,
            reason=f"the case was already assessed {level_before}, and the policy never lowers it",
            when=(),
        )
        policy = dataclasses.replace(policy, floors=(*policy.floors, kept))
    return decide(subject, earlier, policy)


def change_words(level_before: str, decision: Decision) -> str:
    """How the assessment changed the level, with why: "raised to high: at least high: …"."""
    before, after = RISK_LEVELS.index(level_before), RISK_LEVELS.index(decision.risk_level)
    if after == before:
        return f"still {decision.risk_level} (score {decision.risk_score})"
    direction = "raised" if after > before else "lowered"
    why = [*decision.explanation.get("floors", []), f"score {decision.risk_score}"]
    return f"{direction} to {decision.risk_level}: {'; '.join(why)}"
