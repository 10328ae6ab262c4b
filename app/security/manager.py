"""The portal's FAB security manager: our user model and views, no Groups or permission editors
(roles are code, see app.domain.roles), limits on failed sign-ins (web and API alike) and
sessions that end together (app.security.sessions)."""

from __future__ import annotations

import hashlib

from flask import current_app, g, has_request_context, request, session
from flask_appbuilder.security.sqla.manager import SecurityManager
from flask_login import AnonymousUserMixin

from app.domain.i18n import _l
from app.models import SuqiuUser
from app.security import sessions
from app.security.passwords import check_password_policy
from app.security.views import (
    MyPasswordView,
    MyProfileView,
    SuqiuAuthDBView,
    SuqiuUserView,
    UserPasswordView,
)
from app.views.datamodel import ScopedInterface
from app.views.roles import RoleMatrixView

FAILED_SIGN_IN = "suqiu.sign_in_failed"


def _failed_sign_in(_response) -> bool:
    return bool(request.environ.get(FAILED_SIGN_IN))


def _account_key() -> str:
    """The account a sign-in names (web form or API body), hashed: any string is a safe key."""
    body = request.get_json(silent=True) if request.is_json else request.form
    name = body.get("username") if hasattr(body, "get") else None
    name = name.strip().lower() if isinstance(name, str) else ""
    return "account:" + hashlib.sha256(name.encode()).hexdigest()[:32]


def _address_key() -> str:
    # ProxyFix (SUQIU_TRUSTED_PROXIES) has already put the client's address here.
    return "address:" + (request.remote_addr or "unknown")


class SuqiuSecurityManager(SecurityManager):
    user_model = SuqiuUser
    userdbmodelview = SuqiuUserView
    rolemodelview = RoleMatrixView
    userinfoeditview = MyProfileView
    authdbview = SuqiuAuthDBView
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
        super().reset_password(userid, password)  # the new hash ends every session (SuqiuUser)
        sessions.keep_this_session(self.get_user_by_id(userid))

    # -- Sign-in: failures are counted, sessions and tokens carry the account's epoch ---------

    def auth_user_db(self, username, password):
        user = super().auth_user_db(username, password)
        if user is None and has_request_context():
            request.environ[FAILED_SIGN_IN] = True  # only failures count towards the limits
        return user

    def create_login_manager(self, app):
        login_manager = super().create_login_manager(app)
        login_manager.user_loader(self.load_user_from_session)
        return login_manager

    def load_user_from_session(self, pk):
        user = self.load_user(pk)
        if not sessions.session_is_current(user):
            session.clear()  # an ended session (or a copy of it) stops here, and stops sliding
            return None
        return user

    def create_jwt_manager(self, app):
        jwt_manager = super().create_jwt_manager(app)
        sessions.install_token_checks(self, jwt_manager)
        return jwt_manager

    def load_user_jwt(self, _jwt_header, jwt_data):
        user = self.load_user(jwt_data["sub"])
        if not sessions.token_is_current(user, jwt_data):
            return None
        g.user = user  # as FAB does: the API views read g.user
        return user

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
            self._limit_failed_sign_ins(self.auth_view, security_api)
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

    def _limit_failed_sign_ins(self, *views) -> None:
        """FAB limits every POST to its web login, successes included (an office behind one NAT
        address locked itself out), and not the API at all. Here only failed sign-ins count,
        per account and per client address, web and API together, in the limiter's storage
        (Redis shares the counts between instances). A breach answers 429 in Chinese."""
        endpoints = {f"{view.endpoint}.login" for view in views}
        limits = (
            ("suqiu-login-account", self.auth_rate_limit, _account_key),
            (
                "suqiu-login-address",
                current_app.config["SUQIU_LOGIN_ADDRESS_RATE_LIMIT"],
                _address_key,
            ),
        )
        for scope, limit, key in limits:
            decorator = self.limiter.shared_limit(
                limit,
                scope=scope,
                key_func=key,
                methods=["POST"],
                deduct_when=_failed_sign_in,
                exempt_when=lambda: request.endpoint not in endpoints,
            )
            for view in views:
                decorator(view.blueprint)
