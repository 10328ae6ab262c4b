"""季度分析报告与服务例会 (Art.39/40): PLACEHOLDER declaring the FAB permissions its
capabilities grant; the
real pages replace this class (same class_permission_name and base_permissions)."""

from __future__ import annotations

from flask_appbuilder import BaseView


class QuarterlyReportView(BaseView):
    route_base = "/_placeholder/quarterly_reports"
    class_permission_name = "QuarterlyReport"
    base_permissions = ["can_read", "can_write", "can_comment", "can_answer"]


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(QuarterlyReportView)
