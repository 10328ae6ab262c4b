"""The profiles (app.domain.roles.RoleProfile) of the roles a person holds: built-in roles from
code, composed roles from the database. The scope and the case permissions read these."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.i18n import _l
from app.domain.roles import ROLES_BY_NAME, RoleProfile, mixed_reach
from app.models import ComposedRole
from app.services.errors import InvalidRecordError


def role_profiles(session: Session | None, user) -> tuple[RoleProfile, ...]:
    if user is None:
        return ()
    return profiles_of_roles(session, user.roles)


def profiles_of_roles(session: Session | None, roles) -> tuple[RoleProfile, ...]:
    roles = [role for role in roles if role is not None]
    profiles = [ROLES_BY_NAME[role.name] for role in roles if role.name in ROLES_BY_NAME]
    others = [role.id for role in roles if role.name not in ROLES_BY_NAME]
    if others and session is not None:
        composed = session.scalars(select(ComposedRole).where(ComposedRole.role_id.in_(others)))
        profiles.extend(item.profile() for item in composed)
    return tuple(profiles)


def ensure_one_reach(session: Session | None, roles) -> None:
    """One person, one reach (app.domain.roles.mixed_reach): refused in Chinese otherwise."""
    if mixed_reach(profiles_of_roles(session, roles)):
        raise InvalidRecordError(
            _l(
                "These roles cover different units; a person's roles must all cover the same "
                "units (for example, do not combine a unit's auditor with another unit's liaison)."
            )
        )
