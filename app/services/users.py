"""Creating portal accounts from commands (administrator, demo users) under the password policy."""

from __future__ import annotations

from app.domain.i18n import _l
from app.security.passwords import password_problems
from app.services.errors import InvalidRecordError
from app.services.uow import transaction


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
    email,
    role_names,
    password,
    branch=None,
    department=None,
    mobile=None,
):
    existing = sm.find_user(username=username)
    if existing is not None:
        return existing, False
    problems = password_problems(password)
    if problems:
        raise InvalidRecordError(
            _l("The password must contain %(what)s."), what="、".join(problems)
        )
    roles = [sm.find_role(name) for name in role_names]
    if any(role is None for role in roles):
        raise InvalidRecordError(_l("Unknown role; run “suqiu init” first."))
    user = sm.add_user(username, first_name, last_name, email, roles, password)
    if not user:
        raise InvalidRecordError(_l("The account could not be created."))
    user.branch = branch
    user.department = department
    user.mobile = mobile
    return user, True
