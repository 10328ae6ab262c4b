"""违规记录 (Art.41): the register of each unit's breaches (a unit sees its own, CSD, leaders and
the committee all), an entry's page with its history and CSD's confirm / waive forms, and the
form CSD records a breach with by hand."""

from __future__ import annotations

from datetime import MAXYEAR, MINYEAR, date

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import and_
from wtforms import SelectChoice, SelectField

from app.domain.clock import now as clock_now
from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.domain.violations import (
    CAUSE_LABELS,
    ENTRY_ACTION_LABELS,
    ENTRY_STATUS_LABELS,
    percent,
)
from app.extensions import db
from app.models import ViolationEntry
from app.services import violations
from app.services.actor import current_actor
from app.services.errors import PermissionDeniedError
from app.services.violation_page import entry_page, recordable_causes, recording_units
from app.views.base import CRUD_PERMISSIONS, SuqiuModelView, service_action, service_page
from app.views.datamodel import ScopedInterface
from app.views.formatting import label_from
from app.views.list_filters import ClauseFilter, EqualTo, NotEqualTo
from app.views.list_params import whole_number

YEARS_OFFERED = 10


class YearIs(ClauseFilter):
    """The entries of one calendar year (Art.41 assesses a year): a date range the indexes
    serve; a value that is no year leaves the list unfiltered."""

    name = _l("In year")
    arg_name = "year"

    def clause(self, value):
        year = whole_number(value)
        if year is None or not MINYEAR <= year < MAXYEAR:
            return None
        return and_(self.column >= date(year, 1, 1), self.column < date(year + 1, 1, 1))


def _choices(labels):
    return lambda: [SelectChoice(str(code), str(label)) for code, label in labels.items()]


def _years():
    this_year = clock_now().year
    return [SelectChoice(str(y), str(y)) for y in range(this_year, this_year - YEARS_OFFERED, -1)]


def _select(label, choices):
    return SelectField(label, choices=choices, widget=Select2Widget(), validate_choice=False)


class ViolationEntryView(SuqiuModelView):
    route_base = "/violations"
    datamodel = ScopedInterface(ViolationEntry)
    class_permission_name = "Violation"
    # Entries change only through the decisions below: nobody adds, edits or deletes them here.
    method_permission_name = {
        **CRUD_PERMISSIONS,
        "add": "create",
        "edit": "update",
        "delete": "remove",
        "decide": "write",
        "record": "write",
    }
    base_permissions = ["can_read", "can_write"]
    list_title = _l("Violation register")
    show_title = _l("Violation")
    add_title = _l("Violation")
    edit_title = _l("Violation")
    label_columns = {
        "occurred_on": _l("Occurred on"),
        "branch": _l("Unit"),
        "cause": _l("Violation"),
        "status": _l("Status"),
        "deduction_bp": _l("Deduction"),
        "created_at": _l("Recorded at"),
    }
    list_columns = ["occurred_on", "branch", "cause", "deduction_bp", "status"]
    show_columns = list_columns
    search_columns = ["branch", "cause", "status", "occurred_on"]
    search_filter_classes = {
        "cause": [EqualTo, NotEqualTo],
        "status": [EqualTo, NotEqualTo],
        "occurred_on": [YearIs],
    }
    search_form_extra_fields = {
        "cause": _select(_l("Violation"), _choices(CAUSE_LABELS)),
        "status": _select(_l("Status"), _choices(ENTRY_STATUS_LABELS)),
        "occurred_on": _select(_l("Year"), _years),
    }
    order_columns = ["occurred_on", "created_at"]
    base_order = ("occurred_on", "desc")
    formatters_columns = {
        "cause": label_from(CAUSE_LABELS),
        "status": label_from(ENTRY_STATUS_LABELS),
        "deduction_bp": percent,
    }

    @expose("/show/<int:pk>")
    @has_access
    def show(self, pk):
        page = service_page(entry_page, pk)
        return self.render_template(
            "suqiu/violation.html",
            page=page,
            entry=page.entry,
            cause_labels=CAUSE_LABELS,
            status_labels=ENTRY_STATUS_LABELS,
            action_labels=ENTRY_ACTION_LABELS,
            percent=percent,
            title=str(_l("Violation")),
        )

    @expose("/decide/<int:pk>", methods=["POST"])
    @has_access
    def decide(self, pk):
        """Confirm or waive (a waiver needs its reason): one service call, its message flashed."""
        decision = request.form.get("decision")
        version = whole_number(request.form.get("version"))
        service = {"confirm": violations.confirm_entry, "waive": violations.waive_entry}
        back = url_for("ViolationEntryView.show", pk=pk)
        if decision not in service or version is None:
            flash(str(_l("The form is incomplete; please reload the page.")), "danger")
            return redirect(back)
        return service_action(
            lambda: service[decision](
                db.session,
                current_actor(),
                pk,
                version=version,
                reason=request.form.get("reason"),
            ),
            _l("Done."),
            back,
        )

    @expose("/record", methods=["GET", "POST"])
    @has_access
    def record(self):
        """CSD records a breach by hand; the form comes back with what was typed on an error."""
        actor = current_actor()
        form = request.form
        if request.method == "POST":
            try:
                entry = violations.record_entry(
                    db.session,
                    actor,
                    cause=form.get("cause"),
                    branch_id=whole_number(form.get("branch_id")),
                    occurred_on=_day(form.get("occurred_on")),
                    evidence=form.get("evidence"),
                    case_number=form.get("case_number"),
                )
            except PermissionDeniedError:
                abort(403)
            except DomainError as exc:
                flash(str(exc), "danger")
            else:
                flash(str(_l("The violation was recorded.")), "success")
                return redirect(url_for("ViolationEntryView.show", pk=entry.id))
        return self.render_template(
            "suqiu/violation_record.html",
            values=form,
            causes=[(c.value, CAUSE_LABELS[c]) for c in recordable_causes()],
            units=recording_units(db.session, actor),
            today=clock_now().date(),
            title=str(_l("Record a violation")),
        )


def _day(raw) -> date | None:
    """A date from the form's date picker; None (the service asks for it) if unreadable."""
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


def register(appbuilder) -> None:
    view = appbuilder.add_view(
        ViolationEntryView,
        "Violations",
        icon="fa-gavel",
        label=_l("Violation register"),
        category="Assessment",
        category_icon="fa-balance-scale",
        category_label=_l("Assessment"),
    )
    appbuilder.add_link(
        "RecordViolation",
        href="/violations/record",
        icon="fa-plus",
        label=_l("Record a violation"),
        category="Assessment",
        baseview=view,
        cond=lambda: current_actor().may(violations.DECIDE),
    )
