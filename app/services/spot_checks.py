"""抽查回访 (Art.35): CSD draws a reproducible sample of the 政务/网办 cases closed in a period
and records what each customer says; each result is also an event on its case."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.channels import BRANCH_CALLBACK_CATEGORIES
from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.domain.lifecycle import CallbackResult, CaseStatus
from app.domain.sampling import draw_sample
from app.models import Case, SpotCheck, SpotCheckItem
from app.services.actor import Actor
from app.services.case_events import case_event
from app.services.case_permissions import ensure_may
from app.services.errors import ConflictError, InvalidRecordError
from app.services.uow import transaction

# Art.35: CSD spot-checks the categories the branches call back.
CHECKED_CATEGORIES = BRANCH_CALLBACK_CATEGORIES
CLOSED = (CaseStatus.CLOSED, CaseStatus.CLOSED_DISSATISFIED)


def rate_to_bp(percent: str | Decimal | None) -> int:
    """ "10" or "2.5" (percent) -> basis points, exactly (no floats)."""
    try:
        value = Decimal(str(percent).strip())
        if not value.is_finite():
            raise InvalidOperation
    except (InvalidOperation, AttributeError) as exc:
        raise InvalidRecordError(
            _l("The sampling rate must be a percentage between 0.01 and 100.")
        ) from exc
    bp = value * 100
    if bp != bp.to_integral_value() or not 0 < bp <= 10_000:
        raise InvalidRecordError(_l("The sampling rate must be a percentage between 0.01 and 100."))
    return int(bp)


@transaction()
def draw_spot_check(
    session: Session,
    actor: Actor,
    start: datetime,
    end: datetime,
    rate_percent,
    seed: str | None = None,
    now: datetime | None = None,
) -> SpotCheck:
    ensure_may(actor, "callback")
    if not actor.scope.all_branches:
        raise InvalidRecordError(_l("Spot checks are drawn by the customer-service department."))
    if end <= start:
        raise InvalidRecordError(_l("The end of the period must be after its start."))
    rate_bp = rate_to_bp(rate_percent)
    seed = seed or f"{start:%Y%m%d}-{end:%Y%m%d}"
    candidates = list(
        session.scalars(
            select(Case.id).where(
                Case.channel_category_code.in_(CHECKED_CATEGORIES),
                Case.status.in_(CLOSED),
                Case.closed_at >= start,
                Case.closed_at < end,
            )
        )
    )
    check = SpotCheck(
        period_start=start,
        period_end=end,
        rate_bp=rate_bp,
        seed=seed,
        population=len(candidates),
        drawn_by_id=actor.user_id,
        drawn_at=now or clock_now(),
    )
    check.items = (
        [SpotCheckItem(case_id=case_id) for case_id in draw_sample(candidates, rate_bp, seed)]
        if candidates
        else []
    )
    session.add(check)
    return check


@transaction()
def record_spot_check(
    session: Session,
    actor: Actor,
    item_id: int,
    result: str,
    note: str | None = None,
    now: datetime | None = None,
) -> SpotCheckItem:
    ensure_may(actor, "callback")
    if not actor.scope.all_branches:
        raise InvalidRecordError(_l("Spot checks are drawn by the customer-service department."))
    item = session.get(SpotCheckItem, item_id)
    if item is None:
        raise InvalidRecordError(_l("The spot-check item does not exist."))
    if item.result is not None:
        raise ConflictError(_l("This spot-check result has already been recorded."))
    try:
        outcome = CallbackResult(result)
    except ValueError as exc:
        raise InvalidRecordError(_l("Please record the callback result.")) from exc
    stamp = now or clock_now()
    item.result, item.note, item.done_by_id, item.done_at = (
        outcome.value,
        note,
        actor.user_id,
        stamp,
    )
    session.add(
        case_event(
            item.case, "spot_check", actor, stamp, note=note, detail={"result": outcome.value}
        )
    )
    return item
