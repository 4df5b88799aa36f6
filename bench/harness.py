"""The performance harness behind ``make bench``: the portal under gunicorn, driven by real load.

    .venv/bin/python -m bench.harness --reports 10000 [--database-url URL] [--duration 20]

Without --database-url the database is bench/data/bench-<reports>.sqlite3 (kept between runs); a
PostgreSQL database's name must contain "bench" or "test", and it is wiped when it holds fewer
reports than asked for. The portal and a bare Flask endpoint are served by gunicorn on loopback
with the same settings (gunicorn.conf.py); wrk drives the pages, and Locust (bench/locustfile.py,
in its own process and virtual environment, .venv-bench) the residents sending whole reports.
Rate limits are off (RATELIMIT_ENABLED=false): every request comes from one loopback address.
Prints a table and writes bench/results/<date>-<database>.json (one entry per report count).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pyotp
from aiosmtpd.controller import Controller
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from bench.bulk_reports import bulk_load_demo_reports
from bench.load import Browser
from bench.residents import about
from bench.triage_decision import wipe_postgres
from portal import create_app
from portal.cases.queue import Cursor, Filters, queue_page
from portal.config import load_config
from portal.extensions import db
from portal.models import OutboxMessage, Report, User
from portal.reports.history import history_for
from portal.reports.triage_policy import current_policy
from portal.triage.calendar import london_today
from portal.triage.contract import parse_report
from portal.triage.engine import decide

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / "data"
BIN = Path(sys.executable).parent
LOCUST = ROOT / ".venv-bench" / "bin" / "locust"
OFFICER_EMAIL = "bench.officer@example.org"
OFFICER_PASSWORD = "bench-officer-password"  # noqa: S105  (a throwaway benchmark account)
TOTP_SECRET = "BENCHBENCHBENCHBENCHBENCHBENCH23"  # noqa: S105
SECRET_KEY = "bench-secret-key-bench-secret-key-bench"  # noqa: S105
DEEP_PAGE = 1000
TARGETS = {
    "start_vs_bare": 0.5,
    "question_vs_bare": 0.25,
    "queue_p95_ms": 50,
    "case_p95_ms": 50,
    "triage_median_ms": 5,
    "submission_p95_ms": 150,
    "worker_rss_mb": 150,
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Sink:
    """An SMTP server's handler that accepts and counts every message."""

    def __init__(self) -> None:
        self.received = 0

    async def handle_DATA(self, _server: Any, _session: Any, _envelope: Any) -> str:
        self.received += 1
        return "250 Message accepted for delivery"


# --- The database --------------------------------------------------------------------------------


def ensure_postgres_database(url: str) -> None:
    """Create the bench's PostgreSQL database if it does not exist yet."""
    target = make_url(url)
    name = target.database or ""
    if "bench" not in name and "test" not in name:
        raise SystemExit(f"refusing to use database {name!r}: its name must contain 'bench' or 'test'")
    engine = create_engine(target.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        exists = connection.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()


def prepare_database(app: Flask, url: str, reports: int) -> float | None:
    """Migrate, and load ``reports`` demonstration reports unless they are there already."""
    with app.app_context():
        upgrade()
        held = db.session.scalar(select(func.count()).select_from(Report)) or 0
        db.session.commit()
    if held >= reports:
        return None
    if held and url.startswith("postgresql"):
        wipe_postgres(app.config["SQLALCHEMY_DATABASE_URI"])
    elif held:
        raise SystemExit(f"{url} holds {held} reports, fewer than {reports}: delete it first")
    with app.app_context():
        upgrade()
        started = time.perf_counter()
        bulk_load_demo_reports(reports, progress=lambda made: print(f"  {made} reports loaded", flush=True))
        return time.perf_counter() - started


def settle_database(app: Flask) -> None:
    """Start every run from a database at rest: what earlier runs wrote is checkpointed, and the
    planner's figures are fresh. (An earlier run's thousands of reports otherwise leave autovacuum
    and checkpoints to run while this one measures.)"""
    with app.app_context():
        engine = db.engine
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                connection.exec_driver_sql("VACUUM (ANALYZE)")
                connection.exec_driver_sql("CHECKPOINT")
            return
        raw = engine.raw_connection()  # outside any transaction, as the checkpoint needs
        try:
            raw.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # type: ignore[union-attr]
            raw.driver_connection.execute("PRAGMA optimize")  # type: ignore[union-attr]
        finally:
            raw.close()


def bench_officer(app: Flask) -> None:
    """A supervisor enrolled in two-factor authentication with a known secret."""
    from portal.accounts import create_user, find_user

    with app.app_context():
        user = find_user(OFFICER_EMAIL) or create_user(
            OFFICER_EMAIL, "Bench Officer", "supervisor", OFFICER_PASSWORD, one_time=False
        )
        user.totp_secret = TOTP_SECRET
        user.totp_pending_secret = None
        user.totp_last_step = None
        db.session.commit()


def queue_targets(app: Flask) -> dict[str, str]:
    """The pages to fetch: the queue's 1,000th page (or its last), a case, a filter, a search."""
    with app.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == OFFICER_EMAIL)) or 0
        today = london_today()
        page = queue_page(Filters(), user_id, today)
        case = page.rows[0].reference
        cursor: Cursor | None = page.next_cursor
        number = 1
        while cursor is not None and number < DEEP_PAGE - 1:
            following = queue_page(Filters(), user_id, today, cursor)
            if following.next_cursor is None:
                break
            cursor, number = following.next_cursor, number + 1
        db.session.rollback()
    deep = f"/officer/?after={cursor.encode()}" if cursor else "/officer/"
    return {
        "case": f"/officer/cases/{case}",
        "deep": deep,
        "deep_page_number": str(number + 1),
        "filtered": "/officer/?tab=tasking&ward=Dronfield+North&risk_level=medium&assignee=unassigned",
        "searched": "/officer/?q=alex+smith",
    }


def triage_timings(app: Flask, loaded: int, samples: int = 500) -> dict[str, float]:
    """Deciding loaded reports again, history queries included, against the loaded database.

    The sample is the newest of the loaded reports, not reports an earlier bench run submitted.
    """
    with app.app_context():
        policy = current_policy()
        reports = db.session.scalars(
            select(Report).where(Report.id <= loaded).order_by(Report.id.desc()).limit(samples)
        ).all()
        answers = [parse_report(report.as_contract()) for report in reports]
        timings = []
        for report in answers:
            begin = time.perf_counter()
            earlier = replace(report, submitted_at=report.submitted_at - timedelta(microseconds=1))
            decide(report, history_for(earlier, policy), policy)
            timings.append((time.perf_counter() - begin) * 1000)
        db.session.rollback()
    timings.sort()
    return {"median_ms": round(statistics.median(timings), 3), "p95_ms": round(percentile(timings, 95), 3)}


def percentile(values: list[float], pct: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))]


# --- Servers and load -------------------------------------------------------------------------


def gunicorn(app_path: str, port: int, workers: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(  # noqa: S603  (our own gunicorn, our own arguments)
        [
            str(BIN / "gunicorn"),
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            app_path,
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"gunicorn did not start on port {port}")


def worker_rss_mb(master: subprocess.Popen[bytes]) -> list[float]:
    """Resident memory of each gunicorn worker (the master's children)."""
    sizes = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        if re.search(rf"^PPid:\s+{master.pid}$", text, re.MULTILINE):
            found = re.search(r"^VmRSS:\s+(\d+) kB", text, re.MULTILINE)
            if found:
                sizes.append(round(int(found.group(1)) / 1024, 1))
    return sorted(sizes)


def wrk(url: str, seconds: int, connections: int, cookie: str = "") -> dict[str, Any]:
    env = {**os.environ, "BENCH_COOKIE": cookie}
    threads = min(2, connections)
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "-s",
        str(ROOT / "bench" / "wrk_json.lua"),
        url,
    ]
    output = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout  # noqa: S603
    line = next(line for line in output.splitlines() if line.startswith("WRKJSON "))
    result: dict[str, Any] = json.loads(line.removeprefix("WRKJSON "))
    result["connections"] = connections
    return result


def signed_in_cookie(base: str) -> str:
    """Sign in as the bench officer, password then (if asked) the two-factor code."""
    browser = Browser(base)
    page = browser.get("/officer/sign-in")
    page = browser.post("/officer/sign-in", page, {"email": OFFICER_EMAIL, "password": OFFICER_PASSWORD})
    if 'name="code"' in page:
        page = browser.post("/officer/sign-in/code", page, {"code": pyotp.TOTP(TOTP_SECRET).now()})
    if "sign-in" in page and "Sign out" not in page:
        raise SystemExit("the bench officer could not sign in")
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


def resident_cookie(base: str) -> str:
    """A resident part-way through a report, so the question page has a draft to show."""
    browser = Browser(base)
    page = browser.get("/report")
    browser.post("/report", page, {"kind": "asb"})
    return "; ".join(f"{name}={value}" for name, value in browser.cookies.items())


@dataclass
class LocustRun:
    """What Locust measured of a run of residents sending whole reports."""

    seconds: float
    started: int  # whole submissions begun
    failed: int  # whole submissions that did not reach their confirmation page
    p50_ms: float
    p95_ms: float
    request_failures: int  # failed requests of any kind
    failure_samples: list[str]
    steps: dict[str, dict[str, float]]  # each request's count and p50/p95 (ms)
    references: list[str]


def locust(
    base: str, *, users: int, spawn_rate: float, pace: float, run_time: int, total: int = 0, first: int = 0
) -> LocustRun:
    """Residents sending reports, driven by Locust from its own process; see bench/locustfile.py."""
    out = DATA / "locust"
    out.mkdir(parents=True, exist_ok=True)
    references = out / "references.txt"
    references.unlink(missing_ok=True)
    prefix = out / "run"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "BENCH_PACE": str(pace),
        "BENCH_TOTAL": str(total),
        "BENCH_FIRST": str(first),
        "BENCH_REFERENCES": str(references),
    }
    command = [
        str(LOCUST),
        "-f",
        str(ROOT / "bench" / "locustfile.py"),
        "--headless",
        "--host",
        base,
        "--users",
        str(users),
        "--spawn-rate",
        str(spawn_rate),
        "--run-time",
        f"{run_time}s",
        "--stop-timeout",
        "120",
        "--csv",
        str(prefix),
        "--only-summary",
        "--loglevel",
        "WARNING",
        "--exit-code-on-error",
        "0",
    ]
    started = time.perf_counter()
    subprocess.run(command, env=env, cwd=ROOT, check=True, capture_output=True)  # noqa: S603
    seconds = time.perf_counter() - started
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats_file:
        stats = {row["Name"]: row for row in csv.DictReader(stats_file)}
    with open(f"{prefix}_failures.csv", encoding="utf-8") as failures_file:
        failures = list(csv.DictReader(failures_file))
    whole = stats.get("whole submission", {})
    steps = {
        name: {
            "count": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "p50_ms": float(row["50%"] or 0),
            "p95_ms": float(row["95%"] or 0),
        }
        for name, row in stats.items()
        if name not in ("whole submission", "Aggregated")
    }
    return LocustRun(
        seconds=seconds,
        started=int(whole.get("Request Count", 0)),
        failed=int(whole.get("Failure Count", 0)),
        p50_ms=float(whole.get("50%") or 0),
        p95_ms=float(whole.get("95%") or 0),
        request_failures=sum(step["failures"] for step in steps.values()),
        failure_samples=[f"{row['Name']}: {row['Error']} ({row['Occurrences']})" for row in failures[:5]],
        steps=steps,
        references=references.read_text().split() if references.exists() else [],
    )


def outbox_until_empty(env: dict[str, str]) -> tuple[int, float]:
    """Run ``flask outbox send`` until nothing is pending; how many rounds it took, and how long."""
    started = time.perf_counter()
    for round_number in range(1, 200):
        output = subprocess.run(  # noqa: S603
            [str(BIN / "flask"), "--app", "wsgi", "outbox", "send", "--limit", "5000"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        if output.startswith("0 sent") and "0 to retry" in output:
            return round_number, time.perf_counter() - started
        time.sleep(1)
    return 200, time.perf_counter() - started


# --- The run -------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--duration", type=int, default=20, help="seconds per page measured (default 20)")
    parser.add_argument("--submit-seconds", type=int, default=60)
    parser.add_argument("--surge", type=int, default=2_000, help="submissions in the surge (0: none)")
    parser.add_argument(
        "--submit-pace",
        type=float,
        default=2.0,
        help="seconds between one resident's reports in the 16-submitter run (default 2: 8 reports/s)",
    )
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument(
        "--officers",
        type=int,
        default=os.cpu_count() or 2,
        help="officers at once on each back-office page (default: one per core)",
    )
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed: apt-get install wrk")
    if not LOCUST.exists():
        raise SystemExit(f"Locust is not installed at {LOCUST}: run make bench, which installs it")

    DATA.mkdir(exist_ok=True)
    url = args.database_url or f"sqlite:///{DATA / f'bench-{args.reports}.sqlite3'}"
    database = "postgresql" if url.startswith("postgresql") else "sqlite"
    mail_port = free_port()
    settings = {
        "DATABASE_URL": url,
        "UPLOAD_FOLDER": str(DATA / "uploads"),
        "SECRET_KEY": SECRET_KEY,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(mail_port),
        "MAIL_TIMEOUT": "2",
        "OUTBOX_BACKOFF_SECONDS": "1",
        "RATELIMIT_ENABLED": "false",
    }
    config = load_config(settings, DATA)
    if database == "postgresql":
        ensure_postgres_database(config["SQLALCHEMY_DATABASE_URI"])
    app = create_app(config)
    print(f"database {database}: {args.reports} reports")
    load_seconds = prepare_database(app, url, args.reports)
    bench_officer(app)
    settle_database(app)
    targets = queue_targets(app)
    triage = triage_timings(app, args.reports)

    env = {**os.environ, **settings, "PYTHONPATH": str(ROOT)}
    portal_port, bare_port = free_port(), free_port()
    portal = gunicorn("wsgi:app", portal_port, args.workers, env)
    bare = gunicorn("bench.bare_app:app", bare_port, args.workers, env)
    mail = Sink()
    smtp = Controller(mail, hostname="127.0.0.1", port=mail_port)
    smtp.start()
    base = f"http://127.0.0.1:{portal_port}"
    results: dict[str, Any] = {}
    try:
        officer = signed_in_cookie(base)
        resident = resident_cookie(base)
        seconds = args.duration
        pages = [
            ("bare endpoint", f"http://127.0.0.1:{bare_port}/", "", 16),
            ("start page", f"{base}/", "", 16),
            ("question page", f"{base}/report/what", resident, 16),
        ]
        back_office = [
            ("queue, first page", f"{base}/officer/"),
            (f"queue, page {targets['deep_page_number']}", base + targets["deep"]),
            ("queue, filtered", base + targets["filtered"]),
            ("queue, searched", base + targets["searched"]),
            ("case page", base + targets["case"]),
            ("tasking agenda", f"{base}/officer/agenda"),
        ]
        # Back-office pages are timed with one officer at a time per core, so that each request has
        # a core (its own time, not time spent waiting for a core); and again with one per worker,
        # twice as many as there are cores, for what a page costs when the machine is oversubscribed.
        pages += [(name, url, officer, args.officers) for name, url in back_office]
        pages += [(f"{name} (x{args.workers})", url, officer, args.workers) for name, url in back_office]
        for name, page_url, cookie, connections in pages:
            results[name] = wrk(page_url, seconds, connections, cookie)
            print(f"  {name}: {results[name]['rps']} req/s, p95 {results[name]['p95_ms']} ms", flush=True)

        # 16 residents, each starting a report every --submit-pace seconds, their arrivals spread
        # over the first (bench/locustfile.py).
        run = locust(
            base,
            users=16,
            spawn_rate=16,
            pace=args.submit_pace,
            run_time=args.submit_seconds,
        )
        results["submissions"] = {
            "concurrency": 16,
            "pace_seconds": args.submit_pace,
            "seconds": args.submit_seconds,
            "completed": len(run.references),
            "errors": run.failed + run.request_failures,
            "error_samples": run.failure_samples,
            "p50_ms": run.p50_ms,
            "p95_ms": run.p95_ms,
            "steps": run.steps,
        }
        shown = {key: value for key, value in results["submissions"].items() if key != "steps"}
        print(f"  submissions: {shown}", flush=True)

        if args.surge:
            smtp.stop()  # mail is down for the surge
            # --surge reports arriving evenly over one minute, each a new resident: enough residents
            # at once that one report every 6 seconds each makes the rate.
            arrivals = args.surge / 60
            residents = max(16, round(arrivals * 6))
            first = 1_000_000 + int(time.time()) % 1_000 * 10_000
            surge = locust(
                base,
                users=residents,
                spawn_rate=residents,
                pace=residents / arrivals,
                run_time=600,
                total=args.surge,
                first=first,
            )
            smtp = Controller(mail, hostname="127.0.0.1", port=mail_port)
            smtp.start()
            rounds, send_seconds = outbox_until_empty(env)
            emails = [about("asb", number)["email"] for number in range(first, first + args.surge)]
            with app.app_context():
                stored = db.session.scalar(
                    select(func.count()).select_from(Report).where(Report.reporter_email.in_(emails))
                )
                acknowledged = db.session.scalar(
                    select(func.count())
                    .select_from(OutboxMessage)
                    .join(Report, OutboxMessage.report_id == Report.id)
                    .where(
                        Report.reporter_email.in_(emails),
                        OutboxMessage.purpose == "acknowledgement",
                        OutboxMessage.status == "sent",
                    )
                )
            results["surge"] = {
                "submissions": args.surge,
                "residents_at_once": residents,
                "seconds": round(surge.seconds, 1),
                "confirmed": len(surge.references),
                "stored": stored,
                "errors": surge.failed + surge.request_failures,
                "error_samples": surge.failure_samples,
                "acknowledged": acknowledged,
                "outbox_rounds": rounds,
                "outbox_seconds": round(send_seconds, 1),
                "p50_ms": surge.p50_ms,
                "p95_ms": surge.p95_ms,
            }
            print(f"  surge: {results['surge']}", flush=True)
        results["worker_rss_mb"] = worker_rss_mb(portal)
    finally:
        smtp.stop()
        for server in (portal, bare):
            server.terminate()
            server.wait(timeout=30)

    bare_rps = results["bare endpoint"]["rps"]
    summary = {
        "date": date.today().isoformat(),
        "database": database,
        "reports": args.reports,
        "load_seconds": round(load_seconds, 1) if load_seconds is not None else None,
        "gunicorn": {"workers": args.workers, "worker_class": "sync"},
        "officers_at_once": args.officers,
        "rate_limits": "off (RATELIMIT_ENABLED=false): all load comes from one loopback address",
        "wrk_seconds_per_page": args.duration,
        "triage": triage,
        "results": results,
        "ratios": {
            "start_vs_bare": round(results["start page"]["rps"] / bare_rps, 3),
            "question_vs_bare": round(results["question page"]["rps"] / bare_rps, 3),
        },
        "targets": TARGETS,
    }
    print_table(summary)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"{summary['date']}-{database}.json"
    existing = json.loads(out.read_text()) if out.exists() else {}
    existing[str(args.reports)] = summary
    out.write_text(json.dumps(existing, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")


def print_table(summary: dict[str, Any]) -> None:
    results = summary["results"]
    print(f"\n{summary['database']}, {summary['reports']:,} reports, rate limits off")
    print(f"{'measure':<24}{'conns':>6}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'errors':>8}")
    for name, row in results.items():
        if isinstance(row, dict) and "rps" in row:
            print(
                f"{name:<24}{row['connections']:>6}{row['rps']:>9}{row['p50_ms']:>9}{row['p95_ms']:>9}"
                f"{row['errors']:>8}"
            )
    sub = results.get("submissions", {})
    if sub:
        print(
            f"{'whole submission':<24}{16:>6}{sub['completed'] / sub['seconds']:>9.1f}{sub['p50_ms']:>9}"
            f"{sub['p95_ms']:>9}{sub['errors']:>8}"
        )
    print(
        f"start page / bare: {summary['ratios']['start_vs_bare']}, "
        f"question page / bare: {summary['ratios']['question_vs_bare']}"
    )
    print(
        f"triage decision: median {summary['triage']['median_ms']} ms, p95 {summary['triage']['p95_ms']} ms"
    )
    if "surge" in results:
        print(f"surge: {results['surge']}")
    print(f"gunicorn worker RSS (MB): {results.get('worker_rss_mb')}")


if __name__ == "__main__":
    main()
