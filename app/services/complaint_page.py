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
    APPROVAL_STATUSES,
    COUNTING_STATUSES,
    DETERMINATION_STATUS_LABELS,
    EDITABLE_STATUSES,
    OBJECTABLE_STATUSES,
    DeterminationStatus,
    four_eyes_problem,
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
    former_objection,
    is_complaint,
    objections_of,
    proposal_of,
    submitter_of,
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
    earlier: dict | None  # the determination before an approved change (snapshot), else None
    later: dict | None = None  # what the change made of it, or the change proposed (CSD only)
    note_hidden: bool = False  # another unit's objection: its reason is not the reader's


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
    objections: list[ComplaintObjection] = field(default_factory=list)  # those the reader sees
    history: list[HistoryItem] = field(default_factory=list)
    # A unit an approved change no longer names: it sees the history of its own objection only.
    former: ComplaintObjection | None = None
    proposal: dict | None = None  # CSD and 客服部主管: the change awaiting approval
    approval_refused: str | None = None  # four eyes: why this reader may not approve it
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
    former = None
    if found is not None and not _may_see(actor, found):
        former = former_objection(session, actor, found)
        found = found if former is not None else None
    in_scope = session.scalar(actor.scope.apply(select(Case.id).where(Case.id == case.id), Case))
    if in_scope is None and found is None:
        raise OutOfScopeError(_UNSEEN)
    page = DeterminationPage(case, now, in_scope is not None, found, former=former)
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
    if found is not None and former is None:
        status = DS(found.status)
        page.may_approve = actor.may(APPROVE) and company and status in APPROVAL_STATUSES
        if page.may_approve:
            problem = four_eyes_problem(
                actor.user_id, found.investigated_by_id, submitter_of(found)
            )
            page.approval_refused = str(problem) if problem else None
        page.may_answer = actor.may(EDIT) and company and status is DS.OBJECTED
        due = found.objection_due
        objected = {o.branch_id for o in objections_of(session, found.id)}
        unit = (
            actor.may(OBJECT)
            and status in OBJECTABLE_STATUSES
            and found.determination == "valid"
            and found.branch_id not in objected
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


def _may_download(session: Session, actor: Actor, row: ComplaintEvidence) -> bool:
    """An investigation file: whoever sees the determination, a unit an approved change no
    longer names included. An objection's file: CSD and the company-wide roles, and the unit
    that objected — never another unit."""
    found = row.determination
    if actor.scope.all_branches:
        return True
    if row.purpose == complaint_files.OBJECTION:
        objection = row.objection
        if objection is None or objection.branch_id not in actor.scope.branch_ids:
            return False
        return _may_see(actor, found) or former_objection(session, actor, found) is not None
    return _may_see(actor, found) or former_objection(session, actor, found) is not None


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


# What a unit never sees of the history: the investigation and the changes proposed (a change
# shows once approved, with what it made of the determination).
_CSD_ONLY = frozenset({"open", "save", "change", "send_back_change"})


def _own_objections(actor: Actor, objections: list[ComplaintObjection]) -> set[int]:
    """The objections whose reason, evidence and files the reader sees: all for CSD and the
    company-wide roles, a unit its own only (never another unit's)."""
    if actor.scope.all_branches:
        return {o.id for o in objections}
    return {o.id for o in objections if o.branch_id in actor.scope.branch_ids}


def _determination_part(
    session: Session, actor: Actor, page: DeterminationPage, found: ComplaintDetermination
) -> None:
    """Company-wide readers see everything. The responsible unit: the determination since its
    approval, every earlier determination (the history keeps them), its own objection with its
    files — not another unit's objection (its reason is hidden, its files not listed). A unit
    an approved change no longer names (``page.former``): the history up to the final answer
    to its own objection — what was changed and why — and its own objection and files; nothing
    that happened after (another unit's objection, later changes)."""
    objections = objections_of(session, found.id)
    own = _own_objections(actor, objections)
    page.objections = [o for o in objections if o.id in own]
    page.evidence = [
        f
        for f in complaint_files.evidence_of(session, found.id)
        if f.purpose != complaint_files.OBJECTION or f.objection_id in own
    ]
    events = list(
        session.scalars(
            select(ComplaintDeterminationEvent)
            .where(ComplaintDeterminationEvent.determination_id == found.id)
            .order_by(ComplaintDeterminationEvent.id)
        )
    )
    # The k-th "object" event is the k-th objection (one transaction writes both).
    object_events = [e.id for e in events if e.action == "object"]
    unit_of_event = {e: o for e, o in zip(object_events, objections, strict=False)}
    company = actor.scope.all_branches
    items: list[HistoryItem] = []
    proposal: dict | None = None
    end = None
    if page.former is not None:
        mine = next((e for e, o in unit_of_event.items() if o.id == page.former.id), None)
        end = next(
            (
                e.id
                for e in events
                if mine is not None and e.id > mine and e.action in ("approve_change", "uphold")
            ),
            None,
        )
    for e in events:
        if end is not None and e.id > end:
            break
        snap = json.loads(e.snapshot) if e.snapshot else None
        if e.action == "change":
            proposal = snap
        shown = company or e.action not in _CSD_ONLY
        if not shown:
            continue
        if e.action == "approve_change":
            items.append(HistoryItem(e, snap, proposal))
        elif e.action == "change":
            items.append(HistoryItem(e, None, snap))
        else:
            objection = unit_of_event.get(e.id)
            hidden = objection is not None and objection.id not in own
            items.append(HistoryItem(e, None, None, hidden))
    page.history = items
    if company:
        page.proposal = proposal_of(found)
    states = [s for item in items for s in (item.earlier, item.later, page.proposal) if s]
    ids = {s.get("branch_id") for s in states}
    users = {s.get("employee_id") for s in states}
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
    if row is None or not _may_download(session, actor, row):
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
        terms.append(ComplaintDetermination.status.in_([s.value for s in APPROVAL_STATUSES]))
    elif queue == "objected":
        terms.append(ComplaintDetermination.status == DS.OBJECTED.value)
    elif queue == "open_to_objection":
        terms += [
            ComplaintDetermination.status.in_([s.value for s in OBJECTABLE_STATUSES]),
            ComplaintDetermination.objection_due >= now,
            not_(
                exists().where(
                    ComplaintObjection.determination_id == ComplaintDetermination.id,
                    ComplaintObjection.branch_id == ComplaintDetermination.branch_id,
                )
            ),
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
