"""`suqiu init` and `suqiu demo`: idempotent, password policy applied, data kept on re-runs."""

from __future__ import annotations

import logging
import os
import re
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner
from packaging.specifiers import SpecifierSet

from app.cli import main
from tests.conftest import PG_URL, _pg_admin_url, _pg_execute

STRONG = "Strong#Pass2026"


@pytest.fixture
def cli_env(tmp_path):
    env = {
        "SUQIU_INSTANCE_PATH": str(tmp_path / "instance"),
        "SUQIU_DEMO_PASSWORD": STRONG,
        "SECRET_KEY": "",
        "DATABASE_URL": "",
    }
    if not PG_URL:
        yield env
        return
    name = f"suqiu_cli_{os.getpid()}"
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    _pg_execute(f'CREATE DATABASE "{name}"')
    yield {**env, "DATABASE_URL": _pg_admin_url(PG_URL, name)}
    _pg_execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run(env, *args):
    clean = {k: v for k, v in env.items() if v}
    for key in [k for k, v in env.items() if not v]:
        clean[key] = None  # unset for the command
    return CliRunner().invoke(main, list(args), env=clean, catch_exceptions=False)


def test_init_refuses_a_weak_administrator_password(cli_env):
    result = run(cli_env, "init", "--admin-password", "weak")
    assert result.exit_code != 0
    assert "密码必须包含" in result.output


def test_init_is_idempotent(cli_env):
    first = run(cli_env, "init", "--admin-password", STRONG)
    assert first.exit_code == 0, first.output
    assert "已创建管理员 admin" in first.output and "同步 11 个角色" in first.output
    second = run(cli_env, "init")
    assert second.exit_code == 0, second.output
    assert "管理员 admin 已存在" in second.output and "新增基础数据 0 条" in second.output


def test_demo_seeds_every_role_and_keeps_data_when_run_twice(cli_env, tmp_path):
    first = run(cli_env, "demo", "--no-serve")
    assert first.exit_code == 0, first.output
    for username in (
        "admin",
        "csd",
        "csd_head",
        "agent",
        "leader",
        "committee",
        "risk",
        "press",
        "liaison_hankou",
        "handler_hankou",
        "head_hankou",
        "liaison_wuchang",
        "handler_wuchang",
        "head_wuchang",
    ):
        assert username in first.output
    assert f"管理员登录：admin / {STRONG}" in first.output
    if not PG_URL:
        assert (tmp_path / "instance" / "suqiu.db").exists()
    assert (tmp_path / "instance" / "secret_key").exists()
    second = run(cli_env, "demo", "--no-serve")
    assert second.exit_code == 0, second.output
    assert "新增基础数据 0 条" in second.output and "账号已存在" in second.output


def test_demo_generates_and_keeps_a_password_when_none_is_given(cli_env, tmp_path):
    env = {**cli_env, "SUQIU_DEMO_PASSWORD": ""}
    first = run(env, "demo", "--no-serve")
    assert first.exit_code == 0, first.output
    stored = (tmp_path / "instance" / "demo_password").read_text().strip()
    assert f"admin / {stored}" in first.output
    assert f"admin / {stored}" in run(env, "demo", "--no-serve").output


def test_init_and_demo_log_no_refused_deletion(cli_env, caplog):
    """Issue 6 #21: `suqiu demo` logged dozens of FAB "Refused to delete, view menu CaseView does
    not exist" warnings: FAB's cleanup read each class_permission_name as a rename to converge."""
    fab = logging.getLogger("flask_appbuilder")
    # The migration environment's fileConfig replaces the root logger's handlers mid-command.
    fab.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.INFO, logger="flask_appbuilder"):
            for args in (("init", "--admin-password", STRONG), ("demo", "--no-serve")):
                result = run(cli_env, *args)
                assert result.exit_code == 0, result.output
    finally:
        fab.removeHandler(caplog.handler)
    # The format strings: their arguments are ORM rows, detached by now.
    messages = [str(r.msg) for r in caplog.records if r.name.startswith("flask_appbuilder")]
    assert messages, "FAB's log was not captured"  # it reports the permissions it adds
    assert [m for m in messages if "Refused" in m] == []


def test_python_3_11_to_3_13_are_accepted_and_named_in_the_readme():
    """Issue 6 #21: `requires-python <3.12` refused the Python of current Debian and Ubuntu."""
    root = Path(__file__).resolve().parent.parent
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    accepted = SpecifierSet(project["requires-python"])
    for version in ("3.11", "3.12", "3.13"):
        assert accepted.contains(f"{version}.0"), version
        assert f"Programming Language :: Python :: {version}" in project["classifiers"]
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert re.search(r"Python 3\.11, 3\.12 and 3\.13", readme)
