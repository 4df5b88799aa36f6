"""The rooms hold: the domain never imports a web room, and triage stays pure policy.

Read from each module's source, every import counted, including those inside functions, so a
late import cannot slip a web room or a database session back in.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from flask import Flask

PORTAL = Path(__file__).resolve().parents[1] / "portal"
DOMAIN_ROOMS = ("cases", "figures", "reports", "triage")
# The rooms every audience shares: the domain's neighbours and the web plumbing under both web rooms.
SHARED_ROOMS = ("accounts", "feedback", "mail", "models", "privacy", "text", "web")
# What portal/ keeps at its top level: the app's own wiring. Everything else lives in a room.
TOP_LEVEL = {"__init__.py", "cli.py", "config.py", "database.py", "demo.py", "extensions.py", "logs.py"}
OFFICER_VIEWS = "portal.officer.views."
WEB_ROOMS = ("portal.officer", "portal.public")
# Triage is plain data in, decision out: no web framework, no database, no app.
NOT_IN_TRIAGE = ("flask", "flask_*", "sqlalchemy", "portal.extensions", "portal.models", "portal.database")


def module_name(path: Path) -> str:
    parts = path.relative_to(PORTAL.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_in(source: str, package: str) -> set[str]:
    """Every module ``source`` (a module of ``package``) imports, anywhere in it; ``from a import b``
    counts ``a`` and ``a.b``, and relative imports count as the module they name."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            if node.level:
                parts = package.split(".")
                module = ".".join(parts[: len(parts) - (node.level - 1)] + ([module] if module else []))
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


def imported_modules(path: Path) -> set[str]:
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    return imports_in(path.read_text(encoding="utf-8"), package)


def within(module: str, patterns: tuple[str, ...]) -> bool:
    for pattern in patterns:
        if pattern.endswith("*"):
            if module.split(".")[0].startswith(pattern[:-1]):
                return True
        elif module == pattern or module.startswith(pattern + "."):
            return True
    return False


def modules_of(room: str) -> list[Path]:
    paths = sorted((PORTAL / room).rglob("*.py"))
    assert paths, f"portal/{room} has no modules"
    return paths


def offending(paths: list[Path], patterns: tuple[str, ...]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        bad = sorted(module for module in imported_modules(path) if within(module, patterns))
        if bad:
            found[str(path.relative_to(PORTAL.parent))] = bad
    return found


@pytest.mark.parametrize("room", DOMAIN_ROOMS)
def test_a_domain_room_never_imports_the_back_office_or_the_residents_pages(room: str) -> None:
    assert offending(modules_of(room), WEB_ROOMS) == {}


@pytest.mark.parametrize("room", SHARED_ROOMS)
def test_a_shared_room_never_imports_the_back_office_or_the_residents_pages(room: str) -> None:
    assert offending(modules_of(room), WEB_ROOMS) == {}


def test_the_web_plumbing_knows_nothing_of_reports_or_cases() -> None:
    """It may read the contract's limits and the calendar (pure triage), not the casework."""
    assert offending(modules_of("web"), ("portal.cases", "portal.reports")) == {}


def test_the_top_level_holds_only_the_apps_wiring() -> None:
    """A new module goes into the room that says what it holds, not loose beside the app."""
    assert {path.name for path in PORTAL.glob("*.py")} == TOP_LEVEL


def test_triage_imports_no_flask_no_database_and_no_app() -> None:
    assert offending(modules_of("triage"), NOT_IN_TRIAGE) == {}


def test_triage_imports_nothing_of_the_portal_but_itself() -> None:
    """So what triage uses is pure too, and nothing that uses triage is imported back by it."""
    found = {
        str(path.relative_to(PORTAL.parent)): sorted(
            module
            for module in imported_modules(path)
            if module.startswith("portal.") and not within(module, ("portal.triage",))
        )
        for path in modules_of("triage")
    }
    assert {path: bad for path, bad in found.items() if bad} == {}


def test_the_database_module_does_not_import_the_extensions_built_on_it() -> None:
    assert "portal.database" in imported_modules(PORTAL / "extensions.py")
    assert offending([PORTAL / "database.py"], ("portal.extensions",)) == {}


def test_imports_inside_functions_and_relative_imports_are_counted() -> None:
    """The walk itself: a late import, a relative import and ``from portal import officer``."""
    source = (
        "from portal import officer\n"
        "def later():\n"
        "    from ..public import pages\n"
        "    from . import queue\n"
        "    import flask_login\n"
    )
    found = imports_in(source, "portal.cases")
    assert {"portal.officer", "portal.public.pages", "portal.cases.queue", "flask_login"} <= found
    assert within("portal.officer", WEB_ROOMS) and within("portal.public.pages", WEB_ROOMS)
    assert within("flask_login", NOT_IN_TRIAGE) and not within("flaskish", ("flask",))


def test_every_back_office_page_is_served_from_its_feature_module(app: Flask) -> None:
    """One module per feature under ``portal/officer/views/``, as Notify's admin shapes it."""
    views = {
        endpoint: app.view_functions[endpoint].__module__
        for endpoint in app.view_functions
        if endpoint.startswith("officer.")
    }
    elsewhere = {
        endpoint: module for endpoint, module in views.items() if not module.startswith(OFFICER_VIEWS)
    }
    assert views and elsewhere == {}
    features = {module.removeprefix(OFFICER_VIEWS) for module in views.values()}
    assert features == {f.stem for f in (PORTAL / "officer" / "views").glob("*.py")} - {"__init__"}
