"""The KPI scorecard as an .xlsx table (issue 9 item 5): the dashboard's own scorecard
(app.services.dashboards.scorecard, one GROUP BY in app.services.kpi_queries.tallies) for a
period over the reader's whole scope, written as the page shows it (dashboards.scorecard_table):
the same units, ranks and figures on screen and in the file; a rate with nothing to count
shows as —.

A unit's row counts the unit's own cases: a branch user's scope also reaches the cases they
received first that went to another unit (Art.18), but those are that unit's figures, never
shown here (the dashboard's restriction)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import IO

from sqlalchemy.orm import Session

from app.domain.i18n import _l
from app.domain.kpis import Period
from app.services import dashboards
from app.services.actor import Actor
from app.services.case_export import unit_label
from app.services.xlsx import Column, write_table

__all__ = ["unit_label", "write_scorecard"]


def write_scorecard(
    fileobj: IO[bytes],
    session: Session,
    actor: Actor,
    period: Period,
    as_of: datetime,
    *,
    notes: Sequence[tuple[str, object]] = (),
) -> int:
    filters = dashboards.Filters(period)
    base = dashboards.restriction(session, actor.scope, filters)
    ranked, total = dashboards.scorecard(
        session, actor.scope, filters, base, as_of.replace(microsecond=0)
    )
    headers, rows = dashboards.scorecard_table(ranked, total)
    return write_table(fileobj, str(_l("KPI scorecard")), columns(headers), rows, notes=notes)


def columns(headers: Sequence[str]) -> list[Column]:
    """Widths for a table of dashboards.tables: the name column (a scorecard's unit after its
    rank, else the first) wide, the figures narrow."""
    wide = 1 if len(headers) > 2 else 0
    return [Column(header, 24 if i == wide else 12) for i, header in enumerate(headers)]
