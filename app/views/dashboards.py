"""The dashboards (issue 9): the company dashboard (a branch reader: their units' dashboard),
CSD's operations view, the wall display (大屏) and a print view of each. Figures come from
app.services.dashboards; every number links to the case list filtered to the cases behind it."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import request, url_for
from flask_appbuilder import BaseView, expose
from flask_appbuilder.security.decorators import has_access
from sqlalchemy import select

from app.domain import period_text
from app.domain.clock import format_datetime
from app.domain.clock import now as clock_now
from app.domain.errors import DomainError
from app.domain.i18n import _l
from app.domain.kpis import FIGURES
from app.extensions import db
from app.models import ChannelCategory
from app.services import case_export, dashboards, repeat_figures, scorecard_export, xlsx
from app.services.actor import Actor, current_actor
from app.services.case_queries import usable_queues
from app.services.errors import OutOfScopeError
from app.views.case_filters import FILTER_CLASSES
from app.views.exports import file_name, send_xlsx

WALL_REFRESH_SECONDS = 60


def drill_url(drill: dashboards.Drill) -> str:
    """The case list filtered by ``drill`` (column, filter arg_name, value)."""
    args = []
    for column, arg_name, value in drill:
        classes = FILTER_CLASSES[column]
        index = next(i for i, cls in enumerate(classes) if cls.arg_name == arg_name)
        args.append((f"_flt_{index}_{column}", value))
    return url_for("CaseView.list") + "?" + urlencode(args)


def _chart_payload(chart: dashboards.Chart) -> dict:
    return {
        "code": chart.code,
        "title": chart.title,
        "kind": chart.kind,
        "labels": [bar.label for bar in chart.bars],
        "keys": [bar.key for bar in chart.bars],
        "values": [bar.count for bar in chart.bars],
        "links": [drill_url(bar.drill) for bar in chart.bars],
    }


def payload(board: dashboards.Dashboard) -> dict:
    """What the page's script draws, passed as JSON (|tojson) in the page."""
    charts = [_chart_payload(chart) for chart in board.charts.values()]
    charts += [_chart_payload(board.overdue), _chart_payload(board.due_soon)]
    by_day = board.charts["by_day"]
    charts.append(
        {
            **_chart_payload(by_day),
            "code": "heat",
            "title": str(_l("Daily intake calendar")),
            "kind": "calendar",
            "range": [
                board.filters.period.first_day.isoformat(),
                board.filters.period.last_day.isoformat(),
            ],
        }
    )
    return {"charts": charts, "empty": str(_l("No data"))}


def _period_form(args) -> dict:
    today = clock_now().date()
    return {
        "period": args.get("period") or "month",
        "year": args.get("year") or str(today.year),
        "month": args.get("month") or str(today.month),
        "quarter": args.get("quarter") or str((today.month - 1) // 3 + 1),
        "start": args.get("start") or "",
        "end": args.get("end") or "",
        "channel_category": args.get("channel_category") or "",
        "unit": args.get("unit") or "",
        "rank": args.get("rank") or "on_time_finish",
    }


def _operation_links(actor: Actor, tiles: list[dashboards.Tile]) -> dict[str, str]:
    queues = set(usable_queues(actor))
    return {
        tile.code: url_for("CaseQueueView.queue", name=tile.queue)
        if tile.queue in queues
        else drill_url(tile.drill)
        for tile in tiles
    }


def landing_endpoint(actor: Actor) -> str | None:
    """What the start page shows a reader of the dashboards: CSD (who dispatch for the whole
    company) the operations view, leaders, the committee and the units their dashboard; the
    administrator keeps the start page (its calendar alert)."""
    if actor.user is None or actor.is_admin or not actor.may("read.dashboards"):
        return None
    if actor.scope.all_branches and "dispatch" in actor.case_actions:
        return "operations"
    return "index"


def render_landing(appbuilder, landing: str):
    """The start page as the dashboard or the operations view (the same page as its own
    address: its filters, print and wall links work from the start page too)."""
    view = next(v for v in appbuilder.baseviews if isinstance(v, DashboardView))
    if landing == "operations":
        return view.operations_page()
    return view._render_board("suqiu/dashboard.html")


class DashboardView(BaseView):
    route_base = "/dashboards"
    class_permission_name = "Dashboard"
    method_permission_name = {
        "index": "read",
        "operations": "read",
        "wall": "read",
        "export": "export",
    }
    default_view = "index"

    def _board(self):
        actor = current_actor()
        now = clock_now()
        try:
            filters = dashboards.parse_filters(db.session, actor.scope, request.args, now.date())
            board = dashboards.company_dashboard(db.session, actor.scope, filters, now)
        except OutOfScopeError as exc:  # another unit's figures: refused, never shown
            db.session.rollback()
            return actor, None, str(exc), 403
        except DomainError as exc:  # a period or a filter value that names nothing
            db.session.rollback()
            return actor, None, str(exc), 200
        return actor, board, None, 200

    def _render_board(self, template, **extra):
        actor, board, error, status = self._board()
        tiles = []
        if not actor.scope.all_branches:  # a unit's dashboard carries its queues
            base = board.base if board is not None and board.unfiltered else None
            tiles = dashboards.operations(db.session, actor.scope, clock_now(), base)
        categories = db.session.execute(
            select(ChannelCategory.code, ChannelCategory.name).order_by(ChannelCategory.sort_order)
        ).all()
        units = board.units if board else dashboards.unit_choices(db.session, actor.scope)
        chosen = board.filters.unit_id if board else None
        page = self.render_template(
            template,
            board=board,
            unit_name=dict(units).get(chosen, "").strip("\u3000") if chosen else "",
            error=error,
            data=payload(board) if board else {"charts": [], "empty": str(_l("No data"))},
            form=_period_form(request.args),
            figures=FIGURES,
            categories=[(row.code, row.name) for row in categories],
            units=units,
            scope_all=actor.scope.all_branches,
            tiles=tiles,
            tile_links=_operation_links(actor, tiles),
            drill_url=drill_url,
            # 重复诉求数 by channel category, channel, kind and business category (issue 11).
            repeat_breakdowns=repeat_figures.repeat_breakdowns(
                db.session, board.filters, board.base, board.as_of
            )
            if board is not None and board.base is not None
            else [],
            printing=request.args.get("print") == "1",
            refresh=WALL_REFRESH_SECONDS,
            query=urlencode([(k, v) for k, v in request.args.items() if k != "print"]),
            title=str(_l("Dashboard") if actor.scope.all_branches else _l("My unit's dashboard")),
            **extra,
        )
        return page, status

    @expose("/")
    @has_access
    def index(self):
        return self._render_board("suqiu/dashboard.html")

    @expose("/wall")
    @has_access
    def wall(self):
        """大屏: the dashboard full screen, reloading itself every minute."""
        return self._render_board("suqiu/dashboard_wall.html")

    @expose("/operations")
    @has_access
    def operations(self):
        return self.operations_page()

    def operations_page(self):
        actor = current_actor()
        now = clock_now()
        tiles = dashboards.operations(db.session, actor.scope, now)
        return self.render_template(
            "suqiu/dashboard_operations.html",
            tiles=tiles,
            by_unit=dashboards.operations_by_unit(db.session, actor.scope, now),
            drill_url=drill_url,
            tile_links=_operation_links(actor, tiles),
            now=now,
            printing=request.args.get("print") == "1",
            title=str(_l("Operations")),
        )

    @expose("/export")
    @has_access
    def export(self):
        """The dashboard's tables (dashboards.tables: each chart's bars and the scorecard, as
        the page shows them) as an .xlsx, one sheet a table, under the page's own filters and
        the reader's scope; a filter the page refuses is refused here the same way."""
        actor, board, _, _ = self._board()
        if board is None:  # the page's message and status (403: another unit's figures)
            return self._render_board("suqiu/dashboard.html")
        period = board.filters.period
        if board.filters.unit_id is not None:
            unit = dict(board.units).get(board.filters.unit_id, "").strip("\u3000")
        else:
            unit = case_export.unit_label(db.session, actor)
        notes = [
            (str(_l("Period")), period_text.label(period)),
            (str(_l("Units")), unit),
        ]
        if board.filters.channel_category:
            category = db.session.scalar(
                select(ChannelCategory.name).where(
                    ChannelCategory.code == board.filters.channel_category
                )
            )
            notes.append((str(_l("Channel category")), category))
        notes.append((str(_l("Exported at")), format_datetime(board.as_of)))
        tables = [
            (title, scorecard_export.columns(headers), rows)
            for title, (headers, rows) in dashboards.tables(board).items()
        ]
        return send_xlsx(
            lambda handle: xlsx.write_tables(handle, tables, notes),
            file_name(str(_l("Dashboard")), unit, period_text.label(period)),
        )


def register(appbuilder) -> None:
    view = appbuilder.add_view(
        DashboardView,
        "CompanyDashboard",
        href="/dashboards/",
        icon="fa-bar-chart",
        label=_l("Dashboard"),
        category="Statistics",
        category_icon="fa-bar-chart",
        category_label=_l("Dashboards"),
    )
    appbuilder.add_link(
        "Operations",
        href="/dashboards/operations",
        icon="fa-tachometer",
        label=_l("Operations"),
        category="Statistics",
        baseview=view,
    )
    appbuilder.add_link(
        "WallDisplay",
        href="/dashboards/wall",
        icon="fa-desktop",
        label=_l("Wall display"),
        category="Statistics",
        baseview=view,
    )
