"""Benchmark: deciding one report, history queries included, with many reports already stored.

    .venv/bin/python -m bench.triage_decision --reports 100000 [--database-url URL]

Without --database-url it uses a fresh SQLite file in a temporary folder. A PostgreSQL database is
wiped first, so its name must contain "bench" or "test". Prints the timings and writes
bench/results/<date>-<database>-triage.json. Target: a median under 5 ms.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from flask_migrate import upgrade
from sqlalchemy import create_engine, insert, text
from sqlalchemy.engine import make_url

from portal import create_app
from portal.config import load_config
from portal.extensions import db
from portal.models import Report
from portal.models.types import utcnow
from portal.reports.history import history_for
from portal.reports.triage_policy import current_policy
from portal.triage.contract import HARM_QUESTIONS, KIND_BLOCKS, KINDS, normalise_postcode, parse_report
from portal.triage.engine import decide

RESULTS = Path(__file__).resolve().parent / "results"
POSTCODE_AREAS = ["S18", "S21", "S40", "S41", "S42", "S43", "S44", "S45", "DE55"]


def postcodes(rng: random.Random, count: int) -> list[str]:
    letters = "ABDEFGHJLNPQRSTUWXYZ"
    return [
        normalise_postcode(
            f"{rng.choice(POSTCODE_AREAS)}{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        )
        for _ in range(count)
    ]


def resident(rng: random.Random, people: int) -> int:
    """Most residents report once or twice; a few hundred repeat victims report often."""
    return rng.randrange(200) if rng.random() < 0.15 else rng.randrange(people)


def synthetic_rows(rng: random.Random, count: int, people: int, places: list[str]) -> list[dict[str, Any]]:
    """Stored reports over two years: a pool of residents, some reporting many times."""
    now = utcnow()
    rows = []
    for number in range(1, count + 1):
        kind = rng.choice(KINDS)
        person = resident(rng, people)
        anonymous = kind != "safety_concern" and rng.random() < 0.08
        submitted = now - timedelta(minutes=rng.randint(0, 2 * 365 * 24 * 60))
        _block, types, answers = KIND_BLOCKS[kind]
        rows.append(
            {
                "reference": f"DIO-B-{number:07d}",
                "kind": kind,
                "status": "new",
                "submitted_at": submitted,
                "updated_at": submitted,
                "description": "Synthetic report for benchmarking",
                "types": [rng.choice(types)],
                "details": {answer: rng.random() < 0.5 for answer in answers},
                "address": "1 High Street",
                "postcode": rng.choice(places),
                "ward": "",
                "started": "this_month",
                "frequency": "weekly",
                "previous_reports": "none",
                **{f"harm_{q}": rng.random() < 0.2 for q in HARM_QUESTIONS},
                "reporter_name": "" if anonymous else f"Resident {person}",
                "reporter_email": "" if anonymous else f"resident{person}@example.org",
                "reporter_phone": "",
                "email_key": "" if anonymous else f"resident{person}@example.org",
                "phone_key": "" if anonymous else f"0770{person:07d}",
                "anonymous": anonymous,
                "safe_to_email": True,
                "safe_to_phone": True,
                "lives_in_district": True,
                "route": "tasking",
                "rule": "tasking.default",
                "risk_score": 0,
                "risk_level": "standard",
                "flags": [],
                "safeguarding": False,
                "due_by": submitted.date() + timedelta(days=14),
                "reasons": [],
                "policy_version": "bench",
                "explanation": {},
            }
        )
    return rows


def sample_report(rng: random.Random, people: int, places: list[str]) -> dict[str, Any]:
    kind = rng.choice(KINDS)
    block, types, answers = KIND_BLOCKS[kind]
    person = resident(rng, people)
    return {
        "kind": kind,
        "description": "I am worried about what is happening on our street",
        "location": {"address": "2 High Street", "postcode": rng.choice(places)},
        "reporter": {
            "name": "R",
            "email": f"Resident{person}@example.org",
            "phone": f"+44 770{person:07d}"[:16],
        },
        "started": "this_week",
        "frequency": rng.choice(["once", "weekly", "daily"]),
        "previous_reports": "none",
        "harm": {q: rng.random() < 0.3 for q in HARM_QUESTIONS},
        block: {"types": [rng.choice(types)], **{a: rng.random() < 0.5 for a in answers}},
    }


def wipe_postgres(url: str) -> None:
    name = make_url(url).database or ""
    if "bench" not in name and "test" not in name:
        raise SystemExit(f"refusing to wipe database {name!r}: its name must contain 'bench' or 'test'")
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=100_000, help="stored reports (default 100000)")
    parser.add_argument("--decisions", type=int, default=2_000, help="decisions to time (default 2000)")
    parser.add_argument(
        "--database-url", default="", help="PostgreSQL URL; SQLite in a temporary folder if unset"
    )
    args = parser.parse_args()
    if args.reports < 0 or args.decisions < 1:
        parser.error("--reports must be 0 or more and --decisions at least 1")

    folder = Path(tempfile.mkdtemp(prefix="triage-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    config = load_config({"DATABASE_URL": url, "UPLOAD_FOLDER": str(folder / "uploads")}, folder)
    if config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        wipe_postgres(config["SQLALCHEMY_DATABASE_URI"])
    app = create_app(config)
    rng = random.Random(7)  # noqa: S311  (synthetic data)
    people = max(args.reports // 3, 1)
    places = postcodes(rng, max(args.reports // 50, 1))

    with app.app_context():
        upgrade()
        started = time.perf_counter()
        for offset in range(0, args.reports, 5_000):
            rows = synthetic_rows(rng, min(5_000, args.reports - offset), people, places)
            for index, row in enumerate(rows):
                row["reference"] = f"DIO-B-{offset + index + 1:07d}"
            db.session.execute(insert(Report), rows)
            db.session.commit()
        load_seconds = time.perf_counter() - started
        if db.engine.dialect.name == "postgresql":
            db.session.execute(text("ANALYZE report"))
            db.session.commit()
        else:
            db.session.execute(text("ANALYZE"))
            db.session.commit()

        policy = current_policy()
        samples = [parse_report(sample_report(rng, people, places)) for _ in range(args.decisions)]
        for report in samples[:50]:  # warm the caches and the connection pool
            decide(report, history_for(report, policy), policy)
        timings = []
        history_sizes = []
        for report in samples:
            begin = time.perf_counter()
            history = history_for(report, policy)
            decide(report, history, policy)
            timings.append((time.perf_counter() - begin) * 1000)
            history_sizes.append(len(history))
            db.session.rollback()

    timings.sort()
    result = {
        "benchmark": "triage decision, history queries included",
        "database": config["SQLALCHEMY_DATABASE_URI"].split(":", 1)[0],
        "stored_reports": args.reports,
        "decisions": args.decisions,
        "load_seconds": round(load_seconds, 1),
        "median_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[int(len(timings) * 0.95) - 1], 3),
        "max_ms": round(timings[-1], 3),
        "mean_history_rows": round(statistics.mean(history_sizes), 1),
        "target_median_ms": 5,
        "date": date.today().isoformat(),
    }
    database = "postgresql" if result["database"].startswith("postgresql") else "sqlite"
    result["database"] = database
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{result['date']}-{database}-triage.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"{'database':<10}{'reports':>10}{'median ms':>12}{'p95 ms':>10}{'max ms':>10}{'history':>9}")
    print(
        f"{database:<10}{args.reports:>10}{result['median_ms']:>12}{result['p95_ms']:>10}"
        f"{result['max_ms']:>10}{result['mean_history_rows']:>9}"
    )
    print(f"written to {out.relative_to(Path.cwd()) if out.is_relative_to(Path.cwd()) else out}")
    if result["median_ms"] >= 5:
        raise SystemExit("the median decision is over the 5 ms target")


if __name__ == "__main__":
    main()
