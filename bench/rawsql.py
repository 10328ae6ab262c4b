# ruff: noqa: S608 - SQL text built from this module's constants and integer ids
"""The raw SQL each measured page needs: the rows it shows, by hand, selecting only the columns
it displays, and its total as a count capped at ``COUNT_CAP`` ("超过 10,000 条" is all a page
needs to say beyond that). Statuses and role refinements come from the domain's tables
(app.domain.lifecycle, app.domain.deadlines, the work queues' declaration); the SQL is written
here, not produced by the application, so the two can be compared.

Each function returns a list of (SQL, parameters); the first statement's rows are the page's
rows and its first column their id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.channels import BRANCH_CALLBACK_CATEGORIES, ChannelCategoryCode
from app.domain.deadlines import FINISH_OPEN, SIGN_OPEN
from app.domain.lifecycle import OPEN_STATUSES, TRANSITIONS, Action
from app.services.case_queries import NEAR, QUEUES
from app.services.sweep import DUE_SOON

PAGE = 20
COUNT_CAP = 10_001
Statements = list[tuple[str, dict]]

LIST_ROWS = (
    "SELECT c.id, c.number, c.status, ch.name, k.code, k.name, c.first_contact_id, "
    "c.customer_name, c.customer_phone, b.name, c.received_at, c.finish_due, c.sign_due "
    "FROM service_case c LEFT JOIN channel ch ON ch.id = c.channel_id "
    "LEFT JOIN case_kind k ON k.id = c.kind_id LEFT JOIN branch b ON b.id = c.branch_id"
)


@dataclass(frozen=True)
class Who:
    """What the SQL needs of a user: id, scope, the case actions of their roles."""

    user_id: int
    all_branches: bool
    branch_ids: tuple[int, ...]
    actions: frozenset[str]
    branch_user: bool
    only_assigned: bool  # a 办理人 who is not the liaison (case_permissions)


def _in(values) -> str:
    return ", ".join(f"'{v}'" if isinstance(v, str) else str(int(v)) for v in sorted(values))


def scope(who: Who) -> str:
    if who.all_branches:
        return "1 = 1"
    units = _in(who.branch_ids) or "NULL"
    return f"(c.branch_id IN ({units}) OR c.first_contact_id = {int(who.user_id)})"


def _page(where: str, order: str, page: int, params: dict | None = None) -> Statements:
    # LIMIT and OFFSET bound, as the application binds them: SQLite plans a literal LIMIT 20
    # differently (it then prefers the scope's indexes and sorts every row in scope).
    params = {**(params or {}), "limit": PAGE, "offset": (page - 1) * PAGE, "cap": COUNT_CAP}
    return [
        (f"{LIST_ROWS} WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset", params),
        (f"SELECT count(*) FROM (SELECT 1 FROM service_case c WHERE {where} LIMIT :cap) s",
         params),
    ]  # fmt: skip


NEWEST = "c.received_at DESC, c.id DESC"  # the id breaks ties, as the list does


def case_list(who: Who, page: int = 1, order: str = NEWEST) -> Statements:
    return _page(scope(who), order, page)


def number_starts_with(who: Who, prefix: str) -> Statements:
    """An index range: numbers are capitals and digits, so "starts with" is a half-open range."""
    upper = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    where = f"{scope(who)} AND c.number >= :low AND c.number < :high"
    return _page(where, NEWEST, 1, {"low": prefix, "high": upper})


def _refinement(who: Who, action: str) -> str | None:
    if action == "dispatch" and not who.all_branches:
        return f"c.channel_category_code = 'company' AND c.first_contact_id = {who.user_id}"
    if action == "callback" and not who.all_branches:
        if who.branch_user:
            return f"c.channel_category_code IN ({_in(BRANCH_CALLBACK_CATEGORIES)})"
        return (
            f"c.channel_category_code = '{ChannelCategoryCode.COMPANY}' "
            f"AND c.first_contact_id = {who.user_id}"
        )
    if action in ("progress", "reply") and who.only_assigned:
        return f"c.handler_id = {who.user_id}"
    return None


OVERDUE = (
    f"((c.status IN ({_in(FINISH_OPEN)}) AND c.finish_due < :now) OR "
    f"(c.status IN ({_in(SIGN_OPEN)}) AND c.sign_due < :now))"
)


def queue_where(who: Who, name: str, include_closed: bool = False) -> str | None:
    """The cases of the user's queue ``name`` (without the scope), or None without it.
    我首接的诉求 (no statuses of its own) lists the open cases unless ``include_closed``."""
    queue = QUEUES[name]
    actions = [a for a in queue.actions if a in who.actions]
    if not actions:
        return None
    if not queue.statuses:
        mine = f"c.first_contact_id = {who.user_id}"
        return mine if include_closed else f"{mine} AND c.status IN ({_in(OPEN_STATUSES)})"
    groups: dict[str | None, set] = {}
    for action in actions:
        statuses = {s for s in queue.statuses if (s, Action(action)) in TRANSITIONS}
        groups.setdefault(_refinement(who, action), set()).update(statuses)
    pieces = [
        f"c.status IN ({_in(statuses)})" + (f" AND {extra}" if extra else "")
        for extra, statuses in groups.items()
        if statuses
    ]
    if not pieces:
        return "1 = 0"
    where = "(" + " OR ".join(f"({p})" for p in pieces) + ")"
    if queue.window == "due_soon":
        where += " AND c.finish_due >= :now AND c.finish_due < :soon"
    elif queue.window == "overdue":
        where += f" AND {OVERDUE}"
    return where


def _times(now: datetime) -> dict:
    return {"now": now, "soon": now + NEAR}


def queue_page(who: Who, name: str, now: datetime, include_closed: bool = False) -> Statements:
    where = f"{scope(who)} AND {queue_where(who, name, include_closed)}"
    return _page(where, "c.finish_due ASC, c.id", 1, _times(now))


def queue_counts(who: Who, now: datetime) -> Statements:
    sums, statements = [], []
    for name in QUEUES:
        where = queue_where(who, name)
        if where is None:
            continue
        if not QUEUES[name].statuses:
            statements.append(
                (f"SELECT count(*) FROM (SELECT 1 FROM service_case c WHERE {where} "
                 "LIMIT :cap) s", {"cap": COUNT_CAP})
            )  # fmt: skip
        else:
            sums.append(f"coalesce(sum(CASE WHEN {where} THEN 1 ELSE 0 END), 0)")
    if sums:
        statements.insert(
            0,
            (f"SELECT {', '.join(sums)} FROM service_case c WHERE "
             f"c.status IN ({_in(OPEN_STATUSES)}) AND {scope(who)}", _times(now)),
        )  # fmt: skip
    return statements


def inbox(who: Who) -> Statements:
    mine = f"recipient_id = {who.user_id}"
    return [
        (f"SELECT id, created_at, title, body, read_at FROM notification WHERE {mine} "
         "ORDER BY created_at DESC, id DESC LIMIT :limit", {"limit": PAGE}),
        (f"SELECT count(*) FROM (SELECT 1 FROM notification WHERE {mine} LIMIT :cap) s",
         {"cap": COUNT_CAP}),
    ]  # fmt: skip


def case_page(who: Who, case_id: int) -> Statements:
    return [
        ("SELECT e.id, e.action, e.at, e.from_status, e.to_status, e.note, e.detail, "
         "u.last_name, u.first_name FROM case_event e LEFT JOIN ab_user u ON u.id = e.actor_id "
         "WHERE e.case_id = :id ORDER BY e.id", {"id": case_id}),
        ("SELECT c.*, ch.name, k.name, b.name, bc.name, d.name, f.last_name, f.first_name, "
         "h.last_name, h.first_name FROM service_case c JOIN channel ch ON ch.id = c.channel_id "
         "JOIN case_kind k ON k.id = c.kind_id LEFT JOIN branch b ON b.id = c.branch_id "
         "LEFT JOIN business_category bc ON bc.id = c.business_category_id "
         "LEFT JOIN department d ON d.id = c.department_id "
         "JOIN ab_user f ON f.id = c.first_contact_id LEFT JOIN ab_user h ON h.id = c.handler_id "
         f"WHERE c.id = :id AND {scope(who)}", {"id": case_id}),
        ("SELECT id, requested_at, reason, old_due, requested_due, status, decided_at "
         "FROM extension_request WHERE case_id = :id ORDER BY id", {"id": case_id}),
        ("SELECT id, original_name, size, uploaded_at FROM attachment WHERE case_id = :id",
         {"id": case_id}),
    ]  # fmt: skip


def sweep(now: datetime) -> Statements:
    """What a steady-state sweep must find: the cases it has not flagged yet."""
    return [
        (f"SELECT id, number, branch_id FROM service_case c WHERE c.status IN "
         f"({_in(FINISH_OPEN)}) AND c.finish_due >= :now AND c.finish_due < :soon "
         "AND NOT c.due_soon_notified", {"now": now, "soon": now + DUE_SOON}),
        (f"SELECT id FROM service_case c WHERE c.status IN ({_in(SIGN_OPEN)}) "
         "AND c.sign_due < :now AND NOT c.sign_overdue", {"now": now}),
        (f"SELECT id, number, branch_id FROM service_case c WHERE c.status IN "
         f"({_in(FINISH_OPEN)}) AND c.finish_due < :now AND NOT c.finish_overdue", {"now": now}),
    ]  # fmt: skip
