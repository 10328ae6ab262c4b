"""Alembic owns every table, FAB's included (fab-pitfalls "Migrations"): the chain runs from an
empty database to head, back to base and up again, and the models match the migrations."""

from __future__ import annotations

import os

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect

from tests.conftest import PG_URL, _dispose, _pg_admin_url, _pg_execute, make_app


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
