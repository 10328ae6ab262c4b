"""Complaint determinations (投诉认定, Art.8/9/32): one per 投诉 case — CSD's investigation and
determination, 客服部主管's approval, the responsible unit's one objection and CSD's answer —
with an immutable history that keeps every earlier version of a changed determination."""

from __future__ import annotations

from datetime import datetime

from flask_appbuilder import Model
from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.clock import now
from app.domain.complaints import DeterminationStatus, MajorCriterion
from app.models.case import Case
from app.models.org import Branch


class ComplaintDetermination(Model):
    """The determination of one 投诉 case. ``branch_id`` is the responsible unit (the branch
    scope's column: a unit sees the determinations naming it); ``criteria`` holds the Art.9
    MajorCriterion codes that held, comma-separated. Only an approved determination counts
    (app.domain.complaints.COUNTING_STATUSES); after a change the row holds the changed one and
    the history the earlier."""

    __tablename__ = "complaint_determination"
    __table_args__ = (
        # One determination per case: a second one racing the first fails on this index.
        Index("uq_complaint_determination_case", "case_id", unique=True),
        # A unit's determinations and the queues (待审批, 异议待处理), newest first.
        Index("ix_complaint_determination_branch_status", "branch_id", "status", "updated_at"),
        Index("ix_complaint_determination_status", "status", "updated_at"),
        # The company-wide list, newest first.
        Index("ix_complaint_determination_updated", "updated_at", "id"),
        # Art.42: the approved determinations naming an employee, by approval time.
        Index("ix_complaint_determination_employee", "employee_id", "approved_at"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("service_case.id"))
    case: Mapped[Case] = relationship(lazy="joined")
    status: Mapped[str] = mapped_column(String(20), default=DeterminationStatus.DRAFT)
    determination: Mapped[str | None] = mapped_column(String(10))  # Determination
    findings: Mapped[str | None] = mapped_column(Text)
    breach_category: Mapped[str | None] = mapped_column(String(30))  # BreachCategory
    grade: Mapped[str | None] = mapped_column(String(10))  # Grade
    criteria: Mapped[str | None] = mapped_column(String(200))  # MajorCriterion codes, "a,b"
    invalid_reason: Mapped[str | None] = mapped_column(String(20))  # InvalidReason
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    branch: Mapped[Branch | None] = relationship(lazy="joined")
    responsibility: Mapped[str | None] = mapped_column(String(10))  # Responsibility
    employee_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    employee = relationship("SuqiuUser", foreign_keys=[employee_id])
    personal_cause: Mapped[str | None] = mapped_column(Text)
    investigated_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    investigated_by = relationship("SuqiuUser", foreign_keys=[investigated_by_id])
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    approved_by = relationship("SuqiuUser", foreign_keys=[approved_by_id])
    approved_at: Mapped[datetime | None] = mapped_column(DateTime)  # counts from here on
    objection_due: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    # Optimistic locking: of two people acting on one determination at once, exactly one wins.
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    events: Mapped[list[ComplaintDeterminationEvent]] = relationship(
        back_populates="determination_row", order_by="ComplaintDeterminationEvent.id"
    )

    @property
    def criteria_set(self) -> frozenset[MajorCriterion]:
        return frozenset(MajorCriterion(code) for code in (self.criteria or "").split(",") if code)

    def __str__(self) -> str:
        return self.case.number if self.case else str(self.id)


class ComplaintDeterminationEvent(Model):
    """One immutable step of a determination's history: who, when, what, the note, and
    ``snapshot`` — the determination as it was before the step (JSON), so a changed
    determination keeps the earlier one (Art.31)."""

    __tablename__ = "complaint_determination_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    determination_id: Mapped[int] = mapped_column(
        ForeignKey("complaint_determination.id"), index=True
    )
    determination_row: Mapped[ComplaintDetermination] = relationship(back_populates="events")
    action: Mapped[str] = mapped_column(String(20))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    actor = relationship("SuqiuUser", foreign_keys=[actor_id], lazy="joined")
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
    note: Mapped[str | None] = mapped_column(Text)
    snapshot: Mapped[str | None] = mapped_column(Text)


class ComplaintEvidence(Model):
    """A file of the investigation or of the unit's objection: stored under a generated name,
    shown and downloaded under its original (Chinese) one, to those who may see the
    determination."""

    __tablename__ = "complaint_evidence"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    determination_id: Mapped[int] = mapped_column(
        ForeignKey("complaint_determination.id"), index=True
    )
    determination: Mapped[ComplaintDetermination] = relationship()
    purpose: Mapped[str] = mapped_column(String(20), default="investigation")  # or "objection"
    # An objection's file: the objection (so only the unit that objected, and CSD, see it).
    objection_id: Mapped[int | None] = mapped_column(
        ForeignKey("complaint_objection.id"), index=True
    )
    objection: Mapped[ComplaintObjection | None] = relationship()
    original_name: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(255), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    uploaded_by = relationship("SuqiuUser", foreign_keys=[uploaded_by_id])
    uploaded_at: Mapped[datetime] = mapped_column(DateTime, default=now)


class ComplaintObjection(Model):
    """异议: a responsible unit's one objection to an approved determination, lodged within its
    objection window, and CSD's answer (维持 / 变更, a change once 客服部主管 approved it). A
    unit named by an approved change objects once in its own window."""

    __tablename__ = "complaint_objection"
    # One objection per unit and determination (its answer is final): a second one fails here.
    __table_args__ = (
        Index(
            "uq_complaint_objection_determination_branch",
            "determination_id",
            "branch_id",
            unique=True,
        ),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    determination_id: Mapped[int] = mapped_column(ForeignKey("complaint_determination.id"))
    determination: Mapped[ComplaintDetermination] = relationship()
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)  # who objected
    branch: Mapped[Branch] = relationship()
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    lodged_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    lodged_by = relationship("SuqiuUser", foreign_keys=[lodged_by_id])
    lodged_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    outcome: Mapped[str | None] = mapped_column(String(10))  # "uphold" or "change"
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    answered_by = relationship("SuqiuUser", foreign_keys=[answered_by_id])
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)


# 待认定 (app.services.complaint_page): the 投诉 cases, newest first, read from an index instead of
# every case of every kind. Declared here, beside its only reader; the migration of this module
# creates it.
Index("ix_case_kind_received", Case.kind_id, Case.received_at)
