"""重大事项 (Art.22/33/34): the list of the committee's reviews (open first, the open count in
the menu) and a review's page with its case, flags, timeline, the unit's plan and progress
reports, the leaders' and committee's 批示 and CSD's notes, each form for whoever may use it."""

from __future__ import annotations

import json

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from app.domain.i18n import _l
from app.domain.lifecycle import STATUS_LABELS
from app.domain.major_matters import (
    ENTRY_LABELS,
    RISK_TRIGGERS,
    TRIGGER_LABELS,
    EntryKind,
)
from app.domain.major_matters import (
    STATUS_LABELS as MATTER_STATUS_LABELS,
)
from app.extensions import db
from app.services import major_matters
from app.services.actor import current_actor
from app.services.errors import PermissionDeniedError
from app.services.major_matter_page import SECTIONS, matter_list, matter_page, open_count
from app.views.base import service_action, service_page
from app.views.case_timeline import event_action, event_summary
from app.views.list_params import whole_number
from app.views.menu_labels import CountedLabel

_REPORT_KINDS = {"plan": EntryKind.PLAN, "progress": EntryKind.PROGRESS}


def entry_note(entry) -> str:
    """What a system entry recorded, in Chinese: the reasons opened or added, the unit it moved
    from and to; a person's entry is its text. Unknown details are left out, never shown raw."""
    if entry.text:
        return entry.text
    try:
        detail = json.loads(entry.detail) if entry.detail else {}
    except ValueError:
        return ""
    if not isinstance(detail, dict):
        return ""
    if detail.get("triggers"):
        labels = (TRIGGER_LABELS.get(code) for code in detail["triggers"])
        return "、".join(str(label) for label in labels if label is not None)
    if "from" in detail or "to" in detail:
        nobody = str(_l("Not dispatched yet"))
        return f"{detail.get('from') or nobody} → {detail.get('to') or nobody}"
    return ""


class MajorMatterView(BaseView):
    route_base = "/major-matters"
    default_view = "index"
    class_permission_name = "MajorMatter"
    method_permission_name = {
        "index": "read",
        "show": "read",
        "write": "write",
        "report": "report",
        "comment": "comment",
    }
    base_permissions = ["can_read", "can_write", "can_report", "can_comment"]

    @expose("/")
    @has_access
    def index(self):
        page = whole_number(request.args.get("page")) or 1
        try:
            listing = matter_list(
                db.session,
                current_actor(),
                status=request.args.get("status"),
                page=min(max(page, 1), 100_000),
            )
        except PermissionDeniedError:
            abort(403)
        return self.render_template(
            "suqiu/major_matters.html",
            listing=listing,
            trigger_labels=TRIGGER_LABELS,
            risk_triggers=RISK_TRIGGERS,
            matter_status_labels=MATTER_STATUS_LABELS,
            title=str(_l("Major matters")),
        )

    @expose("/show/<int:pk>")
    @has_access
    def show(self, pk):
        page = service_page(matter_page, pk)
        return self.render_template(
            "suqiu/major_matter.html",
            page=page,
            matter=page.matter,
            case=page.case,
            sections=SECTIONS,
            EntryKind=EntryKind,
            entry_labels=ENTRY_LABELS,
            trigger_labels=TRIGGER_LABELS,
            risk_triggers=RISK_TRIGGERS,
            matter_status_labels=MATTER_STATUS_LABELS,
            status_labels=STATUS_LABELS,
            event_action=event_action,
            event_summary=event_summary,
            entry_note=entry_note,
            title=f"{_l('Major matter')} {page.case.number}",
        )

    @expose("/report/<int:pk>", methods=["POST"])
    @has_access
    def report(self, pk):
        """The unit's handling plan or progress report (Art.22/33)."""
        kind = _REPORT_KINDS.get(request.form.get("kind", ""))
        if kind is None:
            flash(str(_l("The form is incomplete; please reload the page.")), "danger")
            return redirect(url_for("MajorMatterView.show", pk=pk))
        return self._add(pk, kind)

    @expose("/comment/<int:pk>", methods=["POST"])
    @has_access
    def comment(self, pk):
        """批示 of the service leader or the committee; it reaches the unit at once."""
        return self._add(pk, EntryKind.COMMENT)

    @expose("/write/<int:pk>", methods=["POST"])
    @has_access
    def write(self, pk):
        """CSD's note, or its close of the review (as the page showed it: ``version``)."""
        action = request.form.get("action")
        if action == "note":
            return self._add(pk, EntryKind.NOTE)
        version = whole_number(request.form.get("version"))
        if action != "close" or version is None:
            flash(str(_l("The form is incomplete; please reload the page.")), "danger")
            return redirect(url_for("MajorMatterView.show", pk=pk))
        return self._run(
            pk,
            lambda: major_matters.close_review(
                db.session, current_actor(), pk, request.form.get("text"), version=version
            ),
            _l("The review was closed."),
        )

    def _add(self, pk, kind: EntryKind):
        return self._run(
            pk,
            lambda: major_matters.add_entry(
                db.session, current_actor(), pk, kind, request.form.get("text")
            ),
            _l("Saved; the people concerned have been notified."),
        )

    def _run(self, pk, call, done):
        """One service call; its refusal is flashed in Chinese and nothing is saved. A review
        the user may not see sends them to the list, saying only that."""
        page = url_for("MajorMatterView.show", pk=pk)
        listing = url_for("MajorMatterView.index")
        return service_action(call, done, page, flash_refusals=True, out_of_scope_to=listing)


def _open_reviews() -> int:
    """The open reviews the signed-in user may see, counted once per request."""
    count = request.environ.get("suqiu.open_major_matters")
    if count is None:
        actor = current_actor()
        count = open_count(db.session, actor) if actor.user is not None else 0
        request.environ["suqiu.open_major_matters"] = count
    return count


def register(appbuilder) -> None:
    appbuilder.add_view(
        MajorMatterView,
        "MajorMatters",
        icon="fa-exclamation-triangle",
        label=CountedLabel(
            "major_matters.open", _l("Major matters"), _open_reviews, hide_zero=True
        ),
        category="Cases",
    )
