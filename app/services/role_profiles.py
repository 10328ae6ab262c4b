"""The profiles (app.domain.roles.RoleProfile) of the roles a person holds: built-in roles from
code, composed roles from the database. The scope and the case permissions read these."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.roles import ROLES_BY_NAME, RoleProfile
from app.models import ComposedRole


def role_profiles(session: Session | None, user) -> tuple[RoleProfile, ...]:
    if user is None:
        return ()
    roles = list(user.roles)
    profiles = [ROLES_BY_NAME[role.name] for role in roles if role.name in ROLES_BY_NAME]
    others = [role.id for role in roles if role.name not in ROLES_BY_NAME]
    if others and session is not None:
        composed = session.scalars(select(ComposedRole).where(ComposedRole.role_id.in_(others)))
        profiles.extend(item.profile() for item in composed)
    return tuple(profiles)
