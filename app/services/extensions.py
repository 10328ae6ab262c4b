"""延期申请 (Art.30): the branch asks no later than the calendar day before the deadline's day,
with a reason; CSD approves (new deadline) or rejects. Late requests are refused."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain.clock import format_datetime
from app.domain.clock import now as clock_now
from app.domain.deadlines import extension_request_in_time, latest_extension_request
from app.domain.i18n import _l
from app.domain.lifecycle import TRANSITIONS, Action, CaseStatus, ExtensionStatus, next_status
from app.models import ExtensionRequest
from app.services.actor import Actor
from app.services.case_events import case_event
from app.services.case_notify import notify_extension_decided, notify_extension_requested
from app.services.case_permissions import (
    STALE_CASE,
    ensure_may,
    load_case_for,
    load_visible_case,
)
from app.services.errors import ConflictError, InvalidRecordError
from app.services.uow import transaction

# Where the transition table allows asking for more time.
EXTENDABLE = frozenset(s for s, a in TRANSITIONS if a is Action.REQUEST_EXTENSION)


@transaction(conflict_message=STALE_CASE)
def request_extension(
    session: Session,
    actor: Actor,
    case_id: int,
    *,
    version: int | None,
    requested_due: datetime | None,
    reason: str | None,
    now: datetime | None = None,
) -> ExtensionRequest:
    now = now or clock_now()
    case = load_case_for(session, actor, case_id, "request_extension", version)
    current_due = case.finish_due
    if CaseStatus(case.status) not in EXTENDABLE or current_due is None:
        raise InvalidRecordError(_l("Only a case being handled can be extended."))
    reason = (reason or "").strip()
    if not reason:
        raise InvalidRecordError(_l("Please give the reason for the extension."))
    if requested_due is None or requested_due <= current_due:
        raise InvalidRecordError(_l("The new deadline must be later than the current one."))
    if not extension_request_in_time(current_due, now):
        raise InvalidRecordError(
            _l(
                "Art.30: an extension must be requested at least one day before the "
                "deadline, i.e. by %(latest)s; this case now counts as overdue if not "
                "finished in time."
            ),
            latest=format_datetime(latest_extension_request(current_due)),
        )
    pending = session.scalar(
        select(ExtensionRequest.id).where(
            ExtensionRequest.case_id == case.id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
    )
    if pending:
        raise InvalidRecordError(
            _l("An extension request for this case is already waiting for a decision.")
        )
    request = ExtensionRequest(
        case=case,
        requested_by_id=actor.user_id,
        requested_at=now,
        reason=reason,
        old_due=current_due,
        requested_due=requested_due,
    )
    session.add(request)
    session.add(
        case_event(
            case,
            Action.REQUEST_EXTENSION,
            actor,
            now,
            note=request.reason,
            detail={"requested_due": f"{requested_due:%Y-%m-%d %H:%M}"},
        )
    )
    notify_extension_requested(session, case, request.reason)
    return request


@transaction(conflict_message=STALE_CASE)
def decide_extension(
    session: Session,
    actor: Actor,
    request_id: int,
    *,
    approve: bool,
    note: str | None = None,
    now: datetime | None = None,
) -> ExtensionRequest:
    now = now or clock_now()
    ensure_may(actor, "decide_extension")
    request = session.get(ExtensionRequest, request_id)
    if request is None:
        raise InvalidRecordError(_l("The extension request does not exist."))
    case = load_visible_case(session, actor, request.case_id)
    next_status(CaseStatus(case.status), Action.DECIDE_EXTENSION)  # not on a finished case
    if not approve and not (note or "").strip():
        raise InvalidRecordError(_l("Please give the reason for rejecting the extension."))
    _claim_pending(session, request, approve, actor, now, note)
    if approve:
        case.finish_due = request.requested_due
        case.finish_overdue = False
        case.extension_count += 1
    session.add(
        case_event(
            case, Action.DECIDE_EXTENSION, actor, now, note=note, detail={"approved": approve}
        )
    )
    notify_extension_decided(session, case, request.requested_by_id, approve, note)
    return request


def _claim_pending(
    session: Session,
    request: ExtensionRequest,
    approve: bool,
    actor: Actor,
    now: datetime,
    note: str | None,
) -> None:
    """Decide the request only if it is still pending, in one conditional UPDATE: of two CSD
    staff deciding at the same moment exactly one wins (the database serialises the two
    UPDATEs; the second matches no row), the other gets the conflict message."""
    claimed = session.execute(
        update(ExtensionRequest)
        .where(
            ExtensionRequest.id == request.id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
        .values(
            status=ExtensionStatus.decided(approve),
            decided_by_id=actor.user_id,
            decided_at=now,
            decision_note=note,
        )
        .returning(ExtensionRequest.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if claimed is None:
        raise ConflictError(_l("This extension request has already been decided."))
    session.refresh(request)
