"""重复诉求数 and "a 主单 and its 关联单 count once" (issue 11 item 4, issue 9): by hand on plain
cases (app.domain.kpis), then in SQL on the dashboards, every number still equal to the count
of its drill-down list."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from app.domain import kpis
from app.domain.kpis import FIGURES_BY_CODE, Tally, tally
from app.models import Case
from app.services.kpi_queries import drill_down, tallies
from app.services.scope import Scope
from tests.case_helpers import actor
from tests.dashboard_helpers import (
    AS_OF,
    OCTOBER,
    assert_every_number_is_its_drill_downs_count,
    board_for,
    listed_count,
)
from tests.test_dashboards import _case, october  # noqa: F401  (october is a fixture)

NOVEMBER = kpis.month(2026, 11)
PARAMS = NOVEMBER.params(datetime(2026, 12, 31))


def plain(**facts):
    base = dict.fromkeys(
        (
            "dispatched_at",
            "sign_due",
            "signed_at",
            "finish_due",
            "replied_at",
            "closed_at",
            "callback_result",
            "primary_case_id",
        )
    )
    base.update(status="in_progress", rehandle_count=0, return_count=0, extension_count=0)
    return {**base, **facts}


def test_repeats_are_the_linked_cases_received_in_the_period_by_hand():
    cases = [
        plain(received_at=datetime(2026, 11, 2)),  # P, the 主单: intake
        plain(received_at=datetime(2026, 11, 5), primary_case_id=1),  # a 关联单: a repeat
        plain(received_at=datetime(2026, 10, 31, 23, 59), primary_case_id=1),  # October's
        plain(received_at=datetime(2026, 11, 30, 23, 59), primary_case_id=1),  # last minute
        plain(received_at=datetime(2026, 11, 10), primary_case_id=1, status="voided"),
        plain(received_at=datetime(2026, 11, 20)),  # another request
    ]
    repeats = FIGURES_BY_CODE["repeats"]
    intake = FIGURES_BY_CODE["intake"]
    assert tally(repeats, cases, PARAMS) == Tally(2, 2)  # the 5th and the 30th
    assert tally(intake, cases, PARAMS) == Tally(2, 2)  # 主单 and the other: counted once
    assert kpis.shown(repeats, tally(repeats, cases, PARAMS)) == "2"


def test_a_repeat_leaves_the_rates_denominators_counted_once():
    """A 关联单 due and late in November would count in 按时办结率 and 超期件数: its 主单 does."""
    primary = plain(
        received_at=datetime(2026, 11, 2),
        finish_due=datetime(2026, 11, 9),
        replied_at=datetime(2026, 11, 8),
    )
    repeat = plain(
        received_at=datetime(2026, 11, 3), finish_due=datetime(2026, 11, 10), primary_case_id=1
    )
    on_time = FIGURES_BY_CODE["on_time_finish"]
    assert tally(on_time, [primary, repeat], PARAMS) == Tally(1, 1)
    assert tally(FIGURES_BY_CODE["overdue"], [primary, repeat], PARAMS) == Tally(0, 0)
    unlinked = {**repeat, "primary_case_id": None}
    assert tally(on_time, [primary, unlinked], PARAMS) == Tally(1, 2)
    assert tally(FIGURES_BY_CODE["overdue"], [primary, unlinked], PARAMS) == Tally(1, 1)


def _link(session, number, primary_number):
    case = session.scalar(select(Case).where(Case.number == number))
    case.primary_case_id = session.scalar(select(Case.id).where(Case.number == primary_number))


@pytest.fixture
def october_repeats(db_session, october):  # noqa: F811
    """October 2025 of tests/test_dashboards.py with four 关联单: DB0101 (汉口, 10-03, of
    DB0001, due 10-08 and never replied: late if it counted), DB0102 (武昌, 10-22, of DB0005),
    DB0103 (汉口, 09-29: September's) and DB0104 (汉口, voided). Hand count of 重复诉求数 in
    October: DB0101 and DB0102 = 2 (汉口 1, 武昌 1); 受理量 stays 6, 按时办结率 stays 2 of 4."""
    template = db_session.scalar(select(Case).where(Case.number == "DB0001"))
    for number, channel, unit, received, status, facts in (
        ("DB0101", "hotline_96511", "hankou", datetime(2025, 10, 3, 10), "in_progress",
         {"finish_due": datetime(2025, 10, 8)}),
        ("DB0102", "citizen_hotline", "wuchang", datetime(2025, 10, 22, 9), "closed",
         {"finish_due": datetime(2025, 10, 28), "replied_at": datetime(2025, 10, 27),
          "closed_at": datetime(2025, 10, 28)}),
        ("DB0103", "hotline_96511", "hankou", datetime(2025, 9, 29, 9), "closed", {}),
        ("DB0104", "hotline_96511", "hankou", datetime(2025, 10, 4, 9), "voided", {}),
    ):  # fmt: skip
        _case(
            db_session,
            template,
            number,
            channel=channel,
            branch=october[unit],
            received=received,
            status=status,
            **facts,
        )
    db_session.flush()
    for number, primary in (
        ("DB0101", "DB0001"),
        ("DB0102", "DB0005"),
        ("DB0103", "DB0008"),
        ("DB0104", "DB0001"),
    ):
        _link(db_session, number, primary)
    db_session.commit()
    return october


def _cells(row):
    return {cell.figure.code: cell for cell in row.cells}


def test_the_dashboard_counts_repeats_by_hand_and_the_rest_once(db_session, october_repeats):
    board = board_for(db_session, "leader")
    assert board.intake.count == 6  # as without the 关联单
    total = _cells(board.total)
    assert total["repeats"].denominator == 2
    assert (total["on_time_finish"].numerator, total["on_time_finish"].denominator) == (2, 4)
    by_unit = {row.name: _cells(row)["repeats"].denominator for row in board.scorecard}
    assert by_unit["汉口分公司"] == 1 and by_unit["武昌分公司"] == 1
    kinds = {bar.label: bar.count for bar in board.charts["by_kind"].bars}
    assert kinds == {"投诉": 2, "业务办理": 4}
    liaison = board_for(db_session, "liaison_hankou")
    assert _cells(liaison.total)["repeats"].denominator == 1
    # The government channel category: DB0102 only.
    government = board_for(db_session, "leader", {**OCTOBER, "channel_category": "government"})
    assert _cells(government.total)["repeats"].denominator == 1


def test_the_repeats_drill_down_lists_exactly_the_linked_cases(db_session, october_repeats):
    october_2025 = kpis.month(2025, 10)
    as_of = datetime(2026, 11, 29)
    (total,) = tallies(db_session, Scope.system(), october_2025, as_of)
    listed = db_session.scalars(
        select(Case.number)
        .where(drill_down(FIGURES_BY_CODE["repeats"], "denominator", october_2025, as_of))
        .order_by(Case.number)
    ).all()
    assert listed == ["DB0101", "DB0102"]
    assert total.tallies["repeats"] == Tally(2, 2)


@pytest.mark.parametrize("username", ["leader", "liaison_hankou"])
def test_every_number_still_equals_its_drill_down_with_repeats(
    app, db_session, login_as, october_repeats, username
):
    assert_every_number_is_its_drill_downs_count(app, db_session, login_as, username)


def test_repeats_by_channel_category_channel_kind_and_business_by_hand(
    app, db_session, login_as, october_repeats
):
    """DB0101 came by 服务热线96511 (公司渠道), DB0102 by 市民热线 (政务渠道); both 业务办理
    without a business category."""
    from app.services import dashboards
    from app.services.repeat_figures import repeat_breakdowns
    from app.views.dashboards import drill_url

    board = board_for(db_session, "leader")
    found = {
        b.code: {bar.label: bar.count for bar in b.bars}
        for b in repeat_breakdowns(db_session, board.filters, board.base, board.as_of)
    }
    assert found == {
        "repeats_by_category": {"公司渠道": 1, "政务渠道": 1},
        "repeats_by_channel": {"服务热线96511": 1, "市民热线": 1},
        "repeats_by_kind": {"业务办理": 2},
        "repeats_by_business": {"（无）": 2},
    }
    with app.test_request_context():
        client = login_as("liaison_hankou")
        scope = actor(db_session, "liaison_hankou").scope
        filters = dashboards.parse_filters(db_session, scope, OCTOBER, AS_OF.date())
        base = dashboards.restriction(db_session, scope, filters)
        breakdowns = repeat_breakdowns(db_session, filters, base, AS_OF)
        assert {b.code: b.total for b in breakdowns}["repeats_by_channel"] == 1  # 汉口's only
        for breakdown in breakdowns:
            for bar in breakdown.bars:
                assert listed_count(client, drill_url(bar.drill)) == bar.count, bar.label
    page = login_as("leader").get("/dashboards/?period=month&year=2025&month=10")
    html = page.get_data(as_text=True)
    assert 'id="repeat-breakdowns"' in html and "重复诉求数" in html
