"""The ``suqiu`` command: init, sync-roles, demo, serve (and Flask's own db/shell/routes)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from app import SECRET_FILE, create_app


def _management_app():
    return create_app(require_secret=False)


@click.group(cls=FlaskGroup, create_app=_management_app, add_default_commands=True)
def main():
    """诉求管理平台 management commands."""


def _prepare_database() -> None:
    from app.extensions import db
    from app.security.sync import sync_roles
    from app.seed import seed_reference_data
    from app.services.maintenance import refresh_statistics

    upgrade(directory=current_app.extensions["migrate"].directory)
    counts = sync_roles(current_app.appbuilder)
    added = seed_reference_data(db.session)
    refresh_statistics(db.session)
    click.echo(f"数据库已升级；已同步 {len(counts)} 个角色；新增基础数据 {added} 条。")


@main.command("init")
@click.option("--admin-username", default="admin", show_default=True)
@click.option("--admin-email", default="admin@suqiu.local", show_default=True)
@click.option(
    "--admin-password",
    envvar="SUQIU_ADMIN_PASSWORD",
    default=None,
    help="管理员密码（也可用环境变量 SUQIU_ADMIN_PASSWORD）",
)
@with_appcontext
def init_command(admin_username, admin_email, admin_password):
    """升级数据库结构、同步角色权限、写入基础数据并创建管理员（可重复执行）。"""
    from app.domain.roles import ADMIN
    from app.services.errors import InvalidRecordError
    from app.services.users import create_user

    _prepare_database()
    sm = current_app.appbuilder.sm
    if sm.find_user(username=admin_username) is not None:
        click.echo(f"管理员 {admin_username} 已存在。")
        return
    if not admin_password:
        raise click.UsageError("请用 --admin-password 或 SUQIU_ADMIN_PASSWORD 提供管理员密码。")
    try:
        create_user(
            sm,
            username=admin_username,
            last_name="系统",
            first_name="管理员",
            email=admin_email,
            role_names=[ADMIN.name],
            password=admin_password,
        )
    except InvalidRecordError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(f"已创建管理员 {admin_username}。")


@main.command("sync-roles")
@with_appcontext
def sync_roles_command():
    """按 app/domain/roles.py 与组合角色同步角色与权限。"""
    from app.security.sync import sync_roles

    for name, count in sync_roles(current_app.appbuilder).items():
        click.echo(f"{name}: {count} 项权限")


@main.command("sweep")
@with_appcontext
def sweep_command():
    """标记超期诉求、逾期未答复季度报告的单位并通知（可在多个实例上同时运行）。"""
    from app.extensions import db
    from app.services.quarterly_reports import flag_missing_answers
    from app.services.sweep import sweep_overdue

    result = sweep_overdue(db.session)
    result["report_answers_missing"] = flag_missing_answers(db.session)
    click.echo(
        f"新增签收超期 {result['sign_overdue']} 件，办结超期 {result['finish_overdue']} 件，"
        f"即将超期提醒 {result['due_soon']} 件，"
        f"季度报告逾期未答复 {result['report_answers_missing']} 个单位。"
    )


@main.command("analyze")
@with_appcontext
def analyze_command():
    """更新数据库的查询统计信息（SQLite 请每晚定时执行一次）。"""
    from app.extensions import db
    from app.services.maintenance import refresh_statistics

    refresh_statistics(db.session)
    click.echo("已更新数据库统计信息。")


@main.command("archive-notifications")
@with_appcontext
def archive_notifications_command():
    """归档已读超过设定天数的通知（请每晚定时执行；可在多个实例上同时运行）。

    天数由环境变量 SUQIU_NOTIFICATION_ARCHIVE_DAYS 设定，默认 90 天；未读通知从不归档。
    """
    from app.extensions import db
    from app.services.notification_archive import archive_read_notifications
    from app.services.settings import InvalidSettingError, notification_archive_age

    try:
        age = notification_archive_age()
    except InvalidSettingError as exc:
        raise click.UsageError(str(exc)) from exc
    moved = archive_read_notifications(db.session, older_than=age)
    click.echo(f"已归档 {moved} 条已读通知（已读超过 {age.days} 天）。")


@main.command("demo")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--no-serve", is_flag=True, help="只准备数据，不启动服务")
@with_appcontext
def demo_command(host, port, no_serve):
    """在 SQLite 上准备演示数据并启动门户（再次运行保留已有数据）。"""
    from datetime import timedelta

    from app.demo import demo_password, seed_demo
    from app.demo_quarter import seed_demo_quarter
    from app.extensions import db
    from app.services.violations import detect_violations

    instance = Path(current_app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    secret = instance / SECRET_FILE
    if not secret.exists():
        secret.write_text(os.urandom(32).hex())
        secret.chmod(0o600)
    _prepare_database()
    password = demo_password(instance, os.environ.get("SUQIU_DEMO_PASSWORD"))
    rows = seed_demo(current_app.appbuilder.sm, db.session, password)
    seed_demo_quarter(db.session)  # the last ended quarter, for its report (Art.39)
    # What the nightly detection would propose from the demo cases (Art.41), for CSD to decide.
    proposed = detect_violations(db.session, window=timedelta(days=366))
    click.echo("")
    click.echo(f"演示账号（密码均为：{password}）")
    click.echo(f"{'用户名':<18}{'姓名':<8}{'角色':<16}单位")
    for username, name, role, unit, created in rows:
        note = "" if created else "（账号已存在，密码未改动）"
        click.echo(f"{username:<21}{name:<8}{role:<16}{unit}{note}")
    if proposed:
        click.echo(f"\n系统检出待确认的违规 {proposed} 条（考核管理 → 违规记录）")
    click.echo(f"\n管理员登录：admin / {password}")
    if no_serve:
        return
    # Plain HTTP on the loopback address: the session cookie cannot be "Secure" here.
    os.environ.setdefault("SUQIU_SECURE_COOKIES", "0")
    _serve(create_app(), host, port)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
def serve_command(host, port, threads):
    """用生产级 WSGI 服务器（waitress）启动门户；需要环境变量 SECRET_KEY。"""
    _serve(create_app(), host, port, threads)


def _serve(app, host, port, threads=8):
    from waitress import serve

    click.echo(f"门户已启动：http://{host}:{port}/  （Ctrl+C 停止）")
    sys.stdout.flush()
    serve(app, host=host, port=port, threads=threads, ident="suqiu")


@main.command("detect-violations")
@click.option(
    "--days",
    default=31,
    show_default=True,
    type=click.IntRange(1, 366),
    help="回溯天数：检查办结时限在此期间内或尚未到期的诉求",
)
@with_appcontext
def detect_violations_command(days):
    """发现违规并提交客服部确认（第二十六、二十七、三十、三十五、三十六条）。

    请每天定时执行；可在多个实例上同时运行，每条违规只提交一次。
    """
    from datetime import timedelta

    from app.extensions import db
    from app.services.violations import detect_violations

    proposed = detect_violations(db.session, window=timedelta(days=days))
    click.echo(f"新发现待确认的违规记录 {proposed} 条。")


if __name__ == "__main__":
    main()
