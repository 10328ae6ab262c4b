"""公告通报 (Art.37/38): the list (a unit its own notices, CSD all), a notice's page with its
history, the cases that arrived before it and CSD's publish / send back / record-breach forms,
the unit's submission and correction form, and CSD's own direct publishing (FAB's add and edit,
through app.services.bulletins)."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import expose
from flask_appbuilder.fieldwidgets import Select2Widget
from flask_appbuilder.security.decorators import has_access
from wtforms import HiddenField, SelectChoice, SelectField

from app.domain.bulletins import (
    ACTION_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    BulletinStatus,
    NoticeDraft,
)
from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.domain.violations import CAUSE_LABELS
from app.extensions import db
from app.models import Bulletin
from app.services import bulletins
from app.services.actor import current_actor
from app.services.bulletin_page import bulletin_page, business_categories, submitting_units
from app.services.errors import PermissionDeniedError
from app.views.base import CRUD_PERMISSIONS, SuqiuModelView, service_action, service_page
from app.views.datamodel import ScopedInterface
from app.views.formatting import choices, label_from, timestamp, yes_no
from app.views.list_filters import EqualTo
from app.views.list_params import whole_number
from app.views.menu_labels import CountedLabel

TIME_FORMAT = "%Y-%m-%dT%H:%M"  # the browser's datetime-local input
BAD_TIME = _l("Please enter times as 2026-11-28 14:05.")
INCOMPLETE = _l("The form is incomplete; please reload the page.")


class BulletinInterface(ScopedInterface):
    """CSD's direct publishing and corrections through FAB's add and edit forms are the
    bulletin services' (rules, history), not plain saves; bulletins are never deleted."""

    def add(self, item, commit=True):
        bulletins.post_bulletin(self.session, current_actor(), item)

    def edit(self, item, commit=True):
        version = whole_number(request.form.get("form_version"))
        bulletins.edit_bulletin(self.session, current_actor(), item, version=version)

    def delete(self, item, commit=True):
        raise PermissionDeniedError(_l("Your role may not do this."))


def _select(label, labels):
    options = lambda: [SelectChoice(str(k), str(v)) for k, v in labels.items()]  # noqa: E731
    return SelectField(label, choices=options, widget=Select2Widget(), validate_choice=False)


class BulletinView(SuqiuModelView):
    datamodel = BulletinInterface(Bulletin)
    class_permission_name = "Bulletin"
    # Notices change through the services below; nobody deletes one (its history stays).
    method_permission_name = {
        **CRUD_PERMISSIONS,
        "delete": "remove",
        "submit": "submit",
        "resubmit": "submit",
        "decide": "write",
        "breach": "write",
    }
    base_permissions = ["can_read", "can_write", "can_submit"]
    list_title = _l("Bulletins")
    show_title = _l("Bulletin")
    add_title = _l("Publish a bulletin")
    edit_title = _l("Edit bulletin")
    label_columns = {
        "kind": _l("Type"),
        "title": _l("Subject"),
        "talking_points": _l("Official wording"),
        "area": _l("Area affected"),
        "business_category": _l("Business category"),
        "expected_recovery_at": _l("Expected recovery"),
        "starts_at": _l("Began at"),
        "ends_at": _l("Until"),
        "branch": _l("Area (unit)"),
        "active": _l("Active"),
        "status": _l("Status"),
        "notified_at": _l("Notified at"),
        "published_at": _l("Published at"),
        "created_at": _l("Created at"),
    }
    description_columns = {
        "talking_points": _l(
            "What agents tell customers (Art.28): shown beside the registration form."
        ),
        "starts_at": _l("When the change or emergency began (or begins); shown from then on."),
        "expected_recovery_at": _l("Required for an emergency (Art.38)."),
        "notified_at": _l(
            "Only for a bulletin about a unit: when the unit actually notified the "
            "customer-service department, if known. Only with this time can a late notice be "
            "judged (Art.37/38); leave it blank if unknown — the time of publishing here is not "
            "the unit's notice, and the unit is not charged for it."
        ),
    }
    list_columns = ["kind", "title", "branch", "status", "starts_at", "notified_at", "active"]
    add_columns = [
        "kind",
        "title",
        "talking_points",
        "branch",
        "area",
        "business_category",
        "starts_at",
        "expected_recovery_at",
        "ends_at",
        "notified_at",
        "active",
    ]
    # form_version: the version the edit form showed (a stale form is refused).
    edit_columns = [*add_columns, "form_version"]
    show_columns = add_columns
    search_columns = ["title", "status", "kind", "branch"]
    company_wide_search_columns = ("branch",)
    search_filter_classes = {"status": [EqualTo], "kind": [EqualTo]}
    search_form_extra_fields = {
        "status": _select(_l("Status"), STATUS_LABELS),
        "kind": _select(_l("Type"), KIND_LABELS),
    }
    order_columns = ["starts_at", "notified_at"]
    base_order = ("starts_at", "desc")
    formatters_columns = {
        "kind": label_from(KIND_LABELS),
        "status": label_from(STATUS_LABELS),
        "starts_at": timestamp,
        "notified_at": timestamp,
        "ends_at": timestamp,
        "active": yes_no,
    }
    add_form_extra_fields = {"kind": SelectField(_l("Type"), choices=choices(KIND_LABELS))}
    edit_form_extra_fields = {**add_form_extra_fields, "form_version": HiddenField()}

    def prefill_form(self, form, pk):
        item = self.datamodel.get(pk, self._base_filters)
        form.form_version.data = item.version if item is not None else ""

    def _get_edit_widget(self, form, exclude_cols=None, widgets=None):
        # The hidden version goes with the form's hidden fields, not as a row of its own; a
        # unit's notice was notified when it was first submitted: nothing to record then.
        exclude = [*(exclude_cols or []), "form_version"]
        pk = (request.view_args or {}).get("pk")
        item = self.datamodel.get(pk, self._base_filters) if pk is not None else None
        if item is not None and item.submitted_at is not None:
            exclude.append("notified_at")
        return super()._get_edit_widget(form, exclude_cols=exclude, widgets=widgets)

    @expose("/show/<int:pk>")
    @has_access
    def show(self, pk):
        page = service_page(bulletin_page, pk)
        return self.render_template(
            "suqiu/bulletin.html",
            page=page,
            bulletin=page.bulletin,
            kind_labels=KIND_LABELS,
            status_labels=STATUS_LABELS,
            action_labels=ACTION_LABELS,
            cause_label=CAUSE_LABELS[page.cause],
            title=str(_l("Bulletin")),
        )

    @expose("/submit", methods=["GET", "POST"])
    @has_access
    def submit(self):
        """A unit submits a business-change (Art.37) or emergency (Art.38) notice; the form
        comes back with what was typed on an error."""
        actor = current_actor()
        form = request.form
        if request.method == "POST":
            try:
                draft = _draft(form)
                bulletin = bulletins.submit_bulletin(
                    db.session,
                    actor,
                    draft,
                    branch_id=whole_number(form.get("branch_id")),
                    business_category_id=whole_number(form.get("business_category_id")),
                    submission_key=(form.get("submission_key") or "")[:64] or None,
                )
            except PermissionDeniedError:
                abort(403)
            except DomainError as exc:
                flash(str(exc), "danger")
            else:
                flash(
                    str(_l("The notice was submitted to the customer-service department.")),
                    "success",
                )
                return redirect(url_for("BulletinView.show", pk=bulletin.id))
        values = form.to_dict()
        # One key per form shown (kept when the form comes back with an error): the form sent
        # twice makes one notice.
        values["submission_key"] = form.get("submission_key") or secrets.token_hex(16)
        return self._form(values, title=_l("Submit a notice"))

    @expose("/resubmit/<int:pk>", methods=["GET", "POST"])
    @has_access
    def resubmit(self, pk):
        """The unit corrects a notice sent back and submits it again."""
        actor = current_actor()
        page = service_page(bulletin_page, pk)
        bulletin = page.bulletin
        if request.method == "GET" and not page.may_resubmit:
            flash(
                str(_l("Only a notice sent back can be corrected and submitted again.")), "warning"
            )
            return redirect(url_for("BulletinView.show", pk=pk))
        form = request.form if request.method == "POST" else _values(bulletin)
        if request.method == "POST":
            try:
                bulletins.resubmit_bulletin(
                    db.session,
                    actor,
                    pk,
                    _draft(form),
                    version=whole_number(form.get("version")),
                    branch_id=whole_number(form.get("branch_id")),
                    business_category_id=whole_number(form.get("business_category_id")),
                    note=form.get("note"),
                )
            except PermissionDeniedError:
                abort(403)
            except DomainError as exc:  # another unit chosen included: the form again
                flash(str(exc), "danger")
            else:
                flash(str(_l("The notice was submitted again.")), "success")
                return redirect(url_for("BulletinView.show", pk=pk))
        return self._form(form, title=_l("Correct and submit again"), bulletin=bulletin)

    def _form(self, values, *, title, bulletin=None):
        return self.render_template(
            "suqiu/bulletin_form.html",
            values=values,
            bulletin=bulletin,
            kinds=list(KIND_LABELS.items()),
            units=submitting_units(db.session, current_actor()),
            categories=business_categories(db.session),
            title=str(title),
        )

    @expose("/decide/<int:pk>", methods=["POST"])
    @has_access
    def decide(self, pk):
        """CSD publishes the notice or sends it back with the reason: one service call."""
        decision = request.form.get("decision")
        version = whole_number(request.form.get("version"))
        back = url_for("BulletinView.show", pk=pk)
        if decision not in ("publish", "send_back") or version is None:
            flash(str(INCOMPLETE), "danger")
            return redirect(back)
        actor = current_actor()
        if decision == "publish":
            return service_action(
                lambda: bulletins.publish_bulletin(
                    db.session, actor, pk, version=version, note=request.form.get("note")
                ),
                _l("The notice was published to the registration screen."),
                back,
            )
        return service_action(
            lambda: bulletins.send_back_bulletin(
                db.session, actor, pk, version=version, reason=request.form.get("reason")
            ),
            _l("The notice was sent back to the unit."),
            back,
        )

    @expose("/breach/<int:pk>", methods=["POST"])
    @has_access
    def breach(self, pk):
        """CSD records the late notice as an Art.37/38 breach, once per bulletin."""
        version = whole_number(request.form.get("version"))
        back = url_for("BulletinView.show", pk=pk)
        if version is None:
            flash(str(INCOMPLETE), "danger")
            return redirect(back)
        return service_action(
            lambda: bulletins.record_late_notice(
                db.session,
                current_actor(),
                pk,
                version=version,
                case_id=whole_number(request.form.get("case_id")),
                note=request.form.get("note"),
            ),
            _l("The late notice was recorded in the violation register."),
            lambda entry: url_for("ViolationEntryView.show", pk=entry.id),
            back=back,
        )


def _moment(raw) -> datetime | None:
    """A time from the form's datetime-local input; blank is None, anything else unreadable is
    refused with its message."""
    text = (raw or "").strip()
    if not text:
        return None
    try:
        return datetime.fromisoformat(text.replace(" ", "T")).replace(second=0, microsecond=0)
    except ValueError:
        raise _FormError(BAD_TIME) from None


class _FormError(DomainError):
    pass


def _draft(form) -> NoticeDraft:
    return NoticeDraft(
        kind=form.get("kind"),
        title=form.get("title"),
        talking_points=form.get("talking_points"),
        starts_at=_moment(form.get("starts_at")),
        expected_recovery_at=_moment(form.get("expected_recovery_at")),
        ends_at=_moment(form.get("ends_at")),
        area=form.get("area"),
    )


def _values(bulletin: Bulletin) -> dict[str, str]:
    """A stored notice as the form's fields."""

    def moment(value):
        return value.strftime(TIME_FORMAT) if value else ""

    return {
        "kind": bulletin.kind,
        "title": bulletin.title,
        "talking_points": bulletin.talking_points,
        "area": bulletin.area or "",
        "branch_id": str(bulletin.branch_id or ""),
        "business_category_id": str(bulletin.business_category_id or ""),
        "starts_at": moment(bulletin.starts_at),
        "expected_recovery_at": moment(bulletin.expected_recovery_at),
        "ends_at": moment(bulletin.ends_at),
        "version": str(bulletin.version),
    }


def register(appbuilder) -> None:
    view = appbuilder.add_view(
        BulletinView, "Bulletins", icon="fa-bullhorn", label=_l("Bulletins"), category="Cases"
    )
    appbuilder.add_link(
        "SubmitBulletin",
        href="/bulletinview/submit",
        icon="fa-plus",
        label=_l("Submit a notice"),
        category="Cases",
        baseview=view,
        cond=lambda: current_actor().may(bulletins.SUBMIT),
    )
    appbuilder.add_link(
        "BulletinsToReview",
        href=f"/bulletinview/list/?_flt_0_status={BulletinStatus.SUBMITTED.value}",
        icon="fa-check-square-o",
        label=CountedLabel(
            "bulletins.pending_review",
            _l("Notices awaiting review"),
            lambda: bulletins.pending_review_count(db.session, current_actor()),
        ),
        category="Cases",
        baseview=view,
        cond=lambda: current_actor().may(bulletins.REVIEW) and current_actor().scope.all_branches,
    )
