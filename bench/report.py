"""The harness's results as the Markdown table in docs/performance.md, beside the targets.

.venv/bin/python -m bench.report bench/results/2026-12-01-sqlite.json bench/results/2026-12-01-postgresql.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def rows(entry: dict[str, Any]) -> list[tuple[str, str]]:
    results = entry["results"]
    workers = entry["gunicorn"]["workers"]
    officers = entry.get("officers_at_once", "?")
    bare = results["bare endpoint"]["rps"]
    shown: list[tuple[str, str]] = [
        ("bare endpoint, req/s", f"{bare:,.0f}"),
        (
            "start page, req/s (share of bare)",
            f"{results['start page']['rps']:,.0f} ({entry['ratios']['start_vs_bare']:.2f})",
        ),
        (
            "question page, req/s (share of bare)",
            f"{results['question page']['rps']:,.0f} ({entry['ratios']['question_vs_bare']:.2f})",
        ),
    ]
    deep = next(name for name in results if name.startswith("queue, page") and "(x" not in name)
    for label, prefix in (
        ("queue, first page", "queue, first page"),
        ("queue, 1,000th page (or the last)", deep),
        ("queue, filtered", "queue, filtered"),
        ("queue, searched", "queue, searched"),
        ("case page", "case page"),
        ("tasking agenda", "tasking agenda"),
    ):
        alone = results.get(prefix, {})
        crowded = results.get(f"{prefix} (x{workers})", {})
        shown.append(
            (
                f"{label}: p95 ms, {officers} officers at once ({workers} at once)",
                f"{alone.get('p95_ms', 0):.0f} ({crowded.get('p95_ms', 0):.0f})",
            )
        )
    submissions = results.get("submissions", {})
    shown.append(
        (
            "16 submitters, a report each every 2 s: whole submission p50 / p95 ms, errors",
            f"{submissions.get('p50_ms', 0):.0f} / {submissions.get('p95_ms', 0):.0f}, "
            f"{submissions.get('errors', '?')}",
        )
    )
    surge = results.get("surge")
    if surge:
        shown.append(
            (
                "surge of 2,000 in a minute, mail down: stored, acknowledged once mail is back",
                f"{surge['stored']:,}, {surge['acknowledged']:,} (all in after {surge['seconds']:.0f} s; "
                f"outbox {surge['outbox_seconds']:.0f} s)",
            )
        )
    triage = entry["triage"]
    shown.append(("triage decision, median / p95 ms", f"{triage['median_ms']:.1f} / {triage['p95_ms']:.1f}"))
    rss = results.get("worker_rss_mb") or [0]
    shown.append(("worker memory after the run, MB", f"{min(rss):.0f}–{max(rss):.0f}"))
    if entry.get("load_seconds"):
        shown.append(("loading the reports, s", f"{entry['load_seconds']:.0f}"))
    return shown


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("files", nargs="+", type=Path)
    args = parser.parse_args()
    columns: list[tuple[str, dict[str, Any]]] = []
    for path in args.files:
        for size, entry in sorted(json.loads(path.read_text()).items(), key=lambda item: int(item[0])):
            # Named as the file is, less its date: "sqlite", or "postgresql-first-run" for a file kept
            # beside a later run's.
            name = path.stem.split("-", 3)[-1] if path.stem[:4].isdigit() else entry["database"]
            columns.append((f"{name} {int(size):,}", entry))
    table = [rows(entry) for _name, entry in columns]
    print("| measure | " + " | ".join(name for name, _entry in columns) + " |")
    print("| --- |" + " ---: |" * len(columns))
    for index, (label, _value) in enumerate(table[0]):
        values = [column[index][1] if index < len(column) else "" for column in table]
        print(f"| {label} | " + " | ".join(values) + " |")


if __name__ == "__main__":
    main()
