"""PLACEHOLDER (work in progress, replaced by its change): declares the FAB permissions of
``Dashboard`` so the role sync knows them."""

from __future__ import annotations

from flask import abort
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access


class DashboardView(BaseView):
    route_base = "/dashboards"
    class_permission_name = "Dashboard"
    method_permission_name = {"index": "read", "export": "export"}

    @expose("/")
    @has_access
    def index(self):
        abort(404)

    @expose("/export")
    @has_access
    def export(self):
        abort(404)


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(DashboardView)
