"""The dependency audit fails on a known vulnerability and says loudly what it could not audit."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

SUMMARY = Path(__file__).resolve().parent.parent / ".ci" / "audit_summary.py"


def _summarise(tmp_path: Path, dependencies: list[dict[str, object]], required: str = "") -> tuple[int, str]:
    report = tmp_path / "pip-audit.json"
    report.write_text(json.dumps({"dependencies": dependencies, "fixes": []}))
    result = subprocess.run(
        [sys.executable, str(SUMMARY), str(report)],
        capture_output=True,
        text=True,
        env={"AUDIT_REQUIRED": required, "PATH": "/usr/bin:/bin"},
        check=False,
    )
    return result.returncode, result.stdout


def test_a_known_vulnerability_fails_the_audit(tmp_path: Path) -> None:
    code, output = _summarise(
        tmp_path,
        [
            {"name": "flask", "version": "3.1.3", "vulns": []},
            {
                "name": "jinja2",
                "version": "3.1.3",
                "vulns": [{"id": "GHSA-h5c8-rqwp-cp95", "fix_versions": ["3.1.4"]}],
            },
        ],
    )
    assert code == 1
    assert "jinja2 3.1.3: GHSA-h5c8-rqwp-cp95 (fixed in 3.1.4)" in output


def test_a_clean_audit_passes(tmp_path: Path) -> None:
    code, output = _summarise(tmp_path, [{"name": "flask", "version": "3.1.3", "vulns": []}])
    assert (code, output.strip()) == (0, "pip-audit: 1 packages audited, 0 with known vulnerabilities")


@pytest.mark.parametrize(("required", "expected"), [("", 0), ("1", 1)])
def test_packages_that_could_not_be_audited_are_named(tmp_path: Path, required: str, expected: int) -> None:
    skipped = {"name": "flask", "skip_reason": "Dependency not found on PyPI and could not be audited: flask"}
    code, output = _summarise(tmp_path, [skipped], required)
    assert "1 packages could NOT be audited" in output
    assert code == expected
