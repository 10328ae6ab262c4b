"""Branch bulletins (Art.37/38, design §3): a unit submits its business-change or emergency
notice with the explanation wording (and, for an emergency, the area and the expected recovery
time); CSD publishes it to the registration screen or sends it back; the unit corrects and
resubmits; a notice that came after cases about it arrived is recorded once as an Art.37/38
breach (Art.41). The rules (app.domain.bulletins), the services through the database, the pages."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.domain.bulletins import (
    TRANSITIONS,
    BulletinAction,
    BulletinError,
    BulletinKind,
    BulletinStatus,
    NoticeDraft,
    arrived_before_notice,
    breach_cause,
    check_breach,
    check_notice,
    check_unit_notified_at,
    is_current,
    lateness_window,
    next_status,
)
from app.domain.errors import DomainError
from app.domain.violations import BreachCause
from app.models import (
    Bulletin,
    BulletinEvent,
    BusinessCategory,
    Notification,
    SuqiuUser,
    ViolationEntry,
)
from app.services import bulletins as service
from app.services.case_registration import active_bulletins
from app.services.errors import (
    ConflictError,
    InvalidRecordError,
    OutOfScopeError,
    PermissionDeniedError,
)
from tests.case_helpers import act, actor, branch_id, gen_case
from tests.conftest import csrf_token
from tests.racing import at_once
from tests.test_migrations import empty_database_url  # noqa: F401 - a fixture

START = datetime(2026, 10, 12, 8, 0)  # the emergency began
NOTIFIED = datetime(2026, 10, 12, 11, 0)  # the unit submitted its notice
LATER = datetime(2026, 10, 12, 12, 0)


def draft(**change) -> NoticeDraft:
    values = {
        "kind": "emergency",
        "title": "黄浦大街抢修停气",
        "talking_points": "黄浦大街中压管线抢修，沿线停气。请向客户致歉，告知预计恢复时间。",
        "starts_at": START,
        "expected_recovery_at": START + timedelta(hours=10),
        "area": "江岸区黄浦大街1号至99号",
    }
    values.update(change)
    return NoticeDraft(**values)


def submit(
    session, username="liaison_hankou", unit="hankou", now=NOTIFIED, category=None, key=None, **c
):
    return service.submit_bulletin(
        session,
        actor(session, username),
        draft(**c),
        branch_id=branch_id(session, unit),
        business_category_id=category,
        submission_key=key,
        now=now,
    )


def count(session, model, *where) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model).where(*where))


def history(session, bulletin) -> list[tuple[str, int | None, str | None]]:
    rows = session.execute(
        select(BulletinEvent.action, BulletinEvent.actor_id, BulletinEvent.note)
        .where(BulletinEvent.bulletin_id == bulletin.id)
        .order_by(BulletinEvent.id)
    )
    return [tuple(row) for row in rows]


def user_id(session, username) -> int:
    return session.scalar(select(SuqiuUser.id).where(SuqiuUser.username == username))


def category_id(session, code) -> int:
    return session.scalar(select(BusinessCategory.id).where(BusinessCategory.code == code))


def unit_case(session, unit="hankou", received=START + timedelta(hours=1), **extra):
    """A government-channel case received at ``received``, dispatched to ``unit``."""
    case = gen_case(session, received=received, now=received, **extra)
    act(session, "csd", case, "dispatch", now=received, branch_id=branch_id(session, unit))
    return case


# -- The rules (pure) --------------------------------------------------------------------------


def test_art38_an_emergency_notice_needs_its_expected_recovery_time():
    with pytest.raises(BulletinError) as error:
        check_notice(draft(expected_recovery_at=None))
    assert error.value.message == ("An emergency notice needs the expected recovery time (Art.38).")


def test_art38_an_emergency_notice_needs_the_area_affected():
    with pytest.raises(BulletinError, match="area affected"):
        check_notice(draft(area="   "))


@pytest.mark.parametrize("kind", ["business_change", "emergency"])
@pytest.mark.parametrize("wording", [None, "", "  \n "])
def test_art37_art38_a_notice_needs_its_explanation_wording(kind, wording):
    with pytest.raises(BulletinError, match="explanation wording"):
        check_notice(draft(kind=kind, talking_points=wording))


def test_art37_a_business_change_needs_no_recovery_time_nor_area_but_its_start():
    notice = check_notice(
        draft(kind="business_change", expected_recovery_at=None, area=" ", title=" 缴费渠道调整 ")
    )
    assert (notice.kind, notice.title, notice.area) == (
        BulletinKind.BUSINESS_CHANGE,
        "缴费渠道调整",
        None,
    )
    with pytest.raises(BulletinError, match="began"):
        check_notice(draft(kind="business_change", starts_at=None))


@pytest.mark.parametrize("offset", [timedelta(0), timedelta(minutes=-1), timedelta(days=-1)])
def test_art38_the_expected_recovery_cannot_come_before_the_emergency_began(offset):
    with pytest.raises(BulletinError, match="expected recovery time must come after"):
        check_notice(draft(expected_recovery_at=START + offset))


def test_art37_art38_a_notice_needs_a_type_a_subject_and_an_end_after_its_start():
    with pytest.raises(BulletinError, match="Art.37"):
        check_notice(draft(kind="outage"))
    with pytest.raises(BulletinError, match="subject"):
        check_notice(draft(title=" "))
    with pytest.raises(BulletinError, match="end after"):
        check_notice(draft(ends_at=START))


S, A = BulletinStatus, BulletinAction
ALLOWED = {
    (None, A.SUBMIT): S.SUBMITTED,
    (None, A.POST): S.PUBLISHED,
    (S.SUBMITTED, A.PUBLISH): S.PUBLISHED,
    (S.SUBMITTED, A.SEND_BACK): S.RETURNED,
    (S.RETURNED, A.RESUBMIT): S.SUBMITTED,
    (S.SUBMITTED, A.EDIT): S.SUBMITTED,
    (S.PUBLISHED, A.EDIT): S.PUBLISHED,
}


@pytest.mark.parametrize("status", [None, *BulletinStatus])
@pytest.mark.parametrize("action", [a for a in BulletinAction if a is not A.RECORD_BREACH])
def test_art37_art38_the_review_workflow_allows_exactly_its_moves(status, action):
    """Art.37/38 review: submitted → published or sent back; sent back → resubmitted; CSD's own
    bulletins published at once; nothing else (a second publication included)."""
    assert TRANSITIONS == ALLOWED
    if (status, action) in ALLOWED:
        assert next_status(status, action) is ALLOWED[(status, action)]
    else:
        with pytest.raises(BulletinError):
            next_status(status, action)


def test_art37_art38_a_published_notice_is_not_published_twice():
    with pytest.raises(BulletinError, match="already been published"):
        next_status("published", A.PUBLISH)


def test_art37_art38_lateness_window_runs_from_the_start_to_the_notice():
    assert lateness_window(START, START) is None
    assert lateness_window(START, START - timedelta(hours=1)) is None  # announced in advance
    assert lateness_window(START, None) is None
    window = lateness_window(START, NOTIFIED)
    assert window == (START, NOTIFIED)
    assert arrived_before_notice(START, window)
    assert arrived_before_notice(NOTIFIED - timedelta(seconds=1), window)
    assert not arrived_before_notice(NOTIFIED, window)
    assert not arrived_before_notice(START - timedelta(seconds=1), window)
    assert not arrived_before_notice(START, None)


def test_art41_a_late_business_change_breaks_art37_a_late_emergency_art38():
    assert breach_cause("business_change") is BreachCause.ART37
    assert breach_cause(BulletinKind.EMERGENCY) is BreachCause.ART38


def test_art41_a_late_notice_is_a_breach_once_and_only_with_cases_before_it():
    known = {"notified_known": True}
    check_breach(has_unit=True, already_recorded=False, early_cases=1, **known)
    with pytest.raises(BulletinError, match="already been recorded"):
        check_breach(has_unit=True, already_recorded=True, early_cases=3, **known)
    with pytest.raises(BulletinError, match="not late"):
        check_breach(has_unit=True, already_recorded=False, early_cases=0, **known)
    with pytest.raises(BulletinError, match="names no unit"):
        check_breach(has_unit=False, already_recorded=False, early_cases=2, **known)
    with pytest.raises(BulletinError, match="not recorded: no lateness can be judged"):
        check_breach(has_unit=True, notified_known=False, already_recorded=False, early_cases=2)


def test_art37_art38_art41_csd_publishing_is_not_the_unit_notifying():
    """Art.37/38 → Art.41: for CSD's own bulletin the unit's notification time is only what CSD
    records; unknown, there is no lateness window and nothing to charge the unit with."""
    assert check_unit_notified_at(None, has_unit=True, now=LATER) is None
    assert lateness_window(START, check_unit_notified_at(None, has_unit=True, now=LATER)) is None
    assert check_unit_notified_at(NOTIFIED, has_unit=True, now=LATER) == NOTIFIED
    with pytest.raises(BulletinError, match="cannot be in the future"):
        check_unit_notified_at(LATER + timedelta(minutes=1), has_unit=True, now=LATER)
    with pytest.raises(BulletinError, match="names no unit"):
        check_unit_notified_at(NOTIFIED, has_unit=False, now=LATER)


@pytest.mark.parametrize(
    ("status", "active", "starts", "ends", "shown"),
    [
        ("published", True, START, None, True),
        ("published", True, START, LATER, True),
        ("published", True, START, START + timedelta(minutes=30), False),  # ended
        ("published", True, LATER + timedelta(minutes=1), None, False),  # not begun
        ("published", False, START, None, False),
        ("submitted", True, START, None, False),
        ("returned", True, START, None, False),
    ],
)
def test_art28_only_published_current_bulletins_show_at_registration(
    db_session, status, active, starts, ends, shown
):
    """The rule (is_current) and the registration screen's query agree."""
    assert is_current(status, active, starts, ends, LATER) is shown
    row = Bulletin(
        kind="business_change",
        title="登记页面显示测试",
        talking_points="口径",
        starts_at=starts,
        ends_at=ends,
        active=active,
        status=status,
    )
    db_session.add(row)
    db_session.commit()
    assert (row in active_bulletins(db_session, LATER)) is shown


# -- Submission and review through the services -----------------------------------------------


def test_art38_a_liaison_notifies_csd_of_an_emergency_of_its_unit(db_session):
    bulletin = submit(db_session, category=category_id(db_session, "supply_stop"))
    liaison = user_id(db_session, "liaison_hankou")
    assert bulletin.status == "submitted"
    assert (bulletin.branch_id, bulletin.submitted_by_id) == (
        branch_id(db_session, "hankou"),
        liaison,
    )
    assert bulletin.notified_at == bulletin.submitted_at == NOTIFIED
    assert history(db_session, bulletin) == [("submit", liaison, None)]
    told = set(
        db_session.scalars(
            select(Notification.recipient_id).where(
                Notification.link == f"/bulletinview/show/{bulletin.id}"
            )
        )
    )
    assert told == {user_id(db_session, "csd"), user_id(db_session, "csd_head")}
    assert bulletin not in active_bulletins(db_session, LATER)


def test_art37_the_unit_head_may_submit_for_a_sub_unit_of_its_own(db_session):
    bulletin = submit(
        db_session,
        "head_hankou",
        unit="hankou_north",
        kind="business_change",
        expected_recovery_at=None,
    )
    assert bulletin.branch_id == branch_id(db_session, "hankou_north")


def test_art37_art38_a_unit_may_not_submit_for_another_unit(db_session):
    before = (count(db_session, Bulletin), count(db_session, BulletinEvent))
    with pytest.raises(OutOfScopeError) as error:
        submit(db_session, "liaison_hankou", unit="wuchang")
    assert str(error.value) == "单位只能提交本单位（含下属单位）的通报，不能代其他单位提交。"
    assert (count(db_session, Bulletin), count(db_session, BulletinEvent)) == before


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"talking_points": "  "}, "请填写解释口径"),
        ({"expected_recovery_at": None}, "突发事件通报必须填写预计恢复时间（第三十八条）"),
        ({"expected_recovery_at": START - timedelta(hours=1)}, "预计恢复时间必须晚于"),
    ],
)
def test_art37_art38_a_bad_notice_is_refused_in_chinese_and_nothing_is_saved(
    db_session, change, message
):
    before = (count(db_session, Bulletin), count(db_session, BulletinEvent))
    notices = count(db_session, Notification)
    with pytest.raises(BulletinError, match=message):
        submit(db_session, **change)
    assert (count(db_session, Bulletin), count(db_session, BulletinEvent)) == before
    assert count(db_session, Notification) == notices


@pytest.mark.parametrize("username", ["agent", "handler_hankou", "csd", "leader"])
def test_art37_art38_only_a_units_liaison_or_head_submits(db_session, username):
    with pytest.raises(PermissionDeniedError):
        submit(db_session, username)


@pytest.mark.parametrize("username", ["liaison_hankou", "head_hankou", "agent"])
def test_art10_a_branch_user_may_not_publish_nor_send_back(db_session, username):
    bulletin = submit(db_session)
    who = actor(db_session, username)
    with pytest.raises(PermissionDeniedError, match="客服部审核发布"):
        service.publish_bulletin(db_session, who, bulletin.id, version=bulletin.version)
    with pytest.raises(PermissionDeniedError):
        service.send_back_bulletin(
            db_session, who, bulletin.id, version=bulletin.version, reason="不行"
        )
    db_session.expire_all()
    assert db_session.get(Bulletin, bulletin.id).status == "submitted"


def test_art37_art38_csd_publishes_the_unit_hears_and_agents_see_it(db_session):
    bulletin = submit(db_session)
    csd = actor(db_session, "csd")
    published = service.publish_bulletin(
        db_session, csd, bulletin.id, version=bulletin.version, note="已核实。", now=LATER
    )
    assert (published.status, published.published_by_id, published.published_at) == (
        "published",
        csd.user_id,
        LATER,
    )
    assert history(db_session, published)[-1] == ("publish", csd.user_id, "已核实。")
    told = set(
        db_session.scalars(
            select(Notification.recipient_id).where(
                Notification.category == "bulletin_published",
                Notification.link == f"/bulletinview/show/{bulletin.id}",
            )
        )
    )
    assert told == {user_id(db_session, "liaison_hankou"), user_id(db_session, "head_hankou")}
    assert published in active_bulletins(db_session, LATER)


def test_art37_art38_a_second_publication_is_refused_and_nothing_changes(db_session):
    bulletin = submit(db_session)
    csd = actor(db_session, "csd")
    first = bulletin.version
    service.publish_bulletin(db_session, csd, bulletin.id, version=first, now=LATER)
    with pytest.raises(ConflictError, match="其他人刚刚处理了该通报"):
        service.publish_bulletin(
            db_session, actor(db_session, "csd_head"), bulletin.id, version=first
        )
    db_session.expire_all()
    current = db_session.get(Bulletin, bulletin.id)
    with pytest.raises(BulletinError, match="已发布，不能重复发布"):
        service.publish_bulletin(db_session, csd, bulletin.id, version=current.version)
    db_session.expire_all()
    assert [a for a, _, _ in history(db_session, bulletin)] == ["submit", "publish"]
    assert db_session.get(Bulletin, bulletin.id).published_at == LATER


def test_art37_art38_two_csd_publishing_at_once_exactly_one_wins(app, db_session):
    bulletin = submit(db_session)
    # Plain values: the workers must not load anything through the test's own session.
    bulletin_id, version = bulletin.id, bulletin.version

    def publish(username):
        def run(session):
            try:
                service.publish_bulletin(
                    session, actor(session, username), bulletin_id, version=version
                )
            except ConflictError:
                return "conflict"
            return "published"

        return run

    results = at_once(app, publish("csd"), publish("csd_head"))
    assert sorted(results) == ["conflict", "published"]
    assert [a for a, _, _ in history(db_session, bulletin)] == ["submit", "publish"]


def test_art37_art38_sent_back_with_a_reason_then_corrected_and_resubmitted(db_session):
    bulletin = submit(db_session)
    csd = actor(db_session, "csd")
    with pytest.raises(BulletinError, match="请填写退回原因"):
        service.send_back_bulletin(
            db_session, csd, bulletin.id, version=bulletin.version, reason=" "
        )
    returned = service.send_back_bulletin(
        db_session, csd, bulletin.id, version=bulletin.version, reason="请补充停气范围。", now=LATER
    )
    assert (returned.status, returned.return_reason) == ("returned", "请补充停气范围。")
    assert returned not in active_bulletins(db_session, LATER)
    told = db_session.scalars(
        select(Notification.body).where(
            Notification.category == "bulletin_returned",
            Notification.link == f"/bulletinview/show/{bulletin.id}",
        )
    ).all()
    assert told and set(told) == {"请补充停气范围。"}
    with pytest.raises(BulletinError, match="已退回"):
        service.publish_bulletin(db_session, csd, bulletin.id, version=returned.version)
    liaison = actor(db_session, "liaison_hankou")
    with pytest.raises(BulletinError, match="影响范围"):
        service.resubmit_bulletin(
            db_session,
            liaison,
            bulletin.id,
            draft(area=""),
            version=returned.version,
            branch_id=branch_id(db_session, "hankou"),
        )
    again = service.resubmit_bulletin(
        db_session,
        liaison,
        bulletin.id,
        draft(area="江岸区黄浦大街1号至199号"),
        version=returned.version,
        branch_id=branch_id(db_session, "hankou"),
        note="已补充范围。",
        now=LATER + timedelta(hours=1),
    )
    assert (again.status, again.area) == ("submitted", "江岸区黄浦大街1号至199号")
    assert again.notified_at == NOTIFIED  # lateness is judged from the first notice
    assert [a for a, _, _ in history(db_session, again)] == ["submit", "send_back", "resubmit"]
    other = actor(db_session, "liaison_wuchang")
    with pytest.raises(OutOfScopeError):
        service.resubmit_bulletin(
            db_session,
            other,
            bulletin.id,
            draft(),
            version=again.version,
            branch_id=branch_id(db_session, "wuchang"),
        )


def test_csd_still_publishes_its_own_bulletins_directly(db_session):
    csd = actor(db_session, "csd")
    row = Bulletin(
        kind="business_change",
        title="营业厅春节营业时间调整",
        talking_points="春节期间营业厅9:00至16:00营业。",
        starts_at=START,
        active=True,
    )
    posted = service.post_bulletin(db_session, csd, row, now=NOTIFIED)
    assert (posted.status, posted.published_by_id, posted.published_at, posted.notified_at) == (
        "published",
        csd.user_id,
        NOTIFIED,
        None,
    )
    assert history(db_session, posted) == [("post", csd.user_id, None)]
    assert posted in active_bulletins(db_session, LATER)
    with pytest.raises(PermissionDeniedError):
        service.post_bulletin(db_session, actor(db_session, "liaison_hankou"), Bulletin())


# -- Late notice (Art.37/38 → Art.41) ---------------------------------------------------------


def test_art38_the_cases_that_arrived_before_the_notice_are_those_of_the_unit_in_the_window(
    db_session,
):
    supply_stop = category_id(db_session, "supply_stop")
    inside = unit_case(db_session, business_category_id=supply_stop)
    sub_unit = unit_case(db_session, "hankou_north", START + timedelta(hours=2))
    other_unit = unit_case(db_session, "wuchang")
    before = unit_case(db_session, received=START - timedelta(minutes=1))
    after = unit_case(db_session, received=NOTIFIED)
    voided = unit_case(db_session)
    act(db_session, "csd", voided, "void", now=LATER, reason="重复登记")
    meter = unit_case(db_session, business_category_id=category_id(db_session, "meter"))
    bulletin = submit(db_session)
    cases, total = service.early_cases(db_session, actor(db_session, "csd"), bulletin)
    numbers = {c.number for c in cases}
    assert {inside.number, sub_unit.number, meter.number} <= numbers and total == len(cases)
    assert not numbers & {other_unit.number, before.number, after.number, voided.number}
    with_category = submit(db_session, category=supply_stop)
    cases, _ = service.early_cases(db_session, actor(db_session, "csd"), with_category)
    assert [c.number for c in cases] == [inside.number]
    in_time = submit(db_session, now=START - timedelta(hours=1), title="提前通报的停气")
    assert service.early_cases(db_session, actor(db_session, "csd"), in_time) == ([], 0)


def test_art38_a_late_emergency_notice_is_recorded_once_as_an_art38_breach(db_session):
    case = unit_case(db_session)
    bulletin = submit(db_session)
    csd = actor(db_session, "csd")
    service.publish_bulletin(db_session, csd, bulletin.id, version=bulletin.version, now=LATER)
    db_session.expire_all()
    bulletin = db_session.get(Bulletin, bulletin.id)
    entry = service.record_late_notice(
        db_session, csd, bulletin.id, version=bulletin.version, case_id=case.id, note="迟报三小时。"
    )
    assert (entry.cause, entry.deduction_bp, entry.case_id, entry.status) == (
        "art38",
        100,
        case.id,
        "proposed",
    )
    assert (entry.branch_id, entry.occurred_on) == (
        branch_id(db_session, "hankou"),
        date(2026, 10, 12),
    )
    assert case.number in entry.evidence and "迟报三小时。" in entry.evidence
    assert "第三十八条" in entry.evidence
    db_session.expire_all()
    bulletin = db_session.get(Bulletin, bulletin.id)
    assert bulletin.violation_entry_id == entry.id
    assert history(db_session, bulletin)[-1] == ("record_breach", csd.user_id, "迟报三小时。")
    entries = count(db_session, ViolationEntry)
    with pytest.raises(BulletinError) as error:
        service.record_late_notice(
            db_session, csd, bulletin.id, version=bulletin.version, case_id=case.id
        )
    assert str(error.value) == "该通报的迟报已登记为违规，每条通报只能登记一次。"
    assert count(db_session, ViolationEntry) == entries


def test_art37_a_late_business_change_is_recorded_as_an_art37_breach(db_session):
    case = unit_case(db_session, "wuchang")
    bulletin = submit(
        db_session, "liaison_wuchang", unit="wuchang", kind="business_change", area=None
    )
    entry = service.record_late_notice(
        db_session, actor(db_session, "csd_head"), bulletin.id, version=bulletin.version,
        case_id=case.id,
    )  # fmt: skip
    assert (entry.cause, entry.deduction_bp, entry.branch_id) == (
        "art37",
        100,
        branch_id(db_session, "wuchang"),
    )


def test_art41_two_csd_recording_one_late_notice_at_once_make_one_entry(app, db_session):
    case = unit_case(db_session)
    bulletin = submit(db_session)
    bulletin_id, case_id, version = bulletin.id, case.id, bulletin.version

    def record(username):
        def run(session):
            try:
                service.record_late_notice(
                    session, actor(session, username), bulletin_id, version=version, case_id=case_id
                )
            except ConflictError:
                return "conflict"
            return "recorded"

        return run

    entries = count(db_session, ViolationEntry)
    assert sorted(at_once(app, record("csd"), record("csd_head"))) == ["conflict", "recorded"]
    assert count(db_session, ViolationEntry) == entries + 1


def test_art41_no_breach_for_a_notice_in_time_nor_with_a_case_outside_the_window(db_session):
    late_case = unit_case(db_session, "wuchang")
    csd = actor(db_session, "csd")
    in_time = submit(db_session, now=START - timedelta(minutes=5))
    entries = count(db_session, ViolationEntry)
    with pytest.raises(BulletinError, match="不属于迟报"):
        service.record_late_notice(
            db_session, csd, in_time.id, version=in_time.version, case_id=late_case.id
        )
    unit_case(db_session)
    late = submit(db_session, title="迟到的停气通报")
    with pytest.raises(DomainError, match="请选择一件在通报前收到的诉求"):
        service.record_late_notice(
            db_session, csd, late.id, version=late.version, case_id=late_case.id
        )
    with pytest.raises(PermissionDeniedError):
        service.record_late_notice(
            db_session, actor(db_session, "liaison_hankou"), late.id, version=late.version,
            case_id=late_case.id,
        )  # fmt: skip
    assert count(db_session, ViolationEntry) == entries


# -- Scope and pages ---------------------------------------------------------------------------


def test_a_unit_sees_its_own_notices_only_csd_all(db_session, login_as):
    hankou = submit(db_session, title="汉口单位自报的停气通报")
    wuchang = submit(db_session, "liaison_wuchang", unit="wuchang", title="武昌单位自报的停气通报")
    with pytest.raises(OutOfScopeError):
        service.visible_bulletin(db_session, actor(db_session, "liaison_wuchang"), hankou.id)
    page = login_as("liaison_wuchang").get("/bulletinview/list/").get_data(as_text=True)
    assert wuchang.title in page and hankou.title not in page
    client = login_as("liaison_wuchang")
    assert client.get(f"/bulletinview/show/{hankou.id}").status_code == 404
    csd = login_as("csd").get("/bulletinview/list/").get_data(as_text=True)
    assert wuchang.title in csd and hankou.title in csd


def test_art37_art38_the_pages_take_a_notice_from_the_unit_to_the_registration_screen(
    db_session, login_as
):
    liaison = login_as("liaison_hankou")
    token = csrf_token(liaison, "/bulletinview/submit")
    form = {
        "csrf_token": token,
        "kind": "emergency",
        "title": "页面提交的停气通报",
        "branch_id": str(branch_id(db_session, "hankou")),
        "business_category_id": "",
        "area": "江岸区沿江大道",
        "starts_at": "2026-10-12T08:00",
        "expected_recovery_at": "2026-10-12T07:00",
        "ends_at": "",
        "talking_points": "抢修停气，请致歉。",
    }
    before = count(db_session, Bulletin)
    page = liaison.post("/bulletinview/submit", data=form).get_data(as_text=True)
    assert (
        "预计恢复时间必须晚于突发事件开始时间。" in page and count(db_session, Bulletin) == before
    )
    page = liaison.post(
        "/bulletinview/submit",
        data={
            **form,
            "branch_id": str(branch_id(db_session, "wuchang")),
            "expected_recovery_at": "2026-10-12T18:00",
        },
    ).get_data(as_text=True)
    assert "不能代其他单位提交" in page and count(db_session, Bulletin) == before
    page = liaison.post("/bulletinview/submit", data={**form, "starts_at": "明天早上"}).get_data(
        as_text=True
    )
    assert (
        "请按 2026-11-28 14:05 的格式填写时间。" in page and count(db_session, Bulletin) == before
    )
    response = liaison.post(
        "/bulletinview/submit", data={**form, "expected_recovery_at": "2026-10-12T18:00"}
    )
    assert response.status_code == 302
    bulletin = db_session.scalar(select(Bulletin).where(Bulletin.title == "页面提交的停气通报"))
    assert bulletin.status == "submitted"
    # The unit may not publish its own notice, not even by posting the form.
    decide = f"/bulletinview/decide/{bulletin.id}"
    refused = liaison.post(
        decide, data={"csrf_token": token, "decision": "publish", "version": bulletin.version}
    )
    assert refused.status_code == 403 or "/login" in refused.headers.get("Location", "")
    db_session.expire_all()
    assert db_session.get(Bulletin, bulletin.id).status == "submitted"
    csd = login_as("csd")
    token = csrf_token(csd, f"/bulletinview/show/{bulletin.id}")
    data = {"csrf_token": token, "decision": "publish", "version": str(bulletin.version)}
    assert csd.post(decide, data=data).status_code == 302
    page = csd.post(decide, data=data, follow_redirects=True).get_data(as_text=True)
    assert "其他人刚刚处理了该通报" in page
    registration = login_as("agent").get("/register/").get_data(as_text=True)
    assert "页面提交的停气通报" in registration and "江岸区沿江大道" in registration


# -- The migration ----------------------------------------------------------------------------


def test_existing_bulletins_become_published_ones_by_the_migration(
    empty_database_url,  # noqa: F811 - the fixture imported above
    tmp_path,
):
    """c0d4e5f6a7b8 on a database holding CSD's bulletins: each becomes a published one,
    published when it was created (its unit's notice time unknown); downgrading keeps it."""
    import sqlalchemy as sa
    from flask_migrate import downgrade, upgrade

    from tests.conftest import _dispose, make_app

    application = make_app(empty_database_url, tmp_path)
    from app.extensions import db

    directory = application.extensions["migrate"].directory
    created = datetime(2026, 3, 1, 9, 30)
    try:
        with application.app_context():
            upgrade(directory=directory, revision="b9c3d4e5f6a7")
            with db.engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO bulletin (kind, title, talking_points, starts_at, active, "
                        "created_at) VALUES ('emergency', '旧公告', '旧口径', :at, :yes, :at)"
                    ),
                    {"at": created, "yes": True},
                )
            upgrade(directory=directory, revision="c0d4e5f6a7b8")
            table = sa.table(
                "bulletin",
                sa.column("title", sa.String()),
                sa.column("status", sa.String()),
                sa.column("version", sa.Integer()),
                sa.column("notified_at", sa.DateTime()),
                sa.column("published_at", sa.DateTime()),
                sa.column("violation_entry_id", sa.Integer()),
            )
            with db.engine.connect() as connection:
                row = connection.execute(
                    sa.select(
                        table.c.status,
                        table.c.version,
                        table.c.notified_at,
                        table.c.published_at,
                        table.c.violation_entry_id,
                    ).where(table.c.title == "旧公告")
                ).one()
            assert tuple(row) == ("published", 1, None, created, None)
            downgrade(directory=directory, revision="b9c3d4e5f6a7")
            with db.engine.connect() as connection:
                titles = connection.execute(sa.text("SELECT title FROM bulletin")).scalars().all()
            assert titles == ["旧公告"]
    finally:
        _dispose(application)


# -- Review fixes: CSD's own bulletins, double submissions, stale forms ----------------------


def csd_bulletin(session, now=NOTIFIED, unit="hankou", **values) -> Bulletin:
    """CSD's own emergency bulletin about ``unit``, posted at ``now``."""
    row = Bulletin(
        kind="emergency",
        title="客服部自行发布的停气公告",
        talking_points="抢修停气，请向客户致歉。",
        area="江岸区黄浦大街",
        starts_at=START,
        expected_recovery_at=START + timedelta(hours=10),
        branch_id=branch_id(session, unit) if unit else None,
        active=True,
        **values,
    )
    return service.post_bulletin(session, actor(session, "csd"), row, now=now)


def edit_as_csd(session, bulletin_id, version, **change) -> Bulletin:
    csd = actor(session, "csd")
    session.expire_all()
    row = session.get(Bulletin, bulletin_id)
    for key, value in change.items():
        setattr(row, key, value)
    return service.edit_bulletin(session, csd, row, version=version, now=LATER)


def test_art37_art38_art41_csds_own_bulletin_does_not_charge_the_unit_for_csds_delay(db_session):
    """A bulletin CSD writes itself about a unit, after the emergency began and after a case of
    the unit arrived: CSD's publication time is not the unit's notice. No window, no early
    cases, no breach (Art.41) until CSD records when the unit actually notified it."""
    case = unit_case(db_session)
    bulletin = csd_bulletin(db_session)
    csd = actor(db_session, "csd")
    assert bulletin.notified_at is None
    assert service.early_cases(db_session, csd, bulletin) == ([], 0)
    entries = count(db_session, ViolationEntry)
    with pytest.raises(BulletinError) as error:
        service.record_late_notice(
            db_session, csd, bulletin.id, version=bulletin.version, case_id=case.id
        )
    assert str(error.value) == "未记录单位通知客服部的时间，无法判断是否迟报。"
    assert count(db_session, ViolationEntry) == entries
    # CSD learns the unit told it at 11:00: from then on the case shows the notice came late.
    edited = edit_as_csd(db_session, bulletin.id, bulletin.version, notified_at=NOTIFIED)
    assert edited.notified_at == NOTIFIED
    cases, total = service.early_cases(db_session, csd, edited)
    assert [c.number for c in cases] == [case.number] and total == 1
    entry = service.record_late_notice(
        db_session, csd, edited.id, version=edited.version, case_id=case.id
    )
    assert entry.cause == "art38"
    # The evidence rests on that time: it is not changed any more.
    db_session.expire_all()
    current = db_session.get(Bulletin, bulletin.id)
    with pytest.raises(InvalidRecordError, match="不能再修改"):
        edit_as_csd(db_session, bulletin.id, current.version, notified_at=None)


def test_art37_art38_csd_may_record_the_units_notice_time_when_posting_its_bulletin(db_session):
    case = unit_case(db_session)
    posted = csd_bulletin(db_session, notified_at=NOTIFIED, now=LATER)
    assert posted.notified_at == NOTIFIED
    cases, _ = service.early_cases(db_session, actor(db_session, "csd"), posted)
    assert [c.number for c in cases] == [case.number]
    before = count(db_session, Bulletin)
    with pytest.raises(BulletinError, match="不能晚于当前时间"):
        csd_bulletin(db_session, notified_at=LATER + timedelta(hours=1), now=LATER)
    with pytest.raises(BulletinError, match="未指定单位的公告"):
        csd_bulletin(db_session, unit=None, notified_at=NOTIFIED, now=LATER)
    assert count(db_session, Bulletin) == before


def test_art37_art38_the_units_own_notice_time_is_its_first_submission(db_session):
    """CSD correcting a unit's notice keeps its notification time (the edit form does not show
    it); CSD may not set another one."""
    bulletin = submit(db_session)
    edited = edit_as_csd(db_session, bulletin.id, bulletin.version, notified_at=None)
    assert edited.notified_at == NOTIFIED
    with pytest.raises(InvalidRecordError, match="首次提交"):
        edit_as_csd(db_session, bulletin.id, edited.version, notified_at=LATER)
    db_session.expire_all()
    assert db_session.get(Bulletin, bulletin.id).notified_at == NOTIFIED


def test_art37_art38_the_page_says_why_no_lateness_can_be_judged(db_session, login_as):
    unit_case(db_session)
    bulletin = csd_bulletin(db_session)
    page = login_as("csd").get(f"/bulletinview/show/{bulletin.id}").get_data(as_text=True)
    assert 'id="notified-unknown"' in page and "无法判断是否迟报" in page
    assert 'id="form-breach"' not in page
    own = submit(db_session)
    page = login_as("csd").get(f"/bulletinview/show/{own.id}").get_data(as_text=True)
    assert 'id="notified-unknown"' not in page and 'id="form-breach"' in page
    form = login_as("csd").get("/bulletinview/add").get_data(as_text=True)
    assert "单位实际通知客服部的时间" in form


def pending_counts(session):
    return (
        count(session, Bulletin),
        count(session, BulletinEvent),
        count(session, Notification, Notification.category == "bulletin_submitted"),
    )


def test_art37_art38_a_notice_sent_twice_is_one_notice_and_csd_is_told_once(db_session):
    """A double click (one form key) or the same notice from a second tab (another key, the
    first still awaiting review): one notice, one history step, one set of notifications."""
    before = pending_counts(db_session)
    first = submit(db_session, key="k" * 32)
    once = pending_counts(db_session)
    assert once[0] == before[0] + 1 and once[2] > before[2]
    again = submit(db_session, key="k" * 32)
    other_tab = submit(db_session, "head_hankou", key="t" * 32)
    assert again.id == first.id == other_tab.id
    assert pending_counts(db_session) == once


def test_art37_art38_two_submissions_racing_make_one_notice(app, db_session):
    before = pending_counts(db_session)
    unit = branch_id(db_session, "hankou")

    def send(session):
        return service.submit_bulletin(
            session,
            actor(session, "liaison_hankou"),
            draft(),
            branch_id=unit,
            submission_key="race" * 8,
            now=NOTIFIED,
        ).id

    first, second = at_once(app, send, send)
    assert first == second
    csd_users = len({user_id(db_session, "csd"), user_id(db_session, "csd_head")})
    assert pending_counts(db_session) == (before[0] + 1, before[1] + 1, before[2] + csd_users)


def test_art37_art38_the_submission_page_posted_twice_makes_one_notice(db_session, login_as):
    liaison = login_as("liaison_hankou")
    html = liaison.get("/bulletinview/submit").get_data(as_text=True)
    key = re.search(r'name="submission_key" value="([0-9a-f]{32})"', html).group(1)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    form = {
        "csrf_token": token,
        "submission_key": key,
        "kind": "business_change",
        "title": "页面双击提交的通报",
        "branch_id": str(branch_id(db_session, "hankou")),
        "starts_at": "2026-10-12T08:00",
        "talking_points": "缴费渠道调整，请告知客户。",
    }
    before = pending_counts(db_session)
    first = liaison.post("/bulletinview/submit", data=form)
    second = liaison.post("/bulletinview/submit", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    after = pending_counts(db_session)
    assert after[:2] == (before[0] + 1, before[1] + 1)
    # A form that comes back with an error keeps its key.
    page = liaison.post(
        "/bulletinview/submit", data={**form, "submission_key": "e" * 32, "title": " "}
    ).get_data(as_text=True)
    assert 'value="' + "e" * 32 + '"' in page


@pytest.mark.parametrize("step", ["publish", "send_back", "resubmit", "record", "edit"])
def test_art37_art38_a_change_without_the_forms_version_is_refused(db_session, step):
    """Every state change after creation says which version its form showed; without it the
    change is refused (it could undo someone else's) and nothing is saved."""
    unit_case(db_session)
    bulletin = submit(db_session)
    csd = actor(db_session, "csd")
    if step == "resubmit":
        bulletin = service.send_back_bulletin(
            db_session, csd, bulletin.id, version=bulletin.version, reason="请补充。"
        )
    before = (_state(db_session, bulletin.id), count(db_session, ViolationEntry))
    calls = {
        "publish": lambda: service.publish_bulletin(db_session, csd, bulletin.id, version=None),
        "send_back": lambda: service.send_back_bulletin(
            db_session, csd, bulletin.id, version=None, reason="不行"
        ),
        "resubmit": lambda: service.resubmit_bulletin(
            db_session,
            actor(db_session, "liaison_hankou"),
            bulletin.id,
            draft(),
            version=None,
            branch_id=branch_id(db_session, "hankou"),
        ),
        "record": lambda: service.record_late_notice(
            db_session, csd, bulletin.id, version=None, case_id=None
        ),
        "edit": lambda: edit_as_csd(db_session, bulletin.id, None, title="改过的标题"),
    }
    with pytest.raises(InvalidRecordError) as error:
        calls[step]()
    assert str(error.value) == "表单不完整，请刷新页面后重试。"
    assert (_state(db_session, bulletin.id), count(db_session, ViolationEntry)) == before


def _state(session, bulletin_id):
    session.expire_all()
    row = session.get(Bulletin, bulletin_id)
    events = count(session, BulletinEvent, BulletinEvent.bulletin_id == bulletin_id)
    return (row.status, row.version, row.title, row.violation_entry_id, events)


def test_csds_edit_form_carries_its_version_and_a_stale_one_is_refused(db_session, login_as):
    bulletin = csd_bulletin(db_session)
    csd = login_as("csd")
    url = f"/bulletinview/edit/{bulletin.id}"
    html = csd.get(url).get_data(as_text=True)
    shown = re.search(r'name="form_version"[^>]*value="(\d+)"', html)
    shown = shown or re.search(r'value="(\d+)"[^>]*name="form_version"', html)
    assert shown and int(shown.group(1)) == bulletin.version
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
    form = {
        "csrf_token": token,
        "kind": "emergency",
        "title": "客服部修改后的停气公告",
        "talking_points": "抢修停气，请向客户致歉。",
        "branch": str(bulletin.branch_id),
        "area": "江岸区黄浦大街",
        "starts_at": START.strftime("%Y-%m-%d %H:%M:%S"),
        "expected_recovery_at": (START + timedelta(hours=10)).strftime("%Y-%m-%d %H:%M:%S"),
        "notified_at": "",
        "active": "y",
    }
    for version in (None, "x", str(bulletin.version + 1)):
        data = form if version is None else {**form, "form_version": version}
        page = csd.post(url, data=data).get_data(as_text=True)
        assert _state(db_session, bulletin.id)[2] == "客服部自行发布的停气公告"
        assert "表单不完整" in page or "其他人刚刚处理了该通报" in page
    saved = csd.post(url, data={**form, "form_version": shown.group(1)})
    assert saved.status_code == 302
    assert _state(db_session, bulletin.id)[2] == "客服部修改后的停气公告"


def test_art37_art38_art41_the_migration_leaves_existing_bulletins_unnotified(
    empty_database_url,  # noqa: F811 - the fixture imported above
    tmp_path,
):
    """c0d4e5f6a7b8 on a database holding a bulletin CSD made about a unit after the emergency
    began: nobody knows when the unit told CSD, so notified_at stays NULL — no lateness window,
    the unit never charged for it (Art.37/38/41) — and it is published when it was created."""
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from tests.conftest import _dispose, make_app

    application = make_app(empty_database_url, tmp_path)
    from app.extensions import db

    directory = application.extensions["migrate"].directory
    try:
        with application.app_context():
            upgrade(directory=directory, revision="b9c3d4e5f6a7")
            with db.engine.begin() as connection:
                connection.execute(
                    sa.text(
                        "INSERT INTO bulletin (kind, title, talking_points, starts_at, active, "
                        "created_at) VALUES ('emergency', '迁移前的单位停气公告', '旧口径', "
                        ":start, :yes, :created)"
                    ),
                    {"start": START, "created": LATER, "yes": True},
                )
            upgrade(directory=directory, revision="c0d4e5f6a7b8")
            table = sa.table(
                "bulletin",
                sa.column("title", sa.String()),
                sa.column("status", sa.String()),
                sa.column("notified_at", sa.DateTime()),
                sa.column("published_at", sa.DateTime()),
                sa.column("submission_key", sa.String()),
            )
            with db.engine.connect() as connection:
                row = connection.execute(
                    sa.select(
                        table.c.notified_at,
                        table.c.published_at,
                        table.c.status,
                        table.c.submission_key,
                    ).where(table.c.title == "迁移前的单位停气公告")
                ).one()
            assert tuple(row) == (None, LATER, "published", None)
            assert lateness_window(START, row.notified_at) is None
    finally:
        _dispose(application)
