"""The facts the Art.41 detections of app.domain.violations read, built from the database.

Set-based and bounded (design §5: millions of cases): every case query reads one index range,
the cases whose finish deadline is not older than the window (``ix_case_finish_due``, or
``ix_case_status_due`` for closed cases) — those that became due lately plus those still to come
— and filters in SQL to the cases that may hold a breach not proposed yet, so only candidates
reach Python. The domain functions then decide. A scheduled run (daily or more often) therefore
sees every breach while its case is in the window; a case closed more than the window after its
deadline is not looked at again for Art.35/36.

Art.25 is not detected: the portal records a change of 责任人/联络员 when someone enters it, which
is the notice to CSD itself; the day the person actually changed is not recorded anywhere, so a
late notice cannot be told from a timely one. CSD records Art.25 breaches by hand.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.domain.channels import BRANCH_CALLBACK_CATEGORIES, ChannelCategoryCode
from app.domain.deadlines import FINISH_OPEN
from app.domain.lifecycle import Action, CaseStatus, ExtensionStatus
from app.domain.violations import (
    BreachCause,
    CaseCallback,
    CaseRehandle,
    CaseReturn,
    CaseTimeliness,
    ContactFacts,
    ContactRoleKind,
    UnitContacts,
)
from app.models import (
    Branch,
    BranchContact,
    Case,
    CaseEvent,
    ExtensionRequest,
    SuqiuUser,
    ViolationEntry,
)

CLOSED = (CaseStatus.CLOSED, CaseStatus.CLOSED_DISSATISFIED)
RUNNING = sorted(FINISH_OPEN)
# Art.14–16: 分、子公司 keep a 责任人 and a 联络员; stations and halls work under their parent's.
CONTACT_UNIT_TYPES = ("branch", "subsidiary")
CHUNK = 500


def _due_since(since: datetime) -> ColumnElement[bool]:
    """The window: cases whose finish deadline is not older than ``since``. A voided case (作废:
    registered twice, by mistake) is no unit's breach."""
    return and_(Case.finish_due >= since, Case.status != CaseStatus.VOIDED)


def _not_proposed(cause: BreachCause, *, same_unit: bool = False) -> ColumnElement[bool]:
    """No entry of ``cause`` for the case yet (by the case index of the register)."""
    query = select(ViolationEntry.id).where(
        ViolationEntry.case_id == Case.id, ViolationEntry.cause == cause
    )
    if same_unit:
        query = query.where(ViolationEntry.branch_id == Case.branch_id)
    return ~query.exists()


def timeliness(session: Session, now: datetime, since: datetime) -> list[CaseTimeliness]:
    """Art.30: cases held by a unit that missed the sign-for or the finish deadline. The finish
    clock stops at the unit's reply (or the closing) and runs again while the case is handled."""
    stopped = func.coalesce(Case.replied_at, Case.closed_at, now)
    finish_late = and_(
        Case.finish_due < now, or_(Case.status.in_(RUNNING), stopped > Case.finish_due)
    )
    sign_late = and_(
        Case.sign_due < now,
        Case.dispatched_at <= Case.sign_due,
        func.coalesce(Case.signed_at, Case.closed_at, now) > Case.sign_due,
    )
    pending = (
        select(ExtensionRequest.id)
        .where(
            ExtensionRequest.case_id == Case.id,
            ExtensionRequest.status == ExtensionStatus.PENDING,
        )
        .exists()
    )
    rows = session.execute(
        select(
            Case.id,
            Case.branch_id,
            Case.status,
            Case.finish_due,
            Case.replied_at,
            Case.closed_at,
            Case.sign_due,
            Case.dispatched_at,
            Case.signed_at,
            pending,
        ).where(
            _due_since(since),
            Case.branch_id.is_not(None),
            or_(finish_late, sign_late),
            _not_proposed(BreachCause.ART30, same_unit=True),
        )
    )
    return [
        CaseTimeliness(
            case_id=case_id,
            branch_id=branch_id,
            finish_due=finish_due,
            finished_at=None if status in FINISH_OPEN else (replied_at or closed_at),
            sign_due=sign_due,
            dispatched_at=dispatched_at,
            signed_at=signed_at or closed_at,
            extension_pending=bool(is_pending),
        )
        for (
            case_id,
            branch_id,
            status,
            finish_due,
            replied_at,
            closed_at,
            sign_due,
            dispatched_at,
            signed_at,
            is_pending,
        ) in rows
    ]


def callbacks(session: Session, since: datetime) -> list[CaseCallback]:
    """Art.35: closed 政务/网办 cases nobody of the unit called back. A callback counts when the
    person recording it works in the case's unit, a unit above it or one below it; CSD's own
    calls and its spot checks are not the unit's."""
    unit, callers_unit = aliased(Branch), aliased(Branch)
    called = (
        select(CaseEvent.id)
        .join(SuqiuUser, SuqiuUser.id == CaseEvent.actor_id)
        .join(callers_unit, callers_unit.id == SuqiuUser.branch_id)
        .where(
            CaseEvent.case_id == Case.id,
            CaseEvent.action == Action.CALLBACK,
            or_(callers_unit.path.startswith(unit.path), unit.path.startswith(callers_unit.path)),
        )
        .exists()
    )
    rows = session.execute(
        select(Case.id, Case.branch_id, Case.channel_category_code, Case.closed_at)
        .join(unit, unit.id == Case.branch_id)
        .where(
            Case.status.in_(CLOSED),
            _due_since(since),
            Case.channel_category_code.in_(BRANCH_CALLBACK_CATEGORIES),
            ~called,
            _not_proposed(BreachCause.ART35),
        )
    )
    return [
        CaseCallback(
            case_id=case_id,
            branch_id=branch_id,
            channel_category=ChannelCategoryCode(category),
            closed_on=closed_at.date() if closed_at else None,
            branch_called_back=False,
        )
        for case_id, branch_id, category, closed_at in rows
    ]


def rehandles(session: Session, since: datetime) -> list[CaseRehandle]:
    """Art.36: closed cases whose first 不满意 opened a 重办 (the callback that moved the case
    to 重办中, or back to 待派发 when no unit held it), with the unit's latest reply."""
    first_dissatisfied = (
        select(func.min(CaseEvent.at))
        .where(
            CaseEvent.case_id == Case.id,
            CaseEvent.action == Action.CALLBACK,
            CaseEvent.to_status.in_([CaseStatus.REHANDLING, CaseStatus.PENDING_DISPATCH]),
        )
        .scalar_subquery()
    )
    last_reply = (
        select(func.max(CaseEvent.at))
        .where(CaseEvent.case_id == Case.id, CaseEvent.action == Action.REPLY)
        .scalar_subquery()
    )
    rows = session.execute(
        select(Case.id, Case.branch_id, Case.closed_at, first_dissatisfied, last_reply).where(
            Case.status.in_(CLOSED),
            _due_since(since),
            Case.branch_id.is_not(None),
            Case.rehandle_count > 0,
            _not_proposed(BreachCause.ART36),
        )
    )
    return [
        CaseRehandle(
            case_id=case_id,
            branch_id=branch_id,
            first_dissatisfied_at=dissatisfied,
            rehandle_reply_at=replied,
            closed_on=closed_at.date() if closed_at else None,
        )
        for case_id, branch_id, closed_at, dissatisfied, replied in rows
    ]


def unit_contacts(session: Session) -> list[UnitContacts]:
    """Art.26: each active branch or subsidiary with its contacts (a few dozen rows). A contact
    is in post while their portal account, if they have one, is active."""
    rows = session.execute(
        select(
            Branch.id,
            BranchContact.role,
            BranchContact.mobile,
            BranchContact.landline,
            SuqiuUser.active,
        )
        .select_from(Branch)
        .outerjoin(BranchContact, BranchContact.branch_id == Branch.id)
        .outerjoin(SuqiuUser, SuqiuUser.id == BranchContact.user_id)
        .where(Branch.active.is_(True), Branch.unit_type.in_(CONTACT_UNIT_TYPES))
        .order_by(Branch.id)
    )
    units: dict[int, list[ContactFacts]] = {}
    for branch_id, role, mobile, landline, account_active in rows:
        contacts = units.setdefault(branch_id, [])
        if role not in set(ContactRoleKind):
            continue
        contacts.append(
            ContactFacts(
                role=ContactRoleKind(role),
                has_phone=bool((mobile or "").strip() or (landline or "").strip()),
                active=account_active is not False,
            )
        )
    return [UnitContacts(branch_id, tuple(contacts)) for branch_id, contacts in units.items()]


def returns(session: Session, since: datetime) -> list[CaseReturn]:
    """Art.27: every 退单 of the returned cases in the window, with the unit that returned it
    (recorded on the event) and the unit CSD dispatched the case to next."""
    case_ids = list(
        session.scalars(select(Case.id).where(_due_since(since), Case.return_count > 0))
    )
    if not case_ids:
        return []
    unit_ids: dict[str, int] = {
        name: unit_id for name, unit_id in session.execute(select(Branch.name, Branch.id))
    }
    found: list[CaseReturn] = []
    for chunk in _chunks(case_ids):
        events = session.execute(
            select(
                CaseEvent.id,
                CaseEvent.case_id,
                CaseEvent.action,
                CaseEvent.at,
                CaseEvent.detail,
                SuqiuUser.branch_id,
            )
            .outerjoin(SuqiuUser, SuqiuUser.id == CaseEvent.actor_id)
            .where(
                CaseEvent.case_id.in_(chunk),
                CaseEvent.action.in_([Action.DISPATCH, Action.RETURN_CASE]),
            )
            .order_by(CaseEvent.case_id, CaseEvent.id)
        ).all()
        for index, (event_id, case_id, action, at, detail, actors_unit) in enumerate(events):
            returned_by = _unit_of(detail, unit_ids) or actors_unit
            if action != Action.RETURN_CASE or returned_by is None:
                continue
            later = (e for e in events[index + 1 :] if e[1] == case_id and e[2] == Action.DISPATCH)
            following = next(later, None)
            found.append(
                CaseReturn(
                    case_id=case_id,
                    branch_id=returned_by,
                    return_event_id=event_id,
                    returned_on=at.date(),
                    redispatched_to=_unit_of(following[4], unit_ids) if following else None,
                )
            )
    return found


def _unit_of(detail: str | None, unit_ids: dict[str, int]) -> int | None:
    """The unit of a dispatch or return event's detail ({"branch": "汉口分公司", "branch_id": 3,
    …}): its id; events written before the id was recorded name the unit only."""
    try:
        recorded = json.loads(detail or "{}")
        unit_id, name = recorded.get("branch_id"), recorded.get("branch")
    except (ValueError, AttributeError):
        return None
    if isinstance(unit_id, int):
        return unit_id
    return unit_ids.get(name) if isinstance(name, str) else None


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
