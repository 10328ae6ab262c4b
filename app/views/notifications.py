"""我的通知: the signed-in user's own notifications (scoped to the recipient); a subject
opens the page the notification is about and marks it read."""

from __future__ import annotations

from flask import abort, flash, redirect
from flask_appbuilder import expose, has_access
from flask_appbuilder.actions import action
from flask_appbuilder.widgets import ListWidget

from app.domain.i18n import _l
from app.models import Notification
from app.services import notifications
from app.services.actor import current_actor
from app.services.errors import OutOfScopeError
from app.views.base import CRUD_PERMISSIONS, SuqiuModelView
from app.views.datamodel import ScopedInterface
from app.views.formatting import timestamp


class NotificationListWidget(ListWidget):
    template = "suqiu/notification_list.html"


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
