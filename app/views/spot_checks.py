"""抽查回访 pages for CSD: draw a sample for a period, record each customer's answer."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from flask import abort, flash, redirect, request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from app.domain.clock import now as clock_now
from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.domain.lifecycle import STATUS_LABELS
from app.extensions import db
from app.models import SpotCheck
from app.services.actor import current_actor
from app.services.spot_checks import draw_spot_check, record_spot_check
from app.views.case_labels import CALLBACK_LABELS


class SpotCheckView(BaseView):
    route_base = "/spotchecks"
    class_permission_name = "SpotCheck"
    method_permission_name = {
        "overview": "read",
        "detail": "read",
        "draw": "write",
        "record": "write",
    }
    default_view = "overview"

    @expose("/")
    @has_access
    def overview(self):
        today = clock_now().date()
        first = today.replace(day=1)
        checks = db.session.scalars(select(SpotCheck).order_by(SpotCheck.id.desc()).limit(50)).all()
        return self.render_template(
            "suqiu/spot_checks.html",
            checks=checks,
            default_start=first - timedelta(days=30),
            default_end=today,
            default_rate=current_rate(),
            title=str(_l("Spot-check callbacks")),
        )

    @expose("/draw", methods=["POST"])
    @has_access
    def draw(self):
        try:
            start = datetime.combine(date.fromisoformat(request.form["start"]), time.min)
            end = datetime.combine(date.fromisoformat(request.form["end"]), time.min) + timedelta(
                days=1
            )
            check = draw_spot_check(
                db.session,
                current_actor(),
                start,
                end,
                request.form.get("rate"),
                request.form.get("seed") or None,
            )
        except (KeyError, ValueError, OverflowError):
            flash(str(_l("Please enter the period as dates.")), "danger")
            return redirect(url_for("SpotCheckView.overview"))
        except DomainError as exc:
            flash(str(exc), "danger")
            return redirect(url_for("SpotCheckView.overview"))
        return redirect(url_for("SpotCheckView.detail", pk=check.id))

    @expose("/<int:pk>")
    @has_access
    def detail(self, pk):
        check = db.session.get(SpotCheck, pk)
        if check is None:
            abort(404)
        return self.render_template(
            "suqiu/spot_check.html",
            check=check,
            callback_labels=CALLBACK_LABELS,
            status_labels=STATUS_LABELS,
            title=str(_l("Spot-check callbacks")),
        )

    @expose("/record/<int:item_id>", methods=["POST"])
    @has_access
    def record(self, item_id):
        try:
            item = record_spot_check(
                db.session,
                current_actor(),
                item_id,
                request.form.get("result", ""),
                request.form.get("note"),
            )
        except DomainError as exc:
            flash(str(exc), "danger")
            return redirect(request.referrer or url_for("SpotCheckView.overview"))
        flash(str(_l("Done.")), "success")
        return redirect(url_for("SpotCheckView.detail", pk=item.spot_check_id))


def current_rate() -> str:
    from flask import current_app

    return current_app.config.get("SUQIU_SPOT_CHECK_RATE", "10")


def register(appbuilder) -> None:
    appbuilder.add_view(
        SpotCheckView,
        "SpotChecks",
        icon="fa-phone",
        label=_l("Spot-check callbacks"),
        category="Cases",
    )
