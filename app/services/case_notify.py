"""In-app notifications of case moves (Art.17): who hears about what."""

from __future__ import annotations

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import select

from app.domain.i18n import _l
from app.domain.lifecycle import Action, CaseStatus
from app.models import Notification, SuqiuUser
from app.security.roles import CSD_ROLE_NAMES, LIAISON


def _users(session, *, roles=None, branch_id=None):
    query = select(SuqiuUser.id).where(SuqiuUser.active.is_(True))
    if roles:
        query = query.where(SuqiuUser.roles.any(Role.name.in_(roles)))
    if branch_id is not None:
        query = query.where(SuqiuUser.branch_id == branch_id)
    return set(session.scalars(query))


def _send(session, recipients, case, category, title, body=None):
    for user_id in recipients:
        session.add(
            Notification(
                recipient_id=user_id,
                category=category,
                title=f"{case.number} {title}",
                body=body,
                link=f"/cases/show/{case.id}",
            )
        )


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
    elif action is Action.CALLBACK and after is CaseStatus.REHANDLING:
        _send(
            session,
            liaisons | {case.first_contact_id},
            case,
            "rehandle",
            str(_l("customer dissatisfied: re-handle (Art.21)")),
            note,
        )
    elif action in (Action.REMIND, Action.SUPERVISE):
        title = (
            _l("reminder from the customer-service department")
            if action is Action.REMIND
            else _l("supervision notice from the customer-service department")
        )
        _send(session, liaisons, case, action.value, str(title), note)
    elif (
        after is CaseStatus.PENDING_CALLBACK
        and before is not CaseStatus.PENDING_CALLBACK
        and case.channel_category_code in ("government", "online")
    ):
        _send(session, liaisons, case, "callback_due", str(_l("callback due (Art.35)")))
