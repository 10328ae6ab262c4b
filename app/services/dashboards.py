"""The dashboards' figures (issue 9, design §4–5): intake by day, month, channel category,
channel, kind and business category, the KPI scorecard by unit, overdue and near-deadline
counts, and CSD's operations figures — every one a GROUP BY or COUNT in the database, under the
reader's scope (app.services.scope), never cases loaded into Python.

Each number carries its ``Drill``: the case list's filters (app.views.case_filters) that list
exactly the cases behind it, so that the list's count equals the number. The view turns a drill
into a URL; ``tables`` gives each dashboard table as rows for an export.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, false, func, or_, select
from sqlalchemy.orm import Session

from app.domain import kpis, period_text
from app.domain.i18n import _l
from app.domain.kpis import FIGURES, FIGURES_BY_CODE, Figure, FigureKind, Period, PeriodError
from app.domain.lifecycle import CaseStatus, ExtensionStatus
from app.models import (
    Branch,
    BusinessCategory,
    Case,
    CaseKind,
    Channel,
    ChannelCategory,
    ExtensionRequest,
)
from app.services import case_search, kpi_queries
from app.services.case_queries import due_soon_open
from app.services.errors import InvalidRecordError, OutOfScopeError
from app.services.scope import Scope
from app.services.sql_dates import day_of, month_of, unordered

BLANK = "__None"  # the case list's "none" value of a relation filter
# One drill condition: (case-list column, the filter's arg_name, value).
Drill = tuple[tuple[str, str, str], ...]


class DashboardFilterError(InvalidRecordError):
    """A dashboard filter that names nothing (a channel category that does not exist)."""


# -- Filters ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    period: Period
    channel_category: str | None = None
    unit_id: int | None = None  # a unit chosen (its sub-units included); None: all in scope
    rank_by: str = "on_time_finish"

    @property
    def token(self) -> str:
        """The period as a URL writes it (app.domain.period_text: 2026-11, 2026-Q4, 2026,
        2026-11-01~2026-11-28)."""
        return period_text.text(self.period)


def _number(raw, message) -> int:
    text = str(raw or "").strip()
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        raise PeriodError(message)
    return int(text)


def _year(raw) -> int:
    value = _number(raw, _l("Please choose a year."))
    if not 2000 <= value <= 2100:
        raise PeriodError(_l("Please choose a year."))
    return value


def _date(raw) -> date:
    try:
        return date.fromisoformat(str(raw or "").strip())
    except ValueError:
        raise PeriodError(_l("Please enter dates as YYYY-MM-DD.")) from None


def period_of(args: Mapping[str, Any], today: date) -> Period:
    """The period the dashboard's form asks for (``period`` = month, quarter, year or custom,
    with ``year``/``month``/``quarter`` or ``start``/``end``); this month without one.
    PeriodError with a Chinese message for a value that names no period. In a URL the period
    is written as app.domain.period_text writes it (``Filters.token``)."""
    kind = (args.get("period") or "month").strip()
    if kind == "month":
        y = _year(args.get("year") or today.year)
        m = _number(args.get("month") or today.month, _l("Please choose a month from 1 to 12."))
        return kpis.month(y, m)
    if kind == "quarter":
        y = _year(args.get("year") or today.year)
        q = _number(
            args.get("quarter") or (today.month - 1) // 3 + 1,
            _l("Please choose a quarter from 1 to 4."),
        )
        return kpis.quarter(y, q)
    if kind == "year":
        return kpis.year(_year(args.get("year") or today.year))
    if kind == "custom":
        return kpis.custom(_date(args.get("start")), _date(args.get("end")))
    raise PeriodError(_l("Please choose a month, a quarter, a year or a range of days."))


def parse_filters(session: Session, scope: Scope, args: Mapping[str, Any], today: date) -> Filters:
    """The dashboard's filters from the query string. A channel category that does not exist
    is refused (DashboardFilterError), a unit outside the reader's scope too (OutOfScopeError),
    a period that cannot be (PeriodError): all with a Chinese message."""
    period = period_of(args, today)
    category = (args.get("channel_category") or "").strip() or None
    if category is not None and not session.scalar(
        select(ChannelCategory.id).where(ChannelCategory.code == category)
    ):
        raise DashboardFilterError(_l("This channel category does not exist."))
    unit_id = None
    raw_unit = (args.get("unit") or "").strip()
    if raw_unit:
        unit_id = int(raw_unit) if raw_unit.isascii() and raw_unit.isdigit() else -1
        exists = unit_id > 0 and len(raw_unit) < 10 and session.get(Branch, unit_id) is not None
        if not exists or not scope.covers_branch(session, unit_id):
            raise OutOfScopeError(_l("You may only see the figures of your own unit."))
    rank_by = (args.get("rank") or "on_time_finish").strip()
    if rank_by not in FIGURES_BY_CODE:
        rank_by = "on_time_finish"
    return Filters(period, category, unit_id, rank_by)


# -- The restriction every figure shares -------------------------------------------------------


def _subtree(session: Session, unit_ids: tuple[int, ...]) -> list[int]:
    paths = list(session.scalars(select(Branch.path).where(Branch.id.in_(unit_ids))))
    if not paths:
        return []
    return list(
        session.scalars(
            select(Branch.id).where(
                or_(*(Branch.path.startswith(path, autoescape=True) for path in paths))
            )
        )
    )


def scope_roots(session: Session, scope: Scope) -> tuple[int, ...]:
    """The top units of a branch reader's scope (their unit; a composed role's named units)."""
    if scope.all_branches or not scope.branch_ids:
        return ()
    rows = session.execute(
        select(Branch.id, Branch.parent_id).where(Branch.id.in_(scope.branch_ids))
    )
    inside = set(scope.branch_ids)
    return tuple(sorted(bid for bid, parent in rows if parent not in inside))


@dataclass(frozen=True)
class Restriction:
    """The cases a dashboard reads: the reader's units (a branch reader: the cases of their
    units only, not those they received first elsewhere), the chosen unit with its sub-units,
    the channel category. ``where``: as SQL; ``drill``: as the case list's filters."""

    where: ColumnElement[bool] | None
    drill: Drill


def restriction(session: Session, scope: Scope, filters: Filters) -> Restriction:
    parts: list[ColumnElement[bool]] = []
    drill: list[tuple[str, str, str]] = []
    units: tuple[int, ...] = ()
    if filters.unit_id is not None:
        units = (filters.unit_id,)
    elif not scope.all_branches:
        units = scope_roots(session, scope)
        if not units:
            parts.append(false())
    if units:
        # No unit chosen: the scope's roots, whose sub-units are the scope itself.
        ids = list(scope.branch_ids) if filters.unit_id is None else _subtree(session, units)
        if not scope.all_branches:
            ids = [i for i in ids if i in set(scope.branch_ids)]
        parts.append(Case.branch_id.in_(ids) if ids else false())
        drill.append(("branch", "unit_tree", ",".join(map(str, units))))
    if filters.channel_category:
        parts.append(Case.channel_category_code == filters.channel_category)
        drill.append(("channel_category_code", "eq", filters.channel_category))
    return Restriction(and_(*parts) if parts else None, tuple(drill))


# -- Result shapes ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    count: int
    drill: Drill


@dataclass(frozen=True)
class Chart:
    code: str
    title: str
    kind: str  # bar, pie, line, calendar
    bars: list[Bar]

    @property
    def total(self) -> int:
        return sum(bar.count for bar in self.bars)


@dataclass(frozen=True)
class Cell:
    figure: Figure
    shown: str
    numerator: int
    denominator: int
    numerator_drill: Drill
    denominator_drill: Drill

    @property
    def is_rate(self) -> bool:
        return self.figure.kind is FigureKind.RATE


@dataclass(frozen=True)
class ScoreRow:
    rank: int | None
    unit_id: int | None
    name: str
    cells: list[Cell]


@dataclass(frozen=True)
class Dashboard:
    filters: Filters
    as_of: datetime
    intake: Bar
    charts: dict[str, Chart]
    scorecard: list[ScoreRow]
    total: ScoreRow
    overdue: Chart
    due_soon: Chart
    units: list[tuple[int, str]] = field(default_factory=list)  # the unit filter's choices
    base: Restriction | None = None

    @property
    def unfiltered(self) -> bool:
        """No unit or channel category chosen: the reader's whole scope."""
        return self.filters.unit_id is None and self.filters.channel_category is None


def _received(period: Period, as_of: datetime) -> ColumnElement[bool]:
    return kpi_queries.to_sql(kpis.RECEIVED, period.params(as_of))


def _received_drill(first: date, last: date) -> Drill:
    return (
        ("received_at", "from", first.isoformat()),
        ("received_at", "to", last.isoformat()),
        ("status", "neq", CaseStatus.VOIDED.value),
        # kpis.RECEIVED counts a 主单 and its 关联单 once (重复诉求, issue 11).
        ("drill", "once", "y"),
    )


def _with(where: ColumnElement[bool] | None, *more: ColumnElement[bool]):
    parts = [p for p in (where, *more) if p is not None]
    return and_(*parts)


def _grouped(session: Session, key, condition) -> list[tuple[Any, int]]:
    query = select(key, func.count()).select_from(Case).where(condition).group_by(key)
    return [(k, int(n)) for k, n in session.execute(query)]


def _names(session: Session, model, ids) -> dict[Any, str]:
    ids = [i for i in ids if i is not None]
    if not ids:
        return {}
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(ids))).all())


def _labels(session: Session, model) -> dict[Any, tuple[str, int]]:
    """A small master-data table's names and sort orders, in one read."""
    rows = session.execute(select(model.id, model.name, model.sort_order))
    return {key: (name, order) for key, name, order in rows}


def _intake_charts(
    session: Session, filters: Filters, base: Restriction, as_of: datetime
) -> tuple[Bar, dict[str, Chart]]:
    period = filters.period
    received = _with(base.where, _received(period, as_of))
    first, last = period.first_day, period.last_day
    common = base.drill + _received_drill(first, last)
    charts: dict[str, Chart] = {}

    days = dict(_grouped(session, day_of(Case.received_at), received))
    day_bars = [
        Bar(day, day, count, base.drill + _received_drill(d, d))
        for day, count in sorted(days.items())
        for d in [date.fromisoformat(day)]
    ]
    charts["by_day"] = Chart("by_day", str(_l("Intake by day")), "line", day_bars)

    months = dict(_grouped(session, month_of(Case.received_at), received))
    month_bars = []
    for key, count in sorted(months.items()):
        y, m = map(int, key.split("-"))
        start = max(date(y, m, 1), first)
        end = min((date(y + m // 12, m % 12 + 1, 1) - timedelta(days=1)), last)
        label = str(_l("%(year)s-%(month)s")) % {"year": y, "month": f"{m:02d}"}
        month_bars.append(Bar(key, label, count, base.drill + _received_drill(start, end)))
    charts["by_month"] = Chart("by_month", str(_l("Intake by month")), "bar", month_bars)

    categories = dict(
        session.execute(
            select(ChannelCategory.code, ChannelCategory.name).order_by(ChannelCategory.sort_order)
        ).all()
    )
    order = list(categories)
    rows = _grouped(session, Case.channel_category_code, received)
    rows.sort(key=lambda r: order.index(r[0]) if r[0] in order else len(order))
    charts["by_category"] = Chart(
        "by_category",
        str(_l("Intake by channel category")),
        "pie",
        [
            Bar(
                code,
                categories.get(code, code),
                n,
                common + (("channel_category_code", "eq", code),),
            )
            for code, n in rows
        ],
    )

    for code, title, column, model, relation, kind in (
        ("by_channel", _l("Intake by channel"), Case.channel_id, Channel, "channel", "bar"),
        ("by_kind", _l("Intake by case kind"), Case.kind_id, CaseKind, "kind", "pie"),
        (
            "by_business",
            _l("Intake by business category"),
            Case.business_category_id,
            BusinessCategory,
            "business_category",
            "bar",
        ),
    ):
        rows = _grouped(session, column, received)
        labels = _labels(session, model)
        names = {key: name for key, (name, _) in labels.items()}
        orders = {key: order for key, (_, order) in labels.items()}
        rows.sort(key=lambda r: (r[0] is None, orders.get(r[0], 0), r[0] or 0))
        charts[code] = Chart(
            code,
            str(title),
            kind,
            [
                Bar(
                    str(key) if key is not None else BLANK,
                    names.get(key, str(_l("(none)"))),
                    n,
                    common + ((relation, "rel_eq", str(key) if key is not None else BLANK),),
                )
                for key, n in rows
            ],
        )
    intake = Bar("intake", str(_l("Cases received")), sum(days.values()), common)
    return intake, charts


def kpi_token(figure: Figure, part: str, token: str, as_of: datetime) -> str:
    """The case list's KPI filter value: figure~part~period~as-of (to the second), the period
    as app.domain.period_text writes it (a range holds a ~ of its own)."""
    return f"{figure.code}~{part}~{token}~{as_of:%Y-%m-%dT%H:%M:%S}"


def parse_kpi_token(value: str) -> tuple[Figure, str, Period, datetime] | None:
    try:
        code, part, rest = (value or "").split("~", 2)
        token, stamp = rest.rsplit("~", 1)
        figure = FIGURES_BY_CODE[code]
        if part not in ("numerator", "denominator") or not token.strip():
            return None
        as_of = datetime.fromisoformat(stamp)
        return figure, part, period_text.parse(token, as_of), as_of
    except (ValueError, KeyError, PeriodError):
        return None


def _cells(
    tallies: dict[str, kpis.Tally], filters: Filters, as_of: datetime, drill: Drill
) -> list[Cell]:
    cells = []
    for figure in FIGURES:
        tally = tallies[figure.code]

        def part_drill(part: str, figure=figure) -> Drill:
            return drill + (("drill", "kpi", kpi_token(figure, part, filters.token, as_of)),)

        cells.append(
            Cell(
                figure,
                kpis.shown(figure, tally),
                tally.numerator,
                tally.denominator,
                part_drill("numerator"),
                part_drill("denominator"),
            )
        )
    return cells


def _rank_key(row_tallies: dict[str, kpis.Tally], figure: Figure):
    tally = row_tallies[figure.code]
    if figure.kind is FigureKind.COUNT:
        value: Any = tally.denominator
        missing = False
    else:
        rate = kpis.rate(tally)
        missing, value = rate is None, rate or 0
    sign = -1 if figure.higher_is_better else 1
    return (missing, sign * value)


def scorecard(
    session: Session,
    scope: Scope,
    filters: Filters,
    base: Restriction,
    as_of: datetime,
    names: dict[Any, str] | None = None,
) -> tuple[list[ScoreRow], ScoreRow]:
    """The KPIs by handling unit (kpi_queries.tallies, one GROUP BY), ranked by
    ``filters.rank_by``, and the total row."""
    figure = FIGURES_BY_CODE[filters.rank_by]
    rows = kpi_queries.tallies(
        session, scope, filters.period, as_of, group_by=unordered(Case.branch_id), where=base.where
    )
    if not scope.all_branches:  # a branch reader: their units' cases only
        allowed = set(scope.branch_ids)
        rows = [row for row in rows if row.key in allowed]
    if names is None:
        names = _names(session, Branch, [row.key for row in rows])
    rows.sort(key=lambda row: (_rank_key(row.tallies, figure), names.get(row.key, "")))
    ranked = []
    for position, row in enumerate(rows, start=1):
        key = str(row.key) if row.key is not None else BLANK
        drill = base.drill + (("branch", "rel_eq", key),)
        ranked.append(
            ScoreRow(
                position,
                row.key,
                names.get(row.key, str(_l("Not dispatched yet"))),
                _cells(row.tallies, filters, as_of, drill),
            )
        )
    # The total is the sum of the units' rows: the same cases, one statement fewer.
    total_tallies = {
        f.code: kpis.Tally(
            sum(r.tallies[f.code].numerator for r in rows),
            sum(r.tallies[f.code].denominator for r in rows),
        )
        for f in FIGURES
    }
    total = ScoreRow(
        None, None, str(_l("Total")), _cells(total_tallies, filters, as_of, base.drill)
    )
    return ranked, total


def _by_unit_chart(
    session: Session,
    code: str,
    title,
    condition,
    base: Restriction,
    scope: Scope,
    flag: Drill,
    names: dict[Any, str] | None,
) -> Chart:
    rows = _grouped(session, unordered(Case.branch_id), _with(base.where, condition))
    if not scope.all_branches:
        rows = [r for r in rows if r[0] in set(scope.branch_ids)]
    if names is None:
        names = _names(session, Branch, [k for k, _ in rows])
    rows.sort(key=lambda r: (-r[1], names.get(r[0], "")))
    return Chart(
        code,
        str(title),
        "bar",
        [
            Bar(
                str(key) if key is not None else BLANK,
                names.get(key, str(_l("Not dispatched yet"))),
                n,
                base.drill + flag + (("branch", "rel_eq", str(key) if key is not None else BLANK),),
            )
            for key, n in rows
        ],
    )


def deadline_charts(
    session: Session,
    scope: Scope,
    base: Restriction,
    now: datetime,
    names: dict[Any, str] | None = None,
) -> tuple[Chart, Chart]:
    """Overdue now (case_search.overdue) and due within a day (the due-soon queue's window),
    by unit: the state now, whatever the period."""
    overdue = _by_unit_chart(
        session,
        "overdue",
        _l("Overdue now by unit"),
        case_search.overdue(now),
        base,
        scope,
        (("finish_overdue", "overdue", "y"),),
        names,
    )
    soon = _by_unit_chart(
        session,
        "due_soon",
        _l("Due within a day by unit"),
        due_soon_open(now),
        base,
        scope,
        (("drill", "soon", "y"),),
        names,
    )
    return overdue, soon


def unit_choices(session: Session, scope: Scope) -> list[tuple[int, str]]:
    query = scope.apply(select(Branch).order_by(Branch.path), Branch)
    return [(unit.id, "\u3000" * unit.depth + unit.name) for unit in session.scalars(query)]


def company_dashboard(session: Session, scope: Scope, filters: Filters, now: datetime) -> Dashboard:
    as_of = now.replace(microsecond=0)
    base = restriction(session, scope, filters)
    units = unit_choices(session, scope)
    names = {key: name.strip("\u3000") for key, name in units}  # every unit in scope
    intake, charts = _intake_charts(session, filters, base, as_of)
    ranked, total = scorecard(session, scope, filters, base, as_of, names)
    overdue, soon = deadline_charts(session, scope, base, as_of, names)
    return Dashboard(filters, as_of, intake, charts, ranked, total, overdue, soon, units, base)


# -- CSD's operations view ----------------------------------------------------------------------


def has_pending_extension() -> ColumnElement[bool]:
    """Cases with an extension request waiting for CSD's decision (Art.30)."""
    return Case.id.in_(
        select(ExtensionRequest.case_id).where(ExtensionRequest.status == ExtensionStatus.PENDING)
    )


@dataclass(frozen=True)
class Tile:
    code: str
    label: str
    count: int
    drill: Drill
    queue: str | None = None  # the work queue listing the same cases for whoever has it


def operations(
    session: Session, scope: Scope, now: datetime, base: Restriction | None = None
) -> list[Tile]:
    """Today's figures for the people who move cases: intake today, waiting for dispatch, due
    within a day, overdue, callbacks due and extension requests waiting for a decision, each
    counted in the database under the reader's units."""
    today = now.date()
    filters = Filters(kpis.custom(today, today))
    if base is None:  # the reader's whole scope (a dashboard without filters passes its own)
        base = restriction(session, scope, filters)
    pending_extension = has_pending_extension()
    specs = (
        (
            "today",
            _l("Received today"),
            _received(filters.period, now),
            _received_drill(today, today),
            None,
        ),
        (
            "to_dispatch",
            _l("Waiting for dispatch"),
            Case.status == CaseStatus.PENDING_DISPATCH,
            (("status", "eq", CaseStatus.PENDING_DISPATCH.value),),
            "to_dispatch",
        ),
        (
            "due_soon",
            _l("Due within a day"),
            due_soon_open(now),
            (("drill", "soon", "y"),),
            "due_soon",
        ),
        (
            "overdue",
            _l("Overdue"),
            case_search.overdue(now),
            (("finish_overdue", "overdue", "y"),),
            "overdue",
        ),
        (
            "to_callback",
            _l("Callbacks due"),
            Case.status == CaseStatus.PENDING_CALLBACK,
            (("status", "eq", CaseStatus.PENDING_CALLBACK.value),),
            "to_callback",
        ),
        (
            "extensions",
            _l("Extension requests to decide"),
            pending_extension,
            (("drill", "ext_pending", "y"),),
            None,
        ),
    )
    counts = session.execute(
        select(
            *(
                select(func.count())
                .select_from(Case)
                .where(_with(base.where, condition))
                .scalar_subquery()
                .label(code)
                for code, _, condition, _, _ in specs
            )
        )
    ).one()
    return [
        Tile(code, str(label), int(counts._mapping[code]), base.drill + drill, queue)
        for code, label, _, drill, queue in specs
    ]


def operations_by_unit(session: Session, scope: Scope, now: datetime) -> tuple[Chart, Chart]:
    """Overdue and due-soon by unit for the operations view (the reader's units)."""
    today = now.date()
    filters = Filters(kpis.custom(today, today))
    return deadline_charts(session, scope, restriction(session, scope, filters), now)


# -- Tables for an export -------------------------------------------------------------------------


def scorecard_table(ranked: list[ScoreRow], total: ScoreRow) -> tuple[list[str], list[list[Any]]]:
    """The scorecard as the page shows it, as (Chinese headers, rows): rank, unit, every figure
    (a count as a number, a rate as shown: 85.0%, — with nothing to count), the total last.
    The dashboard's table and the scorecard export (app.services.scorecard_export) both."""
    headers = [str(_l("Rank")), str(_l("Handling unit"))] + [str(f.label) for f in FIGURES]
    rows = [
        [row.rank or "", row.name]
        + [
            cell.denominator if cell.figure.kind is FigureKind.COUNT else cell.shown
            for cell in row.cells
        ]
        for row in (*ranked, total)
    ]
    return headers, rows


def tables(dashboard: Dashboard) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Each table of the dashboard as (Chinese headers, rows): the charts' bars and the
    scorecard, for the Excel export to write as they are."""
    result: dict[str, tuple[list[str], list[list[Any]]]] = {}
    for chart in (*dashboard.charts.values(), dashboard.overdue, dashboard.due_soon):
        result[chart.title] = (
            [str(_l("Item")), str(_l("Number of cases"))],
            [[bar.label, bar.count] for bar in chart.bars],
        )
    result[str(_l("KPI scorecard"))] = scorecard_table(dashboard.scorecard, dashboard.total)
    return result
