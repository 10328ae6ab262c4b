"""Excel downloads (issue 9 item 5): the one way a view answers with an .xlsx file
(``send_xlsx``), and the KPI scorecard by unit for a period (/exports/scorecard.xlsx).

The case list's export is CaseView.export (app/views/cases.py), on the list's own filters and
scope; the dashboards add their tables' exports through ``send_xlsx`` and
app.services.xlsx.write_table."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from typing import IO

from flask import Response, flash, redirect, request, send_file
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access

from app.domain import period_text
from app.domain.clock import format_datetime
from app.domain.clock import now as clock_now
from app.domain.i18n import _l
from app.domain.kpis import PeriodError
from app.extensions import db
from app.services import scorecard_export
from app.services.actor import current_actor

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def send_xlsx(
    write: Callable[[IO[bytes]], int],
    filename: str,
    *,
    empty: Callable[[], Response] | None = None,
) -> Response:
    """``write`` fills a temporary file (deleted when the response is closed) and says how many
    rows it wrote; with none and ``empty`` given, ``empty()`` answers instead of a file.
    ``filename`` goes out as RFC 5987 ``filename*=UTF-8''…`` (Chinese survives)."""
    # Not a context manager: the response closes (and so deletes) it once sent.
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        written = write(handle)
    except BaseException:
        handle.close()
        raise
    if written == 0 and empty is not None:
        handle.close()
        return empty()
    handle.seek(0)
    response = send_file(
        handle, mimetype=XLSX, as_attachment=True, download_name=filename, max_age=0
    )
    response.headers["Cache-Control"] = "no-store"  # customers' details: no copy in caches
    return response


def file_name(*parts: str) -> str:
    """``服务诉求_汉口分公司_2026-11-01至2026-11-30.xlsx``: the parts joined, without characters
    a file name cannot carry."""
    cleaned = [
        "".join("_" if ch in '\\/:*?"<>|\r\n\t' else ch for ch in str(part)).strip()
        for part in parts
    ]
    return "_".join(part for part in cleaned if part) + ".xlsx"


class ExportView(BaseView):
    """Exports of the dashboards' figures: FAB "Dashboard" can_export (the capability
    export.dashboards). It declares the same permissions as DashboardView, which shares its
    name (app.security.sync refuses views of one name that disagree)."""

    route_base = "/exports"
    class_permission_name = "Dashboard"
    method_permission_name = {"scorecard": "export"}
    base_permissions = ["can_read", "can_export"]

    @expose("/scorecard.xlsx")
    @has_access
    def scorecard(self):
        actor = current_actor()
        now = clock_now()
        try:
            period = period_text.parse(request.args.get("period"), now)
        except PeriodError as exc:
            flash(str(exc), "danger")
            return redirect(self.appbuilder.get_url_for_index)
        unit = scorecard_export.unit_label(db.session, actor)
        name = file_name(str(_l("KPI scorecard")), unit, period_text.label(period))
        return send_xlsx(
            lambda handle: scorecard_export.write_scorecard(
                handle,
                db.session,
                actor,
                period,
                now,
                notes=[
                    (str(_l("Period")), period_text.label(period)),
                    (str(_l("Units")), unit),
                    (str(_l("Exported at")), format_datetime(now)),
                ],
            ),
            name,
        )


def register(appbuilder) -> None:
    appbuilder.add_view_no_menu(ExportView)
