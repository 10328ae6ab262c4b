"""REST API (JWT via /api/v1/security/login), scoped exactly like the web views."""

from __future__ import annotations

from flask import request
from flask_appbuilder.api import BaseApi, ModelRestApi, expose, protect, safe
from sqlalchemy import select

from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.extensions import db
from app.models import Branch, Case, Department
from app.services.actor import current_actor
from app.services.case_workflow import record_survey
from app.services.errors import OutOfScopeError, PermissionDeniedError
from app.views.base import CRUD_PERMISSIONS
from app.views.datamodel import ScopedInterface

API_PERMISSIONS = {
    **CRUD_PERMISSIONS,
    "get": "read",
    "get_list": "read",
    "info": "read",
    "post": "write",
    "put": "write",
}


class ScopedRestApi(ModelRestApi):
    """Maps the services' typed errors to HTTP statuses with the Chinese message."""

    method_permission_name = API_PERMISSIONS

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
    appbuilder.add_api(SurveyApi)


class SurveyApi(BaseApi):
    """公司渠道 satisfaction survey results (Art.35) pushed by the survey system:
    POST /api/v1/survey/ {"case_number": "...", "result": "satisfied", "note": "..."}."""

    resource_name = "survey"
    class_permission_name = "Survey"
    method_permission_name = {"post_result": "write"}
    allow_browser_login = False

    @expose("/", methods=["POST"])
    @protect()
    @safe
    def post_result(self):
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return self.response_400(message=str(_l("The request could not be understood.")))
        actor = current_actor()
        case_id = db.session.scalar(
            select(Case.id).where(Case.number == str(body.get("case_number", "")))
        )
        try:
            if case_id is None:
                raise OutOfScopeError(_l("The case does not exist or you may not see it."))
            record_survey(db.session, actor, case_id, body.get("result"), body.get("note"))
        except OutOfScopeError as exc:
            return self.response_404() if case_id is None else self.response(404, message=str(exc))
        except PermissionDeniedError as exc:
            return self.response(403, message=str(exc))
        except DomainError as exc:
            db.session.rollback()
            return self.response_422(message=str(exc))
        return self.response(200, message=str(_l("Done.")))
