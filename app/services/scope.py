"""Branch scoping: the one mechanism every query, form choice list, action, download, API,
chart and export goes through (design §1). A branch user sees their own unit and its sub-units;
CSD, leaders and the committee see every branch; notifications are personal.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session, object_session

from app.domain.i18n import _l
from app.domain.roles import Reach, RoleProfile
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
    ViolationEntry,
    ViolationEntryEvent,
)
from app.services.errors import OutOfScopeError
from app.services.role_profiles import role_profiles

# Model -> the column naming the branch a row belongs to.
BRANCH_COLUMNS = {
    Branch: Branch.id,
    Department: Department.branch_id,
    Vendor: Vendor.branch_id,
    BranchContact: BranchContact.branch_id,
    BranchContactChange: BranchContactChange.branch_id,
    SuqiuUser: SuqiuUser.branch_id,
    Case: Case.branch_id,
    ViolationEntry: ViolationEntry.branch_id,
    ViolationEntryEvent: ViolationEntryEvent.branch_id,
}
# Records that belong to a case: visible when the case is.
CASE_CHILDREN = {CaseEvent: CaseEvent.case_id, ExtensionRequest: ExtensionRequest.case_id}
# Model -> the column naming the only user who may see a row.
PERSONAL_COLUMNS = {Notification: Notification.recipient_id}


@dataclass(frozen=True)
class Scope:
    """What one actor may see. ``branch_ids`` are the units it covers: the user's unit and its
    sub-units for a role of reach ``own_unit``, a named unit and its sub-units for a composed role
    of reach ``unit``, read once per request. A short literal list lets the database use its
    indexes on ``branch_id`` where a subquery on ``path LIKE`` made it read every row in scope
    (issue 6, item 16)."""

    user_id: int | None
    all_branches: bool
    branch_ids: tuple[int, ...] = ()

    @classmethod
    def system(cls) -> Scope:
        """Command-line jobs and seeding act for the whole company."""
        return cls(user_id=None, all_branches=True)

    @classmethod
    def for_user(cls, user: SuqiuUser | None) -> Scope:
        if user is None or not getattr(user, "is_authenticated", False):
            return cls(user_id=None, all_branches=False)
        session = object_session(user)
        return cls.for_profiles(session, user, role_profiles(session, user))

    @classmethod
    def for_profiles(
        cls, session: Session | None, user: SuqiuUser, profiles: tuple[RoleProfile, ...]
    ) -> Scope:
        if any(profile.all_branches for profile in profiles):
            return cls(user.id, True)
        roots: set[int] = set()
        for profile in profiles:
            if profile.reach is Reach.OWN_UNIT and user.branch_id is not None:
                roots.add(user.branch_id)
            elif profile.reach is Reach.UNIT and profile.unit_id is not None:
                roots.add(profile.unit_id)
        if not roots or session is None:
            return cls(user.id, False)
        paths = list(session.scalars(select(Branch.path).where(Branch.id.in_(roots))))
        ids = session.scalars(
            select(Branch.id)
            .where(or_(*(Branch.path.startswith(path, autoescape=True) for path in paths)))
            .order_by(Branch.id)
        )
        return cls(user.id, False, tuple(ids))

    def visible_branch_ids(self):
        """The branch ids this scope covers (parent sees children): a subquery for company-wide
        scopes, else the literal list."""
        if self.all_branches:
            return select(Branch.id)
        return list(self.branch_ids)

    def arms(self, model) -> list[ColumnElement[bool]] | None:
        """``clause`` as disjoint terms of an OR (None: no restriction), for queries that AND each
        term with their own OR of conditions: the database then serves every combination from
        an index (a branch's overdue cases from (branch_id, status, finish_due), the cases the
        user received first from first_contact_id) instead of reading every case of the unit
        (issue 12)."""
        clause = self.clause(model)
        if clause is None:
            return None
        if model is Case and not self.all_branches and self.user_id is not None:
            # Disjoint terms: a count may add them up (UNION ALL) and stop at its cap.
            in_units = Case.branch_id.in_(self.visible_branch_ids())
            elsewhere = or_(Case.branch_id.is_(None), Case.branch_id.not_in(self.branch_ids))
            return [in_units, and_(self._first_contact(), elsewhere)]
        return [clause]

    def _first_contact(self) -> ColumnElement[bool]:
        # Art.18: the first contact follows the case wherever it was routed.
        return Case.first_contact_id == self.user_id

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
        clause: ColumnElement[bool] = column.in_(self.visible_branch_ids())
        if model is Case and self.user_id is not None:
            clause = or_(clause, self._first_contact())
        return clause

    def apply(self, query, model):
        clause = self.clause(model)
        return query if clause is None else query.filter(clause)

    def covers_branch(self, session: Session, branch_id: int | None) -> bool:
        if self.all_branches:
            return True
        return branch_id is not None and branch_id in self.branch_ids

    def ensure_branch(self, session: Session, branch_id: int | None) -> None:
        """Writes may not create or move a record into a branch outside the scope."""
        if not self.covers_branch(session, branch_id):
            raise OutOfScopeError(_l("You may only work on records of your own unit."))
