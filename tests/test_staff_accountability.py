"""Staff accountability through the database and the pages (Art.23/42): CSD records a person's
breach of Art.27/28/29, the person's unit enters its handling opinion once by the due date; the
Art.42 ratings of a month or quarter from approved personal complaints; a unit sees only its own
breaches and people, by any URL; bad input gets a Chinese message and saves nothing."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from sqlalchemy import func, select

from app.domain.staff_accountability import StaffAccountabilityError
from app.models import (
    Branch,
    ComplaintDetermination,
    Notification,
    PersonalBreach,
    PersonalBreachEvent,
    SuqiuUser,
)
from app.services.errors import (
    ConflictError,
    InvalidRecordError,
    OutOfScopeError,
    PermissionDeniedError,
)
from app.services.staff_accountability import enter_handling_opinion, record_breach
from app.services.violations import confirm_entry, record_complaint_entry, record_entry
from tests.case_helpers import actor, branch_id, gen_case
from tests.conftest import csrf_token
from tests.english import english_words
from tests.racing import at_once

NOW = datetime(2026, 9, 29, 10, 0)  # 5 working days on: 2026-10-12 (National Day between)
DUE = datetime(2026, 10, 12, 23, 59, 59)
NAMES = {"hankou": "汉口", "wuchang": "武昌"}


def user_id(session, username: str) -> int:
    return session.scalar(select(SuqiuUser.id).where(SuqiuUser.username == username))


def breach(session, unit="hankou", employee=None, article="art27", **extra):
    return record_breach(
        session,
        actor(session, extra.pop("by", "csd")),
        branch_id=branch_id(session, unit),
        employee_id=user_id(session, employee or f"handler_{unit}"),
        article=article,
        occurred_on=extra.pop("occurred_on", date(2026, 9, 28)),
        description=extra.pop("description", f"{NAMES[unit]}员工拒绝登记客户诉求。"),
        now=extra.pop("now", NOW),
        **extra,
    )


def count(session, model=PersonalBreach) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model))


def state(session, breach_id):
    session.expire_all()
    row = session.get(PersonalBreach, breach_id)
    events = session.scalar(
        select(func.count())
        .select_from(PersonalBreachEvent)
        .where(PersonalBreachEvent.breach_id == breach_id)
    )
    return row.status, row.version, row.opinion, events


def inbox(session, username) -> list[str]:
    session.expire_all()
    return list(
        session.scalars(
            select(Notification.title).where(
                Notification.recipient_id == user_id(session, username),
                Notification.category == "personal_breach",
            )
        )
    )


def english(html: str) -> set[str]:
    """English words on the page below the navigation bar (the menu is tests/test_chinese_ui's)."""
    return english_words(html.split("</header>", 1)[-1], allowed={"SQ", "C", "D"})


# -- Recording (Art.42) ------------------------------------------------------------------------


def test_art42_csd_records_a_breach_due_in_5_working_days_with_history_and_notice(db_session):
    recorded = breach(db_session)
    assert (recorded.status, recorded.article, recorded.opinion_due) == ("open", "art27", DUE)
    assert (
        recorded.recorded_by_id == user_id(db_session, "csd")
        and not recorded.opinion_due_provisional
    )
    events = db_session.scalars(
        select(PersonalBreachEvent).where(PersonalBreachEvent.breach_id == recorded.id)
    ).all()
    assert [(e.action, e.actor_id, e.branch_id) for e in events] == [
        ("recorded", user_id(db_session, "csd"), branch_id(db_session, "hankou"))
    ]
    for username in ("liaison_hankou", "head_hankou"):
        (title,) = [t for t in inbox(db_session, username) if "张伟" in t and "2026-10-12" in t]
        assert "第二十七条" in title
    assert not [t for t in inbox(db_session, "liaison_wuchang") if "张伟" in t]


def test_art23_an_employee_of_a_sub_unit_belongs_to_the_unit(db_session):
    north = db_session.scalar(select(Branch).where(Branch.code == "hankou_north"))
    handler = db_session.get(SuqiuUser, user_id(db_session, "handler_hankou"))
    handler.branch_id = north.id
    db_session.commit()
    assert breach(db_session, article="art29").branch.code == "hankou"


def test_art42_a_linked_violation_entry_must_be_of_the_same_unit_and_gives_its_case(db_session):
    case = gen_case(db_session)
    entry = record_entry(
        db_session,
        actor(db_session, "csd"),
        cause="art27",
        branch_id=branch_id(db_session, "hankou"),
        occurred_on=date(2026, 9, 28),
        evidence="拒收诉求。",
        case_number=case.number,
        now=NOW,
    )
    entry = confirm_entry(db_session, actor(db_session, "csd"), entry.id, version=entry.version)
    linked = breach(db_session, violation_id=entry.id)
    assert (linked.violation_id, linked.case_id) == (entry.id, case.id)
    before = count(db_session)
    with pytest.raises(InvalidRecordError, match="属于其他单位"):
        breach(db_session, unit="wuchang", violation_id=entry.id)
    assert count(db_session) == before


def entry_of(session, cause, *, unit="hankou", confirmed=False):
    """A register entry of the unit: a complaint's (confirmed on approval) or one entered by CSD
    (proposed until confirmed)."""
    if cause == "complaint_general":
        key = f"test-staff-{cause}-{unit}"
        return record_complaint_entry(
            session,
            branch_id=branch_id(session, unit),
            case_id=None,
            grade="general",
            occurred_on=date(2026, 9, 28),
            determination_key=key,
            now=NOW,
        ).id
    entry = record_entry(
        session,
        actor(session, "csd"),
        cause=cause,
        branch_id=branch_id(session, unit),
        occurred_on=date(2026, 9, 28),
        evidence="台账证据。",
        now=NOW,
    )
    if confirmed:
        entry = confirm_entry(session, actor(session, "csd"), entry.id, version=entry.version)
    return entry.id


@pytest.mark.parametrize(
    ("article", "cause", "confirmed", "message"),
    [
        ("art29", "complaint_general", True, "事由是“一般有效投诉”，不是“第二十九条"),
        ("art27", "art30", False, "事由是“第三十条：诉求超期”，不是“第二十七条"),
        ("art27", "art30", True, "事由是“第三十条：诉求超期”，不是“第二十七条"),
        ("art28", "art27", True, "事由是“第二十七条：拒收或推诿诉求”，不是“第二十八条"),
        ("art27", "art27", False, "只能关联已确认的违规记录"),
    ],
)
def test_art42_a_breach_links_only_a_confirmed_entry_of_the_chosen_article_else_nothing_saved(
    db_session, article, cause, confirmed, message
):
    """Art.42: the register entry a person's breach points to must be the unit's confirmed entry
    of the same article — not a complaint, not another article, not one still proposed."""
    entry_id = entry_of(db_session, cause, confirmed=confirmed)
    before = (count(db_session), count(db_session, PersonalBreachEvent))
    notices = inbox(db_session, "liaison_hankou")
    with pytest.raises(StaffAccountabilityError, match=message):
        breach(db_session, article=article, violation_id=entry_id)
    assert (count(db_session), count(db_session, PersonalBreachEvent)) == before
    assert inbox(db_session, "liaison_hankou") == notices


def test_art42_the_form_refuses_a_complaint_entry_for_a_breach_of_art29(app, db_session, login_as):
    """The reviewer's case: CSD posts Art.29 with the id of a 一般有效投诉 entry of the unit."""
    entry_id = entry_of(db_session, "complaint_general")
    client = login_as("csd")
    form = record_form(client, db_session, article="art29", violation_id=str(entry_id))
    before = count(db_session)
    html = client.post("/staff/record/", data=form).get_data(as_text=True)
    assert "所选违规记录的事由是“一般有效投诉”" in html and count(db_session) == before


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"employee": "handler_wuchang"}, InvalidRecordError, "不属于汉口分公司"),
        ({"employee": "csd"}, InvalidRecordError, "不属于汉口分公司"),
        ({"article": "art30"}, Exception, "第二十七、二十八、二十九条"),
        ({"article": ""}, Exception, "第二十七、二十八、二十九条"),
        ({"description": "  "}, Exception, "请填写该员工的违规经过"),
        ({"occurred_on": date(2026, 9, 30)}, Exception, "不能晚于今天"),
        ({"occurred_on": None}, Exception, "请填写违规发生日期"),
        ({"case_number": "SQ000000000000"}, InvalidRecordError, "SQ000000000000"),
        ({"violation_id": 999999}, InvalidRecordError, "不存在"),
        ({"by": "liaison_hankou"}, PermissionDeniedError, "人员违规由客服部登记"),
        ({"by": "head_hankou"}, PermissionDeniedError, "人员违规由客服部登记"),
        ({"by": "leader"}, PermissionDeniedError, "人员违规由客服部登记"),
    ],
)
def test_art42_bad_input_or_a_branch_user_recording_saves_nothing(
    db_session, change, error, message
):
    before = (
        count(db_session),
        count(db_session, PersonalBreachEvent),
        inbox(db_session, "liaison_hankou"),
    )
    with pytest.raises(error, match=message):
        breach(db_session, **change)
    after = (
        count(db_session),
        count(db_session, PersonalBreachEvent),
        inbox(db_session, "liaison_hankou"),
    )
    assert after == before


def test_art42_a_unit_that_is_no_unit_is_refused(db_session):
    with pytest.raises(InvalidRecordError, match="请选择员工所在单位"):
        record_breach(
            db_session,
            actor(db_session, "csd"),
            branch_id=None,
            employee_id=user_id(db_session, "handler_hankou"),
            article="art27",
            occurred_on=date(2026, 9, 28),
            description="x",
            now=NOW,
        )


# -- The unit's handling opinion (Art.23/42) ---------------------------------------------------


def test_art23_the_units_liaison_enters_the_handling_opinion_once_and_csd_hears(db_session):
    recorded = breach(db_session)
    liaison = actor(db_session, "liaison_hankou")
    entered = enter_handling_opinion(
        db_session,
        liaison,
        recorded.id,
        version=recorded.version,
        opinion=" 已对张伟诫勉谈话，扣发当月绩效。 ",
        now=datetime(2026, 10, 9, 15, 0),
    )
    assert (entered.status, entered.opinion) == ("entered", "已对张伟诫勉谈话，扣发当月绩效。")
    assert (entered.opinion_by_id, entered.opinion_at) == (
        liaison.user_id,
        datetime(2026, 10, 9, 15),
    )
    assert state(db_session, recorded.id)[3] == 2
    assert any("汉口分公司已录入对张伟的处理意见" in t for t in inbox(db_session, "csd"))
    with pytest.raises(Exception, match="已经录入"):
        enter_handling_opinion(
            db_session,
            actor(db_session, "head_hankou"),
            recorded.id,
            version=entered.version,
            opinion="再录一次",
        )
    assert state(db_session, recorded.id) == ("entered", entered.version, entered.opinion, 2)


@pytest.mark.parametrize(
    ("username", "opinion", "version", "error", "message"),
    [
        ("liaison_hankou", "  ", 1, Exception, "请填写本单位的处理意见"),
        ("liaison_hankou", "意见", 7, ConflictError, "他人刚刚录入了处理意见"),
        ("liaison_hankou", "意见", None, ConflictError, "表单不完整，请刷新页面"),
        ("head_hankou", "意见", None, ConflictError, "表单不完整，请刷新页面"),
        ("liaison_wuchang", "越权录入", 1, OutOfScopeError, "无权查看"),
        ("head_wuchang", "越权录入", 1, OutOfScopeError, "无权查看"),
        ("csd", "客服部代录", 1, PermissionDeniedError, "不能执行"),
        ("handler_hankou", "本人录入", 1, PermissionDeniedError, "不能执行"),
        ("leader", "领导录入", 1, PermissionDeniedError, "不能执行"),
    ],
)
def test_art23_only_the_units_own_liaison_or_head_enters_a_non_empty_current_opinion(
    db_session, username, opinion, version, error, message
):
    recorded = breach(db_session)
    before = state(db_session, recorded.id)
    with pytest.raises(error, match=message):
        enter_handling_opinion(
            db_session, actor(db_session, username), recorded.id, version=version, opinion=opinion
        )
    assert state(db_session, recorded.id) == before


def test_art42_two_opinions_entered_at_once_exactly_one_is_kept(app, db_session):
    breach_id = breach(db_session).id  # read here: the workers must not touch this session

    def enter(username):
        def work(session):
            try:
                enter_handling_opinion(
                    session, actor(session, username), breach_id, version=1, opinion=username
                )
            except ConflictError:
                return "conflict"
            return "entered"

        return work

    results = at_once(app, enter("liaison_hankou"), enter("head_hankou"))
    assert sorted(results) == ["conflict", "entered"]
    status, version, opinion, events = state(db_session, breach_id)
    winner = "liaison_hankou" if results[0] == "entered" else "head_hankou"
    assert (status, version, opinion, events) == ("entered", 2, winner, 2)


# -- Staff ratings (Art.42) --------------------------------------------------------------------


def determination(session, unit, employee, *, grade="general", category="attitude", **extra):
    """An approved valid complaint determination naming ``employee`` personally (rows made
    directly: the determination workflow is app.services.complaints')."""
    case = gen_case(session)
    case.branch_id = branch_id(session, unit)  # as dispatched: the unit may open it
    row = ComplaintDetermination(
        case_id=case.id,
        status=extra.pop("status", "approved"),
        determination=extra.pop("determination", "valid"),
        findings="经调查属实。",
        breach_category=category,
        grade=grade,
        branch_id=branch_id(session, unit),
        responsibility=extra.pop("responsibility", "personal"),
        employee_id=user_id(session, employee),
        approved_at=extra.pop("approved_at", datetime(2026, 10, 15, 10, 0)),
        **extra,
    )
    session.add(row)
    session.commit()
    return case


@pytest.fixture
def complaints(db_session):
    """October 2026: 张伟 (汉口) two general attitude complaints → D; 马超 (武昌) one counted and
    one of a category Art.42 does not name → C; what must not count besides."""
    cases = {
        "zhang": [determination(db_session, "hankou", "handler_hankou") for _ in range(2)],
        "ma": [
            determination(db_session, "wuchang", "handler_wuchang", category="buck_passing"),
            determination(db_session, "wuchang", "handler_wuchang", category="quality"),
        ],
    }
    determination(db_session, "hankou", "liaison_hankou", status="pending_approval")
    determination(db_session, "hankou", "liaison_hankou", approved_at=datetime(2026, 11, 1, 9))
    determination(db_session, "hankou", "liaison_hankou", status="objected", grade="major")
    determination(db_session, "wuchang", "liaison_wuchang", responsibility="unit")
    return cases


def test_art42_ratings_of_a_month_from_approved_personal_complaints(db_session, complaints):
    from app.domain.staff_accountability import rating_period
    from app.services.staff_ratings import staff_ratings

    rows = staff_ratings(db_session, actor(db_session, "csd"), rating_period("month", 2026, 10))
    summary = [(r.employee, r.unit, r.complaints, r.counted, r.majors, r.rating) for r in rows]
    assert summary == [
        ("张伟", "汉口分公司", 2, 2, 0, "d"),
        ("李娜", "汉口分公司", 1, 1, 1, "d"),  # an objected (still counting) major one
        ("马超", "武昌分公司", 2, 1, 0, "c"),
    ]
    assert [n for _, n in rows[0].cases] == [c.number for c in complaints["zhang"]]
    quarter = staff_ratings(db_session, actor(db_session, "csd"), rating_period("quarter", 2026, 4))
    li = next(r for r in quarter if r.employee == "李娜")
    assert (li.complaints, li.counted, li.rating) == (2, 2, "d")  # November's joins the quarter
    assert (
        staff_ratings(db_session, actor(db_session, "csd"), rating_period("month", 2026, 9)) == []
    )


def test_art42_ratings_show_each_persons_breaches_and_whether_the_opinion_came_in_time(
    db_session,
):
    """Art.42: beside the rating, the period's breaches of Art.27/28/29 by the day they
    happened, each with its opinion's timeliness. All recorded Saturday 2026-10-10 10:00 (a
    make-up workday), so due 5 working days on, 10-16 23:59:59: 张伟 (汉口) one entered 10-16
    23:00 (in time) and one entered 10-17 00:00:01 (late); 马超 (武昌) one never entered
    (missing now); a September breach stays out of October. 汉口's liaison sees 张伟 only."""
    from app.domain.staff_accountability import rating_period
    from app.services.staff_ratings import staff_ratings

    liaison = actor(db_session, "liaison_hankou")
    recorded_at = datetime(2026, 10, 10, 10, 0)
    in_time = breach(db_session, occurred_on=date(2026, 10, 8), now=recorded_at)
    late = breach(db_session, article="art28", occurred_on=date(2026, 10, 9), now=recorded_at)
    missing = breach(db_session, unit="wuchang", occurred_on=date(2026, 10, 10), now=recorded_at)
    breach(db_session, unit="wuchang", occurred_on=date(2026, 9, 28), now=recorded_at)
    assert in_time.opinion_due == datetime(2026, 10, 16, 23, 59, 59)
    entries = ((in_time, datetime(2026, 10, 16, 23, 0)), (late, datetime(2026, 10, 17, 0, 0, 1)))
    for recorded, when in entries:
        enter_handling_opinion(
            db_session,
            liaison,
            recorded.id,
            version=recorded.version,
            opinion="诫勉谈话。",
            now=when,
        )
    october = rating_period("month", 2026, 10)
    rows = staff_ratings(db_session, actor(db_session, "csd"), october)
    shown = {
        (r.employee, r.unit): [(b.breach_id, b.article, b.opinion) for b in r.breaches]
        for r in rows
        if r.breaches
    }
    assert shown == {
        ("张伟", "汉口分公司"): [(in_time.id, "art27", "in_time"), (late.id, "art28", "late")],
        ("马超", "武昌分公司"): [(missing.id, "art27", "missing")],
    }
    own = staff_ratings(db_session, liaison, october)
    assert [(r.employee, len(r.breaches)) for r in own if r.breaches] == [("张伟", 2)]


def test_art42_a_unit_sees_the_ratings_of_its_own_people_only(app, login_as, complaints):
    html = (
        login_as("liaison_hankou")
        .get("/staff/ratings?period=month&year=2026&number=10")
        .get_data(as_text=True)
    )
    assert "张伟" in html and "马超" not in html and "武昌分公司" not in html
    assert complaints["zhang"][0].number in html and complaints["ma"][0].number not in html
    assert "D 级" in html and not english(html), english(html)
    csd = login_as("csd").get("/staff/ratings?period=quarter&year=2026&number=4")
    text = csd.get_data(as_text=True)
    assert "马超" in text and "C 级" in text and complaints["ma"][1].number in text


@pytest.mark.parametrize(
    "query", ["period=week&year=2026&number=1", "period=quarter&year=2026&number=5", "year=x"]
)
def test_art42_a_period_that_is_no_month_or_quarter_gets_a_chinese_message(app, login_as, query):
    response = login_as("leader").get(f"/staff/ratings?{query}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and not english(html), english(html)
    if "period=" in query:
        assert "请选择月份" in html


# -- The pages ---------------------------------------------------------------------------------


@pytest.fixture
def two_breaches(db_session):
    return breach(db_session), breach(db_session, unit="wuchang", article="art28")


def test_the_pages_are_chinese_for_csd(app, login_as, two_breaches):
    client = login_as("csd")
    hankou, _ = two_breaches
    for url in (
        "/staff/",
        "/staff/?status=overdue",
        f"/staff/breach/{hankou.id}",
        "/staff/record/",
        "/staff/ratings",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        assert not english(html), (url, english(html))
    listed = client.get("/staff/").get_data(as_text=True)
    assert "人员违规处理" in listed and "汉口分公司" in listed and "武昌分公司" in listed
    assert "第二十八条" in listed and "已超期" in listed  # recorded 2026-09-29, due 10-12
    shown = client.get(f"/staff/breach/{hankou.id}").get_data(as_text=True)
    assert "汉口员工拒绝登记客户诉求。" in shown and "客服部登记" in shown
    assert "录入处理意见" in shown and 'id="form-opinion"' not in shown  # CSD does not enter it


def test_a_liaison_sees_only_their_units_breaches_and_enters_the_opinion(
    app, db_session, login_as, two_breaches
):
    hankou, wuchang = two_breaches
    client = login_as("liaison_hankou")
    listed = client.get("/staff/").get_data(as_text=True)
    assert "汉口分公司" in listed and "武昌分公司" not in listed and "马超" not in listed
    assert client.get(f"/staff/breach/{wuchang.id}").status_code == 404
    token = csrf_token(client, f"/staff/breach/{hankou.id}")
    before = state(db_session, wuchang.id)
    response = client.post(
        f"/staff/breach/{wuchang.id}/opinion",
        data={"csrf_token": token, "version": "1", "opinion": "越权"},
    )
    assert response.status_code == 404 and state(db_session, wuchang.id) == before
    assert client.get("/staff/record/").status_code == 403
    recorded = client.post(
        "/staff/record/",
        data={
            "csrf_token": token,
            "branch_id": str(branch_id(db_session, "hankou")),
            "employee_id": str(user_id(db_session, "handler_hankou")),
            "article": "art27",
            "occurred_on": "2026-09-28",
            "description": "自行登记",
        },
    )
    assert recorded.status_code == 403
    menu = client.get("/").get_data(as_text=True)
    open_hankou = db_session.scalar(
        select(func.count())
        .select_from(PersonalBreach)
        .where(
            PersonalBreach.branch_id == branch_id(db_session, "hankou"),
            PersonalBreach.status == "open",
        )
    )
    assert f"待录入处理意见（{open_hankou}）" in menu
    empty = client.post(
        f"/staff/breach/{hankou.id}/opinion",
        data={"csrf_token": token, "version": "1", "opinion": " "},
        follow_redirects=True,
    )
    assert "请填写本单位的处理意见" in empty.get_data(as_text=True)
    assert state(db_session, hankou.id)[0] == "open"
    done = client.post(
        f"/staff/breach/{hankou.id}/opinion",
        data={"csrf_token": token, "version": "1", "opinion": "诫勉谈话。"},
        follow_redirects=True,
    )
    html = done.get_data(as_text=True)
    assert "处理意见已录入" in html and "诫勉谈话。" in html and "已录入处理意见" in html
    assert f"待录入处理意见（{open_hankou - 1}）" in html
    assert not english(html), english(html)
    again = client.post(
        f"/staff/breach/{hankou.id}/opinion",
        data={"csrf_token": token, "version": "1", "opinion": "再录"},
        follow_redirects=True,
    )
    assert "他人刚刚录入了处理意见" in again.get_data(as_text=True)
    assert state(db_session, hankou.id)[2] == "诫勉谈话。"


@pytest.mark.parametrize("version", ["", "abc", "99999999999999999999999"])
def test_a_malformed_opinion_form_gets_a_chinese_message(
    app, db_session, login_as, two_breaches, version
):
    hankou, _ = two_breaches
    client = login_as("head_hankou")
    token = csrf_token(client, f"/staff/breach/{hankou.id}")
    response = client.post(
        f"/staff/breach/{hankou.id}/opinion",
        data={"csrf_token": token, "version": version, "opinion": "意见"},
        follow_redirects=True,
    )
    assert response.status_code == 200 and "表单不完整" in response.get_data(as_text=True)
    assert state(db_session, hankou.id)[0] == "open"


def test_csd_records_through_the_form_and_a_bad_form_comes_back_unsaved(app, db_session, login_as):
    client = login_as("csd")
    form = record_form(
        client,
        db_session,
        employee_id=str(user_id(db_session, "handler_wuchang")),
        article="art29",
        description="涉及媒体未即时报告。",
    )
    before = count(db_session)
    refused = client.post("/staff/record/", data=form)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 200 and "马超 不属于汉口分公司" in html
    assert "涉及媒体未即时报告。" in html and count(db_session) == before
    form["employee_id"] = str(user_id(db_session, "handler_hankou"))
    saved = client.post("/staff/record/", data=form, follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert "人员违规已登记" in text and "第二十九条" in text and count(db_session) == before + 1
    assert not english(text), english(text)


def record_form(client, session, **changes) -> dict:
    """CSD's recording form as the page gives it (its CSRF token and one-time key), filled in."""
    html = client.get("/staff/record/").get_data(as_text=True)
    key = re.search(r'name="submission_key"[^>]*value="([^"]+)"', html)
    assert key, "no one-time key in the form"
    form = {
        "csrf_token": re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1),
        "submission_key": key.group(1),
        "branch_id": str(branch_id(session, "hankou")),
        "employee_id": str(user_id(session, "handler_hankou")),
        "article": "art27",
        "occurred_on": "2026-10-20",
        "description": "汉口员工拒绝登记客户诉求。",
    }
    form.update(changes)
    return form


def test_art42_one_form_submitted_twice_records_one_breach_and_tells_the_unit_once(
    app, db_session, login_as
):
    """A double click, a resent page or the same form in two tabs: one breach, one notice each
    to the unit's liaison and head; both submissions land on the same breach."""
    client = login_as("csd")
    form = record_form(client, db_session)
    before = (count(db_session), count(db_session, PersonalBreachEvent))
    notices = {u: len(inbox(db_session, u)) for u in ("liaison_hankou", "head_hankou")}
    first = client.post("/staff/record/", data=form)
    second = client.post("/staff/record/", data=form)
    assert first.status_code == second.status_code == 302
    assert first.headers["Location"] == second.headers["Location"]
    assert (count(db_session), count(db_session, PersonalBreachEvent)) == (
        before[0] + 1,
        before[1] + 1,
    )
    assert {u: len(inbox(db_session, u)) for u in notices} == {u: n + 1 for u, n in notices.items()}
    other = record_form(client, db_session)  # a form loaded afresh is another breach
    assert other["submission_key"] != form["submission_key"]
    client.post("/staff/record/", data=other)
    assert count(db_session) == before[0] + 2


def test_art42_two_submissions_of_one_form_racing_record_one_breach(app, db_session):
    before = count(db_session)
    notices = {u: len(inbox(db_session, u)) for u in ("liaison_hankou", "head_hankou")}

    def submit(session):
        return breach(session, submission_key="r" * 32).id

    ids = at_once(app, submit, submit)
    assert len(set(ids)) == 1 and count(db_session) == before + 1
    assert {u: len(inbox(db_session, u)) for u in notices} == {u: n + 1 for u, n in notices.items()}


@pytest.mark.parametrize("key", [None, "", "k" * 65])
def test_a_recording_form_without_its_one_time_key_saves_nothing(app, db_session, login_as, key):
    client = login_as("csd")
    form = record_form(client, db_session)
    if key is None:
        del form["submission_key"]
    else:
        form["submission_key"] = key
    before = count(db_session)
    response = client.post("/staff/record/", data=form)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "表单不完整" in html and count(db_session) == before
    assert "汉口员工拒绝登记客户诉求。" in html  # what was typed comes back


@pytest.mark.parametrize("username", ["handler_hankou", "agent", "risk", "press"])
def test_roles_without_staff_accountability_are_refused(app, login_as, two_breaches, username):
    client = login_as(username)
    for url in ("/staff/", f"/staff/breach/{two_breaches[0].id}", "/staff/ratings"):
        assert client.get(url).status_code == 403, url


def test_leaders_and_the_committee_read_every_units_breaches_but_enter_nothing(
    app, login_as, two_breaches
):
    for username in ("leader", "committee"):
        client = login_as(username)
        html = client.get("/staff/").get_data(as_text=True)
        assert "汉口分公司" in html and "武昌分公司" in html, username
        shown = client.get(f"/staff/breach/{two_breaches[0].id}").get_data(as_text=True)
        assert 'id="form-opinion"' not in shown


def test_the_demo_seeds_an_open_breach_awaiting_hankous_opinion(db_session):
    """`suqiu demo` (the test template is seeded like it): 汉口's awaits its opinion, 武昌's is
    past due."""
    rows = db_session.execute(
        select(Branch.code, PersonalBreach.status, PersonalBreach.article)
        .join(Branch, Branch.id == PersonalBreach.branch_id)
        .order_by(PersonalBreach.id)
    ).all()
    assert [tuple(r) for r in rows] == [("hankou", "open", "art27"), ("wuchang", "open", "art28")]
