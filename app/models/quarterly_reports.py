"""季度分析报告 (Art.39) and 服务例会 (Art.40): the report with its figures frozen at generation,
its history (批示 included), the units' handling opinions, the meetings and their measures."""

from __future__ import annotations

from datetime import date, datetime

from flask_appbuilder import Model
from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.domain.clock import now
from app.domain.quarterly_reports import ReportStatus
from app.models.org import Branch


class QuarterlyReport(Model):
    """One report per quarter. ``snapshot`` holds the figures as JSON, taken when it was
    generated: later cases and determinations do not change a report once made."""

    __tablename__ = "quarterly_report"
    __table_args__ = (Index("uq_quarterly_report_quarter", "year", "quarter", unique=True),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    quarter: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=ReportStatus.DRAFT)
    snapshot: Mapped[str] = mapped_column(Text)
    analysis: Mapped[str | None] = mapped_column(Text)
    measures: Mapped[str | None] = mapped_column(Text)
    generated_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    generated_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    generated_by = relationship("SuqiuUser", foreign_keys=[generated_by_id])
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime)
    distributed_at: Mapped[datetime | None] = mapped_column(DateTime)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    __mapper_args__ = {"version_id_col": version}

    @property
    def token(self) -> str:
        return f"{self.year}-Q{self.quarter}"


class QuarterlyReportEvent(Model):
    """One immutable step of a report: generated, edited, submitted, a 批示 (``comment``, its
    text), distributed. The units' answers are in report_answer, apart: a unit reads its own."""

    __tablename__ = "quarterly_report_event"
    __table_args__ = (
        Index("uq_quarterly_report_event_submission_key", "submission_key", unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("quarterly_report.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    author = relationship("SuqiuUser", foreign_keys=[author_id], lazy="joined")
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
    submission_key: Mapped[str | None] = mapped_column(String(64))  # a 批示's form, once


class ReportAnswer(Model):
    """A unit's handling opinion on a distributed report (Art.39): made at the distribution for
    each unit with valid complaints in the quarter, due 5 working days later. ``late``: answered
    after ``due``; ``flagged_at``: when the sweep found it missing past ``due`` (and told the
    unit and CSD, once)."""

    __tablename__ = "report_answer"
    __table_args__ = (
        Index("uq_report_answer_unit", "report_id", "branch_id", unique=True),
        # The sweep: the unanswered past their deadline, not flagged yet.
        Index("ix_report_answer_due", "answered_at", "flagged_at", "due"),
        Index("ix_report_answer_branch", "branch_id", "due"),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("quarterly_report.id"))
    report: Mapped[QuarterlyReport] = relationship()
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    branch: Mapped[Branch] = relationship(lazy="joined")
    valid_complaints: Mapped[int] = mapped_column(Integer, default=0)
    due: Mapped[datetime] = mapped_column(DateTime)
    due_provisional: Mapped[bool] = mapped_column(Boolean, default=False)
    opinion: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(DateTime)
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    answered_by = relationship("SuqiuUser", foreign_keys=[answered_by_id])
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    flagged_at: Mapped[datetime | None] = mapped_column(DateTime)


class ServiceMeeting(Model):
    """服务例会 (Art.40): its date, subject and minutes; the measures decided are its rows of
    meeting_measure."""

    __tablename__ = "service_meeting"
    __table_args__ = (
        Index("ix_service_meeting_held_on", "held_on"),
        Index("uq_service_meeting_submission_key", "submission_key", unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    held_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[str] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    recorded_by = relationship("SuqiuUser", foreign_keys=[recorded_by_id])
    recorded_at: Mapped[datetime] = mapped_column(DateTime, default=now)
    submission_key: Mapped[str | None] = mapped_column(String(64))  # its form, once
    measures: Mapped[list[MeetingMeasure]] = relationship(
        back_populates="meeting", order_by="MeetingMeasure.id"
    )


class MeetingMeasure(Model):
    """One measure decided at a meeting: the owner unit, the due date, done with a note."""

    __tablename__ = "meeting_measure"
    __table_args__ = (
        Index("ix_meeting_measure_branch", "branch_id", "done_at", "due_on"),
        Index("uq_meeting_measure_submission_key", "submission_key", unique=True),
    )
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("service_meeting.id"), index=True)
    meeting: Mapped[ServiceMeeting] = relationship(back_populates="measures")
    text: Mapped[str] = mapped_column(Text)
    branch_id: Mapped[int] = mapped_column(ForeignKey("branch.id"))
    branch: Mapped[Branch] = relationship(lazy="joined")
    due_on: Mapped[date] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(DateTime)
    done_note: Mapped[str | None] = mapped_column(Text)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    done_by = relationship("SuqiuUser", foreign_keys=[done_by_id])
    submission_key: Mapped[str | None] = mapped_column(String(64))  # the add-measure form, once


class ServiceMeetingEvent(Model):
    """One immutable step of a meeting's history (Art.40): ``measure_done`` (the measure, its
    unit, the note, who and when)."""

    __tablename__ = "service_meeting_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("service_meeting.id"), index=True)
    measure_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_measure.id"))
    branch_id: Mapped[int | None] = mapped_column(ForeignKey("branch.id"))
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("ab_user.id"))
    actor = relationship("SuqiuUser", foreign_keys=[actor_id], lazy="joined")
    at: Mapped[datetime] = mapped_column(DateTime, default=now)
