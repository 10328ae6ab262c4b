"""Read notifications leave the inbox for the archive after SUQIU_NOTIFICATION_ARCHIVE_DAYS
(issue 12: a heavy recipient's inbox stays fast); unread ones never; nothing is lost, two runs at
once move each notification once, and each user reads only their own archive (已归档的通知)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from flask import current_app
from sqlalchemy import func, select

from app.cli import main
from app.models import Notification, NotificationArchive, SuqiuUser
from app.services.notification_archive import archive_read_notifications, archived_for
from app.services.settings import InvalidSettingError, notification_archive_age
from tests.case_helpers import actor
from tests.racing import at_once

NOW = datetime(2027, 3, 1, 9, 0)
DAY = timedelta(days=1)
FIELDS = ("recipient_id", "category", "title", "body", "link", "created_at", "read_at")


def user_id(session, username: str) -> int:
    return session.scalar(select(SuqiuUser.id).where(SuqiuUser.username == username))


def notice(session, username: str, title: str, *, created: datetime, read: datetime | None):
    item = Notification(
        recipient_id=user_id(session, username),
        category="archive_test",
        title=title,
        body=f"{title}的内容",
        link="/notificationview/list/",
        created_at=created,
        read_at=read,
    )
    session.add(item)
    session.commit()
    return item.id


def both_tables(session) -> tuple[dict[int, tuple], dict[int, tuple]]:
    """Every notification's content, by id, in the inbox and in the archive."""
    session.expire_all()
    inbox = {
        row[0]: tuple(row[1:])
        for row in session.execute(
            select(Notification.id, *(getattr(Notification, f) for f in FIELDS))
        )
    }
    archive = {
        row[0]: tuple(row[1:])
        for row in session.execute(
            select(NotificationArchive.id, *(getattr(NotificationArchive, f) for f in FIELDS))
        )
    }
    return inbox, archive


def archived_ids(session) -> set[int]:
    session.expire_all()
    return set(session.scalars(select(NotificationArchive.id)))


# --- the service --------------------------------------------------------------------------------


def test_only_notifications_read_longer_ago_than_the_setting_are_archived(db_session, monkeypatch):
    old_read = notice(db_session, "csd", "早已读", created=NOW - 200 * DAY, read=NOW - 91 * DAY)
    recent_read = notice(
        db_session, "csd", "近期已读", created=NOW - 200 * DAY, read=NOW - 60 * DAY
    )
    fresh = notice(db_session, "csd", "刚读", created=NOW - 2 * DAY, read=NOW - DAY)
    unread = notice(db_session, "csd", "新通知", created=NOW - DAY, read=None)

    assert archive_read_notifications(db_session, NOW) == 1  # the default: 90 days
    assert archived_ids(db_session) == {old_read}

    monkeypatch.setitem(current_app.config, "SUQIU_NOTIFICATION_ARCHIVE_DAYS", "30")
    assert archive_read_notifications(db_session, NOW) == 1
    assert archived_ids(db_session) == {old_read, recent_read}
    inbox, archive = both_tables(db_session)
    assert {fresh, unread} <= set(inbox) and not {old_read, recent_read} & set(inbox)
    stamp = db_session.get(NotificationArchive, old_read).archived_at
    assert stamp == NOW

    assert archive_read_notifications(db_session, NOW) == 0  # nothing left to move


def test_unread_notifications_stay_in_the_inbox_whatever_their_age(db_session):
    ancient = notice(db_session, "csd", "三年未读", created=NOW - 1100 * DAY, read=None)
    notice(db_session, "csd", "最新", created=NOW, read=None)
    assert archive_read_notifications(db_session, NOW, older_than=timedelta(0)) == 0
    db_session.expire_all()
    assert db_session.get(Notification, ancient) is not None
    assert db_session.get(NotificationArchive, ancient) is None


def test_nothing_is_lost_moving_in_batches(db_session):
    """Every notification, demo ones included, is afterwards in exactly one of the two tables
    with the same content; the batches (of 4 here) add up."""
    moved = {
        notice(
            db_session,
            "liaison_hankou",
            f"第{n}条",
            created=NOW - 300 * DAY + n * DAY,
            read=NOW - 100 * DAY,
        )
        for n in range(11)
    }
    notice(db_session, "liaison_hankou", "未读", created=NOW - 300 * DAY, read=None)
    notice(db_session, "liaison_hankou", "最新", created=NOW, read=None)
    before_inbox, before_archive = both_tables(db_session)
    assert not before_archive
    assert archive_read_notifications(db_session, NOW, batch=4) == len(moved)
    inbox, archive = both_tables(db_session)
    assert set(archive) == moved
    assert not set(inbox) & set(archive)
    assert {**inbox, **archive} == before_inbox
    assert len(inbox) + len(archive) == len(before_inbox)


def test_two_runs_at_once_move_each_notification_once(app, db_session):
    moved = {
        notice(db_session, "csd", f"并发{n}", created=NOW - 200 * DAY, read=NOW - 100 * DAY)
        for n in range(40)
    }
    notice(db_session, "csd", "最新", created=NOW, read=None)
    before, _ = both_tables(db_session)
    db_session.commit()
    archive = lambda session: archive_read_notifications(session, NOW, batch=3)  # noqa: E731
    counts = at_once(app, archive, archive)
    assert sum(counts) == len(moved), counts
    inbox, archive = both_tables(db_session)
    assert set(archive) == moved and not set(inbox) & moved
    assert {**inbox, **archive} == before
    rows = db_session.scalar(select(func.count()).select_from(NotificationArchive))
    assert rows == len(moved)


def test_an_id_already_in_the_archive_is_never_deleted_from_the_inbox(db_session):
    """A notification whose id the archive already holds (copied by a run that has not
    finished) stays in the inbox: it is not the run's to delete."""
    kept = notice(db_session, "csd", "已在归档", created=NOW - 200 * DAY, read=NOW - 100 * DAY)
    other = notice(db_session, "csd", "待归档", created=NOW - 200 * DAY, read=NOW - 100 * DAY)
    notice(db_session, "csd", "最新", created=NOW, read=None)
    item = db_session.get(Notification, kept)
    db_session.add(
        NotificationArchive(**{f: getattr(item, f) for f in FIELDS}, id=kept, archived_at=NOW - DAY)
    )
    db_session.commit()
    assert archive_read_notifications(db_session, NOW) == 1
    inbox, archive = both_tables(db_session)
    assert kept in inbox and kept in archive and other in archive and other not in inbox


# --- the setting --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["0", "-7", "abc", "1.5", "", "90天", 0, 2.5, True, "36501"])
def test_a_setting_that_is_not_a_positive_whole_number_is_refused_in_chinese(
    db_session, monkeypatch, value
):
    monkeypatch.setitem(current_app.config, "SUQIU_NOTIFICATION_ARCHIVE_DAYS", value)
    with pytest.raises(InvalidSettingError) as refused:
        notification_archive_age()
    message = str(refused.value)
    assert (
        "SUQIU_NOTIFICATION_ARCHIVE_DAYS" in message and "必须是 1 到 36500 之间的整数" in message
    )
    with pytest.raises(InvalidSettingError):
        archive_read_notifications(db_session, NOW)


@pytest.mark.parametrize(("value", "days"), [(" 30 ", 30), ("1", 1), (7, 7), (None, 90)])
def test_the_setting_is_read_as_days(db_session, monkeypatch, value, days):
    if value is None:
        monkeypatch.delitem(current_app.config, "SUQIU_NOTIFICATION_ARCHIVE_DAYS")
    else:
        monkeypatch.setitem(current_app.config, "SUQIU_NOTIFICATION_ARCHIVE_DAYS", value)
    assert notification_archive_age() == timedelta(days=days)


# --- the command --------------------------------------------------------------------------------


def test_the_command_archives_and_says_how_many_in_chinese(app, db_session):
    from app.domain.clock import now

    today = now()
    for n in range(3):
        notice(db_session, "csd", f"命令{n}", created=today - 200 * DAY, read=today - 95 * DAY)
    notice(db_session, "csd", "最新", created=today, read=None)
    db_session.commit()
    result = app.test_cli_runner().invoke(main, ["archive-notifications"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "已归档 3 条已读通知（已读超过 90 天）。"
    again = app.test_cli_runner().invoke(main, ["archive-notifications"])
    assert again.output.strip() == "已归档 0 条已读通知（已读超过 90 天）。"


def test_the_command_refuses_a_bad_setting_from_the_environment(extra_app, monkeypatch):
    monkeypatch.setenv("SUQIU_NOTIFICATION_ARCHIVE_DAYS", "九十")
    application = extra_app()
    result = application.test_cli_runner().invoke(main, ["archive-notifications"])
    assert result.exit_code == 2
    assert "设置项 SUQIU_NOTIFICATION_ARCHIVE_DAYS 必须是 1 到 36500 之间的整数" in result.output
    assert "九十" in result.output


def test_the_command_help_is_chinese(app):
    result = app.test_cli_runner().invoke(main, ["archive-notifications", "--help"])
    assert result.exit_code == 0 and "归档已读超过设定天数的通知" in result.output


# --- 已归档的通知 ---------------------------------------------------------------------------------


def _archive_for(db_session, username: str, count: int, prefix: str) -> list[int]:
    ids = [
        notice(
            db_session,
            username,
            f"{prefix}{n:02d}",
            created=NOW - 400 * DAY + n * DAY,
            read=NOW - 100 * DAY,
        )
        for n in range(count)
    ]
    notice(db_session, username, f"{prefix}最新", created=NOW, read=None)
    archive_read_notifications(db_session, NOW)
    return ids


def _titles(html: str, prefix: str) -> list[str]:
    return re.findall(rf"<td>({prefix}\d\d)</td>", html)


def test_the_archive_page_shows_the_users_own_archived_notifications_newest_first(
    db_session, login_as
):
    _archive_for(db_session, "liaison_hankou", 23, "汉口归档")
    _archive_for(db_session, "liaison_wuchang", 2, "武昌归档")
    client = login_as("liaison_hankou")
    inbox = client.get("/notificationview/list/").get_data(as_text=True)
    assert 'href="/notificationview/archived/"' in inbox and "已归档的通知" in inbox

    first = client.get("/notificationview/archived/")
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "已归档的通知" in html
    assert _titles(html, "汉口归档") == [f"汉口归档{n:02d}" for n in range(22, 2, -1)]
    assert "武昌归档" not in html
    assert "下一页" in html and "上一页" not in html
    second = client.get("/notificationview/archived/?page=2").get_data(as_text=True)
    assert _titles(second, "汉口归档") == ["汉口归档02", "汉口归档01", "汉口归档00"]
    assert "上一页" in second and "下一页" not in second

    other = login_as("liaison_wuchang").get("/notificationview/archived/")
    text_of_other = other.get_data(as_text=True)
    assert _titles(text_of_other, "武昌归档") == ["武昌归档01", "武昌归档00"]
    assert "汉口归档" not in text_of_other


def test_the_archive_page_has_no_way_to_change_anything(db_session, login_as):
    _archive_for(db_session, "liaison_hankou", 1, "只读")
    html = login_as("liaison_hankou").get("/notificationview/archived/").get_data(as_text=True)
    content = html.split('id="archived-notifications"', 1)[1].split("</table>", 1)[0]
    assert "<form" not in content and "<input" not in content


@pytest.mark.parametrize(
    "page", ["abc", "0", "-3", "", "1.5", "99999999999999999999999", "%00", "2;drop"]
)
def test_a_malformed_page_number_shows_page_one(db_session, login_as, page):
    _archive_for(db_session, "liaison_hankou", 3, "页码")
    response = login_as("liaison_hankou").get(f"/notificationview/archived/?page={page}")
    assert response.status_code == 200
    titles = _titles(response.get_data(as_text=True), "页码")
    if page == "99999999999999999999999":
        assert titles == []  # a page far beyond the last: empty, not an error
    else:
        assert titles == ["页码02", "页码01", "页码00"]


def test_archived_for_reads_only_the_actors_rows(db_session):
    _archive_for(db_session, "liaison_hankou", 2, "服务")
    mine = archived_for(db_session, actor(db_session, "liaison_hankou"), 1)
    assert [item.title for item in mine.items] == ["服务01", "服务00"] and not mine.has_next
    assert archived_for(db_session, actor(db_session, "liaison_wuchang"), 1).items == []
    assert archived_for(db_session, actor(db_session, "csd"), -4).page == 1


# --- the migration ------------------------------------------------------------------------------


def test_downgrading_puts_the_archived_notifications_back_into_the_inbox(app, db_session):
    from flask_migrate import downgrade, upgrade

    from app.extensions import db

    ids = _archive_for(db_session, "csd", 3, "降级")
    before_inbox, before_archive = both_tables(db_session)
    assert set(ids) <= set(before_archive)
    db_session.commit()
    db_session.close()
    directory = app.extensions["migrate"].directory
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
        downgrade(directory=directory, revision="a2b6c7d8e9f0")
        with db.engine.connect() as connection:
            tables = set(connection.dialect.get_table_names(connection))
        upgrade(directory=directory)
        db.engine.dispose()
    assert "notification_archive" not in tables
    inbox, archive = both_tables(db_session)
    assert inbox == {**before_inbox, **before_archive} and archive == {}
