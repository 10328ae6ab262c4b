# ruff: noqa: S608 - SQL text built from this module's constants
"""The annual assessment (issue 10, item 7) on a filled database: adds 5,000 register entries
spread over a year (complaints and every other cause; most confirmed, some waived, some still
proposed) to a copy of a bench database, then times each assessment page through the Flask test
client beside the raw SQL the figures need (one GROUP BY over the year's confirmed entries), and
the finalised version's pages after the committee finalises it.

    python -m bench assessment --database-url postgresql+psycopg://postgres@127.0.0.1:5432/copy
    python bench/assessment.py --database-url sqlite:////tmp/copy.db

Run it on a COPY: it upgrades the schema (this branch's migration), adds the entries (marked by
their dedupe key ``bench-assess:…``, added once), waives the year's proposed entries and
finalises the year for the second half."""

from __future__ import annotations

import argparse
import random
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text, update  # noqa: E402

ENTRIES = 5_000
MARK = "bench-assess:"
USERS = ("committee", "csd", "liaison_hankou")
RAW = (
    "SELECT branch_id, cause, count(*), sum(deduction_bp) FROM violation_entry "
    "WHERE status = 'confirmed' AND occurred_on >= :start AND occurred_on < :end "
    "GROUP BY branch_id, cause"
)
RAW_UNITS = "SELECT id, name, sort_order, path FROM branch WHERE active ORDER BY path"


def prepare(app) -> None:
    """Upgrade the copy to this branch's schema and give the roles their new permissions."""
    from flask_migrate import upgrade

    from app.extensions import db
    from app.security.sync import sync_roles

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        sync_roles(app.appbuilder)
        db.session.remove()


def add_entries(app, year: int, count: int = ENTRIES, seed: int = 10) -> int:
    """``count`` entries over ``year`` across every unit (idempotent: none if already there)."""
    from app.domain.violations import BreachCause, deduction_for
    from app.extensions import db
    from app.models import Branch, ViolationEntry

    with app.app_context():
        session = db.session
        have = session.scalar(
            select(func.count())
            .select_from(ViolationEntry)
            .where(ViolationEntry.dedupe_key.startswith(MARK))
        )
        if have:
            return 0
        units = list(session.scalars(select(Branch.id).where(Branch.active.is_(True))))
        rng = random.Random(seed)
        causes = list(BreachCause)
        weights = [4 if c.value.startswith("complaint") else 1 for c in causes]
        now = datetime(year, 12, 31, 12, 0)
        rows = []
        for n in range(count):
            cause = rng.choices(causes, weights)[0]
            day = date(year, 1, 1) + timedelta(days=rng.randrange(365))
            roll = rng.random()
            status = "confirmed" if roll < 0.9 else "waived" if roll < 0.95 else "proposed"
            rows.append(
                {
                    "cause": cause.value,
                    "branch_id": rng.choice(units),
                    "status": status,
                    "deduction_bp": deduction_for(cause, day),
                    "occurred_on": day,
                    "dedupe_key": f"{MARK}{year}:{n}",
                    "evidence": "基准测试证据",
                    "created_at": now,
                    "version": 1,
                }
            )
        for start in range(0, len(rows), 1000):
            session.execute(insert(ViolationEntry), rows[start : start + 1000])
        session.commit()
        session.remove()
        return len(rows)


def ensure_draft(app, year: int) -> None:
    """A rerun on the same copy: the committee reopens the year finalised by the last run."""
    from app.extensions import db
    from app.models import SuqiuUser
    from app.services import assessments
    from app.services.actor import Actor

    with app.app_context():
        session = db.session
        found = assessments.current_of(session, year)
        if found is not None and found.status == "finalised":
            user = session.scalar(select(SuqiuUser).where(SuqiuUser.username == "committee"))
            assessments.reopen(
                session,
                Actor.of(user),
                year,
                reason="基准测试重跑",
                lock_version=found.lock_version,
                now=datetime(year + 1, 1, 11, 9, 0),
            )
        session.remove()


def finalise_year(app, year: int) -> float:
    """Waive the year's proposed entries, open the year with a past deadline, finalise it as the
    committee: the seconds finalising took (the snapshot's copy)."""
    import time

    from app.extensions import db
    from app.models import Assessment, SuqiuUser, ViolationEntry
    from app.services import assessments
    from app.services.actor import Actor

    with app.app_context():
        session = db.session
        session.execute(
            update(ViolationEntry)
            .where(
                ViolationEntry.status == "proposed",
                ViolationEntry.occurred_on >= date(year, 1, 1),
                ViolationEntry.occurred_on < date(year + 1, 1, 1),
            )
            .values(status="waived", reason="基准测试：免除")
        )
        found = assessments.current_of(session, year)
        if found is None or found.status != "open":
            found = found or Assessment(year=year, version=1)
            found.status, found.objection_deadline = "open", date(year, 12, 31)
            session.add(found)
        session.commit()
        user = session.scalar(select(SuqiuUser).where(SuqiuUser.username == "committee"))
        began = time.perf_counter()
        assessments.finalise(
            session,
            Actor.of(user),
            year,
            lock_version=found.lock_version,
            now=datetime(year + 1, 1, 10, 9, 0),
        )
        took = time.perf_counter() - began
        session.remove()
        return took


def _raw(connection, year: int):
    params = {"start": date(year, 1, 1), "end": date(year + 1, 1, 1)}
    rows = connection.execute(text(RAW), params).fetchall()
    connection.execute(text(RAW_UNITS)).fetchall()
    return rows


def measure(app, year: int, password: str, repeat: int, label: str):
    from app.extensions import db
    from app.models import Branch
    from bench import database
    from bench.pages import signed_in, timed_pages
    from bench.report import Row

    with app.app_context():
        hankou = db.session.scalar(select(Branch.id).where(Branch.code == "hankou"))
        db.session.remove()
    engine = database.engine(app)
    base = f"/assessments/{year}"
    rows = []
    with engine.connect() as connection:
        for username in USERS:
            client = signed_in(app, username, password)
            pages = [
                (f"assessment {label}: year page", base, year),
                (f"assessment {label}: 汉口 deductions", f"{base}/unit/{hankou}", year),
                (f"assessment {label}: A4 print", f"{base}/print", year),
                (f"assessment {label}: .xlsx export", f"{base}/export.xlsx", year),
            ]
            for page, response, ours, raw_ms, raw_rows, peak, count in timed_pages(
                engine, client, connection, pages, _raw, repeat
            ):
                shown = f"{len(raw_rows)} groups"
                if response.status_code != 200:
                    shown = f"HTTP {response.status_code}"
                rows.append(Row(page[0], username, shown, ours, raw_ms, peak, count))
    return rows


def main(argv: list[str] | None = None, args=None) -> None:
    import logging

    from app.domain.clock import now as clock_now
    from app.extensions import db
    from app.models import Case, ViolationEntry
    from bench import database, report

    if args is None:
        args = parser().parse_args(argv)
    app = database.make_app(args.database_url, Path(args.instance) if args.instance else None)
    logging.getLogger("flask_appbuilder").setLevel(logging.ERROR)
    year = args.year or clock_now().year
    prepare(app)
    ensure_draft(app, year)
    added = add_entries(app, year, args.entries)
    with app.app_context():
        cases = db.session.scalar(select(func.count()).select_from(Case))
        entries = db.session.scalar(
            select(func.count())
            .select_from(ViolationEntry)
            .where(
                ViolationEntry.occurred_on >= date(year, 1, 1),
                ViolationEntry.occurred_on < date(year + 1, 1, 1),
            )
        )
        db.session.remove()
    print(f"machine: {report.machine()}; database: {args.database_url.split(':')[0]}")
    print(f"{cases:,} cases; register entries of {year}: {entries:,} ({added:,} added now)")
    print(report.header(), flush=True)
    for row in measure(app, year, args.password, args.repeat, "draft"):
        print(report.line(row), flush=True)
    took = finalise_year(app, year)
    print(f"finalising {year} (snapshot of every unit and deduction): {took * 1000:.0f} ms")
    for row in measure(app, year, args.password, args.repeat, "finalised"):
        print(report.line(row), flush=True)
    database.dispose(app)


def add_arguments(command) -> None:
    command.add_argument("--database-url", required=True, help="a COPY of a bench database")
    command.add_argument("--instance", help="instance folder (default: a new temporary one)")
    command.add_argument("--year", type=int, help="the year assessed (default: this year)")
    command.add_argument("--entries", type=int, default=ENTRIES, help="entries to add (5,000)")
    command.add_argument("--repeat", type=int, default=5, help="timed runs (median)")
    command.add_argument("--password", default="Bench#Pass2026", help="the accounts' password")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="bench/assessment.py", description=__doc__)
    add_arguments(top)
    return top


if __name__ == "__main__":
    main()
