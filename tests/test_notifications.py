"""The in-app inbox (Art.17): personal, with an unread badge in the navigation bar."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.models import Notification, SuqiuUser
from tests.case_helpers import act, branch_id, gen_case
from tests.conftest import csrf_token


def unread(db_session, username) -> int:
    db_session.expire_all()
    return db_session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(
            Notification.recipient.has(SuqiuUser.username == username),
            Notification.read_at.is_(None),
        )
    )


def badge(client) -> int:
    html = client.get("/").get_data(as_text=True)
    match = re.search(r'id="notification-bell".*?<span class="badge"[^>]*>(\d+)</span>', html, re.S)
    return int(match.group(1)) if match else 0


def test_dispatch_notifies_the_liaison_and_the_badge_counts_unread(app, db_session, login_as):
    before = unread(db_session, "liaison_hankou")
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    assert unread(db_session, "liaison_hankou") == before + 1
    client = login_as("liaison_hankou")
    assert badge(client) == before + 1
    mine = db_session.scalar(
        select(Notification.id).where(
            Notification.recipient.has(SuqiuUser.username == "liaison_hankou"),
            Notification.link == f"/cases/show/{case.id}",
        )
    )
    token = csrf_token(client, "/notificationview/list/")
    client.post(
        "/notificationview/action_post",
        data={"action": "mark_read", "rowid": str(mine), "csrf_token": token},
    )
    assert unread(db_session, "liaison_hankou") == before
    assert badge(client) == before


def test_nobody_marks_or_reads_someone_elses_notification(app, db_session, login_as):
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    theirs = db_session.scalar(
        select(Notification.id).where(
            Notification.recipient.has(SuqiuUser.username == "liaison_hankou"),
            Notification.link == f"/cases/show/{case.id}",
        )
    )
    client = login_as("liaison_wuchang")
    assert client.get(f"/notificationview/show/{theirs}").status_code == 404
    token = csrf_token(client, "/notificationview/list/")
    client.post(
        "/notificationview/action_post",
        data={"action": "mark_read", "rowid": str(theirs), "csrf_token": token},
    )
    db_session.expire_all()
    assert db_session.get(Notification, theirs).read_at is None
