"""Read pip-audit's JSON report: fail on any known vulnerability, and say plainly what was not audited.

pip-audit asks PyPI's per-release JSON API for each installed package. Where that API cannot be
reached, pip-audit skips the package instead of failing; this summary makes a skipped audit loud,
and makes it fail when AUDIT_REQUIRED=1 (set it wherever PyPI's API is reachable).
"""

from __future__ import annotations

import json
import os
import sys


def main(path: str) -> int:
    with open(path, encoding="utf-8") as report:
        dependencies = json.load(report)["dependencies"]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    skipped = [d for d in dependencies if d.get("skip_reason")]
    audited = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fix yet"
            print(f"pip-audit: {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    print(f"pip-audit: {audited} packages audited, {len(vulnerable)} with known vulnerabilities")
    if skipped:
        print(
            f"pip-audit: {len(skipped)} packages could NOT be audited, for example: {skipped[0]['skip_reason']}"
        )
        if os.environ.get("AUDIT_REQUIRED") == "1":
            return 1
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
