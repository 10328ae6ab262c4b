"""Demo personal breaches (Art.23/42), recorded by CSD through the service as real work is: one
of 汉口 awaiting the unit's handling opinion, one of 武昌 past its due date. Seeded once (a
second run keeps the data). The staff ratings (员工考评建议) show the approved personal complaint
app/demo_complaints.py seeds for 汉口's 张伟."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.clock import now as clock_now
from app.models import Branch, Case, PersonalBreach, SuqiuUser
from app.services.actor import Actor
from app.services.staff_accountability import record_breach

# (unit, employee, article, days ago recorded, what happened)
SCRIPT = [
    (
        "hankou",
        "handler_hankou",
        "art27",
        1,
        "客户到营业厅反映表具漏气，该员工以“不归本科室管”为由拒绝登记，"
        "让客户自行拨打热线，违反首问负责（第二十七条）。",
    ),
    (
        "wuchang",
        "handler_wuchang",
        "art28",
        12,
        "该员工对不熟悉的阶梯气价调整政策向客户作出“下月一定退费”的承诺，"
        "未按统一口径答复（第二十八条）。",
    ),
]


def seed_demo_staff(session: Session, now: datetime | None = None) -> int:
    if session.scalar(select(func.count()).select_from(PersonalBreach)):
        return 0
    now = now or clock_now()
    csd = session.scalar(select(SuqiuUser).where(SuqiuUser.username == "csd"))
    if csd is None:
        return 0
    made = 0
    for unit_code, username, article, days, description in SCRIPT:
        unit = session.scalar(select(Branch).where(Branch.code == unit_code))
        employee = session.scalar(select(SuqiuUser).where(SuqiuUser.username == username))
        if unit is None or employee is None:
            continue
        recorded = (now - timedelta(days=days)).replace(hour=10, minute=30, second=0)
        case_number = session.scalar(
            select(Case.number).where(Case.branch_id == unit.id).order_by(Case.id)
        )
        record_breach(
            session,
            Actor.of(csd),
            branch_id=unit.id,
            employee_id=employee.id,
            article=article,
            occurred_on=min(recorded.date() - timedelta(days=1), now.date()),
            description=description,
            case_number=case_number,
            now=recorded,
        )
        made += 1
    return made
