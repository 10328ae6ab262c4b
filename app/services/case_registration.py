"""登记: a new case with a unique readable number, its first contact (Art.18) and its deadlines
from the time-limit rules on the working-day calendar (Art.19)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Executable, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.domain.bulletins import BulletinStatus
from app.domain.channels import ChannelCategoryCode
from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.domain.lifecycle import Action, CaseStatus, next_status
from app.domain.phone import normalise_phone
from app.domain.registration import check_receipt_time
from app.domain.repeats import account_key, clean_address
from app.models import (
    Bulletin,
    Case,
    CaseEvent,
    CaseNumberCounter,
    Channel,
)
from app.services import major_matters, reference_data, repeats
from app.services.actor import Actor
from app.services.case_events import case_event
from app.services.case_notify import notify_case
from app.services.case_permissions import ensure_may
from app.services.errors import InvalidRecordError
from app.services.time_limits import choose_rule, deadlines_for
from app.services.uow import transaction


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
    # Branch staff at the counter (Art.18/27): keep the case in their own unit, or leave it
    # to CSD for dispatch.
    to_own_unit: bool = False
    registration_key: str | None = None
    # 重复诉求: the earlier case the agent chose as this case's 主单 (app.services.repeats).
    repeat_of: int | None = None
    # The external system delivering the case through /api/v1 (app.services.api_intake).
    api_client_id: int | None = None


def next_case_number(session: Session, received: datetime) -> str:
    """SQ + date + 4-digit daily sequence; one atomic upsert keeps it unique when many agents
    register at once (row lock on PostgreSQL, database lock on SQLite)."""
    return _number_and_reference_version(session, received)[0]


def _number_and_reference_version(session: Session, received: datetime) -> tuple[str, int | None]:
    """The next case number and, from the same statement, the reference data's version
    (app.services.reference_data). The counter's row stays locked until the commit."""
    day = received.strftime("%Y%m%d")
    last, version = _reserve_numbers(session, day, 1)
    return case_number(day, last), version


def case_number(day: str, sequence: int) -> str:
    """SQ + date + the day's sequence, at least 4 digits."""
    return f"SQ{day}{sequence:04d}"


def _reserve_numbers(session: Session, day: str, count: int) -> tuple[int, int | None]:
    """The day's sequence moved on by ``count`` (one atomic upsert): its new last value (the
    numbers last-count+1 .. last are the caller's) and the reference data's version."""
    dialect = session.get_bind().dialect.name
    statement = _NUMBER_UPSERTS.get(dialect)
    if statement is None:  # built once a dialect: every registration runs it
        insert = pg_insert if dialect == "postgresql" else sqlite_insert
        values = insert(CaseNumberCounter).values(day=bindparam("day"), last=bindparam("count"))
        statement = _NUMBER_UPSERTS[dialect] = values.on_conflict_do_update(
            index_elements=["day"], set_={"last": CaseNumberCounter.last + bindparam("count")}
        ).returning(CaseNumberCounter.last, reference_data.version_now())
    last, version = session.execute(statement, {"day": day, "count": count}).one()
    return last, version


_NUMBER_UPSERTS: dict[str, Executable] = {}


def registrable_channels(session: Session, actor: Actor) -> list[Channel]:
    """The channels the actor may register cases from: government and online channel cases
    are received by CSD (Art.13), everyone else records what reaches the company directly."""
    query = select(Channel).where(Channel.active.is_(True)).order_by(Channel.sort_order)
    channels = session.scalars(query).all()
    if actor.scope.all_branches:
        return list(channels)
    return [c for c in channels if c.category.code == ChannelCategoryCode.COMPANY]


def active_bulletins(session: Session, at: datetime) -> Sequence[Bulletin]:
    """Bulletins shown beside the registration form (Art.37/38, Art.28): published and current
    (app.domain.bulletins.is_current), every unit's, to everyone who registers cases; a notice
    awaiting review or sent back never."""
    return session.scalars(
        select(Bulletin)
        .where(
            Bulletin.status == BulletinStatus.PUBLISHED.value,
            Bulletin.active.is_(True),
            Bulletin.starts_at <= at,
            (Bulletin.ends_at.is_(None)) | (Bulletin.ends_at >= at),
        )
        .order_by(Bulletin.kind.desc(), Bulletin.starts_at.desc())
    ).all()


class DuplicateSubmissionError(InvalidRecordError):
    """The registration form was submitted twice."""


def register_case(
    session: Session, actor: Actor, data: Registration, *, now: datetime | None = None
) -> Case:
    """登记. A form submitted twice — a double click, a resent page, two requests racing —
    gives the case of the first submission, never a second case."""
    existing = _registered_with_key(session, actor, data.registration_key)
    if existing is not None:
        return existing
    try:
        return _register(session, actor, data, now=now or clock_now())
    except DuplicateSubmissionError:
        existing = _registered_with_key(session, actor, data.registration_key)
        if existing is None:
            raise
        return existing


def _registered_with_key(session: Session, actor: Actor, key: str | None) -> Case | None:
    if not key:
        return None
    return session.scalar(
        select(Case).where(Case.registration_key == key, Case.first_contact_id == actor.user_id)
    )


def check_registration(data: Registration, now: datetime) -> None:
    """What a registration must say before anything is written (Art.18/19): a name and a
    request, a plausible time of receipt, a negotiated deadline after it with its reason."""
    if not (data.customer_name or "").strip() or not (data.content or "").strip():
        raise InvalidRecordError(_l("The customer's name and the request text are required."))
    received = data.received_at or now
    check_receipt_time(received, now)
    if data.negotiated_due is not None:
        if data.negotiated_due <= received:
            raise InvalidRecordError(
                _l("The negotiated deadline must be after the time of receipt.")
            )
        if not (data.negotiated_reason or "").strip():
            raise InvalidRecordError(_l("Please give the reason for the negotiated deadline."))


@transaction(lambda exc: DuplicateSubmissionError(_l("This form was already submitted.")))
def _register(session: Session, actor: Actor, data: Registration, *, now: datetime) -> Case:
    ensure_may(actor, "register")
    check_registration(data, now)
    # The number first: its statement also says whether this process's reference data is
    # current (no statement of its own); a refusal below rolls the number back.
    number, version = _number_and_reference_version(session, data.received_at or now)
    reference = reference_data.current(session, version)
    case = _new_case(session, reference, actor, data, number, now)
    if data.resolve_on_spot:
        _resolve_on_spot(session, actor, case, data.result, now)
    elif data.to_own_unit:
        _keep_in_own_unit(session, actor, case, now)
    session.flush()  # a repeated registration key fails here, inside the transaction
    major_matters.on_registration(session, case, actor, now)  # Art.22/29/33/34
    if data.repeat_of:
        session.flush()  # the case as it now stands: its version is the one the link checks
        repeats.link_repeat(
            session, actor, case.id, primary_id=data.repeat_of, version=case.version, now=now
        )
    return case


@transaction(lambda exc: DuplicateSubmissionError(_l("This form was already submitted.")))
def register_cases(
    session: Session, actor: Actor, registrations: Sequence[Registration], *, now: datetime
) -> list[Case]:
    """登记 of a batch delivered by another system (/api/v1/cases/batch): each case exactly as
    ``register_case`` makes it, all in one transaction with one number statement per day of
    receipt and one flush, so that a batch costs little more than one case. The caller has
    looked up the delivered references and refused, one by one, those ``check_registration``
    refuses (checked again here: a refusal now fails the batch); a reference delivered
    meanwhile by someone else fails the whole batch here (DuplicateSubmissionError), nothing
    written. Only what a delivery may say: no on-the-spot resolution, no own-unit dispatch, no
    repeat link."""
    ensure_may(actor, "register")
    by_day: dict[str, list[int]] = {}
    for index, data in enumerate(registrations):
        check_registration(data, now)
        if data.resolve_on_spot or data.to_own_unit or data.repeat_of:
            raise ValueError("a delivered case is only registered")
        by_day.setdefault(f"{data.received_at or now:%Y%m%d}", []).append(index)
    numbers: dict[int, str] = {}
    version = None
    for day, indexes in sorted(by_day.items()):
        last, version = _reserve_numbers(session, day, len(indexes))
        for offset, index in enumerate(indexes):
            numbers[index] = case_number(day, last - len(indexes) + 1 + offset)
    reference = reference_data.current(session, version)
    # Numbered in the order given, inserted in reference order: two batches racing on the same
    # references wait for each other on the unique index instead of deadlocking (their
    # numbers' counter rows are taken before, day by day in date order).
    order = sorted(
        range(len(registrations)),
        key=lambda i: (registrations[i].channel_id, registrations[i].external_ref or ""),
    )
    made = {
        index: _new_case(session, reference, actor, registrations[index], numbers[index], now)
        for index in order
    }
    session.flush()  # every case and its event in one round of inserts
    cases = [made[index] for index in range(len(registrations))]
    for case in cases:
        major_matters.on_registration(session, case, actor, now)  # Art.22/29/33/34
    return cases


def _new_case(
    session: Session, reference, actor: Actor, data: Registration, number: str, now: datetime
) -> Case:
    """The case as registered, with its deadlines (Art.19) and its 登记 event, added to the
    session."""
    received = data.received_at or now
    channel = reference.channels.get(data.channel_id)
    if channel is None or data.kind_id not in reference.kinds:
        raise InvalidRecordError(_l("Please choose the channel and the kind of the case."))
    category = ChannelCategoryCode(channel.category_code)
    if not actor.scope.all_branches and category is not ChannelCategoryCode.COMPANY:
        raise InvalidRecordError(
            _l(
                "Art.13: government and online channel cases are received by the "
                "customer-service department."
            )
        )
    business_code = reference.business_codes.get(data.business_category_id or 0)
    rule = choose_rule(
        reference.rules,
        category_id=channel.category_id,
        kind_id=data.kind_id,
        urgent=bool(data.urgent),
        business_code=business_code,
    )
    deadlines = deadlines_for(rule, received, reference.calendar)
    finish_due = data.negotiated_due or deadlines.finish.due
    case = Case(
        number=number,
        channel_id=data.channel_id,
        channel_category_code=category,
        kind_id=data.kind_id,
        business_category_id=data.business_category_id if business_code is not None else None,
        customer_name=data.customer_name.strip(),
        customer_phone=normalise_phone(data.customer_phone) if data.customer_phone else None,
        customer_address=clean_address(data.customer_address),
        gas_account=account_key(data.gas_account),
        content=data.content.strip(),
        external_ref=data.external_ref,
        registration_key=data.registration_key or None,
        api_client_id=data.api_client_id,
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
    return case


def _resolve_on_spot(
    session: Session, actor: Actor, case: Case, result: str | None, now: datetime
) -> None:
    ensure_may(actor, "resolve_on_spot")
    if result is None or not result.strip():
        raise InvalidRecordError(_l("Please record how the case was resolved."))
    case.status = next_status(CaseStatus.PENDING_DISPATCH, Action.RESOLVE_ON_SPOT)
    case.result = result.strip()
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


def _keep_in_own_unit(session: Session, actor: Actor, case: Case, now: datetime) -> None:
    """Art.18/27: a branch employee who receives a request hands it to their own unit's
    liaison directly (the dispatch is part of the registration, not a CSD decision)."""
    unit = actor.user.branch if actor.user is not None else None
    if unit is None or not unit.active:
        raise InvalidRecordError(_l("Only staff of a unit can keep a case in their own unit."))
    before = CaseStatus(case.status)
    case.status = next_status(before, Action.DISPATCH)
    case.branch, case.dispatched_at = unit, now
    session.add(
        case_event(
            case,
            Action.DISPATCH,
            actor,
            now,
            detail={"branch": unit.name, "branch_id": unit.id, "department": None},
            before=before,
        )
    )
    notify_case(session, case, Action.DISPATCH, before, case.status, None)


def count_cases(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Case)) or 0
