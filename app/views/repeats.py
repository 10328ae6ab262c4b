"""重复诉求 主单/关联单: PLACEHOLDER declaring the FAB permissions its capabilities grant; the
real pages replace this class (same class_permission_name and base_permissions)."""

from __future__ import annotations

from flask_appbuilder import BaseView


class RepeatRequestView(BaseView):
    route_base = "/_placeholder/repeats"
    class_permission_name = "RepeatRequest"
    base_permissions = ["can_read", "can_link"]


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(RepeatRequestView)
