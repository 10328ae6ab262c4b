"""Read-side helpers for cases: the work queues and their counts.

Every work queue is declared once, in ``QUEUES``: the statuses it lists and the actions that
make such a case someone's work. A user has a queue only if their role may do one of its
actions (app.domain.roles, composed roles included), and the queue lists only the cases on
which they may do one of them (``_may_act_clause``, the SQL twin of case_permissions.may_act_on).
Overdue has one definition, the domain's (app.domain.deadlines.overdue_state, with its SQL twin
app.services.case_search.overdue): the 已超期 queue, the list filter and the badges agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select
from sqlalchemy.orm import Session

# overdue_state: re-exported for the views; the one definition of overdue is the domain's.
from app.domain.channels import BRANCH_CALLBACK_CATEGORIES, ChannelCategoryCode
from app.domain.deadlines import FINISH_OPEN, OVERDUE_STATUSES, overdue_state
from app.domain.lifecycle import OPEN_STATUSES, TRANSITIONS, Action, CaseStatus
from app.models import Case
from app.services import case_search
from app.services.actor import Actor
from app.services.case_permissions import handles_only_assigned_cases, role_actions

NEAR = timedelta(hours=24)
# What moves a case towards its deadline: who may do one of these has the due-soon and overdue
# queues (CSD's 催办/督办 included, Art.10-4; 作废 and the extension requests are not work on
# the deadline).
DEADLINE_ACTIONS = ("dispatch", "sign_for", "assign", "progress", "reply", "remind", "supervise")


@dataclass(frozen=True)
class Queue:
    """One work queue of design §2."""

    actions: tuple[str, ...]  # the user's role must allow one of these
    statuses: tuple[CaseStatus, ...] = ()  # the cases it lists; () = the cases received first
    # "due_soon": the finish deadline within NEAR; "overdue": past a binding deadline now
    # (app.domain.deadlines.overdue_state: sign-for or finish, Art.30).
    window: str | None = None


QUEUES: dict[str, Queue] = {
    "to_dispatch": Queue(("dispatch",), (CaseStatus.PENDING_DISPATCH,)),
    "to_sign": Queue(("sign_for",), (CaseStatus.PENDING_SIGN,)),
    "to_handle": Queue(("progress", "reply"), (CaseStatus.IN_PROGRESS, CaseStatus.REHANDLING)),
    "to_review": Queue(
        ("approve", "reject", "answer_government"),
        (CaseStatus.PENDING_REVIEW, CaseStatus.PENDING_GOVERNMENT_REPLY),
    ),
    "to_callback": Queue(("callback",), (CaseStatus.PENDING_CALLBACK,)),
    "due_soon": Queue(DEADLINE_ACTIONS, tuple(sorted(FINISH_OPEN)), "due_soon"),
    # Both limits bind (Art.30): a case not signed for by its sign-for deadline is as overdue
    # as one past its finish deadline, and it is the same people's work (dispatch, sign for).
    "overdue": Queue(DEADLINE_ACTIONS, tuple(sorted(OVERDUE_STATUSES)), "overdue"),
    # Art.18: whoever registers cases follows those they received first, in any state. It is
    # a follow-up list, not work: it is the one queue whose cases need not offer an action.
    "first_contact": Queue(("register",)),
}
QUEUE_NAMES = tuple(QUEUES)
__all__ = ["QUEUES", "QUEUE_NAMES", "overdue_state", "queue_counts", "queue_filters"]


def usable_queues(actor: Actor) -> tuple[str, ...]:
    """The queues the actor's roles may act on, in menu order. Leaders and the committee act on
    no case: they have no work queue (their overview is the dashboard and the case list)."""
    allowed = role_actions(actor)
    return tuple(name for name, queue in QUEUES.items() if allowed.intersection(queue.actions))


def _refinement(actor: Actor, action: str) -> tuple[str, ColumnElement[bool] | None]:
    """The per-case part of case_permissions.may_act_on for ``action`` as SQL (the role part is
    checked by the caller, the branch scope by the query): a name for it and its clause."""
    user = actor.user
    if user is None:
        return "any", None
    if action == "dispatch" and not actor.scope.all_branches:
        return "own_company", and_(
            Case.channel_category_code == ChannelCategoryCode.COMPANY,
            Case.first_contact_id == user.id,
        )
    if action == "callback" and not actor.scope.all_branches:
        if user.branch_id is not None:  # Art.35: branches call back 政务/网办 cases
            return "branch_callback", Case.channel_category_code.in_(BRANCH_CALLBACK_CATEGORIES)
        return "own_company", and_(
            Case.channel_category_code == ChannelCategoryCode.COMPANY,
            Case.first_contact_id == user.id,
        )
    if action in ("progress", "reply") and handles_only_assigned_cases(actor):
        return "assigned", Case.handler_id == user.id
    return "any", None


def _may_act_clause(actor: Actor, queue: Queue, actions: list[str]) -> ColumnElement[bool]:
    """The queue's cases on which the actor may do one of ``actions`` (each only in the
    statuses where the transition table allows it)."""
    groups: dict[str, tuple[ColumnElement[bool] | None, set[CaseStatus]]] = {}
    for action in actions:
        statuses = {s for s in queue.statuses if (s, Action(action)) in TRANSITIONS}
        name, clause = _refinement(actor, action)
        groups.setdefault(name, (clause, set()))[1].update(statuses)
    pieces = []
    for clause, statuses in groups.values():
        if statuses:
            in_status = Case.status.in_(sorted(statuses))
            pieces.append(in_status if clause is None else and_(in_status, clause))
    if not pieces:
        return false()
    return pieces[0] if len(pieces) == 1 else or_(*pieces)


def _window(window: str | None, now: datetime) -> list:
    if window == "due_soon":
        return [Case.finish_due >= now, Case.finish_due < now + NEAR]
    if window == "overdue":
        return [case_search.overdue(now)]
    return []


def queue_filters(actor: Actor, now: datetime, *, include_closed: bool = False) -> dict[str, list]:
    """The WHERE clauses of the actor's work queues (design §2), only of those they may use;
    the caller adds the actor's branch scope. 我首接的诉求 lists the open cases unless
    ``include_closed`` (issue 12: it listed every case ever received, years of them)."""
    allowed = role_actions(actor)
    filters: dict[str, list] = {}
    for name, queue in QUEUES.items():
        actions = [a for a in queue.actions if a in allowed]
        if not actions:
            continue
        if not queue.statuses:
            filters[name] = [Case.first_contact_id == actor.user_id]
            if not include_closed:
                filters[name].append(Case.status.in_(OPEN_STATUSES))
            continue
        filters[name] = [
            Case.status.in_(queue.statuses),
            _may_act_clause(actor, queue, actions),
            *_window(queue.window, now),
        ]
    return filters


def queue_counts(session: Session, actor: Actor, now: datetime) -> dict[str, int]:
    """The count of each of the actor's queues in two indexed queries: the open cases in the
    actor's scope (the status index keeps closed cases out), and the cases received first."""
    filters = queue_filters(actor, now)
    first_contact = filters.pop("first_contact", None)
    counts: dict[str, int] = {}
    if filters:
        columns = [
            func.coalesce(func.sum(case((and_(*where), 1), else_=0)), 0).label(name)
            for name, where in filters.items()
        ]
        open_cases = select(*columns).select_from(Case).where(Case.status.in_(OPEN_STATUSES))
        row = session.execute(actor.scope.apply(open_cases, Case)).one()
        counts = {name: int(row._mapping[name]) for name in filters}
    if first_contact is not None:
        counts["first_contact"] = (
            session.scalar(select(func.count()).select_from(Case).where(*first_contact)) or 0
        )
    return {name: counts[name] for name in QUEUES if name in counts}
