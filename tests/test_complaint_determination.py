"""投诉认定 through the database (Art.8/9/32, Art.41, Art.23; design §3): CSD investigates a
投诉 case and determines it with evidence, 客服部主管 approves or sends it back, only an approved
determination counts — in the violation register and, for a major one, in the committee's
review — the responsible unit objects once within its window, CSD upholds or changes it and the
earlier one stays in the history. Bad input leaves nothing saved."""

from __future__ import annotations

import io
import json
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.domain.complaints import DeterminationError
from app.models import (
    Case,
    ComplaintDetermination,
    ComplaintDeterminationEvent,
    ComplaintEvidence,
    ComplaintObjection,
    MajorMatter,
    Notification,
    SuqiuUser,
    ViolationEntry,
)
from app.services import complaints
from app.services.complaint_files import Upload, Uploads
from app.services.complaint_page import determination_page, queue_counts, queue_rows
from app.services.complaints import DeterminationForm, IncompleteDeterminationError
from app.services.errors import (
    ConflictError,
    InvalidRecordError,
    OutOfScopeError,
    PermissionDeniedError,
)
from tests.case_helpers import act, actor, branch_id, gen_case
from tests.conftest import csrf_token
from tests.racing import at_once

RECEIVED = datetime(2026, 9, 28, 9, 0)  # a Monday
INVESTIGATED = datetime(2026, 9, 29, 9, 0)
APPROVED = datetime(2026, 9, 29, 10, 0)  # Tue: 5 working days across National Day → 10-12
OBJECTION_DUE = datetime(2026, 10, 12, 23, 59, 59)
PDF = b"%PDF-1.4\n% investigation\n"


@pytest.fixture
def complaint(db_session):
    """A 投诉 case dispatched to 汉口 and signed for."""
    case = gen_case(db_session, kind="complaint", received=RECEIVED, now=RECEIVED)
    moment = datetime(2026, 9, 28, 10, 0)
    act(db_session, "csd", case, "dispatch", branch_id=branch_id(db_session, "hankou"), now=moment)
    act(db_session, "liaison_hankou", case, "sign_for", now=moment)
    return db_session.get(Case, case.id)


def uploads(app, *names: str) -> Uploads:
    files = [Upload(name, io.BytesIO(PDF)) for name in names]
    return Uploads(files, app.config["UPLOAD_FOLDER"], app.config["SUQIU_MAX_ATTACHMENT_BYTES"])


def user_id(session, username: str) -> int:
    return session.scalar(select(SuqiuUser.id).where(SuqiuUser.username == username))


def general(session, unit="hankou", **changes) -> DeterminationForm:
    """一般有效投诉, 服务态度差, the unit responsible."""
    fields = {
        "determination": "valid",
        "findings": "调取录音核实：维修人员未按约定时间上门，且言语生硬，情况属实。",
        "breach_category": "attitude",
        "grade": "general",
        "criteria": (),
        "branch_id": branch_id(session, unit),
        "responsibility": "unit",
        **changes,
    }
    return DeterminationForm(**fields)


def submitted(app, session, case, form=None, files=("调查录音.pdf",)) -> ComplaintDetermination:
    return complaints.save_draft(
        session,
        actor(session, "csd"),
        case.id,
        form or general(session),
        version=None,
        uploads=uploads(app, *files),
        submit=True,
        now=INVESTIGATED,
    )


def approved(app, session, case, form=None) -> ComplaintDetermination:
    found = submitted(app, session, case, form)
    return complaints.approve(
        session, actor(session, "csd_head"), found.id, version=found.version, now=APPROVED
    )


def count(session, model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def register_entries(session, case_id) -> list[ViolationEntry]:
    session.expire_all()
    query = select(ViolationEntry).where(ViolationEntry.case_id == case_id)
    return list(session.scalars(query.order_by(ViolationEntry.id)))


def history(session, found) -> list[str]:
    session.expire_all()
    query = (
        select(ComplaintDeterminationEvent.action)
        .where(ComplaintDeterminationEvent.determination_id == found.id)
        .order_by(ComplaintDeterminationEvent.id)
    )
    return list(session.scalars(query))


def inbox(session, username: str, case=None) -> list[str]:
    """The titles of the user's notifications (about ``case`` only, when given)."""
    query = select(Notification.title).where(
        Notification.recipient_id == user_id(session, username)
    )
    if case is not None:
        query = query.where(Notification.title.startswith(case.number))
    return list(session.scalars(query))


# -- Investigation and submission (Art.32) ------------------------------------------------------


def test_art32_csd_saves_the_investigation_then_submits_it_with_its_evidence(
    app, db_session, complaint
):
    csd = actor(db_session, "csd")
    draft = complaints.save_draft(
        db_session,
        csd,
        complaint.id,
        DeterminationForm(findings="已调取通话录音，待核实。"),
        version=None,
        uploads=uploads(app, "通话录音.pdf"),
        now=INVESTIGATED,
    )
    assert draft.status == "draft" and draft.investigated_by_id == csd.user_id
    (evidence,) = db_session.scalars(select(ComplaintEvidence)).all()[-1:]
    assert evidence.original_name == "通话录音.pdf" and evidence.purpose == "investigation"
    found = complaints.save_draft(
        db_session, csd, complaint.id, general(db_session), version=draft.version, submit=True
    )
    assert found.status == "pending_approval" and found.submitted_at is not None
    assert history(db_session, found) == ["open", "save", "save", "submit"]
    assert any("待审批" in title for title in inbox(db_session, "csd_head", complaint))
    assert count(db_session, ViolationEntry, ViolationEntry.case_id == complaint.id) == 0


def test_art32_a_determination_without_evidence_is_refused_and_nothing_is_saved(
    db_session, complaint
):
    with pytest.raises(IncompleteDeterminationError, match="证据") as refused:
        complaints.save_draft(
            db_session,
            actor(db_session, "csd"),
            complaint.id,
            general(db_session),
            version=None,
            submit=True,
        )
    assert set(refused.value.problems) == {"evidence"}
    assert count(db_session, ComplaintDetermination) == _demo_determinations(db_session)
    assert not db_session.scalar(
        select(ComplaintDetermination).where(ComplaintDetermination.case_id == complaint.id)
    )


def _demo_determinations(session) -> int:
    """The demo's determinations (app/demo_complaints.py), on other cases."""
    return session.scalar(select(func.count()).select_from(ComplaintDetermination))


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"findings": "  "}, "findings", "调查"),
        ({"determination": ""}, "determination", "有效"),
        (
            {"determination": "invalid", "breach_category": None, "grade": None},
            "invalid_reason",
            "无效",
        ),
        ({"breach_category": None}, "breach_category", "第八条"),
    ],
)
def test_art8_art32_a_determination_without_findings_decision_or_reason_is_refused(
    app, db_session, complaint, changes, field, message
):
    """Art.8/32: the findings, 有效/无效, and the reason (the rule broken, or why invalid)."""
    fields = dict(changes)
    if fields.get("determination") == "invalid":
        fields.update(responsibility=None, branch_id=None)
    with pytest.raises(IncompleteDeterminationError) as refused:
        submitted(app, db_session, complaint, general(db_session, **fields))
    assert field in refused.value.problems and message in refused.value.problems[field]
    assert complaints.determination_of_case(db_session, complaint.id) is None


def test_art9_a_major_grade_without_its_criteria_is_refused(app, db_session, complaint):
    only_attention = general(db_session, grade="major", criteria=("media_attention",))
    with pytest.raises(IncompleteDeterminationError, match="第九条") as refused:
        submitted(app, db_session, complaint, only_attention)
    assert set(refused.value.problems) == {"criteria"}
    assert complaints.determination_of_case(db_session, complaint.id) is None


def test_art8_only_complaint_cases_are_determined(app, db_session):
    business = gen_case(db_session, kind="business", received=RECEIVED, now=RECEIVED)
    with pytest.raises(InvalidRecordError, match="投诉"):
        submitted(app, db_session, business)


def test_art23_a_personal_cause_names_an_employee_of_the_responsible_unit(
    app, db_session, complaint
):
    """Art.23/42: the unit assesses the person a personal cause names: one of its own."""
    stranger = general(
        db_session,
        responsibility="personal",
        employee_id=user_id(db_session, "handler_wuchang"),
        personal_cause="言语生硬。",
    )
    with pytest.raises(InvalidRecordError, match="责任单位"):
        submitted(app, db_session, complaint, stranger)
    own = general(
        db_session,
        responsibility="personal",
        employee_id=user_id(db_session, "handler_hankou"),
        personal_cause="言语生硬，未按约定时间上门。",
    )
    found = submitted(app, db_session, complaint, own)
    assert found.employee_id == user_id(db_session, "handler_hankou")
    assert found.personal_cause == "言语生硬，未按约定时间上门。"


def test_bad_codes_in_the_form_are_refused(app, db_session, complaint):
    with pytest.raises(InvalidRecordError, match="无效"):
        submitted(app, db_session, complaint, general(db_session, grade="enormous"))
    assert complaints.determination_of_case(db_session, complaint.id) is None


def test_art32_a_rejected_file_keeps_nothing(app, db_session, complaint):
    bad = Uploads(
        [Upload("说明.exe", io.BytesIO(b"MZ"))],
        app.config["UPLOAD_FOLDER"],
        app.config["SUQIU_MAX_ATTACHMENT_BYTES"],
    )
    with pytest.raises(Exception, match="只能"):
        complaints.save_draft(
            db_session,
            actor(db_session, "csd"),
            complaint.id,
            general(db_session),
            version=None,
            uploads=bad,
        )
    assert complaints.determination_of_case(db_session, complaint.id) is None


# -- Approval (design §3) -----------------------------------------------------------------------


def test_design_s3_a_branch_user_or_csd_staff_cannot_approve(app, db_session, complaint):
    found = submitted(app, db_session, complaint)
    for username in ("liaison_hankou", "head_hankou", "csd"):
        with pytest.raises(PermissionDeniedError):
            complaints.approve(
                db_session, actor(db_session, username), found.id, version=found.version
            )
    db_session.expire_all()
    assert db_session.get(ComplaintDetermination, found.id).status == "pending_approval"
    assert register_entries(db_session, complaint.id) == []


def test_art41_approval_of_a_general_valid_complaint_enters_the_register_at_2_percent(
    app, db_session, complaint
):
    found = approved(app, db_session, complaint)
    assert found.status == "approved" and found.approved_at == APPROVED
    assert found.approved_by_id == user_id(db_session, "csd_head")
    (entry,) = register_entries(db_session, complaint.id)
    assert (entry.cause, entry.status, entry.deduction_bp) == (
        "complaint_general",
        "confirmed",
        200,
    )
    assert entry.branch_id == branch_id(db_session, "hankou")
    assert entry.occurred_on == date(2026, 9, 28)  # the day the complaint was received
    assert entry.evidence == found.findings and complaint.number in entry.events[0].note
    assert count(db_session, MajorMatter, MajorMatter.case_id == complaint.id) == 0
    for username in ("liaison_hankou", "head_hankou"):
        assert any("认定已批准" in t for t in inbox(db_session, username, complaint)), username
    assert inbox(db_session, "liaison_wuchang", complaint) == []


def test_art32_the_objection_window_runs_five_working_days_across_national_day(
    app, db_session, complaint
):
    found = approved(app, db_session, complaint)
    assert found.objection_due == OBJECTION_DUE
    body = db_session.scalar(
        select(Notification.body).where(
            Notification.recipient_id == user_id(db_session, "liaison_hankou"),
            Notification.title == f"{complaint.number} 投诉认定已批准",
        )
    )
    assert "2026-10-12 23:59" in body


def test_art9_approval_of_a_major_complaint_opens_the_committee_review_at_5_percent(
    app, db_session, complaint
):
    major = general(
        db_session,
        grade="major",
        criteria=("government_attention", "company_image"),
    )
    found = approved(app, db_session, complaint, major)
    (entry,) = register_entries(db_session, complaint.id)
    assert (entry.cause, entry.deduction_bp) == ("complaint_major", 500)
    matter = db_session.scalar(select(MajorMatter).where(MajorMatter.case_id == complaint.id))
    assert matter is not None and "major_complaint" in matter.triggers
    assert found.criteria_set == {"government_attention", "company_image"}


def test_art32_an_invalid_complaint_counts_nothing(app, db_session, complaint):
    invalid = DeterminationForm(
        determination="invalid",
        findings="经核实，客户所述维修人员系第三方施工单位人员，非本公司员工。",
        invalid_reason="outside_scope",
        branch_id=branch_id(db_session, "hankou"),
    )
    found = approved(app, db_session, complaint, invalid)
    assert found.status == "approved" and found.objection_due is None
    assert register_entries(db_session, complaint.id) == []


def test_design_s3_send_back_needs_a_reason_and_returns_the_draft(app, db_session, complaint):
    found = submitted(app, db_session, complaint)
    head = actor(db_session, "csd_head")
    with pytest.raises(InvalidRecordError, match="退回"):
        complaints.send_back(db_session, head, found.id, version=found.version, reason=" ")
    back = complaints.send_back(
        db_session, head, found.id, version=found.version, reason="请补充当事人笔录。"
    )
    assert back.status == "sent_back"
    assert any("退回" in t for t in inbox(db_session, "csd", complaint))
    again = complaints.save_draft(
        db_session,
        actor(db_session, "csd"),
        complaint.id,
        general(db_session),
        version=back.version,
        uploads=uploads(app, "当事人笔录.pdf"),
        submit=True,
    )
    assert again.status == "pending_approval"


def test_design_s3_a_stale_form_is_refused(app, db_session, complaint):
    found = submitted(app, db_session, complaint)
    stale = found.version - 1
    with pytest.raises(ConflictError, match="其他人"):
        complaints.approve(db_session, actor(db_session, "csd_head"), found.id, version=stale)
    with pytest.raises(ConflictError):
        complaints.save_draft(
            db_session, actor(db_session, "csd"), complaint.id, general(db_session), version=stale
        )
    db_session.expire_all()
    assert db_session.get(ComplaintDetermination, found.id).status == "pending_approval"


def test_art32_a_second_determination_racing_the_first_fails_cleanly(app, db_session, complaint):
    """Two CSD staff start the determination of one case at the same moment: one determination,
    the other told in Chinese that the case already has one."""
    outcomes: list[str] = []

    def start(username):
        def run(session):
            try:
                complaints.save_draft(
                    session,
                    actor(session, username),
                    complaint.id,
                    DeterminationForm(findings=f"{username}的调查记录"),
                    version=None,
                    now=INVESTIGATED,
                )
                outcomes.append("ok")
            except ConflictError as exc:
                outcomes.append(str(exc))

        return run

    at_once(app, start("csd"), start("csd_head"))
    assert sorted(o == "ok" for o in outcomes) == [False, True], outcomes
    assert "已有投诉认定" in next(o for o in outcomes if o != "ok")
    assert (
        count(db_session, ComplaintDetermination, ComplaintDetermination.case_id == complaint.id)
        == 1
    )
    found = complaints.determination_of_case(db_session, complaint.id)
    assert history(db_session, found) == ["open", "save"]


# -- Scope (design §1) ------------------------------------------------------------------------


def test_design_s1_a_unit_sees_only_approved_determinations_naming_it(app, db_session, complaint):
    found = submitted(app, db_session, complaint)
    hankou, wuchang = actor(db_session, "liaison_hankou"), actor(db_session, "liaison_wuchang")
    with pytest.raises(OutOfScopeError):
        complaints.visible_determination(db_session, hankou, found.id)
    page = determination_page(db_session, hankou, complaint.id, APPROVED)
    assert page.determination is None and not page.may_object
    found = complaints.approve(
        db_session, actor(db_session, "csd_head"), found.id, version=found.version, now=APPROVED
    )
    assert complaints.visible_determination(db_session, hankou, found.id).id == found.id
    with pytest.raises(OutOfScopeError):
        complaints.visible_determination(db_session, wuchang, found.id)
    with pytest.raises(OutOfScopeError):
        determination_page(db_session, wuchang, complaint.id, APPROVED)
    rows, _ = queue_rows(db_session, wuchang, "all", APPROVED)
    assert complaint.id not in {row.case.id for row in rows}
    rows, _ = queue_rows(db_session, hankou, "open_to_objection", APPROVED)
    assert complaint.id in {row.case.id for row in rows}
    with pytest.raises(PermissionDeniedError):
        queue_rows(db_session, hankou, "to_determine", APPROVED)


def test_queues_count_what_awaits_each_step(app, db_session, complaint):
    csd, head = actor(db_session, "csd"), actor(db_session, "csd_head")
    before = queue_counts(db_session, head, APPROVED)
    found = submitted(app, db_session, complaint)
    after = queue_counts(db_session, head, APPROVED)
    assert after["pending_approval"] == before["pending_approval"] + 1
    assert after["to_determine"] == before["to_determine"] - 1
    rows, _ = queue_rows(db_session, csd, "pending_approval", APPROVED)
    assert found.id in {row.determination.id for row in rows}


# -- Objection and answer ------------------------------------------------------------------------


def objection(session, found, username="liaison_hankou", now=datetime(2026, 10, 9, 9, 0)):
    return complaints.lodge_objection(
        session,
        actor(session, username),
        found.id,
        version=found.version,
        reason="当日系客户临时改约，维修人员已电话告知，有通话记录为证。",
        evidence="见附件通话记录。",
        now=now,
    )


def test_art32_the_unit_objects_within_its_window_and_csd_upholds(app, db_session, complaint):
    found = approved(app, db_session, complaint)
    with pytest.raises(OutOfScopeError):
        objection(db_session, found, "liaison_wuchang")
    with pytest.raises(PermissionDeniedError):
        objection(db_session, found, "csd")
    lodged = objection(db_session, found, "head_hankou")
    assert lodged.branch_id == branch_id(db_session, "hankou")
    db_session.expire_all()
    found = db_session.get(ComplaintDetermination, found.id)
    assert found.status == "objected"
    assert any("异议" in t for t in inbox(db_session, "csd", complaint))
    upheld = complaints.answer_objection(
        db_session,
        actor(db_session, "csd"),
        found.id,
        version=found.version,
        change=False,
        answer="通话记录显示未告知客户，维持原认定。",
    )
    assert upheld.status == "upheld"
    assert [e.status for e in register_entries(db_session, complaint.id)] == ["confirmed"]
    assert any("维持" in t for t in inbox(db_session, "liaison_hankou", complaint))
    row = db_session.scalar(
        select(ComplaintObjection).where(ComplaintObjection.determination_id == found.id)
    )
    assert row.outcome == "uphold" and row.answered_by_id == user_id(db_session, "csd")


def test_art32_an_objection_after_its_deadline_is_refused_and_nothing_saved(
    app, db_session, complaint
):
    found = approved(app, db_session, complaint)
    late = datetime(2026, 10, 13, 0, 0)
    with pytest.raises(DeterminationError, match="2026-10-12 23:59"):
        objection(db_session, found, now=late)
    db_session.expire_all()
    assert db_session.get(ComplaintDetermination, found.id).status == "approved"
    assert (
        count(db_session, ComplaintObjection, ComplaintObjection.determination_id == found.id) == 0
    )
    objection(db_session, found, now=OBJECTION_DUE)  # the last second still counts


def test_art32_an_objection_needs_a_reason_and_comes_once(app, db_session, complaint):
    found = approved(app, db_session, complaint)
    with pytest.raises(InvalidRecordError, match="理由"):
        complaints.lodge_objection(
            db_session,
            actor(db_session, "liaison_hankou"),
            found.id,
            version=found.version,
            reason="",
            now=datetime(2026, 10, 9),
        )
    objection(db_session, found)
    db_session.expire_all()
    found = db_session.get(ComplaintDetermination, found.id)
    with pytest.raises(DeterminationError):
        objection(db_session, found)


def test_art41_a_changed_determination_keeps_the_earlier_one_and_the_register_follows(
    app, db_session, complaint
):
    """Changed to invalid: the 2 % entry is waived (kept, counting nothing) and the earlier
    determination stays in the history."""
    found = approved(app, db_session, complaint)
    objection(db_session, found)
    db_session.expire_all()
    found = db_session.get(ComplaintDetermination, found.id)
    invalid = DeterminationForm(
        determination="invalid",
        findings="通话记录证实客户临时改约，投诉不属实。",
        invalid_reason="not_true",
        branch_id=branch_id(db_session, "hankou"),
    )
    changed = complaints.answer_objection(
        db_session,
        actor(db_session, "csd"),
        found.id,
        version=found.version,
        change=True,
        answer="采纳异议，变更为无效投诉。",
        form=invalid,
    )
    assert (changed.status, changed.determination) == ("change_pending", "valid")
    changed = complaints.approve(
        db_session, actor(db_session, "csd_head"), found.id, version=changed.version
    )
    assert (changed.status, changed.determination) == ("changed", "invalid")
    (entry,) = register_entries(db_session, complaint.id)
    assert entry.status == "waived" and "异议" in entry.reason
    snapshot = db_session.scalar(
        select(ComplaintDeterminationEvent.snapshot).where(
            ComplaintDeterminationEvent.determination_id == found.id,
            ComplaintDeterminationEvent.action == "approve_change",
        )
    )
    earlier = json.loads(snapshot)
    assert (earlier["determination"], earlier["grade"], earlier["breach_category"]) == (
        "valid",
        "general",
        "attitude",
    )
    page = determination_page(
        db_session, actor(db_session, "liaison_hankou"), complaint.id, APPROVED
    )
    assert [item.earlier for item in page.history if item.earlier] == [earlier]


def test_art41_a_change_of_grade_replaces_the_entry(app, db_session, complaint):
    found = approved(app, db_session, complaint)
    objection(db_session, found)
    db_session.expire_all()
    found = db_session.get(ComplaintDetermination, found.id)
    major = general(db_session, grade="major", criteria=("media_attention", "company_image"))
    pending = complaints.answer_objection(
        db_session,
        actor(db_session, "csd"),
        found.id,
        version=found.version,
        change=True,
        answer="经复核，媒体已报道，影响公司形象，变更为重大有效投诉。",
        form=major,
    )
    assert count(db_session, MajorMatter, MajorMatter.case_id == complaint.id) == 0
    complaints.approve(db_session, actor(db_session, "csd_head"), found.id, version=pending.version)
    entries = register_entries(db_session, complaint.id)
    assert [(e.cause, e.status, e.deduction_bp) for e in entries] == [
        ("complaint_general", "waived", 200),
        ("complaint_major", "confirmed", 500),
    ]
    assert count(db_session, MajorMatter, MajorMatter.case_id == complaint.id) == 1


def test_art32_a_change_is_checked_like_any_determination(app, db_session, complaint):
    found = approved(app, db_session, complaint)
    objection(db_session, found)
    db_session.expire_all()
    found = db_session.get(ComplaintDetermination, found.id)
    csd = actor(db_session, "csd")
    for form, message in (
        (general(db_session, grade="major"), "第九条"),
        (general(db_session), "维持"),
    ):
        with pytest.raises(InvalidRecordError, match=message):
            complaints.answer_objection(
                db_session,
                csd,
                found.id,
                version=found.version,
                change=True,
                answer="变更",
                form=form,
            )
    db_session.expire_all()
    assert db_session.get(ComplaintDetermination, found.id).status == "objected"
    assert [e.status for e in register_entries(db_session, complaint.id)] == ["confirmed"]


# -- Pages -----------------------------------------------------------------------------------


def test_the_page_and_its_forms_through_the_browser_client(app, db_session, complaint, login_as):
    url = f"/complaints/case/{complaint.id}"
    csd = login_as("csd")
    page = csd.get(url).get_data(as_text=True)
    assert complaint.number in page and 'id="form-determination"' in page
    refused = csd.post(
        f"{url}/save",
        data={
            "csrf_token": csrf_token(csd, url),
            "version": "",
            "determination": "valid",
            "findings": "核实属实。",
            "breach_category": "attitude",
            "grade": "major",
            "branch_id": str(branch_id(db_session, "hankou")),
            "responsibility": "unit",
            "submit": "1",
        },
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "第九条" in text and "核实属实。" in text
    assert complaints.determination_of_case(db_session, complaint.id) is None
    saved = csd.post(
        f"{url}/save",
        data={
            "csrf_token": csrf_token(csd, url),
            "version": "",
            "determination": "valid",
            "findings": "核实属实。",
            "breach_category": "attitude",
            "grade": "general",
            "branch_id": str(branch_id(db_session, "hankou")),
            "responsibility": "unit",
            "submit": "1",
            "evidence": (io.BytesIO(PDF), "现场照片说明.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert saved.status_code == 302
    found = complaints.determination_of_case(db_session, complaint.id)
    assert found.status == "pending_approval"
    evidence = db_session.scalar(
        select(ComplaintEvidence).where(ComplaintEvidence.determination_id == found.id)
    )
    download = csd.get(f"/complaints/evidence/{evidence.id}")
    assert download.status_code == 200 and download.data == PDF
    assert "filename*=UTF-8''" in download.headers["Content-Disposition"]
    liaison = login_as("liaison_hankou")
    assert complaint.number in liaison.get(url).get_data(as_text=True)
    assert liaison.get(f"/complaints/evidence/{evidence.id}").status_code == 404  # not approved
    refused = liaison.post(
        f"{url}/approve",
        data={"csrf_token": csrf_token(liaison, "/complaints/"), "version": found.version},
    )
    assert refused.status_code == 403
    head = login_as("csd_head")
    approved_ = head.post(
        f"{url}/approve",
        data={"csrf_token": csrf_token(head, url), "version": found.version, "decision": "approve"},
        follow_redirects=True,
    )
    assert "一般有效投诉" in approved_.get_data(as_text=True)
    assert liaison.get(f"/complaints/evidence/{evidence.id}").status_code == 200
    wuchang = login_as("liaison_wuchang")
    assert wuchang.get(url).status_code == 404
    assert wuchang.get(f"/complaints/evidence/{evidence.id}").status_code == 404
    case_page = csd.get(f"/cases/show/{complaint.id}").get_data(as_text=True)
    assert f"/complaints/case/{complaint.id}" in case_page


# -- A change counts once 客服部主管 approves it (design §3, review of issue 8) -----------------


def _objected(app, session, complaint, form=None):
    found = approved(app, session, complaint, form)
    objection(session, found)
    session.expire_all()
    return session.get(ComplaintDetermination, found.id)


def _propose(session, found, form, username="csd", answer="采纳异议，拟变更认定。"):
    return complaints.answer_objection(
        session,
        actor(session, username),
        found.id,
        version=found.version,
        change=True,
        answer=answer,
        form=form,
        now=datetime(2026, 10, 12, 9, 0),
    )


def _invalid(session) -> DeterminationForm:
    return DeterminationForm(
        determination="invalid",
        findings="通话记录证实客户临时改约，投诉不属实。",
        invalid_reason="not_true",
        branch_id=branch_id(session, "hankou"),
    )


def test_design_s3_a_change_counts_only_once_the_head_approves_it(app, db_session, complaint):
    """Design §3: only an approved determination counts — a CSD clerk's change after an
    objection waits for 客服部主管 (变更待审批) while the earlier one keeps counting; approved,
    the register follows exactly once and the earlier determination stays in the history."""
    personal = general(
        db_session,
        responsibility="personal",
        employee_id=user_id(db_session, "handler_hankou"),
        personal_cause="言语生硬。",
    )
    found = _objected(app, db_session, complaint, personal)
    pending = _propose(db_session, found, _invalid(db_session))
    db_session.expire_all()
    row = db_session.get(ComplaintDetermination, found.id)
    # The earlier approved determination still counts: the row (read by the staff ratings),
    # the register entry, the unit's view.
    assert row.status == "change_pending"
    assert (row.determination, row.grade, row.employee_id) == (
        "valid",
        "general",
        user_id(db_session, "handler_hankou"),
    )
    assert [e.status for e in register_entries(db_session, complaint.id)] == ["confirmed"]
    assert any("变更待审批" in t for t in inbox(db_session, "csd_head", complaint))
    unit = determination_page(
        db_session, actor(db_session, "liaison_hankou"), complaint.id, APPROVED
    )
    assert unit.determination is not None and unit.proposal is None
    assert "change" not in [item.event.action for item in unit.history]
    assert unit.objections[0].outcome is None  # no final answer yet
    head_page = determination_page(
        db_session, actor(db_session, "csd_head"), complaint.id, APPROVED
    )
    assert head_page.may_approve and head_page.proposal["determination"] == "invalid"
    rows, _ = queue_rows(db_session, actor(db_session, "csd_head"), "pending_approval", APPROVED)
    assert found.id in {r.determination.id for r in rows}

    changed = complaints.approve(
        db_session,
        actor(db_session, "csd_head"),
        found.id,
        version=pending.version,
        now=datetime(2026, 10, 13, 9, 0),
    )
    assert (changed.status, changed.determination, changed.employee_id) == (
        "changed",
        "invalid",
        None,
    )
    assert changed.approved_by_id == user_id(db_session, "csd_head")
    (entry,) = register_entries(db_session, complaint.id)
    assert entry.status == "waived" and len(entry.events) == 2  # confirmed once, waived once
    with pytest.raises((ConflictError, DeterminationError)):
        complaints.approve(
            db_session, actor(db_session, "csd_head"), found.id, version=changed.version
        )
    assert [e.status for e in register_entries(db_session, complaint.id)] == ["waived"]
    assert history(db_session, found)[-3:] == ["object", "change", "approve_change"]
    db_session.expire_all()
    row = db_session.get(ComplaintObjection, unit.objections[0].id)
    assert (row.outcome, row.answered_by_id) == ("change", user_id(db_session, "csd"))


def test_design_s3_a_change_sent_back_leaves_the_earlier_determination_and_reopens_the_objection(
    app, db_session, complaint
):
    found = _objected(app, db_session, complaint)
    pending = _propose(db_session, found, _invalid(db_session))
    head = actor(db_session, "csd_head")
    back = complaints.send_back(
        db_session, head, found.id, version=pending.version, reason="证据不足，请补充后再议。"
    )
    assert (back.status, back.determination) == ("objected", "valid")
    assert [e.status for e in register_entries(db_session, complaint.id)] == ["confirmed"]
    assert any("变更被退回" in t for t in inbox(db_session, "csd", complaint))
    upheld = complaints.answer_objection(
        db_session,
        actor(db_session, "csd"),
        found.id,
        version=back.version,
        change=False,
        answer="复核后维持原认定。",
    )
    assert upheld.status == "upheld"
    assert [e.status for e in register_entries(db_session, complaint.id)] == ["confirmed"]


def test_design_s3_four_eyes_the_head_may_not_approve_what_they_investigated_or_submitted(
    app, db_session, complaint
):
    """Design §3: 客服部主管 approves another person's determination — and change."""
    head, admin = actor(db_session, "csd_head"), actor(db_session, "admin")
    found = complaints.save_draft(
        db_session,
        head,
        complaint.id,
        general(db_session),
        version=None,
        uploads=uploads(app, "调查录音.pdf"),
        submit=True,
        now=INVESTIGATED,
    )
    with pytest.raises(DeterminationError, match="双人复核"):
        complaints.approve(db_session, head, found.id, version=found.version, now=APPROVED)
    page = determination_page(db_session, head, complaint.id, APPROVED)
    assert page.approval_refused and "双人复核" in page.approval_refused
    db_session.expire_all()
    assert db_session.get(ComplaintDetermination, found.id).status == "pending_approval"
    assert register_entries(db_session, complaint.id) == []
    found = complaints.approve(db_session, admin, found.id, version=found.version, now=APPROVED)
    assert found.status == "approved"
    objection(db_session, found)
    db_session.expire_all()
    found = db_session.get(ComplaintDetermination, found.id)
    pending = _propose(db_session, found, _invalid(db_session), username="csd")
    with pytest.raises(DeterminationError, match="双人复核"):  # still the investigator
        complaints.approve(db_session, head, found.id, version=pending.version)
    db_session.expire_all()
    assert db_session.get(ComplaintDetermination, found.id).status == "change_pending"
    assert [e.status for e in register_entries(db_session, complaint.id)] == ["confirmed"]


def test_design_s3_four_eyes_the_proposer_of_a_change_may_not_approve_it(
    app, db_session, complaint
):
    found = _objected(app, db_session, complaint)
    pending = _propose(db_session, found, _invalid(db_session), username="csd_head")
    with pytest.raises(DeterminationError, match="双人复核"):
        complaints.approve(
            db_session, actor(db_session, "csd_head"), found.id, version=pending.version
        )
    changed = complaints.approve(
        db_session, actor(db_session, "admin"), found.id, version=pending.version
    )
    assert changed.status == "changed"


def _file_upload(app, name):
    return uploads(app, name)


def test_art32_a_change_naming_another_unit_gives_it_its_own_objection(app, db_session, complaint):
    """The approved change names 武昌: 武昌 gets its own window from the approval and objects
    once; it never sees 汉口's objection (reason, files). 汉口 keeps seeing the history of its
    own objection up to the approved change, and nothing of 武昌's objection."""
    found = approved(app, db_session, complaint)
    hankou_objection = complaints.lodge_objection(
        db_session,
        actor(db_session, "liaison_hankou"),
        found.id,
        version=found.version,
        reason="该片区已于上月移交武昌分公司管理。",
        uploads=uploads(app, "汉口移交文件.pdf"),
        now=datetime(2026, 10, 9, 9, 0),
    )
    db_session.expire_all()
    found = db_session.get(ComplaintDetermination, found.id)
    pending = _propose(db_session, found, general(db_session, unit="wuchang"))
    change_approved = datetime(2026, 10, 13, 9, 0)  # Tue → 5 working days: Tue 10-20
    changed = complaints.approve(
        db_session,
        actor(db_session, "csd_head"),
        found.id,
        version=pending.version,
        now=change_approved,
    )
    assert changed.branch_id == branch_id(db_session, "wuchang")
    assert changed.objection_due == datetime(2026, 10, 20, 23, 59, 59)
    entries = register_entries(db_session, complaint.id)
    assert [(e.branch_id, e.status) for e in entries] == [
        (branch_id(db_session, "hankou"), "waived"),
        (branch_id(db_session, "wuchang"), "confirmed"),
    ]
    assert any("异议" in t for t in inbox(db_session, "liaison_wuchang", complaint))
    # 汉口 objected once already: no second objection, not even within 武昌's window.
    with pytest.raises(OutOfScopeError):
        objection(db_session, changed, "liaison_hankou", now=datetime(2026, 10, 14))
    wuchang = actor(db_session, "liaison_wuchang")
    page = determination_page(db_session, wuchang, complaint.id, datetime(2026, 10, 14))
    assert page.may_object and page.objections == []
    hankou_file = db_session.scalar(
        select(ComplaintEvidence).where(ComplaintEvidence.objection_id == hankou_objection.id)
    )
    assert hankou_file.id not in {f.id for f in page.evidence}
    assert [i.note_hidden for i in page.history if i.event.action == "object"] == [True]
    from app.services.complaint_page import evidence_for_download

    folder = app.config["UPLOAD_FOLDER"]
    with pytest.raises(OutOfScopeError):
        evidence_for_download(db_session, wuchang, hankou_file.id, folder)
    wuchang_objection = complaints.lodge_objection(
        db_session,
        wuchang,
        found.id,
        version=changed.version,
        reason="该片区移交手续尚未办结。",
        uploads=uploads(app, "武昌异议说明.pdf"),
        now=datetime(2026, 10, 20, 23, 0),
    )
    db_session.expire_all()
    found = db_session.get(ComplaintDetermination, found.id)
    assert found.status == "objected"
    with pytest.raises(DeterminationError, match="已对该认定提出过异议"):
        objection(db_session, found, "liaison_wuchang", now=datetime(2026, 10, 20, 23, 30))
    wuchang_file = db_session.scalar(
        select(ComplaintEvidence).where(ComplaintEvidence.objection_id == wuchang_objection.id)
    )
    # 汉口: the history of its own objection only.
    hankou = actor(db_session, "liaison_hankou")
    former = determination_page(db_session, hankou, complaint.id, datetime(2026, 10, 21))
    assert former.former is not None and former.former.id == hankou_objection.id
    assert [o.id for o in former.objections] == [hankou_objection.id]
    actions = [i.event.action for i in former.history]
    assert actions[-1] == "approve_change" and actions.count("object") == 1
    (item,) = [i for i in former.history if i.event.action == "approve_change"]
    assert item.earlier["branch_id"] == branch_id(db_session, "hankou")
    assert item.later["branch_id"] == branch_id(db_session, "wuchang")
    shown = {f.id for f in former.evidence}
    assert hankou_file.id in shown and wuchang_file.id not in shown
    assert evidence_for_download(db_session, hankou, hankou_file.id, folder)[0].id == hankou_file.id
    with pytest.raises(OutOfScopeError):
        evidence_for_download(db_session, hankou, wuchang_file.id, folder)
    assert not former.may_object and not former.may_answer
    # CSD sees both objections and every earlier determination.
    csd_page = determination_page(db_session, actor(db_session, "csd"), complaint.id, APPROVED)
    assert {o.id for o in csd_page.objections} == {hankou_objection.id, wuchang_objection.id}
    # 汉口 may not act on it any more.
    with pytest.raises(OutOfScopeError):
        complaints.visible_determination(db_session, hankou, found.id)
