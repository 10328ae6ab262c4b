"""服务诉求 pages: the list, the case page with its timeline and the actions the user may take
now, registration beside the active bulletins, and the work queues."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.exceptions import FABException
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from app.domain.clock import now as clock_now
from app.domain.deadlines import overdue_state
from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.domain.lifecycle import MAX_UNREACHABLE_ATTEMPTS, STATUS_LABELS
from app.domain.uploads import AttachmentRejectedError
from app.extensions import db
from app.models import (
    BusinessCategory,
    Case,
    CaseKind,
    ExtensionRequest,
)
from app.services import case_export, case_workflow, extensions, privacy
from app.services.actor import current_actor
from app.services.attachments import add_attachment, attachment_for_download
from app.services.case_page import case_page
from app.services.case_permissions import role_actions
from app.services.case_queries import queue_page
from app.services.case_registration import (
    Registration,
    active_bulletins,
    register_case,
    registrable_channels,
)
from app.services.errors import OutOfScopeError, PermissionDeniedError
from app.services.repeats import LINK as LINK_REPEATS
from app.views import case_filters, list_params, queue_menu
from app.views.base import SuqiuModelView
from app.views.case_forms import RegistrationForm
from app.views.case_labels import (
    ACTION_LABELS,
    CALLBACK_LABELS,
    QUEUE_LABELS,
)
from app.views.case_timeline import event_action, event_summary
from app.views.datamodel import ScopedInterface
from app.views.exports import file_name, send_xlsx
from app.views.formatting import StatusCell, status_cell, timestamp, yes_no
from app.views.list_params import whole_number

CASE_PERMISSIONS = {
    "list": "read",
    "show": "read",
    "act": "act",
    "decide": "act",
    "download": "read",
    "reveal": "read",
    "attach": "act",
    "attachment": "download",  # the capability export.attachments
    "export": "export",  # the capability export.cases
    "print_sheet": "read",
}


_NOT_INPUTS = frozenset({"csrf_token", "version", "target"})
_IDS = frozenset({"branch_id", "department_id", "handler_id"})


def _action_inputs(form) -> tuple[dict, int | None]:
    """The fields of an action form, typed; ValueError for a malformed one. Every other field
    goes to the service as it came, which refuses a name the action does not take (a mistyped
    field is an error, not silently dropped)."""
    inputs: dict = {}
    for key in form:  # a MultiDict iterates over its keys
        if key in _NOT_INPUTS:
            continue
        value = form[key]
        if key in _IDS or key == "reply_due":
            if not value:
                continue
            inputs[key] = int(value) if key in _IDS else datetime.fromisoformat(value)
        else:
            inputs[key] = value
    if form.get("target"):  # dispatch: "unit" or "unit:department" (one choice, Art.24)
        unit, _, department = form["target"].partition(":")
        inputs["branch_id"] = int(unit)
        inputs["department_id"] = int(department) if department else None
    version = int(form["version"]) if form.get("version", "").isdigit() else None
    return inputs, version


class CaseListInterface(ScopedInterface):
    """The case list's rows, scoped as every read: the status cell also carries whether the
    case is overdue now (app.domain.deadlines.overdue_state, one ``now`` for the page), so that
    the list shows the same 已超期 badge as the work queues and the case page."""

    def get_values(self, lst, list_columns):
        now = clock_now()
        for item, values in zip(lst, super().get_values(lst, list_columns), strict=True):
            if "status" in values:
                values["status"] = StatusCell(item.status, overdue_state(item, now))
            yield values

    def filtered(self, filters):
        """The list's cases under ``filters`` and the scope, unordered: the query behind the
        list's count, which the export reads."""
        return self._apply_inner_all(self.session.query(self.obj), filters, aliases_mapping={})


def _page_number(raw) -> int:
    try:
        return min(max(int(raw or 1), 1), 100_000)
    except ValueError:
        return 1


class CaseView(SuqiuModelView):
    route_base = "/cases"
    datamodel = CaseListInterface(Case)
    class_permission_name = "Case"
    method_permission_name = CASE_PERMISSIONS
    base_permissions = ["can_read", "can_act", "can_download", "can_export"]
    list_title = _l("Service requests")
    show_template = "suqiu/case.html"
    label_columns = {
        "number": _l("Case number"),
        "status": _l("Status"),
        "channel": _l("Channel"),
        "kind": _l("Case kind"),
        "customer_name": _l("Customer"),
        "customer_card": _l("Customer"),
        "branch": _l("Handling unit"),
        "received_at": _l("Received at"),
        "finish_due": _l("Deadline"),
        "business_category": _l("Business category"),
    }
    list_columns = [
        "number",
        "status",
        "channel",
        "kind",
        "customer_card",
        "branch",
        "received_at",
        "finish_due",
    ]
    # Filters (app/views/case_filters.py). The customer's details only for company-wide roles:
    # a branch could test names against a hidden 举报 reporter (Art.13).
    search_columns = case_filters.SEARCH_COLUMNS
    search_form_extra_fields = case_filters.search_fields()
    search_filter_classes = case_filters.FILTER_CLASSES
    hidden_search_columns = (case_filters.DRILL,)
    list_template = "suqiu/case_list.html"
    company_wide_search_columns = case_filters.CUSTOMER_COLUMNS
    # Only these: never by the customer, whose hidden 举报 row would sort beside their others.
    order_columns = ["number", "received_at", "finish_due"]
    base_order = ("received_at", "desc")
    list_template = "suqiu/case_list.html"
    formatters_columns = {
        "status": status_cell,
        "customer_card": lambda card: privacy.listed_customer(current_actor(), card),
        "received_at": timestamp,
        "finish_due": timestamp,
    }

    def drill_notes(self, filters) -> list[str]:
        return case_filters.drill_notes(filters)

    @expose("/show/<int:pk>")
    @has_access
    def show(self, pk):
        return self._render_case(pk)

    def _render_case(self, pk, *, revealed: bool = False):
        try:
            page = case_page(db.session, current_actor(), pk, clock_now(), revealed=revealed)
        except OutOfScopeError:
            abort(404)
        return self.render_template(
            self.show_template,
            page=page,
            case=page.case,
            status_labels=STATUS_LABELS,
            action_labels=ACTION_LABELS,
            callback_labels=CALLBACK_LABELS,
            yes_no=yes_no,
            event_action=event_action,
            event_summary=event_summary,
            unreachable_limit=MAX_UNREACHABLE_ATTEMPTS,
            title=page.case.number,
        )

    @expose("/act/<int:pk>/<action>", methods=["POST"])
    @has_access
    def act(self, pk, action):
        try:
            inputs, version = _action_inputs(request.form)
            if action == "request_extension":
                due = request.form.get("requested_due")
                extensions.request_extension(
                    db.session,
                    current_actor(),
                    pk,
                    version=version,
                    requested_due=datetime.fromisoformat(due).replace(hour=23, minute=59, second=59)
                    if due
                    else None,
                    reason=request.form.get("reason"),
                )
            else:
                case_workflow.perform(
                    db.session, current_actor(), pk, action, version=version, **inputs
                )
            flash(str(_l("Done.")), "success")
        except OutOfScopeError:
            abort(404)
        except DomainError as exc:
            flash(str(exc), "danger")
        except (ValueError, OverflowError):
            db.session.rollback()
            flash(str(_l("The action or a value of the form is not valid.")), "danger")
        return redirect(url_for("CaseView.show", pk=pk))

    @expose("/attach/<int:pk>", methods=["POST"])
    @has_access
    def attach(self, pk):
        upload = request.files.get("file")
        try:
            if upload is None or not upload.filename:
                raise AttachmentRejectedError(_l("Please choose a file."))
            add_attachment(
                db.session,
                current_actor(),
                pk,
                upload.filename,
                upload.stream,
                current_app.config["UPLOAD_FOLDER"],
                current_app.config["SUQIU_MAX_ATTACHMENT_BYTES"],
                note=request.form.get("note"),
            )
            flash(str(_l("Done.")), "success")
        except OutOfScopeError:
            abort(404)
        except DomainError as exc:
            flash(str(exc), "danger")
        return redirect(url_for("CaseView.show", pk=pk))

    @expose("/export")
    @has_access
    def export(self):
        """The list as an .xlsx file: the same filters as the list (those the user is offered)
        and the same scope, so the same rows as its count, in its order then by key."""
        actor = current_actor()
        back = url_for("CaseView.list") + (
            "?" + request.query_string.decode("utf-8", "replace") if request.query_string else ""
        )
        filters = self._request_filters(
            self.offered_search_columns(), self._filters.get_search_filters()
        )
        args = list_params.list_args(request.args, type(self).__name__, self.order_columns)
        column, direction = (
            (args.order_column, args.order_direction) if args.order_column else self.base_order
        )
        key = getattr(Case, column)
        order = [key.desc(), Case.id.desc()] if direction == "desc" else [key.asc(), Case.id.asc()]
        now = clock_now()
        described = case_filters.describe(filters, self.label_columns)
        branch_id, first, last = case_filters.window(filters)
        unit = case_export.unit_label(db.session, actor, branch_id)
        period = case_export.period_label(first, last)
        name = file_name(str(_l("Service requests")), unit, period)

        def write(handle):
            query = case_export.export_query(self.datamodel.filtered(filters), order)
            return case_export.write_cases(
                handle,
                actor,
                query,
                now,
                sheet=str(_l("Service requests")),
                notes=[
                    (str(_l("Units")), unit),
                    (str(_l("Received at")), period),
                    (str(_l("Filters")), described or str(_l("(none)"))),
                ],
            )

        def nothing():
            flash(str(_l("No case matches these filters: there is nothing to export.")), "info")
            return redirect(back)

        try:
            return send_xlsx(write, name, empty=nothing)
        except (FABException, StatementError):
            db.session.rollback()
            flash(str(_l("A filter could not be applied: nothing was exported.")), "danger")
            return redirect(url_for("CaseView.list"))

    @expose("/print/<int:pk>")
    @has_access
    def print_sheet(self, pk):
        """The case sheet (工单) for printing on A4: what the case page shows this user."""
        try:
            page = case_page(db.session, current_actor(), pk, clock_now())
        except OutOfScopeError:
            abort(404)
        return self.render_template(
            "suqiu/case_print.html",
            page=page,
            case=page.case,
            status_labels=STATUS_LABELS,
            callback_labels=CALLBACK_LABELS,
            event_action=event_action,
            event_summary=event_summary,
            unreachable_limit=MAX_UNREACHABLE_ATTEMPTS,
            printed_at=clock_now(),
            title=page.case.number,
        )

    @expose("/attachment/<int:attachment_id>")
    @has_access
    def attachment(self, attachment_id):
        try:
            item, path = attachment_for_download(
                db.session, current_actor(), attachment_id, current_app.config["UPLOAD_FOLDER"]
            )
        except OutOfScopeError:
            abort(404)
        except PermissionDeniedError:
            abort(403)
        # send_file writes filename*=UTF-8''… so the Chinese name survives (RFC 5987).
        return send_file(
            path, mimetype=item.content_type, as_attachment=True, download_name=item.original_name
        )

    @expose("/reveal/<int:pk>", methods=["POST"])
    @has_access
    def reveal(self, pk):
        """The full contact details, for this response only: each showing is logged with its
        reason (PIPL); there is no address that shows them again without one."""
        try:
            privacy.reveal_contact(db.session, current_actor(), pk, request.form.get("reason"))
        except OutOfScopeError:
            abort(404)
        except DomainError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("CaseView.show", pk=pk))
        return self._render_case(pk, revealed=True)

    @expose("/extension/<int:request_id>", methods=["POST"])
    @has_access
    def decide(self, request_id):
        request_row = db.session.get(ExtensionRequest, request_id)
        case_id = request_row.case_id if request_row else None
        try:
            extensions.decide_extension(
                db.session,
                current_actor(),
                request_id,
                approve=request.form.get("decision") == "approve",
                note=request.form.get("note"),
            )
            flash(str(_l("Done.")), "success")
        except OutOfScopeError:
            abort(404)
        except DomainError as exc:
            flash(str(exc), "danger")
        if case_id is None:
            abort(404)
        return redirect(url_for("CaseView.show", pk=case_id))


class CaseRegistrationView(BaseView):
    route_base = "/register"
    class_permission_name = "CaseRegistration"
    method_permission_name = {"form": "write"}
    default_view = "form"

    def _choices(self, form, actor):
        form.channel_id.choices = [
            (c.id, f"{c.category.name} · {c.name}") for c in registrable_channels(db.session, actor)
        ]
        form.kind_id.choices = [
            (k.id, k.name)
            for k in db.session.scalars(
                select(CaseKind).where(CaseKind.active.is_(True)).order_by(CaseKind.sort_order)
            )
        ]
        form.business_category_id.choices = [(0, str(_l("(none)")))] + [
            (b.id, b.name)
            for b in db.session.scalars(
                select(BusinessCategory)
                .where(BusinessCategory.active.is_(True))
                .order_by(BusinessCategory.sort_order)
            )
        ]

    @expose("/", methods=["GET", "POST"])
    @has_access
    def form(self):
        actor = current_actor()
        form = RegistrationForm()
        self._choices(form, actor)
        if actor.user is None or actor.user.branch_id is None:
            del form.to_own_unit
        if "resolve_on_spot" not in role_actions(actor):
            del form.resolve_on_spot, form.result
        if not form.registration_key.data:
            form.registration_key.data = secrets.token_hex(16)
        if form.validate_on_submit():
            data = Registration(
                **{
                    key: (value or None) if key == "business_category_id" else value
                    for key, value in form.data.items()
                    if key != "csrf_token"
                },
                # 重复诉求: the earlier case chosen in the look-up (app.views.repeats).
                repeat_of=whole_number(request.form.get("repeat_of") or ""),
            )
            try:
                case = register_case(db.session, actor, data)
            except DomainError as exc:
                flash(str(exc), "danger")
            else:
                flash(str(_l("Case %(number)s registered.")) % {"number": case.number}, "success")
                return redirect(url_for("CaseView.show", pk=case.id))
        return self.render_template(
            "suqiu/register.html",
            form=form,
            bulletins=active_bulletins(db.session, clock_now()),
            repeat_lookup=actor.may(LINK_REPEATS),
            repeat_chosen=whole_number(request.form.get("repeat_of") or ""),
            title=str(_l("Register a case")),
        )


class CaseQueueView(BaseView):
    route_base = "/queues"
    class_permission_name = "CaseQueue"
    method_permission_name = {"overview": "read", "queue": "read"}
    default_view = "overview"

    @expose("/")
    @has_access
    def overview(self):
        counts = queue_menu.current_counts(fresh=True)
        return self.render_template(
            "suqiu/queues.html", counts=counts, labels=QUEUE_LABELS, title=str(_l("My work"))
        )

    @expose("/<name>")
    @has_access
    def queue(self, name):
        actor = current_actor()
        now = clock_now()
        include_closed = name == "first_contact" and request.args.get("closed") == "1"
        page = _page_number(request.args.get("page"))
        found = queue_page(db.session, actor, name, now, page, include_closed=include_closed)
        if found is None:
            abort(404)
        return self.render_template(
            "suqiu/queue.html",
            queue=found,
            name=name,
            include_closed=include_closed,
            label=QUEUE_LABELS[name],
            status_labels=STATUS_LABELS,
            now=now,
            overdue_state=overdue_state,
            title=str(QUEUE_LABELS[name]),
            listed_customer=lambda card: privacy.listed_customer(actor, card),
        )


def register(appbuilder) -> None:
    category = dict(
        category="Cases", category_icon="fa-comments", category_label=_l("Service requests")
    )
    appbuilder.add_view(
        CaseRegistrationView,
        "RegisterCase",
        icon="fa-plus",
        label=_l("Register a case"),
        **category,
    )
    queue_view = appbuilder.add_view(
        CaseQueueView, "MyWork", icon="fa-inbox", label=_l("My work"), category="Cases"
    )
    queue_menu.register(appbuilder, queue_view)
    appbuilder.add_view(
        CaseView, "AllCases", icon="fa-list", label=_l("All cases"), category="Cases"
    )
