"""Migration f6d2f3a4b5c6 (issue 11): survey systems post results with their own API token, so
the capability ``edit.surveys`` is retired; a composed role stored with it still loads after the
upgrade (the code is removed from it), and the downgrade runs back with the data in place."""

from __future__ import annotations

import os
from datetime import datetime

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from tests.conftest import PG_URL, _dispose, _pg_admin_url, _pg_execute, make_app

BEFORE = "f5c1e2f3a4b5"
OURS = "f6d2f3a4b5c6"


@pytest.fixture
def empty_database_url(tmp_path):
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"suqiu_mig_api_{os.getpid()}"
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_execute(f'CREATE DATABASE "{name}"')
    yield _pg_admin_url(PG_URL, name)
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _composed(connection, role_id: int, name: str, capabilities: str) -> None:
    at = datetime(2026, 11, 1, 9, 0)
    connection.execute(
        sa.text("INSERT INTO ab_role (id, name) VALUES (:id, :name)"), {"id": role_id, "name": name}
    )
    connection.execute(
        sa.text(
            "INSERT INTO composed_role (role_id, reach, capabilities, assigned_only, version, "
            "created_at, changed_at) VALUES (:role, 'all', :caps, false, 1, :at, :at)"
        ),
        {"role": role_id, "caps": capabilities, "at": at},
    )


def test_issue11_a_composed_role_holding_the_retired_survey_capability_still_loads(
    empty_database_url, tmp_path
):
    from app.domain.capabilities import CAPABILITIES_BY_CODE, case_actions_of, grants_of

    assert "edit.surveys" not in CAPABILITIES_BY_CODE
    app = make_app(empty_database_url, tmp_path)
    from app.extensions import db
    from app.models import ComposedRole

    directory = app.extensions["migrate"].directory
    try:
        with app.app_context():
            upgrade(directory=directory, revision=BEFORE)
            with db.engine.begin() as connection:
                _composed(connection, 9001, "旧问卷角色", "edit.bulletins edit.surveys read.cases")
                _composed(connection, 9002, "仅问卷角色", "edit.surveys")
                _composed(connection, 9003, "无关角色", "read.cases")
            db.engine.dispose()
            upgrade(directory=directory, revision=OURS)
            db.engine.dispose()
            roles = {
                item.role.name: item
                for item in db.session.scalars(sa.select(ComposedRole)).unique().all()
            }
            old = roles["旧问卷角色"]
            assert old.capability_codes == {"edit.bulletins", "read.cases"}
            assert old.version == 2  # an open form of the old role is refused, not saved over it
            assert ("can_write", "Bulletin") in grants_of(old.capability_codes)
            assert old.profile().capabilities == {"edit.bulletins", "read.cases"}
            assert roles["仅问卷角色"].capability_codes == frozenset()
            assert case_actions_of(roles["仅问卷角色"].capability_codes) == frozenset()
            assert roles["无关角色"].capability_codes == {"read.cases"}
            assert roles["无关角色"].version == 1
            db.session.remove()
            downgrade(directory=directory, revision=BEFORE)
            db.engine.dispose()
            with db.engine.connect() as connection:
                kept = connection.execute(
                    sa.text("SELECT capabilities FROM composed_role ORDER BY role_id")
                ).scalars()
                assert list(kept) == ["edit.bulletins read.cases", "", "read.cases"]
                tables = sa.inspect(connection).get_table_names()
                assert "api_token" not in tables
            upgrade(directory=directory)
            db.engine.dispose()
    finally:
        _dispose(app)
