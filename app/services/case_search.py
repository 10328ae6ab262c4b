"""Conditions behind the case list's filters that carry a rule (issue 6 item 15): plain
comparisons on indexed columns (``ix_case_status_due``), no function around a column."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_

from app.domain.deadlines import BINDING_LIMITS
from app.domain.errors import InvalidPhoneError
from app.domain.phone import normalise_phone
from app.models import Case


def overdue_arms(now: datetime) -> list[tuple[frozenset, ColumnElement[bool]]]:
    """``overdue`` as (statuses, deadline past) pairs, for callers that intersect the statuses
    with their own: one ``status IN`` per arm keeps the planner's estimates right."""
    return [(limit.statuses, getattr(Case, limit.due_field) < now) for limit in BINDING_LIMITS]


def overdue(now: datetime) -> ColumnElement[bool]:
    """Overdue now (Art.30): the SQL twin of app.domain.deadlines.overdue_state, built from the
    same table of binding limits, without waiting for the sweep's flags. The 已超期 work queue
    and the case list's overdue filter both use it (the queue through ``overdue_arms``)."""
    return or_(
        *(and_(Case.status.in_(sorted(statuses)), past) for statuses, past in overdue_arms(now))
    )


def not_overdue(now: datetime) -> ColumnElement[bool]:
    """The complement of ``overdue`` (a case without a deadline is not overdue)."""
    return and_(
        *(
            or_(
                Case.status.not_in(sorted(limit.statuses)),
                getattr(Case, limit.due_field).is_(None),
                getattr(Case, limit.due_field) >= now,
            )
            for limit in BINDING_LIMITS
        )
    )


def customer_phone_is(raw: str) -> ColumnElement[bool] | None:
    """The number as registration stores it (``027-87654321``, ``13912345678``), however it
    was typed; None for an empty value."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        return Case.customer_phone == normalise_phone(raw)
    except InvalidPhoneError:
        return Case.customer_phone == raw
