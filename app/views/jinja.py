"""Template helpers and error pages in Chinese."""

from __future__ import annotations

from flask import g, jsonify, render_template, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError

from app.domain.clock import format_datetime
from app.domain.i18n import _l
from app.domain.lifecycle import ExtensionStatus

ERROR_TEXT = {
    400: _l("The request could not be understood."),
    403: _l("You do not have permission to do this."),
    404: _l("The page or record does not exist, or you may not see it."),
    405: _l("This action is not allowed this way."),
    413: _l("The upload is too large."),
    429: _l("Too many attempts; please wait a minute and try again."),
    500: _l("Something went wrong on the server; the error has been logged."),
}
# The machine-readable codes of the API's JSON errors (app.views.api_v1).
ERROR_CODES = {
    400: "bad_request",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "rate_limited",
    500: "server_error",
}


def register_template_helpers(app) -> None:
    app.jinja_env.filters["datetime"] = format_datetime
    # Templates compare with the domain's vocabulary, never with bare code strings.
    app.jinja_env.globals["ExtensionStatus"] = ExtensionStatus

    @app.context_processor
    def _notification_badge():
        def unread_notifications() -> int:
            from app.extensions import db
            from app.services.actor import current_actor
            from app.services.notifications import unread_count

            return unread_count(db.session, current_actor())

        return {"unread_notifications": unread_notifications}

    def render_error(error):
        code = getattr(error, "code", 500) or 500
        if code >= 500:  # the failed transaction must not break the error page's own queries
            from app.extensions import db

            db.session.rollback()
        message = ERROR_TEXT.get(code, ERROR_TEXT[500])
        if isinstance(error, CSRFError):
            message = _l(
                "The form has expired or was not sent from this portal; "
                "please reload the page and try again."
            )
        if request.path.startswith("/api/"):
            # {status, code, message}: the machine-readable code beside the Chinese message.
            body = {"status": code, "code": ERROR_CODES.get(code, "error"), "message": str(message)}
            return jsonify(body), code
        if "user" not in g:  # the error came before FAB's own before_request (e.g. CSRF, 413)
            g.user = current_user
        return render_template(
            "suqiu/error.html",
            code=code,
            message=message,
            base_template=app.appbuilder.base_template,
            appbuilder=app.appbuilder,
        ), code

    def out_of_range(_error):
        # An id or page number beyond what the database stores: no such record.
        from werkzeug.exceptions import NotFound

        from app.extensions import db

        db.session.rollback()
        return render_error(NotFound())

    for code in ERROR_TEXT:
        app.register_error_handler(code, render_error)
    app.register_error_handler(OverflowError, out_of_range)
    app.register_error_handler(DataError, out_of_range)
    app.register_error_handler(CSRFError, render_error)
