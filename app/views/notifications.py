"""我的通知: the signed-in user's own notifications (scoped to the recipient); a subject
opens the page the notification is about and marks it read. 已归档的通知: the user's own
notifications moved out of the inbox after being read for a while (issue 12), read-only."""

from __future__ import annotations

from flask import abort, flash, redirect, request
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.widgets import ListWidget

from app.domain.i18n import _l
from app.models import Notification
from app.services import notifications
from app.services.actor import current_actor
from app.services.errors import OutOfScopeError
from app.services.notification_archive import MAX_PAGE, archived_for
from app.views.base import CRUD_PERMISSIONS, SuqiuModelView
from app.views.datamodel import ScopedInterface
from app.views.formatting import timestamp


class NotificationListWidget(ListWidget):
    template = "suqiu/notification_list.html"


def _page_number(raw) -> int:
    """``?page=``: a number from 1; anything else (missing, text, 0, negative) is page 1."""
    try:
        return min(max(int(raw or 1), 1), MAX_PAGE)
    except ValueError:
        return 1


class NotificationView(SuqiuModelView):
    datamodel = ScopedInterface(Notification)
    class_permission_name = "Notification"
    # Notifications are written by the system only: nobody adds, edits or deletes them.
    method_permission_name = {
        **CRUD_PERMISSIONS,
        "add": "create",
        "edit": "update",
        "delete": "remove",
        "open_link": "write",  # marks it read
        "archived": "read",
    }
    base_permissions = ["can_read", "can_write"]
    list_title = _l("My notifications")
    show_title = _l("Notification")
    add_title = _l("Notification")
    edit_title = _l("Notification")
    label_columns = {
        "created_at": _l("Time"),
        "title": _l("Subject"),
        "body": _l("Content"),
        "read_at": _l("Read at"),
        "link": _l("Link"),
    }
    list_columns = ["created_at", "title", "body", "read_at"]
    show_columns = ["created_at", "title", "body", "read_at"]
    search_columns = ["title", "created_at"]
    order_columns = ["created_at"]
    base_order = ("created_at", "desc")
    formatters_columns = {"created_at": timestamp, "read_at": timestamp}
    list_widget = NotificationListWidget

    @expose("/open/<int:pk>", methods=["POST"])
    @has_access
    def open_link(self, pk):
        try:
            link, message = notifications.open_notification(
                self.datamodel.session, current_actor(), pk
            )
        except OutOfScopeError:
            abort(404)
        if message:
            flash(str(message), "warning")
        return redirect(link)

    @expose("/archived/")
    @has_access
    def archived(self):
        page = _page_number(request.args.get("page"))
        found = archived_for(self.datamodel.session, current_actor(), page)
        return self.render_template(
            "suqiu/notification_archive.html",
            archive=found,
            title=str(_l("Archived notifications")),
        )

    @action("mark_read", _l("Mark as read"), "", "fa-check", single=True)
    def mark_read(self, items):
        items = items if isinstance(items, list) else [items]
        try:
            count = notifications.mark_read(self.datamodel.session, current_actor(), items)
        except OutOfScopeError:
            abort(404)
        flash(str(_l("%(count)d notifications marked as read.")) % {"count": count}, "success")
        return redirect(self.get_redirect())


def register(appbuilder) -> None:
    appbuilder.add_view(
        NotificationView, "Notifications", icon="fa-bell", label=_l("My notifications")
    )
