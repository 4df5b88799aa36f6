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


@pytest.mark.parametrize(("required", "expected"), [("", 0), ("1", 1)])
def test_an_audit_that_reached_no_advisory_data_says_nothing_was_checked(
    tmp_path: Path, required: str, expected: int
) -> None:
    unreachable = [
        {
            "name": name,
            "version": "1.0",
            "skip_reason": f"Dependency not found on PyPI and could not be audited: {name}",
        }
        for name in ("flask", "bleach", "pikepdf")
    ]
    code, output = _summarise(tmp_path, unreachable, required)
    assert "NOT AUDITED: none of the 3 installed packages could be checked" in output
    assert "could not be reached" in output and "pypi.org" in output
    assert "packages audited" not in output, "no count that reads like a pass"
    assert code == expected


def test_an_audit_that_wrote_no_report_fails_and_says_so(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(SUMMARY), str(tmp_path / "missing.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "NOT AUDITED: pip-audit wrote no report" in result.stdout
    assert "Traceback" not in result.stderr


def test_bandit_finds_no_needless_nosec_markers() -> None:
    """A `# nosec` that silences nothing hides the next real finding on its line: bandit warns."""
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-m", "bandit", "--configfile", "pyproject.toml", "--recursive", "portal"],
        capture_output=True,
        text=True,
        cwd=root,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    needless = [line for line in result.stderr.splitlines() if "nosec encountered" in line]
    assert needless == []
