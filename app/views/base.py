"""The base of every CRUD view: stable permission names, branch-scoped data, Chinese titles,
domain errors reported on the form (nothing half-saved), no FAB file-download back door."""

from __future__ import annotations

import copy

from flask import abort, current_app, flash, redirect, request
from flask_appbuilder import ModelView, expose
from flask_appbuilder.exceptions import FABException
from sqlalchemy.exc import StatementError
from wtforms import BooleanField
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, InputRequired

from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.extensions import db
from app.services.actor import current_actor
from app.services.errors import OutOfScopeError, PermissionDeniedError
from app.views import list_params
from app.views.formatting import display_value
from app.views.list_filters import RELATION_FILTERS, FlagIs, yes_no_field

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
    for form in (view.add_form, view.edit_form, view.search_form):
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


def page_size_cap() -> int:
    """The web lists' largest page, the API's (FAB_API_MAX_PAGE_SIZE)."""
    cap = current_app.config.get("FAB_API_MAX_PAGE_SIZE") or list_params.MAX_PAGE_SIZE
    return cap if cap > 0 else list_params.MAX_PAGE_SIZE


class SuqiuModelView(ModelView):
    method_permission_name = CRUD_PERMISSIONS
    page_size = 20
    # Column -> the filter classes offered for it, replacing FAB's defaults (English-named,
    # ``ilike '%…%'``) by Chinese, index-friendly ones (app/views/list_filters.py).
    search_filter_classes: dict = {}
    # Search columns offered to company-wide roles only (Scope.all_branches); for a branch role
    # they are neither shown nor honoured from the URL.
    company_wide_search_columns: tuple[str, ...] = ()

    def _init_properties(self):
        super()._init_properties()
        # FAB's defaults for relations ("关联", a lookup comparing with NULL) and yes/no
        # columns (a check box; 'abc' compared with a boolean fails on PostgreSQL) are replaced
        # on every list.
        classes, fields = {}, {}
        for column in self.search_columns:
            if self.datamodel.is_relation_many_to_one(column):
                classes[column] = RELATION_FILTERS
            elif self.datamodel.is_boolean(column):
                classes[column] = [FlagIs]
                fields[column] = yes_no_field(self.label_columns.get(column, column))
        classes.update(self.search_filter_classes)
        self.search_form_extra_fields = {**fields, **(self.search_form_extra_fields or {})}
        custom = {
            column: [cls(column, self.datamodel) for cls in filter_classes]
            for column, filter_classes in classes.items()
        }
        # A new dict: FAB's may be the class-level default shared by every view.
        self._filters._search_filters = {**self._filters.get_search_filters(), **custom}

    def _init_forms(self):
        super()._init_forms()
        localise_view(self)

    # ---- lists: only declared sorts, readable pages and filters, per-request state ----

    def offered_search_columns(self) -> list[str]:
        if current_actor().scope.all_branches:
            return list(self.search_columns)
        return [c for c in self.search_columns if c not in self.company_wide_search_columns]

    def _request_filters(self, allowed, candidates):
        # A copy per request: FAB fills the view's one Filters object, shared by every thread.
        filters = copy.copy(self._filters)
        list_params.fill_filters(filters, request.args, allowed, candidates)
        return filters

    # Search columns honoured from the URL (a dashboard's drill-down link) but not offered in the
    # filter panel; ``drill_notes`` names them above the list instead.
    hidden_search_columns: tuple[str, ...] = ()

    def drill_notes(self, filters) -> list[str]:
        return []

    def _list(self, **kwargs):
        offered = self.offered_search_columns()
        filters = self._request_filters(
            [*offered, *self.hidden_search_columns], self._filters.get_search_filters()
        )
        args = list_params.list_args(
            request.args, type(self).__name__, self.order_columns, page_size_cap()
        )
        listing = dict(
            order_column=args.order_column,
            order_direction=args.order_direction,
            page=args.page,
            page_size=args.page_size,
            **kwargs,
        )
        try:
            widgets = self._get_list_widget(filters=filters, **listing)
        except (FABException, StatementError):
            # A filter FAB could not apply, or a value the database cannot compare with the
            # column: the list without the filters, and a message.
            if not filters.filters:
                raise
            self.datamodel.session.rollback()
            flash(str(_l("A filter could not be applied and was ignored.")), "warning")
            filters.clear_filters()
            widgets = self._get_list_widget(filters=filters, **listing)
        form = self.search_form.refresh()
        self.update_redirect()
        shown = copy.copy(filters)
        kept = [
            (flt, value)
            for flt, value in zip(filters.filters, filters.values, strict=True)
            if flt.column_name not in self.hidden_search_columns
        ]
        shown.filters, shown.values = [f for f, _ in kept], [v for _, v in kept]
        widgets["search"] = self.search_widget(
            route_base=self.route_base,
            form=form,
            include_cols=offered,
            exclude_cols=[],
            filters=shown,
        )
        widgets["drill_notes"] = self.drill_notes(filters)
        return widgets

    def _get_list_widget(
        self,
        filters,
        actions=None,
        order_column="",
        order_direction="",
        page=None,
        page_size=None,
        widgets=None,
        **kwargs,
    ):
        # Every list query passes here (a show page's related lists too): sort only by a
        # declared column (Art.13: never beside a hidden 举报 reporter), bounded pages.
        order_column, order_direction = list_params.checked_order(
            order_column, order_direction, self.order_columns
        )
        page = list_params.page_number(page)
        page_size = list_params.page_size(page_size, page_size_cap())
        return super()._get_list_widget(
            filters,
            actions=actions,
            order_column=order_column,
            order_direction=order_direction,
            page=page,
            page_size=page_size,
            widgets=widgets,
            **kwargs,
        )

    def _show(self, pk):
        pages, sizes, orders = list_params.related_list_args(request.args, page_size_cap())
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        widgets = self._get_show_widget(pk, item)
        self.update_redirect()
        return self._get_related_views_widgets(
            item, orders=orders, pages=pages, page_sizes=sizes, widgets=widgets
        )

    def _prefill_filters(self):
        """The ``_flt_`` arguments by which a related view's add link pre-fills (and hides) a
        relation field, read without FAB's unchecked index."""
        candidates = self._filters._all_filters
        return self._request_filters(set(candidates), candidates)

    def _fill_form_exclude_cols(self, exclude_cols, form, filters=None):
        filters = filters if filters is not None else self._filters
        for column in exclude_cols:
            value = filters.get_filter_value(column)
            if isinstance(value, list):
                value = value[0] if value else None
            if hasattr(form, column):
                getattr(form, column).data = self.datamodel.get_related_obj(column, value)

    # FAB dereferences an unknown action name (a 500) before checking anything, hands a
    # single-record action a list, and a missing record to the action as None.
    @expose("/action_post", methods=["POST"])
    def action_post(self):
        name = request.form.get("action")
        if name not in self.actions:
            return self._refuse_action(_l("This action does not exist."))
        if not self.actions[name].multiple:
            pks = request.form.getlist("rowid")
            if len(pks) != 1:
                return self._refuse_action(_l("Choose exactly one record for this action."))
            return self.action(name, pks[0])
        return super().action_post()

    @expose("/action/<string:name>/<pk>", methods=["GET", "POST"])
    def action(self, name, pk):
        if name not in self.actions:
            return self._refuse_action(_l("This action does not exist."))
        allowed = self.appbuilder.sm.has_access(
            self.get_action_permission_name(name), self.class_permission_name
        )
        missing = allowed and self.is_get_mutation_allowed() and not self._exists(pk)
        if missing:
            abort(404)
        return super().action(name, pk)  # FAB refuses the others with its message

    def _exists(self, pk) -> bool:
        return self.datamodel.get(pk, self._base_filters) is not None

    def _refuse_action(self, message):
        flash(str(message), "danger")
        return redirect(self.get_redirect())

    def download(self, filename):
        # FAB serves any uploaded file to any signed-in user here; attachments have their own
        # scoped download instead.
        abort(404)

    def _add(self):
        filters = self._prefill_filters()
        exclude_cols = filters.get_relation_cols()
        form = self.add_form.refresh()
        if request.method == "POST":
            self._fill_form_exclude_cols(exclude_cols, form, filters)
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
        filters = self._prefill_filters()
        exclude_cols = filters.get_relation_cols()
        item = self.datamodel.get(pk, self._base_filters)
        if not item:
            abort(404)
        pk = self.datamodel.get_pk_value(item)
        if request.method == "POST":
            form = self.edit_form.refresh(request.form)
            self._fill_form_exclude_cols(exclude_cols, form, filters)
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


def service_page(build, *args, **kwargs):
    """The page a service builds for the current user (``build(session, actor, *args)``), a
    refusal answered as HTTP: 404 for a record outside the user's scope (another unit's record
    does not even show it exists), 403 without the permission."""
    try:
        return build(db.session, current_actor(), *args, **kwargs)
    except OutOfScopeError:
        abort(404)
    except PermissionDeniedError:
        abort(403)


def service_action(call, done, to, *, back=None, flash_refusals=False, out_of_scope_to=None):
    """A form's one service action (``call()``, one transaction) answered with a redirect.

    Done: ``done`` flashed (None: ``call`` flashed its own), then to ``to``, a URL or a function
    of what ``call`` returned. A rule broken: its message flashed, nothing saved, then to
    ``back`` (default ``to``; needed when ``to`` is a function). A refusal is answered as on
    ``service_page`` (404 outside the user's scope, 403 without the permission), or with
    ``flash_refusals`` flashed like a broken rule; ``out_of_scope_to`` names the page a record
    outside the scope sends the user to instead, with its message."""
    failed = back if back is not None else to
    try:
        result = call()
    except OutOfScopeError as exc:
        if out_of_scope_to is None and not flash_refusals:
            abort(404)
        flash(str(exc), "danger")
        return redirect(out_of_scope_to or failed)
    except PermissionDeniedError as exc:
        if not flash_refusals:
            abort(403)
        flash(str(exc), "danger")
        return redirect(failed)
    except DomainError as exc:
        flash(str(exc), "danger")
        return redirect(failed)
    if done is not None:
        flash(str(done), "success")
    return redirect(to(result) if callable(to) else to)
