"""The life of a case (design §2): statuses, actions and the one table of allowed moves.

Guards that depend on the regulation are pure predicates named after their article; services
call ``next_status`` and never decide a move themselves.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from app.domain.errors import DomainError
from app.domain.i18n import _l


class CaseStatus(StrEnum):
    PENDING_DISPATCH = "pending_dispatch"  # 待派发
    PENDING_SIGN = "pending_sign"  # 待签收
    IN_PROGRESS = "in_progress"  # 办理中
    PENDING_REVIEW = "pending_review"  # 待审核
    PENDING_GOVERNMENT_REPLY = "pending_government_reply"  # 待回复政务部门
    PENDING_CALLBACK = "pending_callback"  # 待回访
    REHANDLING = "rehandling"  # 重办中
    CLOSED = "closed"  # 已办结
    CLOSED_DISSATISFIED = "closed_dissatisfied"  # 不满意办结
    VOIDED = "voided"  # 已作废


class ClockState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"


CLOCK = {
    CaseStatus.PENDING_DISPATCH: ClockState.RUNNING,
    CaseStatus.PENDING_SIGN: ClockState.RUNNING,
    CaseStatus.IN_PROGRESS: ClockState.RUNNING,
    CaseStatus.REHANDLING: ClockState.RUNNING,
    # The branch has answered: the finish clock stops at the reply (Art.19).
    CaseStatus.PENDING_REVIEW: ClockState.PAUSED,
    CaseStatus.PENDING_GOVERNMENT_REPLY: ClockState.PAUSED,
    CaseStatus.PENDING_CALLBACK: ClockState.PAUSED,
    CaseStatus.CLOSED: ClockState.STOPPED,
    CaseStatus.CLOSED_DISSATISFIED: ClockState.STOPPED,
    CaseStatus.VOIDED: ClockState.STOPPED,
}
OPEN_STATUSES = frozenset(s for s, c in CLOCK.items() if c is not ClockState.STOPPED)
HANDLING_STATUSES = frozenset({CaseStatus.IN_PROGRESS, CaseStatus.REHANDLING})


class Action(StrEnum):
    RESOLVE_ON_SPOT = "resolve_on_spot"
    DISPATCH = "dispatch"
    RETURN_CASE = "return_case"
    SIGN_FOR = "sign_for"
    ASSIGN = "assign"
    PROGRESS = "progress"
    REPLY = "reply"
    APPROVE = "approve"
    REJECT = "reject"
    ANSWER_GOVERNMENT = "answer_government"
    CALLBACK = "callback"
    REMIND = "remind"
    SUPERVISE = "supervise"
    REQUEST_EXTENSION = "request_extension"
    DECIDE_EXTENSION = "decide_extension"
    VOID = "void"


class CallbackResult(StrEnum):
    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意
    UNREACHABLE = "unreachable"  # 联系不上


class ExtensionStatus(StrEnum):
    """延期申请 (Art.30): asked by the unit, decided once by CSD, withdrawn with the case."""

    PENDING = "pending"  # 待审批
    APPROVED = "approved"  # 已批准: the case has the new deadline
    REJECTED = "rejected"  # 已驳回
    CANCELLED = "cancelled"  # 已撤回: the unit returned the case before a decision

    @classmethod
    def decided(cls, approve: bool) -> ExtensionStatus:
        return cls.APPROVED if approve else cls.REJECTED


class ForbiddenTransitionError(DomainError):
    pass


S, A = CaseStatus, Action
_STAY = None  # the action keeps the status
TRANSITIONS: dict[tuple[CaseStatus, Action], CaseStatus | None] = {
    (S.PENDING_DISPATCH, A.RESOLVE_ON_SPOT): S.PENDING_CALLBACK,
    (S.PENDING_DISPATCH, A.DISPATCH): S.PENDING_SIGN,
    (S.PENDING_SIGN, A.RETURN_CASE): S.PENDING_DISPATCH,
    (S.PENDING_SIGN, A.SIGN_FOR): S.IN_PROGRESS,
    (S.IN_PROGRESS, A.ASSIGN): _STAY,
    (S.REHANDLING, A.ASSIGN): _STAY,
    (S.IN_PROGRESS, A.PROGRESS): _STAY,
    (S.REHANDLING, A.PROGRESS): _STAY,
    (S.IN_PROGRESS, A.REPLY): S.PENDING_REVIEW,
    (S.REHANDLING, A.REPLY): S.PENDING_REVIEW,
    (S.PENDING_REVIEW, A.APPROVE): S.PENDING_CALLBACK,  # 政务渠道: see next_status
    (S.PENDING_REVIEW, A.REJECT): S.IN_PROGRESS,  # back to 重办中 when re-handling
    (S.PENDING_GOVERNMENT_REPLY, A.ANSWER_GOVERNMENT): S.PENDING_CALLBACK,
    (S.PENDING_CALLBACK, A.CALLBACK): S.CLOSED,  # the result decides: see next_status
    (S.IN_PROGRESS, A.REQUEST_EXTENSION): _STAY,
    (S.REHANDLING, A.REQUEST_EXTENSION): _STAY,
    (S.PENDING_SIGN, A.REQUEST_EXTENSION): _STAY,
    (S.IN_PROGRESS, A.DECIDE_EXTENSION): _STAY,
    (S.REHANDLING, A.DECIDE_EXTENSION): _STAY,
    (S.PENDING_SIGN, A.DECIDE_EXTENSION): _STAY,
    (S.PENDING_REVIEW, A.DECIDE_EXTENSION): _STAY,
}
for _status in OPEN_STATUSES:
    TRANSITIONS[(_status, A.REMIND)] = _STAY
    TRANSITIONS[(_status, A.SUPERVISE)] = _STAY
    TRANSITIONS[(_status, A.VOID)] = S.VOIDED

MAX_REHANDLES = 1  # Art.21/36: one 重办 after the first 不满意
MAX_UNREACHABLE_ATTEMPTS = 3


def allowed_actions(status: CaseStatus) -> set[Action]:
    return {action for (state, action) in TRANSITIONS if state == status}


def next_status(
    status: CaseStatus,
    action: Action,
    *,
    government: bool = False,
    rehandle_count: int = 0,
    callback: CallbackResult | None = None,
    unreachable_attempts: int = 0,
    has_unit: bool = True,
) -> CaseStatus:
    """The status after ``action``, or ForbiddenTransitionError with a Chinese message.
    ``has_unit``: whether a handling unit holds the case (not so after 当场办结)."""
    if (status, action) not in TRANSITIONS:
        raise ForbiddenTransitionError(
            _l("This action is not possible while the case is “%(status)s”."),
            status=STATUS_LABELS[status],
        )
    target = TRANSITIONS[(status, action)] or status
    if action is A.APPROVE and government:
        return S.PENDING_GOVERNMENT_REPLY  # Art.13-2: CSD answers the government department
    if action in (A.REJECT, A.SIGN_FOR) and rehandle_count:
        return S.REHANDLING
    if action is A.CALLBACK:
        return after_callback(callback, rehandle_count, unreachable_attempts, has_unit)
    return target


def after_callback(
    result: CallbackResult | None,
    rehandle_count: int,
    unreachable_attempts: int,
    has_unit: bool = True,
) -> CaseStatus:
    """Art.20/21/36: satisfied closes; the first 不满意 opens one 重办 — with the unit that
    handled it, or back to 待派发 for a case resolved on the spot, which no unit holds yet (so
    that someone can move it on); a second closes the case as 不满意办结; 联系不上 retries up to
    the limit, then closes as closed unreachable."""
    if result is None:
        raise ForbiddenTransitionError(_l("Please record the callback result."))
    if result in (CallbackResult.SATISFIED, CallbackResult.BASICALLY_SATISFIED):
        return S.CLOSED
    if result is CallbackResult.DISSATISFIED:
        if rehandle_count >= MAX_REHANDLES:
            return S.CLOSED_DISSATISFIED
        return S.REHANDLING if has_unit else S.PENDING_DISPATCH
    if unreachable_attempts + 1 < MAX_UNREACHABLE_ATTEMPTS:
        return S.PENDING_CALLBACK
    return S.CLOSED


def opens_rehandle(result: CallbackResult | None, after: CaseStatus) -> bool:
    """Art.21: this callback opened the one 重办."""
    return result is CallbackResult.DISSATISFIED and after in (S.REHANDLING, S.PENDING_DISPATCH)


class CallbackTooSoonError(DomainError):
    pass


def ensure_callback_retry_spaced(
    result: CallbackResult, last_unreachable_at: datetime | None, now: datetime, spacing: timedelta
) -> None:
    """Art.20: a further attempt after 联系不上 counts only once the minimum interval has passed,
    so three calls in one minute cannot close a case as unreachable."""
    if result is not CallbackResult.UNREACHABLE or last_unreachable_at is None:
        return
    next_allowed = last_unreachable_at + spacing
    if now < next_allowed:
        raise CallbackTooSoonError(
            _l(
                "Art.20: the customer was unreachable at %(last)s; try again from %(next)s "
                "before recording another unreachable attempt."
            ),
            last=f"{last_unreachable_at:%Y-%m-%d %H:%M}",
            next=f"{next_allowed:%Y-%m-%d %H:%M}",
        )


STATUS_LABELS = {
    S.PENDING_DISPATCH: _l("Awaiting dispatch"),
    S.PENDING_SIGN: _l("Awaiting sign-for"),
    S.IN_PROGRESS: _l("In progress"),
    S.PENDING_REVIEW: _l("Awaiting review"),
    S.PENDING_GOVERNMENT_REPLY: _l("Awaiting reply to the government department"),
    S.PENDING_CALLBACK: _l("Awaiting callback"),
    S.REHANDLING: _l("Re-handling"),
    S.CLOSED: _l("Closed"),
    S.CLOSED_DISSATISFIED: _l("Closed dissatisfied"),
    S.VOIDED: _l("Voided"),
}
