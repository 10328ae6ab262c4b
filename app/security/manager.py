"""The portal's FAB security manager: our user model and views, no Groups or permission editors
(roles are code, see app.security.roles), and rate limits on both the web and the API login."""

from __future__ import annotations

from flask import has_request_context, request
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_login import AnonymousUserMixin

from app.domain.i18n import _l
from app.models import SuqiuUser
from app.security.passwords import check_password_policy
from app.security.views import (
    MyPasswordView,
    MyProfileView,
    SuqiuRoleView,
    SuqiuUserView,
    UserPasswordView,
)
from app.views.datamodel import ScopedInterface


class SuqiuSecurityManager(SecurityManager):
    user_model = SuqiuUser
    userdbmodelview = SuqiuUserView
    rolemodelview = SuqiuRoleView
    userinfoeditview = MyProfileView
    resetmypasswordview = MyPasswordView
    resetpasswordview = UserPasswordView

    def __init__(self, appbuilder):
        super().__init__(appbuilder)
        # FAB replaces the user view's datamodel with a plain interface here: put the scoped one
        # back so users, like every other record, go through the branch filter and the service.
        self.userdbmodelview.datamodel = ScopedInterface(self.user_model)

    def add_user(
        self,
        username,
        first_name,
        last_name,
        email,
        role=None,
        password="",
        hashed_password="",
        groups=None,
        commit=True,
    ):
        # Every way of setting a password (web forms, `suqiu init`, FAB's own `fab create-admin`
        # and `fab reset-password` commands) passes the same policy.
        if password:
            check_password_policy(password)
        return super().add_user(
            username, first_name, last_name, email, role, password, hashed_password, groups, commit
        )

    def reset_password(self, userid, password) -> None:
        check_password_policy(password)
        super().reset_password(userid, password)

    # Permission checks: FAB asks the database once per check (~25 queries per page). The
    # signed-in user's whole permission set is loaded once per request instead.
    def _permission_set(self, user) -> frozenset[tuple[str, str]]:
        if not has_request_context():
            return frozenset(self.get_user_permissions(user))
        cache = request.environ.setdefault("suqiu.permissions", {})
        key = getattr(user, "id", None) if getattr(user, "is_authenticated", False) else None
        if key not in cache:
            cache[key] = frozenset(self.get_user_permissions(user))
        return cache[key]

    def get_user_roles(self, user) -> list:
        return [role for role in super().get_user_roles(user) if role is not None]

    def _has_view_access(self, user, permission_name: str, view_name: str) -> bool:
        return (permission_name, view_name) in self._permission_set(user)

    def _get_user_permission_view_menus(self, user, permission_name, view_menus_name):
        permissions = self._permission_set(user if user is not None else AnonymousUserMixin())
        return {name for name in view_menus_name if (permission_name, name) in permissions}

    def is_item_public(self, permission_name: str, view_name: str) -> bool:
        return (permission_name, view_name) in self._permission_set(AnonymousUserMixin())

    def register_views(self) -> None:
        appbuilder = self.appbuilder
        security_api = appbuilder.add_api(self.security_api)
        appbuilder.add_view_no_menu(self.userinfoeditview())
        appbuilder.add_view_no_menu(self.resetpasswordview())
        appbuilder.add_view_no_menu(self.resetmypasswordview())
        self.auth_view = appbuilder.add_view_no_menu(self.authdbview())
        if self.is_auth_limited:
            # FAB limits only the web form; the API login must not be a brute-force side door.
            for view in (self.auth_view, security_api):
                self.limiter.limit(self.auth_rate_limit, methods=["POST"])(view.blueprint)
        self.user_view = appbuilder.add_view(
            self.userdbmodelview,
            "Users",
            icon="fa-user",
            label=_l("Users"),
            category="System",
            category_icon="fa-cogs",
            category_label=_l("System administration"),
        )
        appbuilder.add_view(
            self.rolemodelview,
            "Roles",
            icon="fa-user-gear",
            label=_l("Roles"),
            category="System",
        )
