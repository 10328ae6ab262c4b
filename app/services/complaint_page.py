"""What the complaint-determination pages read (Art.8/9/32): one case's page — the case, its
timeline and files beside the determination, its evidence, objection and history, and the forms
the reader may use now — the queues 待认定 / 待审批 / 异议待处理 (and a unit's 异议期内) with
capped counts, and the list of determinations. Every read through the branch scope."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, and_, exists, func, not_, select, true
from sqlalchemy.orm import Session

from app.domain.complaints import (
    COUNTING_STATUSES,
    DETERMINATION_STATUS_LABELS,
    EDITABLE_STATUSES,
    DeterminationStatus,
    may_object,
)
from app.domain.i18n import _l
from app.domain.lifecycle import CaseStatus
from app.models import (
    Attachment,
    Branch,
    Case,
    CaseEvent,
    CaseKind,
    ComplaintDetermination,
    ComplaintDeterminationEvent,
    ComplaintEvidence,
    ComplaintObjection,
    SuqiuUser,
)
from app.services import complaint_files, counting, privacy
from app.services.actor import Actor
from app.services.attachments import DOWNLOAD_ATTACHMENTS
from app.services.complaint_notify import result_text
from app.services.complaints import (
    APPROVE,
    COMPLAINT_KIND,
    EDIT,
    OBJECT,
    READ,
    determination_of_case,
    is_complaint,
    unit_sees,
)
from app.services.errors import OutOfScopeError, PermissionDeniedError

DS = DeterminationStatus
PAGE_SIZE = 20
_UNSEEN = _l("The complaint determination does not exist or you may not see it.")


# -- One case's page --------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryItem:
    event: ComplaintDeterminationEvent
    earlier: dict | None  # the determination before a change (snapshot), else None


@dataclass
class DeterminationPage:
    case: Case
    now: datetime
    sees_case: bool  # the case itself is in the reader's scope: its timeline and files too
    determination: ComplaintDetermination | None  # None: none yet, or none the reader may see
    case_events: list[CaseEvent] = field(default_factory=list)
    hidden_notes: set[int] = field(default_factory=set)
    attachments: list[Attachment] = field(default_factory=list)
    evidence: list[ComplaintEvidence] = field(default_factory=list)
    objection: ComplaintObjection | None = None
    history: list[HistoryItem] = field(default_factory=list)
    may_edit: bool = False  # CSD: the investigation form (new, draft, sent back)
    may_approve: bool = False  # 客服部主管: approve / send back
    may_object: bool = False  # the unit: the objection form, within the window
    objection_closed: bool = False  # the unit could have objected, but the window is over
    may_answer: bool = False  # CSD: uphold / change
    can_download_case_files: bool = False
    units: list[Branch] = field(default_factory=list)
    employees: list[SuqiuUser] = field(default_factory=list)
    names: dict[int, str] = field(default_factory=dict)  # ids in snapshots → names


def determination_page(
    session: Session, actor: Actor, case_id: int, now: datetime
) -> DeterminationPage:
    """The page of a 投诉 case for ``actor`` (OutOfScopeError when they may see neither the case
    nor a determination of it naming their unit)."""
    if not actor.may(READ):
        raise PermissionDeniedError(_l("Your role may not do this."))
    case = session.get(Case, case_id)
    if case is None or not is_complaint(case):
        raise OutOfScopeError(_UNSEEN)
    found = determination_of_case(session, case.id)
    if found is not None and not _may_see(actor, found):
        found = None
    in_scope = session.scalar(actor.scope.apply(select(Case.id).where(Case.id == case.id), Case))
    if in_scope is None and found is None:
        raise OutOfScopeError(_UNSEEN)
    page = DeterminationPage(case, now, in_scope is not None, found)
    if page.sees_case:
        _case_part(session, actor, page)
    if found is not None:
        _determination_part(session, actor, page, found)
    company = actor.scope.all_branches
    page.may_edit = (
        actor.may(EDIT)
        and company
        and case.status != CaseStatus.VOIDED
        and (found is None or found.status in EDITABLE_STATUSES)
    )
    if found is not None:
        status = DS(found.status)
        page.may_approve = actor.may(APPROVE) and company and status is DS.PENDING_APPROVAL
        page.may_answer = actor.may(EDIT) and company and status is DS.OBJECTED
        due = found.objection_due
        unit = (
            actor.may(OBJECT)
            and status is DS.APPROVED
            and actor.scope.covers_branch(session, found.branch_id)
        )
        if unit and due is not None:
            page.may_object = may_object(now, due)
            page.objection_closed = not page.may_object
    if page.may_edit or page.may_answer:
        page.units = list(
            session.scalars(select(Branch).where(Branch.active.is_(True)).order_by(Branch.path))
        )
        page.employees = list(
            session.scalars(
                select(SuqiuUser)
                .join(Branch, SuqiuUser.branch_id == Branch.id)
                .where(SuqiuUser.active.is_(True))
                .order_by(Branch.path, SuqiuUser.id)
            )
        )
    return page


def _may_see(actor: Actor, found: ComplaintDetermination) -> bool:
    if actor.scope.all_branches:
        return True
    return unit_sees(found) and found.branch_id in actor.scope.branch_ids


def _case_part(session: Session, actor: Actor, page: DeterminationPage) -> None:
    case = page.case
    page.case_events = list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        )
    )
    page.hidden_notes = {
        e.id for e in page.case_events if not privacy.event_note_visible(actor, case, e)
    }
    page.attachments = [
        a
        for a in session.scalars(
            select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
        )
        if privacy.attachment_visible(actor, case, a)
    ]
    page.can_download_case_files = actor.may(DOWNLOAD_ATTACHMENTS)


def _determination_part(
    session: Session, actor: Actor, page: DeterminationPage, found: ComplaintDetermination
) -> None:
    page.evidence = complaint_files.evidence_of(session, found.id)
    page.objection = session.scalar(
        select(ComplaintObjection).where(ComplaintObjection.determination_id == found.id)
    )
    events = session.scalars(
        select(ComplaintDeterminationEvent)
        .where(ComplaintDeterminationEvent.determination_id == found.id)
        .order_by(ComplaintDeterminationEvent.id)
    )
    # The unit sees what happened since the approval; CSD the whole investigation too.
    shown = [e for e in events if actor.scope.all_branches or e.action not in ("open", "save")]
    page.history = [
        HistoryItem(e, json.loads(e.snapshot) if e.snapshot and e.action == "change" else None)
        for e in shown
    ]
    ids = {item.earlier.get("branch_id") for item in page.history if item.earlier}
    users = {item.earlier.get("employee_id") for item in page.history if item.earlier}
    page.names = {
        **{b.id: b.name for b in session.scalars(select(Branch).where(Branch.id.in_(ids)))},
        **{
            -u.id: str(u) for u in session.scalars(select(SuqiuUser).where(SuqiuUser.id.in_(users)))
        },
    }


def evidence_for_download(
    session: Session, actor: Actor, evidence_id: int, folder: str
) -> tuple[ComplaintEvidence, object]:
    """An evidence file for a reader who may see its determination (and its case's files)."""
    if not actor.may(READ):
        raise PermissionDeniedError(_l("Your role may not do this."))
    row = session.get(ComplaintEvidence, evidence_id)
    if row is None or not _may_see(actor, row.determination):
        raise OutOfScopeError(_UNSEEN)
    return row, complaint_files.located(row, folder)


# -- Queues and the list ----------------------------------------------------------------------

# name -> the capabilities that show it
QUEUES = {
    "to_determine": (EDIT,),  # 待认定: 投诉 cases without a determination, drafts, sent back
    "pending_approval": (APPROVE, EDIT),  # 待审批: 客服部主管's, CSD follows it
    "objected": (EDIT,),  # 异议待处理
    "open_to_objection": (OBJECT,),  # 异议期内: the unit's approved ones it may still object to
    "all": (READ,),  # 认定列表
}
MENU_QUEUES = ("to_determine", "pending_approval", "objected", "open_to_objection")


def usable_queues(actor: Actor) -> tuple[str, ...]:
    company = actor.scope.all_branches
    usable = []
    for name, capabilities in QUEUES.items():
        if not any(actor.may(c) for c in capabilities):
            continue
        if name in ("to_determine", "pending_approval", "objected") and not company:
            continue
        if name == "open_to_objection" and company and not actor.is_admin:
            continue
        usable.append(name)
    return tuple(usable)


@dataclass(frozen=True)
class Row:
    case: Case
    determination: ComplaintDetermination | None


def _complaint_kind(session: Session) -> int | None:
    return session.scalar(select(CaseKind.id).where(CaseKind.code == COMPLAINT_KIND))


def _no_counting_determination() -> ColumnElement[bool]:
    editable = [s.value for s in EDITABLE_STATUSES]
    return not_(
        exists().where(
            ComplaintDetermination.case_id == Case.id,
            ComplaintDetermination.status.not_in(editable),
        )
    )


def _determination_terms(actor: Actor, queue: str, now: datetime) -> list[ColumnElement[bool]]:
    terms: list[ColumnElement[bool]] = []
    clause = actor.scope.clause(ComplaintDetermination)
    if clause is not None:
        terms.append(clause)
    if not actor.scope.all_branches:
        terms.append(ComplaintDetermination.status.in_([s.value for s in COUNTING_STATUSES]))
    if queue == "pending_approval":
        terms.append(ComplaintDetermination.status == DS.PENDING_APPROVAL.value)
    elif queue == "objected":
        terms.append(ComplaintDetermination.status == DS.OBJECTED.value)
    elif queue == "open_to_objection":
        terms += [
            ComplaintDetermination.status == DS.APPROVED.value,
            ComplaintDetermination.objection_due >= now,
        ]
    return terms


def _to_determine_query(session: Session):
    kind = _complaint_kind(session)
    return (
        select(Case.id)
        .where(Case.kind_id == kind, Case.status != CaseStatus.VOIDED.value)
        .where(_no_counting_determination())
    )


def queue_counts(session: Session, actor: Actor, now: datetime) -> dict[str, int]:
    """Each usable queue's count, capped at MENU_CAP (999+)."""
    counts: dict[str, int] = {}
    for name in usable_queues(actor):
        if name == "all":
            continue
        if name == "to_determine":
            query = _to_determine_query(session)
        else:
            query = select(ComplaintDetermination.id).where(
                and_(true(), *_determination_terms(actor, name, now))
            )
        capped = query.limit(counting.MENU_CAP + 1).subquery()
        counts[name] = counting.MenuCount(
            session.scalar(select(func.count()).select_from(capped)) or 0
        )
    return counts


def queue_rows(
    session: Session, actor: Actor, queue: str, now: datetime, page: int = 0
) -> tuple[list[Row], bool]:
    """One page of ``queue`` (newest first) and whether there is a next page."""
    if queue not in usable_queues(actor):
        raise PermissionDeniedError(_l("Your role may not do this."))
    start = max(page, 0) * PAGE_SIZE
    if queue == "to_determine":
        ids = list(
            session.scalars(
                _to_determine_query(session)
                .order_by(Case.received_at.desc(), Case.id.desc())
                .offset(start)
                .limit(PAGE_SIZE + 1)
            )
        )
        more = len(ids) > PAGE_SIZE
        cases = {c.id: c for c in session.scalars(select(Case).where(Case.id.in_(ids)))}
        found = {
            d.case_id: d
            for d in session.scalars(
                select(ComplaintDetermination).where(ComplaintDetermination.case_id.in_(ids))
            )
        }
        return [Row(cases[i], found.get(i)) for i in ids[:PAGE_SIZE]], more
    rows = list(
        session.scalars(
            select(ComplaintDetermination)
            .where(and_(true(), *_determination_terms(actor, queue, now)))
            .order_by(ComplaintDetermination.updated_at.desc(), ComplaintDetermination.id.desc())
            .offset(start)
            .limit(PAGE_SIZE + 1)
        )
    )
    return [Row(d.case, d) for d in rows[:PAGE_SIZE]], len(rows) > PAGE_SIZE


# -- The case page's panel --------------------------------------------------------------------


@dataclass(frozen=True)
class CasePanel:
    """What the case page says of a 投诉 case's determination, for readers who may open its
    page: the status and result, or None before there is one (CSD only)."""

    case_id: int
    status_label: str | None
    result: str


def case_panel(session: Session, actor: Actor, case: Case) -> CasePanel | None:
    if not actor.may(READ) or not is_complaint(case):
        return None
    found = determination_of_case(session, case.id)
    if found is not None and not _may_see(actor, found):
        found = None
    if found is None:
        return CasePanel(case.id, None, "") if actor.scope.all_branches else None
    label = str(DETERMINATION_STATUS_LABELS[DS(found.status)])
    return CasePanel(case.id, label, result_text(found))
