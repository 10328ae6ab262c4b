"""Portal accounts: creating them from commands (administrator, demo users) under the password
policy. Many of the utility's staff have no e-mail address: however an account is saved (web
form, command, FAB's own commands), an empty address is stored as NULL (``ab_user.email`` is
nullable since migration e0f4a5b6c7d8; NULLs do not collide in its unique index)."""

from __future__ import annotations

from flask_appbuilder.exceptions import PasswordComplexityValidationError
from sqlalchemy import event

from app.domain.i18n import _l
from app.models import SuqiuUser
from app.services.errors import InvalidRecordError
from app.services.role_profiles import ensure_one_reach
from app.services.uow import transaction


@event.listens_for(SuqiuUser, "before_insert")
@event.listens_for(SuqiuUser, "before_update")
def _store_missing_email_as_null(_mapper, _connection, user: SuqiuUser) -> None:
    email = (user.email or "").strip()
    user.email = email or None


def create_user(sm, **fields):
    """Create a user unless the username exists; returns (user, created)."""
    return _create_user(sm.session, sm, **fields)


@transaction()
def _create_user(
    session,
    sm,
    *,
    username,
    last_name,
    first_name,
    role_names,
    password,
    email=None,
    branch=None,
    department=None,
    mobile=None,
):
    existing = sm.find_user(username=username)
    if existing is not None:
        return existing, False
    roles = [sm.find_role(name) for name in role_names]
    if any(role is None for role in roles):
        raise InvalidRecordError(_l("Unknown role; run “suqiu init” first."))
    ensure_one_reach(session, roles)
    try:
        # The portal's security manager applies the password policy to every new account.
        user = sm.add_user(username, first_name, last_name, email or None, roles, password)
    except PasswordComplexityValidationError as exc:
        raise InvalidRecordError(str(exc)) from exc
    if not user:
        raise InvalidRecordError(_l("The account could not be created."))
    user.branch = branch
    user.department = department
    user.mobile = mobile
    return user, True
