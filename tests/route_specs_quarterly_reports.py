"""The quarterly reports routes for tests/test_route_matrix.py (records:
tests/scoping_quarterly_reports.py): the list and generation, a report's page, print and
export, CSD's edit / submit / distribute, the 批示, a unit's answer (its own unit's only), the
service meetings with their measures and a unit reporting its own measure done."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from app.domain import quarterly_reports as qr
from app.domain.clock import now as clock_now
from app.models import MeetingMeasure, QuarterlyReport, ReportAnswer, ServiceMeeting

VIEW = "QuarterlyReport"
READ, WRITE = ("can_read", VIEW), ("can_write", VIEW)
COMMENT, ANSWER = ("can_comment", VIEW), ("can_answer", VIEW)
BASE = "/quarterly-reports"


def _count(model):
    def count(session, ref):
        return session.scalar(select(func.count()).select_from(model))

    return count


def _answer(session, ref):
    return session.execute(
        select(ReportAnswer.opinion, ReportAnswer.answered_at).where(
            ReportAnswer.report_id == ref.id, ReportAnswer.branch_id == ref.branch_id
        )
    ).all()


def _version(ctx, ref) -> str:
    ctx.session.expire_all()
    return str(ctx.session.get(QuarterlyReport, ref.id).version)


def _generate(quarter):
    def data(ref, ctx, user):
        return {"quarter": quarter()}

    return data


def quarterly_report_specs() -> list:
    from tests.route_specs import Spec

    def earlier():
        return qr.last_ended(clock_now()).previous().previous().token

    report, draft = ("quarterly_report",), ("quarterly_report_draft",)
    today = clock_now().date()
    return [
        Spec("QuarterlyReportView.index", f"{BASE}/", perm=READ),
        Spec("QuarterlyReportView.generate", f"{BASE}/generate", "POST", perm=WRITE,
             data=_generate(earlier), count=_count(QuarterlyReport), effect=True),
        Spec("QuarterlyReportView.generate", f"{BASE}/generate", "POST", perm=WRITE,
             data=_generate(lambda: qr.quarter_of(clock_now()).token),
             count=_count(QuarterlyReport), variant="not-ended"),
        Spec("QuarterlyReportView.show", BASE + "/show/{id}", perm=READ, refs=report, shows=True),
        Spec("QuarterlyReportView.show", BASE + "/show/{id}", perm=READ, refs=draft,
             absent_ok=True, variant="draft"),
        Spec("QuarterlyReportView.print_report", BASE + "/print/{id}", perm=READ, refs=report,
             shows=True),
        Spec("QuarterlyReportView.export", BASE + "/export/{id}", perm=READ, refs=report,
             shows=True),
        Spec("QuarterlyReportView.edit", BASE + "/edit/{id}", "POST", perm=WRITE, refs=draft,
             data=lambda ref, ctx, user: {"analysis": "矩阵改写", "measures": "矩阵措施",
                                          "version": _version(ctx, ref)}, effect=True),
        Spec("QuarterlyReportView.submit", BASE + "/submit/{id}", "POST", perm=WRITE,
             refs=draft, data=lambda ref, ctx, user: {"version": _version(ctx, ref)},
             effect=True),
        Spec("QuarterlyReportView.distribute", BASE + "/distribute/{id}", "POST", perm=WRITE,
             refs=report, data=lambda ref, ctx, user: {"version": _version(ctx, ref)}),
        Spec("QuarterlyReportView.comment", BASE + "/comment/{id}", "POST", perm=COMMENT,
             refs=report, data=lambda ref, ctx, user: {"text": "矩阵批示",
                                          "submission_key": secrets.token_hex(16)},
             count=lambda s, ref: _comments(s, ref),
             effect=True),
        Spec("QuarterlyReportView.answer", BASE + "/answer/{id}", "POST", perm=ANSWER,
             refs=("qr_answer",), data=lambda ref, ctx, user: {
                 "branch_id": str(ref.branch_id), "opinion": "矩阵处理意见"},
             count=_answer, effect=True),
        Spec("QuarterlyReportView.meeting_index", f"{BASE}/meetings/", perm=READ),
        Spec("QuarterlyReportView.meeting_show", BASE + "/meetings/show/{id}", perm=READ,
             refs=("qr_meeting",), shows=True),
        Spec("QuarterlyReportView.meeting_add", f"{BASE}/meetings/add", "POST", perm=WRITE,
             data=lambda ref, ctx, user: {
                 "held_on": today.isoformat(), "title": "矩阵新例会", "minutes": "纪要",
                 "measure_text_1": "矩阵新措施",
                 "measure_branch_1": str(ctx.refs["branch"]["hankou"].id),
                 "measure_due_1": today.isoformat(),
                 "submission_key": secrets.token_hex(16)},
             count=_count(ServiceMeeting), effect=True),
        Spec("QuarterlyReportView.measure_add", BASE + "/meetings/{id}/measures", "POST",
             perm=WRITE, refs=("qr_meeting",), data=lambda ref, ctx, user: {
                 "text": "矩阵追加措施", "branch_id": str(ctx.refs["branch"]["wuchang"].id),
                 "due_on": today.isoformat(), "submission_key": secrets.token_hex(16)},
             count=_count(MeetingMeasure), effect=True),
        Spec("QuarterlyReportView.measure_done", BASE + "/measures/done/{id}", "POST",
             perm=ANSWER, refs=("qr_measure",),
             data=lambda ref, ctx, user: {"note": "矩阵已完成"}, effect=True),
    ]  # fmt: skip


def _comments(session, ref) -> int:
    from app.models import QuarterlyReportEvent

    return session.scalar(
        select(func.count())
        .select_from(QuarterlyReportEvent)
        .where(QuarterlyReportEvent.report_id == ref.id, QuarterlyReportEvent.kind == "comment")
    )
