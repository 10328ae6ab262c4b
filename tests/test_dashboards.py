"""The dashboards (issue 9): figures from SQL aggregates under the reader's scope, each number's
drill-down listing exactly its cases (the list's count equals the number), a branch reader never
seeing another unit's figures, bad filters answered in Chinese, never a 500."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from app.domain import kpis
from app.domain.clock import now as clock_now
from app.domain.kpis import PeriodError
from app.models import Branch, Case, ExtensionRequest
from app.services import dashboards
from app.services.errors import OutOfScopeError
from tests.case_helpers import actor, branch_id, channel_id, gen_case, kind_id
from tests.dashboard_helpers import (
    OCTOBER,
    assert_every_number_is_its_drill_downs_count,
    board_for,
    listed_count,
)
from tests.english import english_words


def _case(session, template, number, *, channel, branch, received, status="closed", **facts):
    session.add(
        Case(
            number=number,
            channel_id=channel_id(session, channel),
            channel_category_code={
                "hotline_96511": "company",
                "citizen_hotline": "government",
                "hubei_gov_service": "online",
            }[channel],
            kind_id=kind_id(session, facts.pop("kind", "business")),
            customer_name="测试客户",
            content="看板测试",
            first_contact_id=template.first_contact_id,
            branch_id=branch,
            status=status,
            received_at=received,
            **facts,
        )
    )


@pytest.fixture
def october(db_session):
    """Hand-made cases of October 2025 (no demo case is that old): 汉口 3 (one in its
    sub-unit 汉口北), 武昌 2, one not dispatched, one voided, and cases just outside the month.

    Hand count of 受理量 in October: 汉口 3 + 武昌 2 + undispatched 1 = 6 (the voided one and
    the two outside the month do not count). 汉口 and its sub-unit: 3."""
    template = gen_case(db_session)
    hankou, wuchang = branch_id(db_session, "hankou"), branch_id(db_session, "wuchang")
    north = branch_id(db_session, "hankou_north")
    day = datetime(2025, 10, 1)
    rows = [
        # number, channel, branch, received, status, facts
        ("DB0001", "hotline_96511", hankou, day + timedelta(hours=9), "closed",
         {"finish_due": datetime(2025, 10, 5), "replied_at": datetime(2025, 10, 4),
          "closed_at": datetime(2025, 10, 6), "callback_result": "satisfied", "kind": "complaint"}),
        ("DB0002", "citizen_hotline", hankou, day + timedelta(days=1, hours=10), "closed",
         {"finish_due": datetime(2025, 10, 8), "replied_at": datetime(2025, 10, 9),
          "closed_at": datetime(2025, 10, 10), "callback_result": "dissatisfied"}),
        ("DB0003", "hubei_gov_service", north, datetime(2025, 10, 31, 23, 59, 59), "in_progress",
         {"finish_due": datetime(2025, 11, 20)}),
        ("DB0004", "citizen_hotline", wuchang, day + timedelta(days=1, hours=15), "closed",
         {"finish_due": datetime(2025, 10, 9), "replied_at": datetime(2025, 10, 8),
          "closed_at": datetime(2025, 10, 12), "callback_result": "basically_satisfied"}),
        ("DB0005", "hotline_96511", wuchang, day + timedelta(days=20), "closed",
         {"finish_due": datetime(2025, 10, 25), "replied_at": datetime(2025, 10, 26),
          "closed_at": datetime(2025, 10, 27), "kind": "complaint"}),
        ("DB0006", "hotline_96511", None, day + timedelta(days=30), "pending_dispatch", {}),
        ("DB0007", "hotline_96511", hankou, day + timedelta(days=3), "voided", {}),
        ("DB0008", "hotline_96511", hankou, datetime(2025, 9, 30, 23, 59, 59), "closed", {}),
        ("DB0009", "citizen_hotline", wuchang, datetime(2025, 11, 1, 0, 0, 0), "closed", {}),
    ]  # fmt: skip
    for number, channel, branch, received, status, facts in rows:
        _case(
            db_session,
            template,
            number,
            channel=channel,
            branch=branch,
            received=received,
            status=status,
            **facts,
        )
    db_session.commit()
    return {"hankou": hankou, "wuchang": wuchang, "north": north}


def test_intake_counted_by_hand_with_the_months_edges(db_session, october):
    board = board_for(db_session, "leader")
    assert board.intake.count == 6  # the docstring's hand count
    by_day = {bar.key: bar.count for bar in board.charts["by_day"].bars}
    assert by_day == {
        "2025-10-01": 1,
        "2025-10-02": 2,
        "2025-10-21": 1,
        "2025-10-31": 2,  # 23:59:59 is still the 31st (no zone shift of the stored local time)
    }
    assert [(b.key, b.count) for b in board.charts["by_month"].bars] == [("2025-10", 6)]
    categories = {bar.key: bar.count for bar in board.charts["by_category"].bars}
    assert categories == {"company": 3, "government": 2, "online": 1}
    kinds = {bar.label: bar.count for bar in board.charts["by_kind"].bars}
    assert kinds == {"投诉": 2, "业务办理": 4}
    units = {row.name: row.cells[0].shown for row in board.scorecard}
    assert units == {"汉口分公司": "2", "汉口北营业所": "1", "武昌分公司": "2", "尚未派发": "1"}


def test_on_time_finish_by_hand(db_session, october):
    """按时办结率 of October: finish deadlines in October are DB0001 (replied before, on time),
    DB0002 (late), DB0004 (on time), DB0005 (late): 2 of 4 = 50.0%; 汉口 1 of 2."""
    board = board_for(db_session, "leader")
    total = {cell.figure.code: cell for cell in board.total.cells}
    assert (total["on_time_finish"].numerator, total["on_time_finish"].denominator) == (2, 4)
    assert total["on_time_finish"].shown == "50.0%"
    hankou = next(row for row in board.scorecard if row.name == "汉口分公司")
    cell = {c.figure.code: c for c in hankou.cells}["on_time_finish"]
    assert (cell.numerator, cell.denominator, cell.shown) == (1, 2, "50.0%")


@pytest.mark.parametrize("username", ["leader", "liaison_hankou"])
def test_every_number_equals_its_drill_down_lists_count(
    app, db_session, login_as, october, username
):
    assert_every_number_is_its_drill_downs_count(app, db_session, login_as, username)


def test_liaison_hankou_never_sees_wuchang_figures(app, db_session, login_as, october):
    board = board_for(db_session, "liaison_hankou")
    assert board.intake.count == 3  # 汉口 2 + 汉口北 1
    names = {row.name for row in board.scorecard}
    assert names == {"汉口分公司", "汉口北营业所"}
    for chart in (*board.charts.values(), board.overdue, board.due_soon):
        assert all("武昌" not in bar.label for bar in chart.bars), chart.code
    assert [name for _, name in board.units if "武昌" in name] == []
    with pytest.raises(OutOfScopeError):
        board_for(db_session, "liaison_hankou", {**OCTOBER, "unit": str(october["wuchang"])})
    # Through the page: refused in Chinese, no figure of 武昌 anywhere.
    html = (
        login_as("liaison_hankou")
        .get(f"/dashboards/?period=month&year=2025&month=10&unit={october['wuchang']}")
        .get_data(as_text=True)
    )
    assert "您只能查看本单位及下属单位的数据" in html
    assert "武昌分公司" not in html
    html = (
        login_as("liaison_hankou")
        .get("/dashboards/?period=month&year=2025&month=10")
        .get_data(as_text=True)
    )
    assert "汉口北营业所" in html and "武昌" not in html


def test_a_unit_filter_counts_the_unit_with_its_sub_units(db_session, october):
    board = board_for(db_session, "leader", {**OCTOBER, "unit": str(october["hankou"])})
    assert board.intake.count == 3
    board = board_for(db_session, "leader", {**OCTOBER, "channel_category": "government"})
    assert board.intake.count == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"period": "custom", "start": "2025-10-31", "end": "2025-10-01"}, "结束日期早于开始日期"),
        ({"period": "month", "year": "2025", "month": "13"}, "请选择 1 至 12 月"),
        ({"period": "quarter", "year": "2025", "quarter": "5"}, "1 至 4"),
        ({"period": "year", "year": "abc"}, "请选择年份"),
        ({"period": "custom", "start": "2025-02-30", "end": "2025-03-01"}, "年-月-日"),
        ({"period": "week"}, "请选择月度、季度、年度或起止日期"),
        ({"channel_category": "nope"}, "该渠道类型不存在"),
        ({"unit": "abc"}, "您只能查看本单位及下属单位的数据"),
        ({"unit": "99999999"}, "您只能查看本单位及下属单位的数据"),
        ({"unit": "9" * 30}, "您只能查看本单位及下属单位的数据"),
    ],
)
def test_bad_filters_get_a_chinese_message_not_an_error(login_as, args, message):
    from urllib.parse import urlencode

    for path in ("/dashboards/", "/dashboards/wall"):
        response = login_as("leader").get(f"{path}?{urlencode(args)}")
        assert response.status_code == (403 if "unit" in args else 200)
        html = response.get_data(as_text=True)
        assert message in html, (path, args)
        assert 'id="scorecard"' not in html


def test_period_errors_raised_by_the_service(db_session):
    scope = actor(db_session, "leader").scope
    with pytest.raises(PeriodError):
        dashboards.parse_filters(
            db_session, scope, {"period": "custom", "start": "2025-10-02", "end": "2025-10-01"},
            date(2026, 11, 29),
        )  # fmt: skip


def test_a_period_without_cases_shows_no_data(login_as, db_session):
    html = login_as("leader").get("/dashboards/?period=year&year=2001").get_data(as_text=True)
    assert "暂无数据" in html
    board = board_for(db_session, "leader", {"period": "year", "year": "2001"})
    assert board.intake.count == 0 and board.charts["by_day"].bars == []
    assert {cell.shown for cell in board.total.cells if cell.is_rate} == {kpis.NO_VALUE}


def test_kpi_drill_down_reproduces_the_same_cases_later(app, db_session, login_as, october):
    """The as-of time is in the link: a case closed after it does not change the list."""
    from app.views.dashboards import drill_url

    board = board_for(db_session, "leader", {"period": "month", "year": "2025", "month": "11"})
    cell = {c.figure.code: c for c in board.total.cells}["intake"]
    with app.test_request_context():
        url = drill_url(cell.denominator_drill)
    before = listed_count(login_as("leader"), url)
    assert before == cell.denominator == 1  # DB0009 at midnight of 1 November
    html = login_as("leader").get(url).get_data(as_text=True)
    assert "来自数据看板" in html and "受理量" in html and "2025-11-01 至 2025-11-30" in html
    broken = login_as("leader").get("/cases/list/?_flt_0_drill=nonsense")
    assert broken.status_code == 200
    assert "无法识别该统计口径" in broken.get_data(as_text=True)
    assert listed_count(login_as("leader"), "/cases/list/?_flt_0_drill=nonsense") == 0


def test_operations_tiles_equal_their_lists(app, db_session, login_as):
    now = clock_now()
    # Received now, not an hour ago: in the first hour of a day that would be yesterday.
    made = gen_case(db_session, received=now, now=now)
    from app.views.dashboards import drill_url

    tiles = dashboards.operations(db_session, actor(db_session, "csd").scope, now)
    assert {t.code for t in tiles} == {
        "today", "to_dispatch", "due_soon", "overdue", "to_callback", "extensions",
    }  # fmt: skip
    counts = {t.code: t.count for t in tiles}
    assert counts["today"] >= 1
    pending = db_session.scalar(
        select(ExtensionRequest.id).where(ExtensionRequest.status == "pending").limit(1)
    )
    client = login_as("csd")
    with app.test_request_context():
        for tile in tiles:
            assert listed_count(client, drill_url(tile.drill)) == tile.count, tile.code
        overdue, soon = dashboards.operations_by_unit(
            db_session, actor(db_session, "csd").scope, now
        )
        assert sum(bar.count for bar in overdue.bars) == counts["overdue"]
        for bar in (*overdue.bars, *soon.bars):
            assert listed_count(client, drill_url(bar.drill)) == bar.count, bar.label
    html = client.get("/dashboards/operations").get_data(as_text=True)
    assert 'id="tile-to_dispatch" href="/queues/to_dispatch"' in html  # CSD has the queue
    assert made.number and (pending is None or counts["extensions"] >= 1)


@pytest.mark.parametrize(
    ("username", "landing"),
    [
        ("leader", 'id="dashboard"'),
        ("committee", 'id="dashboard"'),
        ("csd", 'id="operations"'),
        ("csd_head", 'id="operations"'),
        ("liaison_hankou", 'id="unit-tiles"'),
        ("head_hankou", 'id="unit-tiles"'),
    ],
)
def test_each_role_lands_on_what_it_needs(login_as, username, landing):
    response = login_as(username).get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert landing in html and 'id="calendar-alert"' not in html


def test_the_administrator_and_a_handler_keep_the_start_page(login_as):
    for username in ("admin", "handler_hankou"):
        html = login_as(username).get("/").get_data(as_text=True)
        assert 'id="dashboard"' not in html and 'id="operations"' not in html


def test_branch_dashboard_carries_its_queues(login_as):
    html = login_as("liaison_hankou").get("/dashboards/").get_data(as_text=True)
    assert 'id="unit-tiles"' in html and "本单位数据看板" in html


def test_wall_display_refreshes_every_minute_and_print_views(login_as):
    client = login_as("leader")
    wall = client.get("/dashboards/wall").get_data(as_text=True)
    assert '<meta http-equiv="refresh" content="60">' in wall
    assert "vendor/echarts/echarts.min.js" in wall and "cdn" not in wall.lower()
    printed = client.get("/dashboards/?print=1").get_data(as_text=True)
    assert 'id="dashboard-filters"' not in printed and 'id="print-now"' in printed
    ops = client.get("/dashboards/operations?print=1").get_data(as_text=True)
    assert 'id="print-now"' in ops
    css = client.get("/static/css/suqiu-dashboards.css").get_data(as_text=True)
    assert "size: A4 landscape" in css


@pytest.mark.parametrize("path", ["/dashboards/", "/dashboards/wall", "/dashboards/operations"])
def test_dashboards_speak_chinese(login_as, path):
    html = login_as("leader").get(path).get_data(as_text=True)
    assert not english_words(html), path


def test_tables_give_each_dashboard_table_as_rows(db_session, october):
    tables = dashboards.tables(board_for(db_session, "leader"))
    headers, rows = tables["考核指标排名"]
    assert headers[:2] == ["名次", "承办单位"] and rows[-1][1] == "合计"
    assert tables["每月受理量"][1] == [["2025年10月", 6]]


def test_scope_roots_of_a_branch_reader(db_session):
    scope = actor(db_session, "liaison_hankou").scope
    hankou = db_session.scalar(select(Branch.id).where(Branch.code == "hankou"))
    assert dashboards.scope_roots(db_session, scope) == (hankou,)
