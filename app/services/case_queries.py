"""Read-side helpers for cases: the work queues and their counts.

Every work queue is declared once, in ``QUEUES``: the statuses it lists and the actions that
make such a case someone's work. A user has a queue only if their role may do one of its
actions (app.domain.roles, composed roles included), and the queue lists only the cases on
which they may do one of them (``_may_act_groups``, the SQL twin of case_permissions.may_act_on).
Overdue has one definition, the domain's (app.domain.deadlines.overdue_state, with its SQL twin
app.services.case_search.overdue): the 已超期 queue, the list filter and the badges agree."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, and_, false, func, or_, select, union
from sqlalchemy.orm import Session, selectinload

# overdue_state: re-exported for the views; the one definition of overdue is the domain's.
from app.domain.channels import BRANCH_CALLBACK_CATEGORIES, ChannelCategoryCode
from app.domain.deadlines import FINISH_OPEN, OVERDUE_STATUSES, overdue_state
from app.domain.lifecycle import OPEN_STATUSES, TRANSITIONS, Action, CaseStatus
from app.models import Case
from app.services import case_search, counting
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
__all__ = [
    "QUEUES",
    "QUEUE_NAMES",
    "QueuePage",
    "overdue_state",
    "queue_counts",
    "queue_filters",
    "queue_page",
]


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


Group = tuple[frozenset[CaseStatus], ColumnElement[bool] | None]


def _may_act_groups(actor: Actor, queue: Queue, actions: list[str]) -> list[Group]:
    """The queue's cases on which the actor may do one of ``actions`` (each only in the
    statuses where the transition table allows it), as (statuses, refinement) pairs."""
    groups: dict[str, tuple[ColumnElement[bool] | None, set[CaseStatus]]] = {}
    for action in actions:
        statuses = {s for s in queue.statuses if (s, Action(action)) in TRANSITIONS}
        name, clause = _refinement(actor, action)
        groups.setdefault(name, (clause, set()))[1].update(statuses)
    return [(frozenset(statuses), clause) for clause, statuses in groups.values() if statuses]


def due_soon(now: datetime) -> ColumnElement[bool]:
    """The 临近时限 window: the finish deadline within NEAR from now (the due-soon queue, the
    dashboards' near-deadline count and the case list's filter read this one clause)."""
    return and_(Case.finish_due >= now, Case.finish_due < now + NEAR)


def due_soon_open(now: datetime) -> ColumnElement[bool]:
    """The open cases of the due-soon queue (statuses bound by the finish deadline) within the
    window, whoever may act on them."""
    return and_(Case.status.in_(QUEUES["due_soon"].statuses), due_soon(now))


def _within(groups: list[Group], window: str | None, now: datetime) -> list[Group]:
    """The groups narrowed to the queue's deadline window. Overdue is intersected arm by arm
    (sign-for and finish limits, Art.30) so that every arm names its statuses once: two
    ``status IN`` on one row made PostgreSQL expect 3,700 overdue cases of 55,000 and read the
    whole company's backlog for a branch."""
    if window == "due_soon":
        soon = due_soon(now)
        return [
            (statuses, soon if clause is None else and_(soon, clause))
            for statuses, clause in groups
        ]
    if window == "overdue":
        return [
            (statuses & limit_statuses, past if clause is None else and_(past, clause))
            for statuses, clause in groups
            for limit_statuses, past in case_search.overdue_arms(now)
            if statuses & limit_statuses
        ]
    return groups


def _term(group: Group) -> ColumnElement[bool]:
    statuses, clause = group
    in_status = Case.status.in_(sorted(statuses))
    return in_status if clause is None else and_(in_status, clause)


def _queue_arms(actor: Actor, now: datetime, include_closed: bool) -> dict[str, list]:
    """Each of the actor's queues as the terms of an OR, every term one set of statuses with
    its conditions, only of the queues they may use."""
    allowed = role_actions(actor)
    arms: dict[str, list] = {}
    for name, queue in QUEUES.items():
        actions = [a for a in queue.actions if a in allowed]
        if not actions:
            continue
        if not queue.statuses:
            received = Case.first_contact_id == actor.user_id
            arms[name] = [
                received if include_closed else and_(received, Case.status.in_(OPEN_STATUSES))
            ]
            continue
        groups = _within(_may_act_groups(actor, queue, actions), queue.window, now)
        arms[name] = [_term(group) for group in groups] or [false()]
    return arms


def queue_filters(actor: Actor, now: datetime, *, include_closed: bool = False) -> dict[str, list]:
    """The WHERE clauses of the actor's work queues (design §2), only of those they may use;
    the caller adds the actor's branch scope. 我首接的诉求 lists the open cases unless
    ``include_closed`` (issue 12: it listed every case ever received, years of them)."""
    return {name: [or_(*arms)] for name, arms in _queue_arms(actor, now, include_closed).items()}


def scoped_queue_terms(
    actor: Actor, now: datetime, *, include_closed: bool = False
) -> dict[str, list[ColumnElement[bool]]]:
    """``queue_filters`` with the actor's scope, as the terms of an OR: each queue term with
    each of the scope's terms (Scope.arms), every one an index range. The counts read each term
    alone and unite the results (``_capped_count``; a page goes through their OR, ``_page_ids``):
    a liaison's overdue
    count read the company's backlog through ``status IN … AND (branch OR first contact)``
    (55,000 rows at 1 M cases), and an OR of the terms still made PostgreSQL build a bitmap of
    every open case of the unit before counting 1,000 (110,000 at 10 M)."""
    scope_arms = actor.scope.arms(Case)
    return {
        name: arms if scope_arms is None else [and_(s, a) for s in scope_arms for a in arms]
        for name, arms in _queue_arms(actor, now, include_closed).items()
    }


def _capped_count(terms: list[ColumnElement[bool]]):
    """The number of cases matching any of ``terms``, reading at most MENU_CAP + 1 of each
    (exact up to the cap; past it, more than the cap). UNION: the terms may overlap."""
    limit = counting.MENU_CAP + 1
    pieces = [select(Case.id).where(term).limit(limit).subquery() for term in terms]
    united = union(*(select(piece.c.id) for piece in pieces)).subquery()
    return select(func.count()).select_from(united).scalar_subquery()


def _page_ids(terms: list[ColumnElement[bool]], page: int, size: int):
    """The ids of page ``page`` in deadline order, through the OR of the terms: walking the
    deadline index and stopping after the page beats sorting each term's cases when a term
    has many (a registrar's cases of every year; issue 12, measured at 3 M cases: 50 ms through
    the OR, 275-420 ms through a UNION of the terms each sorted)."""
    return (
        select(Case.id)
        .where(or_(*terms))
        .order_by(Case.finish_due.asc(), Case.id)
        .limit(size + 1)  # one more: whether a next page exists, past the count's cap too
        .offset((page - 1) * size)
    )


def queue_counts(session: Session, actor: Actor, now: datetime) -> dict[str, int]:
    """The count of each of the actor's queues for the menu, each capped at MENU_CAP (999+),
    in one statement that reads at most MENU_CAP + 1 index entries per term, so that the menu
    does not grow with the open cases (issue 12: one SUM over every open case in scope took
    340 ms at 1 M cases for CSD)."""
    terms = scoped_queue_terms(actor, now)
    if not terms:
        return {}
    row = session.execute(
        select(*(_capped_count(queue).label(name) for name, queue in terms.items()))
    ).one()
    return {name: counting.MenuCount(row._mapping[name]) for name in terms}


@dataclass(frozen=True)
class QueuePage:
    """One page of a work queue: its cases in deadline order and the queue's count, capped as
    in the menu (999+), so that the page and its menu entry show the same number."""

    cases: list[Case]
    total: int
    page: int
    size: int
    has_next: bool  # from the page's own read (size + 1 ids): the count stops at 999+


def queue_page(
    session: Session,
    actor: Actor,
    name: str,
    now: datetime,
    page: int,
    *,
    include_closed: bool = False,
    size: int = 20,
) -> QueuePage | None:
    """The page of the actor's queue ``name`` (None when they have no such queue). The ids come
    first, from the case table alone in deadline order (``_page_ids``), then only those cases
    are loaded with their unit: loading the whole queue's rows with their joins before sorting
    took 540 ms for CSD's overdue queue at 1 M cases."""
    terms = scoped_queue_terms(actor, now, include_closed=include_closed).get(name)
    if terms is None:
        return None
    total = counting.MenuCount(session.scalar(select(_capped_count(terms))) or 0)
    ids = list(session.scalars(_page_ids(terms, page, size)))
    shown = ids[:size]
    loaded = {
        case.id: case
        for case in session.scalars(
            select(Case).where(Case.id.in_(shown)).options(selectinload(Case.branch))
        )
    }
    cases = [loaded[i] for i in shown if i in loaded]
    return QueuePage(cases, total, page, size, has_next=len(ids) > size)
