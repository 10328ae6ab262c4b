"""The role × capability matrix and the roles an administrator composes (issue 7).

Built-in roles are read-only here (they are code, app.domain.roles). A composed role is an
``ab_role`` row with a ``ComposedRole`` record of its reach and capabilities; every save
rewrites its FAB permissions from them and records the change (``RoleChange``).
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass

from flask_appbuilder.security.sqla.models import Role
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.capabilities import (
    CAPABILITIES,
    GROUP_LABELS,
    Capability,
    Group,
    UnknownCapabilityError,
    ensure_known,
)
from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.domain.roles import RESERVED_KEYS, ROLES, Reach, RoleProfile, mixed_reach, same_name
from app.models import Branch, ComposedRole, RoleChange, SuqiuUser
from app.services.actor import Actor
from app.services.case_queries import QUEUES
from app.services.errors import (
    ConflictError,
    DuplicateRecordError,
    InvalidRecordError,
    OutOfScopeError,
    PermissionDeniedError,
    RecordInUseError,
)
from app.services.role_permissions import apply_profile, fab
from app.services.role_profiles import profiles_of_roles
from app.services.uow import transaction

REACH_LABELS = {
    Reach.ALL: _l("Every unit"),
    Reach.OWN_UNIT: _l("The person's own unit and its sub-units"),
    Reach.UNIT: _l("One unit and its sub-units"),
}
NAME_MAX = 64


# --- the matrix ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleColumn:
    name: str
    profile: RoleProfile
    built_in: bool
    composed_id: int | None = None
    reach_label: str = ""
    holders: int = 0


@dataclass(frozen=True)
class MatrixRow:
    label: object
    holders: frozenset[str]  # names of the roles that have it
    code: str | None = None  # a capability (composable); None: derived (queues)


@dataclass(frozen=True)
class MatrixGroup:
    label: object
    rows: tuple[MatrixRow, ...]
    derived: bool = False


@dataclass(frozen=True)
class RoleMatrix:
    columns: tuple[RoleColumn, ...]
    groups: tuple[MatrixGroup, ...]


def _reach_label(profile: RoleProfile, unit_names: dict[int, str]) -> str:
    if profile.reach is Reach.UNIT:
        return f"{unit_names.get(profile.unit_id or 0, '')}{_l('and its sub-units')}"
    return str(REACH_LABELS[profile.reach])


def role_matrix(session: Session, queue_labels: dict[str, object]) -> RoleMatrix:
    """Every role (built-in first, then composed by name) against every capability, and the
    queues their case actions give them."""
    counts: dict[str, int] = dict(
        session.execute(
            select(Role.name, func.count()).join(SuqiuUser.roles).group_by(Role.name)
        ).all()
    )
    units = dict(session.execute(select(Branch.id, Branch.name)).all())
    columns = [
        RoleColumn(p.name, p, True, None, _reach_label(p, units), counts.get(p.name, 0))
        for p in ROLES
    ]
    composed = session.scalars(select(ComposedRole).join(ComposedRole.role).order_by(Role.name))
    for item in composed:
        profile = item.profile()
        columns.append(
            RoleColumn(
                profile.name,
                profile,
                False,
                item.id,
                _reach_label(profile, units),
                counts.get(profile.name, 0),
            )
        )

    def holders(predicate) -> frozenset[str]:
        return frozenset(c.name for c in columns if predicate(c.profile))

    groups = []
    for group in Group:
        rows = tuple(
            MatrixRow(cap.label, holders(lambda p, code=cap.code: code in p.capabilities), cap.code)
            for cap in CAPABILITIES
            if cap.group is group
        )
        groups.append(MatrixGroup(GROUP_LABELS[group], rows))
        if group is Group.CASE_ACTIONS:
            queue_rows = tuple(
                MatrixRow(
                    queue_labels.get(name, name),
                    holders(lambda p, q=queue: bool(p.case_actions & set(q.actions))),
                )
                for name, queue in QUEUES.items()
            )
            groups.append(MatrixGroup(_l("Work queues"), queue_rows, derived=True))
    return RoleMatrix(tuple(columns), tuple(groups))


def unit_choices(session: Session) -> list[tuple[int, str, int]]:
    """Every unit as (id, name, depth in the tree), in tree order, for the role form."""
    rows = session.execute(select(Branch.id, Branch.name, Branch.path).order_by(Branch.path))
    return [(unit_id, name, path.count("/") - 2) for unit_id, name, path in rows]


def composable_capabilities() -> dict[Group, tuple[Capability, ...]]:
    return {g: tuple(c for c in CAPABILITIES if c.group is g) for g in Group}


# --- composing ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoleDraft:
    """What the administrator's form says a composed role is."""

    name: str
    reach: str
    unit_id: int | None
    capabilities: frozenset[str]
    description: str | None = None
    assigned_only: bool = False


def _ensure_admin(actor: Actor) -> None:
    if not actor.is_admin:
        raise PermissionDeniedError(_l("Only the administrator may compose roles."))


def _validated(session: Session, draft: RoleDraft, role_id: int | None) -> RoleDraft:
    name = " ".join(unicodedata.normalize("NFKC", draft.name or "").split())
    if any(unicodedata.category(ch)[0] == "C" for ch in name):
        raise InvalidRecordError(_l("The name may not contain invisible characters."))
    if not name:
        raise InvalidRecordError(_l("Please give the role a name."))
    if len(name) > NAME_MAX:
        raise InvalidRecordError(_l("The name is too long (at most %(n)s characters)."), n=NAME_MAX)
    if same_name(name) in RESERVED_KEYS:
        raise DuplicateRecordError(_l("A built-in role already has this name."))
    for other_id, other in session.execute(select(Role.id, Role.name)):
        if other_id != role_id and same_name(other) == same_name(name):
            raise DuplicateRecordError(_l("Another role already has this name."))
    try:
        reach = Reach(draft.reach)
    except ValueError:
        raise InvalidRecordError(_l("Please choose whose records the role covers.")) from None
    unit_id = draft.unit_id if reach is Reach.UNIT else None
    if reach is Reach.UNIT and (unit_id is None or session.get(Branch, unit_id) is None):
        raise InvalidRecordError(_l("Please choose the unit the role covers."))
    try:
        capabilities = ensure_known(draft.capabilities)
    except UnknownCapabilityError:
        raise InvalidRecordError(_l("Unknown capability; reload the page.")) from None
    if not capabilities:
        raise InvalidRecordError(_l("Please choose at least one capability."))
    description = (draft.description or "").strip()[:200] or None
    return RoleDraft(name, reach, unit_id, capabilities, description, bool(draft.assigned_only))


def _snapshot(session: Session, item: ComposedRole) -> str:
    unit = session.get(Branch, item.unit_id) if item.unit_id else None
    return json.dumps(
        {
            "name": item.role.name,
            "reach": item.reach,
            "unit": unit.name if unit else None,
            "capabilities": sorted(item.capability_codes),
            "assigned_only": item.assigned_only,
            "description": item.description,
        },
        ensure_ascii=False,
    )


def _write(item: ComposedRole, draft: RoleDraft, actor: Actor) -> None:
    item.role.name = draft.name
    item.reach = str(draft.reach)
    item.unit_id = draft.unit_id
    item.capabilities = " ".join(sorted(draft.capabilities))
    item.description = draft.description
    item.assigned_only = draft.assigned_only
    item.changed_by_id = actor.user_id
    item.changed_at = clock_now()


@transaction(
    on_integrity_error=lambda exc: DuplicateRecordError(_l("Another role already has this name."))
)
def compose_role(session: Session, actor: Actor, draft: RoleDraft) -> ComposedRole:
    _ensure_admin(actor)
    draft = _validated(session, draft, None)
    appbuilder = fab()
    role = Role(name=draft.name)
    session.add(role)
    item = ComposedRole(role=role, created_by_id=actor.user_id, created_at=clock_now())
    _write(item, draft, actor)
    session.add(item)
    session.flush()
    apply_profile(appbuilder, role, item.profile())
    session.add(
        RoleChange(
            role_name=draft.name,
            change_type="created",
            after=_snapshot(session, item),
            changed_by_id=actor.user_id,
            changed_at=clock_now(),
        )
    )
    return item


def _load(session: Session, composed_id: int, version: int | None) -> ComposedRole:
    """The role as the form showed it: a form without its version is as stale as an old one."""
    item = composed_role(session, composed_id)
    if version != item.version:
        raise ConflictError(
            _l("Someone else changed this role a moment ago; reload the page and try again.")
        )
    return item


@transaction(
    on_integrity_error=lambda exc: DuplicateRecordError(_l("Another role already has this name."))
)
def change_role(
    session: Session, actor: Actor, composed_id: int, version: int | None, draft: RoleDraft
) -> ComposedRole:
    _ensure_admin(actor)
    item = _load(session, composed_id, version)
    draft = _validated(session, draft, item.role_id)
    before = _snapshot(session, item)
    _write(item, draft, actor)
    session.flush()
    apply_profile(fab(), item.role, item.profile())
    _ensure_holders_keep_one_reach(session, item)
    after = _snapshot(session, item)
    if after != before:
        session.add(
            RoleChange(
                role_name=draft.name,
                change_type="updated",
                before=before,
                after=after,
                changed_by_id=actor.user_id,
                changed_at=clock_now(),
            )
        )
    return item


@transaction()
def remove_role(session: Session, actor: Actor, composed_id: int, version: int | None) -> str:
    """Remove a composed role no one holds (nothing lost: take it from its holders first)."""
    _ensure_admin(actor)
    item = _load(session, composed_id, version)
    holders = session.scalar(
        select(func.count()).select_from(SuqiuUser).where(SuqiuUser.roles.contains(item.role))
    )
    if holders:
        raise RecordInUseError(
            _l("%(n)s user(s) still hold this role; take it from them first."), n=holders
        )
    name = item.role.name
    session.add(
        RoleChange(
            role_name=name,
            change_type="deleted",
            before=_snapshot(session, item),
            changed_by_id=actor.user_id,
            changed_at=clock_now(),
        )
    )
    role = item.role
    role.permissions = []
    session.delete(item)
    session.delete(role)
    return name


def role_history(session: Session, limit: int = 50) -> list[RoleChange]:
    return list(
        session.scalars(
            select(RoleChange)
            .order_by(RoleChange.changed_at.desc(), RoleChange.id.desc())
            .limit(limit)
        )
    )


def composed_role(session: Session, composed_id: int) -> ComposedRole:
    item = session.get(ComposedRole, composed_id)
    if item is None:
        raise OutOfScopeError(_l("The role does not exist or is built in."))
    return item


def draft_of(item: ComposedRole) -> RoleDraft:
    """The stored role as its form shows it."""
    return RoleDraft(
        item.role.name,
        item.reach,
        item.unit_id,
        item.capability_codes,
        item.description,
        item.assigned_only,
    )


def _ensure_holders_keep_one_reach(session: Session, item: ComposedRole) -> None:
    """A change of reach may not leave a holder with roles of different reach (one person, one
    reach: app.domain.roles.mixed_reach)."""
    holders = session.scalars(select(SuqiuUser).where(SuqiuUser.roles.contains(item.role)))
    for user in holders:
        if mixed_reach(profiles_of_roles(session, user.roles)):
            raise InvalidRecordError(
                _l(
                    "%(user)s also holds roles of another reach; a person's roles must all "
                    "cover the same units."
                ),
                user=user.display_name,
            )
