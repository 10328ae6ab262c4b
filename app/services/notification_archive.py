"""Read notifications leave the inbox after SUQIU_NOTIFICATION_ARCHIVE_DAYS (issue 12: a heavy
recipient's inbox stays fast) for ``notification_archive``, where their recipient still reads
them (已归档的通知). Unread notifications stay in the inbox whatever their age.

Each batch copies the rows into the archive, ignoring ids already there, and deletes from the
inbox exactly the ids it copied, in one transaction: two runs at once never fail, and each
notification is moved once and never lost (a run that finds a row already copied by the other
leaves its deletion to that other run)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import DateTime, delete, func, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from app.domain.clock import now as clock_now
from app.models import Notification, NotificationArchive
from app.services.actor import Actor
from app.services.settings import notification_archive_age
from app.services.uow import transaction

BATCH = 5_000
PAGE_SIZE = 20
MAX_PAGE = 100_000
COPIED = ("id", "recipient_id", "category", "title", "body", "link", "created_at", "read_at")


def archive_read_notifications(
    session: Session,
    now: datetime | None = None,
    *,
    older_than: timedelta | None = None,
    batch: int = BATCH,
) -> int:
    """Move the notifications read before ``now - older_than`` (default: the setting
    SUQIU_NOTIFICATION_ARCHIVE_DAYS) into the archive, ``batch`` at a time, each batch
    committed; return how many this run moved."""
    now = now or clock_now()
    cutoff = now - (older_than if older_than is not None else notification_archive_age())
    eligible = select(Notification.id).where(
        Notification.read_at.is_not(None), Notification.read_at < cutoff
    )
    if session.get_bind().dialect.name == "sqlite":
        # SQLite gives a new row the largest id + 1 (the table has no AUTOINCREMENT): moving
        # out the newest notification would hand its id, already in the archive, to the next.
        newest = select(func.max(Notification.id)).scalar_subquery()
        eligible = eligible.where(Notification.id < newest)
    moved, last = 0, 0
    while True:
        # Keyset by id: each batch starts where the last ended, never rereading what is gone.
        ids = list(
            session.scalars(
                eligible.where(Notification.id > last).order_by(Notification.id).limit(batch)
            )
        )
        if not ids:
            return moved
        last = ids[-1]
        moved += _move(session, ids, now)


@transaction()
def _move(session: Session, ids: Sequence[int], stamp: datetime) -> int:
    """Copy the notifications ``ids`` still in the inbox into the archive (ids already there are
    skipped: another run copied them), then delete exactly the ids copied; one commit."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    rows = select(
        *(getattr(Notification, name) for name in COPIED),
        literal(stamp, DateTime()).label("archived_at"),
    ).where(Notification.id.in_(ids))
    copied = list(
        session.scalars(
            insert(NotificationArchive)
            .from_select([*COPIED, "archived_at"], rows)
            .on_conflict_do_nothing(index_elements=["id"])
            .returning(NotificationArchive.id)
        )
    )
    if not copied:
        return 0
    deleted = session.scalars(
        delete(Notification)
        .where(Notification.id.in_(copied))
        .returning(Notification.id)
        .execution_options(synchronize_session=False)
    )
    return len(deleted.all())


@dataclass
class ArchivePage:
    """One page of a user's archived notifications, newest first."""

    items: list[NotificationArchive]
    page: int
    size: int
    has_next: bool


def archived_for(
    session: Session, actor: Actor, page: int, *, size: int = PAGE_SIZE
) -> ArchivePage:
    """The actor's own archived notifications, page ``page`` (from 1), newest first; nobody
    sees another person's archive, and someone who is nobody (no user) sees an empty one."""
    page = min(max(page, 1), MAX_PAGE)
    if actor.user_id is None:
        return ArchivePage([], page, size, False)
    items = list(
        session.scalars(
            select(NotificationArchive)
            .where(NotificationArchive.recipient_id == actor.user_id)
            .order_by(NotificationArchive.created_at.desc(), NotificationArchive.id.desc())
            .limit(size + 1)
            .offset((page - 1) * size)
        )
    )
    return ArchivePage(items[:size], page, size, len(items) > size)
