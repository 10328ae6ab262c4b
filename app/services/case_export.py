"""The case list as an .xlsx file (issue 9 item 5): the rows of the list's own query (its
filters and the reader's scope, applied by the view through CaseListInterface), read from the
database in chunks and written as they come (app.services.xlsx), never all in memory.

The customer's details follow the case page's rule (privacy.contact_level): a role without
read.contact_details gets the phone and the address masked; the branch reported on by a 举报
gets nothing of its reporter (Art.13)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import IO

from sqlalchemy.orm import Query, Session

from app.domain.clock import format_datetime
from app.domain.deadlines import overdue_state
from app.domain.i18n import _l
from app.domain.lifecycle import STATUS_LABELS
from app.models import Branch, BusinessCategory, Case, CaseKind, Channel, ChannelCategory
from app.services import privacy
from app.services.actor import Actor
from app.services.xlsx import MAX_ROWS as SHEET_ROWS
from app.services.xlsx import Column, Workbook, write_notes

CHUNK = 2000  # rows fetched from the database at a time
MAX_ROWS = SHEET_ROWS - 1  # the header takes one
TOO_MANY = _l(
    "Only the first %(count)d cases fit on a worksheet: the others were not exported. "
    "Please narrow the filters."
)
HIDDEN = "***"

_COLUMNS = (
    (_l("Case number"), 15),
    (_l("Status"), 10),
    (_l("Overdue"), 10),
    (_l("Channel category"), 12),
    (_l("Channel"), 16),
    (_l("Case kind"), 10),
    (_l("Business category"), 12),
    (_l("Customer name"), 10),
    (_l("Customer phone"), 14),
    (_l("Address"), 26),
    (_l("Handling unit"), 16),
    (_l("Received at"), 17),
    (_l("Deadline"), 17),
    (_l("Case closed at"), 17),
    (_l("Callback result"), 10),
    (_l("Request"), 50),
)
_CALLBACKS = {
    "satisfied": _l("Satisfied"),
    "basically_satisfied": _l("Basically satisfied"),
    "dissatisfied": _l("Dissatisfied"),
    "unreachable": _l("Unreachable"),
}
_OVERDUE = {"finish": _l("Overdue"), "sign": _l("Overdue (not signed for)")}

_SELECTED = (
    Case.number,
    Case.status,
    Case.sign_due,
    Case.finish_due,
    ChannelCategory.name,
    Channel.name,
    CaseKind.code,
    CaseKind.name,
    BusinessCategory.name,
    Case.customer_name,
    Case.customer_phone,
    Case.customer_address,
    Case.first_contact_id,
    Branch.name,
    Case.received_at,
    Case.closed_at,
    Case.callback_result,
    Case.content,
)


def columns() -> list[Column]:
    return [Column(str(label), width) for label, width in _COLUMNS]


def export_query(filtered: Query, order: Sequence) -> Query:
    """The columns of the export on ``filtered`` (the list's query: Case rows under its filters
    and the scope), in ``order`` then the key, so that equal times keep one order."""
    return (
        filtered.with_entities(*_SELECTED)
        .join(Channel, Case.channel_id == Channel.id)
        .join(ChannelCategory, Channel.category_id == ChannelCategory.id)
        .join(CaseKind, Case.kind_id == CaseKind.id)
        .outerjoin(BusinessCategory, Case.business_category_id == BusinessCategory.id)
        .outerjoin(Branch, Case.branch_id == Branch.id)
        .order_by(None)
        .order_by(*order)
    )


def _fetched(query: Query):
    """The rows of ``query`` as plain tuples, a chunk at a time (a server-side cursor on
    PostgreSQL): through Core, without the ORM's per-row work (a third of the time)."""
    connection = query.session.connection()
    return connection.execute(query.statement, execution_options={"yield_per": CHUNK})


@dataclass(frozen=True)
class _Due:
    """What overdue_state reads."""

    status: str
    sign_due: datetime | None
    finish_due: datetime | None


def rows(actor: Actor, query: Query, now: datetime) -> Iterator[list]:
    """The cells of each case, the customer's details as ``actor`` may see them."""
    statuses = {code: str(label) for code, label in STATUS_LABELS.items()}
    callbacks = {code: str(label) for code, label in _CALLBACKS.items()}
    overdue = {code: str(label) for code, label in _OVERDUE.items()}
    for (
        number,
        status,
        sign_due,
        finish_due,
        category,
        channel,
        kind_code,
        kind,
        business,
        name,
        phone,
        address,
        first_contact_id,
        branch,
        received_at,
        closed_at,
        callback,
        content,
    ) in _fetched(query):
        level = privacy.contact_level(actor, kind_code, first_contact_id)
        if level == "hidden":
            name, phone, address = HIDDEN, "", ""
        elif level == "masked":
            phone, address = privacy.mask_phone(phone), privacy.mask_address(address)
        late = overdue_state(_Due(status, sign_due, finish_due), now)
        yield [
            number,
            statuses.get(status, ""),
            overdue[late] if late else "",
            category,
            channel,
            kind,
            business,
            name,
            phone,
            address,
            branch,
            received_at,
            finish_due,
            closed_at,
            callbacks.get(callback, "") if callback else "",
            content,
        ]


def write_cases(
    fileobj: IO[bytes] | str,
    actor: Actor,
    query: Query,
    now: datetime,
    *,
    sheet: str,
    notes: Sequence[tuple[str, object]] = (),
    limit: int | None = None,
) -> int:
    """The workbook: the cases on one sheet, what was exported on a second. The rows written.
    At most ``limit`` cases (a worksheet's rows): the notes then say that the rest were left
    out and the filters should be narrowed."""
    limit = MAX_ROWS if limit is None else limit
    with Workbook(fileobj) as book:
        cases = book.add_sheet(sheet, columns())
        more = False
        for values in rows(actor, query, now):
            if cases.data_rows >= limit:
                more = True
                break
            cases.append(values)
        written = cases.data_rows
        write_notes(
            book,
            [
                *notes,
                (str(_l("Exported at")), format_datetime(now)),
                (str(_l("Exported by")), str(actor.user) if actor.user else ""),
                (str(_l("Rows")), written),
                *([(str(_l("Not exported")), str(TOO_MANY) % {"count": written})] if more else []),
            ],
        )
    return written


def unit_label(session: Session, actor: Actor, branch_id: int | None = None) -> str:
    """The unit an export is of, for its file name: the unit filtered on, else the reader's
    units (their scope's top units), else the whole company."""
    if branch_id is not None and actor.scope.covers_branch(session, branch_id):
        unit = session.get(Branch, branch_id)
        if unit is not None:
            return unit.name
    if actor.scope.all_branches:
        return str(_l("Whole company"))
    ids = set(actor.scope.branch_ids)
    units = [
        unit
        for unit in session.query(Branch).filter(Branch.id.in_(ids)).order_by(Branch.path)
        if unit.parent_id not in ids
    ]
    return "、".join(unit.name for unit in units) or str(_l("Whole company"))


def period_label(first: date | None, last: date | None) -> str:
    """The received-at window of the filters, for the file name."""
    if first and last:
        return str(_l("%(first)s to %(last)s")) % {"first": first, "last": last}
    if first:
        return str(_l("from %(first)s")) % {"first": first}
    if last:
        return str(_l("until %(last)s")) % {"last": last}
    return str(_l("All dates"))
