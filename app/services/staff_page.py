"""What the personal-breach pages read (Art.23/42): the list (open ones first, overdue marked),
a breach with its history, the menu's count of opinions awaited, the recording form's choices.
Every read through the branch scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from app.domain.i18n import _l
from app.domain.staff_accountability import BreachStatus, is_opinion_overdue
from app.models import Branch, Case, PersonalBreach, PersonalBreachEvent, SuqiuUser
from app.services import counting
from app.services.actor import Actor
from app.services.errors import PermissionDeniedError
from app.services.staff_accountability import OPINION, READ, may_record, visible_breach

PAGE_SIZE = 50


class BreachFilter(StrEnum):
    ALL = ""
    OPEN = "open"  # 待录入处理意见
    OVERDUE = "overdue"  # 逾期未录入
    ENTERED = "entered"  # 已录入处理意见


@dataclass(frozen=True)
class BreachRow:
    breach: PersonalBreach
    overdue: bool
    case_number: str | None  # None: no case, or one the reader may not see


@dataclass(frozen=True)
class BreachList:
    rows: list[BreachRow]
    total: int
    page: int
    pages: int


def _ensure_reader(actor: Actor) -> None:
    if not actor.may(READ):
        raise PermissionDeniedError(_l("Your role may not do this."))


def breach_list(
    session: Session, actor: Actor, shown: BreachFilter, page: int, now: datetime
) -> BreachList:
    """The breaches in the actor's scope: open ones first, the most urgent first, then those
    with an opinion, the latest first."""
    _ensure_reader(actor)
    query = actor.scope.apply(select(PersonalBreach), PersonalBreach)
    if shown is BreachFilter.OPEN:
        query = query.where(PersonalBreach.status == BreachStatus.OPEN)
    elif shown is BreachFilter.OVERDUE:
        query = query.where(
            PersonalBreach.status == BreachStatus.OPEN, PersonalBreach.opinion_due < now
        )
    elif shown is BreachFilter.ENTERED:
        query = query.where(PersonalBreach.status == BreachStatus.ENTERED)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    page = min(max(page, 1), pages)
    is_open = PersonalBreach.status == BreachStatus.OPEN
    ordered = query.order_by(
        case((is_open, 0), else_=1),
        case((is_open, PersonalBreach.opinion_due), else_=None),
        PersonalBreach.opinion_at.desc(),
        PersonalBreach.id.desc(),
    )
    breaches = session.scalars(ordered.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    numbers = _case_numbers(session, actor, {b.case_id for b in breaches if b.case_id})
    rows = [
        BreachRow(b, is_opinion_overdue(b.status, b.opinion_due, now), numbers.get(b.case_id))
        for b in breaches
    ]
    return BreachList(rows, total, page, pages)


def _case_numbers(session: Session, actor: Actor, case_ids: set[int]) -> dict[int, str]:
    """The numbers of those cases the actor may open (through the case scope)."""
    if not case_ids:
        return {}
    query = select(Case.id, Case.number).where(Case.id.in_(sorted(case_ids)))
    return {case_id: number for case_id, number in session.execute(actor.scope.apply(query, Case))}


def awaited_opinions(session: Session, actor: Actor) -> counting.MenuCount | None:
    """The menu's 待录入处理意见 count: open breaches in the actor's scope (None: not a reader)."""
    if not actor.may(READ):
        return None
    query = actor.scope.apply(
        select(PersonalBreach.id).where(PersonalBreach.status == BreachStatus.OPEN),
        PersonalBreach,
    ).limit(counting.MENU_CAP + 1)
    return counting.MenuCount(
        session.scalar(select(func.count()).select_from(query.subquery())) or 0
    )


@dataclass(frozen=True)
class BreachPage:
    breach: PersonalBreach
    events: list[PersonalBreachEvent]
    case_number: str | None  # None: no case, or one the reader may not see
    overdue: bool
    may_enter: bool


def breach_page(session: Session, actor: Actor, breach_id: int, now: datetime) -> BreachPage:
    breach = visible_breach(session, actor, breach_id)
    events = session.scalars(
        actor.scope.apply(
            select(PersonalBreachEvent)
            .where(PersonalBreachEvent.breach_id == breach.id)
            .order_by(PersonalBreachEvent.id),
            PersonalBreachEvent,
        )
    ).all()
    number = None
    if breach.case_id is not None:
        query = select(Case.number).where(Case.id == breach.case_id)
        number = session.scalar(actor.scope.apply(query, Case))
    is_open = breach.status == BreachStatus.OPEN
    return BreachPage(
        breach,
        list(events),
        number,
        is_opinion_overdue(breach.status, breach.opinion_due, now),
        is_open and actor.may(OPINION),
    )


@dataclass(frozen=True)
class RecordingChoices:
    units: list[Branch]
    employees: list[tuple[Branch, list[SuqiuUser]]]  # by unit, in tree order


def recording_choices(session: Session, actor: Actor) -> RecordingChoices:
    """The units and their active employees CSD may record a breach against (its scope)."""
    if not may_record(actor):
        raise PermissionDeniedError(
            _l("Personal breaches are recorded by the customer-service department.")
        )
    units = list(session.scalars(actor.scope.apply(select(Branch).order_by(Branch.path), Branch)))
    people = session.scalars(
        actor.scope.apply(
            select(SuqiuUser)
            .where(SuqiuUser.active.is_(True), SuqiuUser.branch_id.is_not(None))
            .order_by(SuqiuUser.last_name, SuqiuUser.first_name, SuqiuUser.id),
            SuqiuUser,
        )
    )
    by_unit: dict[int, list[SuqiuUser]] = {}
    for person in people:
        by_unit.setdefault(person.branch_id, []).append(person)
    return RecordingChoices(
        units, [(unit, by_unit[unit.id]) for unit in units if unit.id in by_unit]
    )
