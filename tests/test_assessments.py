"""The annual assessment (Art.41, design §3) through the database and the pages: the worked
example of design §6 among several units, computed by hand; scope (汉口 sees only its own draft
and cannot object to 武昌's entry); the objection deadline; finalising blocked by proposed
violations; the finalised snapshot unchanged by a later valid complaint; the register refusing to
change what a finalised assessment counted; reopening keeps the old version; double submits."""

from __future__ import annotations

import io
import re
from datetime import date, datetime, timedelta

import openpyxl
import pytest
from sqlalchemy import func, select

from app.domain.assessments import AssessmentError
from app.domain.clock import now as clock_now
from app.models import (
    Assessment,
    AssessmentDeduction,
    AssessmentEvent,
    AssessmentLine,
    AssessmentObjection,
    ComplaintDetermination,
    Notification,
    ViolationEntry,
    ViolationEntryEvent,
)
from app.services import assessment_figures as figures
from app.services import assessments as service
from app.services import complaints, violations
from app.services.errors import ConflictError, InvalidRecordError, OutOfScopeError
from tests.case_helpers import actor, branch_id
from tests.conftest import csrf_token
from tests.test_complaint_determination import (  # noqa: F401 — its fixture and helpers
    _invalid,
    _objected,
    _propose,
    complaint,
)

YEAR = 2025
IN_YEAR = datetime(2025, 12, 20, 9, 0)
OPENED = datetime(2026, 1, 5, 9, 0)
DEADLINE = date(2026, 1, 15)
BEFORE_DEADLINE = datetime(2026, 1, 15, 23, 0)
AFTER_DEADLINE = datetime(2026, 1, 16, 9, 0)
_keys = iter(range(10_000))


def valid_complaint(session, unit, grade, day=date(2025, 6, 3), now=IN_YEAR, key=None):
    return violations.record_complaint_entry(
        session,
        branch_id=branch_id(session, unit),
        case_id=None,
        grade=grade,
        occurred_on=day,
        determination_key=key or f"assess-test-{next(_keys)}",
        evidence="投诉属实（考核测试）",
        now=now,
    )


def breach(session, unit, cause, decision="confirm", day=date(2025, 9, 1), now=IN_YEAR):
    entry = violations.record_entry(
        session,
        actor(session, "csd"),
        cause=cause,
        branch_id=branch_id(session, unit),
        occurred_on=day,
        evidence=f"{cause} 证据（考核测试）",
        now=now,
    )
    if decision == "confirm":
        violations.confirm_entry(
            session, actor(session, "csd"), entry.id, version=entry.version, now=now
        )
    elif decision == "waive":
        violations.waive_entry(
            session,
            actor(session, "csd"),
            entry.id,
            version=entry.version,
            reason="免除",
            now=IN_YEAR,
        )
    return entry


def worked_example(session):
    """design §6 for 汉口, and 武昌 with 1 重大 and 1 confirmed Art.27."""
    assert (
        session.scalar(
            select(func.count())
            .select_from(ViolationEntry)
            .where(
                ViolationEntry.occurred_on >= date(YEAR, 1, 1),
                ViolationEntry.occurred_on < date(YEAR + 1, 1, 1),
            )
        )
        == 0
    ), "the demo data holds no register entries of the test year"
    entries = [valid_complaint(session, "hankou", "general") for _ in range(3)]
    entries.append(valid_complaint(session, "hankou", "major"))
    entries += [breach(session, "hankou", "art30"), breach(session, "hankou", "art30")]
    entries.append(breach(session, "hankou", "art26"))
    breach(session, "hankou", "art35", decision="waive")
    entries.append(valid_complaint(session, "wuchang", "major"))
    entries.append(breach(session, "wuchang", "art27"))
    return entries


def open_year(session, deadline=DEADLINE, now=OPENED):
    return service.open_for_objections(
        session, actor(session, "csd"), YEAR, deadline=deadline, lock_version=0, now=now
    )


def finalise(session, now=AFTER_DEADLINE):
    current = service.current_of(session, YEAR)
    return service.finalise(
        session, actor(session, "committee"), YEAR, lock_version=current.lock_version, now=now
    )


def lines(session, assessment_id):
    rows = session.execute(
        select(AssessmentLine.branch_id, AssessmentLine.rank, AssessmentLine.score_bp).where(
            AssessmentLine.assessment_id == assessment_id
        )
    )
    return {unit: (rank, score) for unit, rank, score in rows}


def test_art41_worked_example_finalised_with_several_units(db_session):
    worked_example(db_session)
    hankou, wuchang = branch_id(db_session, "hankou"), branch_id(db_session, "wuchang")
    live = figures.live_totals(db_session, actor(db_session, "committee"), YEAR)
    # 汉口: 100% − 3×2% − 5% − 2×2% − 1% = 84%; 武昌: 100% − 5% − 2% = 93%.
    assert live[hankou].score_bp == 8400 and live[wuchang].score_bp == 9300
    open_year(db_session)
    found = finalise(db_session)
    assert found.status == "finalised" and found.finalised_at == AFTER_DEADLINE
    stored = lines(db_session, found.id)
    north = branch_id(db_session, "hankou_north")
    assert stored[north] == (1, 10_000)  # no entry: 100%, first
    perfect = sum(1 for _, score in stored.values() if score == 10_000)  # every other unit
    assert perfect == len(stored) - 2
    assert stored[wuchang] == (perfect + 1, 9300)  # ranked after every unit at 100%
    assert stored[hankou][1] == 8400 and stored[hankou][0] == len(stored)
    counted = db_session.scalars(
        select(AssessmentDeduction.deduction_bp).where(
            AssessmentDeduction.assessment_id == found.id, AssessmentDeduction.branch_id == hankou
        )
    ).all()
    assert sorted(counted) == [100, 200, 200, 200, 200, 200, 500]  # 7 deductions, 16%


def test_art41_finalising_with_unconfirmed_proposed_violations_is_refused(db_session):
    worked_example(db_session)
    violations.record_entry(
        db_session,
        actor(db_session, "csd"),
        cause="art31",
        branch_id=branch_id(db_session, "wuchang"),
        occurred_on=date(2025, 11, 2),
        evidence="待确认（考核测试）",
        now=IN_YEAR,
    )
    open_year(db_session)
    with pytest.raises(AssessmentError, match="1 项拟定违规"):
        finalise(db_session)
    db_session.expire_all()
    found = service.current_of(db_session, YEAR)
    assert found.status == "open"
    assert db_session.scalar(select(func.count()).select_from(AssessmentLine)) == 0


def test_art41_objection_deadline_and_another_units_entry(db_session):
    entries = worked_example(db_session)
    open_year(db_session)
    liaison = actor(db_session, "liaison_hankou")
    hankou_entry, wuchang_entry = entries[4], entries[-1]  # 汉口's Art.30 entry, 武昌's Art.27
    with pytest.raises(OutOfScopeError, match="本单位"):
        service.lodge_objection(
            db_session,
            liaison,
            YEAR,
            entry_id=wuchang_entry.id,
            reason="不是我们",
            evidence=None,
            now=BEFORE_DEADLINE,
        )
    with pytest.raises(AssessmentError, match="2026-01-15"):
        service.lodge_objection(
            db_session,
            liaison,
            YEAR,
            entry_id=hankou_entry.id,
            reason="迟到的异议",
            evidence=None,
            now=AFTER_DEADLINE,
        )
    assert db_session.scalar(select(func.count()).select_from(AssessmentObjection)) == 0
    form = {
        "entry_id": hankou_entry.id,
        "reason": "客户已撤诉",
        "evidence": "撤诉书",
        "submission_key": "k1",
        "now": BEFORE_DEADLINE,
    }
    objection = service.lodge_objection(db_session, liaison, YEAR, **form)
    with pytest.raises(AssessmentError):  # the same form sent twice
        service.lodge_objection(db_session, liaison, YEAR, **form)
    assert db_session.scalar(select(func.count()).select_from(AssessmentObjection)) == 1
    # A pending objection blocks finalising; accepted, the entry is waived in the register.
    with pytest.raises(AssessmentError, match="异议"):
        finalise(db_session)
    service.answer_objection(
        db_session,
        actor(db_session, "csd"),
        objection.id,
        decision="accept",
        answer="核实已撤诉，免除。",
        version=objection.version,
        now=AFTER_DEADLINE,
    )
    db_session.expire_all()
    entry = db_session.get(ViolationEntry, hankou_entry.id)
    assert entry.status == "waived" and entry.reason == "核实已撤诉，免除。"
    notes = db_session.scalars(
        select(ViolationEntryEvent.note).where(ViolationEntryEvent.entry_id == entry.id)
    ).all()
    assert any("异议" in (n or "") for n in notes)
    found = finalise(db_session)
    waived = hankou_entry.deduction_bp  # no longer counted: 84 % plus it
    assert lines(db_session, found.id)[branch_id(db_session, "hankou")][1] == 8400 + waived


def test_art41_snapshot_unchanged_by_a_later_complaint_and_register_guarded(db_session):
    entries = worked_example(db_session)
    open_year(db_session)
    found = finalise(db_session)
    hankou = branch_id(db_session, "hankou")
    valid_complaint(db_session, "hankou", "general", day=date(2025, 12, 1))  # approved later
    live = figures.live_totals(db_session, actor(db_session, "committee"), YEAR)
    assert live[hankou].score_bp == 8200
    db_session.expire_all()
    assert lines(db_session, found.id)[hankou][1] == 8400
    # The register refuses to change an entry the finalised assessment counted.
    first = entries[0]
    key = db_session.get(ViolationEntry, first.id).dedupe_key.removeprefix("complaint:")
    with pytest.raises(InvalidRecordError, match="已定稿"):
        violations.withdraw_complaint_entry(db_session, determination_key=key, reason="改判")
    with pytest.raises(InvalidRecordError, match="已定稿"):
        violations.waive_after_objection(
            db_session, actor(db_session, "csd"), first.id, reason="补充免除"
        )
    db_session.expire_all()
    assert db_session.get(ViolationEntry, first.id).status == "confirmed"
    # Reopened, the entry may change again; version 1 keeps its figures.
    service.reopen(
        db_session,
        actor(db_session, "committee"),
        YEAR,
        reason="审计发现漏报",
        lock_version=found.lock_version,
        now=AFTER_DEADLINE,
    )
    violations.withdraw_complaint_entry(db_session, determination_key=key, reason="改判")
    db_session.expire_all()
    versions = service.versions_of(db_session, YEAR)
    assert [(v.version, v.status) for v in versions] == [(1, "reopened"), (2, "draft")]
    assert versions[0].reopen_reason == "审计发现漏报"
    assert lines(db_session, versions[0].id)[hankou][1] == 8400
    actions = db_session.scalars(
        select(AssessmentEvent.action).where(AssessmentEvent.assessment_id == versions[0].id)
    ).all()
    assert actions == ["opened", "finalised", "reopened"]


def test_art41_reopen_needs_a_reason_and_finalise_twice_is_one(db_session):
    worked_example(db_session)
    open_year(db_session)
    current = service.current_of(db_session, YEAR)
    token = current.lock_version
    committee = actor(db_session, "committee")
    service.finalise(db_session, committee, YEAR, lock_version=token, now=AFTER_DEADLINE)
    with pytest.raises(ConflictError):  # the same form, sent again
        service.finalise(db_session, committee, YEAR, lock_version=token, now=AFTER_DEADLINE)
    db_session.expire_all()
    found = service.current_of(db_session, YEAR)
    with pytest.raises(AssessmentError, match="理由"):
        service.reopen(
            db_session,
            committee,
            YEAR,
            reason="  ",
            lock_version=found.lock_version,
            now=AFTER_DEADLINE,
        )
    finalised = db_session.scalar(
        select(func.count())
        .select_from(AssessmentEvent)
        .where(AssessmentEvent.action == "finalised")
    )
    assert finalised == 1
    assert service.current_of(db_session, YEAR).status == "finalised"


# -- Pages -------------------------------------------------------------------------------------


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_pages_scope_hankou_sees_only_its_own_draft_and_cannot_object_to_wuchang(
    db_session, login_as
):
    entries = worked_example(db_session)
    now = clock_now()
    open_year(db_session, deadline=now.date() + timedelta(days=5), now=now)
    hankou, wuchang = branch_id(db_session, "hankou"), branch_id(db_session, "wuchang")
    client = login_as("liaison_hankou")
    page = _text(client.get(f"/assessments/{YEAR}"))
    assert "汉口分公司" in page and "84%" in page and "武昌分公司" not in page
    assert client.get(f"/assessments/{YEAR}/unit/{wuchang}").status_code == 404
    unit = _text(client.get(f"/assessments/{YEAR}/unit/{hankou}"))
    assert "一般有效投诉" in unit
    assert f"/violations/show/{entries[0].id}" in unit
    token = csrf_token(client, f"/assessments/{YEAR}/unit/{hankou}")
    response = client.post(
        f"/assessments/{YEAR}/object",
        data={
            "csrf_token": token,
            "entry_id": entries[-1].id,
            "reason": "不是我们的",
            "branch_id": wuchang,
        },
        follow_redirects=True,
    )
    assert "只能对本单位" in _text(response)
    assert db_session.scalar(select(func.count()).select_from(AssessmentObjection)) == 0
    response = client.post(
        f"/assessments/{YEAR}/object",
        data={
            "csrf_token": token,
            "entry_id": entries[4].id,
            "reason": "有异议",
            "branch_id": hankou,
        },
        follow_redirects=True,
    )
    assert "异议已提交" in _text(response)
    # The committee may not object, CSD may not finalise: 403.
    committee = login_as("committee")
    assert (
        committee.post(
            f"/assessments/{YEAR}/object",
            data={"csrf_token": csrf_token(committee, "/assessments/")},
        ).status_code
        == 403
    )
    csd = login_as("csd")
    assert (
        csd.post(
            f"/assessments/{YEAR}/finalise", data={"csrf_token": csrf_token(csd, "/assessments/")}
        ).status_code
        == 403
    )


def test_pages_committee_finalises_once_prints_and_exports(db_session, login_as):
    worked_example(db_session)
    open_year(db_session)  # the deadline, 2026-01-15, is long past
    client = login_as("committee")
    page = _text(client.get(f"/assessments/{YEAR}"))
    assert "84%" in page and "93%" in page and 'id="form-finalise"' in page
    found = service.current_of(db_session, YEAR)
    token = csrf_token(client, f"/assessments/{YEAR}")
    data = {"csrf_token": token, "lock_version": found.lock_version}
    done = _text(client.post(f"/assessments/{YEAR}/finalise", data=data, follow_redirects=True))
    assert "已定稿" in done
    again = _text(client.post(f"/assessments/{YEAR}/finalise", data=data, follow_redirects=True))
    assert "刚刚" in again or "已经定稿" in again
    assert db_session.scalar(select(func.count()).select_from(Assessment)) == 1
    printed = _text(client.get(f"/assessments/{YEAR}/print"))
    assert "2025 年度基础管理工作考核" in printed and "考核期间：2025-01-01" in printed
    assert "编制（客服部）" in printed and "审定（服务管理委员会）" in printed and "84%" in printed
    css = client.get("/static/css/suqiu-assessment-print.css").get_data(as_text=True)
    assert "counter(page)" in css and "counter(pages)" in css and "size: A4" in css
    export = client.get(f"/assessments/{YEAR}/export.xlsx")
    assert export.status_code == 200 and export.data[:2] == b"PK"
    book = openpyxl.load_workbook(io.BytesIO(export.data), read_only=True)
    ranked, deductions = (list(book[name].values) for name in book.sheetnames[:2])
    assert ranked[0][:2] == ("名次", "单位")
    hankou = next(row for row in ranked if row[1] == "汉口分公司")
    assert hankou[2:] == (3, 1, 3, "16%", "84%")  # 3 一般, 1 重大, 3 others: 16 % off
    assert sum(1 for row in deductions if row[0] == "汉口分公司") == 7
    for bad in (
        "/assessments/1",
        f"/assessments/{YEAR}?version=9",
        f"/assessments/{YEAR}/unit/999999",
    ):
        assert client.get(bad).status_code == 404


def test_art41_a_complaint_change_after_finalising_is_refused_and_nothing_changes(
    app,
    db_session,
    complaint,  # noqa: F811 — tests.test_complaint_determination's fixture
):
    """The shared path: a complaint determination changed after the unit's objection withdraws
    its register entry (violations.withdraw_complaint_entry); once a finalised assessment
    counted that entry, 客服部主管's approval of the change is refused and nothing changes."""
    found = _objected(app, db_session, complaint)
    changed = _propose(db_session, found, _invalid(db_session))
    (entry,) = db_session.scalars(
        select(ViolationEntry).where(ViolationEntry.case_id == complaint.id)
    ).all()
    frozen = Assessment(year=entry.occurred_on.year, version=1, status="finalised")
    db_session.add(frozen)
    db_session.flush()
    db_session.add(
        AssessmentDeduction(
            assessment_id=frozen.id,
            branch_id=entry.branch_id,
            entry_id=entry.id,
            cause=entry.cause,
            occurred_on=entry.occurred_on,
            deduction_bp=entry.deduction_bp,
        )
    )
    db_session.commit()
    with pytest.raises(InvalidRecordError, match="已定稿"):
        complaints.approve(
            db_session, actor(db_session, "csd_head"), found.id, version=changed.version
        )
    db_session.expire_all()
    assert db_session.get(ViolationEntry, entry.id).status == "confirmed"
    assert db_session.get(ComplaintDetermination, found.id).status == "change_pending"


def test_art41_a_year_not_yet_ended_is_neither_opened_nor_finalised(db_session):
    """Art.41 (review): at 2026-11-29 CSD could open 2030 (and 2026) for objections and the
    committee finalise it on 2026-12-01; both are refused until the year is over."""
    csd, committee = actor(db_session, "csd"), actor(db_session, "committee")
    for year in (2030, 2026):
        with pytest.raises(AssessmentError, match=f"{year} 年尚未结束"):
            service.open_for_objections(
                db_session,
                csd,
                year,
                deadline=date(2026, 11, 30),
                lock_version=0,
                now=datetime(2026, 11, 29, 9, 0),
            )
        assert service.current_of(db_session, year) is None
    # A version opened by other means (before the fix) cannot be finalised early either.
    early = Assessment(
        year=2030,
        version=1,
        status="open",
        objection_deadline=date(2026, 11, 30),
        created_at=datetime(2026, 11, 29, 9, 0),
    )
    db_session.add(early)
    db_session.commit()
    with pytest.raises(AssessmentError, match="2030 年尚未结束"):
        service.finalise(
            db_session,
            committee,
            2030,
            lock_version=early.lock_version,
            now=datetime(2026, 12, 1, 9, 0),
        )
    db_session.expire_all()
    assert service.current_of(db_session, 2030).status == "open"


def test_art41_art32_a_complaint_deduction_is_objected_to_on_the_complaint_page(
    db_session,
    login_as,
    complaint,  # noqa: F811 — tests.test_complaint_determination's fixture
):
    """Art.41/Art.32 (review): an objection in the assessment to a valid complaint's entry
    would waive the entry while the complaint stays valid; it is refused, pointing the unit to
    the complaint's own objection, and its row offers no objection form but that link."""
    entries = worked_example(db_session)
    now = clock_now()
    open_year(db_session, deadline=now.date() + timedelta(days=5), now=now)
    complaint_entry, breach_entry = entries[0], entries[4]
    case_id = complaint.id
    complaint_entry.case_id = case_id  # the complaint's case, whose page takes the objection
    db_session.commit()
    with pytest.raises(AssessmentError, match="认定页面提出异议（第三十二条）"):
        service.lodge_objection(
            db_session,
            actor(db_session, "liaison_hankou"),
            YEAR,
            entry_id=complaint_entry.id,
            reason="不是有效投诉",
            evidence=None,
            now=now,
        )
    assert db_session.scalar(select(func.count()).select_from(AssessmentObjection)) == 0
    client = login_as("liaison_hankou")
    page = client.get(f"/assessments/{YEAR}/unit/{branch_id(db_session, 'hankou')}")
    html = page.get_data(as_text=True)
    row = html.split(f'id="deduction-{complaint_entry.id}"')[1].split("</tr>")[0]
    assert "form-object" not in row and "object-on-complaint" in row
    assert f"/complaints/case/{case_id}" in row
    other = html.split(f'id="deduction-{breach_entry.id}"')[1].split("</tr>")[0]
    assert "form-object" in other


def test_art41_answer_without_a_decision_is_asked_for_it(db_session, login_as):
    """Art.41 (review): CSD's answer with no accept/reject chosen is told so, not that someone
    else changed the assessment; nothing is saved."""
    entries = worked_example(db_session)
    now = clock_now()
    open_year(db_session, deadline=now.date() + timedelta(days=5), now=now)
    objection = service.lodge_objection(
        db_session,
        actor(db_session, "liaison_hankou"),
        YEAR,
        entry_id=entries[4].id,
        reason="有异议",
        evidence=None,
        now=now,
    )
    client = login_as("csd")
    hankou = branch_id(db_session, "hankou")
    token = csrf_token(client, f"/assessments/{YEAR}/unit/{hankou}")
    response = client.post(
        f"/assessments/objection/{objection.id}/answer",
        data={"csrf_token": token, "answer": "已核实", "version": objection.version},
        follow_redirects=True,
    )
    page = _text(response)
    assert "请选择接受或驳回异议" in page and "刚刚" not in page
    db_session.expire_all()
    assert db_session.get(AssessmentObjection, objection.id).status == "pending"


def test_art41_entries_confirmed_after_finalising_are_shown_and_announced_once(
    db_session, login_as
):
    """Art.41 (review): a December complaint approved in January, after the year was
    finalised, is not refused and not counted by the snapshot: the finalised page, its print and
    its export warn of it with links, and the committee and CSD are told once per entry."""
    worked_example(db_session)
    open_year(db_session)
    found = finalise(db_session)
    later = datetime(2026, 1, 20, 9, 0)

    def announced():
        query = select(func.count()).where(Notification.category == "assessment")
        return db_session.scalar(query.select_from(Notification))

    assert announced() == 0
    late = valid_complaint(
        db_session, "hankou", "general", day=date(2025, 12, 1), now=later, key="late-1"
    )
    once = announced()
    assert once >= 2  # the committee and CSD
    # The same approval reported again (a second instance): no new entry, no second notice.
    again = valid_complaint(
        db_session, "hankou", "general", day=date(2025, 12, 1), now=later, key="late-1"
    )
    assert again.id == late.id and announced() == once
    other = breach(db_session, "wuchang", "art30", day=date(2025, 12, 10), now=later)
    assert announced() == 2 * once
    # An entry of another year confirmed now is not about the finalised year.
    breach(db_session, "wuchang", "art30", day=date(2026, 1, 5), now=later)
    assert announced() == 2 * once
    recipients = db_session.scalars(
        select(Notification.recipient_id).where(Notification.category == "assessment")
    ).all()
    committee, csd = actor(db_session, "committee"), actor(db_session, "csd")
    assert committee.user_id in recipients and csd.user_id in recipients
    # The snapshot is unchanged; the committee's page lists both late entries with links.
    db_session.expire_all()
    assert lines(db_session, found.id)[branch_id(db_session, "hankou")][1] == 8400
    client = login_as("committee")
    page = _text(client.get(f"/assessments/{YEAR}"))
    assert "又确认了 2 项本年度的扣分" in page and "重新打开" in page
    assert f"/violations/show/{late.id}" in page and f"/violations/show/{other.id}" in page
    printed = _text(client.get(f"/assessments/{YEAR}/print"))
    assert "又确认了 2 项本年度的扣分" in printed
    export = client.get(f"/assessments/{YEAR}/export.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(export.data), read_only=True)
    notes = [row for row in book[book.sheetnames[-1]].values]
    assert any("又确认了 2 项" in str(row[1]) for row in notes)
    # 汉口's liaison sees only its own unit's late entry.
    hankou_page = _text(login_as("liaison_hankou").get(f"/assessments/{YEAR}"))
    assert "又确认了 1 项本年度的扣分" in hankou_page
    assert f"/violations/show/{other.id}" not in hankou_page
    # Reopened, the year is live again: no warning.
    service.reopen(
        db_session,
        committee,
        YEAR,
        reason="计入迟到的扣分",
        lock_version=found.lock_version,
        now=later,
    )
    assert "又确认了" not in _text(client.get(f"/assessments/{YEAR}"))
