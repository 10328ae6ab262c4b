"""年终考核 (Art.41): PLACEHOLDER declaring the FAB permissions its capabilities grant; the
real pages replace this class (same class_permission_name and base_permissions)."""

from __future__ import annotations

from flask_appbuilder import BaseView


class AssessmentView(BaseView):
    route_base = "/_placeholder/assessments"
    class_permission_name = "AnnualAssessment"
    base_permissions = ["can_read", "can_prepare", "can_object", "can_finalise"]


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(AssessmentView)
