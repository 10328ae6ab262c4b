"""Internal codes are never shown where a Chinese name exists (design §5 "every visible string in
Chinese"): the units, channels, channel categories, kinds, content classes and business
categories of the master data, the case statuses, actions and callback results, the roles. The
case list (its columns and its filters' choices), the work queues, the case pages (a timeline
with dispatch, return, assignment, extension, reminder, supervision, callback, attachment and
spot-check events), the notifications and the spot checks are read as CSD and as a liaison,
including the messages shown after a refused action. Only the text a user sees counts: tags,
attribute values and scripts are left out. The API (app/views/api.py) keeps its codes."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from app.domain import roles
from app.domain.clock import now as clock_now
from app.domain.lifecycle import Action, CallbackResult, CaseStatus
from app.models import (
    Branch,
    BusinessCategory,
    Case,
    CaseEvent,
    CaseKind,
    Channel,
    ChannelCategory,
    ContentClass,
    Department,
    Notification,
    SuqiuUser,
)
from app.services import privacy
from app.services.attachments import add_attachment
from app.services.case_queries import usable_queues
from app.services.extensions import decide_extension, request_extension
from app.services.spot_checks import draw_spot_check, record_spot_check
from app.views.case_labels import ACTION_LABELS
from tests.case_helpers import act, actor, branch_id, gen_case
from tests.conftest import csrf_token

MASTER_DATA = (Branch, Channel, ChannelCategory, CaseKind, BusinessCategory, ContentClass)
PDF = b"%PDF-1.4\n" + b"0" * 100


class _Visible(HTMLParser):
    """The text of a page as a user reads it: no tags, no attribute values, no scripts."""

    HIDDEN = {"script", "style", "template", "noscript"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in self.HIDDEN:
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in self.HIDDEN and self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if not self.depth:
            self.chunks.append(data)


def visible_text(html: str) -> str:
    parser = _Visible()
    parser.feed(html)
    return "\n".join(parser.chunks)


def codes(session) -> set[str]:
    found = set()
    for model in MASTER_DATA:
        found.update(session.scalars(select(model.code)))
    found.update(s.value for s in CaseStatus)
    found.update(a.value for a in Action)
    found.update(ACTION_LABELS)  # the timeline's own actions (attach, reveal_contact, …)
    found.update(r.value for r in CallbackResult)
    found.update(("pending", "approved", "rejected", "cancelled"))  # extension requests
    found.update(
        p.code for p in vars(roles).values() if isinstance(p, roles.RoleProfile) and p.code
    )
    found.update(session.scalars(select(Notification.category).distinct()))
    found.update(session.scalars(select(CaseEvent.action).distinct()))  # spot_check, …
    found.update(("None", "True", "False"))  # Python's raw values are no better
    return {c for c in found if c}


def shown_codes(html: str, known: set[str]) -> set[str]:
    words = set(re.findall(r"[A-Za-z0-9_]+", visible_text(html)))
    return words & known


def _user_id(session, username):
    return session.scalar(select(SuqiuUser.id).where(SuqiuUser.username == username))


@pytest.fixture
def story(app, db_session):
    """Cases whose timelines hold every kind of event, a spot check and notifications."""
    s = db_session
    now = clock_now() - timedelta(hours=3)
    step = {"t": now}

    def at():
        step["t"] += timedelta(minutes=5)
        return step["t"]

    gas_leak = s.scalar(select(BusinessCategory.id).where(BusinessCategory.code == "gas_leak"))
    hankou, wuchang = branch_id(s, "hankou"), branch_id(s, "wuchang")
    department = s.scalar(select(Department.id).where(Department.branch_id == hankou))

    # 政务: dispatched, returned, dispatched again with a department, signed for, assigned,
    # extended, reminded, supervised, handled, answered, called back (unreachable), a file.
    full = gen_case(
        s, channel="citizen_hotline", kind="complaint", business_category_id=gas_leak,
        received=now, now=now,
    )  # fmt: skip
    act(s, "csd", full, "dispatch", branch_id=wuchang, now=at())
    act(s, "liaison_wuchang", full, "return_case", reason="不在辖区", now=at())
    act(s, "csd", full, "dispatch", branch_id=hankou, department_id=department, now=at())
    act(s, "liaison_hankou", full, "sign_for", now=at())
    handler = _user_id(s, "handler_hankou")
    act(s, "liaison_hankou", full, "assign", handler_id=handler, now=at())
    s.expire_all()
    due = s.get(Case, full.id).finish_due
    request = request_extension(
        s, actor(s, "liaison_hankou"), full.id, version=None,
        requested_due=due + timedelta(days=7), reason="需现场勘察", now=at(),
    )  # fmt: skip
    decide_extension(s, actor(s, "csd"), request.id, approve=True, note="同意", now=at())
    act(s, "csd", full, "remind", note="请尽快处理", now=at())
    act(s, "csd", full, "supervise", note="督办", reply_due=at() + timedelta(days=1), now=at())
    act(s, "handler_hankou", full, "progress", note="已联系客户", now=at())
    add_attachment(
        s, actor(s, "handler_hankou"), full.id, "现场.pdf", io.BytesIO(PDF),
        app.config["UPLOAD_FOLDER"], 10**6, now=at(),
    )  # fmt: skip
    privacy.reveal_contact(s, actor(s, "liaison_hankou"), full.id, "回访需要", now=at())
    act(s, "liaison_hankou", full, "reply", result="已更换调压阀", now=at())
    act(s, "csd", full, "reject", reason="请补充照片", now=at())
    act(s, "liaison_hankou", full, "reply", result="已补充照片", now=at())
    act(s, "csd", full, "approve", now=at())
    act(s, "csd", full, "answer_government", note="已答复", now=at())
    act(s, "liaison_hankou", full, "callback", result="unreachable", now=at())

    # 政务, closed after a 不满意 and its 重办, then spot-checked by CSD (Art.35).
    closed = gen_case(s, channel="hubei_gov_service", kind="business", received=now, now=now)
    for username, action, inputs in (
        ("csd", "dispatch", {"branch_id": hankou}),
        ("liaison_hankou", "sign_for", {}),
        ("liaison_hankou", "reply", {"result": "已办"}),
        ("csd", "approve", {}),
        ("liaison_hankou", "callback", {"result": "dissatisfied", "note": "不满意"}),
        ("liaison_hankou", "sign_for", {}),
        ("liaison_hankou", "reply", {"result": "再次上门"}),
        ("csd", "approve", {}),
        ("liaison_hankou", "callback", {"result": "satisfied"}),
    ):
        s.expire_all()
        if s.get(Case, closed.id).status == CaseStatus.REHANDLING and action == "sign_for":
            continue
        act(s, username, closed, action, now=at(), **inputs)
    check = draw_spot_check(
        s, actor(s, "csd"), now - timedelta(days=1), clock_now() + timedelta(days=1), "100",
        "codes", now=at(),
    )  # fmt: skip
    for item in check.items:
        record_spot_check(s, actor(s, "csd"), item.id, "satisfied", "抽查满意", now=at())

    # 公司渠道 (an agent's hotline case), urgent, awaiting dispatch; one voided.
    gen_case(s, by="agent", channel="hotline_96511", kind="report", urgent=True, now=now)
    voided = gen_case(s, channel="wechat", kind="suggestion", received=now, now=now)
    act(s, "csd", voided, "void", reason="重复登记", now=at())
    s.expire_all()
    return {"full": full.id, "closed": closed.id, "voided": voided.id, "check": check.id}


def pages(client, session, username, story) -> dict[str, str]:
    """Every page of the brief, and the message after two refused actions."""
    urls = [
        "/",
        "/cases/list/?psize_CaseView=100",
        "/cases/list/?psize_CaseView=100&_flt_0_status=in_progress&_flt_0_finish_overdue=y",
        "/queues/",
        *(f"/queues/{name}" for name in usable_queues(actor(session, username))),
        "/notificationview/list/?psize_NotificationView=100",
        "/spotchecks/",
        f"/spotchecks/{story['check']}",
    ]
    who = actor(session, username)
    urls += [f"/cases/show/{pk}" for pk in session.scalars(who.scope.apply(select(Case.id), Case))]
    shown = {}
    for url in urls:
        response = client.get(url)
        if response.status_code in (403, 404) and url.startswith("/spotchecks"):
            continue  # not the user's page
        if response.status_code == 302 and url.startswith("/spotchecks"):
            continue
        assert response.status_code == 200, url
        shown[url] = response.get_data(as_text=True)
    # Refused actions: a move the status does not allow, a file on a finished case.
    case_id = story["closed"]
    token = csrf_token(client, f"/cases/show/{case_id}")
    refused = client.post(
        f"/cases/act/{case_id}/dispatch",
        data={"csrf_token": token, "target": str(branch_id(session, "hankou"))},
        follow_redirects=True,
    )
    shown["refused action"] = refused.get_data(as_text=True)
    upload = client.post(
        f"/cases/attach/{case_id}",
        data={"csrf_token": token, "file": (io.BytesIO(PDF), "补充.pdf")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    shown["refused upload"] = upload.get_data(as_text=True)
    return shown


@pytest.mark.parametrize("username", ["csd", "liaison_hankou"])
def test_no_code_is_shown_where_a_chinese_name_exists(app, db_session, login_as, story, username):
    known = codes(db_session)
    assert {"hankou", "hotline_96511", "gas_leak", "complaint", "closed", "dispatch"} <= known
    client = login_as(username)
    shown = pages(client, db_session, username, story)
    assert f"/cases/show/{story['full']}" in shown
    full = visible_text(shown[f"/cases/show/{story['full']}"])
    for label in ("派发", "退回", "指派", "申请延期", "催办", "督办", "汉口分公司"):
        assert label in full, label  # the timeline is there to read
    leaks = {url: sorted(shown_codes(html, known)) for url, html in shown.items()}
    assert not {url: found for url, found in leaks.items() if found}


def test_the_scanner_sees_codes_in_text_but_not_in_attributes(db_session):
    known = codes(db_session)
    html = (
        '<td data-code="hankou"><a href="/x?c=gas_leak" title="wechat">汉口分公司</a></td>'
        "<script>var s = 'closed';</script>"
    )
    assert shown_codes(html, known) == set()
    assert shown_codes("<td>hankou</td><option>hotline_96511</option>", known) == {
        "hankou",
        "hotline_96511",
    }
