"""登记: a new case with a unique readable number, its first contact (Art.18) and its deadlines
from the time-limit rules on the working-day calendar (Art.19)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.domain.lifecycle import Action, CaseStatus, next_status
from app.domain.phone import normalise_phone
from app.models import (
    Bulletin,
    BusinessCategory,
    Case,
    CaseEvent,
    CaseKind,
    CaseNumberCounter,
    Channel,
)
from app.services.actor import Actor
from app.services.calendar import load_calendar
from app.services.case_events import case_event
from app.services.case_permissions import ensure_may
from app.services.errors import InvalidRecordError
from app.services.time_limits import deadlines_for, find_rule


@dataclass
class Registration:
    channel_id: int
    kind_id: int
    customer_name: str
    content: str
    business_category_id: int | None = None
    customer_phone: str | None = None
    customer_address: str | None = None
    gas_account: str | None = None
    external_ref: str | None = None
    urgent: bool = False
    media_involved: bool = False
    adverse_impact: bool = False
    major_interest: bool = False
    property_loss: bool = False
    casualties: bool = False
    received_at: datetime | None = None
    negotiated_due: datetime | None = None
    negotiated_reason: str | None = None
    resolve_on_spot: bool = False
    result: str | None = None


def next_case_number(session: Session, received: datetime) -> str:
    """SQ + date + 4-digit daily sequence; an atomic upsert keeps it unique when many agents
    register at once (row lock on PostgreSQL, database lock on SQLite)."""
    day = received.strftime("%Y%m%d")
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    session.execute(
        insert(CaseNumberCounter)
        .values(day=day, last=0)
        .on_conflict_do_nothing(index_elements=["day"])
    )
    last = session.execute(
        update(CaseNumberCounter)
        .where(CaseNumberCounter.day == day)
        .values(last=CaseNumberCounter.last + 1)
        .returning(CaseNumberCounter.last)
    ).scalar_one()
    return f"SQ{day}{last:04d}"


def active_bulletins(session: Session, at: datetime):
    """Bulletins shown beside the registration form (Art.37/38, Art.28)."""
    return session.scalars(
        select(Bulletin)
        .where(
            Bulletin.active.is_(True),
            Bulletin.starts_at <= at,
            (Bulletin.ends_at.is_(None)) | (Bulletin.ends_at >= at),
        )
        .order_by(Bulletin.kind.desc(), Bulletin.starts_at.desc())
    ).all()


def register_case(
    session: Session, actor: Actor, data: Registration, *, now: datetime | None = None
) -> Case:
    now = now or clock_now()
    ensure_may(actor, "register")
    channel = session.get(Channel, data.channel_id)
    kind = session.get(CaseKind, data.kind_id)
    if channel is None or kind is None:
        raise InvalidRecordError(_l("Please choose the channel and the kind of the case."))
    if not (data.customer_name or "").strip() or not (data.content or "").strip():
        raise InvalidRecordError(_l("The customer's name and the request text are required."))
    received = data.received_at or now
    if received > now:
        raise InvalidRecordError(_l("The time of receipt cannot be in the future."))
    business = (
        session.get(BusinessCategory, data.business_category_id)
        if data.business_category_id
        else None
    )
    calendar = load_calendar(session, range(received.year, received.year + 2))
    rule = find_rule(
        session,
        category_id=channel.category_id,
        kind_id=kind.id,
        urgent=bool(data.urgent),
        business_code=business.code if business else None,
    )
    deadlines = deadlines_for(rule, received, calendar)
    finish_due = deadlines.finish.due
    if data.negotiated_due is not None:
        if data.negotiated_due <= received:
            raise InvalidRecordError(
                _l("The negotiated deadline must be after the time of receipt.")
            )
        if not (data.negotiated_reason or "").strip():
            raise InvalidRecordError(_l("Please give the reason for the negotiated deadline."))
        finish_due = data.negotiated_due
    case = Case(
        number=next_case_number(session, received),
        channel=channel,
        channel_category_code=channel.category.code,
        kind=kind,
        business_category=business,
        customer_name=data.customer_name.strip(),
        customer_phone=normalise_phone(data.customer_phone) if data.customer_phone else None,
        customer_address=data.customer_address,
        gas_account=data.gas_account,
        content=data.content.strip(),
        external_ref=data.external_ref,
        urgent=bool(data.urgent),
        media_involved=data.media_involved,
        adverse_impact=data.adverse_impact,
        major_interest=data.major_interest,
        property_loss=data.property_loss,
        casualties=data.casualties,
        status=CaseStatus.PENDING_DISPATCH,
        first_contact_id=actor.user_id,
        received_at=received,
        sign_due=deadlines.sign.due,
        finish_due=finish_due,
        due_provisional=deadlines.sign.provisional or deadlines.finish.provisional,
        negotiated_reason=data.negotiated_reason if data.negotiated_due else None,
    )
    session.add(case)
    session.add(
        CaseEvent(
            case=case,
            action="register",
            actor_id=actor.user_id,
            at=now,
            to_status=CaseStatus.PENDING_DISPATCH,
            detail=json.dumps({"rule": rule.note}, ensure_ascii=False),
        )
    )
    if data.resolve_on_spot:
        ensure_may(actor, "resolve_on_spot")
        if not (data.result or "").strip():
            raise InvalidRecordError(_l("Please record how the case was resolved."))
        case.status = next_status(CaseStatus.PENDING_DISPATCH, Action.RESOLVE_ON_SPOT)
        case.result = data.result.strip()
        case.replied_at = now
        session.add(
            case_event(
                case,
                Action.RESOLVE_ON_SPOT,
                actor,
                now,
                note=case.result,
                before=CaseStatus.PENDING_DISPATCH,
            )
        )
    session.commit()
    return case


def count_cases(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Case)) or 0
