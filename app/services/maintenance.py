"""Database upkeep the portal schedules itself: fresh planner statistics.

SQLite has no autovacuum-analyze: without statistics its planner answers a branch user's
case list by reading every case of the branch and sorting them (0.5 s at 200,000 cases)
instead of walking the receipt-time index (1 ms). PostgreSQL keeps statistics by itself; an
explicit ANALYZE there only hastens it after a bulk load."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from app.services.uow import transaction


@transaction()
def refresh_statistics(session: Session) -> None:
    """ANALYZE the database (run by ``suqiu init`` and ``suqiu analyze``; schedule the latter
    nightly on SQLite)."""
    session.execute(text("ANALYZE"))
