"""人员问责 (Art.23/42): the personal breaches of Art.27/28/29 awaiting each unit's handling
opinion (a unit sees its own, CSD, leaders and the committee all), a breach's page with the
opinion form and its history, CSD's recording form, and the Art.42 staff ratings of a month or
quarter."""

from __future__ import annotations

import secrets
import time
from datetime import date

from flask import abort, flash, has_request_context, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from app.domain.clock import now as clock_now
from app.domain.complaints import STAFF_RATING_LABELS, RatingPeriod
from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.domain.staff_accountability import (
    ARTICLE_LABELS,
    BREACH_ACTION_LABELS,
    BREACH_STATUS_LABELS,
    OPINION_TIMELINESS_LABELS,
    OPINION_WORKING_DAYS,
    period_holding,
    rating_period,
)
from app.extensions import db
from app.services import staff_accountability as service
from app.services.actor import current_actor
from app.services.errors import PermissionDeniedError
from app.services.staff_page import (
    BreachFilter,
    awaited_opinions,
    breach_list,
    breach_page,
    recording_choices,
)
from app.services.staff_ratings import staff_ratings
from app.views.base import service_action, service_page
from app.views.list_params import whole_number
from app.views.menu_labels import CountedLabel

FILTER_LABELS = {
    BreachFilter.ALL: _l("All"),
    BreachFilter.OPEN: _l("Awaiting the handling opinion"),
    BreachFilter.OVERDUE: _l("Handling opinion overdue"),
    BreachFilter.ENTERED: _l("Handling opinion entered"),
}
PERIOD_LABELS = {RatingPeriod.MONTH: _l("Month"), RatingPeriod.QUARTER: _l("Quarter")}
YEARS_OFFERED = 5
KEY_LENGTH = 32  # secrets.token_hex(16)


class StaffAccountabilityView(BaseView):
    route_base = "/staff"
    class_permission_name = "StaffAccountability"
    method_permission_name = {
        "index": "read",
        "show": "read",
        "ratings": "read",
        "opinion": "opinion",
    }
    default_view = "index"

    @expose("/")
    @has_access
    def index(self):
        try:
            shown = BreachFilter(request.args.get("status", ""))
        except ValueError:
            shown = BreachFilter.ALL
        page = whole_number(request.args.get("page")) or 1
        now = clock_now()
        try:
            listing = breach_list(db.session, current_actor(), shown, page, now)
        except PermissionDeniedError:
            abort(403)
        awaited_count(fresh=True)
        return self.render_template(
            "suqiu/staff_breaches.html",
            listing=listing,
            shown=shown,
            filters=FILTER_LABELS,
            article_labels=ARTICLE_LABELS,
            status_labels=BREACH_STATUS_LABELS,
            may_record=service.may_record(current_actor()),
            title=str(_l("Personal breaches")),
        )

    @expose("/breach/<int:pk>")
    @has_access
    def show(self, pk):
        page = service_page(breach_page, pk, clock_now())
        return self.render_template(
            "suqiu/staff_breach.html",
            page=page,
            breach=page.breach,
            article_labels=ARTICLE_LABELS,
            status_labels=BREACH_STATUS_LABELS,
            action_labels=BREACH_ACTION_LABELS,
            title=str(_l("Personal breach")),
        )

    @expose("/breach/<int:pk>/opinion", methods=["POST"])
    @has_access
    def opinion(self, pk):
        """The unit's handling opinion: one service call, its message flashed."""
        version = whole_number(request.form.get("version"))
        back = url_for("StaffAccountabilityView.show", pk=pk)
        if version is None:
            flash(str(_l("The form is incomplete; please reload the page.")), "danger")
            return redirect(back)
        actor = current_actor()

        def enter():
            service.enter_handling_opinion(
                db.session, actor, pk, version=version, opinion=request.form.get("opinion")
            )
            _recent.pop(actor.user_id, None)  # the menu's cached count is stale now

        return service_action(enter, _l("The handling opinion was entered."), back)

    @expose("/ratings")
    @has_access
    def ratings(self):
        """Art.42: the suggested ratings of a month or quarter (the current month by default)."""
        today = clock_now().date()
        args = request.args
        try:
            if args.get("period"):
                period = rating_period(
                    args.get("period"),
                    whole_number(args.get("year")),
                    whole_number(args.get("number")),
                )
            else:
                period = period_holding(today, RatingPeriod.MONTH)
        except DomainError as exc:
            flash(str(exc), "danger")
            period = period_holding(today, RatingPeriod.MONTH)
        try:
            rows = staff_ratings(db.session, current_actor(), period)
        except PermissionDeniedError:
            abort(403)
        return self.render_template(
            "suqiu/staff_ratings.html",
            rows=rows,
            period=period,
            period_labels=PERIOD_LABELS,
            rating_labels=STAFF_RATING_LABELS,
            article_labels=ARTICLE_LABELS,
            timeliness_labels=OPINION_TIMELINESS_LABELS,
            years=range(today.year, today.year - YEARS_OFFERED, -1),
            title=str(_l("Staff ratings")),
        )


class PersonalBreachRecordView(BaseView):
    """CSD's form: its FAB permission is the violation register's write (edit.violations), the
    service checks the same capability and a company-wide scope."""

    route_base = "/staff/record"
    class_permission_name = "Violation"
    method_permission_name = {"record": "write"}
    # The same permissions as ViolationEntryView (views sharing a name must agree).
    base_permissions = ["can_read", "can_write"]
    default_view = "record"

    @expose("/", methods=["GET", "POST"])
    @has_access
    def record(self):
        """The form comes back with what was typed on an error; nothing is saved."""
        actor = current_actor()
        form = request.form if request.method == "POST" else request.args
        # The form's one-time key (like the case registration's): a form submitted twice — a
        # double click, a resent page, two tabs of one form — records one breach.
        key = (form.get("submission_key") or "").strip() if request.method == "POST" else ""
        if request.method == "POST":
            try:
                if not _one_time_key(key):
                    flash(str(service.FORM_INCOMPLETE), "danger")
                    key = ""
                else:
                    breach = service.record_breach(
                        db.session,
                        actor,
                        branch_id=whole_number(form.get("branch_id")),
                        employee_id=whole_number(form.get("employee_id")),
                        article=form.get("article"),
                        occurred_on=_day(form.get("occurred_on")),
                        description=form.get("description"),
                        case_number=form.get("case_number"),
                        violation_id=whole_number(form.get("violation_id")),
                        submission_key=key,
                    )
                    flash(str(_l("The personal breach was recorded.")), "success")
                    return redirect(url_for("StaffAccountabilityView.show", pk=breach.id))
            except PermissionDeniedError:
                abort(403)
            except DomainError as exc:
                flash(str(exc), "danger")
        try:
            choices = recording_choices(db.session, actor)
        except PermissionDeniedError:
            abort(403)
        return self.render_template(
            "suqiu/staff_record.html",
            values=form,
            submission_key=key or secrets.token_hex(16),
            choices=choices,
            articles=list(ARTICLE_LABELS.items()),
            working_days=OPINION_WORKING_DAYS,
            today=clock_now().date(),
            title=str(_l("Record a personal breach")),
        )


def _one_time_key(key: str) -> bool:
    """The recording form's key as the page gave it: 32 hexadecimal digits."""
    return len(key) == KEY_LENGTH and all(c in "0123456789abcdef" for c in key)


def _day(raw) -> date | None:
    try:
        return date.fromisoformat((raw or "").strip())
    except ValueError:
        return None


MENU_TTL = 30
_recent: dict[int, tuple[float, object]] = {}


def awaited_count(*, fresh: bool = False):
    """The signed-in user's 待录入处理意见 count (None: not a reader), once per request and kept
    MENU_TTL seconds per user like the queue counts (app/views/queue_menu.py); the list page
    counts afresh."""
    if not has_request_context():
        return None
    cached = None if fresh else request.environ.get("suqiu.awaited_opinions")
    if cached is None:
        actor = current_actor()
        if actor.user is None:
            return None
        stamp, cached = _recent.get(actor.user_id, (0.0, None))
        if fresh or cached is None or time.monotonic() - stamp > MENU_TTL:
            cached = (awaited_opinions(db.session, actor),)
            _recent[actor.user_id] = (time.monotonic(), cached)
        request.environ["suqiu.awaited_opinions"] = cached
    return cached[0]


def register(appbuilder) -> None:
    view = appbuilder.add_view(
        StaffAccountabilityView,
        "PersonalBreaches",  # a menu name, not the permission name (FAB would mix the two)
        icon="fa-user-times",
        label=_l("Personal breaches"),
        category="Assessment",
        category_icon="fa-balance-scale",
        category_label=_l("Assessment"),
    )
    appbuilder.add_link(
        "AwaitedOpinions",
        href="/staff/?status=open",
        icon="fa-angle-right",
        label=CountedLabel(
            "staff.awaited_opinions", _l("Awaiting the handling opinion"), awaited_count
        ),
        category="Assessment",
        baseview=view,
    )
    record = appbuilder.add_view_no_menu(PersonalBreachRecordView)
    appbuilder.add_link(
        "RecordPersonalBreach",
        href="/staff/record/",
        icon="fa-plus",
        label=_l("Record a personal breach"),
        category="Assessment",
        baseview=record,
        cond=lambda: service.may_record(current_actor()),
    )
    appbuilder.add_link(
        "StaffRatings",
        href="/staff/ratings",
        icon="fa-star-half-o",
        label=_l("Staff ratings"),
        category="Assessment",
        baseview=view,
    )
