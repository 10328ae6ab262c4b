"""Quarterly analysis reports (Art.39) and service meetings (Art.40): generation from the
figures (frozen), submission, 批示, distribution, the units' answers (late flagged, missing
swept once), the pages, print and export, scope and bad input. Expectations by hand."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.domain.quarterly_reports import ReportError
from app.models import (
    ComplaintDetermination,
    MeetingMeasure,
    Notification,
    QuarterlyReport,
    QuarterlyReportEvent,
    ReportAnswer,
    ServiceMeeting,
    ServiceMeetingEvent,
)
from app.services import quarterly_report_page as pages
from app.services import quarterly_reports as reports
from app.services import service_meetings as meetings
from app.services.errors import OutOfScopeError, PermissionDeniedError
from tests.case_helpers import act, actor, branch_id, gen_case
from tests.conftest import csrf_token

GENERATED = datetime(2026, 10, 9, 10, 0)
DISTRIBUTED = datetime(2026, 10, 9, 15, 0)  # Fri; 10-10 make-up Sat (1), 10-12..10-15 (2-5)
DUE = datetime(2026, 10, 15, 23, 59, 59)


def _determination(
    session, unit, *, valid=True, status="approved", approved=None, cause="attitude"
):
    case = gen_case(session, kind="complaint", received=datetime(2026, 3, 2, 9),
                    now=datetime(2026, 3, 2, 9, 5))  # fmt: skip
    session.add(
        ComplaintDetermination(
            case_id=case.id,
            status=status,
            determination="valid" if valid else "invalid",
            breach_category=cause if valid else None,
            grade="general" if valid else None,
            branch_id=branch_id(session, unit),
            approved_at=approved,
        )
    )
    session.commit()


@pytest.fixture
def quarter(db_session):
    """Q3 2026: 3 cases received (2 dispatched to 汉口, 1 not), Q2 one, Q3 2025 none; valid
    complaints approved in Q3: 汉口 2 (态度), 武昌 1 (质量); not counted: 武昌's approved in Q4,
    汉口's invalid one, one awaiting approval."""
    s = db_session
    hankou = branch_id(s, "hankou")
    for day in (10, 11, 12):
        case = gen_case(s, received=datetime(2026, 8, day, 9), now=datetime(2026, 8, day, 9, 5))
        if day != 12:
            act(s, "csd", case, "dispatch", branch_id=hankou, now=datetime(2026, 8, day, 10))
    gen_case(s, received=datetime(2026, 5, 10, 9), now=datetime(2026, 5, 10, 9, 5))
    in_q3 = datetime(2026, 9, 1, 10)
    _determination(s, "hankou", approved=in_q3)
    _determination(s, "hankou", approved=datetime(2026, 7, 1, 0, 0))
    _determination(s, "wuchang", approved=datetime(2026, 9, 30, 23, 59, 59), cause="quality")
    _determination(s, "wuchang", approved=datetime(2026, 10, 1, 0, 0))
    _determination(s, "hankou", valid=False, approved=in_q3)
    _determination(s, "hankou", status="pending_approval", approved=None)
    return s


def _table(page, code):
    return next(t for t in page.tables if t.code == code)


def _ready(s) -> QuarterlyReport:
    report = reports.generate_report(s, actor(s, "csd"), "2026-Q3", now=GENERATED)
    reports.edit_report(
        s,
        actor(s, "csd"),
        report.id,
        analysis="本季度诉求平稳。",
        measures="加强上门服务培训。",
        version=report.version,
        now=GENERATED,
    )
    return report


def test_art39_report_figures_frozen_at_generation(quarter):
    s = quarter
    report = reports.generate_report(s, actor(s, "csd"), "2026-Q3", now=GENERATED)
    data = json.loads(report.snapshot)
    assert data["complaints"]["by_unit"] == {
        str(branch_id(s, "hankou")): 2,
        str(branch_id(s, "wuchang")): 1,
    }
    assert data["complaints"]["causes"] == {"attitude": 2, "quality": 1}
    # One GROUP BY, added up three ways: each way counts the quarter's 3 cases once.
    for way in ("branch", "channel", "business"):
        assert sum(v["intake"][1] for v in data[way].values()) == 3, way
    assert data["branch"]["-"]["intake"] == [1, 1]  # the undispatched one
    assert data["previous"]["branch"]["-"]["intake"] == [1, 1]
    page = pages.report_page(s, actor(s, "csd"), report.id, now=GENERATED)
    comparison = _table(page, "comparison").rows[0]  # 受理量: 3 against 1 (+2, +200.0%), 0
    assert comparison[1:] == ["3", "1", "+2（+200.0%）", "0", "+3"]
    branch_rows = {row[0]: row[1] for row in _table(page, "branch").rows}
    assert branch_rows["汉口分公司"] == "2"
    assert list(branch_rows.values())[-1] == "3"  # the total
    causes = _table(page, "causes").rows
    assert [row[2:] for row in causes] == [[2, "66.7%"], [1, "33.3%"]]
    # A case received in Q3 after the generation changes nothing in the report.
    gen_case(s, received=datetime(2026, 9, 3, 9), now=datetime(2026, 10, 9, 11))
    later = pages.report_page(s, actor(s, "csd"), report.id, now=GENERATED)
    assert _table(later, "comparison").rows[0][1] == "3"


def test_art39_bad_input_changes_nothing(quarter):
    s = quarter
    with pytest.raises(ReportError, match="2026-Q4"):
        reports.generate_report(s, actor(s, "csd"), "2026-Q4", now=datetime(2026, 11, 29, 7))
    with pytest.raises(ReportError):
        reports.generate_report(s, actor(s, "csd"), "2026-Q9", now=GENERATED)
    with pytest.raises(PermissionDeniedError):
        reports.generate_report(s, actor(s, "liaison_hankou"), "2026-Q3", now=GENERATED)
    assert s.scalar(select(func.count()).select_from(QuarterlyReport)) == 0
    report = reports.generate_report(s, actor(s, "csd"), "2026-Q3", now=GENERATED)
    with pytest.raises(ReportError):
        reports.generate_report(s, actor(s, "csd"), "2026-Q3", now=GENERATED)
    with pytest.raises(ReportError):  # no analysis yet
        reports.submit_report(s, actor(s, "csd"), report.id, version=report.version)
    with pytest.raises(ReportError):  # a draft is not distributed
        reports.distribute_report(s, actor(s, "csd"), report.id, version=report.version)
    with pytest.raises(OutOfScopeError):  # a unit does not see a draft
        pages.report_page(s, actor(s, "liaison_hankou"), report.id, now=GENERATED)
    with pytest.raises(OutOfScopeError):  # nor do leaders
        reports.comment_report(s, actor(s, "leader"), report.id, "请抓紧。", submission_key="c0")
    assert s.get(QuarterlyReport, report.id).status == "draft"


def test_art39_from_generation_to_a_late_answer(quarter):
    s = quarter
    report = _ready(s)
    reports.submit_report(s, actor(s, "csd"), report.id, version=report.version, now=GENERATED)
    reports.comment_report(s, actor(s, "leader"), report.id, "请各单位认真整改。",
                           submission_key="c1", now=GENERATED)  # fmt: skip
    answers = reports.distribute_report(
        s, actor(s, "csd"), report.id, version=s.get(QuarterlyReport, report.id).version,
        now=DISTRIBUTED,
    )  # fmt: skip
    assert sorted((a.branch.name, a.valid_complaints, a.due) for a in answers) == [
        ("武昌分公司", 1, DUE),
        ("汉口分公司", 2, DUE),
    ]
    hankou, wuchang = branch_id(s, "hankou"), branch_id(s, "wuchang")
    # 汉口 may not answer for 武昌, nor for its station without complaints, nor before it is due
    # to: nothing changes.
    with pytest.raises(OutOfScopeError):
        reports.answer_report(s, actor(s, "liaison_hankou"), report.id, wuchang, "代答")
    with pytest.raises(ReportError):
        reports.answer_report(
            s, actor(s, "liaison_hankou"), report.id, branch_id(s, "hankou_north"), "无"
        )
    with pytest.raises(PermissionDeniedError):
        reports.answer_report(s, actor(s, "csd"), report.id, hankou, "代答")
    # The unit reads its own answer only.
    page = pages.report_page(s, actor(s, "liaison_hankou"), report.id, now=DISTRIBUTED)
    assert [row.answer.branch_id for row in page.answers] == [hankou]
    assert [c.text for c in page.comments] == ["请各单位认真整改。"]
    assert page.history == []
    late = datetime(2026, 10, 16, 9, 0)
    answer = reports.answer_report(
        s, actor(s, "liaison_hankou"), report.id, None, "已组织整改。", now=late
    )
    assert answer.late and answer.answered_at == late
    with pytest.raises(ReportError):
        reports.answer_report(s, actor(s, "head_hankou"), report.id, hankou, "再答一次", now=late)
    assert s.get(ReportAnswer, answer.id).opinion == "已组织整改。"
    # The sweep flags 武昌's missing answer once, telling the unit and CSD once.
    before = s.scalar(select(func.count()).select_from(Notification))
    assert reports.flag_missing_answers(s, now=DUE) == 0  # not past yet
    assert reports.flag_missing_answers(s, now=late) == 1
    told = s.scalar(select(func.count()).select_from(Notification)) - before
    assert told >= 2
    assert reports.flag_missing_answers(s, now=late) == 0
    assert s.scalar(select(func.count()).select_from(Notification)) - before == told
    csd_page = pages.report_page(s, actor(s, "csd"), report.id, now=late)
    assert sorted((r.answer.branch.name, r.state.value) for r in csd_page.flagged) == [
        ("武昌分公司", "missing"),
        ("汉口分公司", "late"),
    ]


def test_art40_meeting_measures_tracked_and_in_the_next_report(quarter):
    s = quarter
    hankou = branch_id(s, "hankou")
    meeting = meetings.record_meeting(
        s, actor(s, "csd"), held_on=date(2026, 9, 15), title="三季度服务例会",
        minutes="通报投诉情况。", now=datetime(2026, 9, 15, 17), submission_key="m1",
        measures=[meetings.MeasureDraft("上门服务预约制", hankou, date(2026, 10, 31)),
                  meetings.MeasureDraft("", None, None)],
    )  # fmt: skip
    (measure,) = meeting.measures
    with pytest.raises(ReportError):
        meetings.add_measure(s, actor(s, "csd"), meeting.id,
                             meetings.MeasureDraft("无单位", None, date(2026, 10, 1)),
                             submission_key="a1")  # fmt: skip
    with pytest.raises(OutOfScopeError):
        meetings.mark_done(s, actor(s, "liaison_wuchang"), measure.id, "代报")
    report = reports.generate_report(s, actor(s, "csd"), "2026-Q3", now=GENERATED)
    rows = _table(pages.report_page(s, actor(s, "csd"), report.id, now=GENERATED), "measures").rows
    assert [(r[1], r[2], r[3]) for r in rows] == [("上门服务预约制", "汉口分公司", "2026-10-31")]
    meetings.mark_done(s, actor(s, "liaison_hankou"), measure.id, "已上线预约。",
                       now=datetime(2026, 10, 20, 9))  # fmt: skip
    with pytest.raises(ReportError):
        meetings.mark_done(s, actor(s, "liaison_hankou"), measure.id, "再报")
    assert s.get(MeetingMeasure, measure.id).done_note == "已上线预约。"
    assert meetings.visible_measures(s, actor(s, "liaison_wuchang")) == []


def test_pages_print_export_and_scope(quarter, login_as):
    s = quarter
    report = _ready(s)
    report_id = report.id
    unit = login_as("liaison_hankou")
    assert unit.get(f"/quarterly-reports/show/{report_id}").status_code == 404  # a draft
    csd = login_as("csd")
    page = csd.get(f"/quarterly-reports/show/{report_id}")
    assert page.status_code == 200 and "本季度诉求平稳" in page.get_data(as_text=True)
    token = csrf_token(csd, f"/quarterly-reports/show/{report_id}")
    version = s.get(QuarterlyReport, report_id).version
    for path in ("submit", "distribute"):
        response = csd.post(f"/quarterly-reports/{path}/{report_id}",
                            data={"csrf_token": token, "version": version})  # fmt: skip
        assert response.status_code == 302
        s.expire_all()
        version = s.get(QuarterlyReport, report_id).version
    assert s.get(QuarterlyReport, report_id).status == "distributed"
    printed = csd.get(f"/quarterly-reports/print/{report_id}").get_data(as_text=True)
    # A4 with page numbers in the margin (第 N 页 / 共 M 页) and signature lines.
    assert "suqiu-report-print.css" in printed and "counter(pages)" in printed
    assert '第 " counter(page) " 页 / 共 " counter(pages) " 页' in printed
    assert "签发人（签字）" in printed
    assert "2026-Q3" in printed and "本季度诉求平稳" in printed
    exported = csd.get(f"/quarterly-reports/export/{report_id}")
    assert exported.mimetype.endswith("spreadsheetml.sheet")
    with zipfile.ZipFile(io.BytesIO(exported.get_data())) as parts:
        text = "".join(parts.read(n).decode() for n in parts.namelist())
    assert "加强上门服务培训" in text and "2026-Q3" in text
    # The unit sees the distributed report and its own answer form, not 武昌's answer row.
    html = unit.get(f"/quarterly-reports/show/{report_id}").get_data(as_text=True)
    assert "answer-form" in html and 'data-unit="武昌分公司"' not in html
    token = csrf_token(unit, f"/quarterly-reports/show/{report_id}")
    other = unit.post(f"/quarterly-reports/answer/{report_id}",
                      data={"csrf_token": token, "branch_id": branch_id(s, "wuchang"),
                            "opinion": "代答"})  # fmt: skip
    assert other.status_code == 302
    s.expire_all()
    assert s.scalar(select(func.count()).select_from(ReportAnswer).where(
        ReportAnswer.answered_at.is_not(None))) == 0  # fmt: skip
    assert login_as("handler_hankou").get("/quarterly-reports/").status_code == 403


def test_art39_a_station_owing_an_answer_is_answered_by_its_parents_liaison(db_session):
    """A valid complaint naming 汉口北营业所: the station owes the answer; 汉口's liaison (whose
    scope covers the station) hears of it and answers for it; 武昌's cannot."""
    s = db_session
    _determination(s, "hankou_north", approved=datetime(2026, 8, 3, 10))
    report = _ready(s)
    reports.submit_report(s, actor(s, "csd"), report.id, version=report.version, now=GENERATED)
    version = s.get(QuarterlyReport, report.id).version
    (owed,) = reports.distribute_report(
        s, actor(s, "csd"), report.id, version=version, now=DISTRIBUTED
    )
    station = branch_id(s, "hankou_north")
    assert owed.branch_id == station
    liaison = actor(s, "liaison_hankou").user_id
    told = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.recipient_id == liaison, Notification.category == "quarterly_report")
    )
    assert s.scalar(told) == 1
    with pytest.raises(OutOfScopeError):
        reports.answer_report(s, actor(s, "liaison_wuchang"), report.id, station, "代答")
    answer = reports.answer_report(
        s, actor(s, "liaison_hankou"), report.id, station, "营业所已整改。", now=DISTRIBUTED
    )
    assert not answer.late and answer.opinion == "营业所已整改。"


def test_art39_two_answers_at_once_one_is_kept_and_two_sweeps_flag_once(app, quarter):
    """汉口's liaison and head answer at the same moment: one opinion is kept, the other is told
    it was already given; two sweeps at once flag 武昌's missing answer once, with one notice
    per person."""
    from app.domain.errors import DomainError
    from tests.racing import at_once

    s = quarter
    report = _ready(s)
    reports.submit_report(s, actor(s, "csd"), report.id, version=report.version, now=GENERATED)
    version = s.get(QuarterlyReport, report.id).version
    reports.distribute_report(s, actor(s, "csd"), report.id, version=version, now=DISTRIBUTED)
    report_id, late = report.id, datetime(2026, 10, 16, 9)
    outcomes: list[str] = []

    def answer(username):
        def run(session):
            try:
                reports.answer_report(
                    session,
                    actor(session, username),
                    report_id,
                    None,
                    f"{username}的意见",
                    now=late,
                )
                outcomes.append("ok")
            except DomainError as exc:
                outcomes.append(str(exc))

        return run

    at_once(app, answer("liaison_hankou"), answer("head_hankou"))
    assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
    s.expire_all()
    hankou = s.scalar(select(ReportAnswer).where(ReportAnswer.branch_id == branch_id(s, "hankou")))
    assert hankou.late and hankou.opinion in ("liaison_hankou的意见", "head_hankou的意见")
    flagged = at_once(
        app,
        lambda session: reports.flag_missing_answers(session, now=late),
        lambda session: reports.flag_missing_answers(session, now=late),
    )
    assert sorted(flagged) == [0, 1]
    liaison = actor(s, "liaison_wuchang").user_id
    missing = (
        select(func.count())
        .select_from(Notification)
        .where(Notification.recipient_id == liaison, Notification.title.contains("逾期未提交"))
    )
    assert s.scalar(missing) == 1


def _distributed_with_measures(s) -> int:
    """The Q3 report distributed, following a meeting whose measures fall to 汉口 and 武昌."""
    meetings.record_meeting(
        s, actor(s, "csd"), held_on=date(2026, 9, 15), title="三季度服务例会",
        minutes="通报投诉情况。", now=datetime(2026, 9, 15, 17), submission_key="scope-1",
        measures=[meetings.MeasureDraft("汉口上门预约制", branch_id(s, "hankou"),
                                        date(2026, 10, 31)),
                  meetings.MeasureDraft("武昌回访整改", branch_id(s, "wuchang"),
                                        date(2026, 10, 31))],
    )  # fmt: skip
    report = _ready(s)
    reports.submit_report(s, actor(s, "csd"), report.id, version=report.version, now=GENERATED)
    version = s.get(QuarterlyReport, report.id).version
    reports.distribute_report(s, actor(s, "csd"), report.id, version=version, now=DISTRIBUTED)
    return report.id


def test_design1_a_unit_reads_only_its_own_units_rows_of_the_report(quarter, login_as):
    """Design §1: a distributed report's tables by unit and its Art.40 measures show 汉口's
    liaison 汉口's rows (and the company's totals, channels, categories, causes), never 武昌's,
    on the page, the print and the export; CSD, leaders and the committee see every unit."""
    s = quarter
    report_id = _distributed_with_measures(s)
    page = pages.report_page(s, actor(s, "liaison_hankou"), report_id, now=DISTRIBUTED)
    for code in ("branch", "intake_compared", "complaints_by_unit", "measures"):
        cells = [str(cell) for row in _table(page, code).rows for cell in row]
        assert not any("武昌" in cell for cell in cells), code
    assert [r[0] for r in _table(page, "complaints_by_unit").rows][:1] == ["汉口分公司"]
    assert _table(page, "complaints_by_unit").rows[-1][1] == 3  # the company's total
    assert [r[1] for r in _table(page, "measures").rows] == ["汉口上门预约制"]
    assert [r[0] for r in _table(page, "branch").rows] == ["汉口分公司", "合计"]
    assert _table(page, "comparison").rows[0][1] == "3"  # company-wide
    assert _table(page, "causes").rows  # company-wide causes stay
    unit = login_as("liaison_hankou")
    html = unit.get(f"/quarterly-reports/show/{report_id}").get_data(as_text=True)
    printed = unit.get(f"/quarterly-reports/print/{report_id}").get_data(as_text=True)
    exported = unit.get(f"/quarterly-reports/export/{report_id}")
    with zipfile.ZipFile(io.BytesIO(exported.get_data())) as parts:
        sheet = "".join(parts.read(n).decode() for n in parts.namelist())
    for text in (html, printed, sheet):
        assert "汉口上门预约制" in text and "汉口分公司" in text
        assert "武昌" not in text
    for username in ("csd", "leader", "committee"):
        seen = pages.report_page(s, actor(s, username), report_id, now=DISTRIBUTED)
        assert "武昌分公司" in [r[0] for r in _table(seen, "complaints_by_unit").rows], username
        assert [r[1] for r in _table(seen, "measures").rows] == ["汉口上门预约制", "武昌回访整改"]
        client = login_as(username)
        assert "武昌回访整改" in client.get(f"/quarterly-reports/print/{report_id}").get_data(
            as_text=True
        )


def _count(s, model, *where) -> int:
    s.expire_all()
    return s.scalar(select(func.count()).select_from(model).where(*where))


def _inbox(s, username, category) -> int:
    user = actor(s, username).user_id
    return _count(
        s, Notification, Notification.recipient_id == user, Notification.category == category
    )


def test_art40_a_meeting_or_measure_form_submitted_twice_records_it_once(quarter):
    """A double click or a resent page: the same one-time key gives the first meeting / measure,
    no second row, no second notice; a form without its key is refused, saving nothing."""
    s = quarter
    hankou = branch_id(s, "hankou")

    def record(key):
        return meetings.record_meeting(
            s, actor(s, "csd"), held_on=date(2026, 9, 15), title="三季度服务例会",
            minutes="通报投诉情况。", now=datetime(2026, 9, 15, 17), submission_key=key,
            measures=[meetings.MeasureDraft("上门服务预约制", hankou, date(2026, 10, 31))],
        )  # fmt: skip

    for key in (None, "", "k" * 65):
        with pytest.raises(ReportError):
            record(key)
    assert _count(s, ServiceMeeting) == 0
    first = record("meeting-form-1")
    told = _inbox(s, "liaison_hankou", "service_meeting")
    assert told == 1
    again = record("meeting-form-1")
    assert again.id == first.id and _count(s, ServiceMeeting) == 1
    assert _count(s, MeetingMeasure) == 1 and _inbox(s, "liaison_hankou", "service_meeting") == 1

    def add(key):
        return meetings.add_measure(
            s, actor(s, "csd"), first.id,
            meetings.MeasureDraft("回访满意度整改", hankou, date(2026, 11, 30)), submission_key=key,
        )  # fmt: skip

    with pytest.raises(ReportError):
        add(None)
    assert _count(s, MeetingMeasure) == 1
    added = add("measure-form-1")
    assert add("measure-form-1").id == added.id
    assert _count(s, MeetingMeasure) == 2 and _inbox(s, "liaison_hankou", "service_meeting") == 2


def test_art39_an_instruction_form_submitted_twice_records_one_instruction(quarter, login_as):
    s = quarter
    report = _ready(s)
    reports.submit_report(s, actor(s, "csd"), report.id, version=report.version, now=GENERATED)
    comments = (QuarterlyReportEvent.kind == "comment",)
    with pytest.raises(ReportError):
        reports.comment_report(s, actor(s, "leader"), report.id, "请抓紧。", submission_key=None)
    assert _count(s, QuarterlyReportEvent, *comments) == 0
    first = reports.comment_report(
        s, actor(s, "leader"), report.id, "请抓紧。", submission_key="comment-form-1"
    )
    told = _inbox(s, "csd", "quarterly_report")
    second = reports.comment_report(
        s, actor(s, "leader"), report.id, "请抓紧。", submission_key="comment-form-1"
    )
    assert second.id == first.id and _count(s, QuarterlyReportEvent, *comments) == 1
    assert _inbox(s, "csd", "quarterly_report") == told
    # Through the page: the form carries its key; posted twice, one 批示; without it, refused.
    client = login_as("committee")
    html = client.get(f"/quarterly-reports/show/{report.id}").get_data(as_text=True)
    key = html.split('name="submission_key" value="', 1)[1].split('"', 1)[0]
    token = csrf_token(client, f"/quarterly-reports/show/{report.id}")
    form = {"csrf_token": token, "text": "委员会批示", "submission_key": key}
    for _ in range(2):
        assert client.post(f"/quarterly-reports/comment/{report.id}", data=form).status_code == 302
    assert _count(s, QuarterlyReportEvent, *comments) == 2
    del form["submission_key"]
    refused = client.post(
        f"/quarterly-reports/comment/{report.id}", data=form, follow_redirects=True
    )
    assert "表单不完整" in refused.get_data(as_text=True)
    assert _count(s, QuarterlyReportEvent, *comments) == 2


def test_art39_one_instruction_form_racing_records_one_instruction(app, quarter):
    """Two requests of one 批示 form at the same moment: one 批示, CSD told once."""
    from tests.racing import at_once

    s = quarter
    report = _ready(s)
    reports.submit_report(s, actor(s, "csd"), report.id, version=report.version, now=GENERATED)
    report_id = report.id
    told = _inbox(s, "csd", "quarterly_report")

    def submit(session):
        return reports.comment_report(
            session, actor(session, "leader"), report_id, "请抓紧整改。",
            submission_key="r" * 32, now=GENERATED,
        ).id  # fmt: skip

    ids = at_once(app, submit, submit)
    assert len(set(ids)) == 1
    assert _count(s, QuarterlyReportEvent, QuarterlyReportEvent.kind == "comment") == 1
    assert _inbox(s, "csd", "quarterly_report") == told + 1


def test_art40_a_measure_done_is_in_the_meetings_history_and_csd_is_told_once(quarter):
    s = quarter
    meeting = meetings.record_meeting(
        s, actor(s, "csd"), held_on=date(2026, 9, 15), title="三季度服务例会",
        minutes="通报投诉情况。", now=datetime(2026, 9, 15, 17), submission_key="m-done",
        measures=[meetings.MeasureDraft("上门服务预约制", branch_id(s, "hankou"),
                                        date(2026, 10, 31))],
    )  # fmt: skip
    (measure,) = meeting.measures
    told = {u: _inbox(s, u, "service_meeting") for u in ("csd", "csd_head")}
    done_at = datetime(2026, 10, 20, 9)
    meetings.mark_done(s, actor(s, "liaison_hankou"), measure.id, "已上线预约。", now=done_at)
    with pytest.raises(ReportError):
        meetings.mark_done(s, actor(s, "head_hankou"), measure.id, "再报")
    s.expire_all()
    events = s.execute(
        select(
            ServiceMeetingEvent.kind,
            ServiceMeetingEvent.measure_id,
            ServiceMeetingEvent.branch_id,
            ServiceMeetingEvent.text,
            ServiceMeetingEvent.actor_id,
            ServiceMeetingEvent.at,
        ).where(ServiceMeetingEvent.meeting_id == meeting.id)
    ).all()
    assert events == [
        ("measure_done", measure.id, branch_id(s, "hankou"), "已上线预约。",
         actor(s, "liaison_hankou").user_id, done_at)
    ]  # fmt: skip
    assert {u: _inbox(s, u, "service_meeting") for u in told} == {u: n + 1 for u, n in told.items()}


def test_design1_a_report_generated_before_measures_carried_their_unit_is_scoped_too(quarter):
    """A snapshot whose measures name their unit only (taken before ``unit_id``): 汉口's
    liaison still reads 汉口's measures only."""
    from app.services import quarterly_report_tables as report_tables

    s = quarter
    report_id = _distributed_with_measures(s)
    data = json.loads(s.get(QuarterlyReport, report_id).snapshot)
    for measure in data["measures"]:
        del measure["unit_id"]
    scope = actor(s, "liaison_hankou").scope
    measures = next(t for t in report_tables.tables_for(data, scope) if t.code == "measures")
    assert [row[1] for row in measures.rows] == ["汉口上门预约制"]


def test_art39_an_owed_answer_follows_a_calendar_change_and_a_given_one_keeps_its_deadline(
    quarter, login_as
):
    """Distributed on Mon 2026-12-28: 5 working days run into 2027, which is not loaded yet, so
    the answer is due (provisionally) on 2027-01-05 23:59:59 (12-29, 12-30, 12-31, 01-04, 01-05;
    New Year's Day is fixed). The administrator enters 01-01 and a holiday on 01-05, then loads
    2027: the
    owed answer moves to 01-06 and is no longer provisional, the report's history says so; an
    answer already given keeps the deadline it was judged by."""
    s = quarter
    distributed = datetime(2026, 12, 28, 10, 0)
    report = _ready(s)
    reports.submit_report(s, actor(s, "csd"), report.id, version=report.version, now=GENERATED)
    version = s.get(QuarterlyReport, report.id).version
    answers = reports.distribute_report(
        s, actor(s, "csd"), report.id, version=version, now=distributed
    )
    provisional = datetime(2027, 1, 5, 23, 59, 59)
    assert {(a.due, a.due_provisional) for a in answers} == {(provisional, True)}
    wuchang = branch_id(s, "wuchang")
    reports.answer_report(
        s, actor(s, "liaison_wuchang"), report.id, wuchang, "已整改。", now=distributed
    )
    admin = login_as("admin")
    for url, data in (
        ("/calendardayview/add", {"day": "2027-01-01", "name": "元旦"}),
        ("/calendardayview/add", {"day": "2027-01-05", "name": "测试假日"}),
        ("/calendaryearview/add", {"year": "2027"}),
    ):
        response = admin.post(url, data={"csrf_token": csrf_token(admin, url), **data})
        assert response.status_code == 302, response.get_data(as_text=True)
    s.expire_all()
    due = {
        a.branch_id: (a.due, a.due_provisional)
        for a in s.scalars(select(ReportAnswer).where(ReportAnswer.report_id == report.id))
    }
    assert due == {
        branch_id(s, "hankou"): (datetime(2027, 1, 6, 23, 59, 59), False),
        wuchang: (provisional, True),
    }
    (moved,) = s.scalars(
        select(QuarterlyReportEvent).where(
            QuarterlyReportEvent.report_id == report.id,
            QuarterlyReportEvent.kind == "answer_due_moved",
        )
    ).all()
    assert "2027-01-05 23:59 → 2027-01-06 23:59" in moved.text and "不再是暂定" in moved.text
    assert moved.author.username == "admin"
    page = login_as("csd").get(f"/quarterly-reports/show/{report.id}").get_data(as_text=True)
    assert "工作日历调整，答复期限随之变更" in page
