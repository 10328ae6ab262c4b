"""违规记录's pages (Art.41): Chinese throughout, a unit sees only its own entries by any URL, CSD
decides and records through forms with CSRF, a malformed value gets a Chinese message and never
a 500, and `suqiu detect-violations` reports in Chinese."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.models import ViolationEntry, ViolationEntryEvent
from app.services.violations import record_entry
from tests.case_helpers import actor, branch_id
from tests.conftest import csrf_token
from tests.english import english_words

NOW = datetime(2026, 10, 21, 9, 0)
NAMES = {"hankou": "汉口", "wuchang": "武昌"}


def entry(session, unit, cause="art31", evidence=None):
    return record_entry(
        session,
        actor(session, "csd"),
        cause=cause,
        branch_id=branch_id(session, unit),
        occurred_on=date(2026, 10, 20),
        evidence=evidence or f"{NAMES[unit]}的违规证据",
        now=NOW,
    )


@pytest.fixture
def two_entries(db_session):
    return entry(db_session, "hankou"), entry(db_session, "wuchang")


def state(session, entry_id):
    session.expire_all()
    row = session.get(ViolationEntry, entry_id)
    events = session.scalar(
        select(func.count())
        .select_from(ViolationEntryEvent)
        .where(ViolationEntryEvent.entry_id == entry_id)
    )
    return row.status, row.version, events


def english(html: str) -> set[str]:
    return english_words(html, allowed={"SQ"})


def test_the_register_pages_are_chinese_for_csd(app, login_as, two_entries):
    client = login_as("csd")
    hankou, _ = two_entries
    pages = {
        "list": client.get("/violations/list/"),
        "show": client.get(f"/violations/show/{hankou.id}"),
        "record": client.get("/violations/record"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        html = response.get_data(as_text=True)
        assert not english(html), (name, english(html))
    listed = pages["list"].get_data(as_text=True)
    assert "违规记录" in listed and "第三十一条：办理记录不完整或不真实" in listed
    assert "2%" in listed and "待确认" in listed and "汉口分公司" in listed
    shown = pages["show"].get_data(as_text=True)
    assert "确认违规" in shown and "免除违规" in shown and "处理记录" in shown
    assert "客服部登记" in shown and "汉口的违规证据" in shown
    assert 'name="csrf_token"' in shown
    recorded = pages["record"].get_data(as_text=True)
    assert "第三十七条" in recorded and "有效投诉" not in recorded  # complaints come by approval


def test_a_liaison_sees_only_their_units_entries_by_list_page_and_action(
    app, db_session, login_as, two_entries
):
    hankou, wuchang = two_entries
    client = login_as("liaison_hankou")
    listed = client.get("/violations/list/").get_data(as_text=True)
    assert "汉口分公司" in listed and "武昌分公司" not in listed
    # Filtering by the other unit, or asking for its page, shows nothing of it.
    other = branch_id(db_session, "wuchang")
    filtered = client.get(f"/violations/list/?_flt_0_branch={other}").get_data(as_text=True)
    assert "武昌分公司" not in filtered
    assert client.get(f"/violations/show/{wuchang.id}").status_code == 404
    own = client.get(f"/violations/show/{hankou.id}")
    assert own.status_code == 200
    html = own.get_data(as_text=True)
    assert "汉口的违规证据" in html and "确认违规" not in html
    assert not english(html), english(html)
    token = csrf_token(client, "/violations/list/")
    before = state(db_session, wuchang.id)
    for url, data in (
        (f"/violations/decide/{wuchang.id}", {"decision": "waive", "version": "1", "reason": "x"}),
        (f"/violations/decide/{hankou.id}", {"decision": "waive", "version": "1", "reason": "x"}),
        ("/violations/record", {"cause": "art31", "branch_id": str(other), "evidence": "x"}),
        (f"/violations/edit/{wuchang.id}", {"evidence": "改"}),
        (f"/violations/delete/{wuchang.id}", {}),
        (f"/violations/action/confirm/{wuchang.id}", {}),
    ):
        response = client.post(url, data={**data, "csrf_token": token})
        assert response.status_code in (302, 403, 404), url
        assert state(db_session, wuchang.id) == before
    assert state(db_session, hankou.id)[0] == "proposed"


@pytest.mark.parametrize("username", ["handler_hankou", "agent", "risk"])
def test_roles_without_the_register_are_refused(app, two_entries, login_as, username):
    client = login_as(username)
    assert client.get("/violations/list/").status_code == 403
    assert client.get(f"/violations/show/{two_entries[0].id}").status_code == 403


def test_leaders_and_the_committee_read_every_units_entries(app, login_as, two_entries):
    for username in ("leader", "committee", "admin"):
        html = login_as(username).get("/violations/list/").get_data(as_text=True)
        assert "汉口分公司" in html and "武昌分公司" in html, username


def test_csd_confirms_and_waives_through_the_forms(app, db_session, login_as, two_entries):
    hankou, wuchang = two_entries
    client = login_as("csd")
    token = csrf_token(client, f"/violations/show/{hankou.id}")
    response = client.post(
        f"/violations/decide/{hankou.id}",
        data={"csrf_token": token, "decision": "confirm", "version": "1"},
        follow_redirects=True,
    )
    assert "操作成功" in response.get_data(as_text=True)
    assert state(db_session, hankou.id) == ("confirmed", 2, 2)
    refused = client.post(
        f"/violations/decide/{wuchang.id}",
        data={"csrf_token": token, "decision": "waive", "version": "1", "reason": ""},
        follow_redirects=True,
    )
    assert "请填写免除该违规记录的理由" in refused.get_data(as_text=True)
    assert state(db_session, wuchang.id) == ("proposed", 1, 1)
    stale = client.post(
        f"/violations/decide/{hankou.id}",
        data={"csrf_token": token, "decision": "waive", "version": "1", "reason": "迟到"},
        follow_redirects=True,
    )
    assert "已有其他人处理" in stale.get_data(as_text=True)
    waived = client.post(
        f"/violations/decide/{wuchang.id}",
        data={"csrf_token": token, "decision": "waive", "version": "1", "reason": "系统误报。"},
        follow_redirects=True,
    )
    html = waived.get_data(as_text=True)
    assert "已免除" in html and "系统误报。" in html
    assert not english(html), english(html)


def test_a_form_without_csrf_token_changes_nothing(app, db_session, login_as, two_entries):
    hankou, _ = two_entries
    client = login_as("csd")
    response = client.post(
        f"/violations/decide/{hankou.id}", data={"decision": "confirm", "version": "1"}
    )
    assert response.status_code == 400
    assert state(db_session, hankou.id) == ("proposed", 1, 1)


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"decision": "confirm", "version": "abc"}, "表单不完整"),
        ({"decision": "erase", "version": "1"}, "表单不完整"),
        ({"decision": "confirm", "version": "99999999999999999999999"}, "表单不完整"),
    ],
)
def test_a_malformed_decision_gets_a_chinese_message(
    app, db_session, login_as, two_entries, form, message
):
    hankou, _ = two_entries
    client = login_as("csd")
    token = csrf_token(client, "/violations/list/")
    response = client.post(
        f"/violations/decide/{hankou.id}",
        data={**form, "csrf_token": token},
        follow_redirects=True,
    )
    assert response.status_code == 200 and message in response.get_data(as_text=True)
    assert state(db_session, hankou.id) == ("proposed", 1, 1)


def test_csd_records_a_violation_by_hand(app, db_session, login_as):
    client = login_as("csd")
    token = csrf_token(client, "/violations/record")
    hankou = branch_id(db_session, "hankou")
    form = {
        "csrf_token": token,
        "cause": "art37",
        "branch_id": str(hankou),
        "occurred_on": "2026-10-20",
        "evidence": "阶梯气价调整未提前告知客服部。",
        "case_number": "",
    }
    response = client.post("/violations/record", data=form)
    assert response.status_code == 302
    created = db_session.scalar(select(ViolationEntry).order_by(ViolationEntry.id.desc()))
    assert (created.cause, created.branch_id, created.deduction_bp) == ("art37", hankou, 100)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "违规记录已登记" in page and "1%" in page and "第三十七条" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"occurred_on": "20.10.2026"}, "请填写违规发生日期"),
        ({"occurred_on": "2999-01-01"}, "不能晚于今天"),
        ({"branch_id": "abc"}, "请选择违规单位"),
        ({"cause": "complaint_general"}, "已审批的投诉认定"),
        ({"evidence": ""}, "请填写违规证据"),
        ({"case_number": "不是工单号"}, "没有工单号为"),
    ],
)
def test_a_wrong_manual_entry_is_refused_in_chinese_and_keeps_the_form(
    app, db_session, login_as, change, message
):
    before = db_session.scalar(select(func.count()).select_from(ViolationEntry))  # the demo's
    client = login_as("csd")
    token = csrf_token(client, "/violations/record")
    form = {
        "csrf_token": token,
        "cause": "art31",
        "branch_id": str(branch_id(db_session, "hankou")),
        "occurred_on": "2026-10-20",
        "evidence": "记录与录音不符。",
        **change,
    }
    response = client.post("/violations/record", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and message in html
    if form["evidence"]:
        assert "记录与录音不符。" in html  # what was typed comes back
    assert db_session.scalar(select(func.count()).select_from(ViolationEntry)) == before


def test_the_year_filter_lists_that_year_and_a_bad_year_is_ignored(app, db_session, login_as):
    record_entry(
        db_session,
        actor(db_session, "csd"),
        cause="art38",
        branch_id=branch_id(db_session, "hankou"),
        occurred_on=date(2025, 12, 30),
        evidence="去年的突发事件未告知。",
        now=NOW,
    )
    entry(db_session, "hankou", cause="art33")
    client = login_as("csd")
    year_2025 = client.get("/violations/list/?_flt_0_occurred_on=2025").get_data(as_text=True)
    assert "第三十八条" in year_2025 and "第三十三条" not in year_2025
    for bad in ("x", "-1", "99999999999999999999"):
        response = client.get(f"/violations/list/?_flt_0_occurred_on={bad}")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "第三十八条" in html and "第三十三条" in html


def test_the_menu_offers_the_register_and_the_form_to_csd_only(app, login_as):
    csd = login_as("csd").get("/").get_data(as_text=True)
    assert "考核管理" in csd and "违规记录" in csd and "登记违规记录" in csd
    liaison = login_as("liaison_hankou").get("/").get_data(as_text=True)
    assert "违规记录" in liaison and "登记违规记录" not in liaison
    assert "违规记录" not in login_as("handler_hankou").get("/").get_data(as_text=True)


def test_the_detection_command_reports_in_chinese(app):
    """`suqiu detect-violations`, run on the test's application (a second application on the
    same SQLite file would outlive the test's database)."""
    command = main.commands["detect-violations"]
    runner = app.test_cli_runner()
    first = runner.invoke(command, [], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert re.search(r"新发现待确认的违规记录 \d+ 条。", first.output)
    again = runner.invoke(command, ["--days", "7"])
    assert again.exit_code == 0 and "新发现待确认的违规记录 0 条。" in again.output
    assert runner.invoke(command, ["--days", "x"]).exit_code != 0
    assert "违规" in runner.invoke(command, ["--help"]).output


@pytest.mark.parametrize("username", ["csd", "liaison_hankou"])
def test_the_register_runs_few_queries(app, login_as, two_entries, username):
    """fab-pitfalls "List views": a handful of queries per page whatever the number of
    entries (no query per row)."""
    from sqlalchemy import event

    from app.extensions import db

    for _ in range(5):
        entry(db.session, "hankou")
    client = login_as(username)
    with app.app_context():
        engine = db.engine
    for url in ("/violations/list/", f"/violations/show/{two_entries[0].id}"):
        client.get(url)  # warm-up: the first request of a session loads the user
        statements: list[str] = []

        def record(conn, cursor, statement, *args, into=statements):
            into.append(statement)

        event.listen(engine, "before_cursor_execute", record)
        try:
            assert client.get(url).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", record)
        assert len(statements) <= 15, (url, statements)
