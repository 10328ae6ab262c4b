"""Issue 6, item 16: a branch user's case list must be as cheap as CSD's. The scope names the
user's units as a literal list, which the database can match against its indexes, and the
planner has statistics (SQLite keeps none by itself)."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.dialects import postgresql, sqlite

from app.models import Branch, Case
from app.services.maintenance import refresh_statistics
from tests.case_helpers import actor
from tests.test_cli import STRONG, cli_env, run  # noqa: F401  (cli_env is a fixture)


def test_a_branch_scope_is_a_literal_list_of_its_units(app, db_session):
    scope = actor(db_session, "liaison_hankou").scope
    hankou = db_session.scalar(select(Branch).where(Branch.code == "hankou"))
    below = set(db_session.scalars(select(Branch.id).where(Branch.path.startswith(hankou.path))))
    assert set(scope.branch_ids) == below and hankou.id in below
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        sql = str(
            select(Case.id)
            .where(scope.clause(Case))
            .compile(dialect=dialect, compile_kwargs={"literal_binds": True})
        )
        assert "branch.path" not in sql and sql.count("SELECT") == 1, sql


def test_a_user_without_a_unit_sees_no_branch(app, db_session):
    scope = actor(db_session, "agent").scope
    assert scope.branch_ids == ()
    visible = db_session.scalars(select(Case.id).where(scope.clause(Case))).all()
    first_contact = db_session.scalars(
        select(Case.id).where(Case.first_contact_id == actor(db_session, "agent").user_id)
    ).all()
    assert sorted(visible) == sorted(first_contact)


def test_planner_statistics_are_refreshed(app, db_session):
    refresh_statistics(db_session)
    if db_session.get_bind().dialect.name == "sqlite":
        tables = db_session.scalars(text("SELECT DISTINCT tbl FROM sqlite_stat1")).all()
    else:
        tables = db_session.scalars(
            text(
                "SELECT relname FROM pg_stat_user_tables "
                "WHERE last_analyze IS NOT NULL OR last_autoanalyze IS NOT NULL"
            )
        ).all()
    assert "service_case" in tables


def test_init_and_the_analyze_command_refresh_the_statistics(cli_env):  # noqa: F811
    result = run(cli_env, "init", "--admin-password", STRONG)
    assert result.exit_code == 0, result.output
    result = run(cli_env, "analyze")
    assert result.exit_code == 0 and "已更新数据库统计信息" in result.output
