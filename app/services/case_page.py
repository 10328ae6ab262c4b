"""What the case page shows one user (read side): the case, its timeline, the actions allowed
now, extension requests, attachments and the customer's details at the privacy level the user
has — all decided here so that the view only parses, calls and renders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.deadlines import Overdue, overdue_state
from app.models import Attachment, Branch, Case, CaseEvent, Department, ExtensionRequest, SuqiuUser
from app.services import case_workflow, extensions, privacy
from app.services.actor import Actor
from app.services.attachments import DOWNLOAD_ATTACHMENTS, may_attach
from app.services.case_permissions import load_visible_case, may_act_on, user_in_scope
from app.services.complaint_page import CasePanel, case_panel
from app.services.major_matter_page import CaseMatterSummary, case_matter_summary
from app.services.repeats import Links, links_of


@dataclass(frozen=True)
class DispatchTarget:
    """One choice of the dispatch form: a unit, or a unit and one of its departments (Art.24).
    One list for both, so that choosing another unit can never keep a department of the
    suggested one."""

    value: str
    branch: Branch
    department: Department | None = None


@dataclass
class CasePage:
    case: Case
    now: datetime
    visibility: str  # "full", "masked" or "hidden" (privacy.contact_visibility)
    events: list[CaseEvent]
    hidden_notes: set[int]
    attachments: list[Attachment]
    actions: list[str]
    extension_requests: list[ExtensionRequest]
    can_attach: bool
    can_download: bool  # the capability export.attachments (app.domain.capabilities)
    can_request_extension: bool
    can_decide_extension: bool
    overdue: Overdue | None  # app.domain.deadlines.overdue_state: the 已超期 badge
    masked_phone: str
    masked_address: str
    dispatch_targets: list[DispatchTarget] = field(default_factory=list)
    suggested_target: str | None = None
    handlers: list[SuqiuUser] = field(default_factory=list)
    major_matter: CaseMatterSummary | None = None  # Art.22/33/34, for readers of reviews
    complaint: CasePanel | None = None  # Art.32: a 投诉 case's determination, for its readers
    repeats: Links | None = None  # 重复诉求: its 主单 / 关联单 (app.services.repeats)


def case_page(
    session: Session, actor: Actor, case_id: int, now: datetime, *, revealed: bool = False
) -> CasePage:
    """``revealed``: the user has just given a reason to see the contact details, and the
    reveal was logged (privacy.reveal_contact); it holds for this one rendering only."""
    case = load_visible_case(session, actor, case_id)
    events = list(
        session.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
        )
    )
    visibility = privacy.contact_visibility(actor, case)
    if revealed and visibility == "masked":
        visibility = "full"
    actions = [a.value for a in case_workflow.available_actions(actor, case)]
    page = CasePage(
        case=case,
        now=now,
        visibility=visibility,
        events=events,
        hidden_notes={e.id for e in events if not privacy.event_note_visible(actor, case, e)},
        attachments=[
            a
            for a in session.scalars(
                select(Attachment).where(Attachment.case_id == case.id).order_by(Attachment.id)
            )
            if privacy.attachment_visible(actor, case, a)
        ],
        actions=actions,
        # A unit sees its own extension requests, not those of a unit the case was returned by.
        extension_requests=[
            r
            for r in session.scalars(
                select(ExtensionRequest)
                .where(ExtensionRequest.case_id == case.id)
                .order_by(ExtensionRequest.id)
            )
            if user_in_scope(actor, r.requested_by)
        ],
        can_attach=may_attach(actor, case),
        can_download=actor.may(DOWNLOAD_ATTACHMENTS),
        can_request_extension=may_act_on(actor, case, "request_extension")
        and case.status in extensions.EXTENDABLE,
        can_decide_extension=may_act_on(actor, case, "decide_extension"),
        overdue=overdue_state(case, now),
        masked_phone=privacy.mask_phone(case.customer_phone),
        masked_address=privacy.mask_address(case.customer_address),
    )
    page.major_matter = case_matter_summary(session, actor, case.id)
    page.complaint = case_panel(session, actor, case)
    page.repeats = links_of(session, actor, case)
    if "dispatch" in actions:
        page.dispatch_targets, page.suggested_target = _dispatch_targets(session, case)
    if "assign" in actions:
        page.handlers = list(
            session.scalars(
                select(SuqiuUser)
                .where(SuqiuUser.branch_id == case.branch_id, SuqiuUser.active.is_(True))
                .order_by(SuqiuUser.id)
            )
        )
    return page


def _dispatch_targets(session: Session, case: Case) -> tuple[list[DispatchTarget], str | None]:
    # Dispatching may send a case to any active unit, whoever dispatches (CSD, or the agent who
    # registered a company-channel case); the branch scope is about reading data.
    branches = session.scalars(
        select(Branch).where(Branch.active.is_(True)).order_by(Branch.path)
    ).all()
    departments: dict[int, list[Department]] = {}
    for department in session.scalars(
        select(Department).where(Department.active.is_(True)).order_by(Department.name)
    ):
        departments.setdefault(department.branch_id, []).append(department)
    targets = []
    for branch in branches:
        targets.append(DispatchTarget(str(branch.id), branch))
        targets.extend(
            DispatchTarget(f"{branch.id}:{d.id}", branch, d) for d in departments.get(branch.id, [])
        )
    unit, unit_department = case_workflow.route_suggestion(session, case)
    suggested = None
    if unit is not None:
        suggested = f"{unit.id}:{unit_department.id}" if unit_department else str(unit.id)
    return targets, suggested
