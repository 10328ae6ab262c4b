"""Saving and deleting master data: one entry point that checks the actor's branch scope, applies
the rules of each kind of record, and commits once (or rolls back, leaving nothing half-saved)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.domain import branch_tree
from app.domain.i18n import LazyString, _l
from app.domain.phone import normalise_phone
from app.models import (
    Branch,
    BranchContact,
    BranchContactChange,
    CalendarDay,
    CalendarYear,
    Department,
    SuqiuUser,
    TimeLimitRule,
    Vendor,
)
from app.services import calendar, contacts, time_limits
from app.services.actor import Actor
from app.services.errors import DuplicateRecordError, InvalidRecordError, RecordInUseError
from app.services.role_profiles import ensure_one_reach
from app.services.uow import transaction


@transaction(
    lambda exc: DuplicateRecordError(
        _l("A record with the same code or name already exists; please use another one.")
    )
)
def save(session: Session, actor: Actor, item, *, is_new: bool) -> None:
    """Validate ``item`` against its rules and the actor's scope; one transaction."""
    with session.no_autoflush:  # nothing reaches the database before every check passed
        _prepare(session, actor, item, is_new=is_new)
        changed_days = calendar.changed_spans(session, item)
    if is_new:
        session.add(item)
    session.flush()
    if isinstance(item, Branch):
        _refresh_paths(session, item)
    calendar.recompute_deadlines(session, actor, changed_days)


@transaction(
    lambda exc: RecordInUseError(
        _l("This record is still used by other records and cannot be deleted.")
    )
)
def delete(session: Session, actor: Actor, item) -> None:
    _ensure_scope(session, actor, item)
    _ensure_unused(session, item)
    if isinstance(item, BranchContact):
        contacts.record_change(session, actor, item, "deleted")
    if isinstance(item, TimeLimitRule):
        time_limits.check_rule_removal(session, item)
    changed_days = calendar.changed_spans(session, item, deleted=True)
    session.delete(item)
    session.flush()
    calendar.recompute_deadlines(session, actor, changed_days)


def _prepare(session: Session, actor: Actor, item, *, is_new: bool) -> None:
    if isinstance(item, Branch):
        parent_path = item.parent.path if item.parent is not None else None
        branch_tree.check_new_parent(item.path or None, parent_path)
    elif isinstance(item, Vendor):
        if item.department is None:
            raise InvalidRecordError(_l("Please choose the managing department."))
        item.branch = item.department.branch
        item.branch_id = item.department.branch_id
        if item.phone:
            item.phone = normalise_phone(item.phone)
    elif isinstance(item, Department):
        if item.phone:
            item.phone = normalise_phone(item.phone)
    elif isinstance(item, SuqiuUser):
        if item.department is not None and item.department.branch_id != (
            item.branch.id if item.branch is not None else None
        ):
            raise InvalidRecordError(_l("The department must belong to the user's unit."))
        ensure_one_reach(session, item.roles)
        if item.mobile:
            item.mobile = normalise_phone(item.mobile)
    if isinstance(item, CalendarDay | CalendarYear) and actor.user is not None:
        item.source = "admin"  # entered by hand, not from the official package
    if isinstance(item, TimeLimitRule):
        time_limits.prepare_rule(session, item)
    _ensure_scope(session, actor, item)
    if isinstance(item, BranchContact):
        contacts.prepare(session, actor, item, is_new=is_new)


def _ensure_scope(session: Session, actor: Actor, item) -> None:
    """The record's branch, before and after the change, must be inside the actor's scope."""
    scope = actor.scope
    if scope.all_branches:
        return
    if isinstance(item, Branch):
        if item.id is not None:
            scope.ensure_branch(session, item.id)
        scope.ensure_branch(session, item.parent.id if item.parent is not None else None)
        return
    branch = getattr(item, "branch", None)
    scope.ensure_branch(session, branch.id if branch is not None else None)
    if isinstance(item, Department | Vendor | BranchContact | SuqiuUser) and item.id is not None:
        # The stored branch too: an edit may not move a record out of another branch either.
        with session.no_autoflush:
            stored = session.scalar(select(type(item).branch_id).where(type(item).id == item.id))
        scope.ensure_branch(session, stored)


def _refresh_paths(session: Session, branch: Branch) -> None:
    """Recompute the materialised path of a saved branch and rebase its descendants."""
    parent_path = branch.parent.path if branch.parent is not None else None
    new_path = branch_tree.path_for(branch.id, parent_path)
    old_path = branch.path
    if old_path == new_path:
        return
    if old_path:
        for descendant in session.scalars(
            select(Branch).where(Branch.path.startswith(old_path), Branch.id != branch.id)
        ):
            descendant.path = branch_tree.rebase(descendant.path, old_path, new_path)
    branch.path = new_path
    session.flush()


# What still hangs on a unit or department: the model, its column pointing there, the label.
_Dependents = tuple[tuple[type[Any], InstrumentedAttribute[Any], LazyString], ...]
_BRANCH_DEPENDENTS: _Dependents = (
    (Branch, Branch.parent_id, _l("%(count)d sub-units")),
    (Department, Department.branch_id, _l("%(count)d departments")),
    (SuqiuUser, SuqiuUser.branch_id, _l("%(count)d users")),
    (BranchContact, BranchContact.branch_id, _l("%(count)d contacts")),
    (Vendor, Vendor.branch_id, _l("%(count)d vendors")),
    (BranchContactChange, BranchContactChange.branch_id, _l("%(count)d contact change records")),
)
_DEPARTMENT_DEPENDENTS: _Dependents = (
    (SuqiuUser, SuqiuUser.department_id, _l("%(count)d users")),
    (Vendor, Vendor.department_id, _l("%(count)d vendors")),
)


def _ensure_unused(session: Session, item) -> None:
    if isinstance(item, Branch):
        checks = _BRANCH_DEPENDENTS
    elif isinstance(item, Department):
        checks = _DEPARTMENT_DEPENDENTS
    else:
        return
    found = []
    for model, column, label in checks:
        with session.no_autoflush:
            count = session.scalar(select(func.count()).select_from(model).where(column == item.id))
        if count:
            found.append(str(label) % {"count": count})
    if found:
        raise RecordInUseError(
            _l(
                "“%(name)s” still has %(what)s and cannot be deleted; move or deactivate them "
                "first, or mark this record inactive instead."
            ),
            name=item.name,
            what="、".join(found),
        )


@transaction()
def deactivate(session: Session, actor: Actor, items) -> int:
    """Mark records inactive instead of deleting them (history stays intact)."""
    for item in items:
        _ensure_scope(session, actor, item)
        item.active = False
    return len(items)
