"""Read pip-audit's JSON report: fail on any known vulnerability, and say plainly what was not audited.

pip-audit asks PyPI's per-release JSON API for each installed package. Where that API cannot be
reached, pip-audit skips the package instead of failing; this summary makes a skipped audit loud,
and makes it fail when AUDIT_REQUIRED=1 (set it wherever PyPI's API is reachable). A missing or
unreadable report means pip-audit itself did not finish: that always fails.
"""

from __future__ import annotations

import json
import os
import sys

ADVISORY_DATA = "PyPI's JSON API (https://pypi.org/pypi/<package>/<version>/json)"


def main(path: str) -> int:
    try:
        with open(path, encoding="utf-8") as report:
            dependencies = json.load(report)["dependencies"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        print(f"pip-audit: NOT AUDITED: pip-audit wrote no report ({error}); its own message is above")
        return 1
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    required = os.environ.get("AUDIT_REQUIRED") == "1"
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(f"pip-audit: {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    if skipped and audited == 0:
        print(
            f"pip-audit: NOT AUDITED: none of the {len(skipped)} installed packages could be checked, so "
            f"nothing was looked up for known vulnerabilities. The advisory data, {ADVISORY_DATA}, could "
            f"not be reached from here (pip-audit said: {skipped[0]['skip_reason']})."
        )
        print(
            "pip-audit: run `make audit` where pypi.org can be reached"
            + ("." if required else ", or set AUDIT_REQUIRED=1 to make this fail.")
        )
    else:
        print(f"pip-audit: {audited} packages audited, {len(vulnerable)} with known vulnerabilities")
    if skipped:
        print(
            f"pip-audit: {len(skipped)} packages could NOT be audited, for example: {skipped[0]['skip_reason']}"
        )
        if required:
            return 1
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
