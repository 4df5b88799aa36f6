"""The suite's own clock discipline: a date a test uses is worked out when the test runs.

A whole run takes a quarter of an hour, and CI runs it at any hour. A date fixed when a test module
is imported is yesterday's date for a test that runs after midnight, while the portal's clock has
moved on; that test then fails on the hour it ran, not on the portal.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).parent
CLOCK_CALLS = {"today", "now", "utcnow", "london_today", "london_date", "days"}


def _clock_calls(node: ast.AST) -> list[str]:
    """The clock calls made when ``node`` is evaluated; a lambda's body waits until it is called."""
    if isinstance(node, ast.Lambda):
        return []
    found = []
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in CLOCK_CALLS:
            found.append(name)
    for child in ast.iter_child_nodes(node):
        found.extend(_clock_calls(child))
    return found


def test_no_test_module_reads_the_clock_when_it_is_imported() -> None:
    offenders = []
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        for statement in tree.body:
            value = statement.value if isinstance(statement, (ast.Assign, ast.AnnAssign)) else None
            if value is not None and (calls := _clock_calls(value)):
                offenders.append(f"{path.relative_to(TESTS)}:{statement.lineno} calls {', '.join(calls)}")
    assert offenders == [], "read the clock inside the test (or a helper it calls):\n" + "\n".join(offenders)
