"""The case list's Excel export at size (issue 9 item 5: 100,000 rows in under 10 s and under
200 MB): a database of ``--cases`` generated cases (bench.load), then the export requested
through the app as csd (every case, details whole), leader (every case, details masked) and
liaison_hankou (one unit), each in a fresh process so that its peak RSS is the export's.

    .venv/bin/python -m bench.export_cases --cases 100000 [--database-url URL] [--keep]

Without ``--database-url`` the database is a SQLite file in a temporary folder; a PostgreSQL
URL names a database to create (refused if it exists) and drop at the end unless ``--keep``.
``--measure-only`` times an existing filled database (``--instance`` its folder).
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

USERS = ("csd", "leader", "liaison_hankou")


def measure_one(url: str, instance: str, username: str, password: str) -> dict:
    """One export in this process: seconds, rows, bytes, peak RSS before and after."""
    import logging

    from bench import database
    from bench.report import peak_rss_mb  # VmHWM: ru_maxrss carries a parent's peak over fork

    app = database.make_app(url, Path(instance))
    logging.getLogger("flask_appbuilder").setLevel(logging.ERROR)
    client = app.test_client()
    signed = client.post("/login/", data={"username": username, "password": password})
    assert signed.status_code == 302, f"sign-in of {username} failed"
    client.get("/cases/list/")  # the app warmed up: templates, permissions, the first queries
    before = peak_rss_mb()
    began, cpu = time.perf_counter(), time.process_time()
    response = client.get("/cases/export")
    body = response.get_data()
    seconds, cpu = time.perf_counter() - began, time.process_time() - cpu
    after = peak_rss_mb()
    assert response.status_code == 200, response.status_code
    with zipfile.ZipFile(io.BytesIO(body)) as parts:
        rows = parts.read("xl/worksheets/sheet1.xml").count(b"<row ") - 1
    database.dispose(app)
    return {
        "user": username,
        "rows": rows,
        "seconds": round(seconds, 2),
        "cpu": round(cpu, 2),
        "mb": round(len(body) / 1e6, 1),
        "rss_before": round(before),
        "rss_peak": round(after),
    }


def _child(args) -> None:
    print(json.dumps(measure_one(args.database_url, args.instance, args.user, args.password)))


def _measure_all(url: str, instance: str, password: str) -> list[dict]:
    results = []
    for username in USERS:
        out = subprocess.run(  # noqa: S603 - this interpreter, this module
            [sys.executable, "-m", "bench.export_cases", "--child", "--database-url", url,
             "--instance", instance, "--user", username, "--password", password],
            check=True, cwd=ROOT, capture_output=True, text=True,
        )  # fmt: skip
        results.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return results


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.export_cases", description=__doc__.split("\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--instance")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--measure-only", action="store_true")
    parser.add_argument("--password", default="Bench#Pass2026")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--user", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return

    from bench import database, report

    folder = Path(args.instance or tempfile.mkdtemp(prefix="suqiu-export-bench-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.db'}"
    created = False
    try:
        if not args.measure_only:
            database.create_database(url)
            created = True
            app = database.make_app(url, folder)
            database.prepare(app, args.password)
            began = time.perf_counter()
            database.fill(app, args.cases)
            database.dispose(app)
            print(f"generated {args.cases:,} cases in {time.perf_counter() - began:.0f} s")
        print(f"machine: {report.machine()}; database: {url.split(':')[0]}")
        print("| user | rows | time (s) | CPU (s) | file (MB) | RSS before (MB) | peak RSS (MB) |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for r in _measure_all(url, str(folder), args.password):
            print(
                f"| {r['user']} | {r['rows']:,} | {r['seconds']} | {r['cpu']} | {r['mb']} | "
                f"{r['rss_before']} | {r['rss_peak']} |",
                flush=True,
            )
    finally:
        if args.keep or args.measure_only:
            print(f"kept: {url} (instance {folder})")
        else:
            if created:
                database.drop_database(url)
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
