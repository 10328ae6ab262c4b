"""Who is acting: the signed-in user (session or JWT) and their scope, cached per request."""

from __future__ import annotations

from dataclasses import dataclass

from flask import has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import object_session

from app.domain.capabilities import CAPABILITIES_BY_CODE, case_actions_of
from app.domain.roles import RoleProfile
from app.extensions import db
from app.models import SuqiuUser
from app.services.role_profiles import role_profiles
from app.services.scope import Scope


@dataclass(frozen=True)
class Actor:
    """A person (or the system) with the scope and the capabilities of all their roles, built-in
    and composed alike (app.domain.roles)."""

    user: SuqiuUser | None
    scope: Scope
    capabilities: frozenset[str] = frozenset()
    is_admin: bool = False
    profiles: tuple[RoleProfile, ...] = ()

    @property
    def user_id(self) -> int | None:
        # From the scope, read when the actor was made: ``user.id`` of a user expired by a
        # commit costs a query (a registration loop paid one per case).
        return self.scope.user_id

    @property
    def case_actions(self) -> frozenset[str]:
        return case_actions_of(self.capabilities)

    def may(self, capability: str) -> bool:
        return capability in self.capabilities

    @classmethod
    def system(cls) -> Actor:
        return cls(None, Scope.system(), frozenset(CAPABILITIES_BY_CODE), True)

    @classmethod
    def of(cls, user: SuqiuUser | None) -> Actor:
        if user is None or not getattr(user, "is_authenticated", False):
            return cls(user, Scope.for_user(None))
        session = object_session(user)
        profiles = role_profiles(session, user)
        capabilities = frozenset().union(*(profile.capabilities for profile in profiles))
        return cls(
            user,
            Scope.for_profiles(session, user, profiles),
            capabilities,
            any(profile.is_admin for profile in profiles),
            profiles,
        )


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
    # Cached on the request itself: an application context (and its ``g``) may outlive it.
    actor = request.environ.get("suqiu.actor")
    if actor is None:
        # Loading the user's roles must not flush a half-built record of the current request.
        with db.session.no_autoflush:
            actor = Actor.of(_request_user())
        request.environ["suqiu.actor"] = actor
    return actor
