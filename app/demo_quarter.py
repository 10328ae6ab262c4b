"""The demo's last ended quarter (Art.39/40), made through the services as real work is: its
cases (registered, handled and closed at their dates) and a service meeting in its last month
with two improvement measures (汉口, 武昌), so that the report CSD generates for it shows real
figures and measures. Seeded by ``suqiu demo`` only (the test database's quarters stay as the
tests make them), once: a second run keeps the data."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.demo_cases import play_path, register_demo_case
from app.domain import quarterly_reports as qr
from app.domain.clock import now as clock_now
from app.models import (
    Branch,
    Case,
    SuqiuUser,
)
from app.services import service_meetings
from app.services.actor import Actor
from app.services.service_meetings import MeasureDraft
from app.services.uow import transaction

ACCOUNT_PREFIX = "0272"  # the gas accounts of the quarter's cases (the other demo cases: 0271…)
# The last ended quarter: (channel, kind, business, customer, day of the quarter, path, unit);
# 李秀兰 of 武昌区 (customer 1) is never 汉口's.
QUARTER_CASES = [
    ("citizen_hotline", "business", "meter", 0, 3, "closed", "hankou"),
    ("hotline_96511", "consultation", "tariff", 4, 8, "resolved_on_spot", None),
    ("hotline_96511", "business", "repair", 2, 12, "closed", "wuchang"),
    ("city_message_board", "complaint", "service_attitude", 3, 20, "closed", "hankou"),
    ("group_company", "complaint", "construction", 4, 27, "closed_dissatisfied", "wuchang"),
    ("wechat", "business", "installation", 5, 33, "closed", "hankou"),
    ("ehuiban", "business", "installation", 0, 41, "closed", "wuchang"),
    ("hotline_96511", "praise", "repair", 2, 47, "closed", "hankou"),
    ("citizen_hotline", "business", "gas_leak", 2, 55, "closed", "wuchang"),
    ("complaint_phone", "complaint", "repair", 3, 62, "closed", "hankou"),
    ("hotline_96511", "consultation", "payment", 4, 70, "resolved_on_spot", None),
    ("sunshine_petition", "business", "supply_stop", 5, 76, "closed", "wuchang"),
    ("hotline_96511", "business", "meter", 0, 83, "voided", None),
]


def _code(session, model, code) -> int:
    return session.scalar(select(model.id).where(model.code == code))


def seed_quarter_cases(session: Session, users, quarter: qr.Quarter) -> int:
    """The quarter's cases, each through the workflow at its own dates (closed within days)."""
    start = quarter.period.start
    for index, (channel, kind, business, who, day, path, unit) in enumerate(QUARTER_CASES):
        received = start + timedelta(days=day, hours=9, minutes=5 + 7 * index)
        on_the_spot = "已向客户解释清楚，客户表示理解。" if path == "resolved_on_spot" else None
        case = register_demo_case(
            session,
            users,
            (channel, kind, business, who),
            received,
            f"{ACCOUNT_PREFIX}{index:06d}",
            on_the_spot,
        )
        branch = session.scalar(select(Branch).where(Branch.code == (unit or "hankou")))
        play_path(session, users, case, path, received, received + timedelta(days=6), branch)
    return len(QUARTER_CASES)


def seed_demo_quarter(session: Session, now: datetime | None = None) -> int:
    """The last ended quarter's cases and meeting, all or nothing; 0 when they are there (its
    cases are known by their gas accounts, 0272…: the demo's other cases may fall in the quarter
    too, early in a quarter)."""
    now = now or clock_now()
    seeded = select(Case.id).where(Case.gas_account.like(f"{ACCOUNT_PREFIX}%")).limit(1)
    if session.scalar(seeded) is not None:
        return 0
    users = {u.username: Actor.of(u) for u in session.scalars(select(SuqiuUser))}
    units = {code: id_ for code, id_ in session.execute(select(Branch.code, Branch.id))}
    if "csd" not in users or not {"hankou", "wuchang"} <= set(units):
        return 0
    return _seed(session, users, units, qr.last_ended(now))


@transaction()
def _seed(session: Session, users, units, quarter: qr.Quarter) -> int:
    made = seed_quarter_cases(session, users, quarter)
    held = quarter.period.last_day - timedelta(days=20)
    service_meetings.record_meeting(
        session,
        users["csd"],
        held_on=held,
        title=f"{quarter.year}年第{quarter.number}季度服务例会",
        minutes="通报本季度诉求办理情况，分析签收超时和重复来电的原因，布置整改措施。",
        measures=[
            MeasureDraft(
                "维修预约改为短信确认上门时间。", units["hankou"], held + timedelta(days=30)
            ),
            MeasureDraft(
                "联络员签收超时问题整改并书面说明。", units["wuchang"], held + timedelta(days=14)
            ),
        ],  # fmt: skip
        submission_key=f"demo-meeting-{quarter.token}",
        now=datetime.combine(held, datetime.min.time()).replace(hour=16),
    )
    return made
