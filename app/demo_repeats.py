"""Demo 重复诉求 (issue 11 item 4): callers who rang again about a case still open, registered
through the same service as real work with the earlier case chosen as 主单, so the case pages
show 主单 / 关联单 and the dashboards' 重复诉求数 is not always 0."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.lifecycle import CaseStatus
from app.models import Case as CaseModel
from app.models import CaseKind, Channel, SuqiuUser
from app.services.actor import Actor
from app.services.case_registration import Registration, register_case
from app.services.case_workflow import perform

# (phone of an open demo case, channel, registrar, hours ago, the caller's words)
REPEATS = [
    ("13871000002", "citizen_hotline", "csd", 20, "客户再次来电：维修人员仍未上门，要求尽快处理。"),
    ("13971000001", "hotline_96511", "csd", 30, "客户再次来电催促重办进度，情绪较急。"),
]


def seed_demo_repeats(session: Session, now: datetime) -> int:
    """Register each repeat as the 关联单 of the caller's earliest open demo case."""
    users = {u.username: Actor.of(u) for u in session.scalars(select(SuqiuUser))}
    made = 0
    for phone, channel, registrar, hours, content in REPEATS:
        primary = session.scalar(
            select(CaseModel)
            .where(
                CaseModel.customer_phone == phone,
                CaseModel.status.not_in(
                    [CaseStatus.CLOSED, CaseStatus.CLOSED_DISSATISFIED, CaseStatus.VOIDED]
                ),
                CaseModel.primary_case_id.is_(None),
            )
            .order_by(CaseModel.received_at)
        )
        if primary is None:
            continue
        received = now - timedelta(hours=hours)
        if received <= primary.received_at:
            received = primary.received_at + timedelta(minutes=30)
        data = Registration(
            channel_id=session.scalar(select(Channel.id).where(Channel.code == channel)),
            kind_id=session.scalar(select(CaseKind.id).where(CaseKind.code == "business")),
            customer_name=primary.customer_name,
            customer_phone=phone,
            customer_address=primary.customer_address,
            content=content,
            received_at=received,
            repeat_of=primary.id,
        )
        case = register_case(session, users[registrar], data, now=received)
        if primary.branch_id is not None:  # to the unit handling the 主单, as CSD would
            perform(
                session,
                users["csd"],
                case.id,
                "dispatch",
                version=case.version,
                now=received + timedelta(minutes=20),
                branch_id=primary.branch_id,
            )
        made += 1
    return made
