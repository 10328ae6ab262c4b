"""The violation register (违规记录, Art.41): one entry per breach of a branch, with the deduction
the table gave it on the day it occurred, and an immutable history of what happened to it."""

from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.clock import now
from app.domain.violations import EntryStatus
from app.models.case import Case
from app.models.org import Branch


class ViolationEntry(Model):
    """A breach of ``branch`` (app.domain.violations.BreachCause), proposed by the system,
    recorded by CSD or made by an approved complaint determination; only confirmed ones count.
    ``deduction_bp`` is copied from the table in force on ``occurred_on`` when the entry is made,
    so the figure stays traceable whatever later revisions say."""

    __tablename__ = "violation_entry"
    __table_args__ = (
        # The register of a unit (all of it, or what awaits confirmation), newest first.
        Index("ix_violation_entry_branch_status_occurred", "branch_id", "status", "occurred_on"),
        # The company-wide register, newest first, and CSD's entries awaiting confirmation.
        Index("ix_violation_entry_occurred", "occurred_on", "id"),
        Index("ix_violation_entry_status_occurred", "status", "occurred_on"),
        # A case's entries: the detection's "already proposed" test and the entry page.
        Index("ix_violation_entry_case_cause", "case_id", "cause"),
        # A detected breach (or a complaint determination) makes one entry, however often and
        # however many instances report it; manual entries have none (NULLs never collide).
        Index("uq_violation_entry_dedupe_key", "dedupe_key", unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cause: Mapped[str] = mapped_column(String(30))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    branch: Mapped[Branch] = relationship(lazy="joined")
    case_id: Mapped[int | None] = mapped_column(ForeignKey("service_case.id"))
    case: Mapped[Case | None] = relationship()
    status: Mapped[str] = mapped_column(String(20), default=EntryStatus.PROPOSED)
    deduction_bp: Mapped[int] = mapped_column(Integer)  # basis points: 200 = 2 %
    occurred_on: Mapped[date] = mapped_column(Date)
    dedupe_key: Mapped[str | None] = mapped_column(String(120))
    evidence: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)  # why confirmed or waived
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))  # NULL: system
    proposed_by = relationship("SuqiuUser", foreign_keys=[proposed_by_id])
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    decided_by = relationship("SuqiuUser", foreign_keys=[decided_by_id])
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    # Optimistic locking: of two people deciding one entry at once, exactly one wins.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    events: Mapped[list[ViolationEntryEvent]] = relationship(
        back_populates="entry", order_by="ViolationEntryEvent.id"
    )

    def __str__(self) -> str:
        return f"{self.branch.name if self.branch else ''} {self.occurred_on}"


class ViolationEntryEvent(Model):
    """One immutable step of an entry's history: who, when, what, and the note (Art.31).
    ``branch_id`` repeats the entry's (which never changes) so the branch scope applies to the
    history directly, as to every record of a unit."""

    __tablename__ = "violation_entry_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("violation_entry.id"), index=True)
    entry: Mapped[ViolationEntry] = relationship(back_populates="events")
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))  # NULL: the system
    actor = relationship("SuqiuUser", foreign_keys=[actor_id], lazy="joined")
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
    note: Mapped[str | None] = mapped_column(Text)
