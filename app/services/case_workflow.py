"""Every move of a case after registration: one entry point that checks the actor's role and
branch, the allowed transition and the form's version, writes the immutable event, notifies
and commits once (design §2; Art.13, 18–21, 30, 31, 35, 36)."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.channels import ChannelCategoryCode
from app.domain.clock import now as clock_now
from app.domain.complaints import check_voidable_with_determination
from app.domain.i18n import LazyString, _l
from app.domain.lifecycle import (
    Action,
    CallbackResult,
    CaseStatus,
    ExtensionStatus,
    allowed_actions,
    ensure_callback_retry_spaced,
    next_status,
    opens_rehandle,
)
from app.domain.repeats import check_voidable_primary
from app.models import (
    Branch,
    Case,
    ComplaintDetermination,
    Department,
    ExtensionRequest,
    SuqiuUser,
)
from app.services.actor import Actor
from app.services.case_events import case_event
from app.services.case_notify import notify_case
from app.services.case_permissions import (
    STALE_CASE,
    load_case_for,
    load_visible_case,
    may_act_on,
)
from app.services.errors import InvalidRecordError
from app.services.settings import callback_retry_spacing
from app.services.uow import transaction

FINISHING = {CaseStatus.CLOSED, CaseStatus.CLOSED_DISSATISFIED, CaseStatus.VOIDED}

# What a handler gives back: the event's note, its detail, and the callback result (if any).
Outcome = tuple[str | None, dict[str, object] | None, CallbackResult | None]


class UnknownInputError(InvalidRecordError):
    """A value the action does not take (a mistyped or foreign form field): refused, never
    silently dropped."""


def _required(value: str | None, message: LazyString) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidRecordError(message)
    return text


@transaction(conflict_message=STALE_CASE)
def perform(
    session: Session,
    actor: Actor,
    case_id: int,
    action: Action | str,
    *,
    version: int | None,
    now: datetime | None = None,
    **inputs: object,
) -> Case:
    """Apply ``action`` to the case; raises a typed error and changes nothing otherwise.
    ``inputs`` are the action's own values (``ACTION_INPUTS``); any other name is refused."""
    action = Action(action)
    now = now or clock_now()
    case = load_case_for(session, actor, case_id, action.value, version)
    before = CaseStatus(case.status)
    handler = _HANDLERS.get(action)
    if handler is None:  # registration and extensions have their own services
        raise InvalidRecordError(_l("The action or a value of the form is not valid."))
    unknown = sorted(set(inputs) - ACTION_INPUTS[action])
    if unknown:
        raise UnknownInputError(
            _l("This action does not take the value(s) %(names)s."), names=", ".join(unknown)
        )
    note, detail, callback = handler(session, actor, case, now, **inputs)
    after = next_status(
        before,
        action,
        government=case.channel_category_code == ChannelCategoryCode.GOVERNMENT,
        rehandle_count=case.rehandle_count,
        callback=callback,
        unreachable_attempts=case.unreachable_attempts,
        has_unit=case.branch_id is not None,
    )
    _bookkeeping(case, action, before, after, callback, now)
    case.status = after
    session.add(
        case_event(
            case, action.value, actor, now, note=note, detail=detail, before=before, after=after
        )
    )
    notify_case(session, case, action, before, after, note)
    return case


def _bookkeeping(
    case: Case,
    action: Action,
    before: CaseStatus,
    after: CaseStatus,
    callback: CallbackResult | None,
    now: datetime,
) -> None:
    if action is Action.CALLBACK and callback is not None:
        case.callback_result = callback.value
        if callback is CallbackResult.UNREACHABLE:
            case.unreachable_attempts += 1
            case.last_unreachable_at = now
        if opens_rehandle(callback, after):
            case.rehandle_count += 1  # Art.21: the one 重办
            case.replied_at = None
    if after in FINISHING and case.closed_at is None:
        case.closed_at = now


def _department_of(
    session: Session, department_id: int | None, branch_id: int | None
) -> Department | None:
    """The chosen department, which must belong to the case's unit (Art.24)."""
    if not department_id:
        return None
    department = session.get(Department, department_id)
    if department is None or department.branch_id != branch_id:
        raise InvalidRecordError(_l("The department must belong to the chosen unit."))
    return department


# The handlers: one per action, its inputs as keyword-only parameters (nothing else accepted).


def _dispatch(
    session: Session,
    actor: Actor,
    case: Case,
    now: datetime,
    *,
    branch_id: int | None = None,
    department_id: int | None = None,
    note: str | None = None,
) -> Outcome:
    branch = session.get(Branch, branch_id) if branch_id else None
    if branch is None or not branch.active:
        raise InvalidRecordError(_l("Please choose the unit the case goes to."))
    department = _department_of(session, department_id, branch.id)
    case.branch, case.department, case.dispatched_at = branch, department, now
    return (
        note,
        # The id names the unit for good (Art.27 detection); the name is what the timeline shows.
        {
            "branch": branch.name,
            "branch_id": branch.id,
            "department": department.name if department else None,
        },
        None,
    )


def _return(
    session: Session, actor: Actor, case: Case, now: datetime, *, reason: str | None = None
) -> Outcome:
    reason = _required(reason, _l("Please give the reason for returning the case."))
    case.return_count += 1
    # The unit's pending extension request leaves with it: the next unit asks for its own.
    for request in session.scalars(
        select(ExtensionRequest).where(
            ExtensionRequest.case_id == case.id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
    ):
        request.status, request.decided_at = ExtensionStatus.CANCELLED, now
    previous = case.branch
    case.branch, case.department, case.handler = None, None, None
    detail: dict[str, object] = {"branch": previous.name if previous else None}
    if previous is not None:
        detail["branch_id"] = previous.id
    return reason, detail, None


def _sign(session: Session, actor: Actor, case: Case, now: datetime) -> Outcome:
    case.signed_at = now
    return None, None, None


def _assign(
    session: Session,
    actor: Actor,
    case: Case,
    now: datetime,
    *,
    handler_id: int | None = None,
    department_id: int | None = None,
    note: str | None = None,
) -> Outcome:
    handler = session.get(SuqiuUser, handler_id) if handler_id else None
    if handler is None or handler.branch_id != case.branch_id:
        raise InvalidRecordError(_l("Please choose a handler of the case's unit."))
    case.handler = handler
    if department_id:
        case.department = _department_of(session, department_id, case.branch_id)
    return note, {"handler": handler.display_name}, None


def _progress(
    session: Session, actor: Actor, case: Case, now: datetime, *, note: str | None = None
) -> Outcome:
    return _required(note, _l("Please describe the progress.")), None, None


def _reply(
    session: Session, actor: Actor, case: Case, now: datetime, *, result: str | None = None
) -> Outcome:
    case.result = _required(result, _l("Please record the result of the handling."))
    case.replied_at = now
    return case.result, None, None


def _optional_note(
    session: Session, actor: Actor, case: Case, now: datetime, *, note: str | None = None
) -> Outcome:
    """Approve and remind: a note may go with them, nothing else changes."""
    return note, None, None


def _reject(
    session: Session, actor: Actor, case: Case, now: datetime, *, reason: str | None = None
) -> Outcome:
    return _required(reason, _l("Please give the reason for sending the result back.")), None, None


def _answer_government(
    session: Session, actor: Actor, case: Case, now: datetime, *, note: str | None = None
) -> Outcome:
    return (
        _required(note, _l("Please record the reply sent to the government department.")),
        None,
        None,
    )


def _callback(
    session: Session,
    actor: Actor,
    case: Case,
    now: datetime,
    *,
    result: str | None = None,
    note: str | None = None,
) -> Outcome:
    try:
        outcome = CallbackResult(result or "")
    except ValueError as exc:
        raise InvalidRecordError(_l("Please record the callback result.")) from exc
    if outcome is CallbackResult.DISSATISFIED and not (note or "").strip():
        raise InvalidRecordError(_l("Please record what the customer is dissatisfied with."))
    ensure_callback_retry_spaced(outcome, case.last_unreachable_at, now, callback_retry_spacing())
    detail: dict[str, object] = {"result": outcome.value}
    if outcome is CallbackResult.UNREACHABLE:
        detail["attempt"] = case.unreachable_attempts + 1
    return note, detail, outcome


def _supervise(
    session: Session,
    actor: Actor,
    case: Case,
    now: datetime,
    *,
    note: str | None = None,
    reply_due: datetime | None = None,
) -> Outcome:
    note = _required(note, _l("Please write the supervision notice."))
    return note, {"reply_due": reply_due.isoformat(sep=" ") if reply_due else None}, None


def _void(
    session: Session, actor: Actor, case: Case, now: datetime, *, reason: str | None = None
) -> Outcome:
    note = _required(reason, _l("Please give the reason for voiding the case."))
    repeats = session.scalars(
        select(Case.number)
        .where(Case.primary_case_id == case.id, Case.status != CaseStatus.VOIDED)
        .order_by(Case.id)
    ).all()
    check_voidable_primary(list(repeats))
    complaint = session.execute(
        select(ComplaintDetermination.status, ComplaintDetermination.determination).where(
            ComplaintDetermination.case_id == case.id
        )
    ).first()
    if complaint is not None:
        check_voidable_with_determination(*complaint)
    return note, None, None


_HANDLERS: dict[Action, Callable[..., Outcome]] = {
    Action.DISPATCH: _dispatch,
    Action.RETURN_CASE: _return,
    Action.SIGN_FOR: _sign,
    Action.ASSIGN: _assign,
    Action.PROGRESS: _progress,
    Action.REPLY: _reply,
    Action.APPROVE: _optional_note,
    Action.REJECT: _reject,
    Action.ANSWER_GOVERNMENT: _answer_government,
    Action.CALLBACK: _callback,
    Action.REMIND: _optional_note,
    Action.SUPERVISE: _supervise,
    Action.VOID: _void,
}


def _keyword_inputs(handler: Callable[..., Outcome]) -> frozenset[str]:
    parameters = inspect.signature(handler).parameters.values()
    return frozenset(p.name for p in parameters if p.kind is inspect.Parameter.KEYWORD_ONLY)


# The names of the values each action takes, read from its handler's signature.
ACTION_INPUTS: dict[Action, frozenset[str]] = {
    action: _keyword_inputs(handler) for action, handler in _HANDLERS.items()
}


def available_actions(actor: Actor, case: Case) -> list[Action]:
    """The actions the current user may take on the case now — and only those."""
    possible = allowed_actions(CaseStatus(case.status))
    return [
        a for a in Action if a in possible and a in _HANDLERS and may_act_on(actor, case, a.value)
    ]


def route_suggestion(session: Session, case: Case) -> tuple[Branch | None, Department | None]:
    """Art.24: the unit whose territory names the customer's district, and its department
    handling the case's business category."""
    branch = None
    address = case.customer_address or ""
    for candidate in session.scalars(select(Branch).where(Branch.active.is_(True))):
        for place in (candidate.territory or "").replace("，", "、").split("、"):
            if place.strip() and place.strip() in address:
                branch = candidate
                break
        if branch:
            break
    department = None
    if branch is not None and case.business_category_id:
        for dept in session.scalars(select(Department).where(Department.branch_id == branch.id)):
            if any(c.id == case.business_category_id for c in dept.business_categories):
                department = dept
                break
    return branch, department


def record_survey(
    session: Session,
    actor: Actor,
    case_id: int,
    result: str | None,
    note: str | None,
    now: datetime | None = None,
) -> Case:
    """公司渠道: the satisfaction survey's answer is the callback (Art.35)."""
    case = load_visible_case(session, actor, case_id)
    if case.channel_category_code != ChannelCategoryCode.COMPANY:
        raise InvalidRecordError(
            _l(
                "Survey results are taken for company-channel cases only; "
                "government and online cases are called back by the "
                "branch (Art.35)."
            )
        )
    return perform(
        session,
        actor,
        case_id,
        Action.CALLBACK,
        version=None,
        now=now,
        result=result,
        note=note or str(_l("satisfaction survey")),
    )
