"""重大事项审核 (Art.22/33/34): one committee review per flagged case, with the unit's handling
plan, its progress reports, the leaders' and committee's 批示 and CSD's notes, each an
immutable entry with its author and time."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.clock import now
from app.domain.major_matters import MatterStatus
from app.models.case import Case
from app.models.org import Branch


class MajorMatter(Model):
    """The review of ``case``. ``branch_id`` is the case's responsible unit (NULL until it is
    dispatched), kept in step with the case for the branch scope; ``triggers`` lists why it was
    opened (app.domain.major_matters.Trigger, comma-separated)."""

    __tablename__ = "major_matter"
    __table_args__ = (
        # The list: open reviews first, newest first, company-wide or of one unit.
        Index("ix_major_matter_status_opened", "status", "opened_at"),
        Index("ix_major_matter_branch_status", "branch_id", "status", "opened_at"),
        # One review per case, however many triggers arrive, from however many requests.
        Index("uq_major_matter_case", "case_id", unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id"))
    case: Mapped[Case] = relationship(lazy="joined")
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    branch: Mapped[Branch | None] = relationship(lazy="joined")
    triggers: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default=MatterStatus.OPEN)
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))  # NULL: system
    opened_by = relationship("SuqiuUser", foreign_keys=[opened_by_id])
    # The last entry's time: every entry touches the review, so a close racing an entry loses.
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    closed_by = relationship("SuqiuUser", foreign_keys=[closed_by_id])
    # Optimistic locking: of two people closing or adding at once, exactly one wins.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    entries: Mapped[list[MajorMatterEntry]] = relationship(
        back_populates="matter", order_by="MajorMatterEntry.id"
    )

    def __str__(self) -> str:
        return self.case.number if self.case is not None else str(self.id)


class MajorMatterEntry(Model):
    """One immutable line of a review: a plan, a progress report (Art.33), a 批示, a CSD note, or
    what the system recorded (opened, a reason added, the unit changed, closed)."""

    __tablename__ = "major_matter_entry"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    matter_id: Mapped[int] = mapped_column(ForeignKey("major_matter.id"), index=True)
    matter: Mapped[MajorMatter] = relationship(back_populates="entries")
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))  # NULL: system
    author = relationship("SuqiuUser", foreign_keys=[author_id], lazy="joined")
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
    detail: Mapped[str | None] = mapped_column(Text)  # JSON: the triggers added, the units
