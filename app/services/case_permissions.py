"""Who may do what to a case: the actions of the actor's capabilities (app.domain.roles and
the composed roles) and, per case, the branch scope and the "own case" refinements."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.channels import BRANCH_CALLBACK_CATEGORIES, ChannelCategoryCode
from app.domain.i18n import _l
from app.domain.roles import works_only_on_assigned_cases
from app.models import Case
from app.services.actor import Actor
from app.services.errors import ConflictError, OutOfScopeError, PermissionDeniedError


def role_actions(actor: Actor) -> frozenset[str]:
    """The case actions of the actor's roles; the system (seeding, scheduled jobs) may do them
    all."""
    return actor.case_actions


def handles_only_assigned_cases(actor: Actor) -> bool:
    """A 办理人 who is not also the unit's 联络员 works only on cases assigned to them; so does
    anyone whose roles with those actions are all limited so (app.domain.roles)."""
    return works_only_on_assigned_cases(actor.profiles)


def ensure_may(actor: Actor, action: str) -> None:
    if action not in role_actions(actor):
        raise PermissionDeniedError(_l("Your role may not do this."))


def load_visible_case(session: Session, actor: Actor, case_id: int) -> Case:
    """The case if the actor may see it (branch scope, or first contact, Art.18)."""
    query = actor.scope.apply(select(Case).where(Case.id == case_id), Case)
    case = session.scalar(query)
    if case is None:
        raise OutOfScopeError(_l("The case does not exist or you may not see it."))
    return case


STALE_CASE = _l(
    "Someone else changed this case a moment ago; your action was not saved. The page now "
    "shows the current state."
)


def load_case_for(
    session: Session, actor: Actor, case_id: int, action: str, version: int | None
) -> Case:
    """The case the actor may see, still as their form showed it, and may do ``action`` to."""
    case = load_visible_case(session, actor, case_id)
    if version is not None and version != case.version:
        raise ConflictError(STALE_CASE)
    if not may_act_on(actor, case, action):
        raise PermissionDeniedError(_l("Your role may not do this to this case."))
    return case


def user_in_scope(actor: Actor, user) -> bool:
    """Whether ``user`` works in the actor's unit or below (company-wide actors: everyone)."""
    if actor.scope.all_branches:
        return True
    branch_id = getattr(user, "branch_id", None)
    return branch_id is not None and branch_id in actor.scope.branch_ids


def may_act_on(actor: Actor, case: Case, action: str) -> bool:
    """Role plus the per-case refinements; used to offer only the actions that would work."""
    if action not in role_actions(actor):
        return False
    user = actor.user
    if user is None:
        return True
    is_branch_user = not actor.scope.all_branches and user.branch_id is not None
    if action == "dispatch" and not actor.scope.all_branches:
        # Agents dispatch only the company-channel cases they registered (design §2).
        return (
            case.channel_category_code == ChannelCategoryCode.COMPANY
            and case.first_contact_id == user.id
        )
    if action == "callback" and not actor.scope.all_branches:
        if is_branch_user:  # Art.35: branches call back 政务/网办 cases
            return case.channel_category_code in BRANCH_CALLBACK_CATEGORIES
        return (
            case.channel_category_code == ChannelCategoryCode.COMPANY
            and case.first_contact_id == user.id
        )
    if action in ("progress", "reply") and handles_only_assigned_cases(actor):
        return case.handler_id == user.id
    return True
