"""Route specs of the exports and the printable case sheet (issue 9 items 5 and 6), for
tests/test_route_matrix.py (see tests/route_specs.py's docstring). The matrix reads an .xlsx
answer as the text of its parts, so a case number of another unit in an export fails it as it
would on a page."""

from __future__ import annotations

from tests.route_specs import Spec

EXPORT_CASES = ("can_export", "Case")
EXPORT_FIGURES = ("can_export", "Dashboard")
READ_CASE = ("can_read", "Case")
LISTED = ("case:in_progress", "case:pending_dispatch", "case:closed", "case:pending_sign")


def exports_specs() -> list[Spec]:
    """The case list's export (the cases the user may see, under filters or none; a filter on
    another unit gives nothing: tests/test_exports.py), the case sheet (a case page), the
    scorecard (a unit's own figures)."""
    specs = [
        Spec(
            "CaseView.export",
            "/cases/export",
            perm=EXPORT_CASES,
            refs=LISTED,
            together=True,
            shows=True,
        )
    ]
    specs += [
        Spec("CaseView.export", path, perm=EXPORT_CASES, refs=LISTED, together=True, variant=v)
        for path, v in (
            ("/cases/export?_flt_0_status=in_progress&_oc_CaseView=number&_od_CaseView=asc", "f"),
            ("/cases/export?_flt_1_branch=1&_flt_0_customer_phone=139", "not-unit"),
            ("/cases/export?_flt_0_received_at=x&_flt_9_status=y&_oc_CaseView=content", "bad"),
        )
    ]
    specs += [
        Spec(
            "CaseView.print_sheet",
            "/cases/print/{id}",
            perm=READ_CASE,
            refs=("case:in_progress", "case:pending_dispatch"),
            shows=True,
        ),
        Spec("ExportView.scorecard", "/exports/scorecard.xlsx?period=2026-11", perm=EXPORT_FIGURES),
        Spec(
            "ExportView.scorecard",
            "/exports/scorecard.xlsx?period=2026-11-30~2026-11-01&branch=1",
            perm=EXPORT_FIGURES,
            variant="bad-period",
        ),
    ]
    return specs
