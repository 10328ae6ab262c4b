"""The route matrix's quarterly reports and service meetings (tests/scoping_data.build_matrix):
the last ended quarter's report, distributed, with an answer owed by each side's unit; the
quarter before's report as a draft with its analysis written; a service meeting with a measure
for each side's unit. The notices these send are removed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from app.domain import quarterly_reports as qr
from app.models import Notification, ReportAnswer
from app.services import quarterly_reports as reports
from app.services import service_meetings as meetings
from tests.case_helpers import actor


def build(session, put, units: dict, now: datetime) -> None:
    csd = actor(session, "csd")
    quarter = qr.last_ended(now)
    report = reports.generate_report(session, csd, quarter.token, now=now)
    report = reports.edit_report(
        session, csd, report.id, analysis="矩阵分析", measures="矩阵措施", version=report.version
    )
    report = reports.submit_report(session, csd, report.id, version=report.version, now=now)
    reports.distribute_report(session, csd, report.id, version=report.version, now=now)
    for side, unit in units.items():
        answer = session.query(ReportAnswer).filter_by(report_id=report.id, branch_id=unit.id)
        if answer.first() is None:
            session.add(
                ReportAnswer(
                    report_id=report.id,
                    branch_id=unit.id,
                    valid_complaints=1,
                    due=now + timedelta(days=7),
                    due_provisional=False,
                    late=False,
                )
            )
        put("qr_answer", side, report.id, None, branch_id=unit.id)
    session.commit()
    put("quarterly_report", "all", report.id, report.token)
    draft = reports.generate_report(session, csd, quarter.previous().token, now=now)
    draft = reports.edit_report(
        session, csd, draft.id, analysis="矩阵草稿分析", measures="矩阵草稿措施",
        version=draft.version,
    )  # fmt: skip
    put("quarterly_report_draft", "all", draft.id, draft.token)
    meeting = meetings.record_meeting(
        session,
        csd,
        held_on=now.date(),
        title="矩阵服务例会",
        minutes="矩阵会议纪要",
        submission_key="matrix-meeting",
        measures=[
            meetings.MeasureDraft(f"{unit.name}矩阵整改措施", unit.id, now.date() + timedelta(30))
            for unit in units.values()
        ],
        now=now,
    )
    put("qr_meeting", "all", meeting.id, meeting.title)
    for (side, unit), measure in zip(units.items(), meeting.measures, strict=True):
        put("qr_measure", side, measure.id, measure.text, branch_id=unit.id)
    # Their notices would push the matrix's own notifications off the inbox's first page.
    session.execute(
        delete(Notification).where(
            Notification.category.in_(["quarterly_report", "service_meeting"])
        )
    )
    session.commit()
