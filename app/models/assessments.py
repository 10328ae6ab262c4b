"""The annual assessment (年终考核, Art.41): one row per version of a year's assessment, the
snapshot of every unit's line and deductions copied when the committee finalises it, the units'
objections to entries, and the immutable history of each step."""

from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.assessments import AssessmentStatus, ObjectionStatus
from app.domain.clock import now


class Assessment(Model):
    """A version of the assessment of ``year``: a draft CSD prepares (its figures computed live
    from the register), opened for objections until ``objection_deadline``, finalised by the
    committee (its lines then stored and never recomputed); reopening marks it ``reopened`` and
    starts the next version, the old one kept."""

    __tablename__ = "assessment"
    __table_args__ = (UniqueConstraint("year", "version", name="uq_assessment_year_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    version: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20), default=AssessmentStatus.DRAFT)
    objection_deadline: Mapped[date | None] = mapped_column(Date)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    opened_at: Mapped[datetime | None] = mapped_column(DateTime)
    finalised_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    finalised_by = relationship("SuqiuUser", foreign_keys=[finalised_by_id])
    finalised_at: Mapped[datetime | None] = mapped_column(DateTime)
    reopened_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    reopened_at: Mapped[datetime | None] = mapped_column(DateTime)
    reopen_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    # Optimistic locking and the forms' version token: of two finalising at once, one wins.
    lock_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": lock_version}


class AssessmentLine(Model):
    """One unit's line of a finalised version: rank, counts and figures as they were."""

    __tablename__ = "assessment_line"
    __table_args__ = (
        UniqueConstraint("assessment_id", "branch_id", name="uq_assessment_line_unit"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"), index=True)
    branch_name: Mapped[str] = mapped_column(String(100))
    rank: Mapped[int] = mapped_column(Integer)
    general: Mapped[int] = mapped_column(Integer, default=0)
    major: Mapped[int] = mapped_column(Integer, default=0)
    violations: Mapped[int] = mapped_column(Integer, default=0)
    deduction_bp: Mapped[int] = mapped_column(Integer)
    score_bp: Mapped[int] = mapped_column(Integer)


class AssessmentDeduction(Model):
    """One deduction a finalised version counted: a copy of the register's entry as it was."""

    __tablename__ = "assessment_deduction"
    __table_args__ = (
        Index("ix_assessment_deduction_assessment_branch", "assessment_id", "branch_id"),
        # The register's guard: "is this entry counted by a finalised assessment?"
        Index("ix_assessment_deduction_entry", "entry_id"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"))
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("violation_entry.id"))
    case_id: Mapped[int | None] = mapped_column(ForeignKey("service_case.id"))
    case_number: Mapped[str | None] = mapped_column(String(40))
    cause: Mapped[str] = mapped_column(String(30))
    occurred_on: Mapped[date] = mapped_column(Date)
    deduction_bp: Mapped[int] = mapped_column(Integer)
    evidence: Mapped[str | None] = mapped_column(Text)


class AssessmentObjection(Model):
    """A unit's objection to an entry of its draft, with its reason and evidence, and CSD's
    answer (accepted: the entry is waived in the register with the answer as its reason)."""

    __tablename__ = "assessment_objection"
    __table_args__ = (
        Index("ix_assessment_objection_assessment_status", "assessment_id", "status"),
        Index("ix_assessment_objection_branch", "branch_id"),
        # A double submit of one form makes one objection.
        UniqueConstraint("submission_key", name="uq_assessment_objection_key"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"))
    entry_id: Mapped[int] = mapped_column(ForeignKey("violation_entry.id"), index=True)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str | None] = mapped_column(Text)
    lodged_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    lodged_by = relationship("SuqiuUser", foreign_keys=[lodged_by_id])
    lodged_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    submission_key: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20), default=ObjectionStatus.PENDING)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    answered_by = relationship("SuqiuUser", foreign_keys=[answered_by_id])
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}


class AssessmentEvent(Model):
    """One immutable step of an assessment's history (who, when, what, note); ``branch_id``
    names the unit of an objection's steps (NULL: the whole assessment)."""

    __tablename__ = "assessment_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id"), index=True)
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    action: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    actor = relationship("SuqiuUser", foreign_keys=[actor_id], lazy="joined")
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
    note: Mapped[str | None] = mapped_column(Text)
