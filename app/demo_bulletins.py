"""Demo notices of the units (Art.37/38), made through the bulletin services: one emergency of
汉口 awaiting CSD's review, and one business change of 武昌 submitted after a case about it had
arrived, published, whose late notice CSD may record as an Art.37 breach. Seeded once."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.bulletins import BulletinKind, NoticeDraft
from app.domain.clock import now as clock_now
from app.models import Branch, Bulletin, BusinessCategory, SuqiuUser
from app.services.actor import Actor
from app.services.bulletins import publish_bulletin, submit_bulletin


def _actor(session: Session, username: str) -> Actor:
    return Actor.of(session.scalar(select(SuqiuUser).where(SuqiuUser.username == username)))


def _id(session: Session, model, code: str) -> int | None:
    return session.scalar(select(model.id).where(model.code == code))


def seed_demo_bulletins(session: Session, now: datetime | None = None) -> int:
    """Returns how many notices were made (0 when the demo has its units' notices already)."""
    if session.scalar(select(Bulletin.id).where(Bulletin.submitted_by_id.is_not(None)).limit(1)):
        return 0
    now = now or clock_now()
    hankou, wuchang = _id(session, Branch, "hankou"), _id(session, Branch, "wuchang")
    supply_stop = _id(session, BusinessCategory, "supply_stop")
    if hankou is None or wuchang is None:
        return 0
    submit_bulletin(
        session,
        _actor(session, "liaison_hankou"),
        NoticeDraft(
            kind=BulletinKind.EMERGENCY.value,
            title="江岸区解放大道中压管线抢修停气",
            talking_points="解放大道中压管线受第三方施工损坏，正在抢修，沿线小区暂停供气。"
            "请向客户致歉，告知预计恢复时间；提醒客户关闭灶前阀，复气后先检查再点火；"
            "闻到气味请立即开窗并拨打96511。",
            starts_at=now - timedelta(minutes=30),
            expected_recovery_at=now + timedelta(hours=5),
            area="江岸区解放大道1000号至1200号沿线小区",
        ),
        branch_id=hankou,
        business_category_id=supply_stop,
        now=now,
    )
    late = submit_bulletin(
        session,
        _actor(session, "liaison_wuchang"),
        NoticeDraft(
            kind=BulletinKind.BUSINESS_CHANGE.value,
            title="武昌分公司停气复气预约流程调整（临时措施）",
            talking_points="管网改造期间，武昌片区停气后的复气改为预约上门：客户拨打96511"
            "登记地址和联系电话，运行维修科在24小时内上门复气，复气前需检查灶具。",
            starts_at=now - timedelta(days=6),
            area="武昌分公司供气范围",
        ),
        branch_id=wuchang,
        business_category_id=supply_stop,
        now=now,
    )
    publish_bulletin(
        session,
        _actor(session, "csd"),
        late.id,
        version=late.version,
        note="已核实，发布。",
        now=now,
    )
    return 2
