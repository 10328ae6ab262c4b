"""The base of every CRUD view: stable permission names, branch-scoped data, Chinese titles,
domain errors reported on the form (nothing half-saved), no FAB file-download back door."""

from __future__ import annotations

from flask import abort, flash, request
from flask_appbuilder import ModelView
from flask_appbuilder.urltools import get_filter_args
from wtforms import BooleanField
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired

from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.services.errors import OutOfScopeError
from app.views.formatting import display_value

CRUD_PERMISSIONS = {
    "list": "read",
    "show": "read",
    "api_read": "read",
    "api_get": "read",
    "download": "read",
    "add": "write",
    "edit": "write",
    "delete": "write",
    "action": "write",
    "action_post": "write",
    # actions
    "deactivate": "write",
    "mark_read": "write",
}


def localise_view(view) -> None:
    """Chinese display for every column and blank choice (FAB prints None/True/reprs and
    "__None"), and check boxes that may be left unticked. Shared by our CRUD views and FAB's
    security views."""
    for column in set(view.list_columns or []) | set(view.show_columns or []):
        view.formatters_columns.setdefault(column, display_value)
    for form in (view.add_form, view.edit_form):
        for name in dir(form):
            unbound = getattr(form, name, None)
            if not isinstance(unbound, UnboundField):
                continue
            if unbound.kwargs.get("allow_blank"):
                unbound.kwargs["blank_text"] = _l("(none)")
            if issubclass(unbound.field_class, BooleanField):
                # FAB makes a NOT NULL boolean "required", i.e. it must be ticked: a unit could
                # never be deactivated, a holiday never entered. Unticked simply means False.
                unbound.kwargs["validators"] = [
                    v
                    for v in unbound.kwargs.get("validators") or []
                    if not isinstance(v, DataRequired | InputRequired)
                ]


class SuqiuModelView(ModelView):
    method_permission_name = CRUD_PERMISSIONS
    page_size = 20

    def _init_forms(self):
        super()._init_forms()
        localise_view(self)

    def download(self, filename):
        # FAB serves any uploaded file to any signed-in user here; attachments have their own
        # scoped download instead.
        abort(404)

    def _add(self):
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        form = self.add_form.refresh()
        if request.method == "POST":
            self._fill_form_exclude_cols(exclude_cols, form)
            if form.validate():
                self.process_form(form, True)
                item = self.datamodel.obj()
                if self._save(form, item, self.pre_add, self.datamodel.add):
                    self.post_add(item)
                    flash(str(self.add_row_message), "success")
                    return None
        else:
            self.update_redirect()
        return self._get_add_widget(form=form, exclude_cols=exclude_cols)

    def _edit(self, pk):
        get_filter_args(self._filters, disallow_if_not_in_search=False)
        exclude_cols = self._filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        pk = self.datamodel.get_pk_value(item)
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            self._fill_form_exclude_cols(exclude_cols, form)
            form._id = pk
            if form.validate():
                self.process_form(form, False)
                if self._save(form, item, self.pre_update, self.datamodel.edit):
                    self.post_update(item)
                    flash(str(self.edit_row_message), "success")
                    return None
        else:
            form = self.edit_form.refresh(obj=item)
            self.prefill_form(form, pk)
            self.update_redirect()
        return self._get_edit_widget(form=form, exclude_cols=exclude_cols)

    def _save(self, form, item, hook, persist) -> bool:
        """Populate and persist ``item``; a rule violation is flashed and the form shown again."""
        try:
            form.populate_obj(item)
            hook(item)
            persist(item)
        except OutOfScopeError:
            self.datamodel.session.rollback()
            abort(403)
        except DomainError as exc:
            self.datamodel.session.rollback()
            flash(str(exc), "danger")
            return False
        return True

    def _delete(self, pk):
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        try:
            self.pre_delete(item)
            self.datamodel.delete(item)
        except OutOfScopeError:
            abort(403)
        except DomainError as exc:
            flash(str(exc), "danger")
        else:
            self.post_delete(item)
            flash(str(self.delete_row_message), "success")
        self.update_redirect()
