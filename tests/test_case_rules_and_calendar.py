"""The administrator's tables drive deadlines (Art.19): an edited time-limit rule and an
edited calendar day change the deadlines of new cases; 联系不上 callbacks retry (Art.20)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.domain.lifecycle import CaseStatus
from app.models import CalendarDay, CaseKind, ChannelCategory, TimeLimitRule
from tests.case_helpers import T0, act, gen_case, to_callback


def test_art19_the_most_specific_rule_gives_the_deadline(db_session):
    government = db_session.scalar(
        select(ChannelCategory).where(ChannelCategory.code == "government")
    )
    consultation = db_session.scalar(select(CaseKind).where(CaseKind.code == "consultation"))
    db_session.add(
        TimeLimitRule(
            channel_category=government,
            kind=consultation,
            sign_amount=4,
            sign_unit="hours",
            sign_clock="24x7",
            finish_amount=2,
            finish_unit="working_days",
            finish_clock="24x7",
            note="政务咨询：2个工作日",
            active=True,
        )
    )
    db_session.commit()
    case = gen_case(db_session, kind="consultation")  # a government channel
    assert case.sign_due == datetime(2026, 10, 12, 13, 0)
    assert case.finish_due == datetime(2026, 10, 14, 23, 59, 59)
    company = gen_case(db_session, kind="consultation", by="agent", channel="hotline_96511")
    assert company.finish_due == datetime(2026, 10, 15, 23, 59, 59)  # the default 3 days


def test_art19_a_day_the_administrator_marks_as_holiday_moves_deadlines(db_session):
    db_session.add(
        CalendarDay(day=date(2026, 10, 13), is_workday=False, name="临时调整", source="admin")
    )
    db_session.commit()
    case = gen_case(db_session)  # received Monday 2026-10-12, sign within 1 working day
    assert case.sign_due == datetime(2026, 10, 14, 23, 59, 59)


def test_art20_unreachable_callbacks_are_retried_then_closed(db_session):
    case = gen_case(db_session)
    to_callback(db_session, case)
    for attempt in range(1, 4):
        act(
            db_session,
            "liaison_hankou",
            case,
            "callback",
            result="unreachable",
            note=f"第{attempt}次未接通",
            now=T0 + timedelta(days=attempt),  # attempts are spaced (Art.20)
        )
        expected = CaseStatus.CLOSED if attempt == 3 else CaseStatus.PENDING_CALLBACK
        assert case.status == expected and case.unreachable_attempts == attempt


def test_art19_days_entered_by_the_administrator_are_marked_as_such(app, db_session, login_as):
    from tests.conftest import csrf_token

    client = login_as("admin")
    token = csrf_token(client, "/calendardayview/add")
    client.post(
        "/calendardayview/add", data={"csrf_token": token, "day": "2026-10-14", "name": "临时放假"}
    )
    day = db_session.scalar(select(CalendarDay).where(CalendarDay.day == date(2026, 10, 14)))
    assert day is not None and day.source == "admin" and day.is_workday is False
