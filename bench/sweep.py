"""Time of the overdue sweep (Art.30) over generated cases.

    .venv/bin/python bench/sweep.py [--cases 1000000] [--database-url URL]

Inserts ``--cases`` cases (5 % open past their deadline, the rest closed or still in time)
into a throw-away database, then times a first sweep (flags and notifies the overdue ones) and
a second one (nothing new: the steady state of a scheduled job). Prints figures only.
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import func, insert, select  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    from flask_migrate import upgrade

    from app import create_app
    from app.demo import seed_demo
    from app.extensions import db
    from app.models import Branch, Case, CaseKind, Channel, SuqiuUser
    from app.security.sync import sync_roles
    from app.seed import seed_reference_data
    from app.services.sweep import sweep_overdue

    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/sweep.db"
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "s" * 40, "SUQIU_INSTANCE_PATH": folder}
        )
        with app.app_context():
            upgrade(directory=app.extensions["migrate"].directory)
            sync_roles(app.appbuilder)
            seed_reference_data(db.session)
            seed_demo(app.appbuilder.sm, db.session, "Bench#Pass2026")
            branches = list(db.session.scalars(select(Branch.id)))
            channel = db.session.scalar(select(Channel).where(Channel.code == "citizen_hotline"))
            kind = db.session.scalar(select(CaseKind.id).where(CaseKind.code == "business"))
            agent = db.session.scalar(select(SuqiuUser.id).where(SuqiuUser.username == "csd"))
            now = datetime(2026, 11, 28, 12, 0)
            rng = random.Random(7)
            began = time.perf_counter()
            batch = []
            for i in range(args.cases):
                received = now - timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
                roll = rng.random()
                status = "closed" if roll < 0.85 else "in_progress"
                due = received + timedelta(days=7)
                if status == "in_progress" and roll < 0.90:
                    due = now - timedelta(hours=rng.randrange(1, 500))  # overdue
                elif status == "in_progress":
                    due = now + timedelta(hours=rng.randrange(1, 500))
                batch.append(
                    {
                        "number": f"SQB{i:09d}",
                        "channel_id": channel.id,
                        "channel_category_code": "government",
                        "kind_id": kind,
                        "customer_name": "客户",
                        "content": "批量生成",
                        "status": status,
                        "first_contact_id": agent,
                        "branch_id": rng.choice(branches),
                        "received_at": received,
                        "sign_due": received + timedelta(days=1),
                        "finish_due": due,
                        "version": 1,
                        "urgent": False,
                        "media_involved": False,
                        "adverse_impact": False,
                        "major_interest": False,
                        "property_loss": False,
                        "casualties": False,
                        "due_provisional": False,
                        "rehandle_count": 0,
                        "return_count": 0,
                        "unreachable_attempts": 0,
                        "extension_count": 0,
                        "sign_overdue": status != "closed",
                        "finish_overdue": False,
                    }
                )
                if len(batch) == 20_000:
                    db.session.execute(insert(Case), batch)
                    batch.clear()
            if batch:
                db.session.execute(insert(Case), batch)
            db.session.commit()
            total = db.session.scalar(select(func.count()).select_from(Case))
            print(
                f"database: {db.engine.dialect.name}, cases: {total}, "
                f"generated in {time.perf_counter() - began:.1f} s"
            )
            for label in ("first sweep", "second sweep"):
                began = time.perf_counter()
                result = sweep_overdue(db.session, now=now)
                print(
                    f"{label}: {time.perf_counter() - began:.2f} s, "
                    f"newly overdue: {result['finish_overdue']}"
                )


if __name__ == "__main__":
    main()
