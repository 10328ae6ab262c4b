"""Page cost of the master-data views: median time and SQL statements per request.

    .venv/bin/python bench/pages.py [--units 2000] [--cases 0] [--database-url URL]

Builds a throw-away database (SQLite in a temp folder unless --database-url is given) with the
demo data plus ``--units`` extra units, each with three departments and a vendor, and
``--cases`` generated cases (bench/casegen.py), then requests each page as the administrator,
CSD and a branch liaison. Prints figures; asserts nothing. With many cases, compare the case
list and queue lines of csd and liaison_hankou (issue 6, item 16):

    .venv/bin/python bench/pages.py --units 20 --cases 1000000 \
        --database-url postgresql+psycopg://postgres@127.0.0.1:5432/bench
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, insert, select  # noqa: E402

PASSWORD = "Bench#Pass2026"  # noqa: S105  (throw-away benchmark database)
PAGES = [
    "/",
    "/branchview/list/",
    "/departmentview/list/",
    "/vendorview/list/",
    "/branchcontactview/list/",
    "/users/list/",
    "/cases/list/",
    "/cases/list/?page_CaseView=50",
    "/cases/list/?_oc_CaseView=finish_due&_od_CaseView=asc",
    "/queues/",
    "/queues/to_sign",
    "/queues/overdue",
    "/cases/show/1",
]


def build(url: str, instance: Path, units: int, cases: int = 0):
    from flask_migrate import upgrade

    from app import create_app
    from app.demo import seed_demo
    from app.extensions import db
    from app.models import Branch, Department, Vendor
    from app.security.sync import sync_roles
    from app.seed import seed_reference_data

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "b" * 40,
            "SUQIU_INSTANCE_PATH": str(instance),
            "SESSION_COOKIE_SECURE": False,
            "RATELIMIT_ENABLED": False,
            "WTF_CSRF_ENABLED": False,
        }
    )
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        sync_roles(app.appbuilder)
        seed_reference_data(db.session)
        seed_demo(app.appbuilder.sm, db.session, PASSWORD)
        hankou = db.session.scalar(select(Branch).where(Branch.code == "hankou"))
        start = db.session.scalar(select(Branch.id).order_by(Branch.id.desc())) + 1
        db.session.execute(
            insert(Branch),
            [
                {
                    "id": start + i,
                    "code": f"u{i}",
                    "name": f"单位{i}",
                    "unit_type": "station",
                    "active": True,
                    "sort_order": i,
                    "parent_id": hankou.id if i % 5 == 0 else None,
                    "path": (f"{hankou.path}{start + i}/" if i % 5 == 0 else f"/{start + i}/"),
                }
                for i in range(units)
            ],
        )
        db.session.execute(
            insert(Department),
            [
                {"branch_id": start + i, "name": f"部门{j}", "active": True}
                for i in range(units)
                for j in range(3)
            ],
        )
        first_dept = db.session.scalar(select(Department.id).where(Department.branch_id == start))
        db.session.execute(
            insert(Vendor),
            [
                {
                    "name": f"施工队{i}",
                    "vendor_type": "outsourced_crew",
                    "department_id": first_dept + 3 * i,
                    "branch_id": start + i,
                    "active": True,
                }
                for i in range(units)
            ],
        )
        db.session.commit()
        if cases:
            from app.domain.clock import now
            from app.services.maintenance import refresh_statistics
            from bench.casegen import insert_cases

            insert_cases(db.session, cases, now=now())
            refresh_statistics(db.session)
    return app


def measure(app, username: str, repeat: int = 15):
    from app.extensions import db

    with app.app_context():
        engine = db.engine
    client = app.test_client()
    client.post("/login/", data={"username": username, "password": PASSWORD})
    counted: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: counted.append(a[2]))
    for url in PAGES:
        times, queries = [], []
        for _ in range(repeat):
            counted.clear()
            began = time.perf_counter()
            status = client.get(url).status_code
            times.append((time.perf_counter() - began) * 1000)
            queries.append(len(counted))
        print(
            f"{username:<16}{url:<28}{status:>5}{statistics.median(times):>10.1f} ms"
            f"{statistics.median(queries):>8.0f} queries"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--cases", type=int, default=0)
    parser.add_argument("--database-url")
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        began = time.perf_counter()
        app = build(url, Path(folder), args.units, args.cases)
        print(
            f"database: {url.split('://')[0]}, units: {args.units + 3}, "
            f"departments: {3 * args.units + 7}, cases: {args.cases}, "
            f"built in {time.perf_counter() - began:.1f} s"
        )
        print(f"{'user':<16}{'page':<28}{'HTTP':>5}{'median':>13}{'SQL':>16}")
        for username in ("admin", "csd", "liaison_hankou"):
            measure(app, username, args.repeat)


if __name__ == "__main__":
    main()
