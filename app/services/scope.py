"""Branch scoping: the one mechanism every query, form choice list, action, download, API,
chart and export goes through (design §1). A branch user sees their own unit and its sub-units;
CSD, leaders and the committee see every branch; notifications are personal.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session, object_session

from app.domain.i18n import _l
from app.models import (
    Branch,
    BranchContact,
    BranchContactChange,
    Case,
    CaseEvent,
    Department,
    ExtensionRequest,
    Notification,
    SuqiuUser,
    Vendor,
)
from app.security.roles import roles_see_all_branches
from app.services.errors import OutOfScopeError

# Model -> the column naming the branch a row belongs to.
BRANCH_COLUMNS = {
    Branch: Branch.id,
    Department: Department.branch_id,
    Vendor: Vendor.branch_id,
    BranchContact: BranchContact.branch_id,
    BranchContactChange: BranchContactChange.branch_id,
    SuqiuUser: SuqiuUser.branch_id,
    Case: Case.branch_id,
}
# Records that belong to a case: visible when the case is.
CASE_CHILDREN = {CaseEvent: CaseEvent.case_id, ExtensionRequest: ExtensionRequest.case_id}
# Model -> the column naming the only user who may see a row.
PERSONAL_COLUMNS = {Notification: Notification.recipient_id}


@dataclass(frozen=True)
class Scope:
    """What one actor may see. ``branch_path`` is the materialised path of the user's unit,
    ``branch_ids`` the units it covers (the unit and its sub-units), read once per request: a
    short literal list lets the database use its indexes on ``branch_id`` where a subquery
    on ``path LIKE`` made it read every row in scope (issue 6, item 16)."""

    user_id: int | None
    all_branches: bool
    branch_path: str | None
    branch_ids: tuple[int, ...] = ()

    @classmethod
    def system(cls) -> Scope:
        """Command-line jobs and seeding act for the whole company."""
        return cls(user_id=None, all_branches=True, branch_path=None)

    @classmethod
    def for_user(cls, user: SuqiuUser | None) -> Scope:
        if user is None or not getattr(user, "is_authenticated", False):
            return cls(user_id=None, all_branches=False, branch_path=None)
        role_names = {role.name for role in user.roles}
        path = user.branch.path if user.branch is not None else None
        all_branches = roles_see_all_branches(role_names)
        ids: tuple[int, ...] = ()
        session = object_session(user)
        if not all_branches and path and session is not None:
            ids = tuple(
                session.scalars(
                    select(Branch.id).where(Branch.path.startswith(path, autoescape=True))
                )
            )
        return cls(user.id, all_branches, path, ids)

    def visible_branch_ids(self):
        """The branch ids this scope covers (parent sees children): a subquery for company-wide
        scopes, else the literal list."""
        if self.all_branches:
            return select(Branch.id)
        return list(self.branch_ids)

    def clause(self, model) -> ColumnElement[bool] | None:
        """The WHERE clause restricting ``model`` to this scope, or None for shared master data."""
        personal = PERSONAL_COLUMNS.get(model)
        if personal is not None:
            return personal == self.user_id if self.user_id is not None else ~true()
        if model in CASE_CHILDREN:
            case_clause = self.clause(Case)
            if case_clause is None:
                return None
            return CASE_CHILDREN[model].in_(select(Case.id).where(case_clause))
        column = BRANCH_COLUMNS.get(model)
        if column is None or self.all_branches:
            return None
        clause = column.in_(self.visible_branch_ids())
        if model is Case and self.user_id is not None:
            # Art.18: the first contact follows the case wherever it was routed.
            clause = or_(clause, Case.first_contact_id == self.user_id)
        return clause

    def apply(self, query, model):
        clause = self.clause(model)
        return query if clause is None else query.filter(clause)

    def covers_branch(self, session: Session, branch_id: int | None) -> bool:
        if self.all_branches:
            return True
        if branch_id is None or not self.branch_path:
            return False
        path = session.scalar(select(Branch.path).where(Branch.id == branch_id))
        return bool(path) and path.startswith(self.branch_path)

    def ensure_branch(self, session: Session, branch_id: int | None) -> None:
        """Writes may not create or move a record into a branch outside the scope."""
        if not self.covers_branch(session, branch_id):
            raise OutOfScopeError(_l("You may only work on records of your own unit."))
