"""The start page: who you are, which unit you see, your unread notifications; a reader of
the dashboards is sent to theirs."""

from __future__ import annotations

from flask import g
from flask_appbuilder import IndexView, expose

from app.domain.clock import now as clock_now
from app.extensions import db
from app.services import notifications
from app.services.actor import current_actor
from app.services.calendar import missing_years
from app.services.scope import describe_scope
from app.views import dashboards


class HomeView(IndexView):
    index_template = "suqiu/index.html"

    @expose("/")
    def index(self):
        actor = current_actor()
        user = actor.user
        # Each role lands on what it needs (issue 9): leaders, the committee and the units on
        # their dashboard, CSD on the operations view, shown here as the start page.
        landing = dashboards.landing_endpoint(actor) if g.user is not None else None
        if landing is not None:
            return dashboards.render_landing(self.appbuilder, landing)
        # The administrator is told which years' holidays are missing (deadlines provisional).
        missing = []
        if user is not None and self.appbuilder.sm.has_access("can_write", "WorkCalendar"):
            missing = missing_years(db.session, clock_now().date())
        return self.render_template(
            self.index_template,
            user=user,
            unread=notifications.unread_count(db.session, actor),
            roles=[role.name for role in user.roles] if user else [],
            scope_text=describe_scope(db.session, actor.scope),
            signed_in=bool(user) and g.user is not None,
            missing_years=missing,
        )


def register(appbuilder) -> None:
    """The index view is registered by FAB itself (FAB_INDEX_VIEW)."""
