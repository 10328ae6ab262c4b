"""Demo major matter (Art.22/33/34) and media case (Art.29), made through the services as real
work is: a gas flash-fire with an injury and property loss in 汉口 (the review opened at
registration, 风险管理部 told, the unit's plan, the committee's 批示, a progress report), and a
media enquiry dispatched to 武昌 (党委工作部传讯组 and the unit head told). Seeded once (a second
run keeps the data)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.clock import now as clock_now
from app.models import (
    Branch,
    BusinessCategory,
    CaseKind,
    Channel,
    MajorMatter,
    MajorMatterEntry,
    SuqiuUser,
)
from app.services import major_matters
from app.services.actor import Actor
from app.services.case_registration import Registration, register_case
from app.services.case_workflow import perform


def _code(session, model, code):
    return session.scalar(select(model.id).where(model.code == code))


def seed_demo_major_matters(session: Session, now: datetime | None = None) -> int:
    if session.scalar(
        select(func.count()).select_from(MajorMatterEntry).where(MajorMatterEntry.kind == "plan")
    ):
        return 0
    users = {u.username: Actor.of(u) for u in session.scalars(select(SuqiuUser))}
    hankou, wuchang = _code(session, Branch, "hankou"), _code(session, Branch, "wuchang")
    if not {"csd", "liaison_hankou", "committee"} <= set(users) or not (hankou and wuchang):
        return 0
    now = now or clock_now()
    start = (now - timedelta(days=1)).replace(hour=20, minute=5, second=0, microsecond=0)

    def at(hours: float) -> datetime:
        return min(start + timedelta(hours=hours), now)

    fire = register_case(
        session,
        users["csd"],
        Registration(
            channel_id=_code(session, Channel, "citizen_hotline"),
            kind_id=_code(session, CaseKind, "business"),
            business_category_id=_code(session, BusinessCategory, "gas_leak"),
            customer_name="周建华",
            customer_phone="13971000031",
            customer_address="江岸区解放大道1688号5栋2单元",
            content="市民热线转来：居民家中燃气泄漏引发闪爆，一人手部轻度烧伤已送医，"
            "厨房门窗及橱柜受损，邻居担心安全，要求公司立即到场处置并说明原因。",
            received_at=start,
            urgent=True,
            adverse_impact=True,
            casualties=True,
            property_loss=True,
        ),
        now=start,
    )
    perform(session, users["csd"], fire.id, "dispatch", version=None, now=at(0.2), branch_id=hankou)
    perform(session, users["liaison_hankou"], fire.id, "sign_for", version=None, now=at(0.3))
    matter = session.scalar(select(MajorMatter).where(MajorMatter.case_id == fire.id))
    for username, kind, hours, text in (
        (
            "liaison_hankou",
            "plan",
            0.8,
            "1. 抢修队已到场关阀、通风、检测，排除再次泄漏风险；2. 由分公司责任人黄建军带队"
            "慰问伤者家属，垫付首期医疗费用；3. 会同保险公司和风险管理部定损；"
            "4. 对该楼栋开展入户安检，24小时内报告事故原因。",
        ),
        (
            "committee",
            "comment",
            2.0,
            "同意处置方案。伤者救治放在首位，定损和赔付依规从速；事故原因查明后报委员会，"
            "并在全公司开展同类隐患排查。",
        ),
        (
            "liaison_hankou",
            "progress",
            14.0,
            "伤者已出院；整栋12户入户安检完毕，发现2户软管老化已更换；"
            "初步原因为用户自行更换的软管脱落，定损报告预计明日完成。",
        ),
    ):
        major_matters.add_entry(session, users[username], matter.id, kind, text, now=at(hours))

    media = register_case(
        session,
        users["csd"],
        Registration(
            channel_id=_code(session, Channel, "city_message_board"),
            kind_id=_code(session, CaseKind, "complaint"),
            business_category_id=_code(session, BusinessCategory, "supply_stop"),
            customer_name="李记者",
            customer_phone="13871000032",
            customer_address="武昌区中北路108号",
            content="本地媒体记者来电，就武昌某小区连续两日停气、物业称未接到通知一事采访，"
            "要求公司说明停气原因和恢复时间。",
            received_at=at(3),
            media_involved=True,
        ),
        now=at(3),
    )
    perform(
        session, users["csd"], media.id, "dispatch", version=None, now=at(3.2), branch_id=wuchang
    )
    return 2
