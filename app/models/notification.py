"""In-app notifications (Art.17 information passing); each belongs to one recipient."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.clock import now


class Notification(Model):
    __tablename__ = "notification"
    __table_args__ = (
        Index("ix_notification_recipient_read", "recipient_id", "read_at"),
        # The inbox: a recipient's notifications newest first, one page read off the index.
        Index("ix_notification_recipient_created", "recipient_id", "created_at", "id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"))
    recipient = relationship("SuqiuUser", foreign_keys=[recipient_id])
    category: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now, index=True)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)


class NotificationArchive(Model):
    """Notifications read more than SUQIU_NOTIFICATION_ARCHIVE_DAYS ago, moved out of the inbox
    by `suqiu archive-notifications` (issue 12) with their id; their recipient still sees them
    on 已归档的通知."""

    __tablename__ = "notification_archive"
    __table_args__ = (
        Index("ix_notification_archive_recipient_created", "recipient_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"))
    category: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str | None] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)
    archived_at: Mapped[datetime] = mapped_column(DateTime, default=now)
