"""The KPI scorecard as an .xlsx table (issue 9 item 5): every figure of app.domain.kpis for a
period, one row per unit of the reader's scope and a total, counted in one GROUP BY
(app.services.kpi_queries.tallies); a rate with nothing to count shows as —.

A unit's row counts the unit's own cases: a branch user's scope also reaches the cases they
received first that went to another unit (Art.18), but those are that unit's figures, never
shown here."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.i18n import _l
from app.domain.kpis import FIGURES, FigureKind, Period, Tally, shown
from app.models import Branch, Case
from app.services import kpi_queries
from app.services.actor import Actor
from app.services.case_export import unit_label
from app.services.scope import Scope
from app.services.xlsx import Column, Workbook, write_notes

__all__ = ["scorecard", "unit_label", "write_scorecard"]

_ZERO = Tally(0, 0)


def units_scope(scope: Scope) -> Scope:
    """The scope's units only, without the cases its user received first elsewhere."""
    return dataclasses.replace(scope, user_id=None)


def scorecard(
    session: Session, actor: Actor, period: Period, as_of: datetime
) -> list[tuple[str, dict[str, Tally]]]:
    """(unit name, tallies by figure code) for each unit of the scope, in the tree's order, then
    the cases not yet dispatched to a unit (company-wide readers), then the total."""
    scope = units_scope(actor.scope)
    found = {
        row.key: row.tallies
        for row in kpi_queries.tallies(session, scope, period, as_of, group_by=Case.branch_id)
    }
    units = session.execute(
        scope.apply(select(Branch.id, Branch.name), Branch).order_by(Branch.path)
    )
    table = [(name, found.pop(unit_id, {})) for unit_id, name in units]
    if None in found:
        table.append((str(_l("Not dispatched yet")), found.pop(None)))
    total: dict[str, Tally] = {}
    for _, tallies in table:
        for code, tally in tallies.items():
            old = total.get(code, _ZERO)
            total[code] = Tally(
                old.numerator + tally.numerator, old.denominator + tally.denominator
            )
    table.append((str(_l("Total")), total))
    return table


def columns() -> list[Column]:
    return [Column(str(_l("Unit")), 22)] + [Column(str(f.label), 12) for f in FIGURES]


def cells(tallies: dict[str, Tally]) -> list:
    return [
        tallies.get(f.code, _ZERO).denominator
        if f.kind is FigureKind.COUNT
        else shown(f, tallies.get(f.code, _ZERO))
        for f in FIGURES
    ]


def write_scorecard(
    fileobj: IO[bytes],
    session: Session,
    actor: Actor,
    period: Period,
    as_of: datetime,
    *,
    notes: Sequence[tuple[str, object]] = (),
) -> int:
    with Workbook(fileobj) as book:
        sheet = book.add_sheet(str(_l("KPI scorecard")), columns())
        for name, tallies in scorecard(session, actor, period, as_of):
            sheet.append([name, *cells(tallies)])
        written = sheet.data_rows
        write_notes(book, notes)
    return written
