# ruff: noqa: S608 - SQL text built from this module's constants and integer ids
"""Server time of each dashboard (issue 9) beside the raw SQL aggregates behind it.

Each dashboard is requested through the Flask test client signed in as the user (the whole
request: scope, every aggregate, the template with its JSON), ``repeat`` times after a warm-up.
Its raw twin is the GROUP BY / COUNT statements the page's figures need, written here by hand from
the definitions (design §4, app.domain.kpis) and run on a connection of the same engine: intake
by day, month, channel category, channel, kind and business category, the KPI tallies by unit
(the total is their sum), overdue and due-soon by unit; CSD's operations view: its six counts
and overdue and due-soon by unit. ``rows`` is the intake the page shows beside the raw SQL's
(``≠`` when they differ)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from sqlalchemy import text

from app.domain.complaints import COUNTING_STATUSES
from app.domain.deadlines import BINDING_LIMITS
from app.services.case_queries import NEAR, QUEUES
from bench import rawsql
from bench.pages import signed_in, timed_pages, who_of
from bench.report import Row

INTAKE = re.compile(r'id="dash-intake"[^>]*>(\d+)<')
FINISHED = "('closed', 'closed_dissatisfied')"
RATED = "('basically_satisfied', 'dissatisfied', 'satisfied')"
CONTENT = "('basically_satisfied', 'satisfied')"


def _periods(now: datetime) -> list[tuple[str, str, date, date]]:
    """(label, query string, first day, last day): last month, this quarter, this year."""
    first_this_month = now.date().replace(day=1)
    last_month_end = first_this_month - timedelta(days=1)
    last_month = last_month_end.replace(day=1)
    q = (now.month - 1) // 3 + 1
    q_start = date(now.year, 3 * (q - 1) + 1, 1)
    q_end = (date(now.year + (q == 4), (3 * q) % 12 + 1, 1)) - timedelta(days=1)
    return [
        (f"month {last_month:%Y-%m}",
         f"period=month&year={last_month.year}&month={last_month.month}", last_month,
         last_month_end),
        (f"quarter {now.year}Q{q}", f"period=quarter&year={now.year}&quarter={q}", q_start, q_end),
        (f"year {now.year}", f"period=year&year={now.year}", date(now.year, 1, 1),
         date(now.year, 12, 31)),
    ]  # fmt: skip


def _units(who) -> str:
    """The dashboards read a branch user's units' cases only (not those received first
    elsewhere)."""
    if who.all_branches:
        return "1 = 1"
    return f"c.branch_id IN ({rawsql._in(who.branch_ids) or 'NULL'})"


def _day(dialect: str, column: str, width: int) -> str:
    if dialect == "postgresql":
        return f"to_char({column}, '{'YYYY-MM-DD' if width == 10 else 'YYYY-MM'}')"
    return f"substr({column}, 1, {width})"


def _tallies(units: str, group: bool, dialect: str = "postgresql") -> str:
    live = LIVE
    received = f"{live} AND c.received_at >= :start AND c.received_at < :end"
    sign_due = (
        f"{live} AND c.sign_due >= :start AND c.sign_due < :until"
        " AND c.dispatched_at IS NOT NULL AND c.dispatched_at <= c.sign_due"
    )
    finish_due = f"{live} AND c.finish_due >= :start AND c.finish_due < :until"
    on_time = "c.replied_at IS NOT NULL AND c.replied_at <= c.finish_due"
    closed = f"{live} AND c.status IN {FINISHED} AND c.closed_at >= :start AND c.closed_at < :until"
    dispatched = f"{live} AND c.dispatched_at >= :start AND c.dispatched_at < :until"
    pairs = [
        (received, received),
        (f"{sign_due} AND c.signed_at IS NOT NULL AND c.signed_at <= c.sign_due", sign_due),
        (f"{finish_due} AND {on_time}", finish_due),
        (f"{closed} AND c.callback_result IN {RATED}", closed),
        (
            f"{closed} AND c.callback_result IN {CONTENT}",
            f"{closed} AND c.callback_result IN {RATED}",
        ),
        (f"{closed} AND c.rehandle_count >= 1", closed),
        (f"{dispatched} AND c.return_count >= 1", dispatched),
        (f"{finish_due} AND c.extension_count >= 1", finish_due),
        (f"{finish_due} AND NOT ({on_time})", f"{finish_due} AND NOT ({on_time})"),
        (REPEATS, REPEATS),
    ]
    sums = ", ".join(
        f"SUM(CASE WHEN {n} THEN 1 ELSE 0 END), SUM(CASE WHEN {d} THEN 1 ELSE 0 END)"
        for n, d in pairs
    )
    touches = " OR ".join(
        f"(c.{column} >= :start AND c.{column} < :end)"
        for column in ("received_at", "dispatched_at", "sign_due", "finish_due", "closed_at")
    )
    # SQLite: ``+`` keeps it from walking the whole branch index for the grouping's order.
    unit = "+c.branch_id" if dialect == "sqlite" else "c.branch_id"
    key = f"{unit}, " if group else ""
    tail = f" GROUP BY {unit}" if group else ""
    return f"SELECT {key}{sums} FROM service_case c WHERE {units} AND ({touches}){tail}"


# A 关联单 counts once, as its 主单, in every figure but 重复诉求数 (app.domain.kpis).
LIVE = "c.status <> 'voided' AND c.primary_case_id IS NULL"
REPEATS = (
    "c.status <> 'voided' AND c.primary_case_id IS NOT NULL "
    "AND c.received_at >= :start AND c.received_at < :end"
)


def _repeat_breakdowns(units: str) -> str:
    """重复诉求数 by channel category, channel, kind and business category, names joined."""
    keys = (
        "c.channel_category_code, cc.name, c.channel_id, ch.name, c.kind_id, k.name, "
        "c.business_category_id, b.name"
    )
    return (
        f"SELECT {keys}, count(*) FROM service_case c "
        "LEFT JOIN channel_category cc ON cc.code = c.channel_category_code "
        "LEFT JOIN channel ch ON ch.id = c.channel_id LEFT JOIN case_kind k ON k.id = c.kind_id "
        "LEFT JOIN business_category b ON b.id = c.business_category_id "
        f"WHERE {units} AND {REPEATS} GROUP BY {keys}"
    )


def _valid_complaints(units: str, dialect: str) -> str:
    """有效投诉 (一般/重大) by the case's unit: the determinations approved in the period."""
    unit = "+c.branch_id" if dialect == "sqlite" else "c.branch_id"
    counting = rawsql._in(COUNTING_STATUSES)
    return (
        f"SELECT {unit}, SUM(CASE WHEN d.grade = 'general' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN d.grade = 'major' THEN 1 ELSE 0 END) "
        "FROM complaint_determination d JOIN service_case c ON c.id = d.case_id "
        f"WHERE {units} AND d.status IN ({counting}) AND d.determination = 'valid' "
        f"AND d.approved_at >= :start AND d.approved_at < :end GROUP BY {unit}"
    )


def _overdue(now_param: str) -> str:
    arms = " OR ".join(
        f"(c.status IN ({rawsql._in(limit.statuses)}) AND c.{limit.due_field} < {now_param})"
        for limit in BINDING_LIMITS
    )
    return f"({arms})"


def _soon() -> str:
    statuses = rawsql._in(QUEUES["due_soon"].statuses)
    return f"(c.status IN ({statuses}) AND c.finish_due >= :now AND c.finish_due < :soon)"


def dashboard_sql(who, dialect: str, first: date, last: date, now: datetime):
    units = _units(who)
    start = datetime.combine(first, datetime.min.time())
    end = datetime.combine(last + timedelta(days=1), datetime.min.time())
    params = {"start": start, "end": end, "until": min(end, now), "now": now, "soon": now + NEAR}
    received = f"{units} AND {LIVE} AND c.received_at >= :start AND c.received_at < :end"
    statements = [
        (f"SELECT {_day(dialect, 'c.received_at', 10)} AS k, count(*) FROM service_case c "
         f"WHERE {received} GROUP BY k", params),
        (f"SELECT {_day(dialect, 'c.received_at', 7)} AS k, count(*) FROM service_case c "
         f"WHERE {received} GROUP BY k", params),
    ]  # fmt: skip
    for column in ("channel_category_code", "channel_id", "kind_id", "business_category_id"):
        statements.append(
            (f"SELECT c.{column}, count(*) FROM service_case c WHERE {received} "
             f"GROUP BY c.{column}", params)
        )  # fmt: skip
    # The total is the sum of the units' rows (one statement, as the page adds them up).
    statements.append((_tallies(units, True, dialect), params))
    statements.append((_valid_complaints(units, dialect), params))
    statements.append((_repeat_breakdowns(units), params))
    unit = "+c.branch_id" if dialect == "sqlite" else "c.branch_id"
    for condition in (_overdue(":now"), _soon()):
        statements.append(
            (f"SELECT {unit}, count(*) FROM service_case c WHERE {units} AND {condition} "
             f"GROUP BY {unit}", params)
        )  # fmt: skip
    return statements


def operations_sql(who, now: datetime, dialect: str = "postgresql"):
    units = _units(who)
    today = datetime.combine(now.date(), datetime.min.time())
    params = {"start": today, "end": today + timedelta(days=1), "now": now, "soon": now + NEAR}
    counts = [
        f"{LIVE} AND c.received_at >= :start AND c.received_at < :end",
        "c.status = 'pending_dispatch'",
        _soon(),
        _overdue(":now"),
        "c.status = 'pending_callback'",
        "c.id IN (SELECT e.case_id FROM extension_request e WHERE e.status = 'pending')",
    ]
    columns = ", ".join(
        f"(SELECT count(*) FROM service_case c WHERE {units} AND {condition})"
        for condition in counts
    )
    unit = "+c.branch_id" if dialect == "sqlite" else "c.branch_id"
    by_unit = [
        (f"SELECT {unit}, count(*) FROM service_case c WHERE {units} AND {condition} "
         f"GROUP BY {unit}", params)
        for condition in (_overdue(":now"), _soon())
    ]  # fmt: skip
    return [(f"SELECT {columns}", params), *by_unit]


def _run(connection, statements):
    first = None
    for sql, params in statements:
        rows = connection.execute(text(sql), params).fetchall()
        first = rows if first is None else first
    return first


def _pages(who, username: str, dialect: str, now: datetime):
    pages = []
    if username == "csd":
        raw = operations_sql(who, now, dialect)
        pages.append(("operations view", "/dashboards/operations", raw))
    for label, query, first, last in _periods(now):
        if username == "csd" and not label.startswith("month"):
            continue
        raw = dashboard_sql(who, dialect, first, last, now)
        pages.append((f"dashboard {label}", f"/dashboards/?{query}", raw))
        if username == "leader" and label.startswith("month"):
            pages.append((f"wall display {label}", f"/dashboards/wall?{query}", raw))
    return pages


def _shown(response, raw_rows) -> str:
    if response.status_code != 200:
        return f"HTTP {response.status_code}"
    match = INTAKE.search(response.get_data(as_text=True))
    if not match:
        return str(len(raw_rows))
    intake = sum(int(r[1]) for r in raw_rows)
    return match.group(1) + ("" if int(match.group(1)) == intake else f"≠{intake}")


def measure_user(app, engine, username: str, password: str, repeat: int, now) -> list[Row]:
    from app.extensions import db

    with app.app_context():
        who, _ = who_of(db.session, username)
        db.session.remove()
    client = signed_in(app, username, password)
    rows: list[Row] = []
    with engine.connect() as connection:
        pages = _pages(who, username, engine.dialect.name, now)
        for page, response, ours, raw_ms, raw_rows, peak, count in timed_pages(
            engine, client, connection, pages, _run, repeat
        ):
            rows.append(
                Row(page[0], username, _shown(response, raw_rows), ours, raw_ms, peak, count)
            )
    return rows


def measure(app, engine, password: str, repeat: int, now: datetime, users=()) -> list[Row]:
    rows: list[Row] = []
    for username in users or ("leader", "liaison_hankou", "csd"):
        rows += measure_user(app, engine, username, password, repeat, now)
    return rows
