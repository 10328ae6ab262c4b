"""Excel import of cases (Art.13): PLACEHOLDER declaring the FAB permissions its capability
grants; the real pages replace this class (same class_permission_name and base_permissions)."""

from __future__ import annotations

from flask_appbuilder import BaseView


class CaseImportView(BaseView):
    route_base = "/_placeholder/case_imports"
    class_permission_name = "CaseImport"
    base_permissions = ["can_read", "can_import"]


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(CaseImportView)
