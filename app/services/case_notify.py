"""In-app notifications of case moves (Art.17): who hears about what. Each notice links to the
case, whose page every recipient may open (the unit's staff, its first contact, CSD)."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import select

from app.domain.channels import BRANCH_CALLBACK_CATEGORIES
from app.domain.i18n import _l
from app.domain.lifecycle import Action, CallbackResult, CaseStatus
from app.domain.roles import CSD_ROLE_NAMES, LIAISON
from app.models import SuqiuUser
from app.services.major_matters import follow_case_unit
from app.services.notifications import case_link, send


def _users(session, *, roles=None, branch_id=None):
    query = select(SuqiuUser.id).where(SuqiuUser.active.is_(True))
    if roles:
        query = query.where(SuqiuUser.roles.any(Role.name.in_(roles)))
    if branch_id is not None:
        query = query.where(SuqiuUser.branch_id == branch_id)
    return set(session.scalars(query))


def _send(session, recipients, case, category, title, body=None):
    send(
        session,
        sorted(recipients),
        category=category,
        title=f"{case.number} {title}",
        body=body,
        link=case_link(case.id),
    )


# The states CSD acts in next: reaching one tells CSD (design §2).
_CSD_WORK = {
    CaseStatus.PENDING_REVIEW: (
        "review_due",
        _l("replied by the unit: awaiting review by the customer-service department"),
    ),
    CaseStatus.PENDING_GOVERNMENT_REPLY: (
        "government_reply_due",
        _l("approved: awaiting the reply to the government department (Art.13)"),
    ),
}


def notify_case(session, case, action, before, after, note) -> None:
    branch_id = case.branch.id if case.branch is not None else None  # may not be flushed yet
    liaisons = _users(session, roles={LIAISON.name}, branch_id=branch_id) if branch_id else set()
    csd = _users(session, roles=set(CSD_ROLE_NAMES))
    if action is Action.DISPATCH:
        _send(
            session,
            liaisons,
            case,
            "dispatched",
            str(_l("dispatched to you: please sign for it")),
            case.content[:200],
        )
    elif action is Action.ASSIGN and case.handler is not None:
        _send(
            session,
            {case.handler.id},
            case,
            "assigned",
            str(_l("assigned to you: please handle it")),
            note or case.content[:200],
        )
    elif action is Action.RETURN_CASE:
        _send(session, csd, case, "returned", str(_l("returned by the unit")), note)
    elif action is Action.REJECT:
        _send(
            session,
            liaisons,
            case,
            "rejected",
            str(_l("result sent back by the customer-service department")),
            note,
        )
    elif action is Action.CALLBACK and after in (
        CaseStatus.REHANDLING,
        CaseStatus.PENDING_DISPATCH,
    ):
        # Art.21: the one 重办. A case no unit holds (resolved on the spot) waits for CSD to
        # dispatch it.
        _send(
            session,
            liaisons | {case.first_contact_id} | (csd if branch_id is None else set()),
            case,
            "rehandle",
            str(_l("customer dissatisfied: re-handle (Art.21)")),
            note,
        )
    elif (
        action is Action.CALLBACK
        and after is CaseStatus.CLOSED
        and case.callback_result == CallbackResult.UNREACHABLE
    ):
        # Art.20: the last attempt failed; CSD decides what else to try and counts it.
        _send(
            session,
            csd | {case.first_contact_id},
            case,
            "closed_unreachable",
            str(_l("closed: the customer could not be reached (Art.20)")),
            note,
        )
    elif action in (Action.REMIND, Action.SUPERVISE):
        title = (
            _l("reminder from the customer-service department")
            if action is Action.REMIND
            else _l("supervision notice from the customer-service department")
        )
        _send(session, liaisons, case, action.value, str(title), note)
    if after in _CSD_WORK and before is not after:
        category, title = _CSD_WORK[after]
        _send(session, csd, case, category, str(title), case.result)
    if (
        after is CaseStatus.PENDING_CALLBACK
        and before is not CaseStatus.PENDING_CALLBACK
        and case.channel_category_code in BRANCH_CALLBACK_CATEGORIES
    ):
        _send(session, liaisons, case, "callback_due", str(_l("callback due (Art.35)")))
    follow_case_unit(session, case, action)  # a review follows its case's unit (Art.22/29)


def notify_extension_requested(session, case, note) -> None:
    """Art.30: CSD decides an extension; it hears about the request at once."""
    _send(
        session,
        _users(session, roles=set(CSD_ROLE_NAMES)),
        case,
        "extension_requested",
        str(_l("extension requested: please decide (Art.30)")),
        note,
    )


def notify_extension_decided(session, case, requested_by_id: int, approved: bool, note) -> None:
    title = _l("extension approved") if approved else _l("extension rejected")
    _send(session, {requested_by_id}, case, "extension_decided", str(title), note)
