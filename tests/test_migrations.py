"""Alembic owns every table, FAB's included (fab-pitfalls "Migrations"): the chain runs from an
empty database to head, back to base and up again, the models match the migrations, and a
database holding rows at any revision upgrades to head without losing one."""

from __future__ import annotations

import os
import uuid
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, inspect
from sqlalchemy.schema import sort_tables_and_constraints

from tests.conftest import (
    PG_URL,
    TEST_PASSWORD,
    _dispose,
    _pg_admin_url,
    _pg_execute,
    make_app,
)


@pytest.fixture
def empty_database_url(tmp_path):
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"suqiu_mig_{os.getpid()}"
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_execute(f'CREATE DATABASE "{name}"')
    yield _pg_admin_url(PG_URL, name)
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_migration_chain_empty_head_base_head(empty_database_url, tmp_path):
    app = make_app(empty_database_url, tmp_path)
    from app.extensions import db

    directory = app.extensions["migrate"].directory
    try:
        with app.app_context():
            upgrade(directory=directory)
            tables = set(inspect(db.engine).get_table_names())
            assert {
                "ab_user",
                "ab_role",
                "ab_permission_view",
                "branch",
                "department",
                "vendor",
                "branch_contact",
                "branch_contact_change",
                "channel",
                "case_kind",
                "notification",
            } <= tables
            downgrade(directory=directory, revision="base")
            db.engine.dispose()
            assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
            upgrade(directory=directory)
            with db.engine.connect() as connection:
                diff = compare_metadata(MigrationContext.configure(connection), db.metadata)
            assert diff == [], f"models and migrations differ: {diff}"
    finally:
        _dispose(app)


def test_fab_does_not_create_tables_itself(app):
    assert app.config["FAB_CREATE_DB"] is False
    assert app.config["FAB_UPDATE_PERMS"] is False


# -- Every revision upgrades a database that holds data (issue 6 #20) ---------------------------

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def _chain() -> list[str]:
    """Every revision of the script directory, oldest first: a new migration is covered as soon as
    its file exists."""
    script = ScriptDirectory(str(MIGRATIONS))
    return [s.revision for s in reversed(list(script.walk_revisions("base", "heads")))]


def test_migrations_form_one_chain():
    """Two migrations written from the same parent give two heads, and `suqiu init` stops."""
    heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
    assert len(heads) == 1, f"several heads, merge them: {heads}"


class _RowFactory:
    """One row per table, type-appropriate and distinct, whatever the schema at that revision."""

    def __init__(self):
        self.serial = 0

    def value(self, column):
        self.serial += 1
        n = self.serial
        kind = column.type
        if isinstance(kind, sa.Enum) and kind.enums:
            return kind.enums[0]
        try:
            python_type = kind.python_type
        except NotImplementedError:
            pytest.fail(f"no test value for {column.table.name}.{column.name} ({kind!r})")
        if python_type is bool:
            return False
        if python_type is int:
            return n
        if python_type is Decimal:
            return Decimal(n)
        if python_type is float:
            return float(n)
        if python_type is str:
            text = f"迁{n}"
            length = getattr(kind, "length", None)
            return text[-length:] if length else f"迁移前的数据 {n}"
        if python_type is datetime:
            moment = datetime(2001, 3, 1, 8, 30) + timedelta(minutes=n)
            return moment.replace(tzinfo=UTC) if getattr(kind, "timezone", False) else moment
        if python_type is date:
            return date(2001, 3, 1) + timedelta(days=n)
        if python_type is time:
            return time(8, n % 60)
        if python_type is bytes:
            return f"m{n}".encode()
        if python_type in (dict, list):
            return {"n": n}
        if python_type is uuid.UUID:
            return uuid.uuid4()
        pytest.fail(f"no test value for {column.table.name}.{column.name} ({kind!r})")


def _fill_every_table(connection) -> dict[str, list[dict]]:
    """Insert a row into every table present at this revision, parents before children; every
    column gets a value (foreign keys point at the rows inserted here, which keeps composite
    unique keys unique). Returns the primary keys inserted, by table."""
    metadata = MetaData()
    metadata.reflect(connection)
    factory = _RowFactory()
    inserted: dict[str, list[dict]] = {}
    first_row: dict[str, dict] = {}
    ordered = sort_tables_and_constraints(
        [t for t in metadata.sorted_tables if t.name != "alembic_version"]
    )
    cyclic = {fk for table, fks in ordered if table is None for fk in fks}
    late: list[tuple] = []
    for table, _fks in ordered:
        if table is None:
            continue
        row = {}
        for column in table.columns:
            if column is table.autoincrement_column or column.computed is not None:
                continue
            fk = next(iter(column.foreign_keys), None)
            if fk is None:
                row[column.name] = factory.value(column)
                continue
            target = fk.column
            if fk.constraint in cyclic or target.table is table:
                # A cycle (or a self reference such as a unit's parent) is closed after the
                # inserts, never with the row itself: a tree must not become a loop.
                assert column.nullable, f"{table.name}.{column.name}: NOT NULL in a cycle"
                row[column.name] = None
                if target.table is not table:
                    late.append((table, column, target))
                continue
            row[column.name] = first_row[target.table.name][target.name]
        result = connection.execute(table.insert().values(row))
        keys = dict(
            zip([c.name for c in table.primary_key], result.inserted_primary_key, strict=True)
        )
        first_row[table.name] = {**row, **keys}
        inserted[table.name] = [keys]
    for table, column, target in late:
        keys = first_row[table.name]
        connection.execute(
            table.update()
            .where(*(c == keys[c.name] for c in table.primary_key))
            .values({column.name: first_row[target.table.name][target.name]})
        )
    return inserted


def _head_compatible(connection) -> bool:
    """The models describe this revision's schema: the application's own seeding can run."""
    from app.extensions import db

    return compare_metadata(MigrationContext.configure(connection), db.metadata) == []


def _seed_like_the_demo(app) -> None:
    from app.demo import seed_demo
    from app.extensions import db
    from app.security.sync import sync_roles
    from app.seed import seed_reference_data

    sync_roles(app.appbuilder)
    seed_reference_data(db.session)
    seed_demo(app.appbuilder.sm, db.session, TEST_PASSWORD)
    db.session.remove()


def _row_counts(connection) -> dict[str, int]:
    tables = [t for t in inspect(connection).get_table_names() if t != "alembic_version"]
    return {
        name: connection.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar()
        for name in tables
    }


@pytest.mark.parametrize("revision", _chain())
def test_revision_upgrades_to_head_with_data_in_every_table(revision, empty_database_url, tmp_path):
    """Issue 6 #20: at each revision, a database holding rows (the demo's own data where the
    models fit the revision, a reflected row in every table besides) upgrades to head and keeps
    every row. Observed: 58c158a7b37b added a NOT NULL column without a default."""
    app = make_app(empty_database_url, tmp_path)
    from app.extensions import db

    directory = app.extensions["migrate"].directory
    try:
        with app.app_context():
            upgrade(directory=directory, revision=revision)
            with db.engine.connect() as connection:
                realistic = _head_compatible(connection)
            if realistic:
                _seed_like_the_demo(app)
            with db.engine.begin() as connection:
                inserted = _fill_every_table(connection)
                before = _row_counts(connection)
            db.engine.dispose()
            upgrade(directory=directory)
            db.engine.dispose()
            with db.engine.connect() as connection:
                after = _row_counts(connection)
                for name, keys in inserted.items():
                    if name not in after:
                        continue  # a later migration dropped the table on purpose
                    table = sa.table(name, *(sa.column(c) for c in keys[0]))
                    for key in keys:
                        found = connection.execute(
                            sa.select(sa.func.count())
                            .select_from(table)
                            .where(*(table.c[c] == v for c, v in key.items()))
                        ).scalar()
                        assert found == 1, f"{name} {key} lost upgrading {revision} to head"
            lost = {n: (c, after[n]) for n, c in before.items() if n in after and after[n] < c}
            assert not lost, f"rows lost upgrading {revision} to head: {lost}"
    finally:
        _dispose(app)
