"""``python -m bench``: generate realistic cases, then time every page and service of issue 12
beside its raw SQL, and print one table.

    .venv/bin/python -m bench run --cases 1000000                    # SQLite, temporary file
    .venv/bin/python -m bench run --cases 1000000 \\
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/suqiu_bench

``run`` = ``generate`` then ``measure``, each in its own process (the generator's memory does not
count in the pages' peak). A PostgreSQL URL names a database that must not exist yet: it is
created, and dropped at the end unless ``--keep``; a SQLite file is kept only with ``--keep``.
``generate`` (creates and fills) and ``measure`` (times a filled database) run the halves alone.

The table: operation, role (the signed-in user), rows (what the page lists; ``~`` other rows
than the raw SQL's at equal sort keys, ``≠`` another number of rows), ours ms (median server
time through the Flask test client, whole request), raw SQL ms (bench/rawsql.py: the page's rows
with only the shown columns, and its total as a count capped at 10,001), ratio, peak RSS MB of
the process while serving it, SQL statements per request. Registration rows are cases/s (ours:
register_case in N processes; raw: the counter, case and event statements by hand).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _instance(args) -> str:
    if not args.instance:
        args.instance = tempfile.mkdtemp(prefix="suqiu-bench-")
    return args.instance


def _generate(args) -> None:
    from bench import database, report

    began = time.perf_counter()
    if not args.created:
        database.create_database(args.database_url)
    app = database.make_app(args.database_url, Path(_instance(args)))
    database.prepare(app)
    prepared = time.perf_counter() - began
    result = database.fill(app, args.cases, years=args.years, seed=args.seed)
    database.dispose(app)
    print(f"machine: {report.machine()}; database: {args.database_url.split(':')[0]}")
    print(f"prepared (schema, roles, demo, 22 units, staff) in {prepared:.1f} s")
    for line in result.lines():
        print(line)
    print(f"generator peak RSS: {report.peak_rss_mb():.0f} MB", flush=True)


def _measure(args) -> None:
    import logging

    from app.domain.clock import now as clock_now
    from app.extensions import db
    from bench import database, pages, report, services

    app = database.make_app(args.database_url, Path(_instance(args)))
    logging.getLogger("flask_appbuilder").setLevel(logging.ERROR)  # sign-in redirect notices
    now = clock_now()
    with app.app_context():
        print(f"notifications of the heaviest recipients: {pages.inbox_sizes(db.session)}")
        db.session.remove()
    print(report.header(), flush=True)
    engine = database.engine(app)
    for username in args.users.split(","):
        for row in pages.measure_user(app, engine, username, args.password, args.repeat, now):
            print(report.line(row), flush=True)
    print(report.line(services.measure_sweep(app, args.repeat, clock_now())), flush=True)
    for workers in [int(w) for w in args.workers.split(",") if w]:
        row = services.measure_registration(args.database_url, args.instance, workers, args.seconds)
        print(report.line(row), flush=True)
    print(services.check_numbers(app))
    database.dispose(app)


def _dashboards(args) -> None:
    """Each dashboard's time beside its raw SQL aggregates (bench/dashboards.py)."""
    import logging

    from app.domain.clock import now as clock_now
    from bench import dashboards, database, report

    app = database.make_app(args.database_url, Path(_instance(args)))
    logging.getLogger("flask_appbuilder").setLevel(logging.ERROR)
    print(report.header(), flush=True)
    engine = database.engine(app)
    users = tuple(u for u in args.dashboard_users.split(",") if u)
    for row in dashboards.measure(app, engine, args.password, args.repeat, clock_now(), users):
        print(report.line(row), flush=True)
    database.dispose(app)


def _assessment(args) -> None:
    """The annual assessment's pages on a copy with 5,000 register entries (bench/assessment.py)."""
    from bench import assessment

    assessment.main(args=args)


def _run(args) -> None:
    folder = Path(tempfile.mkdtemp(prefix="suqiu-bench-"))
    args.instance = str(folder)
    args.database_url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    common = ["--database-url", args.database_url, "--instance", args.instance]
    python = [sys.executable, "-m", "bench"]
    from bench import database

    database.create_database(args.database_url)  # refuses an existing one: nothing to drop then
    try:
        subprocess.run(  # noqa: S603 - this interpreter, this package
            [*python, "generate", "--created", *common, "--cases", str(args.cases), "--years",
             str(args.years), "--seed", str(args.seed)],
            check=True, cwd=ROOT,
        )  # fmt: skip
        subprocess.run(  # noqa: S603
            [*python, "measure", *common, "--repeat", str(args.repeat), "--workers",
             args.workers, "--seconds", str(args.seconds), "--users", args.users],
            check=True, cwd=ROOT,
        )  # fmt: skip
        subprocess.run(  # noqa: S603
            [*python, "dashboards", *common, "--repeat", str(args.repeat)],
            check=True, cwd=ROOT,
        )  # fmt: skip
    finally:
        if args.keep:
            print(f"kept: {args.database_url}")
        else:
            database.drop_database(args.database_url)
            shutil.rmtree(folder, ignore_errors=True)


def parser() -> argparse.ArgumentParser:
    from bench.report import USERS

    top = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = top.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="generate, measure, print the table, clean up")
    generate = commands.add_parser("generate", help="create and fill a database")
    measure = commands.add_parser("measure", help="time the pages of a filled database")
    boards = commands.add_parser(
        "dashboards", help="time each dashboard beside its raw SQL aggregates (issue 9)"
    )
    from bench import assessment

    assessment.add_arguments(
        commands.add_parser(
            "assessment", help="time the annual assessment on a copy with 5,000 entries (issue 10)"
        )
    )
    for command in (run, generate):
        command.add_argument("--cases", type=int, default=100_000, help="default 100,000")
        command.add_argument("--years", type=float, default=2, help="receipt span (default 2)")
        command.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    for command in (run, measure, boards):
        command.add_argument("--repeat", type=int, default=5, help="timed runs (median)")
        command.add_argument(
            "--dashboard-users", default="leader,liaison_hankou,csd", help=argparse.SUPPRESS
        )
    for command in (run, measure):
        command.add_argument(
            "--workers",
            default="1,2,4",
            help="registration worker counts, comma-separated; '' skips",
        )
        command.add_argument("--seconds", type=float, default=5, help="per throughput run")
        command.add_argument("--users", default=",".join(USERS))
    run.add_argument("--database-url", help="PostgreSQL database to create (default: SQLite)")
    run.add_argument("--keep", action="store_true", help="keep the database afterwards")
    for command in (generate, measure, boards):
        command.add_argument("--database-url", required=True)
        command.add_argument("--instance", help="instance folder (default: a new temporary one)")
    generate.add_argument("--created", action="store_true", help=argparse.SUPPRESS)
    for command in (measure, boards):
        command.add_argument("--password", default="Bench#Pass2026", help="the accounts' password")
    return top


def main(argv: list[str] | None = None) -> None:
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["quarterly-report"]:  # its own arguments (bench/quarterly_report.py)
        from bench import quarterly_report

        quarterly_report.main(argv[1:])
        return
    args = parser().parse_args(argv)
    commands = {
        "run": _run,
        "generate": _generate,
        "measure": _measure,
        "dashboards": _dashboards,
        "assessment": _assessment,
    }
    commands[args.command](args)


if __name__ == "__main__":
    main()
