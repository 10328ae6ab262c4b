# ruff: noqa: S608 - SQL text built from this module's constants and integer ids
"""Server time of the pages of issue 12, per user, beside the raw SQL they need.

Each page is requested through the Flask test client signed in as the user (the whole request:
scope, queries, template), ``repeat`` times after a warm-up; its raw SQL twin (bench.rawsql) runs
the same way on a connection of the same engine. ``rows`` is what the page lists; it carries
``≠`` when the page shows another number of records than the raw SQL returns, ``~`` when as
many but other ones (ties in the sort order)."""

from __future__ import annotations

import math
import re
from datetime import timedelta

from sqlalchemy import event, select, text

from app.models import Case, CaseEvent, Notification, SuqiuUser
from app.services.actor import Actor
from app.services.case_permissions import handles_only_assigned_cases
from app.services.case_queries import QUEUES
from bench import rawsql
from bench.report import USERS, Row, median_ms, peak_rss_mb, reset_peak_rss

DEEP_PAGE = 500
CASE_LINK = re.compile(r"/cases/show/(\d+)")
INBOX_LINK = re.compile(r"/notificationview/open/(\d+)")
LIST = "/cases/list/"
Who = rawsql.Who


def who_of(session, username: str) -> tuple[Who, SuqiuUser]:
    user = session.scalar(select(SuqiuUser).where(SuqiuUser.username == username))
    actor = Actor.of(user)
    return (
        rawsql.Who(
            user.id,
            actor.scope.all_branches,
            actor.scope.branch_ids,
            actor.case_actions,
            not actor.scope.all_branches and user.branch_id is not None,
            handles_only_assigned_cases(actor),
        ),
        user,
    )


def _deep(connection, who: Who) -> int:
    total = connection.execute(
        text(f"SELECT count(*) FROM service_case c WHERE {rawsql.scope(who)}")
    ).scalar()
    return max(1, min(DEEP_PAGE, math.ceil(total / rawsql.PAGE)))


def busy_case(session) -> int:
    """A recent case of 汉口 with a long timeline (every measured user may open it)."""
    from app.models import Branch

    hankou = session.scalar(select(Branch.id).where(Branch.code == "hankou"))
    recent = (
        select(Case.id)
        .where(Case.branch_id == hankou)
        .order_by(Case.id.desc())
        .limit(3000)
        .scalar_subquery()
    )
    return session.scalar(
        select(CaseEvent.case_id)
        .where(CaseEvent.case_id.in_(recent))
        .group_by(CaseEvent.case_id)
        .order_by(text("count(*) DESC"), CaseEvent.case_id)
        .limit(1)
    )


def operations(connection, who: Who, now, case_id: int | None):
    """(operation, URL, raw statements, link pattern) of every page measured for ``who``."""
    deep = _deep(connection, who)
    asc, desc = "c.finish_due ASC, c.id ASC", "c.finish_due DESC, c.id DESC"
    sort = "_oc_CaseView=finish_due&_od_CaseView="
    prefix = f"SQ{now - timedelta(days=100):%Y%m%d}"
    ops = [
        ("case list p1", LIST, rawsql.case_list(who), CASE_LINK),
        (f"case list p{deep}", f"{LIST}?page_CaseView={deep - 1}", rawsql.case_list(who, deep),
         CASE_LINK),
        ("sort 办结时限 asc", f"{LIST}?{sort}asc", rawsql.case_list(who, 1, asc), CASE_LINK),
        (f"sort 办结时限 desc p{deep}", f"{LIST}?{sort}desc&page_CaseView={deep - 1}",
         rawsql.case_list(who, deep, desc), CASE_LINK),
        (f"number starts with {prefix}", f"{LIST}?_flt_1_number={prefix}",
         rawsql.number_starts_with(who, prefix), CASE_LINK),
    ]  # fmt: skip
    queues = [name for name in QUEUES if rawsql.queue_where(who, name) is not None]
    for name in queues:
        label = "我首接的诉求 (first_contact)" if name == "first_contact" else f"queue {name}"
        ops.append((label, f"/queues/{name}", rawsql.queue_page(who, name, now), CASE_LINK))
        if name == "first_contact":  # the finished ones too, one link away
            everything = rawsql.queue_page(who, name, now, include_closed=True)
            ops.append((f"{label} + closed", f"/queues/{name}?closed=1", everything, CASE_LINK))
    if queues:
        ops.append(("queue counts (menu)", "/queues/", rawsql.queue_counts(who, now), None))
    ops.append(("inbox", "/notificationview/list/", rawsql.inbox(who), INBOX_LINK))
    if case_id is not None:
        ops.append(("case page", f"/cases/show/{case_id}", rawsql.case_page(who, case_id), None))
    return ops


def _run_raw(connection, statements):
    rows = None
    for sql, params in statements:
        result = connection.execute(text(sql), params).fetchall()
        rows = result if rows is None else rows
    return rows


def _rows_mark(html: str, pattern, raw_rows) -> str:
    if pattern is None:  # a count row: as many figures as it has columns
        return str(len(raw_rows[0]) if len(raw_rows) == 1 else len(raw_rows))
    shown = set(pattern.findall(html))
    expected = {str(row[0]) for row in raw_rows}
    mark = "" if shown == expected else "~" if len(shown) == len(expected) else "≠"
    return f"{len(raw_rows)}{mark}" if not mark or mark == "~" else f"{len(shown)}≠{len(expected)}"


def signed_in(app, username: str, password: str):
    """A test client of ``app`` signed in as ``username``."""
    client = app.test_client()
    response = client.post("/login/", data={"username": username, "password": password})
    if response.status_code != 302:
        raise SystemExit(f"could not sign in as {username}")
    return client


def timed_pages(engine, client, connection, pages, run_raw, repeat: int):
    """Each page of ``pages`` ((label, url, raw SQL, …) tuples) timed beside its raw SQL:
    yields (the page's tuple, the response, our median ms, the raw SQL's median ms, its rows,
    peak RSS in MB, statements a request)."""
    statements: list[str] = []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    for page in pages:
        url, raw = page[1], page[2]
        reset_peak_rss()
        event.listen(engine, "before_cursor_execute", listener)
        ours, response = median_ms(lambda url=url: client.get(url), repeat)
        event.remove(engine, "before_cursor_execute", listener)
        peak = peak_rss_mb()
        count = len(statements) // (repeat + 1)
        statements.clear()
        raw_ms, raw_rows = median_ms(lambda raw=raw: run_raw(connection, raw), repeat)
        yield page, response, ours, raw_ms, raw_rows, peak, count


def measure_user(app, engine, username: str, password: str, repeat: int, now) -> list[Row]:
    from app.extensions import db

    with app.app_context():
        who, _ = who_of(db.session, username)
        case_id = busy_case(db.session)
        db.session.remove()
    client = signed_in(app, username, password)
    rows = []
    with engine.connect() as connection:
        pages = operations(connection, who, now, case_id)
        for page, response, ours, raw_ms, raw_rows, peak, count in timed_pages(
            engine, client, connection, pages, _run_raw, repeat
        ):
            label, _, _, pattern = page
            html = response.get_data(as_text=True)
            shown = _rows_mark(html, pattern, raw_rows)
            if response.status_code != 200:
                shown = f"HTTP {response.status_code}"
            rows.append(Row(label, username, shown, ours, raw_ms, peak, count))
    return rows


def inbox_sizes(session) -> str:
    from sqlalchemy import func

    counts = session.execute(
        select(SuqiuUser.username, func.count(Notification.id))
        .join(Notification, Notification.recipient_id == SuqiuUser.id)
        .group_by(SuqiuUser.username)
        .order_by(func.count(Notification.id).desc())
        .limit(4)
    ).all()
    return ", ".join(f"{name} {count:,}" for name, count in counts)


def measure_pages(app, password: str, repeat: int, now, users=USERS) -> list[Row]:
    from bench.database import engine as engine_of

    engine = engine_of(app)
    rows: list[Row] = []
    for username in users:
        rows += measure_user(app, engine, username, password, repeat, now)
    return rows
