"""Read-side helpers for cases: overdue at read time, the work queues and their counts."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from app.domain.deadlines import is_overdue
from app.domain.lifecycle import OPEN_STATUSES, CaseStatus
from app.models import Case
from app.services.actor import Actor
from app.services.case_permissions import handles_only_assigned_cases
from app.services.sweep import FINISH_OPEN, SIGN_OPEN

NEAR = timedelta(hours=24)
QUEUE_NAMES = (
    "to_sign",
    "to_handle",
    "to_review",
    "to_callback",
    "due_soon",
    "overdue",
    "first_contact",
)


def overdue_state(case: Case, now: datetime) -> str | None:
    """ "sign" or "finish" when the case is past a deadline now, without waiting for the sweep."""
    status = CaseStatus(case.status)
    if status in FINISH_OPEN and is_overdue(case.finish_due, now):
        return "finish"
    if status in SIGN_OPEN and is_overdue(case.sign_due, now):
        return "sign"
    return None


def queue_filters(actor: Actor, now: datetime) -> dict[str, list]:
    """The WHERE clauses of each work queue of the menu (design §2 work queues)."""
    user_id = actor.user_id
    return {
        "to_sign": [Case.status == CaseStatus.PENDING_SIGN],
        "to_handle": [Case.status.in_((CaseStatus.IN_PROGRESS, CaseStatus.REHANDLING))]
        + ([Case.handler_id == user_id] if handles_only_assigned_cases(actor) else []),
        "to_review": [
            Case.status.in_((CaseStatus.PENDING_REVIEW, CaseStatus.PENDING_GOVERNMENT_REPLY))
        ],
        "to_callback": [Case.status == CaseStatus.PENDING_CALLBACK],
        "due_soon": [
            Case.status.in_(FINISH_OPEN),
            Case.finish_due >= now,
            Case.finish_due < now + NEAR,
        ],
        "overdue": [Case.status.in_(FINISH_OPEN), Case.finish_due < now],
        "first_contact": [Case.first_contact_id == user_id],
    }


def queue_counts(session: Session, actor: Actor, now: datetime) -> dict[str, int]:
    """Every queue's count in two indexed queries: the open cases in the actor's scope (the
    status index keeps closed cases out), and the cases the actor received first."""
    filters = queue_filters(actor, now)
    first_contact = filters.pop("first_contact")
    columns = [
        func.coalesce(func.sum(case((and_(*where), 1), else_=0)), 0).label(name)
        for name, where in filters.items()
    ]
    open_cases = select(*columns).select_from(Case).where(Case.status.in_(OPEN_STATUSES))
    row = session.execute(actor.scope.apply(open_cases, Case)).one()
    counts = {name: int(row._mapping[name]) for name in filters}
    counts["first_contact"] = (
        session.scalar(select(func.count()).select_from(Case).where(*first_contact)) or 0
    )
    return counts
