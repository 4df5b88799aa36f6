"""Deciding a report under the council's policy: plain data in, a ``Decision`` out.

``decide`` is pure: the caller passes the report, its earlier reports (any it likes: the engine
keeps those in the window itself) and the policy. The same inputs always give the same decision.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from portal.triage.calendar import add_working_days, london_date
from portal.triage.conditions import Condition, Group, Test, all_hold, applies, explain, facts_used
from portal.triage.contract import KIND_BLOCKS, Report, asked_details
from portal.triage.decision import RISK_LEVELS, Decision
from portal.triage.history import Earlier, distinct_reporters, in_window, same_reporter
from portal.triage.policy import Policy, Rule


def facts_for(report: Report, history: Iterable[Earlier], policy: Policy) -> dict[str, Any]:
    """Every fact the policy's conditions can test, except the risk level."""
    this = Earlier.of(report)
    earlier = in_window(history, report.submitted_at, policy.history_months)
    by_reporter = [entry for entry in earlier if same_reporter(entry, this)]
    asb_by_reporter = [entry for entry in by_reporter if entry.kind in policy.asb_kinds]
    is_asb = report.kind in policy.asb_kinds

    at_place: list[Earlier] = []
    if report.location.postcode:
        at_place = [
            e
            for e in earlier
            if e.postcode == report.location.postcode and e.kind in policy.asb_kinds and e.named
        ]
    if is_asb and this.named:
        at_place.append(this)

    block, _types, _answers = KIND_BLOCKS[report.kind]
    facts: dict[str, Any] = {
        "kind": report.kind,
        "asb_report": is_asb,
        "repeat_count": max(policy.declared_repeats[report.previous_reports], len(by_reporter)),
        "reporter.lives_in_district": report.reporter.lives_in_district,
        "reporter.anonymous": report.reporter.anonymous,
        "reporter.contactable": report.reporter.can_be_emailed or report.reporter.can_be_phoned,
        "reporter.can_be_texted": report.reporter.can_be_texted,
        "reporter.has_safe_alternative": report.reporter.has_safe_alternative,
        "reporter.earlier_asb_reports": len(asb_by_reporter),
        "reporter.asb_reports_in_window": len(asb_by_reporter) + (1 if is_asb else 0),
        "place.asb_reporters_in_window": distinct_reporters(at_place),
        "description.safeguarding_phrase": bool(policy.phrase_pattern.search(report.description)),
        f"{block}.types": frozenset(report.types),
    }
    facts.update({f"harm.{question}": value for question, value in report.harm.items()})
    facts.update({f"{block}.{answer}": value for answer, value in report.details.items()})
    return facts


def score(report: Report, facts: dict[str, Any], policy: Policy) -> tuple[int, list[str]]:
    """The risk score, and the points behind it in words."""
    parts: list[tuple[str, int]] = [
        (question.replace("_", " "), policy.harm_points[question])
        for question, answered_yes in report.harm.items()
        if answered_yes
    ]
    parts.append((f"happens {report.frequency.replace('_', ' ')}", policy.frequency_points[report.frequency]))
    parts.append((f"started {report.started.replace('_', ' ')}", policy.started_points[report.started]))
    parts.append((f"repeat count {facts['repeat_count']}", policy.repeat_points(facts["repeat_count"])))
    counted = [(words, points) for words, points in parts if points]
    return sum(points for _words, points in counted), [f"{words}: {points}" for words, points in counted]


def decide(report: Report, history: Iterable[Earlier], policy: Policy) -> Decision:
    facts = facts_for(report, history, policy)
    risk_score, breakdown = score(report, facts, policy)

    level = policy.level_for(risk_score)
    floors_applied: list[str] = []
    for floor in policy.floors:
        if RISK_LEVELS.index(floor.level) > RISK_LEVELS.index(level) and all_hold(floor.when, facts):
            level = floor.level
            floors_applied.append(f"at least {floor.level}: {floor.reason}")
    facts["risk_level"] = level

    flags: dict[str, list[str]] = {}
    for flag in policy.flags:
        if all_hold(flag.when, facts):
            flags[flag.name] = _why(flag.when, facts)

    not_asked = _not_asked(report)
    reasons: list[str] = []
    for rule in policy.rules:
        if all_hold(rule.when, facts):
            matched = [explain(condition, True) for condition in rule.when] or [
                rule.summary or "the default rule"
            ]
            reasons = matched + reasons
            chosen = rule
            break
        failed = [
            condition for condition in rule.when if applies(condition, facts) and not condition.holds(facts)
        ]
        reasons.append(_ruled_out(rule, failed, not_asked))
    else:  # the policy check guarantees a default rule, so this cannot happen
        raise AssertionError("no rule matched")

    return Decision(
        route=chosen.route,
        rule=chosen.id,
        risk_score=risk_score,
        risk_level=level,
        flags=tuple(sorted(flags)),
        due_by=add_working_days(london_date(report.submitted_at), policy.response_working_days[level]),
        reasons=tuple(reasons),
        policy_version=policy.version,
        explanation={"score": breakdown, "floors": floors_applied, "flags": flags},
    )


def _why(conditions: tuple[Condition, ...], facts: dict[str, Any]) -> list[str]:
    """Why conditions that all hold do: an unexplained "any" group by its parts that hold."""
    words: list[str] = []
    for condition in conditions:
        if isinstance(condition, Group) and condition.kind == "any" and not condition.reason:
            words += [explain(item, True) for item in condition.items if item.holds(facts)]
        else:
            words.append(explain(condition, True))
    return words


def _not_asked(report: Report) -> set[str]:
    """The follow-up questions the report was not asked, as the policy names their facts."""
    block, _types, answers = KIND_BLOCKS[report.kind]
    asked = asked_details(report.kind, report.details)
    return {f"{block}.{name}" for name in answers if name not in asked}


def _ruled_out(rule: Rule, failed: list[Condition], not_asked: set[str]) -> str:
    """Why an earlier rule did not take the report, as one short statement of what the report is.

    Named by its summary, then the facts that ruled it out, each as the policy words it (its
    ``otherwise``): "Neighbour disputes that mediation can help with – ruled out: risk is high",
    never "not neighbour disputes …: not a neighbour dispute". A rule for another kind of report
    says only that: the rest of its conditions are about answers this report was never asked.
    A follow-up question that was not asked (``not_asked``) is left out of the reasons when anything
    else ruled the rule out, and otherwise is said to be not asked: "not about a neighbour (not
    asked: an earlier answer was no)", never "not willing to try mediation" as if it were answered.
    """
    name = rule.summary or rule.id
    if any(isinstance(condition, Test) and condition.fact == "kind" for condition in failed):
        return f"{name} – for another kind of report"
    said = [condition for condition in failed if not facts_used((condition,)) & not_asked]
    if said:
        return f"{name} – ruled out: {'; '.join(explain(condition, False) for condition in said)}"
    return f"{name} – ruled out: {explain(failed[0], False)} (not asked: an earlier answer was no)"
