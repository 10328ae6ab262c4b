"""The in-app inbox (Art.17): personal, with an unread badge in the navigation bar."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from app.models import BranchContact, ContactRole, Notification, SuqiuUser
from app.services import masterdata
from app.services.extensions import decide_extension, request_extension
from app.services.notifications import case_link
from app.services.sweep import sweep_overdue
from tests.case_helpers import T0, act, actor, branch_id, gen_case
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


# --- who is told, and every notice opens a page its recipient may see (Art.17) ---------------


def notices(db_session, case_id, category) -> set[str]:
    """The usernames told ``category`` about the case."""
    db_session.expire_all()
    return set(
        db_session.scalars(
            select(SuqiuUser.username)
            .join(Notification, Notification.recipient_id == SuqiuUser.id)
            .where(Notification.category == category, Notification.link == case_link(case_id))
        )
    )


def _user_id(db_session, username):
    return db_session.scalar(select(SuqiuUser.id).where(SuqiuUser.username == username))


def signed_for(db_session, channel="citizen_hotline"):
    case = gen_case(db_session, channel=channel)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    act(db_session, "liaison_hankou", case, "sign_for")
    return case


def test_art17_the_assigned_handler_is_told_and_opens_the_case(app, db_session, login_as):
    case = signed_for(db_session)
    act(
        db_session,
        "liaison_hankou",
        case,
        "assign",
        handler_id=_user_id(db_session, "handler_hankou"),
        note="请今天联系客户",
    )
    assert notices(db_session, case.id, "assigned") == {"handler_hankou"}
    assert login_as("handler_hankou").get(case_link(case.id)).status_code == 200


def test_art17_csd_is_told_when_a_case_awaits_review(app, db_session):
    case = signed_for(db_session)
    act(db_session, "liaison_hankou", case, "reply", result="已上门更换表具。")
    assert notices(db_session, case.id, "review_due") == {"csd", "csd_head"}


def test_art13_csd_is_told_when_a_government_case_awaits_its_reply(app, db_session):
    case = signed_for(db_session, channel="citizen_hotline")
    act(db_session, "liaison_hankou", case, "reply", result="已上门更换表具。")
    act(db_session, "csd", case, "approve")
    assert notices(db_session, case.id, "government_reply_due") == {"csd", "csd_head"}
    online = signed_for(db_session, channel="ehuiban")  # 网办: no government reply (Art.13-3)
    act(db_session, "liaison_hankou", online, "reply", result="已办结。")
    act(db_session, "csd", online, "approve")
    assert notices(db_session, online.id, "government_reply_due") == set()


def _change_the_hankou_liaisons_mobile(db_session):
    head = actor(db_session, "head_hankou")  # (a query now would flush the change unseen)
    contact = db_session.scalar(
        select(BranchContact).where(
            BranchContact.branch_id == branch_id(db_session, "hankou"),
            BranchContact.role == ContactRole.LIAISON,
        )
    )
    contact.mobile = "13907100999"
    masterdata.save(db_session, head, contact, is_new=False)


def test_art25_a_contact_change_notice_opens_that_change(app, db_session, login_as):
    _change_the_hankou_liaisons_mobile(db_session)
    link = db_session.scalar(
        select(Notification.link)
        .where(
            Notification.category == "contact_changed",
            Notification.recipient.has(SuqiuUser.username == "csd"),
        )
        .order_by(Notification.id.desc())
    )
    page = login_as("csd").get(link)
    assert page.status_code == 200
    assert "13907100999" in page.get_data(as_text=True)


def test_art17_every_notice_links_to_a_page_its_recipient_may_see(app, db_session, login_as):
    """Every place that writes notifications, walked once: the case moves, the overdue sweep,
    extensions and contact changes; each notice opens a page of its own recipient."""
    first = db_session.scalar(select(func.max(Notification.id))) or 0
    case = signed_for(db_session)
    handler = _user_id(db_session, "handler_hankou")
    act(db_session, "liaison_hankou", case, "assign", handler_id=handler)
    act(db_session, "csd", case, "remind", note="请加快办理")
    act(db_session, "csd", case, "supervise", note="请于明日前回复")
    act(db_session, "liaison_hankou", case, "reply", result="已办")
    act(db_session, "csd", case, "reject", reason="结果不完整")
    act(db_session, "liaison_hankou", case, "reply", result="已补充")
    act(db_session, "csd", case, "approve")
    act(db_session, "csd", case, "answer_government", note="已答复")
    act(db_session, "liaison_hankou", case, "callback", result="dissatisfied", note="不满意")
    returned = gen_case(db_session, by="agent", channel="hotline_96511")
    act(db_session, "agent", returned, "dispatch", branch_id=branch_id(db_session, "hankou"))
    act(db_session, "liaison_hankou", returned, "return_case", reason="不属本单位")
    late = signed_for(db_session)
    request = request_extension(
        db_session,
        actor(db_session, "liaison_hankou"),
        late.id,
        version=None,
        requested_due=late.finish_due + timedelta(days=5),
        reason="等待备件",
        now=T0,
    )
    decide_extension(db_session, actor(db_session, "csd"), request.id, approve=False, note="不同意")
    sweep_overdue(db_session)
    _change_the_hankou_liaisons_mobile(db_session)

    db_session.expire_all()
    rows = db_session.execute(
        select(Notification.category, Notification.link, SuqiuUser.username)
        .join(SuqiuUser, Notification.recipient_id == SuqiuUser.id)
        .where(Notification.id > first)
    ).all()
    categories = {category for category, _, _ in rows}
    assert {
        "dispatched",
        "assigned",
        "remind",
        "supervise",
        "review_due",
        "rejected",
        "government_reply_due",
        "callback_due",
        "rehandle",
        "returned",
        "extension_decided",
        "overdue",
        "contact_changed",
    } <= categories
    clients = {}
    for category, link, username in rows:
        if link == case_link(returned.id) and username == "liaison_hankou":
            continue  # returned since: see the next test
        client = clients.get(username) or clients.setdefault(username, login_as(username))
        assert client.get(link).status_code == 200, (category, link, username)


def inbox_form(client, notification_id) -> str:
    """The inbox's button for the notification: a POST form carrying the CSRF token."""
    html = client.get("/notificationview/list/?psize_NotificationView=100").get_data(as_text=True)
    match = re.search(
        rf'<form method="post" action="/notificationview/open/{notification_id}"[^>]*>\s*'
        r'<input type="hidden" name="csrf_token" value="([^"]+)"',
        html,
    )
    assert match, f"no link to notification {notification_id} in the inbox"
    return match.group(1)


def _latest(db_session, username, category):
    db_session.expire_all()
    return db_session.scalar(
        select(Notification)
        .where(
            Notification.category == category,
            Notification.recipient.has(SuqiuUser.username == username),
        )
        .order_by(Notification.id.desc())
    )


def test_art17_clicking_a_notice_in_the_inbox_opens_its_page_and_marks_it_read(
    app, db_session, login_as
):
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    notice = _latest(db_session, "liaison_hankou", "dispatched")
    client = login_as("liaison_hankou")
    before = badge(client)
    token = inbox_form(client, notice.id)
    response = client.post(f"/notificationview/open/{notice.id}", data={"csrf_token": token})
    assert response.status_code == 302
    assert response.headers["Location"] == case_link(case.id)
    assert case.number in client.get(response.headers["Location"]).get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Notification, notice.id).read_at is not None
    assert badge(client) == before - 1


def test_opening_a_notice_is_the_recipients_own_post_only(app, db_session, login_as):
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    notice = _latest(db_session, "liaison_hankou", "dispatched")
    other = login_as("liaison_wuchang")
    token = csrf_token(other, "/notificationview/list/")
    assert (
        other.post(f"/notificationview/open/{notice.id}", data={"csrf_token": token}).status_code
        == 404
    )
    owner = login_as("liaison_hankou")
    assert owner.get(f"/notificationview/open/{notice.id}").status_code == 405  # no change by GET
    assert owner.post(f"/notificationview/open/{notice.id}").status_code == 400  # no token
    db_session.expire_all()
    assert db_session.get(Notification, notice.id).read_at is None


def test_a_notice_about_a_case_that_left_the_unit_explains_instead_of_failing(
    app, db_session, login_as
):
    case = gen_case(db_session)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"))
    act(db_session, "liaison_hankou", case, "return_case", reason="不属本单位辖区")
    notice = _latest(db_session, "liaison_hankou", "dispatched")
    client = login_as("liaison_hankou")
    token = inbox_form(client, notice.id)
    response = client.post(
        f"/notificationview/open/{notice.id}", data={"csrf_token": token}, follow_redirects=True
    )
    assert response.status_code == 200
    assert "不在您的单位" in response.get_data(as_text=True)
    db_session.expire_all()
    assert db_session.get(Notification, notice.id).read_at is not None
