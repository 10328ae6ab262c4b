"""REST API (JWT via /api/v1/security/login), scoped exactly like the web views."""

from __future__ import annotations

import prison
from flask import current_app, request
from flask_appbuilder.api import ModelRestApi
from sqlalchemy.exc import DataError, StatementError

from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.models import Branch, Department
from app.services.errors import OutOfScopeError
from app.views import list_params
from app.views.base import CRUD_PERMISSIONS
from app.views.datamodel import ScopedInterface
from app.views.jinja import ERROR_TEXT

API_PERMISSIONS = {
    **CRUD_PERMISSIONS,
    "get": "read",
    "get_list": "read",
    "info": "read",
    "post": "write",
    "put": "write",
}


class ScopedRestApi(ModelRestApi):
    """Maps the services' typed errors to HTTP statuses with the Chinese message; reads
    malformed query arguments (``q=``, order, page, filter values, ids) as a 400 or as the
    default, never a 500, and answers in Chinese where FAB answers in English."""

    method_permission_name = API_PERMISSIONS

    # FAB's fixed English messages ("Not a valid rison argument", "Not found", …).
    def response_400(self, message=None):
        return self.response(400, message=str(ERROR_TEXT[400]))

    def response_401(self):
        return self.response(401, message=str(_l("Please sign in to continue.")))

    def response_403(self):
        return self.response(403, message=str(ERROR_TEXT[403]))

    def response_404(self):
        return self.response(404, message=str(ERROR_TEXT[404]))

    def response_500(self, message=None):
        return self.response(500, message=str(ERROR_TEXT[500]))

    def create_blueprint(self, appbuilder, *args, **kwargs):
        blueprint = super().create_blueprint(appbuilder, *args, **kwargs)
        blueprint.before_request(self._refuse_unreadable_query)
        return blueprint

    def _refuse_unreadable_query(self):
        # FAB's @rison catches only the parser's own error; "(((" overflows the recursion
        # limit and "(a:" raises a TypeError, both a 500 through @safe.
        value = request.args.get("q")
        if not value:
            return None
        try:
            prison.loads(value)
        except prison.decoder.ParserException:
            return None  # FAB tries it as JSON, then answers 400 itself
        except Exception:  # noqa: BLE001  (whatever else the parser raises: unreadable)
            return self.response_400()
        return None

    def _handle_order_args(self, rison_args):
        # Like the web lists: an undeclared sort column is ignored, not an error (Art.13).
        column, direction = list_params.checked_order(
            rison_args.get("order_column"),
            rison_args.get("order_direction"),
            self.order_columns,
        )
        if not column:
            return self.base_order or ("", "")
        return column, direction

    def _sanitize_page_args(self, page, page_size):
        page, page_size = super()._sanitize_page_args(page, page_size)
        if page is not None:
            page = list_params.page_number(page) or 0
        return page, page_size

    def get_list_headless(self, **kwargs):
        return self._read(super().get_list_headless, **kwargs)

    def get_headless(self, pk, **kwargs):
        return self._read(super().get_headless, pk, **kwargs)

    def _read(self, handler, *args, **kwargs):
        # A filter value of the wrong type (a number where text goes, a list, a huge integer)
        # fails inside FAB's filters or the database driver: the request was malformed.
        try:
            return handler(*args, **kwargs)
        except (TypeError, ValueError, OverflowError, DataError, StatementError):
            self.datamodel.session.rollback()
            return self.response_400()

    def _guarded(self, handler, *args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except OutOfScopeError as exc:
            self.datamodel.session.rollback()
            return self.response(403, message=str(exc))
        except DomainError as exc:
            self.datamodel.session.rollback()
            return self.response_422(message=str(exc))

    def post_headless(self):
        return self._guarded(super().post_headless)

    def put_headless(self, pk):
        return self._guarded(super().put_headless, pk)

    def delete_headless(self, pk):
        return self._guarded(super().delete_headless, pk)


class DepartmentApi(ScopedRestApi):
    resource_name = "department"
    class_permission_name = "Department"
    datamodel = ScopedInterface(Department)
    # The relationship path, not the raw FK column (FAB issue #2425 with marshmallow 4).
    list_columns = ["id", "name", "phone", "active", "branch.id", "branch.name"]
    show_columns = list_columns
    add_columns = ["name", "phone", "active", "branch"]
    edit_columns = add_columns
    label_columns = {"name": _l("Name"), "branch": _l("Unit")}


class BranchApi(ScopedRestApi):
    resource_name = "branch"
    class_permission_name = "Branch"
    datamodel = ScopedInterface(Branch)
    include_route_methods = {"get", "get_list", "info"}
    base_permissions = ["can_read", "can_write"]  # same set as BranchView, which shares the name
    list_columns = ["id", "code", "name", "unit_type", "parent.id", "active"]
    show_columns = list_columns


def register(appbuilder) -> None:
    appbuilder.add_api(DepartmentApi)
    appbuilder.add_api(BranchApi)
    # The external systems' token API (Art.13), a plain blueprint beside FAB's user APIs.
    from app.views import api_v1

    api_v1.register(current_app)
