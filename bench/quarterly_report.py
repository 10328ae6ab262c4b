"""Time the quarterly analysis report (Art.39, issue 10 item 7) on a filled database: the
generation (every figure of the frozen snapshot: KPIs by unit, channel and business category,
the previous quarter and the same quarter a year before by unit, the valid complaints, the
meetings' measures), and the report page's tables built from it. The database is upgraded first
(run it on a copy: ``CREATE DATABASE copy TEMPLATE …`` / ``cp``); every run is rolled back, so
the copy keeps no report.

    python -m bench quarterly-report --database-url postgresql+psycopg://postgres@127.0.0.1/copy
    python bench/quarterly_report.py --database-url sqlite:////tmp/copy.db --quarter 2026-Q3
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def measure(database_url: str, quarter: str | None, repeat: int) -> dict:
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from app.domain import quarterly_reports as qr
    from app.domain.clock import now as clock_now
    from app.extensions import db
    from app.models import Case, ComplaintDetermination
    from app.services import quarterly_report_tables as report_tables
    from app.services.actor import Actor
    from app.services.quarterly_reports import generate_report
    from app.services.uow import caller_owns_transaction
    from bench import database

    app = database.make_app(database_url)
    result: dict = {"database": database_url.split(":")[0]}
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        session = db.session
        now = clock_now()
        token = quarter or qr.last_ended(now).token
        result["quarter"] = token
        result["cases"] = session.scalar(select(func.count()).select_from(Case))
        result["determinations"] = session.scalar(
            select(func.count()).select_from(ComplaintDetermination)
        )
        timings, tables = [], []
        for _ in range(repeat + 1):  # the first run warms the caches and is not counted
            began = time.perf_counter()
            with caller_owns_transaction(session):
                report = generate_report(session, Actor.system(), token, now=now)
            generated = time.perf_counter() - began
            data = json.loads(report.snapshot)
            began = time.perf_counter()
            report_tables.tables(data)
            tables.append(time.perf_counter() - began)
            session.rollback()
            timings.append(generated)
        result["generate_s"] = [round(t, 3) for t in timings[1:]]
        result["generate_median_s"] = round(statistics.median(timings[1:]), 3)
        result["first_run_s"] = round(timings[0], 3)
        result["tables_median_ms"] = round(statistics.median(tables[1:]) * 1000, 1)
        result["intake_in_quarter"] = sum(v["intake"][1] for v in data["branch"].values())
        result["valid_complaints"] = sum(data["complaints"]["causes"].values())
        result["snapshot_kb"] = round(len(report.snapshot.encode()) / 1024, 1)
        result["under_5_s"] = result["generate_median_s"] < 5
        db.session.remove()
    database.dispose(app)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench quarterly-report", description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--quarter", help="e.g. 2026-Q3 (default: the last ended quarter)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs (median)")
    args = parser.parse_args(argv)
    result = measure(args.database_url, args.quarter, args.repeat)
    for key, value in result.items():
        print(f"{key}: {value}")


if __name__ == "__main__":
    main()
