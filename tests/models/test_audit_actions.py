"""The audit log's actions: one enumeration, each with the words the back-office shows."""

from __future__ import annotations

import ast
from pathlib import Path

from portal.models.audit import AUDIT_WORDS, AuditAction

PORTAL = Path(__file__).resolve().parents[2] / "portal"


def test_every_audit_action_has_its_words() -> None:
    assert set(AUDIT_WORDS) == set(AuditAction)
    assert all(words and words == words.strip() for words in AUDIT_WORDS.values())


def test_every_audit_entry_is_written_with_an_action_of_the_enumeration() -> None:
    """A string literal given to ``audit.record`` would be an action with no words and no name."""
    literal = []
    for path in PORTAL.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "record"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "audit"
            ):
                for value in ast.walk(node.args[0]) if node.args else ():
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        literal.append(f"{path.relative_to(PORTAL)}:{node.lineno}")
    assert literal == []
