"""角色: the role × capability matrix, and the roles an administrator composes (issue 7).

Replaces FAB's role list, which shows a name and nothing of what the role may do. The view
parses the form, calls app.services.roles, renders."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.domain.roles import Reach
from app.extensions import db
from app.services import roles as role_service
from app.services.actor import current_actor
from app.services.errors import ConflictError
from app.views.case_labels import QUEUE_LABELS

CHANGE_LABELS = {
    "created": _l("Created"),
    "updated": _l("Changed"),
    "deleted": _l("Removed"),
}


def _int_or_none(value: str | None) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise ValueError(value)
    return int(value)


def _draft_from_form() -> role_service.RoleDraft:
    try:
        unit_id = _int_or_none(request.form.get("unit_id"))
    except ValueError:
        unit_id = -1  # no such unit: the service answers in Chinese
    return role_service.RoleDraft(
        name=request.form.get("name", ""),
        reach=request.form.get("reach", ""),
        unit_id=unit_id,
        capabilities=frozenset(request.form.getlist("capabilities")),
        description=request.form.get("description"),
        assigned_only=request.form.get("assigned_only") == "y",
    )


def _version_from_form() -> int | None:
    """The version the form showed; missing or malformed: None, which the service refuses as
    stale."""
    try:
        return _int_or_none(request.form.get("version"))
    except ValueError:
        return None


class RoleMatrixView(BaseView):
    route_base = "/roles"
    class_permission_name = "Role"
    method_permission_name = {
        "matrix": "read",
        "compose": "write",
        "edit": "write",
        "remove": "write",
    }
    base_permissions = ["can_read", "can_write"]
    default_view = "matrix"

    @expose("/")
    @has_access
    def matrix(self):
        return self.render_template(
            "suqiu/roles.html",
            matrix=role_service.role_matrix(db.session, QUEUE_LABELS),
            history=role_service.role_history(db.session),
            change_labels=CHANGE_LABELS,
            title=str(_l("Roles and what they may do")),
        )

    def _form(self, draft, composed=None, version=None, status=200):
        return (
            self.render_template(
                "suqiu/role_form.html",
                draft=draft,
                composed=composed,
                version=version,
                groups=role_service.composable_capabilities(),
                group_labels=role_service.GROUP_LABELS,
                reach_labels=role_service.REACH_LABELS,
                units=role_service.unit_choices(db.session),
                title=str(_l("Edit role") if composed else _l("Compose a role")),
            ),
            status,
        )

    @expose("/compose", methods=["GET", "POST"])
    @has_access
    def compose(self):
        if request.method == "GET":
            empty = role_service.RoleDraft("", Reach.OWN_UNIT, None, frozenset({"read.cases"}))
            return self._form(empty)
        draft = _draft_from_form()
        try:
            item = role_service.compose_role(db.session, current_actor(), draft)
        except DomainError as exc:
            flash(str(exc), "danger")
            return self._form(draft, status=400)
        flash(str(_l("The role %(name)s was created.", name=item.role.name)), "success")
        return redirect(url_for("RoleMatrixView.matrix"))

    @expose("/edit/<int:pk>", methods=["GET", "POST"])
    @has_access
    def edit(self, pk):
        try:
            composed = role_service.composed_role(db.session, pk)
        except DomainError:
            abort(404)
        if request.method == "GET":
            return self._form(role_service.draft_of(composed), composed, composed.version)
        draft = _draft_from_form()
        version = _version_from_form()
        try:
            role_service.change_role(db.session, current_actor(), pk, version, draft)
        except ConflictError as exc:
            # Someone saved first: show what is stored now, never the stale choices under the
            # new version (a second save would silently undo the other change).
            flash(str(exc), "danger")
            fresh = role_service.composed_role(db.session, pk)
            return self._form(role_service.draft_of(fresh), fresh, fresh.version, status=409)
        except DomainError as exc:
            flash(str(exc), "danger")
            composed = role_service.composed_role(db.session, pk)
            return self._form(draft, composed, version, status=400)
        flash(str(_l("The role was saved.")), "success")
        return redirect(url_for("RoleMatrixView.matrix"))

    @expose("/remove/<int:pk>", methods=["POST"])
    @has_access
    def remove(self, pk):
        try:
            name = role_service.remove_role(db.session, current_actor(), pk, _version_from_form())
        except DomainError as exc:
            flash(str(exc), "danger")
        else:
            flash(str(_l("The role %(name)s was removed.", name=name)), "success")
        return redirect(url_for("RoleMatrixView.matrix"))
