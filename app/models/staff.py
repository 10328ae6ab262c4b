"""Personal breaches (Art.23/42): a person's breach of Art.27, 28 or 29 recorded by CSD, tracked
until the person's unit enters its handling opinion, with an immutable history."""

from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.clock import now
from app.domain.staff_accountability import BreachStatus
from app.models.case import Case
from app.models.org import Branch
from app.models.violations import ViolationEntry


class PersonalBreach(Model):
    """A breach of ``article`` (app.domain.staff_accountability.PersonalArticle) by ``employee``
    of ``branch`` (the unit that owes the handling opinion, the branch scope's column): open
    until the unit's liaison or head enters the opinion, overdue past ``opinion_due``."""

    __tablename__ = "personal_breach"
    __table_args__ = (
        # A unit's breaches, open ones by due date (its list and its menu count).
        Index("ix_personal_breach_branch_status_due", "branch_id", "status", "opinion_due"),
        # The company-wide list and count for CSD, leaders and the committee.
        Index("ix_personal_breach_status_due", "status", "opinion_due"),
        # One breach per submitted recording form (a double click, a resent page, two requests
        # racing); NULL for breaches recorded without the form (the demo, before the key).
        Index("uq_personal_breach_submission_key", "submission_key", unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    branch: Mapped[Branch] = relationship(lazy="joined")
    employee_id: Mapped[int] = mapped_column(ForeignKey("ab_user.id"), index=True)
    employee = relationship("SuqiuUser", foreign_keys=[employee_id], lazy="joined")
    article: Mapped[str] = mapped_column(String(10))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("service_case.id"), index=True)
    case: Mapped[Case | None] = relationship()
    violation_id: Mapped[int | None] = mapped_column(ForeignKey("violation_entry.id"))
    violation: Mapped[ViolationEntry | None] = relationship()
    occurred_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    recorded_by = relationship("SuqiuUser", foreign_keys=[recorded_by_id])
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    opinion_due: Mapped[datetime] = mapped_column(DateTime)
    # The due date touched a year the calendar does not hold yet (app.domain.deadlines).
    opinion_due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(20), default=BreachStatus.OPEN)
    # The recording form's one-time key (app.views.staff), like the case's registration_key.
    submission_key: Mapped[str | None] = mapped_column(String(64))
    opinion: Mapped[str | None] = mapped_column(Text)
    opinion_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    opinion_by = relationship("SuqiuUser", foreign_keys=[opinion_by_id])
    opinion_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Optimistic locking: of two people entering the opinion at once, exactly one wins.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    events: Mapped[list[PersonalBreachEvent]] = relationship(
        back_populates="breach", order_by="PersonalBreachEvent.id"
    )

    def __str__(self) -> str:
        return f"{self.employee or ''} {self.occurred_on}"


class PersonalBreachEvent(Model):
    """One immutable step of a personal breach's history: who, when, what, the note. It repeats
    the breach's unit (which never changes) so the branch scope applies to it directly."""

    __tablename__ = "personal_breach_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    breach_id: Mapped[int] = mapped_column(ForeignKey("personal_breach.id"), index=True)
    breach: Mapped[PersonalBreach] = relationship(back_populates="events")
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    actor = relationship("SuqiuUser", foreign_keys=[actor_id], lazy="joined")
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
    note: Mapped[str | None] = mapped_column(Text)
