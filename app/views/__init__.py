"""Thin FAB views. ``register_views`` is the only place views and menus are added."""

from __future__ import annotations


def register_views(appbuilder) -> None:
    from app.views import (
        api,
        api_clients,
        assessments,
        bulletins,
        case_admin,
        case_imports,
        cases,
        catalog,
        complaints,
        contacts,
        dashboards,
        exports,
        home,
        major_matters,
        notifications,
        org,
        quarterly_reports,
        repeats,
        spot_checks,
        staff,
        violations,
    )

    cases.register(appbuilder)
    spot_checks.register(appbuilder)
    org.register(appbuilder)
    contacts.register(appbuilder)
    violations.register(appbuilder)
    complaints.register(appbuilder)
    major_matters.register(appbuilder)
    staff.register(appbuilder)
    catalog.register(appbuilder)
    bulletins.register(appbuilder)
    case_admin.register(appbuilder)
    notifications.register(appbuilder)
    api.register(appbuilder)
    dashboards.register(appbuilder)
    exports.register(appbuilder)
    assessments.register(appbuilder)
    quarterly_reports.register(appbuilder)
    repeats.register(appbuilder)
    api_clients.register(appbuilder)
    case_imports.register(appbuilder)
    home.register(appbuilder)
