"""The personal notification inbox."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.domain.clock import now
from app.domain.i18n import _l
from app.models import Notification
from app.services.actor import Actor
from app.services.errors import OutOfScopeError


def unread_count(session: Session, actor: Actor) -> int:
    if actor.user_id is None:
        return 0
    return (
        session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.recipient_id == actor.user_id, Notification.read_at.is_(None))
        )
        or 0
    )


def mark_read(session: Session, actor: Actor, items: list[Notification]) -> int:
    """Only the recipient may mark a notification read."""
    stamp = now()
    for item in items:
        if item is None or item.recipient_id != actor.user_id:
            raise OutOfScopeError(_l("This notification is not yours."))
        item.read_at = item.read_at or stamp
    session.commit()
    return len(items)
