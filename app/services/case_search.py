"""Conditions behind the case list's filters that carry a rule (issue 6 item 15): plain
comparisons on indexed columns (``ix_case_status_due``), no function around a column."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_

from app.domain.errors import InvalidPhoneError
from app.domain.phone import normalise_phone
from app.models import Case
from app.services.sweep import FINISH_OPEN


def overdue(now: datetime) -> ColumnElement[bool]:
    """Open and past the (possibly extended) finish deadline now (Art.30), without waiting for
    the sweep's flag; the same definition as the 已超期 work queue."""
    return and_(Case.status.in_(FINISH_OPEN), Case.finish_due < now)


def not_overdue(now: datetime) -> ColumnElement[bool]:
    return or_(Case.status.not_in(FINISH_OPEN), Case.finish_due.is_(None), Case.finish_due >= now)


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
