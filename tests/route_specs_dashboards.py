"""The dashboards' routes for the role × route × branch matrix (tests/test_route_matrix.py):
the dashboard and its wall display with and without a unit chosen (another unit's is refused,
never shown), a period that cannot be (a Chinese message, not a 500), the operations view and
the Excel export of the dashboard's tables (the same filters and scope as the page)."""

from __future__ import annotations

from tests.route_specs import Spec

READ = ("can_read", "Dashboard")
EXPORT = ("can_export", "Dashboard")


def dashboard_specs() -> list[Spec]:
    specs = []
    for endpoint, path in (
        ("DashboardView.index", "/dashboards/"),
        ("DashboardView.wall", "/dashboards/wall"),
    ):
        specs += [
            Spec(endpoint, path, perm=READ),
            Spec(endpoint, f"{path}?print=1", perm=READ, variant="print"),
            Spec(endpoint, path + "?unit={id}", perm=READ, refs=("branch",), shows=True,
                 variant="unit"),
            Spec(endpoint, path + "?unit={id}", perm=READ, refs=("subunit",), shows=True,
                 variant="subunit"),
            Spec(endpoint, f"{path}?period=custom&start=2026-02-01&end=2026-01-01", perm=READ,
                 variant="bad-period"),
            Spec(endpoint, f"{path}?channel_category=nope&unit=x&year=abc", perm=READ,
                 variant="bad-values"),
        ]  # fmt: skip
    specs += [
        Spec("DashboardView.operations", "/dashboards/operations", perm=READ),
        Spec("DashboardView.operations", "/dashboards/operations?print=1", perm=READ,
             variant="print"),
        Spec("DashboardView.export", "/dashboards/export", perm=EXPORT),
        Spec("DashboardView.export", "/dashboards/export?period=quarter&year=2026&quarter=4",
             perm=EXPORT, variant="quarter"),
        Spec("DashboardView.export", "/dashboards/export?unit={id}", perm=EXPORT,
             refs=("branch",), shows=True, variant="unit"),
        Spec("DashboardView.export", "/dashboards/export?unit={id}", perm=EXPORT,
             refs=("subunit",), shows=True, variant="subunit"),
        Spec("DashboardView.export", "/dashboards/export?period=custom&start=2026-02-01"
             "&end=2026-01-01", perm=EXPORT, variant="bad-period"),
    ]  # fmt: skip
    return specs
