"""Personal breaches (Art.23/42; design §3): CSD records a person's breach of Art.27, 28 or 29,
the person's unit enters its handling opinion by the due date. One transaction per use case,
each writing one history event and notifying the other side; the rules are
app.domain.staff_accountability's."""

from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.domain.roles import HEAD, LIAISON
from app.domain.staff_accountability import (
    ARTICLE_LABELS,
    BreachAction,
    BreachStatus,
    article_needing_opinion,
    check_description,
    check_linked_violation,
    check_occurred_on,
    employee_in_unit,
    enter_opinion,
    opinion_deadline,
)
from app.models import (
    Branch,
    Case,
    PersonalBreach,
    PersonalBreachEvent,
    SuqiuUser,
    ViolationEntry,
)
from app.services.actor import Actor
from app.services.calendar import load_calendar
from app.services.errors import (
    ConflictError,
    InvalidRecordError,
    OutOfScopeError,
    PermissionDeniedError,
)
from app.services.notifications import send
from app.services.uow import transaction

READ = "read.staff_ratings"
# CSD records breaches (Art.10: it rates the units): the violation register's capability.
RECORD = "edit.violations"
OPINION = "edit.handling_opinions"
FORM_INCOMPLETE = _l("The form is incomplete; please reload the page.")
SUBMISSION_KEY_LENGTH = 64  # personal_breach.submission_key
STALE_BREACH = _l(
    "Someone else entered the handling opinion a moment ago; yours was not saved. The page now "
    "shows the current state."
)


def breach_link(breach_id: int) -> str:
    return f"/staff/breach/{breach_id}"


def visible_breach(session: Session, actor: Actor, breach_id: int) -> PersonalBreach:
    """The breach if the actor may read staff accountability and its unit is in their scope."""
    if not actor.may(READ):
        raise PermissionDeniedError(_l("Your role may not do this."))
    query = select(PersonalBreach).where(PersonalBreach.id == breach_id)
    breach = session.scalar(actor.scope.apply(query, PersonalBreach))
    if breach is None:
        raise OutOfScopeError(_l("The personal breach does not exist or you may not see it."))
    return breach


def may_record(actor: Actor) -> bool:
    """Art.10/42: the customer-service department records personal breaches, no unit itself."""
    return actor.may(RECORD) and actor.scope.all_branches


def _event(breach: PersonalBreach, action: BreachAction, actor: Actor, at: datetime, note=None):
    return PersonalBreachEvent(
        breach=breach,
        branch_id=breach.branch_id,
        action=action.value,
        actor_id=actor.user_id,
        at=at,
        note=note,
    )


def _unit_managers(session: Session, branch_id: int) -> list[int]:
    """The liaisons and heads of the unit: those who enter its handling opinions (Art.23)."""
    query = select(SuqiuUser.id).where(
        SuqiuUser.active.is_(True),
        SuqiuUser.branch_id == branch_id,
        SuqiuUser.roles.any(Role.name.in_([LIAISON.name, HEAD.name])),
    )
    return sorted(session.scalars(query))


class DuplicateSubmissionError(InvalidRecordError):
    """The recording form was submitted twice."""


def record_breach(
    session: Session,
    actor: Actor,
    *,
    branch_id: int | None,
    employee_id: int | None,
    article: str | None,
    occurred_on: date | None,
    description: str | None,
    case_number: str | None = None,
    violation_id: int | None = None,
    submission_key: str | None = None,
    now: datetime | None = None,
) -> PersonalBreach:
    """Art.42: CSD records a person's breach of Art.27, 28 or 29; the unit owes its handling
    opinion within 5 working days (Art.39's time), and its liaison and head are told. A form
    submitted twice (its ``submission_key``) — a double click, a resent page, two requests
    racing — gives the breach of the first submission: never a second breach nor notice."""
    key = (submission_key or "").strip() or None
    if key is not None and len(key) > SUBMISSION_KEY_LENGTH:
        raise InvalidRecordError(FORM_INCOMPLETE)
    existing = _recorded_with_key(session, actor, key)
    if existing is not None:
        return existing
    try:
        return _record(
            session,
            actor,
            branch_id=branch_id,
            employee_id=employee_id,
            article=article,
            occurred_on=occurred_on,
            description=description,
            case_number=case_number,
            violation_id=violation_id,
            submission_key=key,
            now=now or clock_now(),
        )
    except DuplicateSubmissionError:
        existing = _recorded_with_key(session, actor, key)
        if existing is None:
            raise
        return existing


def _recorded_with_key(session: Session, actor: Actor, key: str | None) -> PersonalBreach | None:
    if not key or actor.user_id is None:
        return None
    return session.scalar(
        select(PersonalBreach).where(
            PersonalBreach.submission_key == key, PersonalBreach.recorded_by_id == actor.user_id
        )
    )


@transaction(lambda exc: DuplicateSubmissionError(_l("This form was already submitted.")))
def _record(
    session: Session,
    actor: Actor,
    *,
    branch_id: int | None,
    employee_id: int | None,
    article: str | None,
    occurred_on: date | None,
    description: str | None,
    case_number: str | None,
    violation_id: int | None,
    submission_key: str | None,
    now: datetime,
) -> PersonalBreach:
    if not may_record(actor):
        raise PermissionDeniedError(
            _l("Personal breaches are recorded by the customer-service department.")
        )
    chosen = article_needing_opinion(article)
    unit = session.get(Branch, branch_id) if branch_id else None
    if unit is None:
        raise InvalidRecordError(_l("Please choose the employee's unit."))
    actor.scope.ensure_branch(session, unit.id)
    employee = session.get(SuqiuUser, employee_id) if employee_id else None
    if employee is None:
        raise InvalidRecordError(_l("Please choose the employee."))
    employee_unit = session.get(Branch, employee.branch_id) if employee.branch_id else None
    if not employee_in_unit(employee_unit.path if employee_unit else None, unit.path):
        raise InvalidRecordError(
            _l("%(name)s does not work in %(unit)s or its sub-units (Art.23)."),
            name=employee.display_name,
            unit=unit.name,
        )
    day = check_occurred_on(occurred_on, now.date())
    text = check_description(description)
    case_id = _case_id(session, actor, case_number)
    if violation_id is not None:
        entry = session.scalar(
            actor.scope.apply(
                select(ViolationEntry).where(ViolationEntry.id == violation_id), ViolationEntry
            )
        )
        if entry is None:
            raise InvalidRecordError(_l("The violation does not exist or you may not see it."))
        if entry.branch_id != unit.id:
            raise InvalidRecordError(_l("The violation entry belongs to another unit."))
        check_linked_violation(chosen, entry.cause, entry.status)
        case_id = case_id or entry.case_id
    due = opinion_deadline(now, load_calendar(session, range(now.year, now.year + 2)))
    breach = PersonalBreach(
        branch_id=unit.id,
        employee_id=employee.id,
        article=chosen.value,
        case_id=case_id,
        violation_id=violation_id,
        occurred_on=day,
        description=text,
        recorded_by_id=actor.user_id,
        recorded_at=now,
        opinion_due=due.due,
        opinion_due_provisional=due.provisional,
        status=BreachStatus.OPEN.value,
        submission_key=submission_key,
    )
    session.add(breach)
    session.add(_event(breach, BreachAction.RECORDED, actor, now))
    session.flush()
    send(
        session,
        _unit_managers(session, unit.id),
        category="personal_breach",
        title=str(
            _l(
                "%(name)s: %(article)s — please enter the unit's handling opinion by %(due)s",
                name=employee.display_name,
                article=ARTICLE_LABELS[chosen],
                due=f"{due.due:%Y-%m-%d}",
            )
        ),
        body=text,
        link=breach_link(breach.id),
    )
    return breach


def _case_id(session: Session, actor: Actor, case_number: str | None) -> int | None:
    number = (case_number or "").strip().upper()
    if not number:
        return None
    case_id = session.scalar(actor.scope.apply(select(Case.id).where(Case.number == number), Case))
    if case_id is None:
        raise InvalidRecordError(_l("There is no case numbered %(number)s."), number=number)
    return case_id


@transaction(conflict_message=STALE_BREACH)
def enter_handling_opinion(
    session: Session,
    actor: Actor,
    breach_id: int,
    *,
    version: int | None,
    opinion: str | None,
    now: datetime | None = None,
) -> PersonalBreach:
    """Art.23/42: the unit's liaison or head records its handling opinion about the person,
    once; CSD, who recorded the breach, is told. ``version`` is the breach's as the form showed
    it: required, a missing or older one is refused as stale."""
    if not actor.may(OPINION):
        raise PermissionDeniedError(_l("Your role may not do this."))
    now = now or clock_now()
    breach = visible_breach(session, actor, breach_id)
    if version is None:  # a form without its version could overwrite what it never showed
        raise ConflictError(FORM_INCOMPLETE)
    if version != breach.version:
        raise ConflictError(STALE_BREACH)
    status, text = enter_opinion(BreachStatus(breach.status), opinion)
    breach.status, breach.opinion = status.value, text
    breach.opinion_by_id, breach.opinion_at = actor.user_id, now
    session.add(_event(breach, BreachAction.OPINION, actor, now, text))
    session.flush()
    send(
        session,
        [breach.recorded_by_id],
        category="personal_breach",
        title=str(
            _l(
                "%(unit)s entered its handling opinion on %(name)s",
                unit=breach.branch.name,
                name=breach.employee.display_name,
            )
        ),
        body=text,
        link=breach_link(breach.id),
    )
    return breach
