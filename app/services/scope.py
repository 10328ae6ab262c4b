"""Branch scoping: the one mechanism every query, form choice list, action, download, API,
chart and export goes through (design §1). A branch user sees their own unit and its sub-units;
CSD, leaders and the committee see every branch; notifications are personal.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session, object_session

from app.domain.i18n import _l
from app.domain.major_matters import case_flag_columns, flag_read_labels, reads_by_flags_only
from app.domain.roles import Reach, RoleProfile
from app.models import (
    AssessmentDeduction,
    AssessmentEvent,
    AssessmentLine,
    AssessmentObjection,
    Branch,
    BranchContact,
    BranchContactChange,
    Bulletin,
    BulletinEvent,
    Case,
    CaseEvent,
    ComplaintDetermination,
    Department,
    ExtensionRequest,
    MajorMatter,
    MajorMatterEntry,
    MeetingMeasure,
    Notification,
    PersonalBreach,
    PersonalBreachEvent,
    ReportAnswer,
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
    Bulletin: Bulletin.branch_id,  # a unit its own notices; CSD all (Art.37/38)
    BulletinEvent: BulletinEvent.branch_id,
    MajorMatter: MajorMatter.branch_id,
    PersonalBreach: PersonalBreach.branch_id,
    PersonalBreachEvent: PersonalBreachEvent.branch_id,
    # A unit the determinations naming it as responsible (Art.32; app.services.complaints).
    ComplaintDetermination: ComplaintDetermination.branch_id,
    # Art.39/40: a unit its own handling opinions and meeting measures.
    ReportAnswer: ReportAnswer.branch_id,
    MeetingMeasure: MeetingMeasure.branch_id,
    # The annual assessment (Art.41): a unit its own line, deductions and objections; the
    # events of an objection are the unit's (an assessment's own events have no unit).
    AssessmentLine: AssessmentLine.branch_id,
    AssessmentDeduction: AssessmentDeduction.branch_id,
    AssessmentObjection: AssessmentObjection.branch_id,
    AssessmentEvent: AssessmentEvent.branch_id,
}
# Records that belong to a case: visible when the case is.
CASE_CHILDREN = {CaseEvent: CaseEvent.case_id, ExtensionRequest: ExtensionRequest.case_id}
# Records of a unit that also follow their case's flags (Art.29/34): 风险管理部 reads the
# reviews of the casualty and property-loss cases it sees.
FOLLOW_CASE_FLAGS = {MajorMatter: MajorMatter.case_id}
# Records that belong to another scoped record: visible when it is (column, parent model).
CHILDREN = {MajorMatterEntry: (MajorMatterEntry.matter_id, MajorMatter)}
# Model -> the column naming the only user who may see a row.
PERSONAL_COLUMNS = {Notification: Notification.recipient_id}


@dataclass(frozen=True)
class Scope:
    """What one actor may see. ``branch_ids`` are the units it covers: the user's unit and its
    sub-units for a role of reach ``own_unit``, a named unit and its sub-units for a composed role
    of reach ``unit``, read once per request. A short literal list lets the database use its
    indexes on ``branch_id`` where a subquery on ``path LIKE`` made it read every row in scope
    (issue 6, item 16). ``case_flags`` are the case flag columns (media_involved, casualties,
    property_loss) whose cases of every unit the scope also reaches (Art.29/34: 党委工作部传讯组,
    风险管理部; app.domain.major_matters.FLAG_READS)."""

    user_id: int | None
    all_branches: bool
    branch_ids: tuple[int, ...] = ()
    case_flags: tuple[str, ...] = ()

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
        flags = case_flag_columns(code for profile in profiles for code in profile.capabilities)
        roots: set[int] = set()
        for profile in profiles:
            if reads_by_flags_only(profile.capabilities):
                continue  # the flagged cases of every unit, and no unit's other records
            if profile.reach is Reach.OWN_UNIT and user.branch_id is not None:
                roots.add(user.branch_id)
            elif profile.reach is Reach.UNIT and profile.unit_id is not None:
                roots.add(profile.unit_id)
        if not roots or session is None:
            return cls(user.id, False, (), flags)
        paths = list(session.scalars(select(Branch.path).where(Branch.id.in_(roots))))
        ids = session.scalars(
            select(Branch.id)
            .where(or_(*(Branch.path.startswith(path, autoescape=True) for path in paths)))
            .order_by(Branch.id)
        )
        return cls(user.id, False, tuple(ids), flags)

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
        if self.case_flags:
            # Flagged cases lie across every term: one term, which counts each case once.
            return [clause]
        if model is Case and not self.all_branches and self.user_id is not None:
            # Disjoint terms: a count may add them up (UNION ALL) and stop at its cap.
            in_units = Case.branch_id.in_(self.visible_branch_ids())
            elsewhere = or_(Case.branch_id.is_(None), Case.branch_id.not_in(self.branch_ids))
            return [in_units, and_(self._first_contact(), elsewhere)]
        return [clause]

    def _first_contact(self) -> ColumnElement[bool]:
        # Art.18: the first contact follows the case wherever it was routed.
        return Case.first_contact_id == self.user_id

    def _flagged(self, model) -> ColumnElement[bool] | None:
        """Art.29/34: the cases of every unit carrying one of the scope's flags, and the records
        that follow them (FOLLOW_CASE_FLAGS)."""
        if not self.case_flags:
            return None
        flagged = or_(*(getattr(Case, name) == true() for name in self.case_flags))
        if model is Case:
            return flagged
        case_column = FOLLOW_CASE_FLAGS.get(model)
        return None if case_column is None else case_column.in_(select(Case.id).where(flagged))

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
        if model in CHILDREN:
            link, parent = CHILDREN[model]
            parent_clause = self.clause(parent)
            if parent_clause is None:
                return None
            return link.in_(select(parent.id).where(parent_clause))
        column = BRANCH_COLUMNS.get(model)
        if column is None or self.all_branches:
            return None
        clause: ColumnElement[bool] = column.in_(self.visible_branch_ids())
        if model is Case and self.user_id is not None:
            clause = or_(clause, self._first_contact())
        flagged = self._flagged(model)
        return clause if flagged is None else or_(clause, flagged)

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


def describe_scope(session: Session, scope: Scope) -> str:
    """What the scope reaches, in words for the start page: every unit; the units it covers
    (each top unit "and its sub-units"); the flagged cases of the whole company it reads
    (Art.29/34: 党委工作部传讯组, 风险管理部); else no unit yet."""
    if scope.all_branches:
        return str(_l("all units"))
    parts = []
    if scope.branch_ids:
        ids = list(scope.branch_ids)
        tops = session.scalars(
            select(Branch.name)
            .where(
                Branch.id.in_(ids), or_(Branch.parent_id.is_(None), Branch.parent_id.not_in(ids))
            )
            .order_by(Branch.path)
        )
        parts += [str(_l("%(unit)s and its sub-units", unit=name)) for name in tops]
    parts += [str(label) for label in flag_read_labels(scope.case_flags)]
    return "；".join(parts) or str(_l("no unit assigned yet; ask the administrator"))
