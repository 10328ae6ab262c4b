"""What the quarterly report pages read (Art.39/40): the list of reports the reader may see, one
report with its frozen figures, its 批示, the answers the reader may see (CSD, leaders and the
committee all; a unit its own) and the forms the reader may use; the meetings."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import quarterly_reports as qr
from app.domain.quarterly_reports import AnswerState, ReportStatus
from app.models import Branch, QuarterlyReport, QuarterlyReportEvent, ReportAnswer, ServiceMeeting
from app.services import quarterly_report_tables as report_tables
from app.services.actor import Actor
from app.services.errors import PermissionDeniedError
from app.services.quarterly_reports import (
    ANSWER,
    COMMENT,
    DENIED,
    EDIT,
    READ,
    load_report,
    readable_statuses,
)
from app.services.service_meetings import load_meeting, visible_measures


def report_list(session: Session, actor: Actor) -> list[QuarterlyReport]:
    if not actor.may(READ):
        raise PermissionDeniedError(DENIED)
    statuses = [s.value for s in readable_statuses(actor)]
    return list(
        session.scalars(
            select(QuarterlyReport)
            .where(QuarterlyReport.status.in_(statuses))
            .order_by(QuarterlyReport.year.desc(), QuarterlyReport.quarter.desc())
            .limit(200)
        )
    )


@dataclass(frozen=True)
class AnswerRow:
    answer: ReportAnswer
    state: AnswerState
    own: bool  # the reader answers for this unit


@dataclass(frozen=True)
class ReportPage:
    report: QuarterlyReport
    tables: list[report_tables.Table]
    as_of: str
    comments: list[QuarterlyReportEvent]
    history: list[QuarterlyReportEvent]  # CSD, leaders and the committee only
    answers: list[AnswerRow]
    may_edit: bool
    may_submit: bool
    may_distribute: bool
    may_comment: bool
    now: datetime

    @property
    def flagged(self) -> list[AnswerRow]:
        """Art.39: the answers late or missing, listed for CSD."""
        return [row for row in self.answers if row.state in (AnswerState.LATE, AnswerState.MISSING)]


def report_page(session: Session, actor: Actor, report_id: int, *, now: datetime) -> ReportPage:
    report = load_report(session, actor, report_id)
    data = json.loads(report.snapshot)
    events = list(
        session.scalars(
            select(QuarterlyReportEvent)
            .where(QuarterlyReportEvent.report_id == report.id)
            .order_by(QuarterlyReportEvent.id)
        )
    )
    answers = session.scalars(
        actor.scope.apply(
            select(ReportAnswer)
            .join(Branch, ReportAnswer.branch_id == Branch.id)
            .where(ReportAnswer.report_id == report.id)
            .order_by(Branch.path),
            ReportAnswer,
        )
    )
    answering = actor.may(ANSWER)
    rows = [
        AnswerRow(
            a,
            qr.answer_state(a.due, a.answered_at, now),
            answering and actor.scope.covers_branch(session, a.branch_id),
        )
        for a in answers
    ]
    status = ReportStatus(report.status)
    editing = actor.may(EDIT)
    return ReportPage(
        report=report,
        tables=report_tables.tables_for(data, actor.scope),
        as_of=data["as_of"],
        comments=[e for e in events if e.kind == "comment"],
        history=events if actor.scope.all_branches else [],
        answers=rows,
        may_edit=editing and status is ReportStatus.DRAFT,
        may_submit=editing and status is ReportStatus.DRAFT,
        may_distribute=editing and status is ReportStatus.SUBMITTED,
        may_comment=actor.may(COMMENT) and status is not ReportStatus.DRAFT,
        now=now,
    )


@dataclass(frozen=True)
class MeetingPage:
    meeting: ServiceMeeting
    measures: list
    states: dict[int, qr.MeasureState]
    may_add: bool
    may_done: bool


def meeting_list(session: Session, actor: Actor) -> list[ServiceMeeting]:
    if not actor.may(READ):
        raise PermissionDeniedError(DENIED)
    return list(
        session.scalars(
            select(ServiceMeeting)
            .order_by(ServiceMeeting.held_on.desc(), ServiceMeeting.id.desc())
            .limit(200)
        )
    )


def meeting_page(session: Session, actor: Actor, meeting_id: int, *, now: datetime):
    meeting = load_meeting(session, actor, meeting_id)
    measures = visible_measures(session, actor, meeting.id)
    return MeetingPage(
        meeting,
        measures,
        {m.id: qr.measure_state(m.due_on, m.done_at, now) for m in measures},
        actor.may(EDIT),
        actor.may(ANSWER),
    )


def unit_choices(session: Session) -> list[tuple[int, str]]:
    rows = session.scalars(select(Branch).where(Branch.active.is_(True)).order_by(Branch.path))
    return [(b.id, "\u3000" * b.depth + b.name) for b in rows]
