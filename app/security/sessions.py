"""Sessions and API tokens that end together (issue 6 #18).

The session cookie is signed but kept by the browser: signing out on the server cannot recall a
copy of it. Each account therefore has an epoch (``SuqiuUser.session_epoch``), written into the
session and into every JWT at sign-in and checked on every request; sign-out, a password change
and deactivation bump it, which ends every session and token issued before.
"""

from __future__ import annotations

from flask import has_request_context, jsonify, session
from flask_login import user_logged_in

from app.domain.i18n import _l

SESSION_KEY = "suqiu_epoch"
TOKEN_CLAIM = "suqiu_epoch"  # noqa: S105  (a claim name)


def _remember_epoch(_app, user, **_extra) -> None:
    session[SESSION_KEY] = user.session_epoch


user_logged_in.connect(_remember_epoch)  # every login_user(), whichever view calls it


def session_is_current(user) -> bool:
    return user is not None and session.get(SESSION_KEY) == user.session_epoch


def token_is_current(user, jwt_data: dict) -> bool:
    return user is not None and jwt_data.get(TOKEN_CLAIM) == user.session_epoch


def end_all_sessions(sm, user) -> None:
    """Sign-out: every session and token of ``user`` ends, on every device."""
    user.end_all_sessions()
    sm.session.commit()


def keep_this_session(user) -> None:
    """After people change their own password, the browser they did it in stays signed in; every
    other session (and every copy of this one's old cookie) has ended."""
    if has_request_context() and session.get("_user_id") == str(user.id):
        session[SESSION_KEY] = user.session_epoch


def install_token_checks(sm, jwt_manager) -> None:
    """Tokens carry the epoch; a token of an older epoch finds no user (401, in Chinese)."""

    @jwt_manager.additional_claims_loader
    def _epoch_claim(identity) -> dict:
        user = sm.get_user_by_id(int(identity))
        return {TOKEN_CLAIM: user.session_epoch if user is not None else None}

    @jwt_manager.user_lookup_error_loader
    def _token_ended(_jwt_header, _jwt_data):
        message = _l("Your sign-in has ended; please sign in again.")
        return jsonify(message=str(message)), 401
