"""Who is acting: the signed-in user (session or JWT) and their branch scope, cached per request."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g, has_request_context
from flask_login import current_user

from app.models import SuqiuUser
from app.services.scope import Scope


@dataclass(frozen=True)
class Actor:
    user: SuqiuUser | None
    scope: Scope

    @property
    def user_id(self) -> int | None:
        return self.user.id if self.user is not None else None

    @classmethod
    def system(cls) -> Actor:
        return cls(None, Scope.system())

    @classmethod
    def of(cls, user: SuqiuUser | None) -> Actor:
        return cls(user, Scope.for_user(user))


def _request_user() -> SuqiuUser | None:
    if current_user and current_user.is_authenticated:
        return current_user._get_current_object()
    try:  # REST API calls authenticate with a JWT instead of the session cookie.
        from flask_jwt_extended import current_user as jwt_user

        if jwt_user:
            return jwt_user._get_current_object()
    except RuntimeError:
        pass
    return None


def current_actor() -> Actor:
    """Inside a request: the signed-in user (no user sees nothing). Outside: the system."""
    if not has_request_context():
        return Actor.system()
    actor = g.get("suqiu_actor")
    if actor is None:
        actor = Actor.of(_request_user())
        g.suqiu_actor = actor
    return actor
