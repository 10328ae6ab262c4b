"""外部系统与接口令牌 (Art.13): PLACEHOLDER declaring the FAB permissions its
capabilities grant; the
real pages replace this class (same class_permission_name and base_permissions)."""

from __future__ import annotations

from flask_appbuilder import BaseView


class ApiClientView(BaseView):
    route_base = "/_placeholder/api_clients"
    class_permission_name = "ApiClient"
    base_permissions = ["can_read", "can_write"]


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(ApiClientView)
