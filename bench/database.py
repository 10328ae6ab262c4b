"""The benchmark's database: made as ``suqiu init`` and ``suqiu demo`` make one (schema
upgrade, roles, master data, calendar, demo units, accounts and cases), plus the units and staff
of ``bench.world``, then filled by ``bench.load``.

A PostgreSQL URL names a database this command creates (it refuses one that exists, so that it
never writes into, or drops, someone else's) and drops at the end unless ``--keep``.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from sqlalchemy.engine import make_url

PASSWORD = "Bench#Pass2026"  # noqa: S105  (throw-away benchmark database)


def app_config(url: str, instance: Path) -> dict:
    return {
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "bench-secret-key-0123456789abcdef-0123456789",
        "SUQIU_INSTANCE_PATH": str(instance),
        "UPLOAD_FOLDER": str(instance / "uploads"),
        "SESSION_COOKIE_SECURE": False,
        "REMEMBER_COOKIE_SECURE": False,
        "RATELIMIT_ENABLED": False,
        "WTF_CSRF_ENABLED": False,
        # Accounts of a throw-away database: a cheap hash keeps making ~100 of them quick.
        "FAB_PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


def make_app(url: str, instance: Path | None = None):
    from app import create_app

    instance = instance or Path(tempfile.mkdtemp(prefix="suqiu-bench-"))
    return create_app(app_config(url, instance))


def engine(app):
    from app.extensions import db

    with app.app_context():
        return db.engine


def dispose(app) -> None:
    from app.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _admin_dsn(url: str) -> tuple[str, str]:
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    return admin.render_as_string(hide_password=False), parsed.database or ""


def create_database(url: str) -> None:
    """PostgreSQL: create the URL's database, refusing one that exists."""
    if not url.startswith("postgresql"):
        return
    import psycopg

    dsn, name = _admin_dsn(url)
    with psycopg.connect(dsn, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if exists.fetchone():
            raise SystemExit(
                f"database {name!r} exists: name a new one (the bench creates it and drops it)"
            )
        connection.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    if not url.startswith("postgresql"):
        return
    import psycopg

    dsn, name = _admin_dsn(url)
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def prepare(app, password: str = PASSWORD) -> None:
    """What ``suqiu init`` and ``suqiu demo --no-serve`` do, then the bench's units and staff.
    Idempotent: on a database seeded already (the test fixture's) it adds what is missing."""
    from flask_migrate import upgrade

    from app.demo import seed_demo
    from app.extensions import db
    from app.security.sync import sync_roles
    from app.seed import seed_reference_data
    from bench.world import add_units_and_staff

    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        sync_roles(app.appbuilder)
        seed_reference_data(db.session)
        seed_demo(app.appbuilder.sm, db.session, password)
        add_units_and_staff(app, password)
        db.session.remove()


def fill(app, count: int, *, years: float = 2, seed: int = 7, now=None):
    """Generate ``count`` cases (bench.load); returns the LoadReport."""
    from app.domain.clock import now as clock_now
    from app.extensions import db
    from bench.complaints import add_determinations
    from bench.load import bulk_load
    from bench.repeats import add_repeat_links
    from bench.world import load_world

    with app.app_context():
        world = load_world(db.session)
        db.session.remove()
        report = bulk_load(db.engine, world, count, now=now or clock_now(), years=years, seed=seed)
        report.rows["complaint_determination"] = add_determinations(db.engine)
        report.rows["repeat links"] = add_repeat_links(db.engine)
        return report
