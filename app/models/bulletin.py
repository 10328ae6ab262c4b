"""公告/通报: business changes (Art.37) and emergencies (Art.38) with the official wording (口径)
and expected recovery time, shown to the agent while registering a case (Art.28). A unit submits
its notice and CSD publishes it or sends it back (app.domain.bulletins); CSD may also publish
its own bulletins directly."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import Boolean, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.bulletins import BulletinStatus
from app.domain.clock import now
from app.models.catalog import BusinessCategory
from app.models.org import Branch


class Bulletin(Model):
    """A bulletin. ``notified_at`` is when the unit notified CSD (its first submission, or for
    CSD's own bulletin the time CSD recorded; None: unknown, no lateness judged): the end of the
    lateness window (Art.37/38). A row made without a status is a published one, as every
    bulletin was before units submitted theirs."""

    __tablename__ = "bulletin"
    __table_args__ = (
        # CSD's 待审核 list and count; the registration screen's published ones by start.
        Index("ix_bulletin_status_starts", "status", "starts_at"),
        # A unit's own notices (the branch scope).
        Index("ix_bulletin_branch", "branch_id", "status"),
        Index("uq_bulletin_submission_key", "submission_key", unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="business_change")  # or emergency
    title: Mapped[str] = mapped_column(String(200))
    talking_points: Mapped[str] = mapped_column(Text)
    area: Mapped[str | None] = mapped_column(String(200))
    business_category_id: Mapped[int | None] = mapped_column(ForeignKey("business_category.id"))
    business_category: Mapped[BusinessCategory | None] = relationship(lazy="joined")
    expected_recovery_at: Mapped[datetime | None] = mapped_column(DateTime)
    starts_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    ends_at: Mapped[datetime | None] = mapped_column(DateTime)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    branch: Mapped[Branch | None] = relationship(lazy="joined")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    status: Mapped[str] = mapped_column(String(20), default=BulletinStatus.PUBLISHED.value)
    notified_at: Mapped[datetime | None] = mapped_column(DateTime)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    submitted_by = relationship("SuqiuUser", foreign_keys=[submitted_by_id])
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)  # the latest submission
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    published_by = relationship("SuqiuUser", foreign_keys=[published_by_id])
    published_at: Mapped[datetime | None] = mapped_column(DateTime)
    return_reason: Mapped[str | None] = mapped_column(Text)  # CSD's latest reason
    # The submission form's one-time key: a form sent twice makes one notice.
    submission_key: Mapped[str | None] = mapped_column(String(64))
    # The Art.37/38 breach recorded for a late notice: at most one per bulletin.
    violation_entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("violation_entry.id"), unique=True
    )
    # Optimistic locking: of two people acting on one notice at once, exactly one wins.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    def __str__(self) -> str:
        return self.title


class BulletinEvent(Model):
    """One immutable step of a bulletin's history: who, when, what, and the note. ``branch_id``
    repeats the bulletin's so the branch scope applies to the history directly."""

    __tablename__ = "bulletin_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    bulletin_id: Mapped[int] = mapped_column(ForeignKey("bulletin.id"), index=True)
    bulletin: Mapped[Bulletin] = relationship()
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))  # NULL: the system
    actor = relationship("SuqiuUser", foreign_keys=[actor_id], lazy="joined")
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
    note: Mapped[str | None] = mapped_column(Text)
